//! What lint reports: findings (a kind, a severity, the row they point at, a message
//! and a suggested fix), the other rows and clean-corpus evidence they cite, and the
//! report that holds them. Serialized as is for `prescreen lint --format json`.

use serde::Serialize;

/// How much a finding matters. Ordered mildest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing to fix unless the operator wants to.
    Info,
    /// Probably a mistake or dead weight; fails lint only with `--deny warnings`.
    Warning,
    /// The package is wrong as written: lint fails.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a finding is about. The order is the order of the terminal report's groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A line `prescreen check` refuses (the compiler's own diagnostic).
    Invalid,
    /// The material cannot fire on any text (its own exception or an allow-term
    /// is the term, or a rule forbids a term it needs).
    NeverMatches,
    /// Same normalized term (or image/video hash) as another material, with a
    /// different action or category, in overlapping markets.
    Conflict,
    /// Same normalized term and mode (or hash) as another material, with the same
    /// action and category, in overlapping markets.
    Duplicate,
    /// Wherever the material fires, another fires too with at least as strict an
    /// action in at least its markets, so it never changes a verdict.
    Shadowed,
    /// Fired on uploads a clean corpus labels clean.
    CleanHits,
    /// Fired on words of a clean word list (a dictionary) other than its own term.
    DictionaryHits,
    /// So short it probably hits clean text (no clean corpus given to tell).
    ShortTerm,
    /// Applies only in markets the package does not list.
    OutsideMarkets,
    /// `detection_only` with action `pass`: there is no action being trialed.
    NoEffect,
    /// Expired: left out of builds since its `expires_at`.
    Expired,
    /// Disabled: left out of builds.
    Disabled,
    /// The other spellings the term also catches (`Linter::spellings`).
    Spellings,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Invalid => "invalid",
            FindingKind::NeverMatches => "never_matches",
            FindingKind::Conflict => "conflict",
            FindingKind::Duplicate => "duplicate",
            FindingKind::Shadowed => "shadowed",
            FindingKind::CleanHits => "clean_hits",
            FindingKind::DictionaryHits => "dictionary_hits",
            FindingKind::ShortTerm => "short_term",
            FindingKind::OutsideMarkets => "outside_markets",
            FindingKind::NoEffect => "no_effect",
            FindingKind::Expired => "expired",
            FindingKind::Disabled => "disabled",
            FindingKind::Spellings => "spellings",
        }
    }

    /// A heading for the kind's group in the terminal report.
    pub fn title(self) -> &'static str {
        match self {
            FindingKind::Invalid => "invalid lines",
            FindingKind::NeverMatches => "materials that can never match",
            FindingKind::Conflict => "conflicting actions or categories for one term",
            FindingKind::Duplicate => "duplicates after normalization",
            FindingKind::Shadowed => "materials shadowed by others",
            FindingKind::CleanHits => "materials that fire on clean uploads",
            FindingKind::DictionaryHits => "materials that fire on dictionary words",
            FindingKind::ShortTerm => "very short terms",
            FindingKind::OutsideMarkets => "materials outside the package's markets",
            FindingKind::NoEffect => "settings with no effect",
            FindingKind::Expired => "expired materials",
            FindingKind::Disabled => "disabled materials",
            FindingKind::Spellings => "what terms also catch",
        }
    }
}

/// Another material a finding names (the duplicate's original, the shadowing one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub id: String,
    pub file: String,
    pub line: u64,
}

/// One clean upload (or word of a word list) a material fired on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CleanEvidence {
    /// The corpus file and the upload's line in it.
    pub corpus: String,
    pub line: u64,
    pub upload_id: String,
    /// The text field, image or video the material fired on.
    pub field: String,
    /// The text that matched, as written; for images and videos, the distance.
    pub matched: String,
}

/// One thing lint found, located at the row (or manifest line) it is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: FindingKind,
    pub severity: Severity,
    pub file: String,
    /// 1-based; 0 when it concerns the whole file.
    pub line: u64,
    /// The material the finding is about, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material_id: Option<String>,
    /// What is wrong, lowercase.
    pub message: String,
    /// What to do about it, lowercase.
    pub fix: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<CleanEvidence>,
    /// Every other spelling the term also catches (`spellings` findings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spellings: Vec<String>,
}

/// Every finding of one lint run, in file and line order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The package's name, when its manifest could be read.
    pub package: Option<String>,
    /// Rows read (enabled, disabled and expired; invalid lines not counted).
    pub materials: usize,
    /// Clean uploads screened for evidence; `None` without a clean corpus.
    pub clean_uploads: Option<usize>,
    /// Clean uploads that could not be screened (`file:line: why`), left out.
    pub skipped: Vec<String>,
    pub findings: Vec<Finding>,
}

impl Report {
    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }

    /// How many findings are of `kind`.
    pub fn count_kind(&self, kind: FindingKind) -> usize {
        self.findings.iter().filter(|f| f.kind == kind).count()
    }

    /// Whether the run fails: any error, or any warning when warnings are denied.
    pub fn fails(&self, deny_warnings: bool) -> bool {
        let worst = if deny_warnings { Severity::Warning } else { Severity::Error };
        self.findings.iter().any(|f| f.severity >= worst)
    }
}
