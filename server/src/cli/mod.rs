//! The `riposte` command line: its arguments, and each subcommand as a few steps over the store.

mod mail;
mod transfer;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use riposte::Store;
use riposte::config::{Config, Overrides};
use riposte::domain::pow::Pow;
use riposte::domain::time::now_ms;
use riposte::domain::{Email, Moderation, ModeratorName, Origin, Site, SiteId};
use riposte::keys::hash_password;

const ENV_HELP: &str = "\
Configuration, lowest precedence first: built-in defaults, the config file (riposte.toml), RIPOSTE_*
environment variables, command-line flags. Environment variables: RIPOSTE_CONFIG, RIPOSTE_LISTEN,
RIPOSTE_DATABASE, RIPOSTE_PUBLIC_URL, RIPOSTE_SECRET, RIPOSTE_TRUSTED_PROXIES (comma-separated),
RIPOSTE_EDIT_WINDOW (seconds), RIPOSTE_DEMO (true/false). Logging: RUST_LOG (default info).
See docs/configuration.md.";

/// riposte: a small, fast, self-hosted comment service.
///
/// Without a subcommand, `riposte` serves (the same as `riposte serve`).
#[derive(Parser)]
#[command(version, after_help = ENV_HELP)]
pub struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct Common {
    /// Configuration file (TOML). Optional; riposte runs on defaults without one.
    #[arg(long, global = true, env = "RIPOSTE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// SQLite database file [default: riposte.db]
    #[arg(long, global = true, value_name = "PATH")]
    database: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Address visitors reach this server under, e.g. https://comments.example.com
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the widget and the API (the default).
    Serve(ServeArgs),
    /// Manage the sites stored in the database.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Copy the database to FILE while the server keeps running (SQLite online backup).
    ///
    /// To restore, stop the server and start it with --database FILE (or copy FILE over the database).
    Backup {
        /// Where to write the copy; an existing file is replaced once the copy is complete.
        file: PathBuf,
    },
    /// Export or erase everything stored for one email address (GDPR).
    #[command(subcommand)]
    Gdpr(GdprCommand),
    /// Import comments from Disqus, WordPress, Blogger, Isso, Commento, Remark42 or a riposte export.
    ///
    /// One transaction: an unreadable file or Ctrl-C leaves the database as it was. Running it again adds
    /// nothing that is already there. See docs/migrating.md.
    Import(transfer::ImportArgs),
    /// Write everything of one site (threads, comments, settings, bans) as riposte's JSON export.
    Export(transfer::ExportArgs),
    /// Manage moderator accounts for the admin UI at /admin.
    #[command(subcommand)]
    Moderator(ModeratorCommand),
    /// The learning spam filter, trained by moderators' approve and spam actions.
    #[command(subcommand)]
    Spam(SpamCommand),
    /// Notification mail: send a test mail through the configured SMTP server.
    #[command(subcommand)]
    Mail(mail::MailCommand),
}

#[derive(Subcommand)]
enum SpamCommand {
    /// Rebuild the filter's counts from every comment moderators approved or marked as spam (after an
    /// upgrade that changes how comments are split into tokens, or to start a site's filter afresh).
    Retrain {
        /// Only this site [default: every site]
        #[arg(long, value_name = "ID")]
        site: Option<String>,
    },
}

#[derive(Subcommand)]
enum GdprCommand {
    /// Print every comment written with this email address, as JSON.
    Export { email: String },
    /// Erase every comment written with this email address; comments with replies stay as empty placeholders.
    Erase { email: String },
}

#[derive(Subcommand)]
enum ModeratorCommand {
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
    /// List moderators and their sites.
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

#[derive(Subcommand)]
enum SiteCommand {
    /// Add a site, or add origins to an existing one and change its name or moderation mode.
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
    },
    /// List the sites with their origins and moderation mode.
    List,
}

impl Cli {
    /// Loads the configuration and runs the subcommand (serving, without one).
    pub fn run(self) -> anyhow::Result<()> {
        let serve = match &self.command {
            Some(Command::Serve(args)) => merge(&self.serve, args),
            _ => self.serve.clone(),
        };
        let overrides = Overrides {
            listen: serve.listen,
            database: self.common.database.clone(),
            public_url: serve.public_url,
        };
        let config = Config::load(self.common.config.as_deref(), |k| std::env::var(k).ok(), &overrides)?;
        match self.command {
            None | Some(Command::Serve(_)) => serve_forever(config),
            Some(Command::Site(cmd)) => with_store(&config, |store| site(store, cmd)),
            Some(Command::Moderator(cmd)) => with_store(&config, |store| moderator(store, cmd)),
            Some(Command::Backup { file }) => {
                let source = config.database.display().to_string();
                with_store(&config, |store| async move {
                    store.backup(file.clone()).await?;
                    println!("{source} copied to {}", file.display());
                    Ok(())
                })
            }
            Some(Command::Gdpr(cmd)) => with_store(&config, |store| gdpr(store, cmd)),
            Some(Command::Import(args)) => with_store(&config, |store| transfer::import(store, args)),
            Some(Command::Export(args)) => with_store(&config, |store| transfer::export(store, args)),
            Some(Command::Mail(cmd)) => mail::mail(&config, cmd),
            Some(Command::Spam(SpamCommand::Retrain { site })) => with_store(&config, |store| async move {
                let site = site.map(|s| SiteId::parse(&s).map_err(field)).transpose()?;
                let learned = store.retrain_spam(site).await?;
                println!("spam filter rebuilt from {learned} moderated comments");
                Ok(())
            }),
        }
    }
}

fn merge(global: &ServeArgs, sub: &ServeArgs) -> ServeArgs {
    ServeArgs {
        listen: sub.listen.clone().or_else(|| global.listen.clone()),
        public_url: sub.public_url.clone().or_else(|| global.public_url.clone()),
    }
}

fn serve_forever(config: Config) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        // The bound address, for whoever started us on port 0 (tests, scripts): connections wait in the
        // listener's queue until the server is ready.
        println!("riposte listening on http://{}", listener.local_addr()?);
        riposte::run(config, listener, riposte::shutdown_signal()).await
    })
}

/// Runs one command-line task against the store on a small runtime of its own.
fn with_store<F, Fut>(config: &Config, task: F) -> anyhow::Result<()>
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = riposte::store::open(&config.database)?;
        task(store).await
    })
}

fn field(e: riposte::domain::FieldError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message)
}

async fn site(store: Arc<dyn Store>, cmd: SiteCommand) -> anyhow::Result<()> {
    match cmd {
        SiteCommand::Add {
            id,
            origins,
            name,
            moderation,
            pow,
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

fn describe(site: &Site) -> String {
    format!(
        "name={:?} moderation={} pow={} origins={}",
        site.name,
        site.moderation.as_str(),
        site.pow.as_str(),
        site.origins.join(",")
    )
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

async fn moderator(store: Arc<dyn Store>, cmd: ModeratorCommand) -> anyhow::Result<()> {
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
                    "{}\t{}",
                    m.name,
                    m.sites.map(|s| s.join(",")).unwrap_or_else(|| "all sites".into())
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

async fn gdpr(store: Arc<dyn Store>, cmd: GdprCommand) -> anyhow::Result<()> {
    match cmd {
        GdprCommand::Export { email } => {
            let export = store.export(email).await?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        GdprCommand::Erase { email } => {
            let erased = store.erase(email.clone(), "command line".into(), now_ms()).await?;
            println!("{erased} comments of {email} erased");
        }
    }
    Ok(())
}
