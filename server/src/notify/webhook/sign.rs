//! The webhook signature, in the Stripe scheme so that receivers can reuse their verifiers:
//! `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::keys::hex;

/// The `X-Riposte-Signature` value of `body` sent at `unix_seconds`.
pub fn signature(secret: &str, unix_seconds: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("t={unix_seconds},v1={}", hex(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_timestamp_and_the_body() {
        // The vector was computed independently: printf '1700000000.{"type":"test"}' |
        // openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"type":"test"}"#),
            "t=1700000000,v1=5f32b1f20af8adf84aaaa8ffc92da0441bf4c05562faa71f5c27352c22b106a8"
        );
        assert_ne!(
            signature("whsec_test", 1_700_000_001, r#"{"type":"test"}"#),
            signature("whsec_test", 1_700_000_000, r#"{"type":"test"}"#)
        );
    }
}
