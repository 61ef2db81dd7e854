//! `riposte mail test ADDRESS`: one plain mail through the configured SMTP server, and what went wrong
//! in the SMTP dialogue in plain words when it does not arrive.

use anyhow::bail;
use clap::Subcommand;
use riposte::config::Config;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send a test mail to ADDRESS through the [smtp] server of the configuration.
    Test {
        /// Where the test mail goes.
        address: String,
    },
}

pub fn mail(config: &Config, cmd: MailCommand) -> anyhow::Result<()> {
    let MailCommand::Test { address } = cmd;
    let Some(smtp) = &config.smtp else {
        bail!("mail is off: add an [smtp] section to the configuration (docs/notifications.md)");
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let via = runtime.block_on(riposte::notify::mail::send_test(smtp, &address))?;
    println!("test mail sent to {address} via {via}");
    Ok(())
}
