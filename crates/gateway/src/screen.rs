//! `POST /v1/screen` and `GET /healthz`: the public routes.
//!
//! The handler only moves bytes; parsing, routing to a version and the wasm call run
//! on the worker pool. Every answer is JSON. A verdict is HTTP 200; anything else
//! carries `error` (its kind), `message` and `fallback` (the action the gateway
//! should apply), and names the version that was asked when there was one.

use super::AppState;
use super::conn;
use super::decisions;
use super::deploy::{Slots, Version, VersionTag};
use super::metrics::{Outcome, Route};
use super::reuse;
use super::shadow;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prescreen_core::{Action, ScreenError, Upload, Verdict};
use prescreen_guest_common::answer::{self, Screened, screen_error_body};
use prescreen_runtime::Fault;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// The digest of the package that decided the response.
pub const VERSION_HEADER: HeaderName = HeaderName::from_static("x-prescreen-version");
/// `active` or `canary`: which slot answered.
pub const ROUTE_HEADER: HeaderName = HeaderName::from_static("x-prescreen-route");

/// A finished answer, built on a worker and sent by the async side.
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    /// Version digest and route, when a version was asked.
    decided_by: Option<(HeaderValue, Route)>,
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            self.body,
        )
            .into_response();
        if let Some((digest, route)) = self.decided_by {
            response.headers_mut().insert(VERSION_HEADER, digest);
            response.headers_mut().insert(ROUTE_HEADER, HeaderValue::from_static(route.label()));
        }
        response
    }
}

/// The JSON of an answer without a verdict: the contract's body, plus the gateway's
/// fallback, the version that was asked and the latency, where there are.
fn error_body(
    mut body: serde_json::Value,
    fallback: Action,
    version: Option<&Version>,
    latency_us: Option<u64>,
) -> serde_json::Value {
    body["fallback"] = fallback.as_str().into();
    if let Some(v) = version {
        body["version"] = serde_json::json!(v.tag.contract());
    }
    if let Some(us) = latency_us {
        body["latency_us"] = us.into();
    }
    body
}

fn json_bytes(value: &impl Serialize) -> Vec<u8> {
    // Serializing our own types to a Vec cannot fail (no maps with non-string keys,
    // no I/O); an empty object keeps the response well-formed all the same.
    serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec())
}

/// A request refused before any version was asked.
fn rejected(
    state: &AppState,
    status: StatusCode,
    kind: &str,
    message: &str,
    started: Instant,
) -> Reply {
    let fallback = state.limits.fallback;
    state.metrics.error(kind);
    state.metrics.fallback(fallback);
    let outcome = if status == StatusCode::SERVICE_UNAVAILABLE {
        Outcome::Overloaded
    } else {
        Outcome::Rejected
    };
    state.metrics.request(outcome, Route::Active, started.elapsed().as_secs_f64());
    Reply {
        status,
        body: json_bytes(&error_body(answer::error_body(kind, message), fallback, None, None)),
        decided_by: None,
    }
}

pub async fn screen(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Reply {
    let started = Instant::now();
    let body = match conn::read_body(&headers, body, state.limits.max_body_bytes).await {
        Ok(body) => body,
        Err(refused) => {
            return rejected(&state, refused.status, refused.kind, &refused.message, started);
        }
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job_state = state.clone();
    let submitted = state.workers.submit(move || {
        let (reply, after) = answer(&job_state, &body, started);
        // The response goes out first; the shadow run is queued after it.
        let _ = tx.send(reply);
        if let Some(after) = after {
            after.submit(&job_state);
        }
    });
    if submitted.is_err() {
        return rejected(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "all workers are busy and the queue is full; retry",
            started,
        );
    }
    match rx.await {
        Ok(reply) => reply,
        Err(_) => rejected(
            &state,
            StatusCode::INTERNAL_SERVER_ERROR,
            "host",
            "the worker failed while screening (a bug: see the server log)",
            started,
        ),
    }
}

/// Parses, routes and screens one request (on a worker). Returns the reply and the
/// shadow run to queue after it, if a shadow candidate is deployed.
fn answer(state: &AppState, body: &[u8], started: Instant) -> (Reply, Option<shadow::Pending>) {
    let upload: Upload = match serde_json::from_slice(body) {
        Ok(u) => u,
        Err(e) => {
            let message = format!("invalid upload JSON: {e}");
            return (
                rejected(state, StatusCode::BAD_REQUEST, "bad_request", &message, started),
                None,
            );
        }
    };
    let slots: Arc<Slots> = state.deployments.current();
    let upload_id = state.decisions.as_ref().map(|_| upload.id.clone());
    let (version, canary) = slots.route(&upload.id);
    let version = version.clone();
    let route = if canary { Route::Canary } else { Route::Active };
    // The copy for the shadow run is made only when there is one.
    let shadow_copy = slots.shadow().map(|candidate| (candidate.clone(), upload.clone()));
    let (result, instance) = reuse::screen(
        &version.filter,
        &version.tag.digest,
        upload,
        state.limits.bounds(),
        state.reuse_instances,
    );
    state.metrics.instance(instance);
    let elapsed = started.elapsed();
    let latency_us = elapsed.as_micros() as u64;
    version.served.fetch_add(1, Ordering::Relaxed);
    let fallback = state.limits.fallback;
    let decided_by = HeaderValue::from_str(&version.tag.digest).ok().map(|h| (h, route));
    let (reply, outcome) = match &result {
        Ok(Ok(verdict)) => {
            state.metrics.verdict(verdict, route);
            let version = version.tag.contract();
            let body = json_bytes(&Screened { verdict, version, latency_us: Some(latency_us) });
            (Reply { status: StatusCode::OK, body, decided_by }, Outcome::Verdict)
        }
        Ok(Err(e)) => {
            state.metrics.error(e.kind());
            state.metrics.fallback(fallback);
            let body = screen_error_body(e, version.tag.contract());
            let body = error_body(body, fallback, None, Some(latency_us));
            (
                Reply {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    body: json_bytes(&body),
                    decided_by,
                },
                Outcome::ScreenError,
            )
        }
        Err(fault) => {
            tracing::warn!(version = %version.tag.digest, kind = fault.kind(), "no verdict: {fault}");
            state.metrics.error(fault.kind());
            state.metrics.fallback(fallback);
            let body = answer::error_body(fault.kind(), &fault.to_string());
            let body = error_body(body, fallback, Some(&version), Some(latency_us));
            (
                Reply { status: fault_status(fault), body: json_bytes(&body), decided_by },
                Outcome::Fault,
            )
        }
    };
    state.metrics.request(outcome, route, elapsed.as_secs_f64());
    if let (Some(log), Some(upload_id)) = (&state.decisions, upload_id) {
        log.record(decision(upload_id, &result, fallback, &version.tag, route, latency_us));
    }
    let after = shadow_copy.map(|(candidate, upload)| shadow::Pending {
        candidate,
        upload,
        answered: result.ok().and_then(|r| r.ok()),
    });
    (reply, after)
}

/// Resource limits are the server refusing the work (503); a trap or host failure is
/// the server failing (500).
fn fault_status(fault: &Fault) -> StatusCode {
    match fault {
        Fault::Timeout | Fault::Memory { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Fault::Trap(_) | Fault::Host(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `GET /healthz`: 200 and the active version.
pub async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let slots = state.deployments.current();
    let body = serde_json::json!({ "status": "ok", "active": slots.active.tag });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `GET /metrics`: OpenMetrics text.
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    match state.metrics.encode() {
        Ok(text) => {
            let content_type = HeaderValue::from_static(
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            );
            (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], text).into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode metrics").into_response(),
    }
}

/// The decision-log record of one answer.
fn decision(
    upload_id: String,
    result: &Result<Result<Verdict, ScreenError>, Fault>,
    fallback: Action,
    tag: &VersionTag,
    route: Route,
    latency_us: u64,
) -> decisions::Decision {
    let (outcome, action, error, hits) = match result {
        Ok(Ok(v)) => {
            let hits: Vec<serde_json::Value> = v
                .hits
                .iter()
                .map(|h| {
                    serde_json::json!({"material_id": h.material_id, "revision": h.revision,
                                       "action": h.action, "detection_only": h.detection_only})
                })
                .collect();
            ("verdict", v.action, None, serde_json::Value::Array(hits).to_string())
        }
        Ok(Err(e)) => ("screen_error", fallback, Some(e.kind().to_string()), "[]".to_string()),
        Err(f) => ("fault", fallback, Some(f.kind().to_string()), "[]".to_string()),
    };
    decisions::Decision {
        decided_at: jiff::Timestamp::now().to_string(),
        upload_id: logged_id(upload_id),
        outcome,
        action: action.to_string(),
        error,
        hits,
        version_digest: tag.digest.clone(),
        package_name: tag.name.clone(),
        package_version: tag.version.clone(),
        route: route.label(),
        latency_us,
    }
}

/// The upload id as the decision log stores it: whole when the screener accepts it
/// (at most [`prescreen_core::Limits::MAX_NAME_BYTES`]), else its first bytes and `…`, so a refused
/// upload with a 1 MiB id costs the log a bounded row (issue #15, item 15).
fn logged_id(mut id: String) -> String {
    let max = prescreen_core::Limits::MAX_NAME_BYTES;
    if id.len() > max {
        let cut = (0..=max).rev().find(|&i| id.is_char_boundary(i)).unwrap_or(0);
        id.truncate(cut);
        id.push('…');
    }
    id
}
