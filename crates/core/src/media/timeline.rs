//! Videos on a common time grid: how vPDQ percentages are made independent of the
//! frame rate each side was hashed at.
//!
//! Meta's vPDQ compares two videos as bags of distinct frame hashes and counts
//! frames, so its percentages depend on the rates: a material hashed at 30 fps has
//! 30 near-copies of each second, and a 1 fps upload of the same video can match
//! only a thirtieth of them. Here each percentage counts its own video at the
//! coarser of the two rates: the denser side's frames fall into slots of that step
//! on its own clock. A slot stands for the one frame a hasher at that rate would
//! have taken: it counts when the frame nearest its grid point passes the quality
//! gate (as that hasher's frame would), and it matches when any of its frames does
//! (which frame the other side's hasher took is unknown: the two clocks' phases
//! are). Counted frames are looked for among *all* frames of the other video. At equal rates nothing is slotted and the result is the reference's
//! (distinct hashes counted); at different rates each side counts what it would
//! have counted at the common rate, whatever the phase of either.

/// Rates within this factor of each other are compared as they are: thinning the
/// denser side (30 vs 25 fps) would drop frames without aligning anything.
pub(crate) const THIN_RATIO: f64 = 1.5;

/// Milliseconds of a timestamp in seconds (vPDQ files give milliseconds), clamped to
/// what a `u32` holds (49 days).
pub(crate) fn to_ms(seconds: f64) -> u32 {
    (seconds * 1000.0).round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// The video's frame step: the median gap between consecutive distinct timestamps
/// (robust to a dropped frame or a pause); 0 for a single instant.
pub(crate) fn step_ms(times: impl Iterator<Item = u32>) -> u32 {
    let mut last = None;
    let mut gaps: Vec<u32> = Vec::new();
    for t in times {
        if let Some(l) = last.filter(|&l| t > l) {
            gaps.push(t - l);
        }
        last = Some(t);
    }
    if gaps.is_empty() {
        return 0;
    }
    let mid = gaps.len() / 2;
    *gaps.select_nth_unstable(mid).1
}

/// The step both sides are counted at, if `own` must be thinned to it.
pub(crate) fn grid_for(own: u32, other: u32) -> Option<u32> {
    (f64::from(other) > f64::from(own) * THIN_RATIO).then_some(other)
}

/// Frames on a grid: which slot each frame is in, and each slot's frame nearest
/// its grid point (the one a hasher at the grid's rate, on this clock, would take).
#[derive(Debug, PartialEq)]
pub(crate) struct Slots {
    pub of_frame: Vec<u32>,
    pub nearest: Vec<usize>,
}

/// The slot of each of `times` (sorted, milliseconds) on a grid of `grid` ms from
/// the first: the grid point nearest to it (a tie goes to the later point) among
/// those a hasher would have reached (none past the last frame), numbered from 0
/// in order. Work and numbers are bounded by the frames however fine the grid.
pub(crate) fn slots(times: &[u32], grid: u32) -> Slots {
    let mut out = Slots { of_frame: Vec::with_capacity(times.len()), nearest: Vec::new() };
    let (Some(&first), Some(&end)) = (times.first(), times.last()) else { return out };
    let grid = u64::from(grid.max(1));
    let last_point = u64::from(end.saturating_sub(first)) / grid;
    let mut last = None;
    let mut best = 0u64;
    for (i, &t) in times.iter().enumerate() {
        let offset = u64::from(t.saturating_sub(first));
        let point = ((offset + grid / 2) / grid).min(last_point);
        let off = offset.abs_diff(point * grid);
        if last != Some(point) {
            last = Some(point);
            out.nearest.push(i);
            best = off;
        } else if off < best {
            *out.nearest.last_mut().expect("a slot was opened") = i;
            best = off;
        }
        out.of_frame.push(out.nearest.len() as u32 - 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_fps_on_a_one_second_grid_makes_one_slot_a_second() {
        let times: Vec<u32> = (0..110).map(|f| to_ms(f64::from(f) / 30.0)).collect();
        assert_eq!(step_ms(times.iter().copied()), 33);
        let s = slots(&times, 1000);
        assert_eq!(s.nearest, [0, 30, 60, 90]);
        // Frames up to 0.5 s are nearest the point at 0, then 1 s, 2 s, 3 s; the
        // last frames (3.5-3.63 s) stay with 3 s, as no hasher reached 4 s.
        let slot = &s.of_frame;
        assert_eq!((slot[14], slot[15], slot[44], slot[45], slot[109]), (0, 1, 1, 2, 3));
    }

    #[test]
    fn gaps_skip_empty_slots_and_fine_grids_stay_bounded() {
        let s = slots(&[0, 400, 900, 1200, 2100, 5000, 5600], 1000);
        assert_eq!((s.of_frame, s.nearest), (vec![0, 0, 1, 1, 2, 3, 3], vec![0, 2, 4, 5]));
        let s = slots(&[7, 7, 7], 1000);
        assert_eq!((s.of_frame, s.nearest), (vec![0, 0, 0], vec![0]));
        assert_eq!(slots(&[], 1000), Slots { of_frame: vec![], nearest: vec![] });
        assert_eq!(slots(&[0, u32::MAX], 1).nearest, [0, 1]);
    }

    #[test]
    fn median_step_and_which_side_is_thinned() {
        assert_eq!(step_ms([0, 1000, 2000, 2033, 3000].into_iter()), 1000);
        assert_eq!(step_ms([5, 5].into_iter()), 0);
        assert_eq!(grid_for(33, 1000), Some(1000));
        assert_eq!(grid_for(1000, 33), None);
        assert_eq!(grid_for(33, 40), None, "30 vs 25 fps: compared as they are");
        assert_eq!(grid_for(0, 1000), Some(1000));
    }
}
