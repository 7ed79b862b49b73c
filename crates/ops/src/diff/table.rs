//! `prescreen diff --format table`: the report as terminal tables.

use super::Report;
use super::materials::{kind_name, markets, mode_name};
use super::replay::{Change, HitRef};
use crate::eval::metrics::{Summary, acts};
use crate::eval::percent;
use crate::eval::table::{new_table, short};
use std::fmt::Write as _;

pub fn render(report: &Report) -> String {
    let (o, n) = (&report.old, &report.new);
    let m = &report.materials;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "old: {} {} (sha256:{})\nnew: {} {} (sha256:{})\n",
        o.name,
        o.version,
        short(&o.digest),
        n.name,
        n.version,
        short(&n.digest)
    );
    let _ = writeln!(
        out,
        "Materials: {} added, {} removed, {} changed, {} unchanged",
        m.added.len(),
        m.removed.len(),
        m.changed.len(),
        m.unchanged
    );
    if !(m.added.is_empty() && m.removed.is_empty() && m.changed.is_empty()) {
        let mut t = new_table(
            &[
                "",
                "material",
                "revision",
                "kind",
                "mode",
                "category",
                "action",
                "markets",
                "what changed",
            ],
            9,
        );
        for (sign, r) in m.added.iter().map(|r| ("+", r)).chain(m.removed.iter().map(|r| ("-", r)))
        {
            t.add_row(vec![
                sign.to_string(),
                r.id.clone(),
                r.revision.to_string(),
                kind_name(r.kind).to_string(),
                mode_name(r),
                r.category.clone(),
                acts(r.action, r.detection_only),
                markets(r),
                String::new(),
            ]);
        }
        for c in &m.changed {
            let mut what = c.fields.join("\n");
            if c.revision_not_bumped {
                what.push_str("\n(revision not bumped)");
            }
            t.add_row(vec![
                "~".to_string(),
                c.id.clone(),
                format!("{} -> {}", c.old_revision, c.new_revision),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                what.trim().to_string(),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }

    let Some(corpus) = &report.corpus else {
        return out;
    };
    let r = &corpus.replay;
    let _ = writeln!(
        out,
        "\nCorpus {}: {} uploads, {} verdicts changed",
        corpus.file,
        r.new.counts.uploads,
        r.changes.len()
    );
    let mut t = new_table(
        &[
            "",
            "TP",
            "leaks",
            "overkill",
            "TN",
            "errors",
            "precision",
            "recall",
            "leakage",
            "overkill %",
        ],
        1,
    );
    t.add_row(summary_row("old", &r.old));
    t.add_row(summary_row("new", &r.new));
    let _ = writeln!(out, "{t}");
    let pp = |v: Option<f64>| v.map_or_else(|| "unknown".to_string(), |v| format!("{v:+.2} pp"));
    let _ =
        writeln!(out, "leakage {}, overkill {}", pp(r.leakage_change_pp), pp(r.overkill_change_pp));

    if !r.changes.is_empty() {
        let mut t = new_table(&["line", "upload", "label", "old", "new", "why"], 6);
        for c in &r.changes {
            t.add_row(vec![
                c.line.to_string(),
                c.upload_id.clone(),
                format!("{:?}", c.label).to_lowercase(),
                side(c.old_action, c.old_outcome),
                side(c.new_action, c.new_outcome),
                why(c),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let g = &corpus.gate;
    let _ = writeln!(
        out,
        "gate (leakage +{} pp, overkill +{} pp at most): {}",
        g.thresholds.max_leakage_increase_pp,
        g.thresholds.max_overkill_increase_pp,
        if g.passed { "passed".to_string() } else { format!("FAILED: {}", g.failures.join("; ")) }
    );
    out
}

fn summary_row(name: &str, s: &Summary) -> Vec<String> {
    let c = &s.counts;
    let mut row = vec![name.to_string()];
    row.extend(
        [c.true_positives, c.leaks, c.overkill, c.true_negatives, c.errors].map(|n| n.to_string()),
    );
    row.extend([s.precision, s.recall, s.leakage_rate, s.overkill_rate].map(percent));
    row
}

fn side(action: Option<prescreen_core::Action>, outcome: &str) -> String {
    match action {
        Some(a) => format!("{a} ({})", outcome.replace('_', " ")),
        None => "error".to_string(),
    }
}

fn why(c: &Change) -> String {
    let name = |h: &HitRef| {
        format!("{} r{} {}", h.material_id, h.revision, acts(h.action, h.detection_only))
    };
    let mut lines: Vec<String> = Vec::new();
    lines.extend(c.gained.iter().map(|h| format!("+ {}", name(h))));
    lines.extend(c.lost.iter().map(|h| format!("- {}", name(h))));
    lines.extend(c.changed.iter().map(|h| format!("~ {} -> {}", name(&h.old), name(&h.new))));
    lines.join("\n")
}
