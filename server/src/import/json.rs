//! riposte's own export (`riposte export`, [`crate::domain::export`]) read back in. The file is one JSON
//! document and is read whole: an export holds one site, and its size is the site's comments' text.

use std::io::BufRead;

use super::common::R_STATUS;
use super::dates::R_EPOCH;
use crate::domain::Status;
use crate::domain::export::{FORMAT, SiteExport, VERSION};
use crate::domain::import::{Body, ImportError, Item, Page, Position, Post, Report};

pub fn read(mut input: impl BufRead, sink: &mut dyn FnMut(Item), report: &mut Report) -> Result<(), ImportError> {
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .map_err(|e| ImportError::new(format!("cannot read the file: {e}"), None))?;
    let export: SiteExport = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        ImportError::new(
            format!("not a riposte export: {e}"),
            Some(Position::Text {
                line: e.line() as u64,
                column: e.column() as u64,
            }),
        )
    })?;
    if export.format != FORMAT {
        return Err(ImportError::new(
            format!("not a riposte export: format is {:?}", export.format),
            None,
        ));
    }
    if export.version > VERSION {
        return Err(ImportError::new(
            format!(
                "this export is version {}; this riposte reads up to version {VERSION}",
                export.version
            ),
            None,
        ));
    }
    for thread in export.threads {
        sink(Item::Page(Page {
            key: thread.uri.clone(),
            url: thread.uri.clone(),
            title: thread.title,
        }));
        for c in thread.comments {
            let status = match c.status.as_str() {
                "published" => Status::Published,
                "pending" => Status::Pending,
                "spam" => Status::Spam,
                "deleted" => Status::Deleted,
                _ => {
                    report.repair(R_STATUS);
                    Status::Pending
                }
            };
            let created = parse_time(&c.created).unwrap_or_else(|| {
                report.repair(R_EPOCH);
                0
            });
            sink(Item::Post(Post {
                key: c.id.to_string(),
                page: thread.uri.clone(),
                parent: c.parent.map(|p| p.to_string()),
                author: c.author,
                email: c.email,
                website: c.website,
                body: Body::Markdown(c.text),
                created,
                status,
                likes: c.likes,
                dislikes: c.dislikes,
                pingback: false,
            }));
        }
    }
    Ok(())
}

/// Milliseconds since the epoch from RFC 3339.
fn parse_time(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    Some((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(json: &str) -> Result<(Vec<Item>, Report), ImportError> {
        let mut out = Vec::new();
        let mut report = Report::default();
        read(json.as_bytes(), &mut |i| out.push(i), &mut report)?;
        Ok((out, report))
    }

    #[test]
    fn an_export_reads_back_as_pages_and_posts() {
        let (items, report) = items(
            r#"{"format":"riposte-export","version":1,"exported":"2026-12-01T10:00:00Z",
            "site":{"id":"blog","name":"Blog","moderation":"none","origins":[],"max_links":3,"blocked_words":[]},
            "threads":[{"uri":"/a/","title":"A","comments":[
              {"id":7,"parent":null,"status":"published","author":"Anna","email":null,"website":null,
               "text":"Hallo *Welt*","created":"2026-11-30T12:00:00.5+01:00","edited":null,"likes":2,"dislikes":0,
               "held_reason":null},
              {"id":8,"parent":7,"status":"weird","author":null,"email":null,"website":null,
               "text":"Antwort","created":"gestern","edited":null,"likes":0,"dislikes":1,"held_reason":null}]}]}"#,
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        let Item::Post(first) = &items[1] else { panic!("a post") };
        assert_eq!(first.key, "7");
        assert_eq!(first.created, 1_796_036_400_500); // 2026-11-30T11:00:00.5Z
        assert_eq!(first.body, Body::Markdown("Hallo *Welt*".into()));
        let Item::Post(second) = &items[2] else {
            panic!("a post")
        };
        assert_eq!(second.parent.as_deref(), Some("7"));
        assert_eq!(second.status, Status::Pending);
        assert_eq!(report.repairs.len(), 2);
    }

    #[test]
    fn other_files_are_refused_with_their_position() {
        let e = items("{\n  \"format\": 3,").unwrap_err();
        assert_eq!(e.position, Some(Position::Text { line: 2, column: 13 }));
        let e = items(r#"{"format":"disqus","version":1,"exported":"","site":{"id":"b","name":"b","moderation":"none","origins":[],"max_links":3,"blocked_words":[]},"threads":[]}"#).unwrap_err();
        assert!(e.message.contains("disqus"), "{e}");
    }
}
