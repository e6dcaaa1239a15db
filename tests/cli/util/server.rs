//! A tiny HTTP/1.1 server on 127.0.0.1 for the tests that download (never the internet).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Serve the body whole.
    Normal,
    /// Send the headers and half the body, then stall (until the client goes away or 30 s).
    Stall,
}

/// A tiny HTTP/1.1 server on 127.0.0.1 serving fixed bodies by path. It stops by itself after
/// `max_requests` requests or 120 seconds.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub base: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    pub fn start(
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

    /// The paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
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
pub fn closed_port_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}
