//! Hash exchange formats: what trust-and-safety teams hold their hashes in, read as
//! image and video materials (a `[[hash_lists]]` entry's `format`) and written back
//! from a package ([`export_hashes`]), so a package can take a partner's bank and
//! hand its own on.
//!
//! The formats, as Meta's ThreatExchange repository defines them:
//!
//! - `plain`: a PDQ hash per line, as the reference hashers print them (`hash`,
//!   `hash,quality,name` or `hash quality name`).
//! - `threatexchange`: python-threatexchange's signal file, one `signal_type
//!   signal` per line (`LocalFileSignalExchangeAPI` in `exchanges/impl/file_api.py`,
//!   and what `threatexchange dataset -P --print-signals-only` prints); a bare PDQ
//!   hash is read as `pdq`.
//! - `threatexchange-csv`: `threatexchange dataset -P --csv`, a CSV file with the
//!   header `signal_type,signal_str,collab,category,tags` (tags space-separated;
//!   `cli/dataset_cmd.py`). Signals whose category is `NEGATIVE_CLASS` (known benign)
//!   are left out.
//! - `hma`: hasher-matcher-actioner's bank content as JSON Lines: one object per
//!   line, either the body `POST /c/bank/{bank}/signal` takes (`{"pdq": "…",
//!   "note": "…"}`: signal type names as keys, plus an optional note of at most 255
//!   characters) or the record `GET /c/bank/{bank}/content/{id}?include_signals=true`
//!   returns (`{"id": 12, "signals": {…}, "metadata": {"content_id": …, "json":
//!   {"tags": […]}}, "note": …, "disable_until_ts": …}`;
//!   `OpenMediaMatch/blueprints/curation.py`, `schemas/curation.py`).
//!
//! Signal types are python-threatexchange's names: `pdq` (64 hex digits) becomes
//! an image material, `vpdq` (a JSON list of `"hash,quality,seconds"` strings, as
//! `extensions/vpdq/vpdq_util.py` writes it; the older object form keyed by frame
//! number is read too) a video material. Others (`video_md5`, `md5`, `url`, …)
//! cannot be matched from frame hashes and are left out and counted as disabled.
//!
//! Ids and tags: an HMA record's `metadata.content_id` (else its `id`, else the
//! first word of its note) is the material's id, prefixed with the list's
//! `id_prefix` unless it already starts with it; words of the note starting with `#`
//! and `metadata.json.tags` are its tags. ThreatExchange lines carry no id: ids are
//! `{id_prefix}:{16 hex digits}` of the hash (of the distinct frame hashes, for a
//! video), so the same signal always gets the same id. Export writes HMA notes as
//! `{id} #{tag} …`, so ids and tags come back on import.
//!
//! Diagnostics name `file:line` and what is wrong, never the line's content: hash
//! files can hold what should not be echoed into build logs.

use super::cells::is_valid_id;
use super::manifest::{HashFormat, HashList};
use super::media::{HEX_QUALITY, video_frames};
use crate::error::{Diagnostic, Error};
use crate::model::{Action, MatchMode, MaterialKind};
use crate::package::{Material, Media, Package};
use crate::pdq::{PDQ_MATCH_DISTANCE, PDQ_MIN_QUALITY};
use crate::upload::Pdq;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// HMA refuses notes longer than this (`_validate_note` in `curation.py`).
const HMA_NOTE_MAX: usize = 255;
/// A vPDQ signal longer than this many frames is refused: at 1 frame a second it
/// is over 27 hours, and a crafted line must not allocate without bound.
const MAX_SIGNAL_FRAMES: usize = 100_000;

/// One signal read from a hash file, before it becomes a material.
#[derive(Debug, Default)]
struct Entry {
    line: u64,
    /// The id the file gives it, if any.
    key: Option<String>,
    signal: Option<Signal>,
    tags: Vec<String>,
    /// Left out: a benign opinion, or content HMA disabled.
    left_out: bool,
}

#[derive(Debug)]
enum Signal {
    Pdq(Pdq),
    /// `(seconds, hash)` per frame.
    Vpdq(Vec<(f64, Pdq)>),
}

/// The materials of one hash list of any format, and how many of its signals were
/// left out (unsupported type, benign, disabled, or under `min_quality`).
pub(crate) fn read_list(
    list: &HashList,
    file: &str,
    text: &str,
    default_action: Action,
    built_at: i64,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Material>, u32) {
    let mut bad = |line: u64, message: String| {
        diags.push(Diagnostic { file: file.to_string(), line, message })
    };
    let (entries, mut left_out) = match list.format {
        HashFormat::Plain => plain(text, &mut bad),
        HashFormat::ThreatExchange => te_lines(text, &mut bad),
        HashFormat::ThreatExchangeCsv => te_csv(text, &mut bad),
        HashFormat::Hma => hma(text, built_at, &mut bad),
    };
    let min_quality = list.min_quality.unwrap_or(PDQ_MIN_QUALITY);
    let max_distance = list.max_distance.unwrap_or(PDQ_MATCH_DISTANCE);
    let mut out: Vec<Material> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in entries {
        let Some(signal) = e.signal.filter(|_| !e.left_out) else {
            left_out += 1;
            continue;
        };
        let (kind, media, digest) = match signal {
            Signal::Pdq(p) if p.quality < min_quality => {
                left_out += 1;
                continue;
            }
            Signal::Pdq(p) => (
                MaterialKind::Image,
                Media::image(p, max_distance, min_quality),
                Pdq::to_hex(&p.hash),
            ),
            Signal::Vpdq(frames) => {
                let Some((hashes, frames)) = video_frames(&frames, min_quality) else {
                    left_out += 1;
                    continue;
                };
                let mut sha = Sha256::new();
                hashes.iter().for_each(|p| sha.update(Pdq::to_hex(&p.hash)));
                let digest: String = sha.finalize().iter().map(|b| format!("{b:02x}")).collect();
                let media = Media {
                    hashes,
                    frames,
                    max_distance,
                    min_quality,
                    query_match: list.query_match.unwrap_or(crate::model::VPDQ_QUERY_MATCH),
                    compared_match: list
                        .compared_match
                        .unwrap_or(crate::model::VPDQ_COMPARED_MATCH),
                };
                (MaterialKind::Video, media, digest)
            }
        };
        let prefix = format!("{}:", list.id_prefix);
        let id = match &e.key {
            Some(k) if k.starts_with(&prefix) => k.clone(),
            Some(k) => format!("{prefix}{k}"),
            None => format!("{prefix}{}", &digest[..16]),
        };
        // The same signal twice without an id of its own is imported once.
        if e.key.is_none() && !seen.insert(id.clone()) {
            continue;
        }
        if !is_valid_id(&id) {
            bad(
                e.line,
                "its id (with the list's id_prefix) is not a material id: at most 128 of \
                 A-Z a-z 0-9 . _ : -"
                    .into(),
            );
            continue;
        }
        out.push(Material {
            id,
            revision: 1,
            kind,
            // What an image row's term holds is its source; a list's is the hash.
            term: match kind {
                MaterialKind::Image => digest,
                _ => format!("vpdq:{}", &digest[..16]),
            },
            mode: MatchMode::default(),
            category: list.category.clone(),
            action: list.action.unwrap_or(default_action),
            markets: list.markets.clone(),
            detection_only: list.detection_only,
            added_by: String::new(),
            added_at: String::new(),
            note: format!("from {file}"),
            exceptions: Vec::new(),
            transliterate: false,
            rule: None,
            line: e.line as u32,
            media: Some(media),
            tags: e.tags,
        });
    }
    (out, left_out)
}

/// Lines that are neither blank nor `#` comments, with their 1-based numbers.
fn content_lines(text: &str) -> impl Iterator<Item = (u64, &str)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n as u64 + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

fn plain(text: &str, bad: &mut impl FnMut(u64, String)) -> (Vec<Entry>, u32) {
    let mut out = Vec::new();
    for (line, l) in content_lines(text) {
        let mut cells = l.split([',', '\t', ' ']).filter(|c| !c.is_empty());
        let Some(hash) = cells.next().and_then(Pdq::parse_hex) else {
            bad(line, "the first cell is not a 64-digit PDQ hash".into());
            continue;
        };
        let quality = match cells.next().map(str::parse::<u8>) {
            None => HEX_QUALITY,
            Some(Ok(q)) if q <= 100 => q,
            Some(_) => {
                bad(line, "the quality after the hash is not 0-100".into());
                continue;
            }
        };
        out.push(Entry {
            line,
            signal: Some(Signal::Pdq(Pdq { hash, quality })),
            ..Entry::default()
        });
    }
    (out, 0)
}

/// A signal of type `kind`: `Ok(None)` for a type prescreen cannot match.
fn signal(kind: &str, value: &str) -> Result<Option<Signal>, String> {
    match kind {
        "pdq" => Pdq::parse_hex(value.trim())
            .map(|hash| Some(Signal::Pdq(Pdq { hash, quality: HEX_QUALITY })))
            .ok_or_else(|| "the pdq signal is not 64 hex digits".to_string()),
        "vpdq" => vpdq_signal(value).map(|f| Some(Signal::Vpdq(f))),
        "" => Err("the signal type is empty".into()),
        k if k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') => {
            Ok(None)
        }
        _ => Err("the signal type is not a signal type name (lower_case)".into()),
    }
}

/// python-threatexchange's vPDQ signal string: a JSON list of `"hash,quality,secs"`,
/// or the older object `{"frame": {"quality", "hash", "timestamp"}}`.
fn vpdq_signal(value: &str) -> Result<Vec<(f64, Pdq)>, String> {
    let json: Value =
        serde_json::from_str(value).map_err(|_| "the vpdq signal is not JSON".to_string())?;
    let frame = |hex: &str, quality: Option<u64>, t: Option<f64>| -> Result<(f64, Pdq), String> {
        let hash = Pdq::parse_hex(hex).ok_or("a vpdq frame hash is not 64 hex digits")?;
        let quality = quality.filter(|&q| q <= 100).ok_or("a vpdq frame quality is not 0-100")?;
        let t =
            t.filter(|t| t.is_finite() && *t >= 0.0).ok_or("a vpdq timestamp is not seconds")?;
        Ok((t, Pdq { hash, quality: quality as u8 }))
    };
    let frames: Vec<(f64, Pdq)> = match &json {
        Value::Array(items) if items.len() <= MAX_SIGNAL_FRAMES => items
            .iter()
            .map(|item| {
                let s = item.as_str().ok_or("a vpdq frame is not a string")?;
                let [hex, q, t] = s.split(',').collect::<Vec<_>>()[..] else {
                    return Err("a vpdq frame is not hash,quality,timestamp".to_string());
                };
                frame(hex.trim(), q.trim().parse().ok(), t.trim().parse().ok())
            })
            .collect::<Result<_, _>>()?,
        Value::Object(items) if items.len() <= MAX_SIGNAL_FRAMES => items
            .values()
            .map(|f| {
                let hex = f.get("hash").and_then(Value::as_str).unwrap_or_default();
                let q = f.get("quality").and_then(Value::as_u64);
                frame(hex, q, f.get("timestamp").and_then(Value::as_f64))
            })
            .collect::<Result<_, _>>()?,
        Value::Array(_) | Value::Object(_) => {
            return Err(format!("the vpdq signal has over {MAX_SIGNAL_FRAMES} frames"));
        }
        _ => return Err("the vpdq signal is not a list of frames".into()),
    };
    if frames.is_empty() {
        return Err("the vpdq signal has no frame".into());
    }
    Ok(frames)
}

fn te_lines(text: &str, bad: &mut impl FnMut(u64, String)) -> (Vec<Entry>, u32) {
    let mut out = Vec::new();
    for (line, l) in content_lines(text) {
        let (kind, value) = match l.split_once([' ', '\t']) {
            Some((k, v)) => (k, v.trim()),
            None if Pdq::parse_hex(l).is_some() => ("pdq", l),
            None => {
                bad(line, "expected `signal_type signal`".into());
                continue;
            }
        };
        match signal(kind, value) {
            Ok(signal) => out.push(Entry { line, signal, ..Entry::default() }),
            Err(message) => bad(line, message),
        }
    }
    (out, 0)
}

fn te_csv(text: &str, bad: &mut impl FnMut(u64, String)) -> (Vec<Entry>, u32) {
    let mut out = Vec::new();
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(_) => {
            bad(1, "the header is not CSV".into());
            return (out, 0);
        }
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(kind_at), Some(value_at)) = (col("signal_type"), col("signal_str")) else {
        bad(1, "the header must name signal_type and signal_str".into());
        return (out, 0);
    };
    let (category_at, tags_at) = (col("category"), col("tags"));
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad(line, "the row is not valid CSV".into());
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let cell = |at: Option<usize>| at.and_then(|i| record.get(i)).unwrap_or("").trim();
        match signal(cell(Some(kind_at)), cell(Some(value_at))) {
            Ok(signal) => out.push(Entry {
                line,
                signal,
                tags: cell(tags_at).split_whitespace().map(String::from).collect(),
                left_out: cell(category_at) == "NEGATIVE_CLASS",
                key: None,
            }),
            Err(message) => bad(line, message),
        }
    }
    (out, 0)
}

fn hma(text: &str, built_at: i64, bad: &mut impl FnMut(u64, String)) -> (Vec<Entry>, u32) {
    let mut out = Vec::new();
    let mut left_out = 0;
    for (line, l) in content_lines(text) {
        let Ok(Value::Object(record)) = serde_json::from_str::<Value>(l) else {
            bad(line, "expected one JSON object per line (HMA bank content)".into());
            continue;
        };
        let note = record.get("note").and_then(Value::as_str).unwrap_or_default();
        let mut words = note.split_whitespace();
        let note_id = words.clone().find(|w| !w.starts_with('#'));
        let mut tags: Vec<String> =
            words.by_ref().filter_map(|w| w.strip_prefix('#')).map(String::from).collect();
        let (signals, key, disabled) = match record.get("signals") {
            Some(Value::Object(signals)) => {
                let meta = record.get("metadata");
                let content_id = meta.and_then(|m| m.get("content_id")).and_then(Value::as_str);
                let id = record.get("id").map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                });
                if let Some(Value::Array(t)) = meta.and_then(|m| m.get("json")?.get("tags")) {
                    tags.extend(t.iter().filter_map(Value::as_str).map(String::from));
                }
                let until = record.get("disable_until_ts").and_then(Value::as_i64).unwrap_or(0);
                let key = content_id.map(String::from).or(id).or(note_id.map(String::from));
                (signals.clone(), key, until > built_at)
            }
            Some(_) => {
                bad(line, "`signals` is not an object".into());
                continue;
            }
            None => {
                let mut signals = record.clone();
                signals.remove("note");
                (signals, note_id.map(String::from), false)
            }
        };
        if signals.is_empty() {
            bad(line, "the record has no signal".into());
            continue;
        }
        let tags: Vec<String> =
            tags.iter().flat_map(|t| t.split_whitespace()).map(String::from).collect();
        let mut first = true;
        for (kind, value) in &signals {
            let Some(value) = value.as_str() else {
                bad(line, "a signal is not a string".into());
                continue;
            };
            match signal(kind, value) {
                Ok(None) => left_out += 1,
                Ok(Some(s)) => {
                    // A second matchable signal of one record needs an id of its own.
                    let key = key.clone().map(|k| if first { k } else { format!("{k}.{kind}") });
                    first = false;
                    out.push(Entry {
                        line,
                        key,
                        signal: Some(s),
                        tags: tags.clone(),
                        left_out: disabled,
                    });
                }
                Err(message) => bad(line, message),
            }
        }
    }
    (out, left_out)
}

/// The image and video materials of `package` in `format`, in package order, as
/// the other side imports them (`plain`: images only). An HMA note holds the
/// material's id and its tags (`{id} #{tag} …`).
pub fn export_hashes(package: &Package, format: HashFormat) -> Result<String, Error> {
    let mut out = String::new();
    if format == HashFormat::ThreatExchangeCsv {
        out.push_str("signal_type,signal_str,collab,category,tags\n");
    }
    let mut csv_out = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for m in &package.materials {
        let Some(media) = &m.media else { continue };
        let Some(first) = media.hashes.first() else { continue };
        let (kind, value) = match m.kind {
            MaterialKind::Image => ("pdq", Pdq::to_hex(&first.hash)),
            MaterialKind::Video => ("vpdq", vpdq_string(media)),
            MaterialKind::Text => continue,
        };
        match format {
            HashFormat::Plain if m.kind == MaterialKind::Image => {
                let _ = writeln!(out, "{value},{}", first.quality);
            }
            HashFormat::Plain => {
                return Err(Error::build(format!(
                    "material {:?} is a video: plain lists hold PDQ image hashes only",
                    m.id
                )));
            }
            HashFormat::ThreatExchange => {
                let _ = writeln!(out, "{kind} {value}");
            }
            HashFormat::ThreatExchangeCsv => {
                let tags = m.tags.join(" ");
                let row = [kind, &value, &package.name, "POSITIVE_CLASS", &tags];
                csv_out
                    .write_record(row)
                    .map_err(|e| Error::build(format!("material {:?}: {e}", m.id)))?;
            }
            HashFormat::Hma => {
                let mut note = m.id.clone();
                for t in &m.tags {
                    let _ = write!(note, " #{t}");
                }
                if note.len() > HMA_NOTE_MAX {
                    return Err(Error::build(format!(
                        "material {:?}: its id and tags make an HMA note over {HMA_NOTE_MAX} characters",
                        m.id
                    )));
                }
                let mut record = serde_json::Map::new();
                record.insert(kind.into(), Value::String(value));
                record.insert("note".into(), Value::String(note));
                let _ = writeln!(out, "{}", Value::Object(record));
            }
        }
    }
    if format == HashFormat::ThreatExchangeCsv {
        let bytes = csv_out.into_inner().map_err(|e| Error::build(e.to_string()))?;
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    Ok(out)
}

/// A video's frames as python-threatexchange's vPDQ signal: a JSON list of
/// `"hash,quality,seconds"`.
fn vpdq_string(media: &Media) -> String {
    let frames: Vec<Value> = media
        .frames
        .iter()
        .filter_map(|f| {
            let p = media.hashes.get(f.hash as usize)?;
            let secs = f64::from(f.ms) / 1000.0;
            Some(Value::String(format!("{},{},{secs:.3}", Pdq::to_hex(&p.hash), p.quality)))
        })
        .collect();
    Value::Array(frames).to_string()
}
