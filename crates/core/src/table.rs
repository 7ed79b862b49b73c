//! The materials as the screener keeps them: only what a hit reports or a match
//! checks, packed into a few flat vectors.
//!
//! Why not keep `Vec<Material>`: inside the component the screener is snapshotted
//! into the memory image, and a 100k-material package as individual `String`s is
//! ~700k small allocations spread over the heap among freed build temporaries; the
//! image then spans the whole heap (147 MiB measured for a 23 MiB matcher). A handful
//! of large vectors keeps the image close to the live size. What materials share
//! (revision, category, markets, action, mode, kind) is interned as a profile, so a
//! row is an id's end and a profile: 8 bytes (issue #13).

use crate::model::{Action, MatchMode, MaterialKind};
use crate::package::{Material, MaterialInfo};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Serialize, Deserialize)]
struct Entry {
    id_end: u32,
    profile: u32,
}

/// What a row says besides its id; few distinct ones in a real package.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Profile {
    revision: u32,
    category: u16,
    markets: u16,
    action: Action,
    mode: MatchMode,
    kind: MaterialKind,
    detection_only: bool,
}

#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct MaterialTable {
    /// Every id, concatenated; material `i`'s id ends at `entries[i].id_end`.
    ids: String,
    entries: Vec<Entry>,
    /// Distinct profiles, in order of first use.
    profiles: Vec<Profile>,
    /// Distinct categories; few, so interned.
    categories: Vec<String>,
    /// Distinct market sets (empty: every market); few, so interned.
    market_sets: Vec<Vec<String>>,
}

/// A view of one material.
pub(crate) struct Row<'t> {
    pub id: &'t str,
    pub revision: u32,
    pub category: &'t str,
    pub action: Action,
    pub detection_only: bool,
}

/// More than this many distinct categories or market sets cannot be interned in u16.
const MAX_INTERNED: usize = u16::MAX as usize;

impl MaterialTable {
    pub(crate) fn build(materials: &[Material]) -> Result<MaterialTable, String> {
        let mut ids = String::with_capacity(materials.iter().map(|m| m.id.len()).sum());
        let mut entries = Vec::with_capacity(materials.len());
        let mut categories: BTreeMap<&str, u16> = BTreeMap::new();
        let mut market_sets: BTreeMap<&[String], u16> = BTreeMap::new();
        let mut category_list = Vec::new();
        let mut market_list = Vec::new();
        let mut profiles: HashMap<Profile, u32> = HashMap::new();
        let mut profile_list = Vec::new();
        for m in materials {
            ids.push_str(&m.id);
            let next = categories.len();
            let category = *categories.entry(m.category.as_str()).or_insert_with(|| {
                category_list.push(m.category.clone());
                next as u16
            });
            let next = market_sets.len();
            let markets = *market_sets.entry(m.markets.as_slice()).or_insert_with(|| {
                market_list.push(m.markets.clone());
                next as u16
            });
            if categories.len() > MAX_INTERNED || market_sets.len() > MAX_INTERNED {
                return Err("more than 65535 distinct categories or market sets".into());
            }
            let id_end = u32::try_from(ids.len()).map_err(|_| "material ids exceed 4 GiB")?;
            let profile = Profile {
                revision: m.revision,
                category,
                markets,
                action: m.action,
                mode: m.mode,
                kind: m.kind,
                detection_only: m.detection_only,
            };
            let next = profile_list.len() as u32;
            let profile = *profiles.entry(profile).or_insert_with(|| {
                profile_list.push(profile);
                next
            });
            entries.push(Entry { id_end, profile });
        }
        Ok(MaterialTable {
            ids,
            entries,
            profiles: profile_list,
            categories: category_list,
            market_sets: market_list,
        })
    }

    pub(crate) fn memory_usage(&self) -> usize {
        self.ids.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.profiles.capacity() * std::mem::size_of::<Profile>()
    }

    /// Checks what `row` and `applies_in` index by, for a table read from bytes.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let mut prev = 0;
        for e in &self.entries {
            let end = e.id_end as usize;
            if end < prev || end > self.ids.len() || !self.ids.is_char_boundary(end) {
                return Err("material ids out of bounds".into());
            }
            prev = end;
            if e.profile as usize >= self.profiles.len() {
                return Err("material refers to a missing profile".into());
            }
        }
        for p in &self.profiles {
            if p.category as usize >= self.categories.len()
                || p.markets as usize >= self.market_sets.len()
            {
                return Err("material refers to a missing category or market set".into());
            }
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    fn profile(&self, i: usize) -> Profile {
        self.profiles[self.entries[i].profile as usize]
    }

    pub(crate) fn mode(&self, i: usize) -> MatchMode {
        self.profile(i).mode
    }

    /// Whether material `i` applies in `market`.
    pub(crate) fn applies_in(&self, i: usize, market: &str) -> bool {
        let set = &self.market_sets[self.profile(i).markets as usize];
        set.is_empty() || set.iter().any(|m| m.eq_ignore_ascii_case(market))
    }

    /// Material `i` as `materials` describes it.
    pub(crate) fn describe(&self, i: usize) -> MaterialInfo {
        let row = self.row(i);
        let e = self.profile(i);
        MaterialInfo {
            id: row.id.to_string(),
            revision: row.revision,
            kind: e.kind,
            category: row.category.to_string(),
            action: row.action,
            mode: (e.kind == MaterialKind::Text).then_some(e.mode),
            markets: self.market_sets[e.markets as usize].clone(),
            detection_only: row.detection_only,
        }
    }

    pub(crate) fn row(&self, i: usize) -> Row<'_> {
        let end = self.entries[i].id_end as usize;
        let start = if i == 0 { 0 } else { self.entries[i - 1].id_end as usize };
        let p = self.profile(i);
        Row {
            id: &self.ids[start..end],
            revision: p.revision,
            category: &self.categories[p.category as usize],
            action: p.action,
            detection_only: p.detection_only,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screener::tests::material;

    /// Issue #13: rows share their profile, and every row reads back as built.
    #[test]
    fn rows_share_profiles_and_read_back() {
        let materials: Vec<Material> = (0..1000)
            .map(|i| {
                let action = if i % 3 == 0 { Action::Block } else { Action::Review };
                let markets: &[&str] = if i % 2 == 0 { &["RU"] } else { &[] };
                let mut m = material(&format!("m{i}"), "term", MatchMode::Word, action, markets);
                m.revision = 1 + i % 4;
                m
            })
            .collect();
        let table = MaterialTable::build(&materials).unwrap();
        assert!(table.validate().is_ok());
        // Two actions times four revisions (the markets follow the revision): 8.
        assert_eq!(table.profiles.len(), 8);
        assert_eq!(std::mem::size_of::<Entry>(), 8);
        for (i, m) in materials.iter().enumerate() {
            let info = table.describe(i);
            assert_eq!(
                (info.id.as_str(), info.revision, info.action),
                (m.id.as_str(), m.revision, m.action)
            );
            assert!(table.applies_in(i, "ru"));
            assert_eq!(table.applies_in(i, "US"), m.markets.is_empty());
        }
    }

    #[test]
    fn a_missing_profile_is_refused() {
        let mut table =
            MaterialTable::build(&[material("a", "t", MatchMode::Word, Action::Block, &[])])
                .unwrap();
        table.entries[0].profile = 1;
        assert!(table.validate().is_err());
    }
}
