//! A global allocator that can zero memory as it is freed.
//!
//! Building the matcher allocates and frees far more than it keeps (the
//! noncontiguous NFA is converted to a contiguous one, vectors double and move).
//! The snapshot taken after `load` stores every non-zero byte of linear memory, so
//! freed garbage would be baked into the component: a 100k-term package came out at
//! ~50 MB that way. Zeroing on free during `load` leaves only the live matcher (and
//! allocator metadata) non-zero. Outside `load` it is a plain pass-through.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};
use zeroize::Zeroize as _;

struct ZeroOnFree;

static ZEROING: AtomicBool = AtomicBool::new(false);

#[global_allocator]
static GLOBAL: ZeroOnFree = ZeroOnFree;

unsafe impl GlobalAlloc for ZeroOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ZEROING.load(Ordering::Relaxed) {
            // A plain memset right before `free` is a dead store LLVM removes (seen:
            // the image stayed at 147 MiB); zeroize's volatile writes are kept.
            unsafe { std::slice::from_raw_parts_mut(ptr, layout.size()) }.zeroize();
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ZEROING.load(Ordering::Relaxed) {
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // The system realloc would free the old block without zeroing it.
        let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
            return std::ptr::null_mut();
        };
        let new = unsafe { System.alloc(new_layout) };
        if !new.is_null() {
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}

/// Runs `f` with zero-on-free on.
pub(crate) fn zeroing_freed<T>(f: impl FnOnce() -> T) -> T {
    ZEROING.store(true, Ordering::Relaxed);
    let out = f();
    ZEROING.store(false, Ordering::Relaxed);
    out
}
