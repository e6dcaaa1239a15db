//! Finding the study's documents: a path given on the command line, else the corpus directory
//! `$TERMTALLY_STUDY_DIR`, else termtally's cache directory, else a download from the official
//! URL in `corpora/manifest.toml` (HTTPS only) into the cache, written atomically, with a progress
//! bar on a terminal and its SHA-256 kept beside it as `FILE.sha256`.
//!
//! Environment:
//! - `TERMTALLY_STUDY_DIR`: a directory holding the documents under their manifest file names.
//! - `TERMTALLY_CACHE_DIR`: where downloads go (default: the user cache directory + `termtally`,
//!   e.g. `~/.cache/termtally` on Linux).
//! - `TERMTALLY_DOWNLOAD_BASE`: tests only. Replaces the official host with a server on
//!   127.0.0.1 / localhost / [::1] (`http://` allowed only there); any other value is refused.

use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::output::write_file_atomically;
use crate::reference::StudyDocument;

/// The committed manifest of official sources.
pub const MANIFEST_TOML: &str = include_str!("../corpora/manifest.toml");

pub const STUDY_DIR_VAR: &str = "TERMTALLY_STUDY_DIR";
pub const CACHE_DIR_VAR: &str = "TERMTALLY_CACHE_DIR";
pub const DOWNLOAD_BASE_VAR: &str = "TERMTALLY_DOWNLOAD_BASE";

/// Larger than any policy document; stops a misbehaving server filling the disk.
const MAX_DOWNLOAD_BYTES: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    #[serde(rename = "document")]
    pub documents: Vec<ManifestDocument>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestDocument {
    pub id: String,
    /// "study" or "corpus".
    pub role: String,
    /// The study table that counts it (study documents).
    pub table: Option<u8>,
    pub title: String,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub licence: String,
    pub licence_url: Option<String>,
    pub landing_page: Option<String>,
    #[serde(rename = "file")]
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestFile {
    pub filename: String,
    pub url: Option<String>,
    pub format: String,
    pub sha256: Option<String>,
}

impl Manifest {
    /// The embedded manifest.
    pub fn embedded() -> anyhow::Result<Manifest> {
        toml::from_str(MANIFEST_TOML).context("corpora/manifest.toml is malformed")
    }

    pub fn document(&self, id: &str) -> Option<&ManifestDocument> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// The manifest entry of one of the study's documents.
    pub fn study_document(&self, doc: StudyDocument) -> anyhow::Result<&ManifestDocument> {
        self.document(doc.manifest_id()).ok_or_else(|| {
            anyhow::anyhow!("corpora/manifest.toml has no entry {}", doc.manifest_id())
        })
    }
}

impl ManifestDocument {
    /// The file downloaded when none is found: the first with a URL.
    pub fn download_file(&self) -> Option<&ManifestFile> {
        self.files.iter().find(|f| f.url.is_some())
    }
}

/// Where a document was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Given on the command line.
    Argument,
    /// In `$TERMTALLY_STUDY_DIR`.
    StudyDir,
    /// Already in the cache directory.
    Cache,
    /// Downloaded now.
    Downloaded,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Argument => "argument",
            Source::StudyDir => "study-dir",
            Source::Cache => "cache",
            Source::Downloaded => "downloaded",
        }
    }
}

/// A located document file, with its SHA-256 (so results can cite the exact file).
#[derive(Debug, Clone)]
pub struct Located {
    pub path: PathBuf,
    pub source: Source,
    pub sha256: String,
    /// The URL it was downloaded from (downloads and cached downloads).
    pub url: Option<String>,
}

/// termtally's cache directory: `$TERMTALLY_CACHE_DIR`, else the user cache dir + `termtally`.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os(CACHE_DIR_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::cache_dir().map(|d| d.join("termtally")),
    }
}

/// Lower-case hex SHA-256 of a file.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `FILE.sha256` beside `FILE`.
pub fn sha256_sidecar(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".sha256");
    path.with_file_name(name)
}

/// Finds (or downloads) one of the study's documents. `explicit` is the command-line path;
/// `flag` its name (`--act`), used in the message that tells the user what to do when offline.
pub fn locate(
    doc: &ManifestDocument,
    explicit: Option<&Path>,
    flag: &str,
) -> anyhow::Result<Located> {
    if let Some(path) = explicit {
        if !path.is_file() {
            bail!("{}: no such file (given with {flag})", path.display());
        }
        return located(path, Source::Argument, None);
    }
    if let Some(dir) = std::env::var_os(STUDY_DIR_VAR).filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        if let Some(path) = doc
            .files
            .iter()
            .map(|f| dir.join(&f.filename))
            .find(|p| p.is_file())
        {
            return located(&path, Source::StudyDir, None);
        }
        eprintln!(
            "termtally: {}: {} is not in {STUDY_DIR_VAR} ({}); looking in the cache",
            doc.files.first().map_or("", |f| f.filename.as_str()),
            doc.title,
            dir.display()
        );
    }
    let cache = cache_dir();
    if let Some(cache) = &cache {
        for file in &doc.files {
            let path = cache.join(&file.filename);
            if path.is_file() {
                let found = located(&path, Source::Cache, file.url.clone())?;
                verify_sidecar(&found)?;
                return Ok(found);
            }
        }
    }
    let file = doc.download_file().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: no download URL in corpora/manifest.toml; pass {flag} FILE",
            doc.title
        )
    })?;
    let official = file.url.as_deref().unwrap_or_default();
    let Some(cache) = cache else {
        bail!(
            "{}: there is no cache directory to download it into; download it from {official} \
             and pass {flag} FILE, or set {STUDY_DIR_VAR} to a directory holding {}",
            doc.title,
            file.filename
        );
    };
    let url = download_url(official, &file.filename)?;
    let dest = cache.join(&file.filename);
    match download(&url, &dest, &file.format, &doc.title) {
        Ok(sha256) => Ok(Located {
            path: dest,
            source: Source::Downloaded,
            sha256,
            url: Some(url),
        }),
        Err(err) => bail!(
            "could not download {title}\n  from {url}\n  ({err:#})\n\
             Download it yourself (e.g. in a web browser) and put it at {dest},\n\
             or pass {flag} FILE, or set {STUDY_DIR_VAR} to a directory holding {name}.",
            title = doc.title,
            dest = dest.display(),
            name = file.filename,
        ),
    }
}

fn located(path: &Path, source: Source, url: Option<String>) -> anyhow::Result<Located> {
    let sha256 = sha256_file(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(Located {
        path: path.to_path_buf(),
        source,
        sha256,
        url,
    })
}

/// A cached download must still be the file that was downloaded.
fn verify_sidecar(found: &Located) -> anyhow::Result<()> {
    let sidecar = sha256_sidecar(&found.path);
    let Ok(text) = std::fs::read_to_string(&sidecar) else {
        return Ok(());
    };
    let recorded = text.split_whitespace().next().unwrap_or_default();
    if !recorded.eq_ignore_ascii_case(&found.sha256) {
        bail!(
            "{}: changed since it was downloaded (SHA-256 {} but {} records {}); delete both \
             files to download it again",
            found.path.display(),
            found.sha256,
            sidecar.display(),
            recorded
        );
    }
    Ok(())
}

/// The URL to fetch: the official one, or, for tests, the same file name on a loopback server.
pub fn download_url(official: &str, filename: &str) -> anyhow::Result<String> {
    match std::env::var(DOWNLOAD_BASE_VAR) {
        Ok(base) if !base.is_empty() => {
            if !is_loopback_url(&base) {
                bail!(
                    "{DOWNLOAD_BASE_VAR} is for tests only and must point at 127.0.0.1, localhost or [::1] (got {base})"
                );
            }
            Ok(format!("{}/{filename}", base.trim_end_matches('/')))
        }
        _ => Ok(official.to_string()),
    }
}

/// `http(s)://127.0.0.1[:port][/...]`, `localhost` or `[::1]`.
pub fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = if authority.starts_with('[') {
        authority.split_inclusive(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    matches!(
        host.to_ascii_lowercase().as_str(),
        "127.0.0.1" | "localhost" | "[::1]"
    )
}

/// Downloads `url` to `dest` atomically and writes `dest.sha256`; returns the SHA-256. Only
/// HTTPS, except to a loopback test server.
pub fn download(url: &str, dest: &Path, format: &str, title: &str) -> anyhow::Result<String> {
    let loopback = is_loopback_url(url);
    if !url.starts_with("https://") && !loopback {
        bail!("refusing to download over an insecure connection: {url} (only https:// is allowed)");
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the cache directory {}", dir.display()))?;
    }
    let mut config = ureq::Agent::config_builder()
        .https_only(!loopback)
        .timeout_resolve(Some(Duration::from_secs(30)))
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_per_read(Some(Duration::from_secs(60)))
        .user_agent(format!(
            "termtally/{} (+document download)",
            env!("CARGO_PKG_VERSION")
        ));
    if loopback {
        // The test server must be reached directly, whatever proxy the environment names.
        config = config.proxy(None).max_redirects(0);
    }
    let agent: ureq::Agent = config.build().into();
    let mut response = agent.get(url).call().map_err(plain_error)?;
    let length = response.body().content_length();

    let progress = download_progress(length, title);
    let mut reader = progress.wrap_read(
        response
            .body_mut()
            .with_config()
            .limit(MAX_DOWNLOAD_BYTES)
            .reader(),
    );
    let mut hasher = Sha256::new();
    let mut first_bytes: Vec<u8> = Vec::new();
    let mut total: u64 = 0;
    write_file_atomically(dest, true, |w| {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(anyhow::Error::new(e).context("the download broke off")),
            };
            if first_bytes.len() < 1024 {
                let take = n.min(1024 - first_bytes.len());
                first_bytes.extend_from_slice(&buf[..take]);
            }
            hasher.update(&buf[..n]);
            w.write_all(&buf[..n])?;
            total += n as u64;
        }
        if let Some(expected) = length
            && total != expected
        {
            bail!("the download broke off after {total} of {expected} bytes");
        }
        // An HTML error page or login portal saved under a .pdf name would fail later with a
        // confusing message; refuse it here.
        check_content(&first_bytes, format)
    })?;
    progress.finish_and_clear();
    let sha256 = hex(&hasher.finalize());
    let name = dest
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    write_file_atomically(&sha256_sidecar(dest), true, |w| {
        writeln!(w, "{sha256}  {name}")
    })?;
    eprintln!(
        "termtally: downloaded {title}\n  to {} ({total} bytes)\n  sha256 {sha256}",
        dest.display()
    );
    Ok(sha256)
}

/// ureq's errors, in words: the status code, or the network failure.
fn plain_error(err: ureq::Error) -> anyhow::Error {
    match err {
        ureq::Error::StatusCode(code) => anyhow::anyhow!("the server answered HTTP {code}"),
        ureq::Error::Io(e) => anyhow::anyhow!("network error: {e}"),
        ureq::Error::Timeout(t) => anyhow::anyhow!("timed out ({t})"),
        ureq::Error::HostNotFound => anyhow::anyhow!("host not found (are you offline?)"),
        ureq::Error::ConnectionFailed => anyhow::anyhow!("could not connect (are you offline?)"),
        other => anyhow::anyhow!("{other}"),
    }
}

fn check_content(first_bytes: &[u8], format: &str) -> anyhow::Result<()> {
    let head = String::from_utf8_lossy(first_bytes);
    let trimmed = head.trim_start_matches('\u{feff}').trim_start();
    let ok = match format {
        "pdf" => first_bytes.windows(5).any(|w| w == b"%PDF-"),
        "xml" => {
            trimmed.starts_with('<') && !trimmed.to_ascii_lowercase().starts_with("<!doctype html")
        }
        _ => true,
    };
    if ok {
        return Ok(());
    }
    let looks_like = if trimmed.to_ascii_lowercase().starts_with("<!doctype html")
        || trimmed.starts_with("<html")
    {
        "a web page (HTML)"
    } else if first_bytes.is_empty() {
        "an empty file"
    } else {
        "something else"
    };
    bail!(
        "the server sent {looks_like}, not a {} file",
        format.to_uppercase()
    )
}

fn download_progress(length: Option<u64>, title: &str) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let short: String = title.chars().take(40).collect();
    let bar = match length {
        Some(len) => indicatif::ProgressBar::new(len).with_style(
            indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{msg} {spinner} {bytes}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(format!("downloading {short}"));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parses_and_study_urls_are_https() {
        let manifest = Manifest::embedded().expect("manifest");
        for doc in [StudyDocument::Act, StudyDocument::Code] {
            let entry = manifest.study_document(doc).expect("study entry");
            assert_eq!(entry.role, "study");
            assert_eq!(entry.table, Some(doc.table()));
            let file = entry.download_file().expect("download url");
            assert!(
                file.url
                    .as_deref()
                    .is_some_and(|u| u.starts_with("https://"))
            );
        }
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_url("http://127.0.0.1:8080/x"));
        assert!(is_loopback_url("http://localhost"));
        assert!(is_loopback_url("http://[::1]:9/"));
        assert!(!is_loopback_url("http://127.0.0.1.evil.example/"));
        assert!(!is_loopback_url("http://127.0.0.1@evil.example/"));
        assert!(!is_loopback_url("http://example.org/"));
        assert!(!is_loopback_url("ftp://127.0.0.1/"));
    }

    #[test]
    fn refuses_plain_http() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = download(
            "http://example.org/x.pdf",
            &dir.path().join("x.pdf"),
            "pdf",
            "X",
        )
        .expect_err("http refused");
        assert!(err.to_string().contains("only https://"), "{err}");
        assert!(!dir.path().join("x.pdf").exists());
    }

    #[test]
    fn content_check_rejects_html_as_pdf() {
        assert!(check_content(b"%PDF-1.7\n...", "pdf").is_ok());
        let err = check_content(b"<!DOCTYPE html><html>", "pdf").expect_err("html");
        assert!(err.to_string().contains("HTML"), "{err}");
        assert!(check_content(b"<?xml version='1.0'?><Legislation/>", "xml").is_ok());
    }
}
