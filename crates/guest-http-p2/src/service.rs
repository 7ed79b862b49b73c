//! The `wasi:http/incoming-handler@0.2` export: moves a request's bytes in and a
//! [`Reply`]'s bytes out with the blocking WASI 0.2 streams; what to answer is
//! `answer`'s, exactly as in the p3 component.

use prescreen_guest_common::answer::{self, MAX_BODY_BYTES, Reply, Route};
use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasip2::io::streams::StreamError;

/// Bytes asked of the request stream per read.
const READ_CHUNK: u64 = 64 * 1024;
/// `blocking-write-and-flush` takes at most 4096 bytes per call (WASI 0.2 streams).
const WRITE_CHUNK: usize = 4096;

struct Handler;

impl wasip2::exports::http::incoming_handler::Guest for Handler {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let screener = prescreen_guest_common::screener();
        let path = request.path_with_query().unwrap_or_default();
        let path = path.split('?').next().unwrap_or_default();
        let reply = match answer::route(&method_name(request.method()), path) {
            Err(reply) => reply,
            Ok(Route::Info) => answer::info(screener),
            Ok(Route::Health) => answer::health(screener),
            Ok(Route::Screen) => match read_body(&request) {
                Ok(body) => answer::screen(screener, &body),
                Err(reply) => reply,
            },
        };
        respond(out, reply);
    }
}

wasip2::http::proxy::export!(Handler);

fn method_name(method: Method) -> String {
    match method {
        Method::Get => "GET".into(),
        Method::Head => "HEAD".into(),
        Method::Post => "POST".into(),
        Method::Put => "PUT".into(),
        Method::Delete => "DELETE".into(),
        Method::Connect => "CONNECT".into(),
        Method::Options => "OPTIONS".into(),
        Method::Trace => "TRACE".into(),
        Method::Patch => "PATCH".into(),
        Method::Other(other) => other,
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`], refusing a declared `content-length`
/// over it before reading, and a streamed body at the chunk that crosses it.
fn read_body(request: &IncomingRequest) -> Result<Vec<u8>, Reply> {
    let declared = request
        .headers()
        .get("content-length")
        .first()
        .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(answer::body_too_large());
    }
    let body =
        request.consume().map_err(|()| answer::unreadable_body("the body was already taken"))?;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0) as usize);
    {
        // The stream is a child of `body` and must be dropped before `finish`.
        let stream = body
            .stream()
            .map_err(|()| answer::unreadable_body("the body stream was already taken"))?;
        loop {
            match stream.blocking_read(READ_CHUNK) {
                Ok(chunk) => {
                    if (bytes.len() + chunk.len()) as u64 > MAX_BODY_BYTES {
                        return Err(answer::body_too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(e)) => {
                    return Err(answer::unreadable_body(&e.to_debug_string()));
                }
            }
        }
    }
    // Trailers are not used; finishing releases the body.
    drop(IncomingBody::finish(body));
    Ok(bytes)
}

/// Sends `reply`. Failures past `ResponseOutparam::set` mean the client went away:
/// there is nobody left to tell, so they end the write quietly instead of trapping.
fn respond(out: ResponseOutparam, reply: Reply) {
    let mut headers = vec![("content-type".to_string(), b"application/json".to_vec())];
    if let Some(allow) = reply.allow {
        headers.push(("allow".to_string(), allow.as_bytes().to_vec()));
    }
    // Our own names and values are valid, and the status is one `answer` chose.
    let response =
        OutgoingResponse::new(Fields::from_list(&headers).unwrap_or_else(|_| Fields::new()));
    let _ = response.set_status_code(reply.status);
    let Ok(body) = response.body() else { return };
    ResponseOutparam::set(out, Ok(response));
    if let Ok(stream) = body.write() {
        for chunk in reply.body.chunks(WRITE_CHUNK) {
            if stream.blocking_write_and_flush(chunk).is_err() {
                return;
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}
