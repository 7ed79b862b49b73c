//! The `wasi:http/handler@0.3.0` export (spin-sdk's `#[http_service]`): moves a
//! request's bytes in and a [`Reply`]'s bytes out; what to answer is `answer`'s.

use bytes::Bytes;
use http_body_util::BodyExt as _;
use prescreen_guest_common::answer::{self, MAX_BODY_BYTES, Reply, Route};
use spin_sdk::http::{FullBody, HeaderValue, Request, Response, StatusCode};
use spin_sdk::http_service;

#[http_service]
async fn handle(request: Request) -> Response<FullBody<Bytes>> {
    let screener = prescreen_guest_common::screener();
    let reply = match answer::route(request.method().as_str(), request.uri().path()) {
        Err(reply) => reply,
        Ok(Route::Info) => answer::info(screener),
        Ok(Route::Health) => answer::health(screener),
        Ok(Route::Screen) => match read_body(request).await {
            Ok(body) => answer::screen(screener, &body),
            Err(reply) => reply,
        },
    };
    response(reply)
}

/// Reads the body up to [`MAX_BODY_BYTES`]: a declared `content-length` over it is
/// refused before reading anything, a body that streams past it at the chunk that
/// crosses it, so an oversized upload never sits whole in memory.
async fn read_body(request: Request) -> Result<Vec<u8>, Reply> {
    let declared =
        request.headers().get("content-length").and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(answer::body_too_large());
    }
    let mut body = request.into_body();
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| answer::unreadable_body(&e.to_string()))?;
        if let Ok(data) = frame.into_data() {
            if (bytes.len() + data.len()) as u64 > MAX_BODY_BYTES {
                return Err(answer::body_too_large());
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok(bytes)
}

fn response(reply: Reply) -> Response<FullBody<Bytes>> {
    let mut response = Response::new(FullBody::new(Bytes::from(reply.body)));
    // Every status `answer` uses is a valid one; 500 marks a bug if not.
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Some(allow) = reply.allow {
        headers.insert("allow", HeaderValue::from_static(allow));
    }
    response
}
