//! The table of `cases.json`, shared by the native and the component table tests
//! (included with `#[path]`), so both run exactly the same cases.

use prescreen_core::{Action, Evidence, TextField, Upload, Verdict};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Deserialize)]
struct RawCase {
    name: String,
    issue: u32,
    #[serde(default = "us")]
    market: String,
    fields: serde_json::Map<String, serde_json::Value>,
    action: Action,
    hits: Vec<Vec<serde_json::Value>>,
}

fn us() -> String {
    "US".to_string()
}

pub struct Case {
    pub name: String,
    pub upload: Upload,
    pub action: Action,
    /// (material id, field, start, end, matched)
    pub hits: Vec<(String, String, u32, u32, String)>,
    /// Expected evasions per hit, where the case gives them: (material id, matched, evasions).
    pub evasions: Vec<(String, String, Vec<String>)>,
}

/// `packages/testdata`, found from whichever crate's tests include this file.
pub fn dir() -> PathBuf {
    let mut at = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    while !at.join("packages/testdata").is_dir() {
        assert!(at.pop(), "packages/testdata not found above {}", env!("CARGO_MANIFEST_DIR"));
    }
    at.join("packages/testdata")
}

pub fn package_dir() -> PathBuf {
    dir().join("table")
}

pub fn load() -> Vec<Case> {
    let text = std::fs::read_to_string(dir().join("cases.json")).unwrap();
    let raw: Vec<RawCase> = serde_json::from_str(&text).unwrap();
    raw.into_iter()
        .map(|c| {
            let fields: Vec<TextField> = c
                .fields
                .iter()
                .map(|(k, v)| TextField { name: k.clone(), text: v.as_str().unwrap().to_string() })
                .collect();
            let hits = c
                .hits
                .iter()
                .map(|h| {
                    let (id, field, matched) =
                        (h[0].as_str().unwrap(), h[1].as_str().unwrap(), h[2].as_str().unwrap());
                    let nth = h.get(3).and_then(|n| n.as_u64()).unwrap_or(0) as usize;
                    let text =
                        &fields.iter().find(|f| f.name == field).expect("hit names a field").text;
                    let start = text
                        .match_indices(matched)
                        .nth(nth)
                        .unwrap_or_else(|| {
                            panic!("case {:?}: {matched:?} #{nth} is not in field {field}", c.name)
                        })
                        .0;
                    (
                        id.to_string(),
                        field.to_string(),
                        start as u32,
                        (start + matched.len()) as u32,
                        matched.to_string(),
                    )
                })
                .collect();
            let evasions = c
                .hits
                .iter()
                .filter_map(|h| {
                    let e = h.get(4)?.as_array()?;
                    Some((
                        h[0].as_str().unwrap().to_string(),
                        h[2].as_str().unwrap().to_string(),
                        e.iter().map(|x| x.as_str().unwrap().to_string()).collect(),
                    ))
                })
                .collect();
            Case {
                evasions,
                name: format!("{} (issue #{})", c.name, c.issue),
                upload: Upload {
                    id: "case".into(),
                    market: c.market,
                    language: None,
                    fields,
                    images: vec![],
                    videos: vec![],
                },
                action: c.action,
                hits,
            }
        })
        .collect()
}

/// Compares a verdict with the case; the error says what differs.
pub fn check(case: &Case, verdict: &Verdict) -> Result<(), String> {
    let got: Vec<(String, String, u32, u32, String)> = verdict
        .hits
        .iter()
        .map(|h| match &h.evidence {
            Evidence::Text(t) => {
                (h.material_id.clone(), t.field.clone(), t.start, t.end, t.matched.clone())
            }
            other => panic!("unexpected evidence {other:?}"),
        })
        .collect();
    let mut want = case.hits.clone();
    let mut sorted = got.clone();
    want.sort();
    sorted.sort();
    for (id, matched, want) in &case.evasions {
        let got: Vec<String> = verdict
            .hits
            .iter()
            .filter(|h| &h.material_id == id)
            .flat_map(|h| match &h.evidence {
                Evidence::Text(t) if &t.matched == matched => t
                    .evasions
                    .iter()
                    .map(|e| serde_json::to_value(e).unwrap().as_str().unwrap().to_string())
                    .collect(),
                _ => Vec::new(),
            })
            .collect();
        if &got != want {
            return Err(format!(
                "case {:?}: hit {id} evasions: want {want:?}, got {got:?}",
                case.name
            ));
        }
    }
    if sorted != want || verdict.action != case.action {
        return Err(format!(
            "case {:?}:\n  want action {:?} hits {:?}\n  got  action {:?} hits {:?}",
            case.name, case.action, case.hits, verdict.action, got
        ));
    }
    Ok(())
}
