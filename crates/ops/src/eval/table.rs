//! `prescreen eval --format table`: the report as terminal tables (comfy-table).

use super::metrics::{Case, Group, Summary, acts};
use super::{Report, percent};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use std::fmt::Write as _;

/// A table in the house style, numbers right-aligned from column `first_number`.
pub(crate) fn new_table(header: &[&str], first_number: usize) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
    for i in first_number..header.len() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

pub fn render(report: &Report) -> String {
    let e = &report.evaluation;
    let c = &report.component;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} (sha256:{}) on {}: {} uploads\n",
        c.name,
        c.version,
        short(&c.digest),
        report.corpus,
        e.overall.counts.uploads
    );

    let mut groups = summary_table("category");
    add_summary_row(&mut groups, "all", &e.overall);
    for g in &e.by_category {
        add_summary_row(&mut groups, &group_name(g), &g.summary);
    }
    let _ = writeln!(out, "{groups}\n");

    let mut markets = summary_table("market");
    for g in &e.by_market {
        add_summary_row(&mut markets, &group_name(g), &g.summary);
    }
    let _ = writeln!(out, "{markets}\n");

    let mut materials = new_table(
        &[
            "material",
            "rev",
            "category",
            "action",
            "hits",
            "confirmed",
            "unconfirmed",
            "false",
            "precision",
        ],
        4,
    );
    for m in &e.materials {
        materials.add_row(vec![
            m.material_id.clone(),
            m.revision.to_string(),
            m.category.clone(),
            acts(m.action, m.detection_only),
            m.hits.to_string(),
            m.confirmed.to_string(),
            m.unconfirmed.to_string(),
            m.false_hits.to_string(),
            percent(m.precision),
        ]);
    }
    let _ = writeln!(out, "Materials that fired ({})\n{materials}\n", e.materials.len());

    let _ = writeln!(
        out,
        "Leaks: risky uploads that passed ({})\n{}\n",
        e.leaks.len(),
        cases_table(&e.leaks)
    );
    let _ = writeln!(
        out,
        "Overkill: clean uploads stopped ({})\n{}\n",
        e.overkill.len(),
        cases_table(&e.overkill)
    );
    if !e.errors.is_empty() {
        let mut errors = new_table(&["line", "upload", "label", "error"], 4);
        for x in &e.errors {
            errors.add_row(vec![
                x.line.to_string(),
                x.upload_id.clone(),
                format!("{:?}", x.label).to_lowercase(),
                x.error.clone(),
            ]);
        }
        let _ = writeln!(out, "Screen errors ({})\n{errors}", e.errors.len());
    }
    out
}

fn summary_table(key: &str) -> Table {
    new_table(
        &[
            key,
            "uploads",
            "risky",
            "clean",
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
    )
}

fn add_summary_row(t: &mut Table, name: &str, s: &Summary) {
    let c = &s.counts;
    let mut row = vec![name.to_string()];
    row.extend(
        [
            c.uploads,
            c.risky,
            c.clean,
            c.true_positives,
            c.leaks,
            c.overkill,
            c.true_negatives,
            c.errors,
        ]
        .map(|n| n.to_string()),
    );
    row.extend([s.precision, s.recall, s.leakage_rate, s.overkill_rate].map(percent));
    t.add_row(row);
}

pub(crate) fn group_name(g: &Group) -> String {
    g.key.clone().unwrap_or_else(|| "(none)".to_string())
}

fn cases_table(cases: &[Case]) -> Table {
    let mut t = new_table(&["line", "upload", "market", "category", "action", "hits", "note"], 7);
    for case in cases {
        let hits: Vec<String> = case
            .hits
            .iter()
            .map(|h| {
                format!("{} ({}) {}", h.material_id, acts(h.action, h.detection_only), h.evidence)
            })
            .collect();
        t.add_row(vec![
            case.line.to_string(),
            case.upload_id.clone(),
            case.market.clone(),
            case.category.clone().unwrap_or_default(),
            case.action.to_string(),
            if hits.is_empty() { "(no hits)".to_string() } else { hits.join("\n") },
            case.note.clone().unwrap_or_default(),
        ]);
    }
    t
}

/// The first 12 hex digits of a digest: enough to tell builds apart on screen.
pub(crate) fn short(digest: &str) -> &str {
    digest.get(..12).unwrap_or(digest)
}
