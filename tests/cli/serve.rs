//! termtally serve, the local web app: its safety (token, cookie, Host, CSRF, CORS, CSP, FOLDER
//! paths, upload caps, loopback only, private folder removed on SIGTERM) and its numbers (the
//! counts of `count --format json`, a corrupt PDF failing alone, many clients at once).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use sha2::Digest;

use crate::util::http::{Response, multipart, request};
use crate::util::{self, TERMTALLY};

/// A running `termtally serve` (killed when dropped), its port and token.
struct Served {
    child: Child,
    port: u16,
    token: String,
    /// The TMPDIR it runs with: its private folder is made here.
    tmp: tempfile::TempDir,
}

impl Served {
    fn start(folder: Option<&Path>, env: &[(&str, &str)]) -> Served {
        let tmp = tempfile::tempdir().unwrap();
        Served::start_in(tmp, folder, env)
    }

    fn start_in(tmp: tempfile::TempDir, folder: Option<&Path>, env: &[(&str, &str)]) -> Served {
        let mut command = Command::new(TERMTALLY);
        command.args(["serve", "--port", "0", "--no-open"]);
        if let Some(folder) = folder {
            command.arg(folder);
        }
        command
            .env("TMPDIR", tmp.path())
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn().expect("start termtally serve");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut line).unwrap();
        // Read the rest as it comes, so the server never writes to a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("termtally serve: open ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let (address, token) = url.split_once("/?token=").expect("token in the URL");
        let port = address.rsplit(':').next().unwrap().parse().unwrap();
        Served {
            child,
            port,
            token: token.to_string(),
            tmp,
        }
    }

    fn cookie(&self) -> String {
        format!("termtally-{}={}", self.port, self.token)
    }

    fn get(&self, path: &str) -> Response {
        request(self.port, "GET", path, &[("Cookie", &self.cookie())], b"")
    }

    /// A POST as the page sends it: token header, own origin, same-origin fetch.
    fn post_json(&self, path: &str, body: &serde_json::Value) -> Response {
        let origin = format!("http://127.0.0.1:{}", self.port);
        request(
            self.port,
            "POST",
            path,
            &[
                ("Cookie", &self.cookie()),
                ("X-Termtally-Token", &self.token),
                ("Origin", &origin),
                ("Sec-Fetch-Site", "same-origin"),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
    }

    fn upload(&self, files: &[(&str, &[u8])]) -> Response {
        self.upload_as(files, "")
    }

    /// An upload from the tab whose session id is `session` (its progress goes there).
    fn upload_as(&self, files: &[(&str, &[u8])], session: &str) -> Response {
        let (body, content_type) = multipart(files);
        request(
            self.port,
            "POST",
            "/api/upload",
            &[
                ("X-Termtally-Token", &self.token),
                ("X-Termtally-Session", session),
                ("Content-Type", &content_type),
            ],
            &body,
        )
    }

    /// The progress stream (server-sent events) of the tab `session`, its headers read.
    fn events(&self, session: &str) -> BufReader<std::net::TcpStream> {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "GET /api/events?session={session} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nCookie: {}\r\n\r\n",
            self.port,
            self.cookie()
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.contains(" 200 "), "events: {line}");
        while line.trim() != "" {
            line.clear();
            reader.read_line(&mut line).unwrap();
        }
        reader
    }

    /// The private folders under this server's TMPDIR.
    fn private_folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("termtally-serve-")
            })
            .collect()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The message of a refused request (its JSON `error`).
fn error_of(response: &Response) -> String {
    response.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn settings(ids: &[u64]) -> serde_json::Value {
    serde_json::json!({
        "documents": ids,
        "lexicon": {"kind": "builtin", "name": "boddison-soan-2021"},
        "mode": "word",
    })
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpora/examples")
        .join(name)
}

#[test]
fn the_token_is_needed_and_moves_into_a_per_port_cookie() {
    let served = Served::start(None, &[]);
    let port = served.port;
    let bare = request(port, "GET", "/", &[], b"");
    assert_eq!(bare.status, 403, "no token: {}", bare.text());
    assert_eq!(request(port, "GET", "/api/state", &[], b"").status, 403);
    let wrong = request(
        port,
        "GET",
        "/?token=0123456789abcdef0123456789abcdef",
        &[],
        b"",
    );
    assert_eq!(wrong.status, 403);
    let first = request(port, "GET", &format!("/?token={}", served.token), &[], b"");
    assert_eq!(first.status, 303, "redirect to the clean URL");
    assert_eq!(first.header("location"), Some("/"));
    let cookie = first.header("set-cookie").unwrap();
    assert!(
        cookie.starts_with(&format!("termtally-{port}={}", served.token)),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(first.header("referrer-policy"), Some("no-referrer"));
    // Another port's cookie (another termtally serve) does not open this one.
    let other = request(
        port,
        "GET",
        "/",
        &[(
            "Cookie",
            &format!("termtally-{}={}", port + 1, served.token),
        )],
        b"",
    );
    assert_eq!(other.status, 403);

    let page = served.get("/");
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap().to_string();
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("access-control-allow-origin").is_none());
    // Every inline script and style is allowed by its hash, and nothing else is.
    let html = page.text();
    for (open, close) in [("<script>", "</script>"), ("<style>", "</style>")] {
        let start = html.find(open).unwrap() + open.len();
        let end = start + html[start..].find(close).unwrap();
        let digest = sha2::Sha256::digest(&html.as_bytes()[start..end]);
        let hash = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(
            csp.contains(&format!("'sha256-{hash}'")),
            "{open} hash missing from {csp}"
        );
        assert_eq!(html.matches(open).count(), 1);
    }
    let handler = regex::Regex::new(r"<[^>]+\son[a-z]+=").unwrap();
    assert!(
        !handler.is_match(&html),
        "inline event handlers would need unsafe-inline"
    );
}

#[test]
fn a_wrong_host_header_is_refused() {
    let served = Served::start(None, &[]);
    let port = served.port;
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port + 1),
        "127.0.0.1".to_string(),
    ] {
        let r = request(
            port,
            "GET",
            "/",
            &[("Host", &host), ("Cookie", &served.cookie())],
            b"",
        );
        assert_eq!(r.status, 403, "Host {host}");
        assert!(r.text().contains("Host"), "{}", r.text());
    }
    let ok = request(
        port,
        "GET",
        "/",
        &[
            ("Host", &format!("localhost:{port}")),
            ("Cookie", &served.cookie()),
        ],
        b"",
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn posts_from_another_origin_and_preflights_are_refused() {
    let served = Served::start(None, &[]);
    let port = served.port;
    let body = br#"{"ids":[1]}"#;
    let cookie = served.cookie();
    let other = format!("http://127.0.0.1:{}", port + 1);
    let own = format!("http://127.0.0.1:{port}");
    let cases: [(&str, Vec<(&str, &str)>); 4] = [
        // A page on another local port: the browser sends the cookie (same site) but cannot
        // know the token.
        ("cookie only", vec![("Cookie", &cookie), ("Origin", &other)]),
        (
            "token, foreign Origin",
            vec![("X-Termtally-Token", &served.token), ("Origin", &other)],
        ),
        (
            "token, cross-site fetch",
            vec![
                ("X-Termtally-Token", &served.token),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        ),
        (
            "wrong token",
            vec![
                ("X-Termtally-Token", "00000000000000000000000000000000"),
                ("Origin", &own),
            ],
        ),
    ];
    for (what, mut headers) in cases {
        headers.push(("Content-Type", "application/json"));
        let r = request(port, "POST", "/api/remove", &headers, body);
        assert_eq!(r.status, 403, "{what}: {}", r.text());
    }
    let preflight = request(
        port,
        "OPTIONS",
        "/api/remove",
        &[
            ("Origin", &other),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 403);
    assert!(preflight.header("access-control-allow-origin").is_none());
    let own_page = served.post_json("/api/remove", &serde_json::json!({"ids": [1]}));
    assert_eq!(own_page.status, 200, "{}", own_page.text());
}

#[cfg(unix)]
#[test]
fn paths_out_of_folder_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "co-operation secret").unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("inside.txt"),
        "Parents were consulted and informed.",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        folder.path().join("link.txt"),
    )
    .unwrap();
    let served = Served::start(Some(folder.path()), &[]);
    let state = served.get("/api/state").json();
    assert_eq!(
        state["folder"],
        serde_json::json!(["inside.txt"]),
        "the symlink out is not offered"
    );
    for bad in [
        "../../etc/passwd",
        "%2e%2e/%2e%2e/etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "/etc/passwd",
        "link.txt",
    ] {
        let r = served.post_json("/api/folder", &serde_json::json!({"paths": [bad]}));
        assert_eq!(r.status, 403, "{bad}: {}", r.text());
        assert!(!r.text().contains("root:"), "{bad}");
    }
    for path in [
        "/document/..%2f..%2fetc%2fpasswd",
        "/document/%2e%2e",
        "/../../etc/passwd",
    ] {
        let r = served.get(path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.text().contains("root:"));
    }
    let ok = served.post_json("/api/folder", &serde_json::json!({"paths": ["inside.txt"]}));
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["documents"][0]["name"], "inside.txt");
}

#[test]
fn uploads_over_each_cap_are_refused_with_a_clear_message() {
    let served = Served::start(
        None,
        &[
            ("TERMTALLY_SERVE_MAX_FILE_BYTES", "100000"),
            ("TERMTALLY_SERVE_MAX_FILES", "3"),
            ("TERMTALLY_SERVE_MAX_UNPACKED_BYTES", "50000"),
            ("TERMTALLY_SERVE_MAX_REQUEST_BYTES", "250000"),
        ],
    );
    let big = vec![b'a'; 150_000];
    let r = served.upload(&[("big.txt", &big)]);
    assert_eq!(r.status, 413);
    assert!(
        error_of(&r).contains("big.txt: larger than 97 KB"),
        "{}",
        r.text()
    );

    let small = b"Parents were consulted.".as_slice();
    let r = served.upload(&[
        ("1.txt", small),
        ("2.txt", small),
        ("3.txt", small),
        ("4.txt", small),
    ]);
    assert_eq!(r.status, 413);
    assert!(error_of(&r).contains("more than 3 files"), "{}", r.text());

    let xml = vec![b'x'; 60_000];
    let docx = util::make::zip_deflated(&[("word/document.xml", &xml)]);
    assert!(docx.len() < 10_000);
    let r = served.upload(&[("bomb.docx", &docx)]);
    assert_eq!(r.status, 413);
    assert!(error_of(&r).contains("unpack to more than"), "{}", r.text());

    let part = vec![b'b'; 95_000];
    let r = served.upload(&[("a.txt", &part), ("b.txt", &part), ("c.txt", &part)]);
    assert_eq!(r.status, 413);
    assert!(
        error_of(&r).contains("larger than 244 KB in all"),
        "{}",
        r.text()
    );

    assert!(
        served.get("/api/state").json()["documents"]
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing was kept"
    );
    let r = served.upload(&[("fine.txt", small)]);
    assert_eq!(r.status, 200, "under the caps: {}", r.text());

    // JSON requests have their own, small cap (16 MB), whatever the upload cap.
    let huge = format!(r#"{{"ids":[{}1]}}"#, "1,".repeat(9 << 20));
    let origin = format!("http://127.0.0.1:{}", served.port);
    let r = request(
        served.port,
        "POST",
        "/api/remove",
        &[
            ("X-Termtally-Token", &served.token),
            ("Origin", &origin),
            ("Content-Type", "application/json"),
        ],
        huge.as_bytes(),
    );
    assert_eq!(r.status, 413, "{}", r.text());
}

#[cfg(target_os = "linux")]
#[test]
fn it_listens_on_loopback_only() {
    let served = Served::start(None, &[]);
    let port = format!("{:04X}", served.port);
    let mut listening = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address is HEXIP:PORT; state 0A is LISTEN.
            if fields.len() > 3 && fields[3] == "0A" && fields[1].ends_with(&format!(":{port}")) {
                listening.push(fields[1].split(':').next().unwrap().to_string());
            }
        }
    }
    assert!(!listening.is_empty(), "the server's socket was not found");
    for address in &listening {
        assert!(
            address == "0100007F" || address == "00000000000000000000000001000000",
            "listening on {address}, not loopback"
        );
    }
    // And a connection to this machine's own network address is refused.
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    if probe.connect("10.255.255.254:9").is_ok() {
        let ip = probe.local_addr().unwrap().ip();
        if !ip.is_loopback() && !ip.is_unspecified() {
            let address = std::net::SocketAddr::new(ip, served.port);
            let connected =
                std::net::TcpStream::connect_timeout(&address, std::time::Duration::from_secs(2));
            assert!(connected.is_err(), "reachable on {address}");
        }
    }
}

#[test]
fn names_and_text_are_escaped_in_the_report() {
    let served = Served::start(None, &[]);
    let name = "<script>alert(1)</script><img src=x onerror=alert(2)>.txt";
    let text = b"Parents <img src=x onerror=alert(3)> were consulted; co-operation <script>alert(4)</script>.";
    let up = served.upload(&[(name, text)]);
    assert_eq!(up.status, 200, "{}", up.text());
    let id = up.json()["documents"][0]["id"].as_u64().unwrap();
    assert_eq!(
        up.json()["documents"][0]["name"],
        name,
        "the name is kept as given, as data"
    );
    let made = served.post_json("/api/report", &settings(&[id]));
    let url = made.json()["url"].as_str().unwrap().to_string();
    let page = served.get(&url);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "the name is shown escaped"
    );
    for raw in ["<script>alert", "<img src=x"] {
        assert!(!html.contains(raw), "{raw} reached the report unescaped");
    }
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'self'"),
        "{csp}"
    );
}

/// `termtally count FILE --format json`'s term rows: (term, category, count, excluded, tokens).
fn cli_counts(file: &Path) -> Vec<(String, String, u64, u64, u64)> {
    term_rows(&util::json_of(&[
        "count",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]))
}

fn term_rows(json: &serde_json::Value) -> Vec<(String, String, u64, u64, u64)> {
    util::rows(json)
        .iter()
        .filter(|r| r["kind"] == "term")
        .map(|r| {
            let n = |k: &str| r[k].as_u64().unwrap();
            (
                r["term"].as_str().unwrap().to_string(),
                r["category"].as_str().unwrap().to_string(),
                n("count"),
                n("excluded"),
                n("tokens"),
            )
        })
        .collect()
}

#[test]
fn counts_equal_count_json_and_a_corrupt_pdf_fails_alone() {
    let served = Served::start(None, &[]);
    let pdf = example("rutland-03-august-2023.pdf");
    let bytes = std::fs::read(&pdf).unwrap();
    let corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage without xref".to_vec();
    let up = served.upload(&[("rutland.pdf", &bytes), ("corrupt.pdf", &corrupt)]);
    assert_eq!(up.status, 200, "{}", up.text());
    let json = up.json();
    assert_eq!(json["documents"].as_array().unwrap().len(), 1);
    assert_eq!(json["failures"][0]["name"], "corrupt.pdf");
    assert!(!json["failures"][0]["reason"].as_str().unwrap().is_empty());
    let id = json["documents"][0]["id"].as_u64().unwrap();
    let counted = served.post_json("/api/count", &settings(&[id]));
    assert_eq!(counted.status, 200, "{}", counted.text());
    let expected = cli_counts(&pdf);
    assert!(expected.iter().any(|r| r.2 > 0), "the example has hits");
    assert_eq!(term_rows(&counted.json()), expected);

    // The CSV download by page: `count --by page --format csv -o FILE`'s rows, which add up to
    // the document's counts.
    let mut by_page = settings(&[id]);
    by_page["by"] = "page".into();
    by_page["format"] = "csv".into();
    let csv = served.post_json("/api/download", &by_page);
    assert_eq!(csv.status, 200, "{}", csv.text());
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("termtally-counts.csv")
    );
    let text = csv.text();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut pages = std::collections::BTreeSet::new();
    let mut sums = std::collections::BTreeMap::<String, u64>::new();
    for record in reader.records() {
        let record = record.unwrap();
        pages.insert(record[col("unit")].to_string());
        *sums.entry(record[col("term")].to_string()).or_default() +=
            record[col("count")].parse::<u64>().unwrap();
    }
    assert!(pages.len() > 1, "rows of several pages: {pages:?}");
    for (term, _, count, _, _) in &expected {
        assert_eq!(
            sums.get(term).copied().unwrap_or(0),
            *count,
            "{term}: pages add up"
        );
    }

    // The PDF is served for the browser's viewer, sandboxed and never sniffed.
    let served_pdf = served.get(&format!("/document/{id}"));
    assert_eq!(served_pdf.status, 200);
    assert_eq!(served_pdf.body, bytes);
    assert_eq!(served_pdf.header("content-type"), Some("application/pdf"));
    assert_eq!(served_pdf.header("x-content-type-options"), Some("nosniff"));
    assert!(
        served_pdf
            .header("content-security-policy")
            .unwrap()
            .starts_with("sandbox")
    );

    // The concordance: the same hits as `termtally kwic`.
    let search = served.post_json("/api/search", &{
        let mut s = settings(&[id]);
        s["pattern"] = "parent*".into();
        s
    });
    let kwic = util::json_of(&["kwic", "parent*", pdf.to_str().unwrap(), "--format", "json"]);
    let kwic_hits = util::rows(&kwic).len() as u64;
    assert!(kwic_hits > 0);
    assert_eq!(
        search.json()["total"].as_u64(),
        Some(kwic_hits),
        "{}",
        search.text()
    );
    assert!(
        search.json()["hits"][0]["cite"]
            .as_str()
            .unwrap()
            .starts_with("p. ")
    );
}

#[cfg(unix)]
#[test]
fn the_private_folder_is_0700_and_removed_on_sigterm_and_when_stale() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let stale = tmp.path().join("termtally-serve-2147483632-abcd");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("000001.pdf"), "left by a crash").unwrap();
    let mut served = Served::start_in(tmp, None, &[]);
    assert!(!stale.exists(), "a stale folder is removed at start");
    let up = served.upload(&[("<b>name</b>.txt", b"Parents were consulted.")]);
    assert_eq!(up.status, 200);
    let folders = served.private_folders();
    assert_eq!(folders.len(), 1);
    let mode = std::fs::metadata(&folders[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    let stored: Vec<String> = util::file_names(&folders[0]);
    assert_eq!(stored, ["000001.txt"], "stored under a name termtally made");
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(served.child.id() as libc::pid_t, libc::SIGTERM) };
    let status = served.child.wait().unwrap();
    assert_eq!(status.code(), Some(143));
    assert!(!folders[0].exists(), "removed on SIGTERM");
}

/// Resident memory of process `pid` in KB.
#[cfg(target_os = "linux")]
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Child processes of `pid` still running (PDF workers).
#[cfg(target_os = "linux")]
fn children_of(pid: u32) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| {
            // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
            let after = &stat[stat.rfind(')').map_or(0, |i| i + 1)..];
            after.split_whitespace().nth(1) == Some(&pid.to_string())
        })
        .count()
}

/// Many clients at once, each uploading one document and counting it: every answer right, one
/// corrupt PDF failing alone, no worker left, memory back near where it started. 10 clients
/// here; `TERMTALLY_SERVE_LOAD_CLIENTS=50` for the full measurement.
#[cfg(target_os = "linux")]
#[test]
fn many_clients_at_once_each_get_their_own_right_counts() {
    let clients: usize = std::env::var("TERMTALLY_SERVE_LOAD_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let names = [
        "rutland-03-august-2023.pdf",
        "east-sussex-04-february-2025.pdf",
        "wiltshire-06-december-2024.pdf",
    ];
    let expected: Vec<_> = names.iter().map(|n| cli_counts(&example(n))).collect();
    let files: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(example(n)).unwrap())
        .collect();
    let served = Served::start(None, &[]);
    let pid = served.child.id();
    // Warm up once so the baseline includes the allocator's and the runtime's own memory.
    let warm = served.upload(&[("warm.pdf", &files[0])]);
    let warm_id = warm.json()["documents"][0]["id"].as_u64().unwrap();
    served.post_json("/api/count", &settings(&[warm_id]));
    served.post_json("/api/remove", &serde_json::json!({"ids": [warm_id]}));
    let before = rss_kb(pid);
    let started = std::time::Instant::now();
    let served_ref = &served;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|i| {
                let (files, expected) = (&files, &expected);
                scope.spawn(move || {
                    if i == clients / 2 {
                        let up =
                            served_ref.upload(&[("corrupt.pdf", b"%PDF-1.4\ngarbage, no objects")]);
                        assert_eq!(up.status, 200);
                        assert_eq!(up.json()["failures"][0]["name"], "corrupt.pdf");
                        return;
                    }
                    let k = i % files.len();
                    let up = served_ref.upload(&[(names[k], &files[k])]);
                    assert_eq!(up.status, 200, "client {i}: {}", up.text());
                    let id = up.json()["documents"][0]["id"]
                        .as_u64()
                        .unwrap_or_else(|| panic!("client {i}: {}", up.text()));
                    let counted = served_ref.post_json("/api/count", &settings(&[id]));
                    assert_eq!(term_rows(&counted.json()), expected[k], "client {i}");
                    let removed =
                        served_ref.post_json("/api/remove", &serde_json::json!({"ids": [id]}));
                    assert_eq!(removed.json()["removed"], 1);
                })
            })
            .collect();
        for h in handles {
            h.join().expect("a client failed");
        }
    });
    let elapsed = started.elapsed();
    assert!(
        elapsed.as_secs() < 240,
        "{clients} clients took {elapsed:?}"
    );
    assert_eq!(children_of(pid), 0, "a PDF worker was left behind");
    let after = rss_kb(pid);
    eprintln!(
        "{clients} clients: {elapsed:.1?}; server memory {before} KB before, {after} KB after"
    );
    // The documents and reports are let go and their pages given back (malloc_trim once the
    // pool is idle): within a few MB of the start, the code pages first used meanwhile included
    // (measured with 50 clients: +3.6 MB; +17 MB before the trim).
    assert!(
        after < before + 6 * 1024,
        "memory {before} KB -> {after} KB: more than 6 MB kept"
    );
    assert!(
        served
            .private_folders()
            .iter()
            .all(|d| util::file_names(d).is_empty()),
        "stored files removed"
    );
}

/// The Debian python3 (which has python3-selenium), else whatever python3 is on PATH.
fn python() -> &'static str {
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

/// The browser test (tests/browser/check_serve.py) over three Ofsted reports: upload through the
/// file input and a drop, the study lexicon's counts equal to `count --format json`, the
/// concordance equal to `kwic`, CSV and XLSX downloads, the term form's TOML, OLD/NEW compared,
/// script payloads inert. Screenshots go to docs/serve/ with TERMTALLY_SCREENSHOTS=1.
#[test]
fn in_headless_chromium_a_user_adds_counts_searches_downloads_and_compares() {
    let Some(reports) = util::ofsted_reports() else {
        return;
    };
    let docs: Vec<String> = reports[..3]
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let count = dir.path().join("count.json");
    let mut args = vec!["count", "--format", "json"];
    args.extend(docs.iter().map(String::as_str));
    std::fs::write(&count, util::json_of(&args).to_string()).unwrap();
    let pattern = "parent*";
    let mut args = vec!["kwic", pattern, "--format", "json"];
    args.extend(docs.iter().map(String::as_str));
    let kwic_total = util::rows(&util::json_of(&args)).len().to_string();
    let diff = dir.path().join("diff.csv");
    let mut args = vec!["diff", "--format", "csv", "--old", &docs[0], "--new"];
    args.extend(docs[1..].iter().map(String::as_str));
    std::fs::write(&diff, cli_stdout(&args)).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/check_serve.py");
    let mut command = Command::new(python());
    command.arg(script).arg(TERMTALLY).args(&docs).args([
        "--count",
        count.to_str().unwrap(),
        "--kwic-total",
        &kwic_total,
        "--pattern",
        pattern,
        "--diff",
        diff.to_str().unwrap(),
    ]);
    if std::env::var_os("TERMTALLY_SCREENSHOTS").is_some() {
        command.args([
            "--screenshots",
            concat!(env!("CARGO_MANIFEST_DIR"), "/docs/serve"),
        ]);
    }
    let output = command.output().expect("run python3");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        eprintln!(
            "\n*** SKIPPED: browser test: {} (CI installs chromium chromium-driver python3-selenium) ***\n",
            stderr.trim()
        );
        return;
    }
    assert!(output.status.success(), "browser checks failed:\n{stderr}");
}

#[test]
fn lexicons_upload_as_toml_quanteda_yaml_or_liwc_and_problems_name_their_line() {
    let served = Served::start(None, &[]);
    let toml = "name = \"mine\"\n[categories]\nshared = \"joint work\"\n[[terms]]\nlabel = \"Coproduce\"\ncategory = \"shared\"\nforms = [\"coproduce\", \"co-produce\"]\n";
    let yaml = "shared:\n  - coproduce\n  - partnership\ndirective:\n  - inform\n";
    let liwc = "%\n1\tshared\n2\tdirective\n%\ncoproduce\t1\npartnership\t1\ninform\t2\n";
    for (name, text, terms) in [
        ("mine.toml", toml, 1),
        ("mine.yml", yaml, 2),
        ("mine.dic", liwc, 2),
    ] {
        let r = served.post_json(
            "/api/lexicon",
            &serde_json::json!({"kind": "file", "name": name, "text": text}),
        );
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        let json = r.json();
        assert_eq!(
            json["terms"].as_array().unwrap().len(),
            terms,
            "{name}: {json}"
        );
        assert!(json["toml"].as_str().unwrap().contains("[[terms]]"));
        let forms = &json["terms"][0]["forms"];
        assert!(
            forms == &serde_json::json!(["coproduce", "co-produce"])
                || forms == &serde_json::json!(["coproduce", "partnership"]),
            "{name}: {forms}"
        );
    }
    let broken = "name = \"mine\"\n[categories]\nshared = \"x\"\n[[terms]]\nlabel = \"A\"\ncategory = \"nowhere\"\nforms = [\"a\"]\n";
    let r = served.post_json(
        "/api/lexicon",
        &serde_json::json!({"kind": "file", "name": "broken.toml", "text": broken}),
    );
    assert_eq!(r.status, 422);
    let error = r.json()["error"].as_str().unwrap().to_string();
    assert!(error.starts_with("broken.toml: line "), "{error}");
    // The term form, validated like a file: a term without forms is refused.
    let r = served.post_json(
        "/api/lexicon",
        &serde_json::json!({"kind": "terms", "name": "form", "terms": [{"label": "A", "category": "c", "forms": []}]}),
    );
    assert_eq!(r.status, 422, "{}", r.text());
}

/// The `data:` lines that arrive on `events` within `wait`.
fn progress_within(
    events: &mut BufReader<std::net::TcpStream>,
    wait: std::time::Duration,
) -> Vec<String> {
    let deadline = std::time::Instant::now() + wait;
    let mut messages = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return messages;
        }
        events.get_ref().set_read_timeout(Some(left)).unwrap();
        let mut line = String::new();
        match events.read_line(&mut line) {
            Ok(0) | Err(_) => return messages,
            Ok(_) => {
                if let Some(data) = line.trim().strip_prefix("data:") {
                    messages.push(data.trim().to_string());
                }
            }
        }
    }
}

#[test]
fn progress_goes_only_to_the_tab_that_started_the_work() {
    let served = Served::start(None, &[]);
    let (mine, other) = ("a1".repeat(16), "b2".repeat(16));
    let mut my_events = served.events(&mine);
    let mut other_events = served.events(&other);
    let up = served.upload_as(&[("notes.txt", b"Parents were consulted.")], &mine);
    assert_eq!(up.status, 200, "{}", up.text());
    let wait = std::time::Duration::from_secs(5);
    let got = progress_within(&mut my_events, wait);
    assert!(
        got.iter().any(|m| m == "Read notes.txt (1 of 1)"),
        "the tab that uploaded: {got:?}"
    );
    let leaked = progress_within(&mut other_events, std::time::Duration::from_secs(1));
    assert!(leaked.is_empty(), "another tab heard {leaked:?}");
    // Without a session id there is no stream to listen to everyone's.
    assert_eq!(served.get("/api/events").status, 400);
}

/// A CSV download's records (the byte order mark dropped), header first.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn csv_with_header(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    (header, csv_records(text))
}

/// The columns `keep` of each record, by name.
fn columns(header: &[String], records: &[Vec<String>], keep: &[&str]) -> Vec<Vec<String>> {
    let at: Vec<usize> = keep
        .iter()
        .map(|k| {
            header
                .iter()
                .position(|h| h == k)
                .unwrap_or_else(|| panic!("no {k} in {header:?}"))
        })
        .collect();
    records
        .iter()
        .map(|r| at.iter().map(|&i| r[i].clone()).collect())
        .collect()
}

fn cli_stdout(args: &[&str]) -> String {
    String::from_utf8(util::output_ok(util::termtally().args(args)).stdout).unwrap()
}

#[test]
fn every_table_downloads_as_the_command_writes_it_and_a_scope_counts_as_count_pages() {
    let served = Served::start(None, &[]);
    let (old_pdf, new_pdf) = (
        example("rutland-03-august-2023.pdf"),
        example("east-sussex-04-february-2025.pdf"),
    );
    let up = served.upload(&[
        (
            "rutland-03-august-2023.pdf",
            &std::fs::read(&old_pdf).unwrap(),
        ),
        (
            "east-sussex-04-february-2025.pdf",
            &std::fs::read(&new_pdf).unwrap(),
        ),
    ]);
    assert_eq!(up.status, 200, "{}", up.text());
    let ids: Vec<u64> = up.json()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_u64().unwrap())
        .collect();
    let (old, new) = (old_pdf.to_str().unwrap(), new_pdf.to_str().unwrap());
    let download = |extra: serde_json::Value| {
        let mut body = settings(&ids);
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let r = served.post_json("/api/download", &body);
        assert_eq!(r.status, 200, "{extra}: {}", r.text());
        r
    };

    // The Change tables: `diff --old OLD --new NEW --format csv`, row for row.
    let change = download(
        serde_json::json!({"old": [ids[0]], "new": [ids[1]], "table": "change", "format": "csv"}),
    );
    assert!(
        change
            .header("content-disposition")
            .unwrap()
            .contains("termtally-change.csv")
    );
    let cli = cli_stdout(&["diff", "--old", old, "--new", new, "--format", "csv"]);
    let (header, app_rows) = csv_with_header(&change.text());
    let (cli_header, cli_rows) = csv_with_header(&cli);
    assert_eq!(header, cli_header);
    assert!(
        app_rows.len() > 10,
        "terms and categories: {}",
        app_rows.len()
    );
    assert_eq!(app_rows, cli_rows, "the Change CSV is diff's");
    let xlsx = download(
        serde_json::json!({"old": [ids[0]], "new": [ids[1]], "table": "change", "format": "xlsx"}),
    );
    assert!(xlsx.body.starts_with(b"PK"), "an xlsx workbook (a zip)");

    // The concordance of the search: `kwic PATTERN --format csv`'s hits, in order.
    let kwic = download(
        serde_json::json!({"table": "concordance", "pattern": "parent*", "format": "csv"}),
    );
    let cli = cli_stdout(&["kwic", "parent*", old, new, "--format", "csv"]);
    let keep = ["document", "page", "cite", "left", "match", "right"];
    let (header, app_rows) = csv_with_header(&kwic.text());
    let (cli_header, cli_rows) = csv_with_header(&cli);
    assert!(!app_rows.is_empty());
    assert_eq!(
        columns(&header, &app_rows, &keep),
        columns(&cli_header, &cli_rows, &keep)
    );

    // Category totals: count's category rows.
    let categories = download(serde_json::json!({"table": "categories", "format": "csv"}));
    let (header, rows) = csv_with_header(&categories.text());
    let kind = header.iter().position(|h| h == "kind").unwrap();
    assert!(
        !rows.is_empty() && rows.iter().all(|r| r[kind] == "category"),
        "{rows:?}"
    );

    // The lexicon as TOML, and the whole report page.
    let toml = download(serde_json::json!({"format": "toml"}));
    assert!(toml.text().contains("[[terms]]"));
    let html = download(serde_json::json!({"format": "html"}));
    assert!(
        html.text().contains("<section id=\"terms\""),
        "the report page"
    );

    // A scope: the counts of `count --pages 2-3 --format json`, noted as its scope.
    let mut scoped = settings(&ids[..1]);
    scoped["pages"] = "2-3".into();
    let counted = served.post_json("/api/count", &scoped);
    assert_eq!(counted.status, 200, "{}", counted.text());
    let cli = util::json_of(&["count", old, "--pages", "2-3", "--format", "json"]);
    assert_eq!(term_rows(&counted.json()), term_rows(&cli));
    assert_ne!(
        term_rows(&cli),
        cli_counts(&old_pdf),
        "the scope changes the counts"
    );
    assert_eq!(counted.json()["scope"], cli["scope"]);
    // The report's Method section gives a command that reproduces the scoped counts.
    let made = served.post_json("/api/report", &scoped);
    assert_eq!(made.status, 200, "{}", made.text());
    let page = served.get(made.json()["url"].as_str().expect("url"));
    assert!(
        page.text().contains("--mode word --pages 2-3 "),
        "the printed command lacks the scope"
    );
    scoped["pages"] = "two".into();
    let refused = served.post_json("/api/count", &scoped);
    assert_eq!(refused.status, 422);
    assert!(
        error_of(&refused).starts_with("pages \"two\""),
        "{}",
        refused.text()
    );
}
