//! `prescreen report`'s terminal form: the report's sections as tables.

use super::report::{Bucket, Flag, FlagKind, Report, Tally};
use comfy_table::{Cell, CellAlignment, Table, presets};
use std::fmt::Write as _;

/// The report as text: summary line, candidates to disable, precision per bucket,
/// per revision and package version, and per package version.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let unit = match r.bucket {
        Bucket::Day => "day",
        Bucket::Week => "week",
    };
    let (Some(first), Some(latest)) = (r.buckets.first(), &r.latest_bucket) else {
        return "no reviews to report (import some with `prescreen feedback import`)\n".into();
    };
    let _ = writeln!(
        out,
        "{} reviewed uploads in {} {unit}s ({} .. {latest}){}",
        r.reviews,
        r.buckets.len(),
        first.bucket,
        r.since.as_ref().map_or(String::new(), |s| format!(", since {s}"))
    );
    let baseline = match (r.baseline_buckets.first(), r.baseline_buckets.last()) {
        (Some(a), Some(b)) if a == b => a.clone(),
        (Some(a), Some(b)) => format!("{a} .. {b}"),
        _ => "none".into(),
    };
    let _ = writeln!(out, "latest {unit} {latest} is compared with the baseline {baseline}");

    let t = &r.thresholds;
    let _ = writeln!(
        out,
        "\nCandidates to disable (at least {} reviewed hits; precision down {}+ points, or hit rate x{}+)",
        t.min_reviewed_hits, t.precision_drop_points, t.hit_rate_jump
    );
    if r.flags.is_empty() {
        out.push_str("none\n");
    } else {
        let mut table = new_table(&["material", "signal", "baseline", "latest", "why"], &[2, 3]);
        for f in &r.flags {
            table.add_row(vec![
                f.material_id.clone(),
                kind(f).into(),
                figure(f.baseline, f.baseline_hits),
                figure(f.latest, f.latest_hits),
                f.reason.clone(),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }

    let _ = writeln!(out, "\nPrecision by {unit}");
    let mut table = new_table(
        &[
            "material",
            "category",
            unit,
            "reviewed",
            "confirmed",
            "overturned",
            "precision",
            "hit rate",
        ],
        &[3, 4, 5, 6, 7],
    );
    for m in &r.materials {
        for (i, b) in m.buckets.iter().enumerate() {
            let (id, category) = if i == 0 {
                (m.material_id.clone(), m.category.clone().unwrap_or_default())
            } else {
                (String::new(), String::new())
            };
            let mut row = vec![id, category, b.bucket.clone()];
            row.extend(tally(&b.tally));
            row.push(percent(b.hit_rate));
            table.add_row(row);
        }
    }
    let _ = writeln!(out, "{table}");

    let _ = writeln!(out, "\nBy revision and package version");
    let mut table = new_table(
        &[
            "material",
            "revision",
            "package",
            "reviewed",
            "confirmed",
            "overturned",
            "precision",
            "reviewed from",
            "to",
        ],
        &[1, 3, 4, 5, 6],
    );
    for m in &r.materials {
        for (i, v) in m.revisions.iter().enumerate() {
            let id = if i == 0 { m.material_id.clone() } else { String::new() };
            let mut row = vec![
                id,
                v.revision.to_string(),
                format!("{} {}", v.package_name, v.package_version),
            ];
            row.extend(tally(&v.tally));
            row.extend([day(&v.first_reviewed), day(&v.last_reviewed)]);
            table.add_row(row);
        }
    }
    let _ = writeln!(out, "{table}");

    let _ = writeln!(
        out,
        "\nPackage versions (stopped: review or block; overkill: stopped but clean; missed: passed but risky)"
    );
    let mut table = new_table(
        &["package", "digest", "reviews", "stopped", "overkill", "missed", "reviewed from", "to"],
        &[2, 3, 4, 5],
    );
    for p in &r.packages {
        // 12 hex digits tell versions apart in a table; JSON has them whole.
        let digests = p
            .version_digests
            .iter()
            .map(|d| d.chars().take(12).collect::<String>())
            .collect::<Vec<_>>();
        table.add_row(vec![
            format!("{} {}", p.package_name, p.package_version),
            if digests.is_empty() { "-".into() } else { digests.join(" ") },
            p.reviews.to_string(),
            p.stopped.to_string(),
            p.overkill.to_string(),
            p.missed.to_string(),
            day(&p.first_reviewed),
            day(&p.last_reviewed),
        ]);
    }
    let _ = writeln!(out, "{table}");
    out
}

/// A table with `header`, numbers right-aligned in the `numeric` columns.
fn new_table(header: &[&str], numeric: &[usize]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED).set_header(header.iter().map(Cell::new));
    for &i in numeric {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

fn tally(t: &Tally) -> [String; 4] {
    [
        t.reviewed.to_string(),
        t.confirmed.to_string(),
        t.overturned.to_string(),
        t.precision.map_or("-".into(), percent),
    ]
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn kind(f: &Flag) -> &'static str {
    match f.kind {
        FlagKind::OverkillJump => "overkill jump",
        FlagKind::HitRateJump => "hit rate jump",
    }
}

/// A flag's figure with the hits behind it.
fn figure(x: f64, hits: u64) -> String {
    format!("{} ({hits} hits)", percent(x))
}

/// The date part of an RFC 3339 time.
fn day(t: &str) -> String {
    t.get(..10).unwrap_or(t).to_string()
}
