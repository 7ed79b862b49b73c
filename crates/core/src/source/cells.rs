//! The cells of a materials line and the parsers every table shares: ids, markets,
//! booleans, dates, and how a cell is shown in a diagnostic.

use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;

pub(crate) use crate::error::shown;

/// Ids are referenced from feedback, reports and rules: keep them short and plain.
pub(crate) const MAX_ID_LEN: usize = 128;

/// Whether `id` is a usable material id: at most [`MAX_ID_LEN`] of `A-Z a-z 0-9 . _ : -`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

/// One line's cells, looked up by column name; absent columns read as empty.
pub(crate) struct Cells<'a> {
    pub col: &'a BTreeMap<String, usize>,
    pub record: &'a csv::StringRecord,
}

impl<'a> Cells<'a> {
    pub(crate) fn get(&self, name: &str) -> &'a str {
        self.col.get(name).and_then(|&i| self.record.get(i)).map_or("", str::trim)
    }
}

pub(crate) fn parse_or<T: std::str::FromStr<Err = String>>(
    s: &str,
    default: T,
    errs: &mut Vec<String>,
) -> T {
    if s.is_empty() {
        return default;
    }
    s.parse().unwrap_or_else(|e| {
        errs.push(e);
        default
    })
}

pub(crate) fn parse_bool(name: &str, s: &str, default: bool, errs: &mut Vec<String>) -> bool {
    match s {
        "" => default,
        "true" | "yes" | "1" => true,
        "false" | "no" | "0" => false,
        _ => {
            errs.push(format!("{name} {} is not true/false/yes/no/1/0", shown(s)));
            default
        }
    }
}

/// A date (`2026-11-23`, midnight UTC) or an RFC 3339 timestamp.
pub(crate) fn parse_time(name: &str, s: &str, errs: &mut Vec<String>) -> Option<Timestamp> {
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    match s.parse::<Date>().and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC)) {
        Ok(z) => Some(z.timestamp()),
        Err(_) => {
            errs.push(format!("{name} {} is not a date (2026-11-23) or RFC 3339 time", shown(s)));
            None
        }
    }
}

/// `*` (every market) or comma-separated ISO 3166-1 alpha-2 codes; returns the codes
/// uppercased, empty for every market.
pub(crate) fn parse_markets(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for code in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if code == "*" {
            return Ok(Vec::new());
        }
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(format!("market {} is not an ISO 3166-1 alpha-2 code (or *)", shown(code)));
        }
        out.push(code.to_ascii_uppercase());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The first control character of `value` (C0, DEL or C1): nothing an operator types
/// into a cell, and what a terminal acts on when a report prints it (issue #15).
pub(crate) fn control_char(value: &str) -> Option<char> {
    value.chars().find(|c| c.is_control())
}
