//! Errors of the core crate.

use thiserror::Error;

/// What can go wrong in the core crate. Messages are lowercase, quote the input and say the fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CoreError {
    /// The type is in neither the embedded table nor the user's rows.
    #[error("unknown instance type '{}'{}", printable(.name), suggestion_text(.suggestions))]
    UnknownInstanceType {
        /// The name asked for.
        name: String,
        /// The nearest known names, best first (may be empty).
        suggestions: Vec<String>,
    },
    /// `max_eni` was 0.
    #[error("max ENI must be at least 1 (got {0}); leave it unset to use the instance's limit")]
    MaxEniZero(u32),
    /// A CNI version that is not `MAJOR.MINOR[.PATCH]`.
    #[error(
        "invalid CNI version '{}': expected MAJOR.MINOR.PATCH such as 1.19.0 (a leading 'v' is accepted)",
        printable(.0)
    )]
    BadCniVersion(String),
    /// The 110/250 cap needs a vCPU count the table does not have.
    #[error(
        "the vCPU count of '{}' is unknown and the 110/250 max-pods cap depends on it: pass --vcpus N (or --show-max-allowed for the uncapped value)",
        printable(.0)
    )]
    VcpusUnknown(String),
    /// A user instance-data file could not be read as rows.
    #[error("{}line {line}: {}: {}", printable(.origin), printable(.field), printable(.message))]
    BadRow {
        /// `FILE: ` prefix when known (set by the caller via [`CoreError::in_file`]), else empty.
        origin: String,
        /// 1-based line number in the input.
        line: usize,
        /// The column or JSON field at fault.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl CoreError {
    /// Prefix a row error with the file it came from, so the message names the file, the line and the field.
    #[must_use]
    pub fn in_file(self, file: &str) -> Self {
        match self {
            Self::BadRow {
                line,
                field,
                message,
                ..
            } => Self::BadRow {
                origin: format!("{file}: "),
                line,
                field,
                message,
            },
            other => other,
        }
    }
}

/// User text as it may appear in a one-line message: line breaks (CR, LF, NEL, U+2028, U+2029), tabs and other
/// control characters are written as escapes (`\n`, `\u{85}`), everything else as is. Every error of this crate
/// and of `ipplan-planner` quotes user input through it, so a name with a line break in it cannot split a message.
///
/// ```
/// assert_eq!(ipplan_core::printable("m5.large"), "m5.large");
/// assert_eq!(ipplan_core::printable("a\nb\rc\u{2028}"), "a\\nb\\rc\\u{2028}");
/// ```
#[must_use]
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let escape = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
    if !s.chars().any(escape) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn suggestion_text(suggestions: &[String]) -> String {
    match suggestions {
        [] => " (list known types with 'ipplan instances', or add yours with --instance-data)"
            .to_string(),
        [one] => format!(" (did you mean '{}'?)", printable(one)),
        many => {
            let quoted: Vec<String> = many.iter().map(|s| format!("'{}'", printable(s))).collect();
            format!(" (did you mean one of {}?)", quoted.join(", "))
        }
    }
}
