//! Unsigned integers packed at the fewest bits the largest of them needs, for the
//! hash bank's columns and index (issue #13): at 1M hashes an entry id takes 20 bits,
//! not 32, and a column of one repeated value takes none.

use serde::{Deserialize, Serialize};

/// Bytes after the packed values, so every value reads as one unaligned 8-byte load.
const PADDING: usize = 8;

/// Widest value: a 32-bit value at bit offset 7 still fits the 8-byte load.
const MAX_BITS: u32 = 32;

/// `len` values of `bits` bits each, little-endian, back to back.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct PackedInts {
    bits: u32,
    len: usize,
    bytes: Vec<u8>,
}

impl PackedInts {
    /// Bits that hold every value up to `max` (0 for 0).
    pub(crate) fn bits_for(max: u64) -> u32 {
        u64::BITS - max.leading_zeros()
    }

    /// `len` zeros of `bits` bits (at most 32), for [`PackedInts::set`] to fill in.
    pub(crate) fn zeroed(len: usize, bits: u32) -> PackedInts {
        assert!(bits <= MAX_BITS, "{bits} bits is wider than a packed value");
        PackedInts { bits, len, bytes: vec![0; Self::byte_len(len, bits).expect("fits memory")] }
    }

    pub(crate) fn from_values(values: &[u32]) -> PackedInts {
        let max = values.iter().copied().max().unwrap_or(0);
        let mut packed = PackedInts::zeroed(values.len(), Self::bits_for(u64::from(max)));
        for (i, &v) in values.iter().enumerate() {
            packed.set(i, v);
        }
        packed
    }

    fn byte_len(len: usize, bits: u32) -> Option<usize> {
        len.checked_mul(bits as usize)?.div_ceil(8).checked_add(PADDING)
    }

    /// Checks the bytes hold exactly `len` values, for values read from bytes.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.bits > MAX_BITS || Self::byte_len(self.len, self.bits) != Some(self.bytes.len()) {
            return Err("packed integers of the wrong size".into());
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.len()
    }

    #[cfg(test)]
    pub(crate) fn bits(&self) -> u32 {
        self.bits
    }

    /// Value `i`; `i` must be below `len`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        debug_assert!(i < self.len);
        let bit = i * self.bits as usize;
        let b: [u8; 8] = self.bytes[bit / 8..bit / 8 + 8].try_into().expect("8 bytes");
        ((u64::from_le_bytes(b) >> (bit % 8)) & ((1u64 << self.bits) - 1)) as u32
    }

    /// Sets value `i` of a zeroed array (bits are or-ed in, not replaced).
    pub(crate) fn set(&mut self, i: usize, v: u32) {
        debug_assert!(u64::from(v) < 1u64 << self.bits || v == 0);
        let bit = i * self.bits as usize;
        let word = &mut self.bytes[bit / 8..bit / 8 + 8];
        let w = u64::from_le_bytes(word.try_into().expect("8 bytes")) | u64::from(v) << (bit % 8);
        word.copy_from_slice(&w.to_le_bytes());
    }
}

/// Values in blocks of [`BLOCK`]: each block's smallest value, and each value less it
/// packed at the width the widest block needs. A column of one value costs nothing
/// but the bases; consecutive owners (image materials in package order) and runs of
/// one owner (a video's frames) cost a few bits.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct BlockPacked {
    bases: Vec<u32>,
    rest: PackedInts,
}

/// Values a base covers: a 4-byte base per 64 values is half a bit each.
const BLOCK: usize = 64;

impl BlockPacked {
    pub(crate) fn new(values: &[u32]) -> BlockPacked {
        let bases: Vec<u32> =
            values.chunks(BLOCK).map(|b| b.iter().copied().min().unwrap_or(0)).collect();
        let rest: Vec<u32> = values.iter().enumerate().map(|(i, v)| v - bases[i / BLOCK]).collect();
        BlockPacked { bases, rest: PackedInts::from_values(&rest) }
    }

    /// Checks the parts agree, for values read from bytes.
    pub(crate) fn validate(&self) -> Result<(), String> {
        self.rest.validate()?;
        if self.bases.len() != self.rest.len().div_ceil(BLOCK) {
            return Err("packed column's blocks do not match its length".into());
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.rest.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        4 * self.bases.len() + self.rest.heap_bytes()
    }

    /// Value `i`; `i` must be below `len`. Wraps rather than panics on crafted bytes
    /// (callers bound what they read).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> u32 {
        self.bases[i / BLOCK].wrapping_add(self.rest.get(i))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn widths() {
        assert_eq!(
            [0, 1, 2, 3, 255, 256, (1 << 20) - 1, u64::from(u32::MAX)].map(PackedInts::bits_for),
            [0, 1, 2, 2, 8, 9, 20, 32]
        );
    }

    #[test]
    fn every_width_reads_back() {
        for bits in 0..=MAX_BITS {
            let mask = ((1u64 << bits) - 1) as u32;
            let values: Vec<u32> =
                (0..1000u32).map(|k| k.wrapping_mul(2_654_435_761) & mask).collect();
            let mut packed = PackedInts::zeroed(values.len(), bits);
            for (i, &v) in values.iter().enumerate() {
                packed.set(i, v);
            }
            assert!(packed.validate().is_ok());
            assert!((0..1000).all(|i| packed.get(i) == values[i]), "bits {bits}");
        }
    }

    /// Issue #13: a column of one value, or of consecutive owners, is nearly free.
    #[test]
    fn blocks_pack_runs_and_ranges_narrow() {
        let same = BlockPacked::new(&vec![31; 1_000_000]);
        assert_eq!(same.rest.bits, 0);
        assert!(same.heap_bytes() < 70_000, "{}", same.heap_bytes());
        let range: Vec<u32> = (5_000..1_005_000).collect();
        let owners = BlockPacked::new(&range);
        assert_eq!(owners.rest.bits, 6);
        assert!(owners.iter().eq(range.iter().copied()));
    }

    #[test]
    fn crafted_sizes_are_refused() {
        let mut p = PackedInts::from_values(&[1, 2, 3]);
        p.len = 4_000;
        assert!(p.validate().is_err());
        let mut p = PackedInts::from_values(&[1, 2, 3]);
        p.bits = 40;
        assert!(p.validate().is_err());
        let mut b = BlockPacked::new(&[7; 100]);
        b.bases.pop();
        assert!(b.validate().is_err());
    }

    proptest! {
        #[test]
        fn block_packed_reads_back(values in proptest::collection::vec(any::<u32>(), 0..300)) {
            let b = BlockPacked::new(&values);
            prop_assert!(b.validate().is_ok());
            prop_assert!(b.iter().eq(values.iter().copied()));
        }
    }
}
