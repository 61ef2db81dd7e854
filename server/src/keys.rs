//! Everything derived from secrets: edit, author and CSRF tokens, the no-JavaScript page's form tokens
//! and held marks, avatar hashes and proof-of-work signatures (each an HMAC of the server secret under its own purpose label, so that one can never stand
//! in for another); IP hashes, keyed not by the secret but by random per-period keys the store keeps and
//! deletes (see [`IpKeys`]); and moderators' passwords (argon2id) and session tokens.

use std::cell::RefCell;
use std::net::IpAddr;
use std::sync::{LazyLock, RwLock};

use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHasher, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

use crate::domain::comment::BadgeClaim;
pub use crate::domain::notify::MailLink;
pub use crate::domain::privacy::{IP_KEY_PERIOD_MS, ip_period};

/// The random keys of the current IP-hash period and the one before. They come from the store, which makes
/// one per period and deletes it when the period after next begins: from then on no stored hash of that
/// period can be tied to an address, by anyone, even with the database and the server secret.
#[derive(Clone)]
pub struct IpKeys {
    pub period: i64,
    pub current: Vec<u8>,
    pub previous: Vec<u8>,
}

impl IpKeys {
    /// Keys nobody stores, for a process that never hashes an address the store keeps (and as the state
    /// before the store's keys are installed).
    fn ephemeral(period: i64) -> Self {
        let random = || {
            let mut key = vec![0u8; 32];
            rand::fill(&mut key[..]);
            key
        };
        Self {
            period,
            current: random(),
            previous: random(),
        }
    }
}

pub struct Keys {
    secret: Vec<u8>,
    ip: RwLock<IpKeys>,
}

impl Keys {
    pub fn new(secret: &str) -> Self {
        Self {
            secret: secret.as_bytes().to_vec(),
            ip: RwLock::new(IpKeys::ephemeral(ip_period(crate::domain::time::now_ms()))),
        }
    }

    /// Installs the store's IP-hash keys (at start, and when a new period begins).
    pub fn install_ip_keys(&self, keys: IpKeys) {
        *self.ip.write().unwrap_or_else(|e| e.into_inner()) = keys;
    }

    /// The period of the installed IP-hash keys.
    pub fn installed_ip_period(&self) -> i64 {
        self.ip.read().unwrap_or_else(|e| e.into_inner()).period
    }

    /// A fresh random secret: 32 bytes, hex.
    pub fn generate_secret() -> String {
        let mut buf = [0u8; 32];
        rand::fill(&mut buf);
        hex(&buf)
    }

    fn mac(&self, purpose: &str, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    /// A keyed hash of a client address, the only form in which an address is ever stored. The key is
    /// random and changes every [`IP_KEY_PERIOD_MS`]: a stored hash cannot be tied to the same address in
    /// another period, and not at all once its period's key is deleted.
    pub fn ip_hash(&self, ip: IpAddr) -> String {
        self.ip_hashes(ip)[0].clone()
    }

    /// The address's hashes under the current and the previous key, for matching votes and bans made
    /// shortly before a rotation.
    pub fn ip_hashes(&self, ip: IpAddr) -> [String; 2] {
        let keys = self.ip.read().unwrap_or_else(|e| e.into_inner());
        [ip_hash_under(&keys.current, ip), ip_hash_under(&keys.previous, ip)]
    }

    /// The token that lets a comment's author edit or delete it.
    pub fn edit_token(&self, comment_id: i64, created_ms: i64) -> String {
        let mac = self.mac("edit", &[&comment_id.to_be_bytes(), &created_ms.to_be_bytes()]);
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// Checks an edit token in constant time.
    pub fn verify_edit_token(&self, comment_id: i64, created_ms: i64, token: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        self.mac("edit", &[&comment_id.to_be_bytes(), &created_ms.to_be_bytes()])
            .verify_slice(&given)
            .is_ok()
    }

    /// The CSRF token of an admin session, bound to the session's hash.
    pub fn csrf(&self, session_hash: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac("csrf", &[session_hash.as_bytes()]).finalize().into_bytes())
    }

    pub fn verify_csrf(&self, session_hash: &str, token: &str) -> bool {
        let Ok(given) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        self.mac("csrf", &[session_hash.as_bytes()])
            .verify_slice(&given)
            .is_ok()
    }

    /// A stable, opaque identicon seed: the same commenter gets the same picture on one site, and nobody
    /// can tell their email from it, nor find the same commenter on another site by it.
    pub fn avatar(&self, site: &str, seed: &str) -> String {
        hex(&self
            .mac("avatar", &[site.as_bytes(), seed.as_bytes()])
            .finalize()
            .into_bytes()[..8])
    }

    /// The token a commenter's browser keeps to show, on a later comment, that it wrote comment `id` of
    /// `site`, made at `created_ms`: `ID.CREATED.MAC`. A stranger cannot make one, so "returning commenter"
    /// cannot be forged by typing someone's email; the moment keeps it from vouching for a later comment
    /// that got the id of a deleted one.
    pub fn author_token(&self, site: &str, comment_id: i64, created_ms: i64) -> String {
        self.pair_token("author", &[site.as_bytes()], comment_id, created_ms)
    }

    /// The comment (id, creation time) an author token of `site` names, if the token is genuine.
    pub fn verify_author_token(&self, site: &str, token: &str) -> Option<(i64, i64)> {
        self.verify_pair("author", &[site.as_bytes()], token)
    }

    /// The token of the no-JavaScript page's comment form for page `uri` of `site`, shown at `issued_ms`:
    /// `ISSUED.NONCE.MAC`. A post carrying it was sent from a form this server showed for that page, and
    /// says when it was shown (the fill time); the random nonce tells two forms shown in the same
    /// millisecond apart. Whether it is still fresh is the caller's to check.
    pub fn form_token(&self, site: &str, uri: &str, issued_ms: i64) -> String {
        let nonce = (rand::random::<u64>() >> 1) as i64;
        self.pair_token("page-form", &[site.as_bytes(), uri.as_bytes()], issued_ms, nonce)
    }

    /// (issue time, nonce) of a genuine form token of page `uri` of `site`.
    pub fn verify_form_token(&self, site: &str, uri: &str, token: &str) -> Option<(i64, i64)> {
        self.verify_pair("page-form", &[site.as_bytes(), uri.as_bytes()], token)
    }

    /// What the no-JavaScript page's redirect after a held comment carries: `ID.EXPIRES.MAC` for comment
    /// `id` of `site`, good until `expires_ms`. It lets the page say that this comment awaits moderation;
    /// the comment itself stays hidden.
    pub fn held_mark(&self, site: &str, comment_id: i64, expires_ms: i64) -> String {
        self.pair_token("held", &[site.as_bytes()], comment_id, expires_ms)
    }

    /// (comment id, expiry) of a genuine held mark of `site`.
    pub fn verify_held_mark(&self, site: &str, mark: &str) -> Option<(i64, i64)> {
        self.verify_pair("held", &[site.as_bytes()], mark)
    }

    /// `A.B.MAC`: two numbers under `purpose`, bound to `scope` (which the token does not carry).
    fn pair_token(&self, purpose: &str, scope: &[&[u8]], a: i64, b: i64) -> String {
        let mac = self.pair_mac(purpose, scope, a, b);
        format!("{a}.{b}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
    }

    fn verify_pair(&self, purpose: &str, scope: &[&[u8]], token: &str) -> Option<(i64, i64)> {
        let mut parts = token.trim().splitn(3, '.');
        let a: i64 = parts.next()?.parse().ok()?;
        let b: i64 = parts.next()?.parse().ok()?;
        let given = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        self.pair_mac(purpose, scope, a, b)
            .verify_slice(&given)
            .is_ok()
            .then_some((a, b))
    }

    fn pair_mac(&self, purpose: &str, scope: &[&[u8]], a: i64, b: i64) -> HmacSha256 {
        let (a, b) = (a.to_be_bytes(), b.to_be_bytes());
        let mut parts: Vec<&[u8]> = scope.to_vec();
        parts.extend([&a[..], &b[..]]);
        self.mac(purpose, &parts)
    }

    /// A moderator's badge token for one site: sent with their comments (the widget keeps it per site once
    /// opened with `#riposte-badge=TOKEN`), it marks them as the moderator's. Bound to the site (a token read
    /// from one blog's storage badges nothing elsewhere), the account's creation time (a removed moderator's
    /// token stays dead when another account gets the id) and its badge generation (a new token revokes the
    /// old ones).
    pub fn badge_token(&self, site: &str, m: BadgeClaim) -> String {
        let mac = self.badge_mac(site, m);
        format!(
            "{}.{}.{}.{}",
            m.id,
            m.created,
            m.version,
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    /// The moderator a badge token of `site` names, if the token is genuine (whether it is still current is
    /// the store's to check).
    pub fn verify_badge_token(&self, site: &str, token: &str) -> Option<BadgeClaim> {
        let mut parts = token.trim().splitn(4, '.');
        let claim = BadgeClaim {
            id: parts.next()?.parse().ok()?,
            created: parts.next()?.parse().ok()?,
            version: parts.next()?.parse().ok()?,
        };
        let given = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        self.badge_mac(site, claim)
            .verify_slice(&given)
            .is_ok()
            .then_some(claim)
    }

    fn badge_mac(&self, site: &str, m: BadgeClaim) -> HmacSha256 {
        self.mac(
            "badge",
            &[
                site.as_bytes(),
                &m.id.to_be_bytes(),
                &m.created.to_be_bytes(),
                &m.version.to_be_bytes(),
            ],
        )
    }

    /// The token of a link in a mail: the link's fields and their MAC, `KIND.FIELD.FIELD...MAC`, made
    /// only by this server. Expiry and single use are the caller's to check ([`MailLink::expires`]).
    pub fn link_token(&self, link: &MailLink) -> String {
        let (kind, fields) = link.fields();
        let text: Vec<String> = fields.iter().map(i64::to_string).collect();
        let mac = self.link_mac(kind, &fields);
        format!("{kind}.{}.{}", text.join("."), URL_SAFE_NO_PAD.encode(mac))
    }

    /// The link a token names, and its MAC (the key of a single-use link), if this server made it.
    pub fn verify_link(&self, token: &str) -> Option<(MailLink, String)> {
        let token = token.trim();
        if token.len() > 200 {
            return None;
        }
        let (body, mac) = token.rsplit_once('.')?;
        let mut parts = body.split('.');
        let kind = parts.next()?;
        let fields: Vec<i64> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
        let given = URL_SAFE_NO_PAD.decode(mac).ok()?;
        let link = MailLink::from_fields(kind, &fields)?;
        let mut check = self.mac("mail-link", &[kind.as_bytes()]);
        for f in &fields {
            check.update(&f.to_be_bytes());
        }
        check.verify_slice(&given).ok()?;
        Some((link, mac.to_owned()))
    }

    fn link_mac(&self, kind: &str, fields: &[i64]) -> Vec<u8> {
        let mut mac = self.mac("mail-link", &[kind.as_bytes()]);
        for f in fields {
            mac.update(&f.to_be_bytes());
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// The HMAC-SHA256 of a proof-of-work challenge, hex: its ALTCHA `signature`.
    pub fn pow_signature(&self, challenge: &str) -> String {
        hex(&self.mac("pow", &[challenge.as_bytes()]).finalize().into_bytes())
    }
}

fn ip_hash_under(key: &[u8], ip: IpAddr) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(ip.to_string().as_bytes());
    hex(&mac.finalize().into_bytes()[..16])
}

pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longer passwords are refused (at login before any hashing), so a huge one cannot make argon2 work.
pub const MAX_PASSWORD_BYTES: usize = 1024;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        anyhow::bail!("the password must be at least {MIN_PASSWORD_CHARS} characters");
    }
    if password.len() > MAX_PASSWORD_BYTES {
        anyhow::bail!("the password must be at most {MAX_PASSWORD_BYTES} bytes");
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

/// A hash of nothing anyone knows, checked when an account does not exist, so that a login for an unknown
/// name takes as long as one for a known name.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    Argon2::default()
        .hash_password(b"riposte-no-such-account")
        .map(|h| h.to_string())
        .unwrap_or_default()
});

thread_local! {
    /// The argon2 working memory of this thread (19 MiB with the default parameters), kept between
    /// verifications. Allocated afresh for each one, the freed blocks were not reused by the allocator
    /// and the process grew by that much with every login.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Whether `password` matches the stored PHC `hash`; `None` (no such account) checks a dummy hash, so the
/// work is the same, and is false. Runs in this thread's kept working memory.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let ok = MEMORY.with_borrow_mut(|memory| matches(password.as_bytes(), hash.unwrap_or(&DUMMY_HASH), memory));
    ok && hash.is_some()
}

/// What `PasswordVerifier::verify_password` does, but in `memory`.
fn matches(password: &[u8], hash: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm.as_str()),
    ) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return false;
    };
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN)) else {
        return false;
    };
    memory.resize(params.block_count(), Block::default());
    let argon2 = Argon2::new(algorithm, version.unwrap_or_default(), params);
    if argon2
        .hash_password_into_with_memory(password, salt, out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(out).is_ok_and(|computed| &computed == expected)
}

/// How a session token is stored: only its SHA-256, so a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A fresh session token: 32 random bytes, base64url.
pub fn new_token() -> String {
    let mut buf = [0u8; 32];
    rand::fill(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests;
