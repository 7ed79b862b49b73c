//! The materials as the screener keeps them: only what a hit reports or a match
//! checks, packed into a few flat vectors.
//!
//! Why not keep `Vec<Material>`: inside the component the screener is snapshotted
//! into the memory image, and a 100k-material package as individual `String`s is
//! ~700k small allocations spread over the heap among freed build temporaries; the
//! image then spans the whole heap (147 MiB measured for a 23 MiB matcher). A handful
//! of large vectors keeps the image close to the live size.

use crate::model::{Action, MatchMode, MaterialKind};
use crate::package::{Material, MaterialInfo};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Serialize, Deserialize)]
struct Entry {
    id_end: u32,
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
            entries.push(Entry {
                id_end,
                revision: m.revision,
                category,
                markets,
                action: m.action,
                mode: m.mode,
                kind: m.kind,
                detection_only: m.detection_only,
            });
        }
        Ok(MaterialTable { ids, entries, categories: category_list, market_sets: market_list })
    }

    pub(crate) fn memory_usage(&self) -> usize {
        self.ids.capacity() + self.entries.capacity() * std::mem::size_of::<Entry>()
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
            if e.category as usize >= self.categories.len()
                || e.markets as usize >= self.market_sets.len()
            {
                return Err("material refers to a missing category or market set".into());
            }
        }
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn mode(&self, i: usize) -> MatchMode {
        self.entries[i].mode
    }

    /// Whether material `i` applies in `market`.
    pub(crate) fn applies_in(&self, i: usize, market: &str) -> bool {
        let set = &self.market_sets[self.entries[i].markets as usize];
        set.is_empty() || set.iter().any(|m| m.eq_ignore_ascii_case(market))
    }

    /// Material `i` as `materials` describes it.
    pub(crate) fn describe(&self, i: usize) -> MaterialInfo {
        let row = self.row(i);
        let e = self.entries[i];
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
        let e = self.entries[i];
        let start = if i == 0 { 0 } else { self.entries[i - 1].id_end as usize };
        Row {
            id: &self.ids[start..e.id_end as usize],
            revision: e.revision,
            category: &self.categories[e.category as usize],
            action: e.action,
            detection_only: e.detection_only,
        }
    }
}
