//! Reading an Isso database (`riposte import isso FILE`): the one foreign database riposte reads, so its SQL
//! lives here with the rest. Any schema version (`PRAGMA user_version` 1 to 5), with or without the newer
//! columns; tables Isso does not have are ignored. Opened read-only.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::domain::Status;
use crate::domain::import::{Body, ImportError, Item, Page, Position, Post, Report};

fn failed(e: rusqlite::Error, at: Option<Position>) -> ImportError {
    ImportError::new(format!("cannot read the Isso database: {e}"), at)
}

/// Emits every thread, then every comment, oldest first. Isso's modes: 1 published, 2 waiting for
/// moderation, 4 deleted (kept while replies hang below it).
pub fn read(path: &Path, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| ImportError::new(format!("cannot open {}: {e}", path.display()), None))?;
    let columns = |table: &str| -> Result<Vec<String>, ImportError> {
        conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| failed(e, None))
    };
    let comment_cols = columns("comments")?;
    let thread_cols = columns("threads")?;
    let has = |c: &str| comment_cols.iter().any(|x| x == c);
    if !(has("tid") && has("text") && thread_cols.iter().any(|c| c == "uri")) {
        return Err(ImportError::new(
            format!(
                "{} is not an Isso database (no threads and comments tables)",
                path.display()
            ),
            None,
        ));
    }
    let title = if thread_cols.iter().any(|c| c == "title") {
        "title"
    } else {
        "NULL"
    };
    let mut threads = conn
        .prepare(&format!("SELECT id, uri, {title} FROM threads ORDER BY id"))
        .map_err(|e| failed(e, None))?;
    let mut rows = threads.query([]).map_err(|e| failed(e, None))?;
    while let Some(r) = rows.next().map_err(|e| failed(e, None))? {
        let id: i64 = r.get(0).map_err(|e| failed(e, None))?;
        let at = Some(Position::Row(id));
        sink(Item::Page(Page {
            key: id.to_string(),
            url: r
                .get::<_, Option<String>>(1)
                .map_err(|e| failed(e, at))?
                .unwrap_or_default(),
            title: r.get::<_, Option<String>>(2).map_err(|e| failed(e, at))?,
        }));
    }
    // Columns newer schemas added read as their defaults where they are missing.
    let or = |c: &'static str, default: &'static str| if has(c) { c } else { default };
    let sql = format!(
        "SELECT id, tid, {}, {}, {}, text, {}, {}, {}, {}, {} FROM comments ORDER BY id",
        or("parent", "NULL"),
        or("created", "0"),
        or("mode", "1"),
        or("author", "NULL"),
        or("email", "NULL"),
        or("website", "NULL"),
        or("likes", "0"),
        or("dislikes", "0"),
    );
    let mut comments = conn.prepare(&sql).map_err(|e| failed(e, None))?;
    let mut rows = comments.query([]).map_err(|e| failed(e, None))?;
    while let Some(r) = rows.next().map_err(|e| failed(e, None))? {
        let id: i64 = r.get(0).map_err(|e| failed(e, None))?;
        let at = Some(Position::Row(id));
        let get_f64 = |i: usize| -> Result<f64, ImportError> {
            match r.get_ref(i).map_err(|e| failed(e, at))? {
                rusqlite::types::ValueRef::Real(f) => Ok(f),
                rusqlite::types::ValueRef::Integer(n) => Ok(n as f64),
                _ => Ok(f64::NAN),
            }
        };
        let created = get_f64(3)?;
        let created = if created.is_finite() && created >= 0.0 {
            (created * 1000.0).round() as i64
        } else {
            report.repair("missing or unreadable date, set to 1970-01-01");
            0
        };
        let status = match r.get::<_, Option<i64>>(4).map_err(|e| failed(e, at))? {
            Some(1) => Status::Published,
            Some(2) => Status::Pending,
            Some(4) => Status::Deleted,
            _ => {
                report.repair("unknown Isso mode, held for moderation");
                Status::Pending
            }
        };
        let text: Option<String> = r.get(5).map_err(|e| failed(e, at))?;
        sink(Item::Post(Post {
            key: id.to_string(),
            page: r.get::<_, i64>(1).map_err(|e| failed(e, at))?.to_string(),
            parent: r
                .get::<_, Option<i64>>(2)
                .map_err(|e| failed(e, at))?
                .map(|p| p.to_string()),
            author: r.get(6).map_err(|e| failed(e, at))?,
            email: r.get(7).map_err(|e| failed(e, at))?,
            website: r.get(8).map_err(|e| failed(e, at))?,
            body: Body::Markdown(text.unwrap_or_default()),
            created,
            status,
            likes: r.get::<_, Option<i64>>(9).map_err(|e| failed(e, at))?.unwrap_or(0),
            dislikes: r.get::<_, Option<i64>>(10).map_err(|e| failed(e, at))?.unwrap_or(0),
            pingback: false,
        }));
    }
    Ok(())
}
