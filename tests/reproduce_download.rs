//! Finding and downloading the study's documents, tested against a local HTTP server on 127.0.0.1
//! started by the test (never the internet): the download lands atomically in the cache with its
//! SHA-256 beside it, the cache is reused, offline gives the clear message, an HTML page is not
//! saved as a PDF, Ctrl-C mid-download leaves nothing behind.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const ACT_NAME: &str = "ukpga_20140006_en.pdf";
const CODE_NAME: &str = "SEND_Code_of_Practice_January_2015.pdf";
/// Small real PDFs standing in for the Act and the Code, with their SHA-256 from SOURCES.md.
const ACT_STAND_IN: &str = "ofsted-cqc-area-send-inspection-dorset-2024-05.pdf";
const ACT_STAND_IN_SHA256: &str =
    "971cc5996961a55375bddec9fcad059c775f546e3ebe69ab7a5ca74c7d70295d";
const CODE_STAND_IN: &str = "ofsted-cqc-area-send-inspection-hertfordshire-2023-11.pdf";
const CODE_STAND_IN_SHA256: &str =
    "28df957f47e1810f05c290b19b946b502ebc0ef80fbfd18c45efccf520be6dca";

#[derive(Clone, Copy)]
enum Behaviour {
    /// Serve the body whole.
    Normal,
    /// Send the headers and half the body, then stall (until the client goes away or 30 s).
    Stall,
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving fixed bodies by path. It stops by itself after
/// `max_requests` requests or 120 seconds.
struct TestServer {
    base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    fn start(
        routes: HashMap<String, Vec<u8>>,
        behaviour: Behaviour,
        max_requests: usize,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            let mut served = 0;
            while served < max_requests && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        let routes = routes.clone();
                        let seen = Arc::clone(&seen);
                        thread::spawn(move || handle(stream, &routes, behaviour, &seen));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        TestServer { base, requests }
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("lock").clone()
    }
}

fn handle(
    mut stream: TcpStream,
    routes: &HashMap<String, Vec<u8>>,
    behaviour: Behaviour,
    seen: &Mutex<Vec<String>>,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&request);
    let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
    seen.lock().expect("lock").push(path.clone());
    let Some(body) = routes.get(&path) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    match behaviour {
        Behaviour::Normal => {
            let _ = stream.write_all(body);
        }
        Behaviour::Stall => {
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            // Hold the connection open; the client is interrupted meanwhile.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = stream.read(&mut buf);
        }
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn files_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `termtally reproduce` isolated from the user's environment: its own cache, no study dir.
fn reproduce(cache: &Path, base: &str) -> assert_cmd::Command {
    let mut cmd = common::termtally();
    cmd.arg("reproduce")
        .env("TERMTALLY_CACHE_DIR", cache)
        .env("TERMTALLY_DOWNLOAD_BASE", base)
        .env_remove("TERMTALLY_STUDY_DIR")
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(300));
    cmd
}

#[test]
fn downloads_into_the_cache_with_sha256_then_reuses_it() {
    let (Some(act), Some(code)) = (
        common::corpus_file(ACT_STAND_IN),
        common::corpus_file(CODE_STAND_IN),
    ) else {
        return;
    };
    let act_bytes = std::fs::read(&act).expect("read");
    let code_bytes = std::fs::read(&code).expect("read");
    let routes = HashMap::from([
        (format!("/{ACT_NAME}"), act_bytes.clone()),
        (format!("/{CODE_NAME}"), code_bytes.clone()),
    ]);
    let server = TestServer::start(routes, Behaviour::Normal, 4);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");

    let output = reproduce(&cache, &server.base)
        .args(["--mode", "word", "--format", "json"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(
        server.requests(),
        [format!("/{ACT_NAME}"), format!("/{CODE_NAME}")],
        "one request per document"
    );
    let mut expected = vec![
        ACT_NAME.to_string(),
        format!("{ACT_NAME}.sha256"),
        CODE_NAME.to_string(),
        format!("{CODE_NAME}.sha256"),
    ];
    expected.sort();
    assert_eq!(
        files_in(&cache),
        expected,
        "the two files and their checksums, no temporary files"
    );
    assert_eq!(
        std::fs::read(cache.join(ACT_NAME)).expect("read"),
        act_bytes
    );
    assert_eq!(
        std::fs::read(cache.join(CODE_NAME)).expect("read"),
        code_bytes
    );
    // SHA-256 from SOURCES.md (computed independently of termtally), in sha256sum's format.
    assert_eq!(
        std::fs::read_to_string(cache.join(format!("{ACT_NAME}.sha256"))).expect("read"),
        format!("{ACT_STAND_IN_SHA256}  {ACT_NAME}\n")
    );
    assert_eq!(
        std::fs::read_to_string(cache.join(format!("{CODE_NAME}.sha256"))).expect("read"),
        format!("{CODE_STAND_IN_SHA256}  {CODE_NAME}\n")
    );
    assert!(
        stderr.contains(&format!("sha256 {ACT_STAND_IN_SHA256}")),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["documents"][0]["source"], "downloaded");
    assert_eq!(doc["documents"][0]["sha256"], ACT_STAND_IN_SHA256);
    assert_eq!(doc["rows"].as_array().map(Vec::len), Some(31));

    // Second run: nothing listens any more, so success means the cache was used.
    let output = reproduce(&cache, &closed_port_base())
        .args(["--mode", "word", "--format", "json"])
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["documents"][0]["source"], "cache");
    assert_eq!(doc["documents"][1]["source"], "cache");
}

#[test]
fn offline_gives_the_clear_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let base = closed_port_base();
    let output = reproduce(&cache, &base).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    for expected in [
        "termtally: could not download Children and Families Act 2014",
        &format!("from {base}/{ACT_NAME}"),
        &format!("put it at {}", cache.join(ACT_NAME).display()),
        "or pass --act FILE",
        "set TERMTALLY_STUDY_DIR to a directory holding ukpga_20140006_en.pdf",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"));
    assert!(
        files_in(&cache)
            .iter()
            .all(|n| !n.ends_with(".pdf") && !n.ends_with(".part"))
    );

    // With the Act given, the message is about the Code and its flag.
    let Some(act) = common::corpus_file(ACT_STAND_IN) else {
        return;
    };
    let output = reproduce(&cache, &base)
        .arg("--act")
        .arg(&act)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "could not download Special educational needs and disability code of practice"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("or pass --code FILE"), "{stderr}");
}

#[test]
fn an_html_page_is_not_saved_as_the_pdf() {
    let routes = HashMap::from([(
        format!("/{ACT_NAME}"),
        b"<!DOCTYPE html><html><body>Sign in to continue</body></html>".to_vec(),
    )]);
    let server = TestServer::start(routes, Behaviour::Normal, 2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let output = reproduce(&cache, &server.base).output().expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the server sent a web page (HTML), not a PDF file"),
        "{stderr}"
    );
    assert!(files_in(&cache).is_empty(), "{:?}", files_in(&cache));
}

#[test]
fn a_missing_file_on_the_server_is_reported() {
    let server = TestServer::start(HashMap::new(), Behaviour::Normal, 2);
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = reproduce(&tmp.path().join("cache"), &server.base)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("the server answered HTTP 404"), "{stderr}");
}

#[test]
fn the_test_override_must_point_at_loopback() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let output = reproduce(&tmp.path().join("cache"), "http://example.org")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("TERMTALLY_DOWNLOAD_BASE is for tests only"),
        "{stderr}"
    );
}

#[test]
fn documents_in_the_study_dir_are_used_without_downloading() {
    let (Some(act), Some(code)) = (
        common::corpus_file(ACT_STAND_IN),
        common::corpus_file(CODE_STAND_IN),
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let study = tmp.path().join("study");
    std::fs::create_dir(&study).expect("mkdir");
    link_or_copy(&act, &study.join(ACT_NAME));
    link_or_copy(&code, &study.join(CODE_NAME));
    let cache = tmp.path().join("cache");
    let output = reproduce(&cache, &closed_port_base())
        .env("TERMTALLY_STUDY_DIR", &study)
        .args(["--mode", "word", "-f", "json"])
        .output()
        .expect("run");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(doc["documents"][0]["source"], "study-dir");
    assert_eq!(doc["documents"][1]["sha256"], CODE_STAND_IN_SHA256);
    assert!(files_in(&cache).is_empty(), "nothing downloaded");
}

fn link_or_copy(from: &Path, to: &PathBuf) {
    #[cfg(unix)]
    if std::os::unix::fs::symlink(from, to).is_ok() {
        return;
    }
    std::fs::copy(from, to).expect("copy");
}

/// Ctrl-C during a download: exit 130, and neither the file nor its temporary copy is left.
#[cfg(unix)]
#[test]
fn interrupt_during_download_leaves_nothing() {
    let routes = HashMap::from([(format!("/{ACT_NAME}"), vec![b'%'; 4 * 1024 * 1024])]);
    let server = TestServer::start(routes, Behaviour::Stall, 1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("termtally"))
        .arg("reproduce")
        .env("TERMTALLY_CACHE_DIR", &cache)
        .env("TERMTALLY_DOWNLOAD_BASE", &server.base)
        .env_remove("TERMTALLY_STUDY_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    // Wait until the temporary file is being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !files_in(&cache).iter().any(|n| n.ends_with(".part")) {
        assert!(Instant::now() < deadline, "download never started");
        thread::sleep(Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        files_in(&cache).is_empty(),
        "left behind: {:?}",
        files_in(&cache)
    );
}

#[test]
fn an_existing_output_file_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let existing = tmp.path().join("tables.csv");
    std::fs::write(&existing, "keep me").expect("write");
    // No documents and no server: had it started work, the error would be about downloading.
    let output = reproduce(&tmp.path().join("cache"), &closed_port_base())
        .arg("-o")
        .arg(&existing)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "termtally: {}: file exists; use --force to overwrite",
            existing.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&existing).expect("read"), "keep me");
}
