//! Import and export: comments from another system's export file into a site (what `riposte import` does,
//! for an uploaded file; moderators of every site only), and a site's export as a JSON download (what
//! `riposte export --site ID` writes; any moderator of the site).

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use indicatif::ProgressBar;
use tracing::instrument;

use super::auth::{AdminForm, Session};
use super::upload::{self, Spooled, Upload, UploadError, UploadForm};
use super::view::{Ctx, Result, page, visible_sites};
use crate::domain::import::Report;
use crate::domain::time::now_ms;
use crate::domain::{FieldError, SiteId};
use crate::error::AppError;
use crate::import::{Format, Options};
use crate::state::AppState;
use crate::store::StoreError;

pub struct SiteChoice {
    pub id: String,
    pub name: String,
}

/// What the import form had, shown again with its answer.
#[derive(Default)]
pub struct Entered {
    pub format: String,
    pub site: String,
    pub maps: String,
    pub base_url: String,
    pub dry_run: bool,
    pub with_pingbacks: bool,
}

pub struct Summary {
    pub dry_run: bool,
    pub file: String,
    pub format: &'static str,
    pub site: String,
    pub report: Report,
}

#[derive(Template)]
#[template(path = "admin/transfer.html")]
struct TransferPage {
    ctx: Ctx,
    /// Whether the import form is shown: to moderators of every site only.
    import: bool,
    formats: Vec<&'static str>,
    sites: Vec<SiteChoice>,
    limit_mb: u64,
    entered: Entered,
    summary: Option<Summary>,
    error: Option<String>,
}

impl TransferPage {
    async fn new(state: &AppState, session: &Session, raw: Option<&str>) -> Result<Self> {
        let sites = visible_sites(state, session)
            .await?
            .into_iter()
            .map(|s| SiteChoice { id: s.id, name: s.name })
            .collect();
        Ok(Self {
            ctx: Ctx::new(session, raw),
            import: session.sites().is_none(),
            formats: Format::ALL.iter().map(|f| f.as_str()).collect(),
            sites,
            limit_mb: state.config.import_max_mb,
            entered: Entered::default(),
            summary: None,
            error: None,
        })
    }

    fn answer(self, status: StatusCode) -> Result<Response> {
        let mut response = page(self)?;
        *response.status_mut() = status;
        Ok(response)
    }

    /// The page again with the reason nothing was stored.
    fn refuse(mut self, status: StatusCode, message: impl Into<String>) -> Result<Response> {
        self.error = Some(format!("{} {}", self.ctx.t.import_failed, message.into()));
        self.answer(status)
    }
}

fn every_site(session: &Session) -> Result<()> {
    match session.sites() {
        None => Ok(()),
        Some(_) => Err(AppError::Forbidden(
            "only moderators of every site import comments; a site's export is at /admin/export",
        )
        .into()),
    }
}

/// `GET /admin/import`: the import form and the export download.
#[instrument(level = "debug", skip_all)]
pub async fn import_page(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> Result<Response> {
    every_site(&session)?;
    page(TransferPage::new(&state, &session, raw.as_deref()).await?)
}

/// `GET /admin/export`: the export download alone, for moderators of some sites.
#[instrument(level = "debug", skip_all)]
pub async fn export_page(State(state): State<AppState>, session: Session, RawQuery(raw): RawQuery) -> Result<Response> {
    let mut view = TransferPage::new(&state, &session, raw.as_deref()).await?;
    view.import = false;
    page(view)
}

/// `POST /admin/import?csrf=TOKEN` (`multipart/form-data`): imports the uploaded file and shows the summary,
/// or why nothing was stored: 413 for a file over `import_max_mb`, 422 for one that cannot be read.
#[instrument(level = "debug", skip_all)]
pub async fn import(State(state): State<AppState>, UploadForm { session, multipart }: UploadForm) -> Result<Response> {
    every_site(&session)?;
    let mut view = TransferPage::new(&state, &session, None).await?;
    let upload = match upload::read(multipart, state.config.import_max_bytes()).await {
        Ok(upload) => upload,
        Err(UploadError::TooLarge) => {
            view.error = Some(format!("{} {}", view.ctx.t.too_large, view.limit_mb));
            return view.answer(StatusCode::PAYLOAD_TOO_LARGE);
        }
        Err(UploadError::Refused(status, message)) => return view.refuse(status, message),
        Err(UploadError::Failed(e)) => return Err(AppError::Internal(e).into()),
    };
    view.entered = Entered {
        format: upload.one("format").unwrap_or_default().to_owned(),
        site: upload.one("site").unwrap_or_default().to_owned(),
        maps: upload.one("maps").unwrap_or_default().to_owned(),
        base_url: upload.one("base_url").unwrap_or_default().to_owned(),
        dry_run: upload.checked("dry_run"),
        with_pingbacks: upload.checked("with_pingbacks"),
    };
    let (format, site, options, file) = match parse(&view, upload) {
        Ok(parsed) => parsed,
        Err(message) => return view.refuse(StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    let dry_run = view.entered.dry_run;
    let (name, temporary) = (file.name.clone(), file.path.display().to_string());
    // The import runs as a task of its own that owns the temporary file: if the request is given up (the
    // request timeout), the import still finishes or fails whole, and the file is removed after it.
    let store = state.store.clone();
    let task_site = site.clone();
    let task = tokio::spawn(async move {
        let hidden = ProgressBar::hidden();
        let result = crate::transfer::import(store, &task_site, format, &file.path, &options, dry_run, &hidden).await;
        drop(file);
        result
    });
    let result = task.await.map_err(|e| AppError::Internal(e.into()))?;
    match result {
        Ok(report) => {
            view.summary = Some(Summary {
                dry_run,
                file: name,
                format: format.as_str(),
                site: site.as_str().to_owned(),
                report,
            });
            view.answer(StatusCode::OK)
        }
        Err(e) => match e.downcast::<StoreError>() {
            Ok(StoreError::Refused(e)) => view.refuse(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            Ok(StoreError::Failed(e)) => Err(AppError::Internal(e).into()),
            Ok(e @ (StoreError::Challenge(_) | StoreError::Conflict(_) | StoreError::Closed)) => {
                Err(AppError::from(e).into())
            }
            // The file could not be read: the message names the line and column. It names the file as the
            // browser sent it, not the temporary file.
            Err(e) => {
                let shown = if name.is_empty() { "the file" } else { name.as_str() };
                let message = format!("{e:#}").replace(&temporary, shown);
                view.refuse(StatusCode::UNPROCESSABLE_ENTITY, message)
            }
        },
    }
}

/// The import's format, site, options and file, or what is wrong with the form.
fn parse(view: &TransferPage, mut upload: Upload) -> std::result::Result<(Format, SiteId, Options, Spooled), String> {
    let field = |e: FieldError| format!("{}: {}", e.field, e.message);
    let format = Format::parse(&view.entered.format).map_err(field)?;
    let site = SiteId::parse(&view.entered.site).map_err(field)?;
    if !view.sites.iter().any(|s| s.id == site.as_str()) {
        return Err(format!("site: there is no site {:?}", site.as_str()));
    }
    let maps = view
        .entered
        .maps
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once('=')
                .map(|(old, new)| (old.trim().to_owned(), new.trim().to_owned()))
                .ok_or_else(|| format!("maps: write {l:?} as OLD=NEW"))
        })
        .collect::<std::result::Result<_, _>>()?;
    let options = Options {
        maps,
        base_url: upload.filled("base_url"),
        with_pingbacks: view.entered.with_pingbacks,
    };
    let file = upload.file.take().ok_or_else(|| view.ctx.t.no_file.to_owned())?;
    Ok((format, site, options, file))
}

/// `POST /admin/export`: the site's export as a JSON download, for a moderator of that site.
#[instrument(level = "debug", skip_all)]
pub async fn export(State(state): State<AppState>, AdminForm { session, form }: AdminForm) -> Result<Response> {
    let id = form.filled("site").unwrap_or_default();
    if !session.may(&id) {
        return Err(AppError::Forbidden("you do not moderate this site").into());
    }
    let Some(site) = state.store.sites().await?.into_iter().find(|s| s.id == id) else {
        return Err(AppError::NotFound("no such site").into());
    };
    let export = state.store.export_site(site, now_ms()).await?;
    let json = serde_json::to_vec_pretty(&export).map_err(|e| AppError::Internal(e.into()))?;
    // Site ids are a-z, 0-9, '-', '_' and '.': safe in the header as they are.
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"riposte-{id}.json\""),
            ),
        ],
        json,
    )
        .into_response())
}
