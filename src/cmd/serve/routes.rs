//! The routes: the page, its state and progress, uploads and FOLDER documents, and the
//! computations (counts, report, concordance, downloads), each a thin call into the library.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use super::guard::{guard, refuse};
use super::{App, Progress, release_freed_memory};
use crate::render::html::assets::{content_security_policy, csp_hash};
use crate::webapp::download::{Download, Table, made};
use crate::webapp::limits::unpacked_bytes;
use crate::webapp::store::safe_extension;
use crate::webapp::workspace::{Settings, form_of};

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("page.js");
const STYLE: &str = include_str!("page.css");

/// Report pages made, kept for the frame that shows them (the last few only).
#[derive(Default)]
pub struct Reports {
    next: u64,
    pages: VecDeque<(u64, String)>,
}

const REPORTS_KEPT: usize = 8;

/// Largest JSON request (settings with a lexicon file's text).
const JSON_LIMIT: usize = 16 << 20;

/// The most hits a concordance search sends to the page.
const HITS_SHOWN: usize = 500;

pub fn router(app: Arc<App>) -> Router {
    let upload_limit = usize::try_from(app.limits.max_request_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(page))
        .route("/api/state", get(state))
        .route("/api/events", get(events))
        .route(
            "/api/upload",
            post(upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/api/folder", post(add_from_folder))
        .route("/api/remove", post(remove))
        .route("/api/lexicon", post(lexicon))
        .route("/api/count", post(count))
        .route("/api/report", post(report))
        .route("/api/search", post(search))
        .route("/api/download", post(download))
        .route("/report/{id}", get(report_page))
        .route("/document/{id}", get(document))
        // Settings, lexicon files and FOLDER paths: small JSON, never an upload's size.
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

type Shared = State<Arc<App>>;

fn unprocessable(why: impl std::fmt::Display) -> Response {
    refuse(StatusCode::UNPROCESSABLE_ENTITY, &why.to_string())
}

/// The page, with its token for the POST header and a CSP allowing exactly its inline code.
async fn page(State(app): Shared) -> Response {
    let html = PAGE
        .replace("{{TOKEN}}", app.token.as_str())
        .replace("{{STYLE}}", STYLE)
        .replace("{{SCRIPT}}", SCRIPT);
    let csp = format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; frame-src 'self'; \
         img-src 'self' blob: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        html,
    )
        .into_response()
}

async fn state(State(app): Shared) -> Response {
    let builtins: Vec<_> = crate::lexicon::BUILTINS
        .iter()
        .map(|b| {
            let title =
                crate::lexicon::Lexicon::from_builtin(b).map_or_else(|_| String::new(), |l| l.name);
            json!({"name": b.name, "description": title})
        })
        .collect();
    Json(json!({
        "documents": app.workspace.summaries(),
        "folder": app.folder.as_ref().map(|f| f.documents()),
        "builtins": builtins,
    }))
    .into_response()
}

#[derive(Deserialize)]
struct Session {
    #[serde(default)]
    session: String,
}

/// The page's session id (a random one per tab) from `X-Termtally-Session`: progress goes
/// to that tab only. Empty when missing or not the page's own form.
fn session_of(headers: &HeaderMap) -> String {
    headers
        .get("x-termtally-session")
        .and_then(|v| v.to_str().ok())
        .filter(|s| is_session(s))
        .unwrap_or_default()
        .to_string()
}

fn is_session(id: &str) -> bool {
    (16..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Progress messages (server-sent events) while documents are read: those of the jobs this
/// tab started (its session id), never another tab's.
async fn events(State(app): Shared, Query(Session { session }): Query<Session>) -> Response {
    if !is_session(&session) {
        return refuse(
            StatusCode::BAD_REQUEST,
            "progress needs the page's session id",
        );
    }
    let receiver = app.progress.subscribe();
    let stream = futures_util::stream::unfold(receiver, move |mut receiver| {
        let session = session.clone();
        async move {
            loop {
                match receiver.recv().await {
                    Ok(Progress {
                        session: to,
                        message,
                    }) if to == session => {
                        return Some((
                            Ok::<_, std::convert::Infallible>(Event::default().data(message)),
                            receiver,
                        ));
                    }
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// A file to read: its shown name and where its bytes are stored.
struct Stored {
    name: String,
    path: PathBuf,
    bytes: Vec<u8>,
}

/// Uploaded documents (multipart `file` fields), within the caps, stored and read.
async fn upload(State(app): Shared, headers: HeaderMap, mut multipart: Multipart) -> Response {
    let limits = app.limits;
    let mut files = Vec::new();
    let mut unpacked: u64 = 0;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, &upload_error(&e, &limits)),
        };
        if files.len() == limits.max_files {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, &limits.too_many_files());
        }
        let name = field.file_name().unwrap_or("document").to_string();
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if (bytes.len() + chunk.len()) as u64 > limits.max_file_bytes {
                        return refuse(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            &limits.file_too_large(&name),
                        );
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return refuse(StatusCode::PAYLOAD_TOO_LARGE, &upload_error(&e, &limits)),
            }
        }
        unpacked = unpacked.saturating_add(unpacked_bytes(&bytes).unwrap_or(0));
        if unpacked > limits.max_unpacked_bytes {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, &limits.unpacks_too_large());
        }
        files.push((name, bytes));
    }
    let mut stored = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        match app.store.save(&bytes, safe_extension(&name)) {
            Ok(path) => stored.push(Stored { name, path, bytes }),
            Err(e) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("cannot store {name}: {e}"),
                );
            }
        }
    }
    read_all(&app, stored, session_of(&headers)).await
}

/// The message for a multipart error: over the request cap, or a broken upload.
fn upload_error(
    error: &axum::extract::multipart::MultipartError,
    limits: &crate::webapp::limits::Limits,
) -> String {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "this upload is larger than {} in all: add the documents in smaller groups",
            crate::webapp::limits::bytes_text(limits.max_request_bytes)
        )
    } else {
        format!("the upload could not be read: {}", error.body_text())
    }
}

#[derive(Deserialize)]
struct FolderRequest {
    paths: Vec<String>,
}

/// Documents of FOLDER, by their paths relative to it (each checked by `Folder::resolve`).
async fn add_from_folder(
    State(app): Shared,
    headers: HeaderMap,
    Json(request): Json<FolderRequest>,
) -> Response {
    let Some(folder) = &app.folder else {
        return refuse(
            StatusCode::NOT_FOUND,
            "termtally serve was started without a FOLDER",
        );
    };
    if request.paths.len() > app.limits.max_files {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, &app.limits.too_many_files());
    }
    let mut stored = Vec::new();
    for relative in &request.paths {
        let path = match folder.resolve(relative) {
            Ok(path) => path,
            Err(why) => return refuse(StatusCode::FORBIDDEN, &why),
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => return unprocessable(format!("{relative}: {e}")),
        };
        // A copy in the private folder: what the app holds and removes is always its own.
        match app.store.save(&bytes, safe_extension(relative)) {
            Ok(path) => stored.push(Stored {
                name: relative.clone(),
                path,
                bytes,
            }),
            Err(e) => {
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &format!("cannot store {relative}: {e}"),
                );
            }
        }
    }
    read_all(&app, stored, session_of(&headers)).await
}

/// Reads the stored files on the bounded pool, reporting progress; the documents read and the
/// failures, each with its one-line reason. Progress goes to the tab of `session`.
async fn read_all(app: &Arc<App>, stored: Vec<Stored>, session: String) -> Response {
    let total = stored.len();
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let jobs = stored.into_iter().map(|file| {
        let (app, done, session) = (app.clone(), done.clone(), session.clone());
        async move {
            let name = file.name.clone();
            let result = on_pool(&app, move |app| {
                let result = app.workspace.load(&file.path, &file.name, &file.bytes);
                if result.is_err() {
                    let _ = std::fs::remove_file(&file.path);
                }
                result
            })
            .await
            .unwrap_or_else(|e| Err(format!("reading stopped: {e}")));
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            let message = match &result {
                Ok(_) => format!("Read {name} ({n} of {total})"),
                Err(why) => format!("{name}: could not be read: {why} ({n} of {total})"),
            };
            // Nobody listening (no tab open, or a client without events) is no error.
            let _ = app.progress.send(Progress {
                session: session.clone(),
                message,
            });
            (name, result)
        }
    });
    let results = futures_util::future::join_all(jobs).await;
    let mut documents = Vec::new();
    let mut failures = Vec::new();
    for (name, result) in results {
        match result {
            Ok(summary) => documents.push(summary),
            Err(reason) => failures.push(json!({"name": name, "reason": reason})),
        }
    }
    Json(json!({"documents": documents, "failures": failures})).into_response()
}

#[derive(Deserialize)]
struct Ids {
    ids: Vec<u64>,
}

/// Lets go of documents; with no work running, their memory is given back to the system.
async fn remove(State(app): Shared, Json(ids): Json<Ids>) -> Response {
    let removed = app.workspace.remove(&ids.ids);
    if app.busy.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        let _ = tokio::task::spawn_blocking(release_freed_memory).await;
    }
    Json(json!({"removed": removed})).into_response()
}

/// A lexicon validated, with its terms for the form and its TOML.
async fn lexicon(Json(choice): Json<crate::webapp::workspace::LexiconChoice>) -> Response {
    match choice.lexicon() {
        Ok(lexicon) => Json(json!({
            "name": lexicon.name,
            "terms": form_of(&lexicon),
            "toml": lexicon.to_toml(),
        }))
        .into_response(),
        Err(why) => unprocessable(why),
    }
}

/// Runs `work` on a blocking thread once the bounded pool has room (extraction and counting
/// share it: many clients cannot start unbounded work). When it is the last work running, the
/// memory freed is given back to the system.
async fn on_pool<T: Send + 'static>(
    app: &Arc<App>,
    work: impl FnOnce(&App) -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    let _permit = app.pool.acquire().await;
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        app.busy.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let result = work(&app);
        if app.busy.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            release_freed_memory();
        }
        result
    })
    .await
}

/// Runs `work` over the prepared settings on the pool.
async fn compute<T: Send + 'static>(
    app: &Arc<App>,
    settings: Settings,
    work: impl FnOnce(&crate::webapp::workspace::Prepared) -> T + Send + 'static,
) -> Result<T, Response> {
    on_pool(app, move |app| {
        app.workspace
            .prepare(&settings)
            .map(|prepared| work(&prepared))
    })
    .await
    .map_err(unprocessable)?
    .map_err(unprocessable)
}

/// The report of `termtally count --format json` over the chosen documents.
async fn count(State(app): Shared, Json(settings): Json<Settings>) -> Response {
    match compute(&app, settings, |p| {
        crate::render::to_json(&p.count_report())
    })
    .await
    {
        Ok(json) => Json(json).into_response(),
        Err(response) => response,
    }
}

/// Makes the report page and says where the frame finds it.
async fn report(State(app): Shared, Json(settings): Json<Settings>) -> Response {
    let html = match compute(&app, settings, |p| p.report_page()).await {
        Ok(html) => html,
        Err(response) => return response,
    };
    let mut reports = app.reports.lock().unwrap_or_else(|e| e.into_inner());
    reports.next += 1;
    let id = reports.next;
    reports.pages.push_back((id, html));
    while reports.pages.len() > REPORTS_KEPT {
        reports.pages.pop_front();
    }
    Json(json!({"url": format!("/report/{id}")})).into_response()
}

/// A report page, with its own CSP (that of `termtally report`'s file), framed by the page only.
async fn report_page(State(app): Shared, Path(id): Path<u64>) -> Response {
    let reports = app.reports.lock().unwrap_or_else(|e| e.into_inner());
    let Some((_, html)) = reports.pages.iter().find(|(i, _)| *i == id) else {
        return refuse(
            StatusCode::NOT_FOUND,
            "that report is no longer kept: update the page",
        );
    };
    let csp = format!("{}; frame-ancestors 'self'", content_security_policy());
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::CONTENT_SECURITY_POLICY, csp),
        ],
        html.clone(),
    )
        .into_response()
}

#[derive(Deserialize)]
struct SearchRequest {
    #[serde(flatten)]
    settings: Settings,
    pattern: String,
}

/// The concordance of `termtally kwic PATTERN` over the chosen documents.
async fn search(State(app): Shared, Json(request): Json<SearchRequest>) -> Response {
    let pattern = request.pattern;
    match compute(&app, request.settings, move |p| {
        p.search(&pattern, HITS_SHOWN)
    })
    .await
    {
        Ok(Ok((hits, total))) => Json(json!({"hits": hits, "total": total})).into_response(),
        Ok(Err(why)) => unprocessable(why),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct DownloadRequest {
    #[serde(flatten)]
    settings: Settings,
    format: String,
    /// Which table (`counts` when not given); the concordance's is of `pattern`.
    #[serde(default)]
    table: Option<String>,
    #[serde(default)]
    pattern: String,
}

/// A download: a table as CSV or xlsx, the report page, or the lexicon as TOML.
async fn download(State(app): Shared, Json(request): Json<DownloadRequest>) -> Response {
    if request.format == "toml" {
        return match request.settings.lexicon.lexicon() {
            Ok(lexicon) => attachment(Download {
                bytes: lexicon.to_toml().into_bytes(),
                media_type: "application/toml",
                file_name: "lexicon.toml".to_string(),
            }),
            Err(why) => unprocessable(why),
        };
    }
    let table = match Table::parse(request.table.as_deref().unwrap_or("counts")) {
        Ok(table) => table,
        Err(why) => return unprocessable(why),
    };
    let (format, pattern) = (request.format, request.pattern);
    let result = compute(&app, request.settings, move |p| {
        made(p, table, &format, &pattern)
    })
    .await;
    match result {
        Ok(Ok(download)) => attachment(download),
        Ok(Err(why)) => unprocessable(why),
        Err(response) => response,
    }
}

fn attachment(download: Download) -> Response {
    (
        [
            (header::CONTENT_TYPE, download.media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", download.file_name),
            ),
        ],
        download.bytes,
    )
        .into_response()
}

/// A PDF the app holds, for the browser's PDF viewer (`#page=N`): never HTML, never sniffed,
/// sandboxed. Other formats are not served back.
async fn document(State(app): Shared, Path(id): Path<u64>) -> Response {
    let Some(entry) = app.workspace.get(id).filter(|e| e.is_pdf()) else {
        return refuse(StatusCode::NOT_FOUND, "no such PDF");
    };
    match tokio::fs::read(&entry.stored).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/pdf"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "sandbox; default-src 'none'; frame-ancestors 'none'",
                ),
                (header::CONTENT_DISPOSITION, "inline"),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => unprocessable(format!("cannot read the stored PDF: {e}")),
    }
}
