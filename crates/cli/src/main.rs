//! `prescreen`: compile risk packages into filter components, screen uploads through
//! them, serve them over HTTP, and measure, compare and review packages.
//!
//! One module per subcommand under `commands/`, each a clap struct with `execute()`.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod commands;
mod output;

use commands::*;

#[derive(Parser)]
#[command(
    name = "prescreen",
    version,
    about = "Compile risk packages into WebAssembly filters and screen ad uploads"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Build(BuildCommand),
    Check(CheckCommand),
    Lint(LintCommand),
    Screen(ScreenCommand),
    Hash(HashCommand),
    Info(InfoCommand),
    Precompile(PrecompileCommand),
    Serve(ServeCommand),
    Feedback(FeedbackCommand),
    Report(ReportCommand),
    Eval(EvalCommand),
    Diff(DiffCommand),
    Synth(SynthCommand),
    Push(PushCommand),
    Pull(PullCommand),
    ExportHashes(ExportHashesCommand),
    /// Load a `.cwasm` and screen an empty upload, in this process: what `serve` runs
    /// in a child before it maps a precompiled deploy (a crash ends the child only).
    #[cfg(feature = "serve")]
    #[command(name = prescreen_gateway::VALIDATE_SUBCOMMAND, hide = true)]
    ValidateCwasm {
        cwasm: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Build(c) => c.execute(),
        Command::Check(c) => c.execute(),
        Command::Lint(c) => c.execute(),
        Command::Screen(c) => c.execute(),
        Command::Hash(c) => c.execute(),
        Command::Info(c) => c.execute(),
        Command::Precompile(c) => c.execute(),
        Command::Serve(c) => c.execute(),
        Command::Feedback(c) => c.execute(),
        Command::Report(c) => c.execute(),
        Command::Eval(c) => c.execute(),
        Command::Diff(c) => c.execute(),
        Command::Synth(c) => c.execute(),
        Command::Push(c) => c.execute(),
        Command::Pull(c) => c.execute(),
        Command::ExportHashes(c) => c.execute(),
        #[cfg(feature = "serve")]
        Command::ValidateCwasm { cwasm } => Ok(prescreen_gateway::validate_main(&cwasm)),
    };
    match result {
        Ok(code) => code,
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
