//! Moving comments in: a file read by its format's reader on a thread of its own, prepared, and fed to
//! the store's import transaction through a bounded channel, so memory stays flat however large the file.
//! Used by `riposte import`.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};

use anyhow::{Context, bail};
use indicatif::ProgressBar;

use crate::domain::SiteId;
use crate::domain::import::{Feed, ImportError, Item, Report};
use crate::import::{Format, Options, Preparer};
use crate::keys::Keys;
use crate::store::Store;

/// Comments handed to the store at once, and batches in the feed at most: the reader waits when the store
/// is this far behind, so memory stays flat.
const BATCH: usize = 256;
const FEED_DEPTH: usize = 8;

/// Imports `path` into `site`: one transaction, nothing stored on any error or when `dry_run`. `progress`
/// learns the file's length and follows the bytes read (pass a hidden bar when nobody watches).
pub async fn import(
    store: Arc<dyn Store>,
    site: &SiteId,
    format: Format,
    path: &Path,
    options: &Options,
    dry_run: bool,
    progress: &ProgressBar,
) -> anyhow::Result<Report> {
    if !store.sites().await?.iter().any(|s| s.id == site.as_str()) {
        bail!("there is no site {site:?}: create it first with riposte site add {site} --origin URL");
    }
    let keys = Keys::new(&store.secret(Keys::generate_secret).await?);
    let (tx, rx) = sync_channel(FEED_DEPTH);
    let (file, options, bar) = (path.to_owned(), options.clone(), progress.clone());
    let site_id = site.as_str().to_owned();
    let reader = std::thread::spawn(move || read(format, &file, &options, &site_id, &keys, &tx, &bar));
    let stored = store
        .import(site.clone(), format.as_str().to_owned(), rx, dry_run)
        .await;
    let read = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the reader of {} failed", path.display()))?;
    let mut report = match read {
        Ok(report) => report,
        Err(e) => bail!("{}: {e:#}; nothing was imported", path.display()),
    };
    report.merge(stored?);
    Ok(report)
}

/// Reads the file and feeds its comments to the store, ending with [`Feed::End`] only when all went well.
fn read(
    format: Format,
    path: &Path,
    options: &Options,
    site: &str,
    keys: &Keys,
    feed: &SyncSender<Feed>,
    progress: &ProgressBar,
) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let avatar = |seed: &str| keys.avatar(site, seed);
    let mut preparer = Preparer::new(options, &avatar);
    // The store went away (it failed): nothing more to send.
    let mut gone = false;
    // What the preparer finds, kept apart from what the reader finds (both count into one report).
    let mut repairs = Report::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut sink = |item: Item| {
        batch.extend(preparer.take(item, &mut repairs));
        if batch.len() >= BATCH {
            gone |= feed.send(Feed::Comments(std::mem::take(&mut batch))).is_err();
        }
    };
    let result: Result<(), ImportError> = if format == Format::Isso {
        crate::store::sqlite::isso::read(path, &mut sink, &mut report)
    } else {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        progress.set_length(file.metadata().map(|m| m.len()).unwrap_or(0));
        let input = BufReader::new(progress.wrap_read(file));
        crate::import::read(format, input, &mut sink, &mut report)
    };
    result?;
    if !batch.is_empty() {
        gone |= feed.send(Feed::Comments(batch)).is_err();
    }
    preparer.finish(&mut repairs);
    report.merge(repairs);
    if !gone {
        let _ = feed.send(Feed::End);
    }
    Ok(report)
}
