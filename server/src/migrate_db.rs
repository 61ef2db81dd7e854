//! `riposte migrate-db --from SOURCE --to TARGET`: copies everything from one database to another (a
//! SQLite file or a PostgreSQL URL, either way), table by table in the order of
//! [`crate::store::copy::TABLES`], keeping every id, then checks that each table holds as many rows in
//! the target as in the source. The target must hold no sites, comments or moderators yet. The server
//! should be stopped (or not writing) while it runs: a comment written meanwhile may miss the copy, and
//! then the counts say so.

use std::path::Path;

use anyhow::{Context, bail};

use crate::store::copy::{Cell, TABLES, has_id};
use crate::store::{self, Store};

/// Rows read and written at once.
const PAGE: i64 = 1000;

/// What was copied: each table's rows in the source and in the target.
#[derive(Debug, Default)]
pub struct Copied {
    pub tables: Vec<(&'static str, i64, i64)>,
}

impl Copied {
    pub fn matches(&self) -> bool {
        self.tables.iter().all(|(_, from, to)| from == to)
    }
}

pub async fn migrate_db(from: &Path, to: &Path) -> anyhow::Result<Copied> {
    if from == to {
        bail!("--from and --to name the same database");
    }
    let source = store::open(from)
        .await
        .with_context(|| format!("cannot open the source {}", store::describe(from)))?;
    let target = store::open(to)
        .await
        .with_context(|| format!("cannot open the target {}", store::describe(to)))?;
    for table in ["sites", "comments", "moderators"] {
        let n = target.count_rows(table).await?;
        if n > 0 {
            bail!(
                "the target {} already holds {n} rows in {table}; migrate-db copies into an empty database only",
                store::describe(to)
            );
        }
    }
    for table in TABLES {
        copy_table(source.as_ref(), target.as_ref(), table)
            .await
            .with_context(|| {
                format!("copying {table} failed; the target is incomplete, start again on an empty one")
            })?;
    }
    target.copied().await?;
    let mut copied = Copied::default();
    for table in TABLES {
        copied
            .tables
            .push((table, source.count_rows(table).await?, target.count_rows(table).await?));
    }
    Ok(copied)
}

async fn copy_table(source: &dyn Store, target: &dyn Store, table: &'static str) -> anyhow::Result<()> {
    let mut after = i64::MIN;
    let mut first = true;
    loop {
        let rows = source.read_rows(table, after, PAGE).await?;
        let last = rows.rows.len();
        if last == 0 {
            if first && table == "thread_events" {
                // No events in the source: none of the ones the copied comments' triggers wrote stay.
                target.write_rows(table, rows, true).await?;
            }
            return Ok(());
        }
        let id_at = rows.columns.iter().position(|c| c == "id");
        let next = match (id_at, rows.rows.last()) {
            (Some(i), Some(row)) => match row[i] {
                Cell::Int(id) => Some(id),
                _ => None,
            },
            _ => None,
        };
        target.write_rows(table, rows, first).await?;
        first = false;
        match next {
            Some(id) if has_id(table) && last as i64 == PAGE => after = id,
            _ => return Ok(()),
        }
    }
}
