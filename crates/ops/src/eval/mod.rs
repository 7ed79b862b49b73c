//! `prescreen eval`: screens every upload of a labeled corpus through a component and
//! measures the package against the reviewer's labels: precision, recall, leakage and
//! overkill overall, per category and per market; per-material precision; and the
//! leaked and overkilled uploads with the hits that explain them. Output as a terminal
//! table, JSON or a self-contained HTML report.
//!
//! The measures themselves are pure functions in [`metrics`]; this module screens
//! (every core, a fresh instance per upload, as the gateway does) and renders.

mod escape;
mod html;
pub mod metrics;
mod svg;
pub(crate) mod table;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use metrics::{Evaluation, Screened};
use prescreen_core::PackageInfo;
use prescreen_core::corpus::{Corpus, LabeledUpload};
use prescreen_runtime::Filter;
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Version of the JSON shape below; bumped when a field changes meaning or goes.
pub const JSON_FORMAT: &str = "prescreen-eval/1";

/// Arguments of `prescreen eval`.
#[derive(clap::Args)]
pub struct Args {
    /// Component to measure: a `.wasm` from `prescreen build` or a `.cwasm`.
    pub component: PathBuf,
    /// Labeled corpus (JSON Lines; README.md, "Evaluating a package").
    pub corpus: PathBuf,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Where to write the report.
    #[command(flatten)]
    pub output: ReportFile,
}

/// Output format of `prescreen eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A terminal table.
    Table,
    /// The [`Report`] as pretty-printed JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// Where a report goes (`eval` and `diff`).
#[derive(clap::Args)]
pub struct ReportFile {
    /// Write the report to this file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

impl ReportFile {
    /// Writes `text` to the file, or to stdout without one.
    pub fn write(&self, text: &str) -> Result<()> {
        match &self.output {
            Some(p) => {
                std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))
            }
            None => crate::terminal::print(text),
        }
    }
}

/// What the report says about the component it measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ComponentInfo {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// SHA-256 of the compiled package, as `info` prints it.
    pub digest: String,
    /// When the package was built, as `info` prints it.
    pub built_at: String,
}

impl ComponentInfo {
    /// The info of a loaded component; empty strings for a guest without a package.
    pub fn of(filter: &Filter) -> ComponentInfo {
        // Only a guest loaded without a package has no info; it gets empty names.
        filter.info().map_or_else(ComponentInfo::default, |i: &PackageInfo| ComponentInfo {
            name: i.name.clone(),
            version: i.version.clone(),
            digest: i.digest.clone(),
            built_at: i.built_at.clone(),
        })
    }
}

/// The whole report, as `--format json` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Version of this JSON shape: [`JSON_FORMAT`].
    pub format: &'static str,
    /// The component measured.
    pub component: ComponentInfo,
    /// The corpus file, as given.
    pub corpus: String,
    /// The measures themselves.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// Runs `prescreen eval`. Exit code 0 whatever the figures: gating is `diff`'s job.
pub fn command(args: Args) -> Result<ExitCode> {
    let corpus = Corpus::read(&args.corpus)?;
    let filter = prescreen_runtime::Runtime::new()?.load_file(&args.component)?;
    let screened = screen_corpus(&filter, &corpus.entries);
    let report = Report {
        format: JSON_FORMAT,
        component: ComponentInfo::of(&filter),
        corpus: corpus.file.clone(),
        evaluation: metrics::evaluate(&corpus.entries, &screened),
    };
    let text = match args.format {
        Format::Table => table::render(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Html => html::render(&report),
    };
    args.output.write(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Screens every upload in a fresh instance, on all cores, in corpus order, with a
/// progress bar on stderr (drawn only when stderr is a terminal).
pub fn screen_corpus(filter: &Filter, entries: &[LabeledUpload]) -> Vec<Screened> {
    let progress = ProgressBar::new(entries.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} uploads, {per_sec}, {eta} left")
            .expect("the template is valid"),
    );
    progress.set_message("screening");
    let screened = entries
        .par_iter()
        .map(|entry| {
            let answer = screen_one(filter, &entry.upload);
            progress.inc(1);
            answer
        })
        .collect();
    progress.finish_and_clear();
    screened
}

/// One upload's answer; a host fault (e.g. a trap) is an error of that upload, not
/// of the run, so one bad upload cannot hide the rest of the report.
pub fn screen_one(filter: &Filter, upload: &prescreen_core::Upload) -> Screened {
    match filter.screen(upload) {
        Ok(Ok(verdict)) => Ok(verdict),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("host: {e:#}")),
    }
}

/// A rate as a percentage with one decimal, or a dash when unknown.
pub(crate) fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "-".to_string(), |r| format!("{:.1}%", r * 100.0))
}

// The pool screens from several threads at once through one shared filter.
const _: () = {
    const fn shared<T: Send + Sync>() {}
    shared::<Filter>();
};
