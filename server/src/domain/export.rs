//! riposte's own export format, version 1 (`riposte export`, documented in docs/export.schema.json): a
//! site's settings, its threads with their comment trees, and its bans; never IP hashes or avatars.

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "riposte-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteExport {
    /// Always `riposte-export`.
    pub format: String,
    /// The version of this format: 1.
    pub version: u32,
    /// When the export was made (RFC 3339).
    pub exported: String,
    pub site: SiteSettings,
    pub threads: Vec<ThreadExport>,
    #[serde(default)]
    pub bans: Vec<BanExport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSettings {
    pub id: String,
    pub name: String,
    pub moderation: String,
    pub origins: Vec<String>,
    pub max_links: i64,
    pub blocked_words: Vec<String>,
    /// off, always or adaptive; absent in exports made before it existed.
    #[serde(default)]
    pub pow: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadExport {
    pub uri: String,
    pub title: Option<String>,
    /// Oldest first; a reply names its parent's `id`.
    pub comments: Vec<CommentExport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentExport {
    pub id: i64,
    pub parent: Option<i64>,
    /// published, pending, spam or deleted (a placeholder kept for its replies, or a comment in the trash).
    pub status: String,
    pub author: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    /// The Markdown source; the HTML is rendered from it again on import.
    pub text: String,
    pub created: String,
    pub edited: Option<String>,
    pub likes: i64,
    pub dislikes: i64,
    /// Why a held comment waits (moderators' eyes only).
    pub held_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BanExport {
    pub email: Option<String>,
    pub reason: Option<String>,
    pub created: String,
    pub expires: Option<String>,
    pub created_by: String,
}
