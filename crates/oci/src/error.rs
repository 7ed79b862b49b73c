//! The crate's one error type: opaque, with a private kind, and a message built only
//! from what the caller gave (the reference) and short identifiers this crate checked
//! (digests it computed or validated, HTTP status codes, annotation keys). Nothing a
//! registry sent (error bodies, header values, annotation values) is ever echoed, so
//! an error is safe to log or show; for the same reason no source error is kept.

use std::fmt;

/// Why a push or pull failed. Its `Display` is a lowercase sentence.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
    message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The reference string is not `registry/repo:tag` or `registry/repo@sha256:...`.
    Reference,
    /// The caller's input (component, annotations, options) is not pushable.
    Input,
    /// The registry could not be reached (connect, TLS, timeout, broken stream).
    Transport,
    /// The registry has no such manifest, tag, repository or blob.
    NotFound,
    /// The registry refused the credentials (or their absence).
    Unauthorized,
    /// The registry answered with another failing status.
    Status,
    /// Something read is over one of the crate's size bounds.
    TooLarge,
    /// Content does not match its digest, size or pin: tampered, corrupt, or a tag
    /// that moved.
    Integrity,
    /// The manifest or config is not a CNCF wasm artifact this crate can read.
    Artifact,
    /// The async runtime or the HTTP client could not be built.
    Runtime,
}

impl Error {
    fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into() }
    }

    pub(crate) fn reference(message: impl Into<String>) -> Error {
        Error::new(Kind::Reference, message)
    }

    pub(crate) fn input(message: impl Into<String>) -> Error {
        Error::new(Kind::Input, message)
    }

    pub(crate) fn transport(message: impl Into<String>) -> Error {
        Error::new(Kind::Transport, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Error {
        Error::new(Kind::NotFound, message)
    }

    pub(crate) fn unauthorized(message: impl Into<String>) -> Error {
        Error::new(Kind::Unauthorized, message)
    }

    pub(crate) fn status(message: impl Into<String>) -> Error {
        Error::new(Kind::Status, message)
    }

    pub(crate) fn too_large(message: impl Into<String>) -> Error {
        Error::new(Kind::TooLarge, message)
    }

    pub(crate) fn integrity(message: impl Into<String>) -> Error {
        Error::new(Kind::Integrity, message)
    }

    pub(crate) fn artifact(message: impl Into<String>) -> Error {
        Error::new(Kind::Artifact, message)
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Error {
        Error::new(Kind::Runtime, message)
    }

    /// Prefixes the message with what was being done (`push <ref>`, `pull <ref>`).
    pub(crate) fn during(mut self, doing: impl fmt::Display) -> Error {
        self.message = format!("{doing}: {}", self.message);
        self
    }

    /// The registry has no such tag, manifest, repository or blob.
    pub fn is_not_found(&self) -> bool {
        self.kind == Kind::NotFound
    }

    /// Content did not match its digest, size or pin (a tampered or corrupt blob or
    /// manifest, or a tag that no longer points at the pinned digest). Never retry
    /// these blindly.
    pub fn is_integrity(&self) -> bool {
        self.kind == Kind::Integrity
    }

    /// The registry refused access.
    pub fn is_unauthorized(&self) -> bool {
        self.kind == Kind::Unauthorized
    }

    /// Something was over one of the size bounds in [`crate::limits`].
    pub fn is_too_large(&self) -> bool {
        self.kind == Kind::TooLarge
    }

    /// The registry could not be reached or the connection broke: may be worth a retry.
    pub fn is_transport(&self) -> bool {
        self.kind == Kind::Transport
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Maps an oci-client error to ours without keeping its text, which can carry the
/// registry's error body or URLs with query strings. `what` names the object asked for
/// ("manifest", "blob sha256:...").
pub(crate) fn from_oci(err: oci_client::errors::OciDistributionError, what: &str) -> Error {
    use oci_client::errors::{DigestError, OciDistributionError as E, OciErrorCode as C};
    match err {
        E::RequestError(e) => from_reqwest(&e, what),
        E::ServerError { code, .. } => from_status(code, what),
        E::UnauthorizedError { .. } | E::AuthenticationFailure(_) => {
            Error::unauthorized(format!("the registry refused access to {what}"))
        }
        E::RegistryError { envelope, .. } => {
            // The error codes are an enum the client parsed: safe to act on, and the
            // messages beside them are not shown.
            let codes: Vec<&C> = envelope.errors.iter().map(|e| &e.code).collect();
            if codes.iter().any(|c| matches!(c, C::Unauthorized | C::Denied)) {
                Error::unauthorized(format!("the registry refused access to {what}"))
            } else if codes.iter().any(|c| {
                matches!(c, C::BlobUnknown | C::ManifestUnknown | C::NameUnknown | C::NotFound)
            }) {
                Error::not_found(format!("{what} was not found"))
            } else if codes.iter().any(|c| matches!(c, C::DigestInvalid | C::SizeInvalid)) {
                Error::integrity(format!("the registry rejected the digest or size of {what}"))
            } else {
                Error::status(format!("the registry refused {what}"))
            }
        }
        E::DigestError(DigestError::VerificationError { .. }) => {
            Error::integrity(format!("{what} does not match its digest (tampered or corrupt)"))
        }
        E::IoError(e) => from_io(&e, what),
        _ => Error::status(format!("unexpected registry answer for {what}")),
    }
}

/// Maps a transport error: the status when there is one, else "unreachable".
pub(crate) fn from_reqwest(err: &reqwest::Error, what: &str) -> Error {
    match err.status() {
        Some(status) => from_status(status.as_u16(), what),
        None if err.is_timeout() => Error::transport(format!("timed out fetching {what}")),
        None if err.is_connect() => Error::transport("registry unreachable"),
        None => Error::transport(format!("connection failed while fetching {what}")),
    }
}

/// Maps a failing HTTP status.
pub(crate) fn from_status(code: u16, what: &str) -> Error {
    match code {
        404 => Error::not_found(format!("{what} was not found")),
        401 | 403 => Error::unauthorized(format!("the registry refused access to {what} ({code})")),
        _ => Error::status(format!("the registry answered {code} for {what}")),
    }
}

/// Maps an error from a blob stream: oci-client's verifying stream reports a digest
/// mismatch as an I/O error wrapping its digest error.
pub(crate) fn from_io(err: &std::io::Error, what: &str) -> Error {
    let inner = err.get_ref();
    if inner.is_some_and(|e| e.is::<oci_client::errors::DigestError>()) {
        return Error::integrity(format!("{what} does not match its digest (tampered or corrupt)"));
    }
    if let Some(e) = inner.and_then(|e| e.downcast_ref::<reqwest::Error>()) {
        return from_reqwest(e, what);
    }
    Error::transport(format!("connection failed while fetching {what}"))
}
