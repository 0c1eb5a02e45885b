//! The instance catalog: the embedded table, optionally overlaid with a user's rows.

use std::borrow::Cow;

use crate::error::CoreError;
use crate::instance::{Hypervisor, InstanceInfo, Vcpus};
use crate::table;

/// The version of the embedded instance data (the date of the sources it was built from).
pub const DATA_VERSION: &str = table::DATA_VERSION;

/// The embedded table, sorted by name (a test checks it and names any row out of order).
#[must_use]
pub fn embedded_table() -> &'static [InstanceInfo] {
    table::TABLE
}

/// Used by the generated table: one row from literals.
#[allow(
    clippy::too_many_arguments,
    reason = "one argument per CSV column, called only by generated code"
)]
pub(crate) const fn row(
    name: &'static str,
    enis: u32,
    ipv4_per_eni: u32,
    vcpus: Vcpus,
    hypervisor: Hypervisor,
    bare_metal: bool,
    network_cards: u32,
    enis_total: u32,
    trunking: Option<bool>,
    branch_enis: Option<u32>,
    source: &'static str,
) -> InstanceInfo {
    InstanceInfo {
        name: Cow::Borrowed(name),
        enis,
        ipv4_per_eni,
        vcpus,
        hypervisor,
        bare_metal,
        network_cards,
        enis_total,
        trunking,
        branch_enis,
        source: Cow::Borrowed(source),
    }
}

/// Instance facts to look types up in: the embedded table plus, optionally, a user's own rows, which win
/// over embedded rows of the same name.
///
/// ```
/// use ipplan_core::Catalog;
/// let cat = Catalog::embedded();
/// assert_eq!(cat.get("m5.large").unwrap().enis, 3);
/// assert_eq!(
///     cat.get("m6i.xlarg").unwrap_err().to_string(),
///     "unknown instance type 'm6i.xlarg' (did you mean 'm6i.xlarge'?)"
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// User rows, sorted by name, unique.
    overlay: Vec<InstanceInfo>,
}

impl Catalog {
    /// The embedded table alone.
    #[must_use]
    pub const fn embedded() -> Self {
        Self {
            overlay: Vec::new(),
        }
    }

    /// The embedded table overlaid with `rows` (a later row of the same name wins over an earlier one).
    #[must_use]
    pub fn with_overlay(rows: Vec<InstanceInfo>) -> Self {
        let mut overlay = rows;
        // stable sort keeps file order among equal names; keep the last of each name
        overlay.sort_by(|a, b| a.name.cmp(&b.name));
        let mut dedup: Vec<InstanceInfo> = Vec::with_capacity(overlay.len());
        for r in overlay {
            match dedup.last_mut() {
                Some(last) if last.name == r.name => *last = r,
                _ => dedup.push(r),
            }
        }
        Self { overlay: dedup }
    }

    /// The user's rows in this catalog.
    #[must_use]
    pub fn overlay(&self) -> &[InstanceInfo] {
        &self.overlay
    }

    /// Look a type up by exact name.
    ///
    /// # Errors
    /// [`CoreError::UnknownInstanceType`] with the nearest names as suggestions.
    pub fn get(&self, name: &str) -> Result<&InstanceInfo, CoreError> {
        if let Ok(i) = self.overlay.binary_search_by(|r| r.name.as_ref().cmp(name)) {
            return Ok(&self.overlay[i]);
        }
        let t = embedded_table();
        match t.binary_search_by(|r| r.name.as_ref().cmp(name)) {
            Ok(i) => Ok(&t[i]),
            Err(_) => Err(CoreError::UnknownInstanceType {
                name: name.to_string(),
                suggestions: self.suggest(name),
            }),
        }
    }

    /// Every type, sorted by name, user rows in place of embedded rows of the same name.
    pub fn iter(&self) -> impl Iterator<Item = &InstanceInfo> {
        Merge {
            a: embedded_table(),
            b: &self.overlay,
            i: 0,
            j: 0,
        }
    }

    /// Up to three known names nearest to `name` (edit distance at most a third of the name, at least 2).
    #[must_use]
    pub fn suggest(&self, name: &str) -> Vec<String> {
        let limit = (name.len() / 3).max(2);
        let mut scored: Vec<(usize, &str)> = self
            .iter()
            .filter_map(|r| {
                edit_distance_within(name, &r.name, limit).map(|d| (d, r.name.as_ref()))
            })
            .collect();
        scored.sort();
        let best = match scored.first() {
            Some(&(d, _)) => d,
            None => return Vec::new(),
        };
        scored
            .into_iter()
            .take_while(|&(d, _)| d == best)
            .take(3)
            .map(|(_, n)| n.to_string())
            .collect()
    }
}

struct Merge<'a> {
    a: &'a [InstanceInfo],
    b: &'a [InstanceInfo],
    i: usize,
    j: usize,
}

impl<'a> Iterator for Merge<'a> {
    type Item = &'a InstanceInfo;
    fn next(&mut self) -> Option<Self::Item> {
        match (self.a.get(self.i), self.b.get(self.j)) {
            (None, None) => None,
            (Some(x), None) => {
                self.i += 1;
                Some(x)
            }
            (None, Some(y)) => {
                self.j += 1;
                Some(y)
            }
            (Some(x), Some(y)) => match x.name.cmp(&y.name) {
                std::cmp::Ordering::Less => {
                    self.i += 1;
                    Some(x)
                }
                std::cmp::Ordering::Greater => {
                    self.j += 1;
                    Some(y)
                }
                std::cmp::Ordering::Equal => {
                    self.i += 1;
                    self.j += 1;
                    Some(y)
                }
            },
        }
    }
}

/// Levenshtein distance (over chars): how many single-character edits turn `a` into `b`. Used for the
/// "did you mean" suggestions of every error message.
///
/// ```
/// assert_eq!(ipplan_core::edit_distance("kitten", "sitting"), 3);
/// assert_eq!(ipplan_core::edit_distance("m6i.xlarg", "m6i.xlarge"), 1);
/// ```
#[must_use]
pub fn edit_distance(a: &str, b: &str) -> usize {
    // with no limit nothing is cut short: the full table
    edit_distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`edit_distance`] when it is at most `limit`, else `None`, without the full computation where the lengths
/// alone rule it out or a row of the table already exceeds `limit`: a megabyte-long mistyped name costs no more
/// than a short one (`Catalog::suggest` runs this against every known type).
///
/// ```
/// assert_eq!(ipplan_core::edit_distance_within("m6i.xlarg", "m6i.xlarge", 2), Some(1));
/// assert_eq!(ipplan_core::edit_distance_within("kitten", "sitting", 2), None);
/// assert_eq!(ipplan_core::edit_distance_within(&"a".repeat(1 << 20), "m5.large", 5), None);
/// ```
#[must_use]
pub fn edit_distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit.saturating_mul(4) {
        // a char is 1 to 4 bytes: the char counts differ by more than `limit` too
        return None;
    }
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        // every later row is at least this row's minimum
        if cur.iter().min().is_some_and(|&m| m > limit) {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_known_values() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("m6i.xlarg", "m6i.xlarge"), 1);
    }

    #[test]
    fn overlay_wins_and_merges_sorted() {
        let mut m5 = Catalog::embedded().get("m5.large").unwrap().clone();
        m5.enis = 7;
        m5.source = Cow::Borrowed("user");
        let mut new = m5.clone();
        new.name = Cow::Borrowed("zz9.large");
        let cat = Catalog::with_overlay(vec![new, m5]);
        assert_eq!(cat.get("m5.large").unwrap().enis, 7);
        assert_eq!(cat.get("zz9.large").unwrap().enis, 7);
        assert_eq!(cat.iter().count(), embedded_table().len() + 1);
        let names: Vec<&str> = cat.iter().map(|r| r.name.as_ref()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn bounded_distance_agrees_with_the_full_one() {
        let words = [
            "",
            "a",
            "m5.large",
            "m5.larg",
            "m6i.xlarge",
            "kitten",
            "sitting",
            "zz",
            "ééé",
            "eee",
        ];
        for a in words {
            for b in words {
                for limit in 0..6 {
                    let d = edit_distance(a, b);
                    assert_eq!(
                        edit_distance_within(a, b, limit),
                        (d <= limit).then_some(d),
                        "{a} {b} {limit}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_suggestion_for_far_names() {
        let e = Catalog::embedded().get("qqqqqqqqqqqqqqqq").unwrap_err();
        assert!(e.to_string().contains("ipplan instances"), "{e}");
    }
}
