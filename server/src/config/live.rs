//! The `[live]` section: live updates of threads over Server-Sent Events (`GET /api/v1/events`).

use anyhow::bail;
use serde::Deserialize;

/// Every stream holds a connection of its own: they may take at most three quarters of the server's
/// `max_connections`, so that ordinary requests always find a slot.
pub fn max_streams(max_connections: usize) -> usize {
    max_connections / 4 * 3
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct LiveConfig {
    /// Whether `GET /api/v1/events` serves (off: it answers 404).
    pub enabled: bool,
    /// Streams open at once, in all; at most [`max_streams`] of the server's connections.
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
    /// Checks the section for a server that holds `max_connections` connections in all.
    pub fn validate(&self, max_connections: usize) -> anyhow::Result<()> {
        let most = max_streams(max_connections);
        if !(1..=most).contains(&self.max_connections) {
            bail!(
                "live.max_connections must be from 1 to {most} (three quarters of the server's max_connections, {max_connections})"
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
        let server = crate::http::serve::MAX_CONNECTIONS;
        LiveConfig::default().validate(server).unwrap();
        // A server that holds more connections may hold more streams, but never all of its connections.
        let many = LiveConfig {
            max_connections: 10_000,
            ..LiveConfig::default()
        };
        many.validate(14_000).unwrap();
        assert!(many.validate(13_000).is_err());
        for bad in [
            LiveConfig {
                max_connections: max_streams(server) + 1,
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
            assert!(bad.validate(server).is_err(), "{bad:?}");
        }
    }
}
