//! Forms that upload a file (`multipart/form-data`): the session, Origin and CSRF checks before a byte of
//! the body is read, and the file streamed to a temporary file that is removed in every case.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::auth::{Session, csrf_ok, expired_form, foreign_origin, origin_allowed};
use crate::error::MAX_BODY;
use crate::http::query::Query;
use crate::keys::new_token;
use crate::state::AppState;

/// Bytes gathered before they are written out on the blocking pool.
const BATCH: usize = 1024 * 1024;

/// A file upload: a live session, an allowed Origin and the session's CSRF token, all checked before the
/// body is read; the body itself is left to the handler as [`Multipart`], limited to the configured
/// `import_max_mb` plus room for the other fields. The same refusals as [`super::auth::AdminForm`]: 401
/// without a session, 403 from another origin or without the right token.
pub struct UploadForm {
    pub session: Session,
    pub multipart: Multipart,
}

impl FromRequest<AppState> for UploadForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        if !origin_allowed(&parts.headers, state) {
            return Err(foreign_origin());
        }
        // A multipart body cannot be searched for the token before the upload is read, so the form's action
        // carries it in the query string (`/admin/import?csrf=TOKEN`). That leaks it nowhere: query strings
        // are never logged (routes/middleware.rs logs the path only), and admin pages send
        // `Referrer-Policy: same-origin`, so no other site sees the address in a Referer.
        if !csrf_ok(
            state,
            &session,
            Query::parse(parts.uri.query()).one("csrf").unwrap_or(""),
        ) {
            return Err(expired_form());
        }
        let mut req = Request::from_parts(parts, body);
        // Overrides the global 64 KiB limit for this request only.
        let limit = state.config.import_max_bytes().saturating_add(MAX_BODY as u64);
        DefaultBodyLimit::max(usize::try_from(limit).unwrap_or(usize::MAX)).apply(&mut req);
        let multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| (StatusCode::BAD_REQUEST, "Send the form as multipart/form-data.").into_response())?;
        Ok(Self { session, multipart })
    }
}

/// An uploaded file in the temporary directory, removed when this is dropped: after the import, on any
/// error, and when the request is given up half-way.
pub struct Spooled {
    pub path: PathBuf,
    /// The name the browser gave, for messages.
    pub name: String,
    pub len: u64,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A form's text fields and its one file.
#[derive(Default)]
pub struct Upload {
    fields: Vec<(String, String)>,
    pub file: Option<Spooled>,
}

impl Upload {
    pub fn one(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The field trimmed, when it is not blank.
    pub fn filled(&self, key: &str) -> Option<String> {
        self.one(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn checked(&self, key: &str) -> bool {
        self.one(key).is_some()
    }
}

pub enum UploadError {
    /// The file is larger than the limit (413).
    TooLarge,
    /// A malformed form (400) or an oversized text field (413), with a message for people.
    Refused(StatusCode, String),
    /// The temporary file could not be written (500).
    Failed(anyhow::Error),
}

impl From<MultipartError> for UploadError {
    fn from(e: MultipartError) -> Self {
        match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            status => Self::Refused(status, e.body_text()),
        }
    }
}

impl From<std::io::Error> for UploadError {
    fn from(e: std::io::Error) -> Self {
        Self::Failed(anyhow::Error::new(e).context("cannot spool an upload to the temporary directory"))
    }
}

/// Reads the whole form: text fields (each at most 64 KiB) and one file of at most `max` bytes, which goes
/// to a temporary file as it arrives. Nothing of a refused upload is left behind.
pub async fn read(mut multipart: Multipart, max: u64) -> Result<Upload, UploadError> {
    let mut upload = Upload::default();
    while let Some(mut field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(shown_name) {
            Some(file_name) => {
                let spooled = spool(&mut field, file_name, max).await?;
                // A file input left empty is sent as a part without a name or content.
                if spooled.name.is_empty() && spooled.len == 0 {
                    continue;
                }
                if upload.file.replace(spooled).is_some() {
                    return Err(UploadError::Refused(StatusCode::BAD_REQUEST, "send one file".into()));
                }
            }
            None => {
                let text = text(&mut field).await?;
                upload.fields.push((name, text));
            }
        }
    }
    Ok(upload)
}

/// The last component of the browser's file name, short enough for a message.
fn shown_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    base.chars().filter(|c| !c.is_control()).take(200).collect()
}

async fn text(field: &mut Field<'_>) -> Result<String, UploadError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_BODY {
            return Err(UploadError::Refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                "a form field is larger than 64 KiB".into(),
            ));
        }
    }
    String::from_utf8(bytes)
        .map_err(|_| UploadError::Refused(StatusCode::BAD_REQUEST, "a form field is not UTF-8".into()))
}

async fn spool(field: &mut Field<'_>, name: String, max: u64) -> Result<Spooled, UploadError> {
    let path = std::env::temp_dir().join(format!("riposte-upload-{}", new_token()));
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&path)?;
    // From here on, dropping `spooled` removes the file, whatever happens next.
    let mut spooled = Spooled { path, name, len: 0 };
    let mut file = Some(file);
    let mut buf = Vec::with_capacity(BATCH);
    while let Some(chunk) = field.chunk().await? {
        spooled.len += chunk.len() as u64;
        if spooled.len > max {
            return Err(UploadError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
        if buf.len() >= BATCH {
            buf = write(&mut file, buf).await?;
        }
    }
    write(&mut file, buf).await?;
    Ok(spooled)
}

/// Appends `buf` to the file on the blocking pool; gives the emptied buffer back.
async fn write(file: &mut Option<File>, mut buf: Vec<u8>) -> Result<Vec<u8>, UploadError> {
    let Some(mut f) = file.take() else {
        return Err(UploadError::Failed(anyhow::anyhow!(
            "the upload's temporary file is gone"
        )));
    };
    let (f, buf) = tokio::task::spawn_blocking(move || {
        let written = f.write_all(&buf);
        buf.clear();
        written.map(|()| (f, buf))
    })
    .await
    .map_err(|e| UploadError::Failed(e.into()))??;
    *file = Some(f);
    Ok(buf)
}
