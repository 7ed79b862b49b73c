//! Per-request limits of `prescreen serve` and what answers when one is hit: the
//! body size (checked by the HTTP layer), the deadline (epoch interruption, driven
//! by `prescreen_runtime::EpochTicker`), the instance's memory (a store limiter), and the fallback
//! action the gateway is told to apply when no verdict could be made.

use anyhow::{Result, bail};
use prescreen_core::Action;
use prescreen_runtime::{Bounds, TICK};
use std::time::Duration;

/// The deadline of the smoke screen a new version must pass before it serves: an
/// empty upload takes microseconds, so this only catches a hung component, and it
/// does not fail a deploy because the deploying thread was descheduled for a moment.
const SMOKE_TIMEOUT: Duration = Duration::from_secs(5);

/// Base64 makes a 16 MiB image (the core's largest) 21.3 MiB of JSON; the rest is
/// room for text fields and the JSON around them.
pub const DEFAULT_MAX_BODY_BYTES: usize = 24 * 1024 * 1024;
/// Generous for any package up to ~100k terms (a 160 MiB heap) plus the largest
/// upload; raise it for larger packages (the smoke screen says so at load).
pub const DEFAULT_MAX_MEMORY_BYTES: usize = 512 * 1024 * 1024;
/// A text upload takes well under a millisecond; the largest legal image (a 40
/// Mpx, 14.7 MB JPEG, hashed in its 8 rotations and flips on the sample package)
/// took 1.0 s on the project's 2-core VM: 3x that, so only a runaway request hits it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// Limits applied to every `/v1/screen` request.
#[derive(Clone, Copy, Debug)]
pub struct RequestLimits {
    /// Wall-clock time the component may run for one request (instantiation
    /// included); measured in [`TICK`]s, so effective between `timeout` and
    /// `timeout + TICK`.
    pub timeout: Duration,
    /// Largest linear memory of one instance, memory image included.
    pub max_memory_bytes: usize,
    /// Largest request body; larger ones get HTTP 413.
    pub max_body_bytes: usize,
    /// The action the response tells the gateway to apply when there is no verdict
    /// (typed screen error, timeout, memory limit, trap, rejected request).
    pub fallback: Action,
}

impl Default for RequestLimits {
    fn default() -> RequestLimits {
        RequestLimits {
            timeout: DEFAULT_TIMEOUT,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            // Hold for a human: neither publishes unscreened content nor rejects a
            // legitimate advertiser because the filter failed.
            fallback: Action::Review,
        }
    }
}

impl RequestLimits {
    /// The bounds of one request.
    pub fn bounds(&self) -> Bounds {
        Bounds { deadline_ticks: ticks(self.timeout), max_memory_bytes: self.max_memory_bytes }
    }

    /// The bounds of the smoke screen: the same memory cap, a deadline of at least
    /// 5 seconds.
    pub fn smoke_bounds(&self) -> Bounds {
        Bounds {
            deadline_ticks: ticks(self.timeout.max(SMOKE_TIMEOUT)),
            max_memory_bytes: self.max_memory_bytes,
        }
    }
}

/// Ticks for at least `timeout`: the first tick may come right after the deadline
/// is set, hence the extra one.
fn ticks(timeout: Duration) -> u64 {
    let tick = TICK.as_nanos();
    (timeout.as_nanos().div_ceil(tick) as u64).saturating_add(1)
}

/// Parses `pass`, `review` or `block`.
pub fn parse_action(s: &str) -> Result<Action> {
    Ok(match s {
        "pass" => Action::Pass,
        "review" => Action::Review,
        "block" => Action::Block,
        other => bail!("unknown action `{other}` (pass, review or block)"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_is_at_least_the_timeout() {
        assert_eq!(ticks(Duration::ZERO), 1);
        assert_eq!(ticks(Duration::from_micros(1)), 2);
        assert_eq!(ticks(Duration::from_millis(1)), 2);
        assert_eq!(ticks(Duration::from_secs(1)), 1001);
    }

    #[test]
    fn actions_parse() {
        assert_eq!(parse_action("block").unwrap(), Action::Block);
        assert!(parse_action("deny").is_err());
    }
}
