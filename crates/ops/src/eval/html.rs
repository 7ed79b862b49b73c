//! `prescreen eval --format html`: one self-contained page (inline CSS and SVG, no
//! script, nothing fetched) that can be attached to a release or opened offline.

use super::escape::escape;
use super::metrics::{Case, Group, Summary, acts};
use super::svg::{CELLS, confusion_bars, precision_scatter};
use super::table::{group_name, short};
use super::{Report, percent};
use std::fmt::Write as _;

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:150px}
.card b{display:block;font-size:24px}.card span{color:#666}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
svg .lbl{font-size:12px;fill:#333}svg .num{font-size:11px;fill:#fff}
code{background:#f3f3f3;padding:0 3px;border-radius:3px}
.do{color:#6a1b9a}
";

pub fn render(report: &Report) -> String {
    let e = &report.evaluation;
    let c = &report.component;
    let o = &e.overall;
    let mut h = String::new();
    let title = format!("{} {}: evaluation on {}", c.name, c.version, report.corpus);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        h,
        "<h1>{} {}</h1><div class=\"meta\">package digest <code>sha256:{}</code>, built {}; corpus <code>{}</code>, {} uploads ({} risky, {} clean)</div>",
        escape(&c.name),
        escape(&c.version),
        escape(short(&c.digest)),
        escape(&c.built_at),
        escape(&report.corpus),
        o.counts.uploads,
        o.counts.risky,
        o.counts.clean
    );

    h.push_str("<div class=\"cards\">");
    for (value, name, what) in [
        (
            percent(o.precision),
            "precision",
            format!(
                "{} of {} stopped were risky",
                o.counts.true_positives,
                o.counts.true_positives + o.counts.overkill
            ),
        ),
        (
            percent(o.recall),
            "recall",
            format!(
                "{} of {} risky stopped",
                o.counts.true_positives,
                o.counts.true_positives + o.counts.leaks
            ),
        ),
        (percent(o.leakage_rate), "leakage", format!("{} risky passed", o.counts.leaks)),
        (
            percent(o.overkill_rate),
            "overkill",
            format!(
                "{} of {} clean stopped",
                o.counts.overkill,
                o.counts.overkill + o.counts.true_negatives
            ),
        ),
        (o.counts.errors.to_string(), "screen errors", "not in the rates".to_string()),
    ] {
        let _ = write!(
            h,
            "<div class=\"card\"><span>{name}</span><b>{value}</b><span>{}</span></div>",
            escape(&what)
        );
    }
    h.push_str("</div>");

    h.push_str("<h2>Outcomes per category</h2><div class=\"legend\">");
    for (name, colour) in CELLS {
        let _ = write!(h, "<span><i style=\"background:{colour}\"></i>{name}</span>");
    }
    h.push_str("</div>");
    h.push_str(&confusion_bars(&e.by_category));
    h.push_str(&summary_table("category", Some(o), &e.by_category));

    h.push_str("<h2>Per market</h2>");
    h.push_str(&summary_table("market", None, &e.by_market));

    let _ = write!(h, "<h2>Materials that fired ({})</h2>", e.materials.len());
    h.push_str(
        "<p class=\"meta\">Precision of a material: its confirmed hits over its hits. A hit is confirmed on a risky upload whose reviewer listed the material, or listed none and gave the material's category.</p>",
    );
    h.push_str(&precision_scatter(&e.materials));
    h.push_str("<table><tr><th>material</th><th class=\"n\">rev</th><th>category</th><th>action</th><th class=\"n\">hits</th><th class=\"n\">confirmed</th><th class=\"n\">unconfirmed</th><th class=\"n\">false</th><th class=\"n\">precision</th></tr>");
    for m in &e.materials {
        let action = how(m.action, m.detection_only);
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td>{}</td><td>{action}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&m.material_id),
            m.revision,
            escape(&m.category),
            m.hits,
            m.confirmed,
            m.unconfirmed,
            m.false_hits,
            percent(m.precision)
        );
    }
    h.push_str("</table>");

    let _ = write!(h, "<h2>Leaks: risky uploads that passed ({})</h2>", e.leaks.len());
    h.push_str(&cases_table(&e.leaks));
    let _ = write!(h, "<h2>Overkill: clean uploads stopped ({})</h2>", e.overkill.len());
    h.push_str(&cases_table(&e.overkill));
    let _ = write!(h, "<h2>Screen errors ({})</h2>", e.errors.len());
    h.push_str(
        "<table><tr><th class=\"n\">line</th><th>upload</th><th>label</th><th>error</th></tr>",
    );
    for x in &e.errors {
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            x.line,
            escape(&x.upload_id),
            format!("{:?}", x.label).to_lowercase(),
            escape(&x.error)
        );
    }
    h.push_str("</table></body></html>\n");
    h
}

/// [`acts`], detection-only set apart.
fn how(action: prescreen_core::Action, detection_only: bool) -> String {
    let text = acts(action, detection_only);
    if detection_only { format!("<span class=\"do\">{text}</span>") } else { text }
}

fn summary_table(key: &str, overall: Option<&Summary>, groups: &[Group]) -> String {
    let mut h = format!("<table><tr><th>{key}</th>");
    for name in [
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
    ] {
        let _ = write!(h, "<th class=\"n\">{name}</th>");
    }
    h.push_str("</tr>");
    let rows = overall
        .map(|s| ("all".to_string(), s))
        .into_iter()
        .chain(groups.iter().map(|g| (group_name(g), &g.summary)));
    for (name, s) in rows {
        let c = &s.counts;
        let _ = write!(h, "<tr><td>{}</td>", escape(&name));
        for n in [
            c.uploads,
            c.risky,
            c.clean,
            c.true_positives,
            c.leaks,
            c.overkill,
            c.true_negatives,
            c.errors,
        ] {
            let _ = write!(h, "<td class=\"n\">{n}</td>");
        }
        for r in [s.precision, s.recall, s.leakage_rate, s.overkill_rate] {
            let _ = write!(h, "<td class=\"n\">{}</td>", percent(r));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    h
}

fn cases_table(cases: &[Case]) -> String {
    let mut h = String::from(
        "<table><tr><th class=\"n\">line</th><th>upload</th><th>market</th><th>category</th><th>action</th><th>hits</th><th>note</th></tr>",
    );
    for case in cases {
        let hits: Vec<String> = case
            .hits
            .iter()
            .map(|x| {
                format!(
                    "<code>{}</code> {} {}",
                    escape(&x.material_id),
                    how(x.action, x.detection_only),
                    escape(&x.evidence)
                )
            })
            .collect();
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            case.line,
            escape(&case.upload_id),
            escape(&case.market),
            escape(case.category.as_deref().unwrap_or("")),
            case.action,
            if hits.is_empty() { "<i>no hits</i>".to_string() } else { hits.join("<br>") },
            escape(case.note.as_deref().unwrap_or(""))
        );
    }
    h.push_str("</table>");
    h
}
