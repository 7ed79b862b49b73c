//! The prebuilt screener: a built matcher as bytes, so the compiler can build it
//! natively and the component only copies it into place.
//!
//! Why: building the automaton inside the component leaves the heap it grew (a
//! 100k-term package peaks at ~160 MiB) full of freed chunks whose allocator headers
//! survive in the snapshot, which then spans the whole heap (120-145 MiB measured for
//! a 21 MiB matcher). Loading prebuilt bytes into a fresh instance allocates a few
//! large vectors in a pristine heap, so the snapshot holds about the matcher's size.
//!
//! ```text
//! offset  size  field
//! 0       8     label  b"PRSCRMAT"
//! 8       4     format version, u32 little-endian (same as the package format)
//! 12      32    SHA-256 of the body
//! 44      ..    body: postcard-encoded `Prebuilt`
//! ```

use crate::error::Error;
use crate::format::{frame, unframe};
use crate::limits::Limits;
use crate::matcher::{MatcherParts, TextMatcher};
use crate::media::MediaMatcher;
use crate::package::PackageInfo;
use crate::screener::Screener;
use crate::table::MaterialTable;
use serde::{Deserialize, Serialize};

const LABEL: &[u8; 8] = b"PRSCRMAT";

#[derive(Serialize, Deserialize)]
struct Prebuilt {
    info: PackageInfo,
    mixed_script_action: Option<crate::model::Action>,
    options: crate::normalize::NormalizeOptions,
    table: MaterialTable,
    matcher: MatcherParts,
    media: MediaMatcher,
}

impl Screener {
    /// This screener as prebuilt bytes for [`Screener::from_prebuilt`].
    pub fn to_prebuilt(&self) -> Vec<u8> {
        let prebuilt = Prebuilt {
            info: self.info.clone(),
            mixed_script_action: self.mixed_script_action,
            options: self.options,
            table: self.table.clone(),
            matcher: self.text.to_parts(),
            media: self.media.clone(),
        };
        frame(LABEL, &postcard::to_allocvec(&prebuilt).expect("serializing to a Vec cannot fail"))
    }

    /// Loads prebuilt bytes from anywhere: the header, the checksum, the tables and
    /// the automaton's structure are checked, so crafted bytes get an error, never
    /// unbounded memory or an out-of-bounds read (issue #15).
    pub fn from_prebuilt(bytes: &[u8]) -> Result<Screener, Error> {
        let body = unframe(LABEL, bytes)?;
        let mut p: Prebuilt =
            postcard::from_bytes(body).map_err(|e| Error::format(format!("body: {e}")))?;
        p.table.validate().map_err(Error::format)?;
        p.media.validate(p.table.len()).map_err(Error::format)?;
        // Inside the component this runs before the snapshot: the look-alike
        // tables are then in the image, not built by the first request.
        crate::confusables::warm_up();
        crate::stem::warm_up();
        let text = TextMatcher::from_parts(p.matcher)?;
        if text.refers_beyond(p.table.len()) {
            return Err(Error::format("pattern table refers to a missing material"));
        }
        Ok(Screener {
            info: p.info,
            mixed_script_action: p.mixed_script_action,
            options: p.options,
            table: p.table,
            text,
            media: p.media,
            limits: Limits::default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_screens_the_same() {
        let s = Screener::new(crate::screener::tests::tiny_package()).unwrap();
        let bytes = s.to_prebuilt();
        let t = Screener::from_prebuilt(&bytes).unwrap();
        let u = crate::Upload::text("u", "RU", "Assassin CASINO; казиношный alphabet");
        assert_eq!(s.screen(&u), t.screen(&u));
        assert_eq!(s.info(), t.info());
    }

    /// Issue #15: a fuzzer forged the checksum over a body whose automaton claimed
    /// 27 GB; the automaton is checked before daachorse reads it.
    #[test]
    fn a_crafted_automaton_behind_a_valid_checksum_is_refused() {
        let bytes = Screener::new(crate::screener::tests::tiny_package()).unwrap().to_prebuilt();
        let mut p: Prebuilt = postcard::from_bytes(unframe(LABEL, &bytes).unwrap()).unwrap();
        p.matcher.automaton[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let forged = frame(LABEL, &postcard::to_allocvec(&p).unwrap());
        let err = Screener::from_prebuilt(&forged).err().expect("a crafted automaton is refused");
        assert!(err.to_string().contains("automaton"), "{err}");
    }

    #[test]
    fn corruption_is_caught_by_the_checksum() {
        let mut bytes =
            Screener::new(crate::screener::tests::tiny_package()).unwrap().to_prebuilt();
        let n = bytes.len();
        bytes[n - 3] ^= 1;
        let err = Screener::from_prebuilt(&bytes).err().expect("corruption is refused");
        assert!(err.to_string().contains("checksum"), "{err}");
    }
}
