//! `riposte import` and `riposte export`: comments in from other systems, and a site out as JSON.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use riposte::Store;
use riposte::domain::SiteId;
use riposte::domain::import::Report;
use riposte::domain::time::now_ms;
use riposte::import::{Format, Options};

#[derive(Args)]
pub struct ImportArgs {
    /// disqus | wordpress | blogger | isso | commento | remark42 | json (riposte's own export)
    format: String,
    /// The export file (for Isso: its SQLite database).
    file: PathBuf,
    /// The site the comments belong to (`riposte site add` creates it).
    #[arg(long, value_name = "ID")]
    site: String,
    /// Read and check everything, print the summary, store nothing.
    #[arg(long)]
    dry_run: bool,
    /// Rewrite old addresses: a page address or path starting with OLD starts with NEW (repeatable).
    #[arg(long = "map", value_name = "OLD=NEW")]
    maps: Vec<String>,
    /// Where the old site lived (e.g. https://old.example/blog): addresses under it lose this prefix.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Import WordPress pingbacks and trackbacks too (skipped by default).
    #[arg(long)]
    with_pingbacks: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The site to export.
    #[arg(long, value_name = "ID")]
    site: String,
    /// Where to write the JSON [default: standard output]
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub async fn import(store: Arc<dyn Store>, args: ImportArgs) -> anyhow::Result<()> {
    let format = Format::parse(&args.format).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let site = SiteId::parse(&args.site).map_err(|e| anyhow::anyhow!("--site: {}", e.message))?;
    let options = Options {
        maps: args
            .maps
            .iter()
            .map(|m| {
                m.split_once('=')
                    .map(|(old, new)| (old.to_owned(), new.to_owned()))
                    .with_context(|| format!("--map {m:?}: write it as OLD=NEW"))
            })
            .collect::<anyhow::Result<_>>()?,
        base_url: args.base_url.clone(),
        with_pingbacks: args.with_pingbacks,
    };
    let progress = progress();
    let report = riposte::transfer::import(store, &site, format, &args.file, &options, args.dry_run, &progress).await;
    progress.finish_and_clear();
    print!("{}", summary(&report?, format, &site, args.dry_run));
    Ok(())
}

/// A bar of the bytes read, on a terminal only.
fn progress() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}") {
        bar.set_style(style);
    }
    bar
}

fn summary(r: &Report, format: Format, site: &SiteId, dry_run: bool) -> String {
    let mut out = String::new();
    let verb = if dry_run {
        "would import (dry run: nothing stored)"
    } else {
        "imported"
    };
    out += &format!("{} from {} into site {site}:\n", verb, format.as_str());
    out += &format!("  threads:  {}\n", r.threads);
    out += &format!("  comments: {} new, {} already there\n", r.new, r.already);
    out += &format!(
        "            of the new: {} replies, {} held for moderation, {} spam, {} placeholders of deleted comments\n",
        r.replies, r.pending, r.spam, r.deleted
    );
    let list = |m: &std::collections::BTreeMap<String, usize>| {
        m.iter()
            .map(|(k, n)| format!("\n            {n} {k}"))
            .collect::<String>()
    };
    if !r.skipped.is_empty() {
        out += &format!("  skipped:{}\n", list(&r.skipped));
    }
    if !r.repairs.is_empty() {
        out += &format!("  repaired:{}\n", list(&r.repairs));
    }
    out
}

pub async fn export(store: Arc<dyn Store>, args: ExportArgs) -> anyhow::Result<()> {
    let Some(site) = store.sites().await?.into_iter().find(|s| s.id == args.site) else {
        bail!("there is no site {:?} (riposte site list shows the sites)", args.site);
    };
    let export = store.export_site(site, now_ms()).await?;
    let json = serde_json::to_vec_pretty(&export)?;
    match &args.out {
        Some(path) => {
            // Written beside the target and renamed, so the target is never half an export.
            let partial = path.with_extension("partial");
            std::fs::write(&partial, &json).with_context(|| format!("cannot write {}", partial.display()))?;
            std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))?;
            let comments: usize = export.threads.iter().map(|t| t.comments.len()).sum();
            eprintln!(
                "{} threads, {comments} comments written to {}",
                export.threads.len(),
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&json)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
