//! An upload as the gateway submits it: text fields, images and videos. Mirrors the
//! WIT `upload` record; its serde form is the JSON the `prescreen` CLI reads.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Everything the advertiser submitted that should be screened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upload {
    /// The gateway's id for the upload, echoed in the verdict.
    pub id: String,
    /// ISO 3166-1 alpha-2 market, e.g. `RU`.
    pub market: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default)]
    pub fields: Vec<TextField>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<Image>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub videos: Vec<Video>,
}

impl Upload {
    /// An upload with a single `body` text field: the quick check of `prescreen screen --text`.
    pub fn text(id: &str, market: &str, body: &str) -> Upload {
        Upload {
            id: id.to_string(),
            market: market.to_string(),
            language: None,
            fields: vec![TextField { name: "body".to_string(), text: body.to_string() }],
            images: Vec::new(),
            videos: Vec::new(),
        }
    }
}

/// A named text field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextField {
    pub name: String,
    pub text: String,
}

/// A 256-bit PDQ hash and its quality. In JSON the hash is the reference tools'
/// 64-digit hex form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pdq {
    #[serde(serialize_with = "hex_hash_ser", deserialize_with = "hex_hash_de")]
    pub hash: [u64; 4],
    pub quality: u8,
}

impl Pdq {
    /// Parses the 64-digit hex form (most significant digit first).
    pub fn parse_hex(s: &str) -> Option<[u64; 4]> {
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u64; 4];
        for (i, word) in out.iter_mut().enumerate() {
            *word = u64::from_str_radix(&s[i * 16..(i + 1) * 16], 16).ok()?;
        }
        Some(out)
    }

    pub fn to_hex(hash: &[u64; 4]) -> String {
        hash.iter().map(|w| format!("{w:016x}")).collect()
    }
}

fn hex_hash_ser<S: Serializer>(hash: &[u64; 4], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&Pdq::to_hex(hash))
}

fn hex_hash_de<'de, D: Deserializer<'de>>(d: D) -> Result<[u64; 4], D::Error> {
    let s = String::deserialize(d)?;
    Pdq::parse_hex(&s).ok_or_else(|| serde::de::Error::custom("pdq hash must be 64 hex digits"))
}

/// An image of an upload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub name: String,
    #[serde(flatten)]
    pub data: ImageData,
}

/// The image's content: encoded bytes (base64 in JSON) or a precomputed hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageData {
    /// Encoded file bytes; in JSON a base64 string under `encoded`.
    Encoded(#[serde(with = "base64_bytes")] Vec<u8>),
    /// A PDQ hash computed by the gateway, under `hashed`.
    Hashed(Pdq),
    /// Pixels the gateway decoded already, under `pixels`.
    Pixels(RgbImage),
}

/// Decoded pixels: 8-bit RGB, row-major, no padding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 3` bytes; base64 in JSON.
    #[serde(with = "base64_bytes")]
    pub rgb: Vec<u8>,
}

/// One video as vPDQ frame hashes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Video {
    pub name: String,
    pub frames: Vec<VideoFrame>,
}

/// One vPDQ frame hash.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoFrame {
    pub index: u32,
    /// Seconds from the start of the video.
    pub timestamp: f64,
    #[serde(flatten)]
    pub hash: Pdq,
}

mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        STANDARD.decode(s.as_bytes()).map_err(serde::de::Error::custom)
    }
}
