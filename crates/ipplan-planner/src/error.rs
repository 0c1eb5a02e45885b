//! Errors of the planner crate.

use ipplan_core::printable;
use thiserror::Error;

/// What can be wrong with a plan file. Every message is one line that names the file, the field path
/// (`node_groups[1].subnets[0]`) and the fix; messages are lowercase with no trailing period.
///
/// ```
/// use ipplan_planner::PlanError;
/// let e = PlanError::Invalid {
///     file: "plan.yaml".into(),
///     path: "node_groups[1].subnets[0]".into(),
///     message: "unknown subnet 'nodes-d' (known: nodes-a, nodes-b, nodes-c)".into(),
/// };
/// assert_eq!(
///     e.to_string(),
///     "plan.yaml: node_groups[1].subnets[0]: unknown subnet 'nodes-d' (known: nodes-a, nodes-b, nodes-c)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The text is not YAML (or not JSON, for a `.json` file).
    #[error("{}: invalid {format}: {}", printable(.file), printable(.message))]
    Syntax {
        /// The file name used in messages.
        file: String,
        /// `YAML` or `JSON`.
        format: &'static str,
        /// The parser's message, on one line, with its line and column.
        message: String,
        /// 1-based line of the error, when the parser knows it.
        line: Option<usize>,
    },
    /// A key the plan format does not have.
    #[error("{}: unknown field '{}' {}{}", printable(.file), printable(.key), place(.parent), hint(.suggestion.as_deref(), .known))]
    UnknownField {
        /// The file name used in messages.
        file: String,
        /// The path of the mapping that holds the key (empty at the top level).
        parent: String,
        /// The unknown key.
        key: String,
        /// The nearest known key, if one is close.
        suggestion: Option<String>,
        /// The keys allowed in that mapping.
        known: Vec<String>,
    },
    /// The text cannot be read as a plan at all: larger than [`PlanError::MAX_PLAN_BYTES`], or not UTF-8 text
    /// (UTF-16, binary). Nesting deeper than [`PlanError::MAX_NESTING`] is a [`PlanError::Syntax`] error.
    ///
    /// ```
    /// let e = ipplan_planner::PlanSpec::from_yaml_str("s\0u\0b\0", "plan.yaml").unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "plan.yaml: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8"
    /// );
    /// ```
    #[error("{}: {}", printable(.file), printable(.message))]
    Unreadable {
        /// The file name used in messages.
        file: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A value that is present but wrong, or a cross-field rule that does not hold.
    #[error("{}: {}: {}", printable(.file), printable(.path), printable(.message))]
    Invalid {
        /// The file name used in messages.
        file: String,
        /// The field path, e.g. `node_groups[1].subnets[0]`.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl PlanError {
    /// The largest plan text the readers take: 16 MiB. A plan of 100,000 subnets is 6 to 10 MB of YAML; the
    /// bound keeps a wrong file (a log, a disk image) from being read into memory and parsed.
    pub const MAX_PLAN_BYTES: usize = 16 << 20;

    /// The deepest nesting of flow collections (`[` and `{`) the readers take: 64. A plan needs 5
    /// (`{subnets: [{reservations: [{...}]}]}`); the YAML parser's time grows with depth times length, so the
    /// readers measure the depth in one pass before parsing.
    pub const MAX_NESTING: usize = 64;

    /// The field path the error is about (`""` for syntax errors and top-level keys).
    ///
    /// ```
    /// let e = ipplan_planner::PlanError::UnknownField {
    ///     file: "plan.yaml".into(),
    ///     parent: "cni".into(),
    ///     key: "warm_eni_targt".into(),
    ///     suggestion: Some("warm_eni_target".into()),
    ///     known: vec![],
    /// };
    /// assert_eq!(e.path(), "cni.warm_eni_targt");
    /// assert_eq!(
    ///     e.to_string(),
    ///     "plan.yaml: unknown field 'warm_eni_targt' in cni (did you mean 'warm_eni_target'?)"
    /// );
    /// ```
    #[must_use]
    pub fn path(&self) -> String {
        match self {
            Self::Syntax { .. } | Self::Unreadable { .. } => String::new(),
            Self::UnknownField { parent, key, .. } if parent.is_empty() => key.clone(),
            Self::UnknownField { parent, key, .. } => format!("{parent}.{key}"),
            Self::Invalid { path, .. } => path.clone(),
        }
    }

    /// The same error with its field path rewritten into the words of the input it came from (a Terraform query
    /// key, an importer's resource address): `rename` gets the plan path and returns the user's.
    ///
    /// ```
    /// let e = ipplan_planner::PlanError::Invalid {
    ///     file: "terraform query".into(), path: "node_groups[0].nodes".into(), message: "must be at least 1".into(),
    /// };
    /// let e = e.map_path(|p| p.replace("node_groups[0].", ""));
    /// assert_eq!(e.to_string(), "terraform query: nodes: must be at least 1");
    /// ```
    #[must_use]
    pub fn map_path(self, rename: impl Fn(&str) -> String) -> Self {
        match self {
            Self::Invalid {
                file,
                path,
                message,
            } => Self::Invalid {
                path: rename(&path),
                file,
                message,
            },
            Self::UnknownField {
                file,
                parent,
                key,
                suggestion,
                known,
            } => Self::UnknownField {
                parent: if parent.is_empty() {
                    parent
                } else {
                    rename(&parent)
                },
                file,
                key,
                suggestion,
                known,
            },
            other @ (Self::Syntax { .. } | Self::Unreadable { .. }) => other,
        }
    }
}

fn place(parent: &str) -> String {
    if parent.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in {}", printable(parent))
    }
}

fn hint(suggestion: Option<&str>, known: &[String]) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None if known.is_empty() => String::new(),
        None => format!(" (known fields: {})", known.join(", ")),
    }
}
