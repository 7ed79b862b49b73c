//! Bounded reads from a registry. Manifests are fetched here rather than by
//! oci-client, which reads a whole response body before looking at it; blobs come
//! through oci-client's stream (which also checks the digest) and are cut off here
//! at their descriptor's size.

use crate::digest::{is_sha256_digest, sha256};
use crate::error::{Error, from_io, from_oci, from_reqwest, from_status};
use futures_util::StreamExt;
use oci_client::manifest::{OCI_IMAGE_MEDIA_TYPE, OciDescriptor};

/// A manifest as the registry served it, with the digest computed from its bytes and
/// the one the registry says it has (`Docker-Content-Digest`), if it sent a valid one.
pub(crate) struct FetchedManifest {
    pub body: Vec<u8>,
    pub digest: String,
    pub header_digest: Option<String>,
}

/// Credentials for the manifest request, as oci-client resolved them.
pub(crate) enum Credential<'a> {
    None,
    Bearer(&'a str),
    Basic(&'a str, &'a str),
}

/// GETs `url` (a `/v2/<repo>/manifests/<tag-or-digest>` URL), reading at most `max`
/// bytes.
pub(crate) async fn manifest(
    http: &reqwest::Client,
    url: &str,
    credential: Credential<'_>,
    max: u64,
) -> Result<FetchedManifest, Error> {
    let what = "the manifest";
    let mut request = http.get(url).header(reqwest::header::ACCEPT, OCI_IMAGE_MEDIA_TYPE);
    request = match credential {
        Credential::None => request,
        Credential::Bearer(token) => request.bearer_auth(token),
        Credential::Basic(user, password) => request.basic_auth(user, Some(password)),
    };
    let mut response = request.send().await.map_err(|e| from_reqwest(&e, what))?;
    let status = response.status();
    if !status.is_success() {
        return Err(from_status(status.as_u16(), what));
    }
    // The header is only compared, never shown; a malformed one is ignored like a
    // missing one (we compute the digest ourselves either way).
    let header_digest = response
        .headers()
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sha256_digest(v))
        .map(str::to_string);
    if response.content_length().is_some_and(|n| n > max) {
        return Err(too_large(what, max));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| from_reqwest(&e, what))? {
        if (body.len() + chunk.len()) as u64 > max {
            return Err(too_large(what, max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(FetchedManifest { digest: sha256(&body), body, header_digest })
}

/// Fetches the blob `descriptor` names, refusing it once it passes the descriptor's
/// size (already checked against a bound), and checks its sha256 against the digest.
pub(crate) async fn blob(
    client: &oci_client::Client,
    reference: &oci_client::Reference,
    descriptor: &OciDescriptor,
    what: &str,
) -> Result<Vec<u8>, Error> {
    let what = format!("{what} {}", descriptor.digest);
    let size = descriptor.size as u64;
    let mut stream =
        client.pull_blob_stream(reference, descriptor).await.map_err(|e| from_oci(e, &what))?;
    if stream.content_length.is_some_and(|n| n != size) {
        return Err(Error::integrity(format!(
            "{what}: the registry sends a size other than its descriptor's (tampered or corrupt)"
        )));
    }
    let mut body = Vec::with_capacity(size as usize);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| from_io(&e, &what))?;
        if (body.len() + chunk.len()) as u64 > size {
            return Err(Error::integrity(format!(
                "{what} is longer than its descriptor says (tampered or corrupt)"
            )));
        }
        body.extend_from_slice(&chunk);
    }
    if body.len() as u64 != size {
        return Err(Error::integrity(format!(
            "{what} is shorter than its descriptor says (tampered or corrupt)"
        )));
    }
    // oci-client's stream checked the digest already; checking here too keeps the
    // guarantee independent of that library's behaviour.
    if sha256(&body) != descriptor.digest {
        return Err(Error::integrity(format!(
            "{what} does not match its digest (tampered or corrupt)"
        )));
    }
    Ok(body)
}

fn too_large(what: &str, max: u64) -> Error {
    Error::too_large(format!("{what} is over the {max}-byte limit"))
}
