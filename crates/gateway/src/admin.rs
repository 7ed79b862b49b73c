//! The admin routes, served on their own listener (loopback by default) and, with a
//! token configured, only to `Authorization: Bearer <token>`:
//!
//! - `POST /admin/deploy[?mode=replace|canary|shadow][&percent=N][&sha256=HEX]`, body
//!   the component bytes or JSON `{"path": ..., "expected_sha256": ..., "signature": ...}`;
//!   headers `x-prescreen-sha256` and `x-prescreen-signature` may carry the digest and
//!   the ed25519 signature instead;
//! - `POST /admin/promote`, `POST /admin/rollback`, `GET /admin/status`.
//!
//! A deploy is checked (digest, signature), loaded and smoke-screened before the
//! swap; nothing it does can change what in-flight requests run on.

use super::conn;
use super::deploy::{self, DeployError, DeployRequest, Mode, NativeCode, Source};
use super::metrics::{Outcome, ShadowResult};
use super::signing::{self, Refusal};
use super::{AppState, MAX_COMPONENT_BYTES};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

fn error(status: StatusCode, kind: &str, message: impl std::fmt::Display) -> Response {
    (status, axum::Json(serde_json::json!({ "error": kind, "message": message.to_string() })))
        .into_response()
}

/// Refuses admin requests without the configured bearer token.
pub async fn authorize(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.admin_token {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|g| constant_time_eq(g.as_bytes(), token.as_bytes())) {
            return error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "admin routes need `Authorization: Bearer <token>`",
            );
        }
    }
    next.run(request).await
}

/// Compares without an early exit, so response time does not reveal how much of a
/// guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Deserialize)]
pub struct DeployQuery {
    mode: Option<String>,
    percent: Option<u8>,
    sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployJson {
    path: Option<PathBuf>,
    /// An OCI reference pinned by digest, fetched by the server.
    oci: Option<String>,
    expected_sha256: Option<String>,
    signature: Option<String>,
}

fn mode_of(query: &DeployQuery) -> Result<Mode, String> {
    match (query.mode.as_deref().unwrap_or("replace"), query.percent) {
        ("replace", None) => Ok(Mode::Replace),
        ("shadow", None) => Ok(Mode::Shadow),
        ("canary", Some(p)) if (1..=100).contains(&p) => Ok(Mode::Canary { percent: p }),
        ("canary", _) => Err("mode=canary needs percent=1..100".into()),
        ("replace" | "shadow", Some(_)) => Err("percent only goes with mode=canary".into()),
        (other, _) => Err(format!("unknown mode `{other}` (replace, canary or shadow)")),
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// What the deploy body and headers ask for.
fn deploy_request(
    query: &DeployQuery,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<DeployRequest, String> {
    let mut digests = vec![query.sha256.clone(), header_str(headers, "x-prescreen-sha256")];
    let mut signature = header_str(headers, "x-prescreen-signature");
    let source = if body.starts_with(b"\0asm") || body.starts_with(b"\x7fELF") {
        Source::Bytes(body.to_vec())
    } else if body.trim_ascii_start().starts_with(b"{") {
        let json: DeployJson =
            serde_json::from_slice(&body).map_err(|e| format!("invalid deploy JSON: {e}"))?;
        digests.push(json.expected_sha256);
        signature = json.signature.or(signature);
        match (json.path, json.oci) {
            (Some(path), None) => Source::Path(path),
            (None, Some(reference)) => Source::Oci(reference),
            _ => return Err("deploy JSON names exactly one of `path` and `oci`".into()),
        }
    } else {
        return Err(
            "the body must be a wasm component, or JSON {\"path\": ...} or {\"oci\": ...}".into()
        );
    };
    // Every digest the request states must be the same one: a wrong header beside a
    // right query is a mistake or an attack, never resolved by picking one (issue #15).
    let mut stated = digests.into_iter().flatten();
    let expected = stated.next();
    if let Some(e) = &expected {
        signing::validate_sha256(e).map_err(|e| e.to_string())?;
        if stated.any(|other| !other.eq_ignore_ascii_case(e)) {
            return Err("the request states different sha256 digests (query, header, JSON)".into());
        }
    }
    Ok(DeployRequest { source, expected_sha256: expected, signature })
}

pub async fn deploy(
    State(state): State<Arc<AppState>>,
    query: Result<Query<DeployQuery>, QueryRejection>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let query = match query {
        Ok(Query(q)) => q,
        Err(rejection) => return error(rejection.status(), "bad_request", rejection.body_text()),
    };
    let body = match conn::read_body(&headers, body, MAX_COMPONENT_BYTES).await {
        Ok(body) => body,
        Err(refused) => return error(refused.status, refused.kind, refused.message),
    };
    let (mode, request) = match mode_of(&query)
        .and_then(|mode| Ok((mode, deploy_request(&query, &headers, body)?)))
    {
        Ok(r) => r,
        Err(message) => {
            state.metrics.admin("deploy", false);
            return error(StatusCode::BAD_REQUEST, "bad_request", message);
        }
    };
    // A path's file is read before the lock: a FIFO or a slow disk then holds up this
    // request only, never a rollback (issue #15).
    let mut request = request;
    let fetch_state = state.clone();
    let read = move || deploy::read_source(request.source, fetch_state.fetch.as_deref());
    request.source = match tokio::task::spawn_blocking(read).await {
        Ok(Ok(source)) => source,
        Ok(Err(e)) => {
            state.metrics.admin("deploy", false);
            return error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_component", e);
        }
        Err(join) => {
            state.metrics.admin("deploy", false);
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "host",
                format!("reading the file failed: {join}"),
            );
        }
    };
    // One admin change at a time; requests keep flowing meanwhile.
    let _guard = state.deployments.lock.lock().await;
    let job_state = state.clone();
    let prepared = tokio::task::spawn_blocking(move || {
        deploy::prepare(
            &job_state.runtime,
            request,
            job_state.public_key.as_ref(),
            &job_state.limits,
            job_state.validator.as_ref().map_or(NativeCode::Refused, NativeCode::Validated),
        )
    })
    .await;
    let version = match prepared {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            state.metrics.admin("deploy", false);
            tracing::warn!("deploy refused: {e}");
            let (status, kind) = match &e {
                DeployError::Refused(Refusal::DigestMismatch { .. }) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "digest_mismatch")
                }
                DeployError::Refused(Refusal::Unsigned) => (StatusCode::FORBIDDEN, "unsigned"),
                DeployError::Refused(Refusal::BadSignature(_)) => {
                    (StatusCode::FORBIDDEN, "bad_signature")
                }
                DeployError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_component"),
            };
            return error(status, kind, e);
        }
        Err(join) => {
            state.metrics.admin("deploy", false);
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "host",
                format!("loading the component failed: {join}"),
            );
        }
    };
    let deployed = version.status();
    tracing::info!(mode = mode.name(), digest = %version.tag.digest, component_sha256 = %version.component_sha256, "deployed");
    let slots = state.deployments.deploy(version, mode);
    state.metrics.set_versions(slots.named());
    state.metrics.admin("deploy", true);
    let mut body = serde_json::json!({ "deployed": deployed, "mode": mode.name() });
    body["status"] = status_json(&state);
    (StatusCode::OK, axum::Json(body)).into_response()
}

pub async fn promote(State(state): State<Arc<AppState>>) -> Response {
    let _guard = state.deployments.lock.lock().await;
    match state.deployments.promote() {
        Ok(slots) => {
            state.metrics.set_versions(slots.named());
            state.metrics.admin("promote", true);
            tracing::info!(digest = %slots.active.tag.digest, "promoted");
            (StatusCode::OK, axum::Json(status_json(&state))).into_response()
        }
        Err(conflict) => {
            state.metrics.admin("promote", false);
            error(StatusCode::CONFLICT, "conflict", conflict.0)
        }
    }
}

pub async fn rollback(State(state): State<Arc<AppState>>) -> Response {
    let _guard = state.deployments.lock.lock().await;
    match state.deployments.rollback() {
        Ok((slots, what)) => {
            state.metrics.set_versions(slots.named());
            state.metrics.admin("rollback", true);
            tracing::info!(digest = %slots.active.tag.digest, "{what}");
            let mut body = status_json(&state);
            body["rollback"] = what.into();
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(conflict) => {
            state.metrics.admin("rollback", false);
            error(StatusCode::CONFLICT, "conflict", conflict.0)
        }
    }
}

pub async fn status(State(state): State<Arc<AppState>>) -> Response {
    (StatusCode::OK, axum::Json(status_json(&state))).into_response()
}

/// The slots and the counters an operator watches during a rollout.
fn status_json(state: &AppState) -> serde_json::Value {
    let m = &state.metrics;
    let mut body = state.deployments.current().status();
    let shadow: serde_json::Map<String, serde_json::Value> = ShadowResult::ALL
        .iter()
        .map(|r| (r.label().to_string(), m.shadow_count(*r).into()))
        .collect();
    body["counters"] = serde_json::json!({
        "requests": {
            "verdict": m.requests(Outcome::Verdict),
            "screen_error": m.requests(Outcome::ScreenError),
            "fault": m.requests(Outcome::Fault),
            "rejected": m.requests(Outcome::Rejected),
            "overloaded": m.requests(Outcome::Overloaded),
        },
        "shadow": shadow,
        "deploys": m.admin_count("deploy", true),
        "deploys_refused": m.admin_count("deploy", false),
        "promotions": m.admin_count("promote", true),
        "rollbacks": m.admin_count("rollback", true),
    });
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse() {
        let q = |mode: Option<&str>, percent| DeployQuery {
            mode: mode.map(str::to_string),
            percent,
            sha256: None,
        };
        assert_eq!(mode_of(&q(None, None)), Ok(Mode::Replace));
        assert_eq!(mode_of(&q(Some("canary"), Some(10))), Ok(Mode::Canary { percent: 10 }));
        assert!(mode_of(&q(Some("canary"), None)).is_err());
        assert!(mode_of(&q(Some("canary"), Some(0))).is_err());
        assert!(mode_of(&q(Some("shadow"), Some(5))).is_err());
        assert!(mode_of(&q(Some("blue-green"), None)).is_err());
    }

    #[test]
    fn tokens_compare() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }
}
