//! Proof of work instead of a captcha, in the open ALTCHA format (<https://altcha.org/docs/>): the server
//! hands out a signed, expiring challenge; the widget finds the number that hashes to it; the comment
//! carries the solution, which counts once. Pure rules here; the signature key lives in `keys`, the
//! single-use record in the store.
//!
//! A challenge is `SHA-256(salt + number)` for a secret `number` in `0..=maxnumber`; the `salt` carries
//! its expiry as `?expires=UNIX_SECONDS&` (ALTCHA's convention), and the `signature` is an HMAC of the
//! challenge, so a client can neither pick its own challenge nor stretch the expiry. The salt's parameters
//! end with `&`, and a salt that does not is refused: otherwise digits could move from the number onto the
//! end of `expires` without changing the hash (the splicing flaw of ALTCHA's 2025 security advisory), and
//! an expiry further out than a fresh challenge's is refused too.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::fields::FieldError;

/// ALTCHA's name for the one algorithm riposte uses.
pub const ALGORITHM: &str = "SHA-256";
/// The largest secret number: a solver tries `maxnumber / 2` hashes on average.
pub const MAX_NUMBER: u64 = 50_000;
/// How long a challenge may be solved and used.
pub const VALID_FOR_S: i64 = 10 * 60;

/// When a site asks for proof of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pow {
    /// Never.
    Off,
    /// For every comment.
    Always,
    /// For first-time commenters, and when an address or the whole site posts faster than usual.
    #[default]
    Adaptive,
}

impl Pow {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Always => "always",
            Self::Adaptive => "adaptive",
        }
    }

    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s {
            "off" => Ok(Self::Off),
            "always" => Ok(Self::Always),
            "adaptive" => Ok(Self::Adaptive),
            _ => Err(FieldError::new("pow", "must be one of off, always, adaptive")),
        }
    }
}

/// What `GET /api/v1/challenge` answers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Challenge {
    #[schema(example = "SHA-256")]
    pub algorithm: &'static str,
    /// Hex SHA-256 of `salt` followed by the secret number in decimal.
    pub challenge: String,
    /// Random hex, then `?expires=UNIX_SECONDS`.
    pub salt: String,
    /// Hex HMAC-SHA256 of `challenge` under the server's key.
    pub signature: String,
    pub maxnumber: u64,
}

impl Challenge {
    /// A challenge for `number` under `salt_random` (hex), expiring at `expires_s`; `sign` is the server's HMAC.
    pub fn new(salt_random: &str, number: u64, expires_s: i64, sign: impl Fn(&str) -> String) -> Self {
        let salt = format!("{salt_random}?expires={expires_s}&");
        let challenge = digest(&salt, number);
        Self {
            algorithm: ALGORITHM,
            signature: sign(&challenge),
            challenge,
            salt,
            maxnumber: MAX_NUMBER,
        }
    }
}

fn digest(salt: &str, number: u64) -> String {
    let hash = Sha256::digest(format!("{salt}{number}").as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The solution a comment carries as `altcha`: base64 of this JSON (ALTCHA's payload).
#[derive(Debug, Deserialize)]
struct Payload {
    algorithm: String,
    challenge: String,
    number: u64,
    salt: String,
    signature: String,
}

/// A checked solution: genuine, unexpired, correct. The store records its signature so it counts once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub signature: String,
    pub expires_ms: i64,
}

/// Why a post was refused for want of proof of work (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChallengeError {
    /// The site asks for a solution and the comment has none.
    Required,
    /// The solution is malformed, wrong, expired or used already.
    Invalid(&'static str),
}

impl ChallengeError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Required => "challenge_required",
            Self::Invalid(_) => "challenge_invalid",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::Required => "this site asks for a solved challenge (GET /api/v1/challenge) with each comment",
            Self::Invalid(why) => why,
        }
    }
}

/// Checks an `altcha` payload at `now_s`: the signature must be ours (`sign`), the salt unexpired and the
/// number must hash to the challenge. Whether it was used before is the store's to check.
pub fn check(payload: &str, now_s: i64, sign: impl Fn(&str) -> String) -> Result<Proof, ChallengeError> {
    let json = STANDARD
        .decode(payload.trim())
        .map_err(|_| ChallengeError::Invalid("the altcha payload is not base64"))?;
    let p: Payload =
        serde_json::from_slice(&json).map_err(|_| ChallengeError::Invalid("the altcha payload is not ALTCHA JSON"))?;
    if p.algorithm != ALGORITHM {
        return Err(ChallengeError::Invalid("the altcha algorithm must be SHA-256"));
    }
    if !constant_time_eq(sign(&p.challenge).as_bytes(), p.signature.as_bytes()) {
        return Err(ChallengeError::Invalid("the challenge was not issued by this server"));
    }
    if !p.salt.ends_with('&') {
        return Err(ChallengeError::Invalid("the challenge's salt was changed"));
    }
    let expires_s = expiry(&p.salt).ok_or(ChallengeError::Invalid("the challenge has no expiry"))?;
    if expires_s < now_s {
        return Err(ChallengeError::Invalid("the challenge has expired; ask for a new one"));
    }
    if expires_s > now_s.saturating_add(VALID_FOR_S) {
        return Err(ChallengeError::Invalid("the challenge's expiry was changed"));
    }
    if p.number > MAX_NUMBER || digest(&p.salt, p.number) != p.challenge {
        return Err(ChallengeError::Invalid("the number does not solve the challenge"));
    }
    Ok(Proof {
        signature: p.signature,
        expires_ms: expires_s.saturating_mul(1000),
    })
}

/// The `expires` parameter of a salt `RANDOM?expires=N[&...]`.
fn expiry(salt: &str) -> Option<i64> {
    let (_, params) = salt.split_once('?')?;
    params
        .split('&')
        .find_map(|kv| kv.strip_prefix("expires="))
        .and_then(|v| v.parse().ok())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What the adaptive rule looks at, counted by the store inside the posting transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pace {
    /// The commenter proved (by an author token) that an earlier comment on the site is theirs and published.
    pub returning: bool,
    /// Comments from this address in the last [`BURST_WINDOW_MS`].
    pub by_address: i64,
    /// Comments to the site in the last [`BURST_WINDOW_MS`].
    pub by_site: i64,
    /// The site's comments per [`BURST_WINDOW_MS`], averaged over the last week.
    pub site_usual: f64,
}

/// The window in which posting "faster than usual" is counted.
pub const BURST_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Comments one address may post in the window before a solution is asked for.
pub const ADDRESS_BURST: i64 = 3;
/// A site counts as posting faster than usual only above this many comments in the window.
pub const SITE_BURST_FLOOR: i64 = 10;

/// Whether this post needs a solution.
pub fn required(pow: Pow, pace: &Pace) -> bool {
    match pow {
        Pow::Off => false,
        Pow::Always => true,
        Pow::Adaptive => {
            !pace.returning
                || pace.by_address >= ADDRESS_BURST
                // Four times the usual pace, and never for the first few comments of a quiet site.
                || pace.by_site as f64 > (4.0 * pace.site_usual).max(SITE_BURST_FLOOR as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(c: &str) -> String {
        format!("sig-{c}")
    }

    fn solve(ch: &Challenge) -> u64 {
        (0..=ch.maxnumber)
            .find(|&n| digest(&ch.salt, n) == ch.challenge)
            .unwrap()
    }

    fn payload(ch: &Challenge, number: u64, signature: &str) -> String {
        STANDARD.encode(
            serde_json::json!({"algorithm": ch.algorithm, "challenge": ch.challenge, "number": number,
                "salt": ch.salt, "signature": signature})
            .to_string(),
        )
    }

    #[test]
    fn a_solved_challenge_checks_and_a_tampered_one_does_not() {
        let ch = Challenge::new("00ff", 4321, 2_000, sign);
        assert_eq!(ch.salt, "00ff?expires=2000&");
        let n = solve(&ch);
        assert_eq!(n, 4321);
        let proof = check(&payload(&ch, n, &ch.signature), 1_500, sign).unwrap();
        assert_eq!(proof.signature, ch.signature);
        assert_eq!(proof.expires_ms, 2_000_000);
        assert_eq!(
            check(&payload(&ch, n + 1, &ch.signature), 1_500, sign),
            Err(ChallengeError::Invalid("the number does not solve the challenge"))
        );
        assert!(check(&payload(&ch, n, "sig-other"), 1_500, sign).is_err());
        assert!(
            matches!(check(&payload(&ch, n, &ch.signature), 2_001, sign), Err(ChallengeError::Invalid(m)) if m.contains("expired"))
        );
        for junk in ["", "!!!", &STANDARD.encode("{}"), &STANDARD.encode("[1,2]")] {
            assert!(check(junk, 1_500, sign).is_err(), "{junk}");
        }
    }

    #[test]
    fn a_client_cannot_stretch_the_expiry() {
        let ch = Challenge::new("ab", 7, 2_000, sign);
        // Same number and challenge, a later expiry in the salt: the hash no longer fits, nor would a
        // recomputed challenge carry our signature.
        let mut late = ch.clone();
        late.salt = "ab?expires=9999&".into();
        assert!(check(&payload(&late, 7, &ch.signature), 3_000, sign).is_err());
        late.challenge = digest(&late.salt, 7);
        assert!(check(&payload(&late, 7, &ch.signature), 3_000, sign).is_err());
    }

    #[test]
    fn digits_cannot_move_from_the_number_into_the_expiry() {
        // Splicing: "RANDOM?expires=2000" + "4321" hashes like "RANDOM?expires=200043" + "21".
        let ch = Challenge::new("ab", 4321, 2_000, sign);
        let spliced = Challenge {
            salt: "ab?expires=2000&4".into(),
            ..ch.clone()
        };
        assert!(check(&payload(&spliced, 321, &ch.signature), 1_000, sign).is_err());
        // And without the terminating '&' (as salts before it were), the same trick is refused too.
        let old_style = format!("ab?expires=2000{}", 43);
        let unterminated = Challenge {
            challenge: digest(&old_style, 21),
            salt: old_style,
            ..ch.clone()
        };
        let sig = sign(&unterminated.challenge);
        assert!(check(&payload(&unterminated, 21, &sig), 1_000, sign).is_err());
        // A signed challenge whose expiry lies further out than a fresh one's is refused.
        let far = Challenge::new("cd", 5, 1_000 + VALID_FOR_S + 60, sign);
        assert!(check(&payload(&far, 5, &far.signature), 1_000, sign).is_err());
    }

    #[test]
    fn adaptive_asks_first_timers_and_bursts() {
        let calm = Pace {
            returning: true,
            by_address: 0,
            by_site: 1,
            site_usual: 2.0,
        };
        assert!(!required(Pow::Adaptive, &calm));
        assert!(!required(Pow::Off, &Pace::default()));
        assert!(required(Pow::Always, &calm));
        assert!(required(
            Pow::Adaptive,
            &Pace {
                returning: false,
                ..calm
            }
        ));
        assert!(required(Pow::Adaptive, &Pace { by_address: 3, ..calm }));
        assert!(!required(Pow::Adaptive, &Pace { by_site: 10, ..calm }));
        assert!(required(Pow::Adaptive, &Pace { by_site: 11, ..calm }));
        assert!(required(
            Pow::Adaptive,
            &Pace {
                by_site: 41,
                site_usual: 10.0,
                ..calm
            }
        ));
        assert!(!required(
            Pow::Adaptive,
            &Pace {
                by_site: 40,
                site_usual: 10.0,
                ..calm
            }
        ));
    }

    #[test]
    fn pow_setting_parses() {
        for p in [Pow::Off, Pow::Always, Pow::Adaptive] {
            assert_eq!(Pow::parse(p.as_str()).unwrap(), p);
        }
        assert!(Pow::parse("sometimes").is_err());
    }
}
