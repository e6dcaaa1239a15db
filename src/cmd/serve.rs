//! termtally serve: the local web app. A page on 127.0.0.1 (and ::1) where documents are added
//! by drag and drop, a file picker or from FOLDER; a lexicon is chosen, uploaded or edited; and
//! the counts, the concordance, the comparison of two groups and the report of `termtally
//! report` are shown and downloaded. The work is the library's (`crate::webapp`, `report`,
//! `render`); this module is HTTP glue: the safety checks every request passes (`guard`), the
//! routes (`routes`), and the page (`page.html`, `page.js`, `page.css`).
//!
//! Safety, after Jupyter's model: loopback only; a 128-bit token in the printed URL, moved into
//! an HttpOnly, SameSite=Strict cookie named for the port, then a redirect to the clean URL;
//! the Host header checked (DNS rebinding); every POST carries the token in a header and a
//! same-origin `Origin`/`Sec-Fetch-Site` (CSRF); no CORS; a strict CSP with hashed inline code;
//! uploads capped and stored under generated names in a private folder removed at exit.

mod guard;
mod routes;

use std::io::Write;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use crate::extract::{ExtractOptions, PdfRunner};
use crate::normalise::NormaliseOptions;
use crate::webapp::folder::Folder;
use crate::webapp::limits::Limits;
use crate::webapp::store::Store;
use crate::webapp::token::Token;
use crate::webapp::workspace::Workspace;

const EXAMPLES: &str = "\
Examples:
  termtally serve                       an empty page: add documents in the browser
  termtally serve corpora/examples      the documents of a folder can be added with a tick
  termtally serve reports --port 8765 --no-open
                                        a fixed port; open the printed address yourself

The address printed holds a secret token: only someone with it can use the page. termtally
listens on this computer only (127.0.0.1 and ::1), never on the network; documents stay here.
Ctrl-C stops it and deletes the uploaded copies.";

/// Open termtally in the web browser: add documents, choose a lexicon, read the counts, search
/// the concordance, compare two groups, download tables and the report. Local only.
#[derive(clap::Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct Args {
    /// A folder whose documents (and those of its subfolders) the page offers to add.
    #[arg(value_name = "FOLDER")]
    pub folder: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Do not open the web browser; just print the address.
    #[arg(long)]
    pub no_open: bool,
}

/// Everything a request may use.
pub(crate) struct App {
    token: Token,
    port: u16,
    folder: Option<Folder>,
    limits: Limits,
    store: Store,
    workspace: Workspace,
    /// Extractions at once (each PDF in its own worker process).
    pool: tokio::sync::Semaphore,
    /// Work running on the pool now (see `release_freed_memory`).
    busy: std::sync::atomic::AtomicUsize,
    progress: tokio::sync::broadcast::Sender<Progress>,
    reports: std::sync::Mutex<routes::Reports>,
}

/// A progress message for the tab (session) that started the work.
#[derive(Clone, Debug)]
pub(crate) struct Progress {
    session: String,
    message: String,
}

/// Gives the pages of freed memory back to the system. glibc's malloc keeps them for reuse
/// (in the middle of its heaps, where it never trims by itself), so after 50 clients the
/// server stayed 15-25 MB above its start though every document was let go; malloc_trim
/// hands them back (measured: 43 MB after a burst, 24 MB after the trim, 21 MB at the start).
/// Called when the last work on the pool ends and when documents are removed with none
/// running: a few milliseconds, never while the pool is busy.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages to the system, under the arenas' own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let folder = args.folder.as_deref().map(Folder::open).transpose()?;
    crate::extract::pdf::check_memory_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve(args, folder))
}

async fn serve(args: Args, folder: Option<Folder>) -> anyhow::Result<ExitCode> {
    let v4 = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{}: {e}", args.port))?;
    let port = v4.local_addr()?.port();
    // ::1 too where the machine has it; on the same port, so one address serves both.
    let v6 = tokio::net::TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port)))
        .await
        .ok();
    let extract = ExtractOptions {
        pdf: std::env::current_exe().map_or(PdfRunner::InProcess, PdfRunner::Subprocess),
        ..ExtractOptions::default()
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let app = Arc::new(App {
        token: Token::generate()?,
        port,
        folder,
        limits: Limits::from_env(),
        store: Store::create(&std::env::temp_dir())?,
        workspace: Workspace::new(extract, NormaliseOptions::default()),
        pool: tokio::sync::Semaphore::new(workers),
        busy: std::sync::atomic::AtomicUsize::new(0),
        progress: tokio::sync::broadcast::channel(256).0,
        reports: std::sync::Mutex::new(routes::Reports::default()),
    });
    let url = format!("http://127.0.0.1:{port}/?token={}", app.token.as_str());
    // One write, errors ignored: whoever started us may stop reading after the address.
    let _ = writeln!(
        std::io::stdout(),
        "termtally serve: open {url}\ntermtally serve: Ctrl-C stops it."
    );
    if !args.no_open {
        open_browser(&url);
    }
    let router = routes::router(app.clone());
    if let Some(v6) = v6 {
        let router = router.clone();
        tokio::spawn(async move { axum::serve(v6, router).await });
    }
    axum::serve(v4, router).await?;
    Ok(ExitCode::SUCCESS)
}

/// Opens `url` in the desktop's browser; a failure only means the user opens it themselves.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
