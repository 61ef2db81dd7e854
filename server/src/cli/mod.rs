//! The `riposte` command line: its arguments, and each subcommand as a few steps over the store.

mod mail;
mod moderator;
mod site;
mod transfer;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use riposte::Store;
use riposte::config::{Config, Overrides};
use riposte::domain::SiteId;
use riposte::domain::time::now_ms;

const ENV_HELP: &str = "\
Configuration, lowest precedence first: built-in defaults, the config file (riposte.toml), RIPOSTE_*
environment variables, command-line flags. Environment variables: RIPOSTE_CONFIG, RIPOSTE_LISTEN,
RIPOSTE_DATABASE, RIPOSTE_PUBLIC_URL, RIPOSTE_SECRET, RIPOSTE_TRUSTED_PROXIES (comma-separated),
RIPOSTE_EDIT_WINDOW (seconds), RIPOSTE_DEMO (true/false), RIPOSTE_IMPORT_MAX_MB, RIPOSTE_SMTP_PASSWORD (the
password of [smtp]). Logging: RUST_LOG (default info), RIPOSTE_LOG_FORMAT (text/json).
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
    /// How the log is written to stderr: text for people, json (one object a line) for log collectors.
    #[arg(long, global = true, env = "RIPOSTE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// The log's shape on stderr.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogFormat {
    Text,
    Json,
}

impl Cli {
    pub fn log_format(&self) -> LogFormat {
        self.common.log_format
    }
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
    Site(site::SiteCommand),
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
    /// Copy everything from one database to another: a SQLite file to PostgreSQL, or back.
    ///
    /// SOURCE and TARGET are each a SQLite file path or a postgres:// URL; the target must be empty
    /// (a new file, or a new PostgreSQL database). Stop the server first. Prints each table's rows in both
    /// and fails when any differ. See docs/scaling.md.
    MigrateDb {
        /// The database to copy from.
        #[arg(long, value_name = "SOURCE")]
        from: PathBuf,
        /// The empty database to copy into.
        #[arg(long, value_name = "TARGET")]
        to: PathBuf,
    },
    /// Manage moderator accounts for the admin UI at /admin.
    #[command(subcommand)]
    Moderator(moderator::ModeratorCommand),
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
            Some(Command::Site(cmd)) => with_store(&config, |store| site::site(store, cmd)),
            Some(Command::Moderator(cmd)) => with_store(&config, |store| moderator::moderator(store, cmd)),
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
            Some(Command::MigrateDb { from, to }) => migrate_db(&from, &to),
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

fn serve_forever(mut config: Config) -> anyhow::Result<()> {
    let files = super::raise_open_files_limit();
    if let Some(fit) = files.and_then(|files| config.fit_open_files(files)) {
        tracing::warn!(
            open_files = files,
            max_connections = fit,
            "the open-files limit (ulimit -n) leaves room for fewer connections than max_connections; \
             serving at most max_connections"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = listen(&config.listen, config.max_connections)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        // The bound address, for whoever started us on port 0 (tests, scripts): connections wait in the
        // listener's queue until the server is ready.
        println!("riposte listening on http://{}", listener.local_addr()?);
        riposte::run(config, listener, riposte::shutdown_signal()).await
    })
}

/// A listening socket on `address` (a host name may resolve to several addresses: the first that binds),
/// whose queue holds up to `backlog` connections that the accept loop has not taken yet (the kernel caps it
/// at `net.core.somaxconn`). tokio's `bind` asks for 1,024; a burst beyond the queue, such as the live
/// readers of a restarted server coming back, is answered with SYN cookies, and on some kernels a
/// connection completed from one loses its first segment (bench/RESULTS.md, "connection bursts").
async fn listen(address: &str, backlog: usize) -> std::io::Result<tokio::net::TcpListener> {
    let mut failed = None;
    for addr in tokio::net::lookup_host(address).await? {
        let socket = match addr {
            std::net::SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
            std::net::SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
        };
        // As std's and tokio's bind: a restarted server can listen again at once.
        socket.set_reuseaddr(true)?;
        match socket
            .bind(addr)
            .and_then(|()| socket.listen(u32::try_from(backlog).unwrap_or(u32::MAX)))
        {
            Ok(listener) => return Ok(listener),
            Err(e) => failed = Some(e),
        }
    }
    Err(failed.unwrap_or_else(|| std::io::Error::other("the address resolves to nothing")))
}

/// Runs one command-line task against the store on a small runtime of its own.
fn with_store<F, Fut>(config: &Config, task: F) -> anyhow::Result<()>
where
    F: FnOnce(Arc<dyn Store>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = riposte::store::open(&config.database).await?;
        task(store).await
    })
}

/// `riposte migrate-db`: copies, then prints the counts it checked.
fn migrate_db(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let copied = runtime.block_on(riposte::migrate_db::migrate_db(from, to))?;
    println!("{:<16} {:>10} {:>10}", "table", "source", "target");
    for (table, source, target) in &copied.tables {
        let mark = if source == target { "" } else { "  DIFFERS" };
        println!("{table:<16} {source:>10} {target:>10}{mark}");
    }
    if !copied.matches() {
        anyhow::bail!("the copy's counts differ from the source's (was the server writing meanwhile?)");
    }
    println!(
        "copied {} to {}: every table holds as many rows in both",
        riposte::store::describe(from),
        riposte::store::describe(to)
    );
    Ok(())
}

fn field(e: riposte::domain::FieldError) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message)
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
