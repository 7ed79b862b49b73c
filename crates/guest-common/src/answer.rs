//! The HTTP contract: what each route answers, as an HTTP status and a JSON body. The
//! single definition of the wire shapes, used by the HTTP components and by
//! `prescreen serve` (`crates/gateway/src/screen.rs`), so a client can talk to either:
//! a verdict is `{"verdict": .., "version": {digest, name, version}}` ([`Screened`])
//! with 200; anything else is `{"error": kind, "message": ..}` ([`error_body`]), plus
//! the typed screen error's own fields ([`screen_error_body`]). The components add no
//! `fallback` field (they have no configured fallback action, the caller applies its
//! own); the gateway adds its fallback, and its latency.
//!
//! Plain Rust over prescreen-core, no wasi:http types: the p3 (spin-sdk) and p2
//! (`wasip2`) services answer alike, and it is unit-tested natively.

use prescreen_core::{PackageInfo, ScreenError, Screener, Upload};
use serde::Serialize;

/// Largest request body, like `prescreen serve`'s default: base64 makes a 16 MiB
/// image (the core's largest) 21.3 MiB of JSON; the rest is room for the text.
pub const MAX_BODY_BYTES: u64 = 24 * 1024 * 1024;

/// One answer, before it becomes a wasi:http response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The `allow` header of a 405.
    pub allow: Option<&'static str>,
}

/// The routes the component serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Screen,
    Info,
    Health,
}

/// What identifies the package in every verdict and health answer.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct VersionTag<'a> {
    /// SHA-256 of the compiled package: what the verdicts depend on.
    pub digest: &'a str,
    /// The package's name.
    pub name: &'a str,
    /// The package's version.
    pub version: &'a str,
}

impl<'a> VersionTag<'a> {
    /// The tag of a loaded package.
    pub fn of(info: &'a PackageInfo) -> VersionTag<'a> {
        VersionTag { digest: &info.digest, name: &info.name, version: &info.version }
    }
}

/// The body of a 200 from `POST /v1/screen`.
#[derive(Serialize)]
pub struct Screened<'a> {
    /// What the package decided.
    pub verdict: &'a prescreen_core::Verdict,
    /// Which package decided it.
    pub version: VersionTag<'a>,
    /// Time spent on the request, where the server measures it (the gateway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<u64>,
}

/// The body of an answer without a verdict: `{"error": kind, "message": ..}`.
pub fn error_body(kind: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "error": kind, "message": message })
}

/// The body of a typed screen error: the error exactly as the core serializes it
/// (`error` and its own fields, which win), a message and the deciding version.
pub fn screen_error_body(e: &ScreenError, version: VersionTag<'_>) -> serde_json::Value {
    let mut body = error_body(e.kind(), &e.to_string());
    body["version"] = serde_json::json!(version);
    if let (Ok(serde_json::Value::Object(fields)), Some(map)) =
        (serde_json::to_value(e), body.as_object_mut())
    {
        map.extend(fields);
    }
    body
}

/// Routes by path first, so a known path with the wrong method is a 405 (naming the
/// method it takes) and only an unknown path is a 404.
pub fn route(method: &str, path: &str) -> Result<Route, Reply> {
    let (route, allowed) = match path {
        "/v1/screen" => (Route::Screen, "POST"),
        "/v1/info" => (Route::Info, "GET"),
        "/healthz" => (Route::Health, "GET"),
        _ => return Err(error(404, "not_found", &format!("no route for {path}"))),
    };
    if method != allowed {
        let mut reply =
            error(405, "method_not_allowed", &format!("{path} takes {allowed}, not {method}"));
        reply.allow = Some(allowed);
        return Err(reply);
    }
    Ok(route)
}

/// `POST /v1/screen`: parses the upload and screens it. 400 for a body that is not
/// an upload, 422 for the screener's typed errors, 503 without a package.
pub fn screen(screener: Option<&Screener>, body: &[u8]) -> Reply {
    let Some(screener) = screener else { return not_loaded() };
    let upload: Upload = match serde_json::from_slice(body) {
        Ok(upload) => upload,
        Err(e) => return error(400, "bad_request", &format!("invalid upload JSON: {e}")),
    };
    let info = screener.info();
    match screener.screen(&upload) {
        Ok(verdict) => json(
            200,
            &Screened { verdict: &verdict, version: VersionTag::of(info), latency_us: None },
        ),
        Err(e) => json(422, &screen_error_body(&e, VersionTag::of(info))),
    }
}

/// `GET /v1/info`: the package as `prescreen info` prints it.
pub fn info(screener: Option<&Screener>) -> Reply {
    match screener {
        Some(screener) => json(200, screener.info()),
        None => not_loaded(),
    }
}

/// `GET /healthz`: 200 with the package's version, 503 without a package, so a
/// health check catches a component that `prescreen build` did not make.
pub fn health(screener: Option<&Screener>) -> Reply {
    match screener {
        Some(screener) => json(
            200,
            &serde_json::json!({ "status": "ok", "active": VersionTag::of(screener.info()) }),
        ),
        None => not_loaded(),
    }
}

/// A body over [`MAX_BODY_BYTES`], by its `content-length` or as it streamed in.
pub fn body_too_large() -> Reply {
    error(
        413,
        "body_too_large",
        &format!("the request body is over the {MAX_BODY_BYTES}-byte limit"),
    )
}

/// The body could not be read (the client went away, a malformed stream).
pub fn unreadable_body(reason: &str) -> Reply {
    error(400, "bad_request", &format!("cannot read the request body: {reason}"))
}

fn not_loaded() -> Reply {
    let e = ScreenError::NotLoaded;
    error(503, "not_loaded", &format!("{e} (build it with `prescreen build --http`)"))
}

fn error(status: u16, kind: &str, message: &str) -> Reply {
    json(status, &error_body(kind, message))
}

fn json(status: u16, value: &impl Serialize) -> Reply {
    // Serializing our own types to a Vec cannot fail (no maps with non-string keys,
    // no I/O); an empty object keeps the response well-formed all the same.
    Reply {
        status,
        body: serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec()),
        allow: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescreen_core::Compiler;

    fn screener() -> Screener {
        let table = "id\tterm\tcategory\taction\ncasino\tcasino\tgambling\tblock\n";
        Screener::new(
            Compiler::new()
                .built_at(1_700_000_000)
                .unwrap()
                .compile_strs("name = \"t\"\nversion = \"1\"\n", table)
                .unwrap(),
        )
        .unwrap()
    }

    fn body(reply: &Reply) -> serde_json::Value {
        serde_json::from_slice(&reply.body).unwrap()
    }

    #[test]
    fn routes() {
        // (method, path, route or error status)
        let table: [(&str, &str, Result<Route, u16>); 8] = [
            ("POST", "/v1/screen", Ok(Route::Screen)),
            ("GET", "/v1/info", Ok(Route::Info)),
            ("GET", "/healthz", Ok(Route::Health)),
            ("GET", "/v1/screen", Err(405)),
            ("PUT", "/v1/screen", Err(405)),
            ("POST", "/healthz", Err(405)),
            ("GET", "/", Err(404)),
            ("POST", "/v1/screen/", Err(404)),
        ];
        for (method, path, want) in table {
            let got = route(method, path).map_err(|r| r.status);
            assert_eq!(got, want, "{method} {path}");
        }
        assert_eq!(route("GET", "/v1/screen").unwrap_err().allow, Some("POST"));
    }

    #[test]
    fn screen_answers() {
        let s = screener();
        // (name, body, status, `error` or verdict action)
        let table: [(&str, &[u8], u16, &str); 5] = [
            (
                "risky",
                br#"{"id":"a","market":"US","fields":[{"name":"body","text":"casino"}]}"#,
                200,
                "block",
            ),
            (
                "clean",
                br#"{"id":"b","market":"US","fields":[{"name":"body","text":"shoes"}]}"#,
                200,
                "pass",
            ),
            ("not json", b"{", 400, "bad_request"),
            ("not an upload", br#"{"id":1}"#, 400, "bad_request"),
            ("empty id", br#"{"id":"","market":"US","fields":[]}"#, 422, "invalid_input"),
        ];
        for (name, input, status, want) in table {
            let reply = screen(Some(&s), input);
            assert_eq!(reply.status, status, "{name}");
            let b = body(&reply);
            let got = if status == 200 { &b["verdict"]["action"] } else { &b["error"] };
            assert_eq!(got, want, "{name}: {b}");
            if status != 400 {
                assert_eq!(b["version"]["digest"], s.info().digest.as_str(), "{name}");
            }
        }
    }

    #[test]
    fn no_package_is_503() {
        for reply in [screen(None, b"{}"), info(None), health(None)] {
            assert_eq!(reply.status, 503);
            assert_eq!(body(&reply)["error"], "not_loaded");
        }
    }
}
