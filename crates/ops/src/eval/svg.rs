//! The HTML report's charts as inline SVG: per-category confusion bars and a
//! per-material precision-versus-hits scatter. Hand-written so the report needs no
//! script and no network.

use super::escape::escape;
use super::metrics::{Group, MaterialStats};
use super::table::group_name;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Colours of the four cells and errors, shared with the HTML legend.
pub const CELLS: [(&str, &str); 5] = [
    ("true positive", "#2e7d32"),
    ("leak", "#c62828"),
    ("overkill", "#ef6c00"),
    ("true negative", "#90a4ae"),
    ("error", "#6a1b9a"),
];

/// One horizontal stacked bar per category: TP, leaks, overkill, TN, errors, on a
/// common scale (the largest category fills the width).
pub fn confusion_bars(groups: &[Group]) -> String {
    let (label_w, bar_w, row_h, top) = (150.0, 520.0, 26.0, 10.0);
    let width = label_w + bar_w + 60.0;
    let height = top * 2.0 + row_h * groups.len() as f64;
    let max = groups.iter().map(|g| g.summary.counts.uploads).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="outcomes per category">"#
    );
    for (i, g) in groups.iter().enumerate() {
        let c = g.summary.counts;
        let y = top + row_h * i as f64;
        let name = escape(&group_name(g));
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="lbl">{name}</text>"#,
            label_w - 8.0,
            y + row_h * 0.65
        );
        let mut x = label_w;
        for (n, (cell, colour)) in
            [c.true_positives, c.leaks, c.overkill, c.true_negatives, c.errors]
                .into_iter()
                .zip(CELLS)
        {
            if n == 0 {
                continue;
            }
            let w = bar_w * f64::from(n) / max;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{colour}"><title>{name}: {n} {cell}</title></rect>"#,
                y + 3.0,
                row_h - 6.0
            );
            if w >= 16.0 {
                let _ = write!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="num">{n}</text>"#,
                    x + w / 2.0,
                    y + row_h * 0.65
                );
            }
            x += w;
        }
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="lbl">{}</text>"#,
            x + 6.0,
            y + row_h * 0.65,
            c.uploads
        );
    }
    s.push_str("</svg>");
    s
}

/// Materials as points: hits across (log scale), precision up. Materials with the
/// same hits and precision share one point, sized (logarithmically, so a crowd of
/// single-hit materials does not swallow the plot) and labeled by how many they are;
/// the tooltip names them.
pub fn precision_scatter(materials: &[MaterialStats]) -> String {
    let (left, right, top, bottom) = (50.0, 20.0, 15.0, 40.0);
    let (plot_w, plot_h) = (560.0, 260.0);
    let (width, height) = (left + plot_w + right, top + plot_h + bottom);
    let max_hits = materials.iter().map(|m| m.hits).max().unwrap_or(1).max(2);
    // Points keep clear of the frame: the largest bubble sits at 1 hit or 100 %.
    let pad = 18.0;
    let x_of = |hits: u32| {
        left + pad + (plot_w - 2.0 * pad) * f64::from(hits).ln() / f64::from(max_hits).ln()
    };
    let y_of = |p: f64| top + pad + (plot_h - 2.0 * pad) * (1.0 - p);

    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="material precision against hits">"#
    );
    // Grid and axes.
    for p in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let y = y_of(p);
        let _ = write!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="lbl">{:.0}%</text>"##,
            left + plot_w,
            left - 6.0,
            y + 4.0,
            p * 100.0
        );
    }
    for hits in ticks(max_hits) {
        let x = x_of(hits);
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{:.1}" stroke="#eee"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="lbl">{hits}</text>"##,
            top + plot_h,
            top + plot_h + 16.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="lbl">uploads hit (log scale)</text>"#,
        left + plot_w / 2.0,
        height - 6.0
    );

    // Points: materials without a precision (never hit) are not listed at all.
    let mut points: BTreeMap<(u32, u32), Vec<&MaterialStats>> = BTreeMap::new();
    for m in materials {
        if let Some(p) = m.precision {
            points.entry((m.hits, (p * 1000.0).round() as u32)).or_default().push(m);
        }
    }
    for ((hits, permille), group) in &points {
        let p = f64::from(*permille) / 1000.0;
        let r = 4.0 + 2.0 * (group.len() as f64).ln();
        // Red to green by precision.
        let colour = format!("hsl({:.0},65%,42%)", 120.0 * p);
        let names: Vec<String> =
            group.iter().map(|m| format!("{} ({})", m.material_id, m.category)).collect();
        let _ = write!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{r:.1}" fill="{colour}" fill-opacity="0.75"><title>{} hits, precision {:.0}%: {}</title></circle>"#,
            x_of(*hits),
            y_of(p),
            hits,
            p * 100.0,
            escape(&names.join(", "))
        );
        if group.len() > 1 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="num">{}</text>"#,
                x_of(*hits),
                y_of(p) + 4.0,
                group.len()
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Hit counts to mark on the log axis: 1, 2, 5, 10, 20, 50... up to `max`.
fn ticks(max: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut decade = 1u32;
    'outer: loop {
        for step in [1, 2, 5] {
            let t = decade.saturating_mul(step);
            if t > max {
                break 'outer;
            }
            out.push(t);
        }
        decade = decade.saturating_mul(10);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_ticks_stop_at_the_largest_count() {
        assert_eq!(ticks(2), [1, 2]);
        assert_eq!(ticks(12), [1, 2, 5, 10]);
        assert_eq!(ticks(100), [1, 2, 5, 10, 20, 50, 100]);
    }
}
