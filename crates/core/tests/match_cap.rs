//! Regression for issue #15 (item 8): a term shared by many materials, repeated across
//! a field, stops being collected at the cap, so the verdict is a truncated block and
//! not an instance out of memory. Its own test binary: the peak is measured by a
//! counting allocator, which other tests running beside it would disturb.

use prescreen_core::{Compiler, Limits, Screener, Upload};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What one screening may allocate beyond what it started with: the normalized text
/// and a few thousand matches, with room to spare. Uncapped, the text below makes
/// 18M matches (over 400 MB).
const MAX_SCREEN_BYTES: usize = 32 << 20;

#[test]
fn matches_are_capped_while_collecting() {
    let mut table = String::from("id\tterm\tcategory\taction\n");
    for i in 0..2_000 {
        table.push_str(&format!("m{i}\tcasino\tgambling\tblock\n"));
    }
    let manifest = "name = \"cap\"\nversion = \"1\"\n";
    let screener = Screener::new(Compiler::new().compile_strs(manifest, &table).unwrap()).unwrap();
    let text = "casino ".repeat(9_000);
    assert!(text.len() <= Limits::default().max_field_bytes as usize);
    let upload = Upload::text("u1", "RU", text.trim_end());
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let verdict = screener.screen(&upload).unwrap();
    let grown = PEAK.load(Ordering::Relaxed) - before;
    assert!(grown < MAX_SCREEN_BYTES, "screening allocated up to {grown} bytes");
    assert!(verdict.truncated);
    assert_eq!(verdict.hits.len(), Limits::default().max_hits as usize);
    assert_eq!(format!("{:?}", verdict.action), "Block");
}
