//! Comparing the materials two components hold: added, removed, and changed (by
//! revision, and field by field: kind, category, action, mode, markets,
//! detection-only).

use prescreen_core::{MaterialInfo, MaterialKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// A material in both components that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MaterialChange {
    /// The material's id.
    pub id: String,
    /// Its revision in the old component.
    pub old_revision: u32,
    /// Its revision in the new component.
    pub new_revision: u32,
    /// The fields that differ besides the revision, as `field: old -> new`.
    pub fields: Vec<String>,
    /// The content changed but the revision did not: verdicts of the two versions
    /// name the same material id and revision for different behaviour.
    pub revision_not_bumped: bool,
}

/// What changes between the materials of two components; every list sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MaterialsDiff {
    /// Materials only the new component holds.
    pub added: Vec<MaterialInfo>,
    /// Materials only the old component holds.
    pub removed: Vec<MaterialInfo>,
    /// Materials in both that differ, by revision or any field.
    pub changed: Vec<MaterialChange>,
    /// How many materials are identical in both.
    pub unchanged: usize,
}

/// Compares by id; every list comes out sorted by id.
pub fn diff(old: &[MaterialInfo], new: &[MaterialInfo]) -> MaterialsDiff {
    let by_id = |rows: &[MaterialInfo]| -> BTreeMap<String, MaterialInfo> {
        rows.iter().map(|r| (r.id.clone(), r.clone())).collect()
    };
    let (old, new) = (by_id(old), by_id(new));
    let mut out = MaterialsDiff::default();
    for (id, o) in &old {
        match new.get(id) {
            None => out.removed.push(o.clone()),
            Some(n) if n == o => out.unchanged += 1,
            Some(n) => {
                let fields = field_changes(o, n);
                out.changed.push(MaterialChange {
                    id: id.clone(),
                    old_revision: o.revision,
                    new_revision: n.revision,
                    revision_not_bumped: !fields.is_empty() && o.revision == n.revision,
                    fields,
                });
            }
        }
    }
    out.added = new.into_iter().filter(|(id, _)| !old.contains_key(id)).map(|(_, r)| r).collect();
    out
}

fn field_changes(o: &MaterialInfo, n: &MaterialInfo) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{name}: {a} -> {b}"));
        }
    };
    field("kind", kind_name(o.kind).into(), kind_name(n.kind).into());
    field("category", o.category.clone(), n.category.clone());
    field("action", o.action.to_string(), n.action.to_string());
    field("mode", mode_name(o), mode_name(n));
    field("markets", markets(o), markets(n));
    field("detection_only", o.detection_only.to_string(), n.detection_only.to_string());
    out
}

/// The kind as operators write it: `text`, `image` or `video`.
pub fn kind_name(kind: MaterialKind) -> &'static str {
    match kind {
        MaterialKind::Text => "text",
        MaterialKind::Image => "image",
        MaterialKind::Video => "video",
    }
}

/// The text mode, or `-` for images and videos.
pub fn mode_name(m: &MaterialInfo) -> String {
    m.mode.map_or_else(|| "-".to_string(), |mode| mode.as_str().to_string())
}

/// Markets as operators write them: `*` for every market.
pub fn markets(m: &MaterialInfo) -> String {
    if m.markets.is_empty() { "*".to_string() } else { m.markets.join(",") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, revision: u32, action: &str, markets: &[&str]) -> MaterialInfo {
        MaterialInfo {
            id: id.into(),
            revision,
            kind: MaterialKind::Text,
            category: "gambling".into(),
            action: action.parse().unwrap(),
            mode: Some(prescreen_core::MatchMode::Word),
            markets: markets.iter().map(|m| m.to_string()).collect(),
            detection_only: false,
        }
    }

    #[test]
    fn added_removed_changed_and_unchanged() {
        let old = [
            row("a", 1, "review", &[]),
            row("b", 1, "review", &[]),
            row("c", 1, "block", &["RU"]),
            row("d", 2, "review", &[]),
        ];
        let mut d_new = row("d", 2, "review", &[]);
        d_new.detection_only = true;
        d_new.mode = Some(prescreen_core::MatchMode::Prefix);
        let new = [
            row("a", 1, "review", &[]),
            row("c", 2, "review", &["RU", "KZ"]),
            d_new,
            row("e", 1, "block", &[]),
        ];
        let d = diff(&old, &new);
        assert_eq!(d.added.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["e"]);
        assert_eq!(d.removed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["b"]);
        assert_eq!(d.unchanged, 1);
        assert_eq!(
            d.changed,
            [
                MaterialChange {
                    id: "c".into(),
                    old_revision: 1,
                    new_revision: 2,
                    fields: vec!["action: block -> review".into(), "markets: RU -> RU,KZ".into()],
                    revision_not_bumped: false,
                },
                MaterialChange {
                    id: "d".into(),
                    old_revision: 2,
                    new_revision: 2,
                    fields: vec![
                        "mode: word -> prefix".into(),
                        "detection_only: false -> true".into()
                    ],
                    revision_not_bumped: true,
                },
            ]
        );
    }

    #[test]
    fn a_revision_bump_alone_is_a_change() {
        // The term itself is not listed by components, so a new revision with the same
        // fields is how an edited term shows.
        let d = diff(&[row("a", 1, "review", &[])], &[row("a", 2, "review", &[])]);
        assert_eq!(d.changed.len(), 1);
        assert!(d.changed[0].fields.is_empty() && !d.changed[0].revision_not_bumped);
    }
}
