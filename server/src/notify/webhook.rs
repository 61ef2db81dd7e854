//! Webhook delivery: a signed JSON POST to a site's URL, never to a private address unless allowed.

use crate::domain::notify::Attempt;

pub struct Sender {}

impl Sender {
    pub fn new(_allow_private: bool) -> anyhow::Result<Self> {
        Ok(Self {})
    }

    pub async fn send(&self, _url: &str, _secret: &str, _body: &str) -> Attempt {
        Attempt::Failed("webhooks are not built yet".into())
    }
}
