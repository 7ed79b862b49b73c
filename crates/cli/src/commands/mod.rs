//! The subcommands, one file each: a clap struct and its `execute()`. A subcommand
//! whose cargo feature is off keeps its name and says which feature it needs.

mod build;
mod check;
mod diff;
mod eval;
mod export_hashes;
#[cfg(feature = "feedback")]
mod feedback;
mod hash;
mod info;
mod lint;
mod precompile;
#[cfg(feature = "registry")]
mod pull;
#[cfg(feature = "registry")]
mod push;
#[cfg(feature = "registry")]
mod registry;
#[cfg(feature = "feedback")]
mod report;
mod screen;
#[cfg(feature = "serve")]
mod serve;
mod synth;

pub use build::BuildCommand;
pub use check::CheckCommand;
pub use diff::DiffCommand;
pub use eval::EvalCommand;
pub use export_hashes::ExportHashesCommand;
#[cfg(feature = "feedback")]
pub use feedback::FeedbackCommand;
pub use hash::HashCommand;
pub use info::InfoCommand;
pub use lint::LintCommand;
pub use precompile::PrecompileCommand;
#[cfg(feature = "registry")]
pub use pull::PullCommand;
#[cfg(feature = "registry")]
pub use push::PushCommand;
#[cfg(feature = "feedback")]
pub use report::ReportCommand;
pub use screen::ScreenCommand;
#[cfg(feature = "serve")]
pub use serve::ServeCommand;
pub use synth::SynthCommand;

/// The error a subcommand (or flag) left out of this build gives: what it needs and
/// how to get it.
#[allow(dead_code)] // every feature on: nothing is left out
pub(crate) fn not_built(feature: &str, what: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{what} is not in this build of prescreen: it needs the `{feature}` feature \
         (`cargo build --release --bin prescreen` builds every feature)"
    )
}

/// A stand-in for a subcommand whose feature is off: it takes any arguments and
/// fails with [`not_built`].
#[allow(unused_macros)] // every feature on: no stand-ins
macro_rules! not_built {
    ($name:ident, $feature:literal, $what:literal) => {
        #[derive(clap::Args)]
        #[command(about = concat!("(not in this build: needs the `", $feature, "` feature)"))]
        pub struct $name {
            #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
            args: Vec<std::ffi::OsString>,
        }

        impl $name {
            pub fn execute(self) -> anyhow::Result<std::process::ExitCode> {
                let _ = self.args;
                Err(not_built($feature, $what))
            }
        }
    };
}

#[cfg(not(feature = "feedback"))]
not_built!(FeedbackCommand, "feedback", "`prescreen feedback`");
#[cfg(not(feature = "feedback"))]
not_built!(ReportCommand, "feedback", "`prescreen report`");
#[cfg(not(feature = "registry"))]
not_built!(PushCommand, "registry", "`prescreen push`");
#[cfg(not(feature = "registry"))]
not_built!(PullCommand, "registry", "`prescreen pull`");
#[cfg(not(feature = "serve"))]
not_built!(ServeCommand, "serve", "`prescreen serve`");
