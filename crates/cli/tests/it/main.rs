//! The `prescreen` binary end to end, one test binary: build, screen, info, hash,
//! lint, eval, diff, feedback and report on the sample package and edited copies.

mod cli;
mod diff;
mod eval;
mod feedback;
mod lint;
