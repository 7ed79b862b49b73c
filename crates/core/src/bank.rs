//! A bank of PDQ hashes answering "which entries are within their distance threshold
//! of this hash": by multi-index hashing (MIH) for large banks, by a linear scan for
//! small ones.
//!
//! MIH, as in Norouzi et al. and in ThreatExchange's faiss-backed PDQ index: the 256
//! bits are cut into 16 chunks of 16 bits. If two hashes are within distance `d`, by
//! the pigeonhole principle some chunk differs in at most `d / 16` bits, so probing,
//! for each chunk, every 16-bit value within `d / 16` bits of the query's chunk (17
//! values for the PDQ threshold 31) finds every match. Each chunk has a direct bucket
//! table (65,537 starts into a list of entry ids), so a probe is two loads.

use crate::packed::{BlockPacked, PackedInts};
use crate::pdq::hamming;
use serde::{Deserialize, Serialize};

/// Bits per chunk; a chunk value indexes its bucket table directly.
const CHUNK_BITS: u32 = 16;
const CHUNKS: usize = 256 / CHUNK_BITS as usize;
const BUCKETS: usize = 1 << CHUNK_BITS;

/// Banks smaller than this are scanned linearly: below it a scan costs under 20 us,
/// and the index's 4 MiB of bucket starts is not worth holding. Measured
/// (`--bench media`): warm, the index beats the scan from 1k hashes (0.52 vs 2.1 us);
/// at 10k in the component, warm 2.0 vs 32 us, and in a fresh instance (memory kept
/// resident, `KEEP_RESIDENT_BYTES` in the host) 48 vs 50 us. Without memory kept
/// resident every index probe faults a page of the copy-on-write image (10k: index
/// 315 us vs scan 87 us; 100k: 515 vs 545 us).
pub const INDEX_MIN_HASHES: usize = 8_192;

/// Largest distance threshold a material may ask for. Unrelated images are ~128
/// apart; past 63 a "match" is noise, and the index would probe 11k buckets.
pub const MAX_DISTANCE: u16 = 63;

/// Chunk `c` (0 = the 16 most significant bits of the hex form) of `hash`.
#[inline]
fn chunk(hash: &[u64; 4], c: usize) -> usize {
    ((hash[c / 4] >> (48 - 16 * (c % 4))) & 0xffff) as usize
}

/// One entry as added to the bank.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BankEntry {
    pub hash: [u64; 4],
    /// Whatever the caller wants back: a material or a frame number.
    pub owner: u32,
    pub max_distance: u16,
    /// Queries of lower quality do not match this entry.
    pub min_quality: u8,
}

/// The bank. Entries are stored column-wise so a scan touches only hashes; the
/// other columns are packed (a column of one threshold costs nothing per entry).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct HashBank {
    hashes: Vec<[u64; 4]>,
    owners: BlockPacked,
    max_distance: BlockPacked,
    min_quality: BlockPacked,
    /// Rebuilt from the entries on load, never trusted from bytes.
    #[serde(skip)]
    index: Option<Index>,
}

/// Banks up to this many entries are indexed: an index id is at most 24 bits (ids
/// are 16 per entry, most of the index). Past it a bank (512 MiB of hashes) is
/// scanned; the memory bound refuses such packages anyway.
pub const MAX_INDEXED_HASHES: usize = 1 << 24;
#[derive(Clone)]
struct Index {
    /// Bits a probed chunk may differ in: the largest threshold / 16.
    radius: u32,
    /// The largest threshold: a candidate farther than this is dropped before its
    /// own threshold is read.
    max_distance: u16,
    /// Chunk `c`'s bucket `v` holds the ids `c * n + starts[c * (BUCKETS + 1) + v] ..
    /// c * n + starts[c * (BUCKETS + 1) + v + 1]` of `ids`.
    starts: PackedInts,
    /// Entry ids (as few bits as the bank's size needs: 20 for 1M hashes, not 32),
    /// sorted by bucket within a chunk.
    ids: PackedInts,
}

impl HashBank {
    /// A bank of `entries`, indexed when there are [`INDEX_MIN_HASHES`] or more.
    pub fn new(entries: &[BankEntry]) -> HashBank {
        let column = |f: &dyn Fn(&BankEntry) -> u32| {
            BlockPacked::new(&entries.iter().map(f).collect::<Vec<u32>>())
        };
        let mut bank = HashBank {
            hashes: entries.iter().map(|e| e.hash).collect(),
            owners: column(&|e| e.owner),
            max_distance: column(&|e| u32::from(e.max_distance.min(MAX_DISTANCE))),
            min_quality: column(&|e| u32::from(e.min_quality)),
            index: None,
        };
        bank.reindex(INDEX_MIN_HASHES);
        bank
    }

    /// Checks the columns agree, for a bank read from bytes, and builds its index.
    pub(crate) fn validate_and_index(&mut self) -> Result<(), String> {
        let n = self.hashes.len();
        for column in [&self.owners, &self.max_distance, &self.min_quality] {
            column.validate()?;
            if column.len() != n {
                return Err("hash bank columns differ in length".into());
            }
        }
        if self.max_distance.iter().any(|d| d > u32::from(MAX_DISTANCE)) {
            return Err("hash bank distance threshold over the maximum".into());
        }
        if self.min_quality.iter().any(|q| q > u32::from(u8::MAX)) {
            return Err("hash bank quality gate over 255".into());
        }
        if u32::try_from(n).is_err() {
            return Err("hash bank has more than 2^32 entries".into());
        }
        self.reindex(INDEX_MIN_HASHES);
        Ok(())
    }

    /// Builds the index when the bank has at least `min_hashes` entries, else drops
    /// it (0: always index; `usize::MAX`: always scan). Benchmarks compare the two.
    pub fn reindex(&mut self, min_hashes: usize) {
        let n = self.hashes.len();
        if n == 0 || n < min_hashes || n > MAX_INDEXED_HASHES {
            self.index = None;
            return;
        }
        let max_distance = self.max_distance.iter().max().unwrap_or(0) as u16;
        let radius = u32::from(max_distance) / CHUNKS as u32;
        let mut starts = PackedInts::zeroed(CHUNKS * (BUCKETS + 1), PackedInts::bits_for(n as u64));
        let mut ids = PackedInts::zeroed(CHUNKS * n, PackedInts::bits_for(n as u64 - 1));
        let mut next = vec![0u32; BUCKETS + 1];
        for c in 0..CHUNKS {
            // Counting sort: count each bucket into the slot after it, prefix-sum,
            // then place ids.
            next.fill(0);
            for h in &self.hashes {
                next[chunk(h, c) + 1] += 1;
            }
            for v in 1..=BUCKETS {
                next[v] += next[v - 1];
            }
            for (v, &start) in next.iter().enumerate() {
                starts.set(c * (BUCKETS + 1) + v, start);
            }
            for (i, h) in self.hashes.iter().enumerate() {
                let v = chunk(h, c);
                ids.set(c * n + next[v] as usize, i as u32);
                next[v] += 1;
            }
        }
        self.index = Some(Index { radius, max_distance, starts, ids });
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn is_indexed(&self) -> bool {
        self.index.is_some()
    }

    pub fn owner(&self, entry: usize) -> u32 {
        self.owners.get(entry)
    }

    /// Heap bytes of the entries and the index.
    pub fn memory_usage(&self) -> usize {
        let index =
            self.index.as_ref().map_or(0, |ix| ix.starts.heap_bytes() + ix.ids.heap_bytes());
        let columns = [&self.owners, &self.max_distance, &self.min_quality];
        self.hashes.len() * 32 + columns.iter().map(|c| c.heap_bytes()).sum::<usize>() + index
    }

    /// Calls `found(entry, distance)` once for every entry within its threshold of
    /// `hash` whose quality gate `quality` passes, in no particular order.
    pub fn query(&self, hash: &[u64; 4], quality: u8, mut found: impl FnMut(usize, u16)) {
        // The bank's largest threshold first: most candidates are far from the query,
        // and their own thresholds then stay unread (a page less to fault in).
        let farthest = self.index.as_ref().map_or(MAX_DISTANCE, |ix| ix.max_distance);
        let mut check = |i: usize| {
            let d = hamming(hash, &self.hashes[i]);
            if d <= farthest
                && u32::from(d) <= self.max_distance.get(i)
                && u32::from(quality) >= self.min_quality.get(i)
            {
                found(i, d);
            }
        };
        let Some(ix) = &self.index else {
            (0..self.hashes.len()).for_each(check);
            return;
        };
        let n = self.hashes.len();
        let q: [usize; CHUNKS] = std::array::from_fn(|c| chunk(hash, c));
        for c in 0..CHUNKS {
            let bucket = |v: usize| ix.starts.get(c * (BUCKETS + 1) + v) as usize;
            neighbours(q[c], ix.radius, |v| {
                for k in c * n + bucket(v)..c * n + bucket(v + 1) {
                    let id = ix.ids.get(k) as usize;
                    let h = &self.hashes[id];
                    // An entry reachable from an earlier chunk was checked there:
                    // skipping it here reports every entry once, without a set.
                    if (0..c).any(|e| ((chunk(h, e) ^ q[e]) as u32).count_ones() <= ix.radius) {
                        continue;
                    }
                    check(id);
                }
            });
        }
    }
}

/// Calls `f` with every 16-bit value within `radius` bits of `v` (radius <= 3).
fn neighbours(v: usize, radius: u32, mut f: impl FnMut(usize)) {
    f(v);
    let bits = CHUNK_BITS as usize;
    if radius >= 1 {
        for a in 0..bits {
            let va = v ^ (1 << a);
            f(va);
            if radius >= 2 {
                for b in a + 1..bits {
                    let vb = va ^ (1 << b);
                    f(vb);
                    if radius >= 3 {
                        for c in b + 1..bits {
                            f(vb ^ (1 << c));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn random_hashes(n: usize, seed: u64) -> Vec<[u64; 4]> {
        let mut s = seed;
        let mut next = move || {
            // splitmix64: deterministic, good enough to scatter bits.
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        (0..n).map(|_| [next(), next(), next(), next()]).collect()
    }

    fn flip(mut h: [u64; 4], bits: &[usize]) -> [u64; 4] {
        for &b in bits {
            h[b / 64] ^= 1 << (b % 64);
        }
        h
    }

    fn entries(hashes: &[[u64; 4]], max_distance: u16) -> Vec<BankEntry> {
        hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| BankEntry {
                hash,
                owner: i as u32 * 10,
                max_distance,
                min_quality: 50,
            })
            .collect()
    }

    fn results(bank: &HashBank, q: &[u64; 4], quality: u8) -> Vec<(usize, u16)> {
        let mut out = Vec::new();
        bank.query(q, quality, |i, d| out.push((i, d)));
        out.sort();
        out
    }

    #[test]
    fn neighbour_counts() {
        for (r, n) in [(0, 1), (1, 17), (2, 137), (3, 697)] {
            let mut seen = std::collections::BTreeSet::new();
            neighbours(0x1234, r, |v| assert!(seen.insert(v)));
            assert_eq!(seen.len(), n, "radius {r}");
        }
    }

    #[test]
    fn index_and_scan_agree_at_the_threshold_edges() {
        let mut hashes = random_hashes(3000, 7);
        let base = hashes[0];
        // Near copies of entry 0 at distances 0..40, bits spread over all chunks.
        for d in 0..40 {
            let bits: Vec<usize> = (0..d).map(|k| (k * 37 + d) % 256).collect();
            hashes.push(flip(base, &bits));
        }
        let mut bank = HashBank::new(&entries(&hashes, 31));
        bank.reindex(usize::MAX);
        assert!(!bank.is_indexed());
        let scan = results(&bank, &base, 100);
        bank.reindex(0);
        assert!(bank.is_indexed());
        let index = results(&bank, &base, 100);
        assert_eq!(scan, index);
        // Entry 0 and its copies at distance 0..=31 (the copy at 0 too).
        assert_eq!(index.len(), 1 + 32);
        assert!(index.iter().all(|&(_, d)| d <= 31));
    }

    #[test]
    fn quality_gate_and_per_entry_threshold() {
        let hashes = random_hashes(2, 1);
        let mut e = entries(&hashes, 31);
        e[1].max_distance = 3;
        let bank = HashBank::new(&e);
        let q = flip(hashes[1], &[1, 100, 200, 250]);
        assert!(results(&bank, &q, 100).is_empty(), "distance 4 is over entry 1's threshold 3");
        let q = flip(hashes[0], &[1, 100]);
        assert_eq!(results(&bank, &q, 100), vec![(0, 2)]);
        assert!(results(&bank, &q, 49).is_empty(), "quality under the gate");
        assert_eq!(bank.owner(0), 0);
    }

    #[test]
    fn ids_past_two_bytes_are_found() {
        // Entries past 65,535 need a 17th bit.
        let hashes = random_hashes(70_000, 3);
        let mut bank = HashBank::new(&entries(&hashes, 31));
        assert!(bank.is_indexed());
        for pick in [0, 65_535, 65_536, 69_999] {
            let q = flip(hashes[pick], &[3, 77, 140, 201, 255]);
            let index = results(&bank, &q, 100);
            assert!(index.contains(&(pick, 5)), "entry {pick}");
            bank.reindex(usize::MAX);
            assert_eq!(results(&bank, &q, 100), index);
            bank.reindex(0);
        }
    }

    /// Issue #13: the index's ids and starts take the bits the bank's size needs, and
    /// columns of one value (PDQ's default thresholds) take none per entry.
    #[test]
    fn index_and_columns_are_packed_narrow() {
        let hashes = random_hashes(70_000, 5);
        let bank = HashBank::new(&entries(&hashes, 31));
        let ix = bank.index.as_ref().expect("indexed");
        assert_eq!((ix.ids.bits(), ix.starts.bits()), (17, 17));
        let per_entry = (bank.memory_usage() - ix.starts.heap_bytes()) as f64 / hashes.len() as f64;
        // 32 bytes of hash, 16 ids of 17 bits, a few bits of owner (i * 10).
        assert!(per_entry < 32.0 + 16.0 * 17.0 / 8.0 + 3.0, "{per_entry} bytes an entry");
        assert!(bank.max_distance.heap_bytes() < hashes.len() / 8);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn index_finds_exactly_what_the_scan_finds(
            seed in any::<u64>(),
            pick in 0usize..500,
            bits in proptest::collection::vec(0usize..256, 0..70),
            threshold in 0u16..=63,
        ) {
            let hashes = random_hashes(500, seed);
            let q = flip(hashes[pick], &bits);
            let mut bank = HashBank::new(&entries(&hashes, threshold));
            bank.reindex(usize::MAX);
            let scan = results(&bank, &q, 100);
            bank.reindex(0);
            prop_assert_eq!(scan, results(&bank, &q, 100));
        }
    }
}
