//! The subcommands, one file each: a clap struct and its `execute()`.

mod build;
mod check;
mod diff;
mod eval;
mod export_hashes;
mod feedback;
mod hash;
mod info;
mod lint;
mod precompile;
mod pull;
mod push;
mod registry;
mod report;
mod screen;
mod serve;
mod synth;

pub use build::BuildCommand;
pub use check::CheckCommand;
pub use diff::DiffCommand;
pub use eval::EvalCommand;
pub use export_hashes::ExportHashesCommand;
pub use feedback::FeedbackCommand;
pub use hash::HashCommand;
pub use info::InfoCommand;
pub use lint::LintCommand;
pub use precompile::PrecompileCommand;
pub use pull::PullCommand;
pub use push::PushCommand;
pub use report::ReportCommand;
pub use screen::ScreenCommand;
pub use serve::ServeCommand;
pub use synth::SynthCommand;
