//! `riposte moderator`: accounts, their sites, passwords and notification addresses.

use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use riposte::Store;
use riposte::domain::time::now_ms;
use riposte::domain::{Email, ModeratorName};
use riposte::keys::hash_password;

#[derive(Subcommand)]
pub enum ModeratorCommand {
    /// Create a moderator. Asks for the password twice on a terminal (at least 12 characters).
    Add {
        name: String,
        /// A site the moderator may moderate (repeatable).
        #[arg(long = "site", value_name = "ID", required_unless_present = "all_sites")]
        sites: Vec<String>,
        /// The moderator may moderate every site, also those added later (instead of --site).
        #[arg(long, conflicts_with = "sites")]
        all_sites: bool,
        /// Read the password from standard input (one line) instead of asking.
        #[arg(long)]
        password_stdin: bool,
        /// Where this moderator's notification mails go (new comments, digests).
        #[arg(long, value_name = "ADDRESS")]
        email: Option<String>,
    },
    /// Set or clear a moderator's address for notifications.
    Email {
        name: String,
        /// The address [default: none, which clears it]
        address: Option<String>,
    },
    /// List moderators, their sites and their notification addresses.
    List,
    /// Remove a moderator and end their sessions.
    Remove { name: String },
    /// Set a new password and end the moderator's sessions.
    Passwd {
        name: String,
        /// Read the password from standard input (one line) instead of asking.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        bail!("standard input is not a terminal: pass --password-stdin to read the password from it");
    }
    let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
    let second = rpassword::prompt_password("Repeat the password: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

/// A moderator's address as given on the command line, checked.
fn moderator_email(email: Option<String>) -> anyhow::Result<Option<String>> {
    Ok(Email::parse(email.as_deref())
        .map_err(|e| anyhow::anyhow!("--email: {}", e.message))?
        .map(|e| e.as_str().to_owned()))
}

pub async fn moderator(store: Arc<dyn Store>, cmd: ModeratorCommand) -> anyhow::Result<()> {
    match cmd {
        ModeratorCommand::Email { name, address } => {
            let email = moderator_email(address)?;
            let shown = email.clone().unwrap_or_else(|| "none".into());
            if !store.set_moderator_email(name.clone(), email).await? {
                bail!("there is no moderator {name:?}");
            }
            println!("moderator {name}: notifications go to {shown}");
        }
        ModeratorCommand::Add {
            name,
            sites,
            all_sites,
            password_stdin,
            email,
        } => {
            let email = moderator_email(email)?;
            let name = ModeratorName::parse(&name)
                .map_err(|_| anyhow::anyhow!("a moderator name is 1 to 64 characters without spaces"))?;
            let known: Vec<String> = store.sites().await?.into_iter().map(|s| s.id).collect();
            if let Some(unknown) = sites.iter().find(|s| !known.contains(s)) {
                bail!("there is no site {unknown:?} (riposte site list shows the sites)");
            }
            let hash = hash_password(&read_password(password_stdin)?)?;
            let name = name.as_str().to_owned();
            let scope = (!all_sites).then(|| sites.clone());
            if !store.add_moderator(name.clone(), hash, email, scope, now_ms()).await? {
                bail!("a moderator named {name:?} exists already");
            }
            println!(
                "moderator {name} added ({})",
                if sites.is_empty() {
                    "all sites".into()
                } else {
                    sites.join(",")
                }
            );
        }
        ModeratorCommand::List => {
            for m in store.moderators().await? {
                println!(
                    "{}\t{}\t{}",
                    m.name,
                    m.sites.map(|s| s.join(",")).unwrap_or_else(|| "all sites".into()),
                    m.email.as_deref().unwrap_or("no email")
                );
            }
        }
        ModeratorCommand::Remove { name } => {
            if !store.remove_moderator(name.clone()).await? {
                bail!("there is no moderator {name:?}");
            }
            println!("moderator {name} removed");
        }
        ModeratorCommand::Passwd { name, password_stdin } => {
            let hash = hash_password(&read_password(password_stdin)?)?;
            if !store.set_password(name.clone(), hash).await? {
                bail!("there is no moderator {name:?}");
            }
            println!("password of {name} changed; their sessions have ended");
        }
    }
    Ok(())
}
