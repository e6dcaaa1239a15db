//! The checks every request passes before a route sees it, and the headers every response
//! gets. Refusals are 403 with one sentence saying why.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::App;

/// Header a POST carries the token in (the page reads it from its own markup).
pub const TOKEN_HEADER: &str = "x-termtally-token";

/// Longest a request may take (an upload of many PDFs included).
const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(600);

pub fn refuse(status: StatusCode, why: &str) -> Response {
    let body = serde_json::json!({ "error": why }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl App {
    /// `Host` values of this server: anything else is a DNS-rebinding attempt.
    fn is_own_host(&self, host: &str) -> bool {
        let port = self.port;
        [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("[::1]:{port}"),
        ]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(host))
    }

    pub fn cookie_name(&self) -> String {
        // Browsers share cookies across the ports of a host: one name per port.
        format!("termtally-{}", self.port)
    }

    fn cookie_token<'h>(&self, headers: &'h HeaderMap) -> Option<&'h str> {
        let name = self.cookie_name();
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// A state-changing request from this page: the token in its header, and (for browsers,
    /// which send them) an `Origin` of this server and no cross-site `Sec-Fetch-Site`.
    fn is_same_origin_post(&self, headers: &HeaderMap) -> bool {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let token = text(TOKEN_HEADER).is_some_and(|t| self.token.matches(t));
        let origin = text("origin").is_none_or(|o| {
            o.strip_prefix("http://")
                .is_some_and(|host| self.is_own_host(host))
        });
        let site = text("sec-fetch-site").is_none_or(|s| s == "same-origin");
        token && origin && site
    }
}

/// The token in the query string (`?token=…`), as the printed URL carries it.
fn query_token(request: &Request) -> Option<&str> {
    request
        .uri()
        .query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
}

pub async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = check(&app, request, next).await;
    secure_headers(response.headers_mut());
    response
}

async fn check(app: &App, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !app.is_own_host(host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "this server answers only to its own address (Host header refused)",
        );
    }
    let method = request.method().clone();
    if method != Method::GET && method != Method::HEAD && method != Method::POST {
        // OPTIONS included: no cross-origin preflight is ever granted.
        return refuse(StatusCode::FORBIDDEN, "method not allowed here");
    }
    if let (true, Some(candidate)) = (method == Method::GET, query_token(&request)) {
        if !app.token.matches(candidate) {
            return refuse(
                StatusCode::FORBIDDEN,
                "wrong token: open the address termtally serve printed",
            );
        }
        // The token moves into a cookie; the address bar (and history) keep the clean URL.
        let cookie = format!(
            "{}={}; HttpOnly; SameSite=Strict; Path=/",
            app.cookie_name(),
            candidate
        );
        let path = request.uri().path().to_string();
        let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, path)]).into_response();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return response;
    }
    let by_cookie = app
        .cookie_token(request.headers())
        .is_some_and(|t| app.token.matches(t));
    if method == Method::POST {
        if !app.is_same_origin_post(request.headers()) {
            return refuse(
                StatusCode::FORBIDDEN,
                "refused: a change must come from termtally's own page, with its token",
            );
        }
    } else if !by_cookie {
        return refuse(
            StatusCode::FORBIDDEN,
            "no token: open the address termtally serve printed (it ends with ?token=…)",
        );
    }
    match tokio::time::timeout(REQUEST_TIME_LIMIT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => refuse(StatusCode::SERVICE_UNAVAILABLE, "the request took too long"),
    }
}

/// Headers of every response: no caching, no referrer, no sniffing, no framing, nothing loaded
/// from elsewhere (routes that serve other content set their own, stricter or looser, CSP).
fn secure_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CACHE_CONTROL, "no-store");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, header::X_FRAME_OPTIONS, "DENY");
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
    }
    headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
}
