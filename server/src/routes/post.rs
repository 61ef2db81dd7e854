//! A visitor's new comment from either door: the widget's JSON (`POST /api/v1/comments`) and the plain form
//! of the no-JavaScript page (`POST /t/{site}`). Both parse their input into a [`Draft`] and hand it to
//! [`create`], which holds the guards (proof of work, returning commenter, bot traps, the learning filter,
//! the `Idempotency-Key`), the commenter's hashes and the one store call, so the two cannot drift apart.
//! It sits in `routes` beside both doors because it needs the state (keys, store) and answers `AppError`,
//! and neither `routes/api` nor `routes/page` should import the other's handlers.

use std::net::IpAddr;
use std::sync::Arc;

use crate::domain::comment::{BadgeClaim, Commenter, Created, Guard, NewComment};
use crate::domain::notify::SubscriptionScope;
use crate::domain::pow::{self, Pace, Proof};
use crate::domain::time::now_ms;
use crate::domain::{AuthorName, CommentText, Email, FieldError, PageTitle, PageUri, Site, SiteId, Website, spam};
use crate::error::{AppError, Result};
use crate::render::render;
use crate::state::AppState;

/// A new comment's fields as sent, before parsing.
pub struct Draft<'a> {
    pub site: &'a str,
    pub uri: &'a str,
    pub title: Option<&'a str>,
    pub parent: Option<i64>,
    pub author: Option<&'a str>,
    pub email: Option<&'a str>,
    pub website: Option<&'a str>,
    pub text: &'a str,
    pub notify: Option<SubscriptionScope>,
}

impl TryFrom<Draft<'_>> for NewComment {
    type Error = AppError;

    fn try_from(d: Draft<'_>) -> Result<Self> {
        // An id that cannot be a site's names no site.
        let site = SiteId::parse(d.site).map_err(|_| AppError::NotFound("no such site"))?;
        let uri = PageUri::parse(d.uri)?;
        let title = PageTitle::parse(d.title)?;
        let text = CommentText::parse(d.text)?;
        let email = Email::parse(d.email)?;
        if d.notify.is_some() && email.is_none() {
            return Err(FieldError::new("notify", "needs an email to send the notifications to").into());
        }
        Ok(Self {
            site,
            uri,
            title,
            parent: d.parent,
            author: AuthorName::parse(d.author)?,
            email,
            website: Website::parse(d.website)?,
            html: render(text.as_str()),
            text,
            notify: d.notify,
        })
    }
}

/// A parsed comment and what its post carries besides.
pub struct Post {
    pub comment: NewComment,
    /// A solved proof-of-work challenge (ALTCHA's base64 payload).
    pub altcha: Option<String>,
    /// The `author_token` of an earlier comment: a returning commenter once that one is published.
    pub author_token: Option<String>,
    /// The moderator (id, creation time) the door vouches for: by a badge token (API) or the admin session
    /// of the same browser (form). The store checks that they still moderate the site.
    pub moderator: Option<BadgeClaim>,
    /// Why the form's bot traps fired ([`crate::domain::moderation::trap`]).
    pub trap: Option<String>,
    pub idempotency_key: Option<String>,
    pub door: Door,
}

/// Which way a post came in.
pub enum Door {
    /// JSON: a client that can solve the site's proof of work, and is refused (403) without it.
    Api,
    /// The plain HTML form. Without JavaScript no proof of work can be computed: where the site would ask
    /// for one, the comment is held for a moderator instead, and the form's checked token stands in for
    /// the solution in the store's single-use record (`once`, until `expires_ms`).
    Form { once: String, expires_ms: i64 },
}

/// What the moderator reads on a comment held because its form could not do the proof of work.
pub const HELD_WITHOUT_POW: &str =
    "sent from the page without JavaScript, which cannot do the proof of work this site asks for";

/// Guards, moderates and stores a new comment for `site`, posted from `ip`: the answer is the stored comment
/// (or, for a repeated `Idempotency-Key`, the first one again).
pub async fn create(state: &AppState, site: Arc<Site>, ip: IpAddr, post: Post) -> Result<Created> {
    let Post {
        comment,
        altcha,
        author_token,
        moderator,
        trap,
        idempotency_key,
        door,
    } = post;
    let now = now_ms();
    let (mut proof, proof_error) = match &altcha {
        Some(payload) => match pow::check(payload, now / 1000, |c| state.keys.pow_signature(c)) {
            Ok(proof) => (Some(proof), None),
            // Refused in the transaction, after a repeated Idempotency-Key has had its say.
            Err(e) if idempotency_key.is_some() => (None, Some(e)),
            Err(e) => return Err(AppError::Challenge(e)),
        },
        None => (None, None),
    };
    let mut spam = spam_reason(
        state,
        &comment.site,
        comment.text.as_str(),
        comment.author.as_ref().map(|a| a.as_str()),
        comment.website.as_ref().map(|w| w.as_str()),
    )
    .await?;
    // A form carries no author token, so the rule asks it as it asks a first-time commenter.
    if let Door::Form { once, expires_ms } = door {
        if proof.is_none() && moderator.is_none() && pow::required(site.pow, &Pace::default()) {
            proof = Some(Proof {
                signature: format!("form:{once}"),
                expires_ms,
            });
            spam = Some(match spam {
                Some(reason) => format!("{reason}; {HELD_WITHOUT_POW}"),
                None => HELD_WITHOUT_POW.to_owned(),
            });
        }
    }
    let guard = Guard {
        returning: author_token
            .as_deref()
            .and_then(|t| state.keys.verify_author_token(&site.id, t)),
        moderator,
        proof,
        proof_error,
        idempotency_key,
        trap,
        spam,
    };
    let ip_hashes = state.ip_hashes(ip).await?;
    let avatar = state.keys.avatar(
        &site.id,
        &match &comment.email {
            Some(e) => e.as_str().to_lowercase(),
            None => format!(
                "{}|{}",
                comment.author.as_ref().map_or("", |a| a.as_str()),
                ip_hashes[0]
            ),
        },
    );
    Ok(state
        .store
        .create_comment(site, comment, Commenter { ip_hashes, avatar }, guard, now)
        .await?)
}

/// The learning filter's reason to hold a comment of these fields on `site`, when it scores it as spam.
pub async fn spam_reason(
    state: &AppState,
    site: &SiteId,
    text: &str,
    author: Option<&str>,
    website: Option<&str>,
) -> Result<Option<String>> {
    let verdict = state
        .store
        .spam_verdict(site.clone(), spam::tokens(text, author, website))
        .await?;
    Ok(verdict.is_spam().then(|| spam::reason(&verdict)))
}
