//! The one place that reads YAML (and JSON): text to a value tree, and a small path-tracking reader over it
//! that gives exact field paths and "did you mean" suggestions.

use serde_yaml::{Mapping, Value};

use crate::error::PlanError;

/// Plan text the parsers may be given: at most [`PlanError::MAX_PLAN_BYTES`], a leading UTF-8 byte-order mark
/// removed (Notepad, PowerShell and Excel write one), no NUL bytes (UTF-16 text read as UTF-8 is full of them),
/// and flow collections nested at most [`PlanError::MAX_NESTING`] deep, measured in one pass before parsing.
pub(crate) fn plan_text<'t>(
    text: &'t str,
    file: &str,
    format: &'static str,
) -> Result<&'t str, PlanError> {
    let unreadable = |message: String| PlanError::Unreadable {
        file: file.to_string(),
        message,
    };
    if text.len() > PlanError::MAX_PLAN_BYTES {
        return Err(unreadable(format!(
            "{} bytes is more than the {} MiB a plan may have: split it, or check that this is the plan file",
            text.len(),
            PlanError::MAX_PLAN_BYTES >> 20
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return Err(unreadable(
            "the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8".to_string(),
        ));
    }
    let too_deep = if format == "JSON" {
        json_too_deep(text.as_bytes(), PlanError::MAX_NESTING)
    } else {
        YamlScan::new(text.as_bytes()).too_deep(PlanError::MAX_NESTING)
    };
    if let Some(line) = too_deep {
        return Err(PlanError::Syntax {
            file: file.to_string(),
            format,
            line: Some(line),
            message: format!(
                "nested more than {} levels deep at line {line} (counting [ and {{): a plan needs at most 5, \
                 write it with fewer brackets",
                PlanError::MAX_NESTING
            ),
        });
    }
    Ok(text)
}

/// The 1-based line where JSON text first nests deeper than `cap` arrays and objects, if it does (strings
/// skipped; serde_json parses in linear time, so this only makes its limit the same as YAML's).
fn json_too_deep(b: &[u8], cap: usize) -> Option<usize> {
    let (mut depth, mut line, mut i) = (0usize, 1usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'\n' => line += 1,
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    } else if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > cap {
                    return Some(line);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The flow level (nesting of `[` and `{`) of libyaml's scanner, in one pass: the parser's time is its tokens
/// times its flow level (`yaml_parser_stale_simple_keys` walks every level's simple key for each token), so 160 KB
/// of `{a: ` takes seconds. A flow collection starts only at a token, so this follows the scanner's token rules
/// (unsafe-libyaml-norway `src/scanner.rs`: `yaml_parser_fetch_next_token`, `yaml_parser_scan_to_next_token`,
/// the plain, quoted and block scalar scanners, the indentation stack they depend on, and the level-0 simple key
/// that decides a block mapping's indentation), so that brackets inside scalars and comments do not count and
/// brackets that do are never missed. Where the scanner stops with an error this steps over a character and goes
/// on: the parser reads nothing past that point, so the count there no longer matters.
struct YamlScan<'t> {
    b: &'t [u8],
    i: usize,
    line: usize,
    col: i64,
    flow: usize,
    indent: i64,
    indents: Vec<i64>,
    simple_key_allowed: bool,
    /// The possible simple key of flow level 0: (line, byte index, column).
    key0: Option<(usize, usize, i64)>,
    /// The deepest flow level so far.
    max_flow: usize,
}

impl<'t> YamlScan<'t> {
    fn new(b: &'t [u8]) -> Self {
        Self {
            b,
            i: 0,
            line: 0,
            col: 0,
            flow: 0,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: true,
            key0: None,
            max_flow: 0,
        }
    }

    fn at(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }
    fn is_z(&self, k: usize) -> bool {
        self.i + k >= self.b.len()
    }
    fn is_blank(&self, k: usize) -> bool {
        matches!(self.at(k), b' ' | b'\t')
    }
    /// `\r`, `\n`, NEL, LS, PS (`IS_BREAK_AT`).
    fn is_break(&self, k: usize) -> bool {
        match self.at(k) {
            b'\r' | b'\n' => true,
            0xC2 => self.at(k + 1) == 0x85,
            0xE2 => self.at(k + 1) == 0x80 && matches!(self.at(k + 2), 0xA8 | 0xA9),
            _ => false,
        }
    }
    fn is_breakz(&self, k: usize) -> bool {
        self.is_break(k) || self.is_z(k)
    }
    fn is_blankz(&self, k: usize) -> bool {
        self.is_blank(k) || self.is_breakz(k)
    }
    fn is_alpha(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
    }
    fn is_uri(c: u8) -> bool {
        Self::is_alpha(c) || b";/?:@&=+$.%!~*'()".contains(&c)
    }
    fn doc_indicator(&self) -> bool {
        self.col == 0
            && (self.b[self.i..].starts_with(b"---") || self.b[self.i..].starts_with(b"..."))
            && self.is_blankz(3)
    }

    /// One character forward (`SKIP`).
    fn skip(&mut self) {
        if let Some(&c) = self.b.get(self.i) {
            self.i += match c {
                0xF0..=0xFF => 4,
                0xE0..=0xEF => 3,
                0xC0..=0xDF => 2,
                _ => 1,
            };
            self.col += 1;
        }
    }
    /// One line break forward (`SKIP_LINE`): CR LF counts once.
    fn skip_line(&mut self) {
        if self.at(0) == b'\r' && self.at(1) == b'\n' {
            self.i += 2;
        } else {
            self.skip();
        }
        self.line += 1;
        self.col = 0;
    }

    fn roll_indent(&mut self, column: i64) {
        if self.flow == 0 && self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
        }
    }
    fn unroll_indent(&mut self, column: i64) {
        if self.flow == 0 {
            while self.indent > column {
                self.indent = self.indents.pop().unwrap_or(-1);
            }
        }
    }
    fn save_simple_key(&mut self) {
        if self.flow == 0 && self.simple_key_allowed {
            self.key0 = Some((self.line, self.i, self.col));
        }
    }
    fn remove_simple_key(&mut self) {
        if self.flow == 0 {
            self.key0 = None;
        }
    }

    /// The 1-based line where the flow level first passes `cap`, if it does.
    fn too_deep(&mut self, cap: usize) -> Option<usize> {
        loop {
            self.scan_to_next_token();
            if let Some((line, index, _)) = self.key0
                && (line < self.line || index + 1024 < self.i)
            {
                self.key0 = None;
            }
            self.unroll_indent(self.col);
            if self.is_z(0) {
                return None;
            }
            let c = self.at(0);
            if self.col == 0 && c == b'%' {
                while !self.is_breakz(0) {
                    self.skip();
                }
                continue;
            }
            if self.doc_indicator() {
                self.unroll_indent(-1);
                self.remove_simple_key();
                self.simple_key_allowed = false;
                (0..3).for_each(|_| self.skip());
                continue;
            }
            let flow = self.flow > 0;
            match c {
                b'[' | b'{' => {
                    self.save_simple_key();
                    self.flow += 1;
                    self.max_flow = self.max_flow.max(self.flow);
                    if self.flow > cap {
                        return Some(self.line + 1);
                    }
                    self.simple_key_allowed = true;
                    self.skip();
                }
                b']' | b'}' => {
                    self.remove_simple_key();
                    self.flow = self.flow.saturating_sub(1);
                    self.simple_key_allowed = false;
                    self.skip();
                }
                b',' => {
                    self.remove_simple_key();
                    self.simple_key_allowed = true;
                    self.skip();
                }
                b'-' if self.is_blankz(1) => {
                    self.roll_indent(self.col);
                    self.remove_simple_key();
                    self.simple_key_allowed = true;
                    self.skip();
                }
                b'?' if flow || self.is_blankz(1) => {
                    self.roll_indent(self.col);
                    self.remove_simple_key();
                    self.simple_key_allowed = !flow;
                    self.skip();
                }
                b':' if flow || self.is_blankz(1) => {
                    if flow {
                        self.simple_key_allowed = false;
                    } else if let Some((_, _, column)) = self.key0.take() {
                        self.roll_indent(column);
                        self.simple_key_allowed = false;
                    } else {
                        self.roll_indent(self.col);
                        self.simple_key_allowed = true;
                    }
                    self.skip();
                }
                b'*' | b'&' => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.skip();
                    while Self::is_alpha(self.at(0)) {
                        self.skip();
                    }
                }
                b'!' => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.tag();
                }
                b'|' | b'>' if !flow => {
                    self.remove_simple_key();
                    self.simple_key_allowed = true;
                    self.block_scalar();
                }
                b'\'' | b'"' => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.quoted(c == b'\'');
                }
                _ if self.plain_start(c, flow) => {
                    self.save_simple_key();
                    self.simple_key_allowed = false;
                    self.plain();
                }
                // no token starts with this character: the scanner stops here
                _ => self.skip(),
            }
        }
    }

    fn scan_to_next_token(&mut self) {
        loop {
            if self.col == 0 && self.b[self.i..].starts_with("\u{feff}".as_bytes()) {
                self.skip();
            }
            while self.at(0) == b' '
                || ((self.flow > 0 || !self.simple_key_allowed) && self.at(0) == b'\t')
            {
                self.skip();
            }
            if self.at(0) == b'#' {
                while !self.is_breakz(0) {
                    self.skip();
                }
            }
            if !self.is_break(0) {
                return;
            }
            self.skip_line();
            if self.flow == 0 {
                self.simple_key_allowed = true;
            }
        }
    }

    fn plain_start(&self, c: u8, flow: bool) -> bool {
        !(self.is_blankz(0) || b"-?:,[]{}#&*!|>'\"%@`".contains(&c))
            || (c == b'-' && !self.is_blank(1))
            || (!flow && matches!(c, b'?' | b':') && !self.is_blankz(1))
    }

    /// `yaml_parser_scan_plain_scalar`: where a plain scalar ends depends on the flow level and, in block
    /// context, on the indentation (a more indented next line continues it).
    fn plain(&mut self) {
        let indent = self.indent + 1;
        let mut leading_blanks = false;
        loop {
            if self.doc_indicator() || self.at(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if self.flow > 0 && c == b':' && b",?[]{}".contains(&self.at(1)) {
                    // "found unexpected ':'": the scanner stops here
                    return;
                }
                if (c == b':' && self.is_blankz(1)) || (self.flow > 0 && b",[]{}".contains(&c)) {
                    break;
                }
                self.skip();
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    self.skip();
                } else {
                    self.skip_line();
                    leading_blanks = true;
                }
            }
            if self.flow == 0 && self.col < indent {
                break;
            }
        }
        if leading_blanks {
            self.simple_key_allowed = true;
        }
    }

    /// `yaml_parser_scan_flow_scalar`: to the closing quote (`''` in single quotes, `\\` escapes in double).
    fn quoted(&mut self, single: bool) {
        let quote = if single { b'\'' } else { b'"' };
        self.skip();
        loop {
            if self.doc_indicator() || self.is_z(0) {
                return;
            }
            while !self.is_blankz(0) {
                let c = self.at(0);
                if single && c == b'\'' && self.at(1) == b'\'' {
                    self.skip();
                    self.skip();
                } else if c == quote {
                    break;
                } else if !single && c == b'\\' && self.is_break(1) {
                    self.skip();
                    self.skip_line();
                    break;
                } else if !single && c == b'\\' {
                    self.skip();
                    self.skip();
                } else {
                    self.skip();
                }
            }
            if self.at(0) == quote {
                self.skip();
                return;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    self.skip();
                } else {
                    self.skip_line();
                }
            }
        }
    }

    /// `yaml_parser_scan_tag`: `!<verbatim>`, or a handle and suffix of URI characters.
    fn tag(&mut self) {
        self.skip();
        if self.at(0) == b'<' {
            self.skip();
            while Self::is_uri(self.at(0)) || b",[]".contains(&self.at(0)) {
                self.skip();
            }
            if self.at(0) == b'>' {
                self.skip();
            }
        } else {
            while Self::is_uri(self.at(0)) {
                self.skip();
            }
        }
    }

    /// `yaml_parser_scan_block_scalar`: the header line, then every line indented at least as far as the first
    /// content line (or the explicit indentation indicator).
    fn block_scalar(&mut self) {
        self.skip();
        let mut increment = 0i64;
        let digit = |c: u8| (b'1'..=b'9').contains(&c);
        if matches!(self.at(0), b'+' | b'-') {
            self.skip();
            if digit(self.at(0)) {
                increment = i64::from(self.at(0) - b'0');
                self.skip();
            }
        } else if digit(self.at(0)) {
            increment = i64::from(self.at(0) - b'0');
            self.skip();
            if matches!(self.at(0), b'+' | b'-') {
                self.skip();
            }
        }
        while self.is_blank(0) {
            self.skip();
        }
        if self.at(0) == b'#' {
            while !self.is_breakz(0) {
                self.skip();
            }
        }
        if !self.is_breakz(0) {
            // "did not find expected comment or line break": the scanner stops here
            return;
        }
        if self.is_break(0) {
            self.skip_line();
        }
        let mut indent = if increment == 0 {
            0
        } else if self.indent >= 0 {
            self.indent + increment
        } else {
            increment
        };
        self.block_scalar_breaks(&mut indent);
        while self.col == indent && !self.is_z(0) {
            while !self.is_breakz(0) {
                self.skip();
            }
            if self.is_break(0) {
                self.skip_line();
            }
            self.block_scalar_breaks(&mut indent);
        }
    }

    /// `yaml_parser_scan_block_scalar_breaks`: empty and indentation-only lines; sets the indentation from the
    /// first content line when no indicator gave it.
    fn block_scalar_breaks(&mut self, indent: &mut i64) {
        let mut max_indent = 0;
        loop {
            while (*indent == 0 || self.col < *indent) && self.at(0) == b' ' {
                self.skip();
            }
            max_indent = max_indent.max(self.col);
            if (*indent == 0 || self.col < *indent) && self.at(0) == b'\t' {
                // "found a tab character where an indentation space is expected": the scanner stops here
                return;
            }
            if !self.is_break(0) {
                break;
            }
            self.skip_line();
        }
        if *indent == 0 {
            *indent = max_indent.max(self.indent + 1).max(1);
        }
    }
}

/// Parse YAML text into a value tree, with `<<` merge keys applied.
pub(crate) fn parse_yaml(text: &str, file: &str) -> Result<Value, PlanError> {
    let text = plan_text(text, file, "YAML")?;
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

/// Parse JSON text into the same value tree as YAML (JSON errors keep serde_json's wording and position). A key
/// repeated in one object is an error, as it is in YAML (serde_json alone keeps the last one silently).
pub(crate) fn parse_json(text: &str, file: &str) -> Result<Value, PlanError> {
    let text = plan_text(text, file, "JSON")?;
    let syntax = |e: serde_json::Error| PlanError::Syntax {
        file: file.to_string(),
        format: "JSON",
        line: Some(e.line()),
        message: one_line(&e.to_string()),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let v =
        serde::de::DeserializeSeed::deserialize(JsonNode { path: "" }, &mut de).map_err(syntax)?;
    de.end().map_err(syntax)?;
    Ok(v)
}

/// A JSON value read straight into the YAML value tree, its path kept for the duplicate-key message.
struct JsonNode<'p> {
    path: &'p str,
}

impl<'de> serde::de::DeserializeSeed<'de> for JsonNode<'_> {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for JsonNode<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        loop {
            let path = format!("{}[{}]", self.path, out.len());
            match seq.next_element_seed(JsonNode { path: &path })? {
                Some(v) => out.push(v),
                None => return Ok(Value::Sequence(out)),
            }
        }
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Mapping::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(key.as_str()) {
                let place = if self.path.is_empty() {
                    String::new()
                } else {
                    format!("{}: ", self.path)
                };
                return Err(serde::de::Error::custom(format!(
                    "{place}duplicate key '{key}' (keep one)"
                )));
            }
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            let v = map.next_value_seed(JsonNode { path: &path })?;
            out.insert(Value::String(key), v);
        }
        Ok(Value::Mapping(out))
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An IPv4 CIDR as written in a plan or query. `ipnet` reads `010.0.0.0/24` as `10.0.0.0/24`, but inet_aton and
/// tools built on it read a leading zero as octal (`010` = 8): such a number is an error that shows the decimal
/// reading, so a plan never means something other than what another tool would make of it.
pub(crate) fn parse_cidr(s: &str) -> Result<ipnet::Ipv4Net, String> {
    let generic = || "expected an IPv4 network such as 10.0.0.0/24".to_string();
    let (addr, len) = s.split_once('/').ok_or_else(generic)?;
    let mut parts: Vec<&str> = addr.split('.').collect();
    parts.push(len);
    let zero = |p: &str| p.len() > 1 && p.starts_with('0') && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(bad) = parts.iter().find(|p| zero(p)) {
        let fixed: Vec<&str> = parts
            .iter()
            .map(|p| {
                if zero(p) {
                    let t = p.trim_start_matches('0');
                    if t.is_empty() { "0" } else { t }
                } else {
                    p
                }
            })
            .collect();
        let n = fixed.len();
        let fixed = format!("{}/{}", fixed[..n - 1].join("."), fixed[n - 1]);
        if fixed.parse::<ipnet::Ipv4Net>().is_ok() {
            return Err(format!(
                "'{bad}' has a leading zero, which some tools read as octal: write '{fixed}' (or the octal value's \
                 decimal, if that is what you meant)"
            ));
        }
    }
    s.parse().map_err(|_| generic())
}

/// The known word nearest to `word`, if it is within a third of the word's length (at least 2 edits). Bounded
/// work per known word (`edit_distance_within`), so a long mistyped name against many subnets stays fast.
pub(crate) fn suggest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    let limit = (word.chars().count() / 3).max(2);
    known
        .iter()
        .filter_map(|k| ipplan_core::edit_distance_within(word, k, limit).map(|d| (d, *k)))
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

    /// A mapping of string keys to values (or null: none), in file order. A key that is not a string, or an
    /// empty one, is an error.
    pub(crate) fn entries(&self) -> Result<Vec<(String, Node<'a>)>, PlanError> {
        let map = match self.value {
            Value::Null => return Ok(Vec::new()),
            Value::Mapping(map) => map,
            _ => {
                return Err(self.err(format!(
                    "expected a mapping of keys to values, found {}",
                    self.kind()
                )));
            }
        };
        let mut out = Vec::with_capacity(map.len());
        for (k, value) in map {
            let key = match k {
                Value::String(s) if !s.trim().is_empty() => s.clone(),
                Value::String(_) => return Err(self.err("a key must not be empty: give it a name")),
                _ => {
                    let shown = Node {
                        value: k,
                        path: self.path.clone(),
                        file: self.file,
                    }
                    .shown();
                    return Err(self.err(format!("keys must be strings, found {shown}: quote it")));
                }
            };
            let path = format!("{}.{key}", self.path);
            out.push((
                key,
                Node {
                    value,
                    path,
                    file: self.file,
                },
            ));
        }
        Ok(out)
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

    fn flow_depth(text: &str) -> usize {
        let mut scan = YamlScan::new(text.as_bytes());
        assert_eq!(scan.too_deep(usize::MAX), None);
        scan.max_flow
    }

    /// Nesting depth of a value tree (scalars 0).
    fn value_depth(v: &Value) -> usize {
        match v {
            Value::Sequence(s) => 1 + s.iter().map(value_depth).max().unwrap_or(0),
            Value::Mapping(m) => {
                1 + m
                    .iter()
                    .map(|(k, v)| value_depth(k).max(value_depth(v)))
                    .max()
                    .unwrap_or(0)
            }
            Value::Tagged(t) => value_depth(&t.value),
            _ => 0,
        }
    }

    #[test]
    fn brackets_in_scalars_and_comments_do_not_count() {
        let cases = [
            ("a: [1, [2, {b: [3]}]]", 4),
            ("a: \"[[[[\"\nb: '{{{{'\nc: x[y]{z\n", 0),
            ("a: 1 # [[[[ {{{{\n- [x] # ]]]]\n", 1),
            ("what: alb \"[internal\"\nb: [1]\n", 1),
            ("a: |\n  [[[[ \"\n  {{{{\nb: [[1]]\n", 2),
            ("a: >-\n   \"\n   [[\nb: {c: [1]}\n", 2),
            ("a: !!str \"]]]]\"\nb: &x [[1]]\nc: *x\n", 2),
            ("{\"a\": [\"]\", {\"b\": \"}\"}]}", 3),
            ("a: [\"x\\\"]\", ']''[', [1]]", 2),
        ];
        for (text, want) in cases {
            assert_eq!(flow_depth(text), want, "{text:?}");
        }
    }

    /// Inputs built to make a simpler count (skip anything between quotes, or count every bracket) miss the
    /// nesting: each is valid YAML nested `n` flow levels deep, and the scan sees all `n`.
    #[test]
    fn adversarial_nesting_is_seen() {
        let n = 100;
        let cases = [
            // a plain scalar with quotes inside, in flow context: the quotes are text
            format!("{}{}", "[x \", \"]\", ".repeat(n), "]".repeat(n)),
            format!("{}{}", "[x \" \", ".repeat(n), "]".repeat(n)),
            // a tagged quoted scalar: the quote after the tag starts a string
            format!("{}{}", "[ !t \"]\", ".repeat(n), "]".repeat(n)),
            // closing brackets inside quoted scalars
            format!("{}1{}", "{a: \"}\", b: ".repeat(n), "}".repeat(n)),
            format!("{}1{}", "{a: '}', b: ".repeat(n), "}".repeat(n)),
            // a quote that continues a multi-line plain scalar, then real nesting
            format!("a: x\n \"\nb: {}{}\n", "[".repeat(n), "]".repeat(n)),
            // a quote in a block scalar, then real nesting
            format!("a: |\n  \"\nb: {}{}\n", "[".repeat(n), "]".repeat(n)),
            // a quote in a comment
            format!("a: 1 # \"\nb: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ];
        for text in cases {
            let v: Result<Value, _> = serde_yaml::from_str(&text);
            // valid YAML (serde stops at its own recursion limit of 128 only after loading every event)
            if let Err(e) = &v {
                assert!(e.to_string().contains("recursion limit"), "{text}: {e}");
            }
            assert_eq!(flow_depth(&text), n, "{text}");
            let e = plan_text(&text, "p.yaml", "YAML").unwrap_err().to_string();
            assert!(
                e.starts_with("p.yaml: invalid YAML: nested more than 64 levels deep at line "),
                "{e}"
            );
        }
    }

    /// A small YAML tree: block and flow collections, scalars in every style with brackets, quotes and `#`
    /// inside. Rendered, parsed by serde, scanned: the scan's flow depth is the tree's.
    #[derive(Debug, Clone)]
    enum Tree {
        Scalar(u8),
        Seq(bool, Vec<Tree>),
        Map(bool, Vec<(u8, Tree)>),
    }

    fn scalar(k: u8, flow: bool, indent: usize) -> String {
        let pad = " ".repeat(indent + 2);
        match (k % 12, flow) {
            (1, _) => "\"q [{ ' \\\" ]} #\"".to_string(),
            (2, _) => "'s [{ \" '' ]} #'".to_string(),
            (3, _) => "x \"y".to_string(),
            (4, _) => "x 'y".to_string(),
            (5, _) => "!t \"x [\"".to_string(),
            (6, _) => "&a 'x ]'".to_string(),
            (7, _) => "a:b\"".to_string(),
            (8, false) => "a \"b [c {d ' e".to_string(),
            (9, false) => format!("multi\n{pad}line \" [ {{ '"),
            (10, false) => format!("|\n{pad}[ \" {{\n{pad}  ' ] #"),
            (11, false) => "x # [ \" {\n".to_string(),
            (8..=11, true) => format!("\"multi\n{pad}line ] '\""),
            _ => "plain".to_string(),
        }
    }

    fn render(t: &Tree, flow: bool, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match t {
            Tree::Scalar(k) => {
                out.push_str(&scalar(*k, flow, indent));
            }
            Tree::Seq(true, items) | Tree::Seq(false, items) if flow || items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    render(item, true, indent, out);
                }
                out.push(']');
            }
            Tree::Map(_, items) if flow || items.is_empty() => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&format!("k{i}{k}: "));
                    render(v, true, indent, out);
                }
                out.push('}');
            }
            Tree::Seq(true, _) | Tree::Map(true, _) => render(t, true, indent, out),
            Tree::Seq(false, items) => {
                for item in items {
                    out.push('\n');
                    out.push_str(&pad);
                    out.push_str("- ");
                    render(item, false, indent + 2, out);
                }
            }
            Tree::Map(false, items) => {
                for (i, (k, v)) in items.iter().enumerate() {
                    out.push('\n');
                    out.push_str(&pad);
                    out.push_str(&format!("k{i}{k}: "));
                    render(v, false, indent + 2, out);
                }
            }
        }
    }

    fn expected_flow(t: &Tree, flow: bool) -> usize {
        let (is_flow, kids): (bool, Vec<&Tree>) = match t {
            Tree::Scalar(_) => return 0,
            Tree::Seq(f, items) => (*f || flow || items.is_empty(), items.iter().collect()),
            Tree::Map(f, items) => (
                *f || flow || items.is_empty(),
                items.iter().map(|(_, v)| v).collect(),
            ),
        };
        usize::from(is_flow)
            + kids
                .iter()
                .map(|k| expected_flow(k, is_flow))
                .max()
                .unwrap_or(0)
    }

    fn tree() -> impl proptest::strategy::Strategy<Value = Tree> {
        use proptest::prelude::*;
        let leaf = any::<u8>().prop_map(Tree::Scalar);
        leaf.prop_recursive(8, 64, 4, |inner| {
            prop_oneof![
                (
                    any::<bool>(),
                    proptest::collection::vec(inner.clone(), 0..4)
                )
                    .prop_map(|(f, v)| Tree::Seq(f, v)),
                (
                    any::<bool>(),
                    proptest::collection::vec((any::<u8>(), inner), 0..4)
                )
                    .prop_map(|(f, v)| Tree::Map(f, v)),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: std::env::var("IPPLAN_SCAN_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256), ..Default::default() })]
        #[test]
        fn scan_depth_is_the_trees_flow_depth(t in tree()) {
            let mut text = String::from("root: ");
            render(&t, false, 2, &mut text);
            text.push('\n');
            let parsed: Value = serde_yaml::from_str(&text).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{text}\n{e}")))?;
            let _ = value_depth(&parsed);
            proptest::prop_assert_eq!(flow_depth(&text), expected_flow(&t, false), "{}", text);
        }
    }

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
