//! `prescreen diff`: what changes between two builds of a package. The materials
//! added, removed and changed; with a labeled corpus, every upload whose verdict
//! changes and the materials that explain it, the change in leakage and overkill, and
//! a release gate (exit code [`EXIT_GATE_FAILED`]) for CI.

pub mod materials;
pub mod replay;
mod table;

use crate::eval::{ComponentInfo, ReportFile, screen_corpus};
use anyhow::Result;
use materials::MaterialsDiff;
use prescreen_core::corpus::Corpus;
use prescreen_runtime::Runtime;
use replay::{Gate, Replay};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when the corpus replay fails the gate (1 is any other failure, 2 is
/// `screen`'s typed screening error).
pub const EXIT_GATE_FAILED: u8 = 3;

/// Version of the JSON shape below.
pub const JSON_FORMAT: &str = "prescreen-diff/1";

/// Arguments of `prescreen diff`.
#[derive(clap::Args)]
pub struct Args {
    /// The released component.
    pub old: PathBuf,
    /// The candidate component.
    pub new: PathBuf,
    /// Labeled corpus to replay through both (JSON Lines).
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Largest allowed rise of the leakage rate, in percentage points (needs --corpus).
    #[arg(long, default_value_t = 0.0, requires = "corpus")]
    pub max_leakage_increase: f64,
    /// Largest allowed rise of the overkill rate, in percentage points (needs --corpus).
    #[arg(long, default_value_t = 0.0, requires = "corpus")]
    pub max_overkill_increase: f64,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Where to write the report.
    #[command(flatten)]
    pub output: ReportFile,
}

/// Output format of `prescreen diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal table.
    Table,
    /// The [`Report`] as pretty-printed JSON.
    Json,
}

/// The corpus part of a diff.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorpusDiff {
    /// The corpus file, as given.
    pub file: String,
    /// Upload changes and rate movements between the two versions.
    #[serde(flatten)]
    pub replay: Replay,
    /// Whether the replay passes the gate, and why not.
    pub gate: GateResult,
}

/// The release gate applied to a corpus replay.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GateResult {
    /// The largest rises allowed, as given on the command line.
    #[serde(flatten)]
    pub thresholds: Gate,
    /// Whether no threshold was exceeded.
    pub passed: bool,
    /// One line per exceeded threshold; empty when the gate passed.
    pub failures: Vec<String>,
}

/// The whole report, as `--format json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Version of this JSON shape: [`JSON_FORMAT`].
    pub format: &'static str,
    /// The released component.
    pub old: ComponentInfo,
    /// The candidate component.
    pub new: ComponentInfo,
    /// Materials added, removed and changed between the two.
    pub materials: MaterialsDiff,
    /// `null` without `--corpus`.
    pub corpus: Option<CorpusDiff>,
}

/// Runs `prescreen diff`. Exit code [`EXIT_GATE_FAILED`] when the corpus replay fails
/// the gate, 0 otherwise.
pub fn command(args: Args) -> Result<ExitCode> {
    for (name, value) in [
        ("--max-leakage-increase", args.max_leakage_increase),
        ("--max-overkill-increase", args.max_overkill_increase),
    ] {
        anyhow::ensure!(
            value.is_finite() && value >= 0.0,
            "{name} must be a number of percentage points, 0 or more"
        );
    }
    let runtime = Runtime::new()?;
    let old = runtime.load_file(&args.old)?;
    let new = runtime.load_file(&args.new)?;
    let corpus = match &args.corpus {
        Some(path) => {
            let corpus = Corpus::read(path)?;
            let gate = Gate {
                max_leakage_increase_pp: args.max_leakage_increase,
                max_overkill_increase_pp: args.max_overkill_increase,
            };
            let replay = replay::replay(
                &corpus.entries,
                &screen_corpus(&old, &corpus.entries),
                &screen_corpus(&new, &corpus.entries),
            );
            let failures = replay::gate_failures(&replay, gate);
            Some(CorpusDiff {
                file: corpus.file,
                replay,
                gate: GateResult { thresholds: gate, passed: failures.is_empty(), failures },
            })
        }
        None => None,
    };
    let report = Report {
        format: JSON_FORMAT,
        old: ComponentInfo::of(&old),
        new: ComponentInfo::of(&new),
        materials: materials::diff(&old.materials()?, &new.materials()?),
        corpus,
    };
    let text = match args.format {
        Format::Table => table::render(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    args.output.write(&text)?;
    match &report.corpus {
        Some(c) if !c.gate.passed => {
            for f in &c.gate.failures {
                eprintln!("gate failed: {f}");
            }
            Ok(ExitCode::from(EXIT_GATE_FAILED))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
