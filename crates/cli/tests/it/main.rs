//! The `prescreen` binary end to end, one test binary: build, screen, info, hash,
//! lint, eval, diff, feedback and report on the sample package and edited copies; the
//! HTTP components it builds under the real `wasmtime serve`; push, serve and deploy by
//! digest through a real registry.

mod cli;
mod diff;
mod eval;
mod feedback;
mod fixture;
mod hostile_cli;
mod hostile_load;
mod lint;
mod served;
mod ship;
mod wasmtime_serve;
