//! What the GDPR asks of us for one email address: everything stored about it.

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Export {
    pub email: String,
    pub comments: Vec<ExportedComment>,
}

#[derive(Debug, Serialize)]
pub struct ExportedComment {
    pub id: i64,
    pub site: String,
    pub page: String,
    pub author: Option<String>,
    pub website: Option<String>,
    pub text: String,
    pub status: String,
    pub created: String,
    pub edited: Option<String>,
}
