//! `riposte site`: sites, their origins and settings, kept in the database.

use std::sync::Arc;

use anyhow::bail;
use clap::Subcommand;
use riposte::Store;
use riposte::domain::notify::{Language, NotifyMode};
use riposte::domain::pow::Pow;
use riposte::domain::time::now_ms;
use riposte::domain::{Moderation, Origin, Site, SiteId};

use super::field;

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Add a site, or add origins to an existing one and change its settings.
    Add {
        /// The site's id, as the embed's data-site names it (a-z, 0-9, '-', '_', '.').
        id: String,
        /// An origin allowed to post, like https://blog.example (repeatable).
        #[arg(long = "origin", value_name = "URL", required = true)]
        origins: Vec<String>,
        /// A human-readable name [default: the id]
        #[arg(long)]
        name: Option<String>,
        /// none | first-time | all [default: none]
        #[arg(long)]
        moderation: Option<String>,
        /// Proof of work for new comments: off | always | adaptive [default: adaptive]
        #[arg(long)]
        pow: Option<String>,
        /// Moderators' mails: pending | all | digest-hourly | digest-daily | off [default: pending]
        #[arg(long)]
        notify: Option<String>,
        /// The language of the site's mails and pages, a code of widget/i18n [default: en]
        #[arg(long, value_name = "CODE", long_help = language_help())]
        language: Option<String>,
    },
    /// List the sites with their origins and moderation mode.
    List,
}

pub async fn site(store: Arc<dyn Store>, cmd: SiteCommand) -> anyhow::Result<()> {
    match cmd {
        SiteCommand::Add {
            id,
            origins,
            name,
            moderation,
            pow,
            notify,
            language,
        } => {
            let id = SiteId::parse(&id).map_err(field)?;
            let origins = origins
                .iter()
                .map(|o| Origin::parse(o).map_err(field))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let moderation = moderation
                .map(|m| Moderation::parse(&m).map_err(|e| anyhow::anyhow!("--moderation: {}", e.message)))
                .transpose()?;
            let existing = store.sites().await?.into_iter().find(|s| s.id == id.as_str());
            let mut site = existing.unwrap_or_else(|| Site::new(&id));
            if let Some(name) = name {
                if name.trim().is_empty() {
                    bail!("--name must not be blank");
                }
                site.name = name;
            }
            if let Some(m) = moderation {
                site.moderation = m;
            }
            if let Some(p) = pow {
                site.pow = Pow::parse(&p).map_err(|e| anyhow::anyhow!("--pow: {}", e.message))?;
            }
            if let Some(n) = notify {
                site.notify = NotifyMode::parse(&n).map_err(|e| anyhow::anyhow!("--notify: {}", e.message))?;
            }
            if let Some(l) = language {
                site.language = Language::parse(&l).map_err(|e| anyhow::anyhow!("--language: {}", e.message))?;
            }
            site.allow(origins);
            store.save_site(site.clone(), None, now_ms()).await?;
            println!("site {} saved: {}", site.id, describe(&site));
        }
        SiteCommand::List => {
            for site in store.sites().await? {
                println!("{}\t{}", site.id, describe(&site));
            }
        }
    }
    Ok(())
}

/// `--help` lists every language, by its code and its own name.
fn language_help() -> String {
    let langs: Vec<String> = Language::all()
        .map(|l| format!("{} ({})", l.as_str(), l.lang().name()))
        .collect();
    format!(
        "The language of the site's mails and pages [default: en]: {}",
        langs.join(", ")
    )
}

fn describe(site: &Site) -> String {
    format!(
        "name={:?} moderation={} pow={} notify={} language={} origins={}",
        site.name,
        site.moderation.as_str(),
        site.pow.as_str(),
        site.notify.as_str(),
        site.language.as_str(),
        site.origins.join(",")
    )
}
