//! The `[live]` section: live updates of threads over Server-Sent Events (`GET /api/v1/events`).

use anyhow::bail;
use serde::Deserialize;

use crate::http::serve::MAX_CONNECTIONS;

/// Every stream holds a connection of its own: they may take at most this share of the server's
/// [`MAX_CONNECTIONS`], so that ordinary requests always find a slot.
pub const MAX_STREAMS: usize = MAX_CONNECTIONS / 4 * 3;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Whether `GET /api/v1/events` serves (off: it answers 404).
    pub enabled: bool,
    /// Streams open at once, in all; at most [`MAX_STREAMS`].
    pub max_connections: usize,
    /// Streams one client address (IPv6: its /64) may hold open at once: a visitor's tabs, or the readers
    /// behind one NAT (an office, a mobile carrier), which is why it is not smaller.
    pub per_address: usize,
    /// Seconds between heartbeats on a quiet stream, so that proxies and browsers keep it open.
    pub heartbeat_seconds: u64,
}

impl Default for LiveConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_connections: 1000,
            per_address: 32,
            heartbeat_seconds: 20,
        }
    }
}

impl LiveConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=MAX_STREAMS).contains(&self.max_connections) {
            bail!(
                "live.max_connections must be from 1 to {MAX_STREAMS} (three quarters of the server's {MAX_CONNECTIONS} connections)"
            );
        }
        if self.per_address == 0 {
            bail!("live.per_address must be at least 1");
        }
        if !(1..=300).contains(&self.heartbeat_seconds) {
            bail!("live.heartbeat_seconds must be from 1 to 300");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_read_and_checked() {
        let c: LiveConfig = toml::from_str("enabled = false\nper_address = 2\n").unwrap();
        assert_eq!(
            c,
            LiveConfig {
                enabled: false,
                per_address: 2,
                ..LiveConfig::default()
            }
        );
        assert!(toml::from_str::<LiveConfig>("per_adress = 2").is_err());
        LiveConfig::default().validate().unwrap();
        for bad in [
            LiveConfig {
                max_connections: MAX_STREAMS + 1,
                ..LiveConfig::default()
            },
            LiveConfig {
                per_address: 0,
                ..LiveConfig::default()
            },
            LiveConfig {
                heartbeat_seconds: 0,
                ..LiveConfig::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
