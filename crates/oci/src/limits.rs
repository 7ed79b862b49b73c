//! Size bounds on everything read from or sent to a registry: remote content is
//! untrusted, so no read is larger than these, whatever a registry announces.

/// Largest component pushed or pulled: prescreen builds are megabytes (a 100k-term
/// package is tens of MiB), and a gateway holds the component in memory.
pub const MAX_COMPONENT_BYTES: u64 = 256 << 20;

/// Largest manifest read: the 4 MiB the OCI distribution spec asks registries to
/// accept; a wasm artifact's manifest is about 1 KiB.
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;

/// Largest config blob read: a wasm config lists the component's imports and
/// exports, a few KiB.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Longest annotation value accepted, pushed or pulled: ours are names, versions,
/// digests and URLs; registries and UIs show them on one line.
pub const MAX_ANNOTATION_BYTES: usize = 1024;

/// Longest reference accepted: a host (255), a repository (255), a tag (128) and a
/// digest (71) fit with room to spare.
pub const MAX_REFERENCE_BYTES: usize = 1024;
