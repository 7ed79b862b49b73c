//! vPDQ's frame-hash text format, as Meta's reference vPDQ writes it: one line per
//! frame, `frame,quality,hash,timestamp` (`0,100,e271…055c,0.000`). Video materials
//! are stored in it, `prescreen hash` writes it, and uploads can be built from it.

use crate::error::{Diagnostic, Error};
use crate::upload::{Pdq, VideoFrame};
use std::fmt::Write as _;

/// Parses vPDQ lines; blank lines and `#` comments are skipped. Every bad line is
/// reported (as `file:line: what`), not just the first.
pub fn parse_vpdq(file: &str, text: &str) -> Result<Vec<VideoFrame>, Error> {
    let mut frames = Vec::new();
    let mut diagnostics = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_line(line) {
            Ok(f) => frames.push(f),
            Err(message) => {
                diagnostics.push(Diagnostic { file: file.to_string(), line: n as u64 + 1, message })
            }
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error::source(diagnostics));
    }
    Ok(frames)
}

fn parse_line(line: &str) -> Result<VideoFrame, String> {
    let cells: Vec<&str> = line.split(',').map(str::trim).collect();
    let [index, quality, hash, timestamp] = cells[..] else {
        return Err(format!(
            "expected 4 comma-separated cells (frame,quality,hash,timestamp), found {}",
            cells.len()
        ));
    };
    let index = index
        .parse::<u32>()
        .map_err(|_| format!("frame number {} is not a count", crate::error::shown(index)))?;
    let quality = quality
        .parse::<u8>()
        .ok()
        .filter(|&q| q <= 100)
        .ok_or_else(|| format!("quality {} is not 0-100", crate::error::shown(quality)))?;
    let hash = Pdq::parse_hex(hash)
        .ok_or_else(|| format!("hash {} is not 64 hex digits", crate::error::shown(hash)))?;
    let timestamp =
        timestamp.parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0).ok_or_else(|| {
            format!("timestamp {} is not a number of seconds", crate::error::shown(timestamp))
        })?;
    Ok(VideoFrame { index, timestamp, hash: Pdq { hash, quality } })
}

/// Writes frames in the vPDQ format (timestamps to the millisecond, as the reference).
pub fn format_vpdq(frames: &[VideoFrame]) -> String {
    let mut out = String::with_capacity(frames.len() * 80);
    for f in frames {
        let _ = writeln!(
            out,
            "{},{},{},{:.3}",
            f.index,
            f.hash.quality,
            Pdq::to_hex(&f.hash.hash),
            f.timestamp
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_reference_form() {
        let text = "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n\
                    1,87,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,0.033\n";
        let frames = parse_vpdq("a.txt", text).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].hash.quality, 87);
        assert_eq!(format_vpdq(&frames), text);
    }

    #[test]
    fn every_bad_line_is_named() {
        let err = parse_vpdq("v.txt", "0,100,zz,0.0\n# fine\n1,101,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,1\n2,3\n")
            .unwrap_err();
        let lines: Vec<u64> = err.diagnostics().iter().map(|d| d.line).collect();
        assert_eq!(lines, [1, 3, 4]);
        assert!(err.to_string().contains("v.txt:3: quality \"101\""), "{err}");
    }
}
