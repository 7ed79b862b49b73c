//! `prescreen lint`: the CLI over [`prescreen_core::lint::Linter`]. Prints the report for
//! people (grouped by kind) or as JSON, and turns it into the exit code CI checks.

use anyhow::{Context, Result};
use prescreen_core::corpus::Corpus;
use prescreen_core::lint::{Linter, Report, WordList};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code when findings fail the run: any error, or any warning with `--deny warnings`.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code when lint could not run (unreadable package or corpus); clap uses the
/// same code for bad arguments.
pub const EXIT_CANNOT_LINT: u8 = 2;

/// Arguments of `prescreen lint`.
#[derive(clap::Args)]
pub struct LintArgs {
    /// Package directory (holds package.toml).
    package: PathBuf,
    /// Labeled corpus (JSON Lines): every material that fires on one of its clean
    /// uploads is reported with the evidence. Without one, very short terms are
    /// flagged instead.
    #[arg(long)]
    clean_corpus: Option<PathBuf>,
    /// Clean word list, one word per line (a hunspell `.dic` as is, e.g.
    /// /usr/share/hunspell/ru_RU.dic); repeatable. Every word is screened on its own
    /// and each material that fires on one besides its own term is listed with them.
    #[arg(long, value_name = "FILE")]
    clean_words: Vec<PathBuf>,
    /// With `--clean-words`: judge only the materials that apply in this market.
    #[arg(long, value_name = "CODE", requires = "clean_words")]
    market: Option<String>,
    /// List what each term also catches besides its own spelling: respaced,
    /// transliterated, inflected (info findings).
    #[arg(long)]
    spellings: bool,
    /// `text`: findings grouped by kind, one `file:line: severity: message (fix: ...)`
    /// line each; `json`: the whole report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// `--deny warnings`: warnings fail the run too, not only errors.
    #[arg(long, value_enum)]
    deny: Option<Deny>,
    /// Judge expiry as of this time (Unix seconds) instead of now.
    #[arg(long)]
    now: Option<i64>,
}

/// How the report is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Findings grouped by kind, for people.
    Text,
    /// The whole report as JSON.
    Json,
}

/// What else fails the run besides errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Warnings fail the run too.
    Warnings,
}

/// Runs lint: exit 0 when nothing fails, [`EXIT_FINDINGS`] when findings do,
/// [`EXIT_CANNOT_LINT`] when the package or corpus cannot be read.
pub fn run(args: &LintArgs) -> ExitCode {
    match report(args) {
        Ok(report) => {
            if report.fails(args.deny.is_some()) {
                ExitCode::from(EXIT_FINDINGS)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_CANNOT_LINT)
        }
    }
}

fn report(args: &LintArgs) -> Result<Report> {
    let mut linter = Linter::new();
    if let Some(t) = args.now {
        linter = linter.now(t)?;
    }
    if let Some(path) = &args.clean_corpus {
        linter = linter.clean_corpus(Corpus::read(path)?);
    }
    for path in &args.clean_words {
        let mut words = WordList::read(path)?;
        if let Some(market) = &args.market {
            words = words.market(market);
        }
        linter = linter.clean_words(words);
    }
    linter = linter.spellings(args.spellings);
    let report = linter
        .lint_dir(&args.package)
        .with_context(|| format!("cannot lint {}", args.package.display()))?;
    let text = if args.format == Format::Json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        report.to_text()
    };
    if let Err(e) = crate::terminal::print(&text) {
        // `prescreen lint ... | head`: the reader has what it wanted.
        if !crate::terminal::is_broken_pipe(&e) {
            return Err(e.context("cannot write the report"));
        }
    }
    Ok(report)
}
