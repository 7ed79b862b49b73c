//! The HTTP components' route table: every route `prescreen build --http` serves, with
//! the status and body it must answer for the sample package. The in-process host test
//! (crates/runtime) and the `wasmtime serve` test (crates/cli) send the same table, so
//! the components answer the same under our host and under the real CLI.

use serde_json::{Value, json};

/// The components' request-body limit (`guest-common`'s `MAX_BODY_BYTES`).
pub const MAX_BODY_BYTES: usize = 24 * 1024 * 1024;

/// The components' item limit (core's `Limits::default().max_items`).
const MAX_ITEMS: usize = 64;

/// One request and what must come back.
pub struct Route {
    /// Names the case in failure messages.
    pub case: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path and query.
    pub path: &'static str,
    /// Request body (empty for `GET`).
    pub body: Vec<u8>,
    /// Expected HTTP status.
    pub status: u16,
    /// What the JSON body must say.
    pub expect: Expect,
}

/// The part of a JSON answer a route checks.
pub enum Expect {
    /// `/healthz`: `status: ok` and the active package's digest.
    Health,
    /// `/v1/info`: the sample package's name and digest.
    Info,
    /// `/v1/screen`: a verdict with this action.
    Verdict(&'static str),
    /// A typed error with this `error` tag and a message.
    Error(&'static str),
    /// The core's `too_large` error for one limit.
    TooLarge {
        /// The limit's name (`items`, `field-bytes`, ...).
        limit: &'static str,
        /// Its value.
        max: u64,
        /// What the upload had.
        actual: u64,
    },
}

/// Every route, for the sample package (`packages/ad-policy`) built into the component.
pub fn routes() -> Vec<Route> {
    let mut routes = vec![
        route("health", "GET", "/healthz", Vec::new(), 200, Expect::Health),
        route("info", "GET", "/v1/info", Vec::new(), 200, Expect::Info),
    ];
    for (file, action) in SAMPLE_UPLOADS {
        let body = std::fs::read(crate::sample_file(&format!("uploads/{file}"))).unwrap();
        routes.push(route(file, "POST", "/v1/screen", body, 200, Expect::Verdict(action)));
    }
    routes.extend([
        error("invalid JSON", "POST", "/v1/screen", b"{\"id\": ".to_vec(), 400, "bad_request"),
        error("not an upload", "POST", "/v1/screen", br#"{"id": 7}"#.to_vec(), 400, "bad_request"),
        error("empty body", "POST", "/v1/screen", Vec::new(), 400, "bad_request"),
        error(
            "empty upload id",
            "POST",
            "/v1/screen",
            br#"{"id": "", "market": "US", "fields": []}"#.to_vec(),
            422,
            "invalid_input",
        ),
        error(
            "oversized body",
            "POST",
            "/v1/screen",
            vec![b' '; MAX_BODY_BYTES + 1],
            413,
            "body_too_large",
        ),
        error("unknown route", "GET", "/v2/screen", Vec::new(), 404, "not_found"),
        error("root", "GET", "/", Vec::new(), 404, "not_found"),
        error("screen by GET", "GET", "/v1/screen", Vec::new(), 405, "method_not_allowed"),
        error("info by POST", "POST", "/v1/info", b"{}".to_vec(), 405, "method_not_allowed"),
    ]);
    let fields: Vec<Value> =
        (0..=MAX_ITEMS).map(|i| json!({"name": format!("f{i}"), "text": "x"})).collect();
    let body = serde_json::to_vec(&json!({"id": "many", "market": "US", "fields": fields}));
    routes.push(route(
        "too many fields",
        "POST",
        "/v1/screen",
        body.unwrap(),
        422,
        Expect::TooLarge { limit: "items", max: MAX_ITEMS as u64, actual: MAX_ITEMS as u64 + 1 },
    ));
    routes
}

/// The sample uploads and the action the sample package gives each.
pub const SAMPLE_UPLOADS: [(&str, &str); 9] = [
    ("risky-ru-en.json", "block"),
    ("gambling-ru.json", "block"),
    ("scam-en.json", "block"),
    ("counterfeit-en.json", "block"),
    ("risky-image.json", "block"),
    ("risky-video.json", "block"),
    ("clean-en.json", "pass"),
    ("clean-ru.json", "pass"),
    ("clean-media.json", "pass"),
];

/// The one other method a route takes, which a 405's `allow` names.
fn other_method(method: &str) -> &'static str {
    if method == "GET" { "POST" } else { "GET" }
}

/// A route answered with the typed error `error`.
fn error(
    case: &str,
    method: &'static str,
    path: &'static str,
    body: Vec<u8>,
    status: u16,
    error: &'static str,
) -> Route {
    route(case, method, path, body, status, Expect::Error(error))
}

fn route(
    case: &str,
    method: &'static str,
    path: &'static str,
    body: Vec<u8>,
    status: u16,
    expect: Expect,
) -> Route {
    Route { case: case.to_string(), method, path, body, status, expect }
}

impl Route {
    /// Checks an answer (status, `allow` header, JSON body) against the route; `digest`
    /// is the built package's. The error names the case and shows the body.
    pub fn check(
        &self,
        status: u16,
        allow: Option<&str>,
        json: &Value,
        digest: &str,
    ) -> Result<(), String> {
        let fail = |what: &str| Err(format!("{} {}: {what}: {json}", self.method, self.case));
        if status != self.status {
            return fail(&format!("status {status}, expected {}", self.status));
        }
        let ok = match &self.expect {
            Expect::Health => json["status"] == "ok" && json["active"]["digest"] == digest,
            Expect::Info => json["name"] == "ad-policy" && json["digest"] == digest,
            Expect::Verdict(action) => {
                let verdict = &json["verdict"];
                verdict["action"] == *action
                    && json["version"]["digest"] == digest
                    && (*action != "pass" || verdict["hits"].as_array().is_some_and(Vec::is_empty))
            }
            Expect::Error(error) => {
                json["error"] == *error
                    && json["message"].as_str().is_some_and(|m| !m.is_empty())
                    && (status != 405 || allow == Some(other_method(self.method)))
            }
            Expect::TooLarge { limit, max, actual } => {
                json["error"] == "too_large"
                    && json["limit"] == *limit
                    && json["max"] == *max
                    && json["actual"] == *actual
                    && json["version"]["name"] == "ad-policy"
            }
        };
        if ok { Ok(()) } else { fail("unexpected answer") }
    }
}
