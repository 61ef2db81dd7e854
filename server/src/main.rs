//! The `riposte` command: parse the command line, load the configuration, run a subcommand.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use riposte::config::{Config, Overrides};
use riposte::db::{self, Db, sites::Site};
use riposte::domain::{Moderation, Origin, SiteId};

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
struct Cli {
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
    /// Manage moderator accounts for the admin UI at /admin.
    #[command(subcommand)]
    Moderator(ModeratorCommand),
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
        /// Limit the moderator to this site (repeatable); without it, the moderator may moderate every site.
        #[arg(long = "site", value_name = "ID")]
        sites: Vec<String>,
        /// Read the password from standard input (one line) instead of asking.
        #[arg(long)]
        password_stdin: bool,
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
    },
    /// List the sites with their origins and moderation mode.
    List,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let serve = match &cli.command {
        Some(Command::Serve(args)) => merge(&cli.serve, args),
        _ => cli.serve.clone(),
    };
    let overrides = Overrides {
        listen: serve.listen,
        database: cli.common.database.clone(),
        public_url: serve.public_url,
    };
    let config = Config::load(cli.common.config.as_deref(), |k| std::env::var(k).ok(), &overrides)?;
    match cli.command {
        None | Some(Command::Serve(_)) => serve_forever(config),
        Some(Command::Site(cmd)) => site(config, cmd),
        Some(Command::Moderator(cmd)) => moderator(config, cmd),
        Some(Command::Backup { file }) => {
            db::backup(&config.database, &file)?;
            println!("{} copied to {}", config.database.display(), file.display());
            Ok(())
        }
        Some(Command::Gdpr(cmd)) => gdpr(config, cmd),
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
        riposte::run(config, listener, riposte::shutdown_signal()).await
    })
}

fn site(config: Config, cmd: SiteCommand) -> anyhow::Result<()> {
    let db = Db::open(&config.database)?;
    match cmd {
        SiteCommand::Add {
            id,
            origins,
            name,
            moderation,
        } => {
            let id = SiteId::parse(&id).map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let origins = origins
                .iter()
                .map(|o| {
                    Origin::parse(o)
                        .map(Origin::into_inner)
                        .map_err(|e| anyhow::anyhow!("{}", e.message))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let moderation = moderation
                .map(|m| Moderation::parse(&m).map_err(|e| anyhow::anyhow!("--moderation: {}", e.message)))
                .transpose()?;
            let existing = db
                .write_now(|tx| db::sites::list(tx))?
                .into_iter()
                .find(|s| s.id == id.as_str());
            let mut site = existing.unwrap_or_else(|| Site {
                id: id.as_str().to_owned(),
                name: id.as_str().to_owned(),
                moderation: Moderation::None,
                origins: Vec::new(),
                max_links: db::sites::DEFAULT_MAX_LINKS,
                blocked_words: Vec::new(),
            });
            if let Some(name) = name {
                if name.trim().is_empty() {
                    bail!("--name must not be blank");
                }
                site.name = name;
            }
            if let Some(m) = moderation {
                site.moderation = m;
            }
            site.origins.extend(origins);
            site.origins.sort();
            site.origins.dedup();
            let now = db::now_ms();
            db.write_now(|tx| db::sites::upsert(tx, &site, now))?;
            println!("site {} saved: {}", site.id, describe(&site));
        }
        SiteCommand::List => {
            for site in db.write_now(|tx| db::sites::list(tx))? {
                println!("{}\t{}", site.id, describe(&site));
            }
        }
    }
    Ok(())
}

fn describe(site: &Site) -> String {
    format!(
        "name={:?} moderation={} origins={}",
        site.name,
        site.moderation.as_str(),
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

fn moderator(config: Config, cmd: ModeratorCommand) -> anyhow::Result<()> {
    use riposte::admin::auth::hash_password;
    let db = Db::open(&config.database)?;
    match cmd {
        ModeratorCommand::Add {
            name,
            sites,
            password_stdin,
        } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.len() > 64 || name.chars().any(|c| c.is_control() || c.is_whitespace()) {
                bail!("a moderator name is 1 to 64 characters without spaces");
            }
            let known: Vec<String> = db
                .write_now(|tx| db::sites::list(tx))?
                .into_iter()
                .map(|s| s.id)
                .collect();
            if let Some(unknown) = sites.iter().find(|s| !known.contains(s)) {
                bail!("there is no site {unknown:?} (riposte site list shows the sites)");
            }
            let hash = hash_password(&read_password(password_stdin)?)?;
            let now = db::now_ms();
            if !db.write_now(|tx| db::moderators::add(tx, &name, &hash, &sites, now))? {
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
            for m in db.write_now(|tx| db::moderators::list(tx))? {
                println!(
                    "{}\t{}",
                    m.name,
                    m.sites.map(|s| s.join(",")).unwrap_or_else(|| "all sites".into())
                );
            }
        }
        ModeratorCommand::Remove { name } => {
            if !db.write_now(|tx| db::moderators::remove(tx, &name))? {
                bail!("there is no moderator {name:?}");
            }
            println!("moderator {name} removed");
        }
        ModeratorCommand::Passwd { name, password_stdin } => {
            let hash = hash_password(&read_password(password_stdin)?)?;
            if !db.write_now(|tx| db::moderators::set_password(tx, &name, &hash))? {
                bail!("there is no moderator {name:?}");
            }
            println!("password of {name} changed; their sessions have ended");
        }
    }
    Ok(())
}

fn gdpr(config: Config, cmd: GdprCommand) -> anyhow::Result<()> {
    let db = Db::open(&config.database)?;
    match cmd {
        GdprCommand::Export { email } => {
            let export = db.write_now(|tx| riposte::db::privacy::export(tx, &email))?;
            println!("{}", serde_json::to_string_pretty(&export)?);
        }
        GdprCommand::Erase { email } => {
            let erased = db.write_now(|tx| riposte::db::privacy::erase(tx, &email, db::now_ms(), "command line"))?;
            println!("{erased} comments of {email} erased");
        }
    }
    Ok(())
}
