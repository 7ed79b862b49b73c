//! The term index: word, phrase and prefix terms as 32-bit fingerprints in a
//! bucketed hash table, so a request reads a few pages of it instead of walking an
//! automaton's states all over the package (issue #13).
//!
//! A key is a term's normalized text with its spaces squeezed out. The matcher
//! hashes each candidate span of the text the same way (its bytes without spaces,
//! `matcher.rs`), so one key finds a phrase written with its spaces, without them or
//! with a space at a joint (`sports betting`, `sportsbetting`, `e cigarette`), and
//! [`TermTable::verify`] decides, from the key's gaps, which spacings are the term's
//! own. The key's text is not stored: a span is the key when its 32-bit fingerprint
//! and a second, independent 32-bit hash of its squeezed bytes both agree (a false
//! match needs 64 bits to collide) and its spaces sit where the key's gaps are. Per
//! key, in memory: up to 8 bits each of head and tail gate, 16 bits of filter, ~4.5
//! bytes of table and, read only on a fingerprint hit, 8 bytes of check and gap end
//! and 2 bytes a gap (1M synthetic terms: 36 MiB of key text became 11 MiB).
//!
//! A probe reads, in order: the head gate (one bit per start of a text word, keyed
//! by the first [`HEAD_BYTES`] bytes), the tail gate (one bit per place a span may
//! end, keyed by the last [`HEAD_BYTES`] bytes before it), or for a span shorter
//! than a head the short gate, then the filter (one `u64` per span that passed),
//! then the bucket and its fingerprints, then the text. Each layer is denser than the next,
//! so the pages a request touches are mostly the gate's and the filter's.

use serde::{Deserialize, Serialize};

/// Keys longer than this (squeezed bytes) are left to the automaton: it bounds the
/// window of starts a scan keeps, and no real risk term is that long.
pub(crate) const MAX_KEY_BYTES: usize = 255;
/// A key's head: the gates are keyed by this many leading (trailing) bytes of it.
/// Eight bytes are four Cyrillic letters: with four bytes (two letters) nearly
/// every Russian word of an ad opened the gate of a 100k-term package.
pub(crate) const HEAD_BYTES: usize = 8;
/// Marks a joint in a stored key: a word edge with no space (`e-mail`), where the
/// text may also have a space.
pub(crate) const JOINT: u8 = 0x01;
/// Filter bits per key: with four bits set in one `u64` a miss is a false positive
/// about 0.5% of the time.
const FILTER_BITS_PER_KEY: usize = 16;
/// Gate bits per distinct head: one bit each, about 12% false positives, enough to
/// spare most words of an ad every probe after the first.
const GATE_BITS_PER_HEAD: usize = 8;
/// Keys per bucket on average: one bucket offset per two keys.
const KEYS_PER_BUCKET: usize = 2;
/// The polynomial hash's multiplier (odd, so every byte stays significant).
pub(crate) const BASE: u64 = 0x9E37_79B9_7F4A_7C15;
/// The check hash's multiplier: another odd constant, so the check does not collide
/// where the fingerprint does.
const CHECK_BASE: u64 = 0xC2B2_AE3D_27D4_EB4F;
/// Marks a gap that is a joint (`e-mail`), above a gap's squeezed offset (at most
/// `MAX_KEY_BYTES`).
const JOINT_GAP: u16 = 0x100;

/// Appends one byte to a polynomial hash. The byte counts as `b + 1`, so a run of
/// zero bytes still changes it.
#[inline(always)]
pub(crate) fn push(hash: u64, b: u8) -> u64 {
    hash.wrapping_mul(BASE).wrapping_add(b as u64 + 1)
}

/// Murmur3's 64-bit finalizer: spreads a polynomial hash over all bits.
#[inline(always)]
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// The digest of a span with polynomial hash `hash` and `len` squeezed bytes.
#[inline(always)]
fn digest(hash: u64, len: usize) -> u64 {
    fmix64(hash.wrapping_add((len as u64) << 56))
}

/// The gate's hash of a head (the first `HEAD_BYTES` squeezed bytes, packed).
#[inline(always)]
pub(crate) fn head_hash(head: u64) -> u64 {
    fmix64(head ^ 0x2545_F491_4F6C_DD1D)
}

/// The tail gate's hash of a tail: the last `HEAD_BYTES` squeezed bytes, each
/// pushed in at the low end (`tail << 8 | b`).
#[inline(always)]
pub(crate) fn tail_hash(tail: u64) -> u64 {
    fmix64(tail ^ 0x9FB2_1C65_1E98_DF25)
}

/// A key shorter than a head, as the short gate holds it: its bytes as a tail, its
/// length in the top byte (which such a tail leaves zero).
#[inline(always)]
fn short_packed(tail: u64, len: usize) -> u64 {
    (tail & ((1u64 << (8 * len)) - 1)) | (len as u64) << 56
}

/// Whether bit `hash` (modulo its length) is set in a gate bit set.
#[inline(always)]
fn gate_bit(gate: &[u64], hash: u64) -> bool {
    let bits = gate.len() * 64;
    bits != 0 && {
        let g = hash as usize & (bits - 1);
        gate[g / 64] & (1 << (g % 64)) != 0
    }
}

/// A gate bit set of `packed` heads or tails under `hash`, `GATE_BITS_PER_HEAD`
/// bits per distinct one.
fn gate_of(mut packed: Vec<u64>, hash: fn(u64) -> u64) -> Vec<u64> {
    packed.sort_unstable();
    packed.dedup();
    let mut gate = vec![0u64; (packed.len() * GATE_BITS_PER_HEAD / 64).next_power_of_two()];
    for &p in &packed {
        let g = hash(p) as usize & (gate.len() * 64 - 1);
        gate[g / 64] |= 1 << (g % 64);
    }
    gate
}

/// The squeezed bytes of a stored key: without its spaces and joints.
fn squeezed(key: &[u8]) -> impl Iterator<Item = u8> + '_ {
    key.iter().copied().filter(|&b| b != b' ' && b != JOINT)
}

/// One table of keys: word keys (a span must end where a word does) or prefix keys
/// (a span may end anywhere).
#[derive(Serialize, Deserialize, Clone, Default)]
pub(crate) struct TermTable {
    /// Pattern id of key 0; key `k` is pattern `base + k`.
    base: u32,
    /// Squeezed key lengths present, as a bit set over `1..=MAX_KEY_BYTES`.
    lengths: [u64; 4],
    /// Most gaps (spaces and joints) in one key: a span crossing more text spaces
    /// cannot be a key.
    max_gaps: u32,
    /// One bit per head hash; empty for a table without keys.
    gate: Vec<u64>,
    /// One bit per tail hash (the last `HEAD_BYTES` squeezed bytes of a key).
    tail: Vec<u64>,
    /// One bit per key shorter than a head (`short_packed`): such spans pass no
    /// head gate, and this one is small enough to stay in cache.
    short: Vec<u64>,
    /// Blocked Bloom filter over key digests: one `u64` per probe.
    filter: Vec<u64>,
    /// Key `k` of bucket `b` is in `buckets[b]..buckets[b + 1]`; the table's length
    /// is a power of two plus one.
    buckets: Vec<u32>,
    /// Per key, in bucket order: the low half of its bucket hash.
    fingerprints: Vec<u32>,
    /// Per key: the check hash of its squeezed bytes (`check_hash`).
    checks: Vec<u32>,
    /// Per key: where its gaps end in `gaps`.
    gap_ends: Vec<u32>,
    /// Each key's gaps in order: the squeezed offset a space stands before, with
    /// `JOINT_GAP` for a joint (where the text may have a space or none).
    gaps: Vec<u16>,
}

/// The check hash of squeezed bytes: a polynomial hash of another multiplier,
/// finalized, low half.
fn check_hash(bytes: impl Iterator<Item = u8>) -> u32 {
    fmix64(bytes.fold(0u64, |h, b| h.wrapping_mul(CHECK_BASE).wrapping_add(b as u64 + 1))) as u32
}

/// The bucket hash of a digest: its high bits pick the bucket, its low half is the
/// fingerprint.
#[inline(always)]
fn bucket_hash(d: u64) -> u64 {
    fmix64(d ^ 0x5851_F42D_4C95_7F2D)
}

#[inline(always)]
fn filter_mask(d: u64) -> u64 {
    1 << (d & 63) | 1 << ((d >> 6) & 63) | 1 << ((d >> 12) & 63) | 1 << ((d >> 18) & 63)
}

impl TermTable {
    /// A table of `keys` (stored texts: a term's normalized text, `JOINT` at its
    /// joints), whose first pattern id is `base`. Returns the table and the order
    /// in which it numbered the keys: `order[k]` is the index in `keys` of key `k`.
    /// Every key must be non-empty and at most `MAX_KEY_BYTES` squeezed bytes.
    pub(crate) fn build(base: u32, keys: &[&[u8]]) -> (TermTable, Vec<usize>) {
        if keys.is_empty() {
            return (TermTable { base, buckets: vec![0, 0], ..TermTable::default() }, Vec::new());
        }
        let n = keys.len();
        let bits = (n.div_ceil(KEYS_PER_BUCKET)).next_power_of_two().trailing_zeros().min(31);
        let mut lengths = [0u64; 4];
        let mut max_gaps = 0;
        let mut heads = Vec::with_capacity(n);
        let mut tails = Vec::with_capacity(n);
        let mut shorts = Vec::new();
        let mut hashed: Vec<(u64, usize)> = Vec::with_capacity(n);
        // What the table stores of each key, worked out while the key is at hand:
        // the table's order visits the keys at random, which a million keys' worth
        // of cache misses makes slow.
        let mut key_checks = Vec::with_capacity(n);
        let mut gapped = Vec::with_capacity(n);
        let mut filter = vec![0u64; (n * FILTER_BITS_PER_KEY / 64).next_power_of_two()];
        for (i, key) in keys.iter().enumerate() {
            let (mut hash, mut len, mut head, mut tail) = (0u64, 0usize, 0u64, 0u64);
            for b in squeezed(key) {
                hash = push(hash, b);
                if len < HEAD_BYTES {
                    head |= (b as u64) << (8 * len);
                }
                tail = tail << 8 | b as u64;
                len += 1;
            }
            debug_assert!((1..=MAX_KEY_BYTES).contains(&len));
            lengths[len / 64] |= 1 << (len % 64);
            max_gaps = max_gaps.max(key.len() - len);
            key_checks.push(check_hash(squeezed(key)));
            gapped.push(key.len() > len);
            if len >= HEAD_BYTES {
                heads.push(head);
                tails.push(tail);
            } else {
                shorts.push(short_packed(tail, len));
            }
            let d = digest(hash, len);
            let block = (d >> 32) as usize & (filter.len() - 1);
            filter[block] |= filter_mask(d);
            hashed.push((bucket_hash(d), i));
        }
        let gate = gate_of(heads, head_hash);
        let tail = gate_of(tails, tail_hash);
        let short = gate_of(shorts, tail_hash);
        // Bucket order, then the key's text: the same keys give the same bytes.
        let bucket = |h: u64| (h >> 32 >> (32 - bits)) as usize;
        hashed.sort_unstable_by(|a, b| {
            (bucket(a.0), a.0 as u32, keys[a.1]).cmp(&(bucket(b.0), b.0 as u32, keys[b.1]))
        });
        let mut buckets = vec![0u32; (1 << bits) + 1];
        for &(h, _) in &hashed {
            buckets[bucket(h) + 1] += 1;
        }
        for b in 1..buckets.len() {
            buckets[b] += buckets[b - 1];
        }
        let fingerprints = hashed.iter().map(|&(h, _)| h as u32).collect();
        let order: Vec<usize> = hashed.iter().map(|&(_, i)| i).collect();
        let checks = order.iter().map(|&i| key_checks[i]).collect();
        let (mut gaps, mut gap_ends) = (Vec::new(), Vec::with_capacity(n));
        for &i in &order {
            let mut at = 0u16;
            for &b in if gapped[i] { keys[i] } else { &[] } {
                match b {
                    b' ' => gaps.push(at),
                    JOINT => gaps.push(at | JOINT_GAP),
                    _ => at += 1,
                }
            }
            gap_ends.push(gaps.len() as u32);
        }
        let table = TermTable {
            base,
            lengths,
            max_gaps: max_gaps as u32,
            gate,
            tail,
            short,
            filter,
            buckets,
            fingerprints,
            checks,
            gap_ends,
            gaps,
        };
        (table, order)
    }

    /// Checks what lookups rely on, for a table read from bytes: a crafted table
    /// gets an error, never an out-of-bounds read. `patterns` is the pattern table's
    /// length.
    pub(crate) fn validate(&self, patterns: usize) -> Result<(), &'static str> {
        let n = self.fingerprints.len();
        let pow2 = |v: &Vec<u64>| v.is_empty() || v.len().is_power_of_two();
        if !pow2(&self.gate)
            || !pow2(&self.tail)
            || !pow2(&self.short)
            || !pow2(&self.filter)
            || (n > 0 && self.filter.is_empty())
        {
            return Err("term index filter is not a power of two");
        }
        if self.buckets.len() < 2
            || !(self.buckets.len() - 1).is_power_of_two()
            || self.buckets[0] != 0
            || self.buckets.windows(2).any(|w| w[0] > w[1])
            || self.buckets.last().copied() != Some(n as u32)
        {
            return Err("term index buckets out of order");
        }
        if self.checks.len() != n
            || self.gap_ends.len() != n
            || self.gap_ends.windows(2).any(|w| w[0] > w[1])
            || self.gap_ends.last().copied().unwrap_or(0) as usize != self.gaps.len()
        {
            return Err("term index gaps out of order");
        }
        // Within a key, gaps stand in order inside it.
        if (0..n).any(|k| {
            let gaps = self.gaps(k);
            gaps.iter().any(|&g| g & !(JOINT_GAP | 0xff) != 0 || g & 0xff == 0)
                || gaps.windows(2).any(|w| w[0] & 0xff > w[1] & 0xff)
        }) {
            return Err("term index gap out of place");
        }
        if (self.base as usize).checked_add(n).is_none_or(|end| end > patterns) {
            return Err("term index refers past the pattern table");
        }
        if self.lengths[0] & 1 != 0 {
            return Err("term index holds an empty key");
        }
        Ok(())
    }

    /// The longest squeezed key, 0 for none.
    pub(crate) fn max_len(&self) -> usize {
        (0..4)
            .rev()
            .find(|&w| self.lengths[w] != 0)
            .map_or(0, |w| w * 64 + 63 - self.lengths[w].leading_zeros() as usize)
    }

    /// The most gaps of one key.
    pub(crate) fn max_gaps(&self) -> u32 {
        self.max_gaps
    }

    /// Whether some key has `len` squeezed bytes.
    #[inline(always)]
    pub(crate) fn has_len(&self, len: usize) -> bool {
        len <= MAX_KEY_BYTES && self.lengths[len / 64] & (1 << (len % 64)) != 0
    }

    /// Whether some key of at least `HEAD_BYTES` bytes may start with the packed
    /// head whose gate hash is `head` (false positives possible, no false negatives).
    #[inline(always)]
    pub(crate) fn gate_open(&self, head: u64) -> bool {
        gate_bit(&self.gate, head)
    }

    /// Whether some key of at least `HEAD_BYTES` bytes may end with the packed tail
    /// whose gate hash is `tail` (false positives possible, no false negatives).
    #[inline(always)]
    pub(crate) fn tail_open(&self, tail: u64) -> bool {
        gate_bit(&self.tail, tail)
    }

    /// Whether some key may be the `len` (under `HEAD_BYTES`) squeezed bytes that
    /// end `tail`, the last bytes of the text (false positives possible).
    #[inline(always)]
    pub(crate) fn short_open(&self, tail: u64, len: usize) -> bool {
        len < HEAD_BYTES && gate_bit(&self.short, tail_hash(short_packed(tail, len)))
    }

    /// The keys that may have squeezed bytes of polynomial hash `hash` and length
    /// `len`, by key index: verify each with [`TermTable::verify`].
    #[inline]
    pub(crate) fn probe(&self, hash: u64, len: usize) -> impl Iterator<Item = usize> + '_ {
        let d = digest(hash, len);
        let hit = !self.filter.is_empty() && {
            let mask = filter_mask(d);
            self.filter[(d >> 32) as usize & (self.filter.len() - 1)] & mask == mask
        };
        let (mut lo, mut hi, mut fp) = (0, 0, 0);
        if hit {
            let h = bucket_hash(d);
            let bits = (self.buckets.len() - 1).trailing_zeros();
            let b = if bits == 0 { 0 } else { (h >> 32 >> (32 - bits)) as usize };
            (lo, hi, fp) = (self.buckets[b] as usize, self.buckets[b + 1] as usize, h as u32);
        }
        (lo..hi).filter(move |&k| self.fingerprints[k] == fp)
    }

    /// Pattern id of key `k`.
    pub(crate) fn pattern(&self, k: usize) -> u32 {
        self.base + k as u32
    }

    /// The gaps of key `k`.
    fn gaps(&self, k: usize) -> &[u16] {
        let start = if k == 0 { 0 } else { self.gap_ends[k - 1] as usize };
        &self.gaps[start..self.gap_ends[k] as usize]
    }

    /// Whether the text span `span` is key `k` with its spaces where the key allows
    /// them: `Some(true)` if the spacing differs from the key's (a space where the
    /// key has a joint, none where it has a space), `Some(false)` if it is the key's
    /// own, `None` if it is not the key.
    pub(crate) fn verify(&self, k: usize, span: &[u8]) -> Option<bool> {
        let (gaps, mut g) = (self.gaps(k), 0);
        let (mut at, mut respaced) = (0u16, false);
        // The key's gaps before squeezed offset `at` that the span has no space at: a
        // space left out respaces the term, a joint left out does not.
        let skip_to = |g: &mut usize, at: u16, respaced: &mut bool| {
            while gaps.get(*g).is_some_and(|&gap| gap & 0xff < at) {
                *respaced |= gaps[*g] & JOINT_GAP == 0;
                *g += 1;
            }
        };
        for &b in span {
            if b == b' ' {
                skip_to(&mut g, at, &mut respaced);
                // A space where the key has no gap is not the key.
                let gap = *gaps.get(g).filter(|&&gap| gap & 0xff == at)?;
                respaced |= gap & JOINT_GAP != 0;
                g += 1;
            } else {
                at = at.saturating_add(1);
            }
        }
        skip_to(&mut g, u16::MAX, &mut respaced);
        let check = check_hash(span.iter().copied().filter(|&b| b != b' '));
        (check == self.checks[k]).then_some(respaced)
    }

    /// Heap bytes held by the table.
    pub(crate) fn heap_bytes(&self) -> usize {
        8 * (self.gate.capacity()
            + self.tail.capacity()
            + self.short.capacity()
            + self.filter.capacity())
            + 4 * (self.buckets.capacity()
                + self.fingerprints.capacity()
                + self.checks.capacity()
                + self.gap_ends.capacity())
            + 2 * self.gaps.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_of(s: &[u8]) -> (u64, usize) {
        let (mut h, mut n) = (0, 0);
        for &b in s.iter().filter(|&&b| b != b' ') {
            h = push(h, b);
            n += 1;
        }
        (h, n)
    }

    /// The keys (as built, by `order`) a span is, and whether respaced.
    fn find_in(t: &TermTable, order: &[usize], keys: &[&[u8]], span: &str) -> Vec<(Vec<u8>, bool)> {
        let (h, n) = hash_of(span.as_bytes());
        t.probe(h, n)
            .filter_map(|k| Some((keys[order[k]].to_vec(), t.verify(k, span.as_bytes())?)))
            .collect()
    }

    #[test]
    fn keys_are_found_with_their_spacings_and_nothing_else() {
        let keys: Vec<&[u8]> =
            vec![b"sports betting", b"e\x01cigarette", b"casino", b"cas ino bonus"];
        let (t, order) = TermTable::build(7, &keys);
        let find = |t: &TermTable, span: &str| find_in(t, &order, &keys, span);
        assert_eq!(order.len(), 4);
        t.validate(11).unwrap();
        assert!(t.validate(10).is_err());
        assert_eq!(find(&t, "sports betting"), vec![(b"sports betting".to_vec(), false)]);
        assert_eq!(find(&t, "sportsbetting"), vec![(b"sports betting".to_vec(), true)]);
        assert_eq!(find(&t, "ecigarette"), vec![(b"e\x01cigarette".to_vec(), false)]);
        assert_eq!(find(&t, "e cigarette"), vec![(b"e\x01cigarette".to_vec(), true)]);
        assert_eq!(find(&t, "casino"), vec![(b"casino".to_vec(), false)]);
        // A space where the key has none is not the key.
        assert!(find(&t, "cas ino").is_empty());
        assert!(find(&t, "sportsbet ting").is_empty());
        assert!(find(&t, "casinos").is_empty());
        assert_eq!(t.max_gaps(), 2);
        assert_eq!(t.max_len(), "casinobonus".len().max("sportsbetting".len()));
        for k in 0..4 {
            assert_eq!(t.pattern(k), 7 + k as u32);
        }
    }

    #[test]
    fn every_key_of_a_large_table_is_found_and_the_build_is_deterministic() {
        let owned: Vec<String> = (0..20_000).map(|i| format!("term{i} w{}", i % 7)).collect();
        let keys: Vec<&[u8]> = owned.iter().map(|s| s.as_bytes()).collect();
        let (t, order) = TermTable::build(0, &keys);
        let find = |t: &TermTable, span: &str| find_in(t, &order, &keys, span);
        let (again, _) = TermTable::build(0, &keys);
        assert_eq!(postcard::to_allocvec(&t).unwrap(), postcard::to_allocvec(&again).unwrap());
        for (k, &i) in order.iter().enumerate() {
            let found = find(&t, &owned[i]);
            assert_eq!(found, vec![(keys[i].to_vec(), false)], "key {k}");
            let bytes: Vec<u8> = squeezed(keys[i]).collect();
            if bytes.len() >= HEAD_BYTES {
                let head = u64::from_le_bytes(bytes[..HEAD_BYTES].try_into().unwrap());
                let tail =
                    u64::from_be_bytes(bytes[bytes.len() - HEAD_BYTES..].try_into().unwrap());
                assert!(t.gate_open(head_hash(head)) && t.tail_open(tail_hash(tail)), "key {k}");
            }
        }
        // Misses are mostly stopped by the filter: count probes that reach a bucket.
        let misses = (0..20_000).filter(|i| !find(&t, &format!("other{i} w1")).is_empty()).count();
        assert_eq!(misses, 0);
    }

    /// Issue #13: keys keep their gaps, not their text; the spacing rules hold, and a
    /// crafted gap is refused on load.
    #[test]
    fn gaps_decide_spacing_and_crafted_gaps_are_refused() {
        let keys: Vec<&[u8]> = vec![b"buy e\x01mail lists", b"casino"];
        let (t, order) = TermTable::build(0, &keys);
        let find = |span: &str| find_in(&t, &order, &keys, span);
        let key = keys[0].to_vec();
        assert_eq!(find("buy email lists"), vec![(key.clone(), false)]);
        assert_eq!(find("buy e mail lists"), vec![(key.clone(), true)]);
        assert_eq!(find("buyemaillists"), vec![(key.clone(), true)]);
        assert!(find("buy em ail lists").is_empty());
        assert!(find("buy email listz").is_empty());
        let k = order.iter().position(|&i| i == 0).unwrap();
        let first = if k == 0 { 0 } else { t.gap_ends[k - 1] as usize };
        for bad in [0u16, 0x200 | 3, 0xff] {
            let mut crafted = t.clone();
            crafted.gaps[first] = bad;
            if bad == 0xff {
                // Past the next gap: out of order.
                crafted.gaps[first + 1] = 4;
            }
            assert!(crafted.validate(2).is_err(), "gap {bad:#x}");
        }
        let mut crafted = t.clone();
        crafted.checks.pop();
        assert!(crafted.validate(2).is_err());
    }
}
