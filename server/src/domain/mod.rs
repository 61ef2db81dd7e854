//! The domain: parsed input types, comments, sites, moderators and the pure moderation rules. Knows
//! nothing of HTTP or storage; every layer above speaks these types.

pub mod comment;
pub mod export;
pub mod fields;
pub mod import;
pub mod live;
pub mod moderation;
pub mod moderator;
pub mod notify;
pub mod pow;
pub mod privacy;
pub mod site;
pub mod spam;
pub mod time;

pub use comment::{Comment, CommentMeta, CommentRecord, Status};
pub use fields::{
    AuthorName, CommentText, Email, FieldError, ModeratorName, Origin, PageTitle, PageUri, SiteId, Website, non_blank,
};
pub use site::{Moderation, Site};
