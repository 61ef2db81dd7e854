//! A thread answer is bounded in rows whatever the thread's shape: a long reply chain comes in pages through
//! `GET /api/v1/threads/replies`, and a page of many busy top-level comments ends early.

use axum::http::StatusCode;
use riposte::domain::comment::{REPLIES_PER_PAGE, ROWS_PER_PAGE};
use serde_json::Value;

use crate::helpers::TestApp;

/// Stores a comment on `/long/` through the store (thousands of API posts would test the rate limiter).
async fn store(app: &TestApp, parent: Option<i64>, now: i64) -> i64 {
    app.store_comment("/long/", parent, now).await.id
}

fn count_rows(comments: &Value) -> usize {
    comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| 1 + count_rows(&c["replies"]))
        .sum()
}

#[tokio::test]
async fn a_comment_with_thousands_of_replies_answers_them_page_by_page() {
    let app = TestApp::new().await;
    let top = store(&app, None, 1).await;
    let mut parent = top;
    for i in 0..1_200 {
        // A chain and its side branches: every third reply answers the one before, the others the top.
        let p = if i % 3 == 0 { parent } else { top };
        parent = store(&app, Some(p), 2 + i).await;
    }
    let later = store(&app, None, 5_000).await;
    let thread = app.thread("/long/").await;
    let rows = count_rows(&thread["comments"]);
    assert_eq!(rows, 1 + REPLIES_PER_PAGE + 1, "before: all 1,200 replies on page 1");
    let first = &thread["comments"][0];
    assert_eq!(first["id"], top);
    let mut after = first["replies_next"].as_str().expect("more replies follow").to_owned();
    assert!(thread["comments"][1].get("replies_next").is_none());
    assert_eq!(thread["comments"][1]["id"], later);
    // The widget loads the rest on demand: every reply exactly once, in order.
    let mut seen = REPLIES_PER_PAGE;
    let mut pages = 0;
    loop {
        let r = app
            .get(&format!(
                "/api/v1/threads/replies?site=blog&uri=/long/&root={top}&after={after}&limit=500"
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        let n = count_rows(&v["comments"]);
        assert!(n <= 500);
        seen += n;
        pages += 1;
        match v["next"].as_str() {
            Some(next) => after = next.to_owned(),
            None => break,
        }
    }
    assert_eq!((seen, pages), (1_200, 3));
    // The cursor names a position, not a row: deleting the reply it ends at loses nothing after it.
    let (_, first_page_end) = thread["comments"][0]["replies_next"]
        .as_str()
        .unwrap()
        .split_once('.')
        .unwrap();
    let end: i64 = first_page_end.parse().unwrap();
    app.state.store.remove_comment(end).await.unwrap();
    let cursor = thread["comments"][0]["replies_next"].as_str().unwrap();
    let r = app
        .get(&format!(
            "/api/v1/threads/replies?site=blog&uri=/long/&root={top}&after={cursor}&limit=500"
        ))
        .await;
    assert_eq!(
        count_rows(&r.json()["comments"]),
        500,
        "before: an empty answer and next = null"
    );
    // Bad and foreign roots.
    for bad in [
        format!("root={later}0"),
        "root=x".into(),
        format!("root={}", top + 1),
        format!("root={top}&after=12"),
        format!("root={top}&after=-1.5"),
        String::new(),
    ] {
        let r = app
            .get(&format!("/api/v1/threads/replies?site=blog&uri=/long/&{bad}"))
            .await;
        assert!(r.status.is_client_error(), "{bad}: {}", r.status);
    }
}

#[tokio::test]
async fn a_page_of_busy_top_level_comments_ends_before_the_row_bound() {
    let app = TestApp::new().await;
    let mut now = 1;
    for _ in 0..30 {
        let top = store(&app, None, now).await;
        for _ in 0..40 {
            now += 1;
            store(&app, Some(top), now).await;
        }
        now += 1;
    }
    let thread = app.thread("/long/").await;
    let rows = count_rows(&thread["comments"]);
    assert!(rows <= ROWS_PER_PAGE, "{rows} rows");
    assert_eq!(thread["comments"].as_array().unwrap().len(), ROWS_PER_PAGE / 41);
    let next = thread["next"].as_i64().expect("the rest on the next page");
    let r = app
        .get(&format!("/api/v1/threads?site=blog&uri=/long/&after={next}"))
        .await;
    assert_eq!(r.json()["comments"].as_array().unwrap().len(), 30 - ROWS_PER_PAGE / 41);
}
