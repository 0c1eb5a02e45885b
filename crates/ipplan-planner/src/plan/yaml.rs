//! The one place that reads YAML (and JSON): text to a value tree, and a small path-tracking reader over it
//! that gives exact field paths and "did you mean" suggestions.

use serde_yaml::{Mapping, Value};

use crate::error::PlanError;

/// Parse YAML text into a value tree, with `<<` merge keys applied.
pub(crate) fn parse_yaml(text: &str, file: &str) -> Result<Value, PlanError> {
    let syntax = |e: serde_yaml::Error| PlanError::Syntax {
        file: file.to_string(),
        format: "YAML",
        line: e.location().map(|l| l.line()),
        message: one_line(&e.to_string()),
    };
    let mut v: Value = serde_yaml::from_str(text).map_err(syntax)?;
    v.apply_merge().map_err(syntax)?;
    Ok(v)
}

/// Parse JSON text into the same value tree as YAML (JSON errors keep serde_json's wording and position).
pub(crate) fn parse_json(text: &str, file: &str) -> Result<Value, PlanError> {
    let j: serde_json::Value = serde_json::from_str(text).map_err(|e| PlanError::Syntax {
        file: file.to_string(),
        format: "JSON",
        line: Some(e.line()),
        message: one_line(&e.to_string()),
    })?;
    serde_yaml::to_value(j).map_err(|e| PlanError::Syntax {
        file: file.to_string(),
        format: "JSON",
        line: None,
        message: one_line(&e.to_string()),
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The known word nearest to `word`, if it is within a third of the word's length (at least 2 edits).
pub(crate) fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = (word.chars().count() / 3).max(2);
    known
        .iter()
        .map(|k| (ipplan_core::edit_distance(word, k), *k))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// A value and the path it was found at.
#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub(crate) value: &'a Value,
    pub(crate) path: String,
    pub(crate) file: &'a str,
}

/// A mapping whose keys were all checked against a list of allowed keys.
#[derive(Debug)]
pub(crate) struct Obj<'a> {
    map: &'a Mapping,
    path: String,
    file: &'a str,
}

impl<'a> Node<'a> {
    /// The root of a document.
    pub(crate) fn root(value: &'a Value, file: &'a str) -> Self {
        Self {
            value,
            path: String::new(),
            file,
        }
    }

    /// An error at this node's path.
    pub(crate) fn err(&self, message: impl Into<String>) -> PlanError {
        PlanError::Invalid {
            file: self.file.to_string(),
            path: if self.path.is_empty() {
                "(top level)".to_string()
            } else {
                self.path.clone()
            },
            message: message.into(),
        }
    }

    fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
            Value::Tagged(_) => "a tagged value",
        }
    }

    pub(crate) fn shown(&self) -> String {
        match self.value {
            Value::String(s) => format!("'{s}'"),
            Value::Number(n) => format!("'{n}'"),
            Value::Bool(b) => format!("'{b}'"),
            _ => self.kind().to_string(),
        }
    }

    /// A mapping with only `allowed` keys; an unknown key is an error with a suggestion.
    pub(crate) fn object(&self, allowed: &[&str]) -> Result<Obj<'a>, PlanError> {
        let Value::Mapping(map) = self.value else {
            return Err(self.err(format!(
                "expected a mapping with fields {}, found {}",
                allowed.join(", "),
                self.kind()
            )));
        };
        for k in map.keys() {
            let Value::String(key) = k else {
                let shown = Node {
                    value: k,
                    path: self.path.clone(),
                    file: self.file,
                }
                .shown();
                return Err(self.err(format!(
                    "field names must be strings, found {shown}: quote it or rename it"
                )));
            };
            if !allowed.contains(&key.as_str()) {
                return Err(PlanError::UnknownField {
                    file: self.file.to_string(),
                    parent: self.path.clone(),
                    key: key.clone(),
                    suggestion: suggest(key, allowed).map(str::to_string),
                    known: allowed.iter().map(|s| (*s).to_string()).collect(),
                });
            }
        }
        Ok(Obj {
            map,
            path: self.path.clone(),
            file: self.file,
        })
    }

    /// A list (a missing list is the caller's business).
    pub(crate) fn list(&self) -> Result<Vec<Node<'a>>, PlanError> {
        let Value::Sequence(items) = self.value else {
            return Err(self.err(format!("expected a list, found {}", self.kind())));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", self.path),
                file: self.file,
            })
            .collect())
    }

    /// A string.
    pub(crate) fn str(&self) -> Result<&'a str, PlanError> {
        match self.value {
            Value::String(s) => Ok(s),
            _ => Err(self.err(format!("expected a string, found {}", self.shown()))),
        }
    }

    /// A non-empty string.
    pub(crate) fn name(&self) -> Result<&'a str, PlanError> {
        let s = self.str()?;
        if s.trim().is_empty() {
            return Err(self.err("must not be empty: give it a name"));
        }
        Ok(s)
    }

    /// A boolean.
    pub(crate) fn bool(&self) -> Result<bool, PlanError> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.err(format!("expected true or false, found {}", self.shown()))),
        }
    }

    /// A whole number in `min..=max`.
    pub(crate) fn uint(&self, min: u64, max: u64) -> Result<u64, PlanError> {
        let n = match self.value {
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        match n {
            Some(n) if (min..=max).contains(&n) => Ok(n),
            _ => {
                let range = if max >= u64::from(u32::MAX) {
                    if min == 0 {
                        String::new()
                    } else {
                        format!(" of at least {min}")
                    }
                } else {
                    format!(" from {min} to {max}")
                };
                Err(self.err(format!(
                    "expected a whole number{range}, found {}",
                    self.shown()
                )))
            }
        }
    }

    /// A whole number in `min..=u32::MAX`, as `u32`.
    pub(crate) fn u32(&self, min: u32) -> Result<u32, PlanError> {
        self.uint(u64::from(min), u64::from(u32::MAX))
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// A value that must be one of `choices`.
    pub(crate) fn choice<'c>(&self, what: &str, choices: &[&'c str]) -> Result<&'c str, PlanError> {
        let s = self.str()?;
        if let Some(c) = choices.iter().find(|c| **c == s) {
            return Ok(c);
        }
        let hint = match suggest(s, choices) {
            Some(c) => format!("did you mean '{c}'?"),
            None => format!("expected one of: {}", choices.join(", ")),
        };
        Err(self.err(format!("unknown {what} '{s}' ({hint})")))
    }
}

impl<'a> Obj<'a> {
    /// The field `key`, if present and not null.
    pub(crate) fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.map.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some(Node {
                value,
                path: if self.path.is_empty() {
                    key.to_string()
                } else {
                    format!("{}.{key}", self.path)
                },
                file: self.file,
            }),
        }
    }

    /// The field `key`, which must be present.
    pub(crate) fn req(&self, key: &str) -> Result<Node<'a>, PlanError> {
        self.get(key).ok_or_else(|| PlanError::Invalid {
            file: self.file.to_string(),
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
            message: "required field is missing: add it".to_string(),
        })
    }

    /// An error at this mapping's path.
    pub(crate) fn err(&self, message: impl Into<String>) -> PlanError {
        Node {
            value: &Value::Null,
            path: self.path.clone(),
            file: self.file,
        }
        .err(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion() {
        assert_eq!(
            suggest("warm_eni_targt", &["warm_eni_target", "warm_ip_target"]),
            Some("warm_eni_target")
        );
        assert_eq!(suggest("zzz", &["nodes", "pods"]), None);
    }

    #[test]
    fn merge_keys_apply() {
        let v = parse_yaml("a: &x {k: 1}\nb:\n  <<: *x\n  j: 2\n", "p.yaml").unwrap();
        assert_eq!(v["b"]["k"].as_u64(), Some(1));
    }

    #[test]
    fn syntax_error_is_one_line_with_line_number() {
        let e = parse_yaml("a: [1, 2\nb: 3\n", "p.yaml").unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
        assert!(e.to_string().starts_with("p.yaml: invalid YAML: "), "{e}");
        let e = parse_json("{\"a\": 1,}", "p.json").unwrap_err();
        assert!(e.to_string().starts_with("p.json: invalid JSON: "), "{e}");
        assert!(matches!(e, PlanError::Syntax { line: Some(1), .. }));
    }
}
