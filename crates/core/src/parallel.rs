//! Two jobs at once while a large package's matcher is built natively (`prescreen
//! build` runs it beside wasmtime's compile of the guest, on a 2-core machine); one
//! after the other inside the guest, where wasm32-wasip2 has no threads, and for
//! small packages.

/// Materials from which a build splits its work over two threads: a thread costs
/// tens of microseconds, and a package this size takes milliseconds to build.
pub(crate) const MIN_PARALLEL_MATERIALS: usize = 1_000;

/// Runs `a` and `b`, on two threads when `parallel`, and returns both results. A
/// panic in either is resumed here, as if the two had run in turn.
pub(crate) fn join<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(test)]
    let parallel = parallel && !tests::IN_TURN.get();
    #[cfg(not(target_family = "wasm"))]
    if parallel {
        return std::thread::scope(|s| {
            let b = s.spawn(b);
            let a = a();
            (a, b.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        });
    }
    let _ = parallel;
    (a(), b())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    thread_local! {
        /// Set by a test to run every `join` on its thread in turn: the same work
        /// without the second thread, to compare against.
        pub(crate) static IN_TURN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    #[test]
    fn both_results_come_back_in_place_either_way() {
        for parallel in [false, true] {
            assert_eq!(join(parallel, || 1 + 1, || "two"), (2, "two"));
        }
    }

    #[test]
    #[should_panic(expected = "from b")]
    fn a_panic_on_the_other_thread_is_resumed() {
        join(true, || (), || panic!("from b"));
    }
}
