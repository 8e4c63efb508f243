//! A small document tree shared by the two rule-file formats.
//!
//! Rule files are authored in TOML and shipped to the browser as a JSON bundle. Both are read
//! into this tree first and then validated by one loader, so a rule set means exactly the same
//! thing in both forms. TOML nodes remember their byte offset, so errors point at
//! `file:line:col`; JSON nodes are located by their field path.

use crate::error::RuleError;

/// `s` as an i64 when it is an optional `-` and digits: what `s.parse::<i64>()` gives for such
/// text (a test compares them), without linking std's integer parser into the wasm.
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let digits = s.as_bytes().strip_prefix(b"-").unwrap_or(s.as_bytes());
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        // negative while it is built, so that i64::MIN fits
        n = n.checked_mul(10)?.checked_sub(i64::from(b - b'0'))?;
    }
    if digits.len() == s.len() {
        n.checked_neg()
    } else {
        Some(n)
    }
}

/// A value with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Byte offset of the value in its source file (TOML only).
    pub at: Option<usize>,
    /// For strings: byte offset of the first character inside the quotes, when characters map
    /// one to one onto the source (no escapes), so expression errors can point inside.
    pub text_at: Option<usize>,
}

/// Values of the tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A floating-point number, kept as written; rule files never accept one for money.
    Float(String),
    /// A boolean.
    Bool(bool),
    /// A date or date-time written natively in TOML, as written.
    Date(String),
    /// An array.
    Array(Vec<Node>),
    /// A table: keys in source order, each with its offset.
    Table(Vec<(String, Option<usize>, Node)>),
}

impl Value {
    /// What the value is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Date(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Maps byte offsets of a text to 1-based line and column (columns count characters).
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text` (natively only: the wasm reads no TOML, see `rules::load`).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// Line and column of a byte offset.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line as u32 + 1, col as u32 + 1)
    }
}

/// Builds a [`RuleError`] at an optional byte offset.
pub fn rule_error(file: &str, lines: Option<&LineIndex<'_>>, at: Option<usize>, field: &str, message: String) -> RuleError {
    let (line, column) = match (lines, at) {
        (Some(li), Some(at)) => {
            let (l, c) = li.locate(at);
            (Some(l), Some(c))
        }
        _ => (None, None),
    };
    RuleError { file: file.to_string(), line, column, field: field.to_string(), message }
}

/// Reads a TOML document into a tree (native builds only: the wasm never links a TOML parser).
#[cfg(not(target_arch = "wasm32"))]
pub fn from_toml(file: &str, text: &str) -> Result<Node, RuleError> {
    use toml::de::{DeTable, DeValue};
    use toml::Spanned;

    fn string_start(text: &str, start: usize, s: &str) -> Option<usize> {
        let raw = text.get(start..)?;
        let (delim, literal) = if raw.starts_with("'''") {
            (3, true)
        } else if raw.starts_with("\"\"\"") {
            (3, false)
        } else if raw.starts_with('\'') {
            (1, true)
        } else if raw.starts_with('"') {
            (1, false)
        } else {
            return None;
        };
        let mut at = start + delim;
        if delim == 3 {
            if text.get(at..)?.starts_with("\r\n") {
                at += 2;
            } else if text.get(at..)?.starts_with('\n') {
                at += 1;
            }
        }
        // Characters map one to one only when the source holds the string verbatim.
        let verbatim = text.get(at..at + s.len()) == Some(s);
        (verbatim && (literal || !s.contains('\\'))).then_some(at)
    }

    fn conv(text: &str, v: &Spanned<DeValue<'_>>) -> Node {
        let at = v.span().start;
        let mut text_at = None;
        let value = match v.get_ref() {
            DeValue::String(s) => {
                text_at = string_start(text, at, s);
                Value::Str(s.to_string())
            }
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Float(i.to_string()),
            },
            DeValue::Float(f) => Value::Float(f.as_str().to_string()),
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(d) => Value::Date(d.to_string()),
            DeValue::Array(a) => Value::Array(a.iter().map(|x| conv(text, x)).collect()),
            DeValue::Table(t) => table(text, t),
        };
        Node { value, at: Some(at), text_at }
    }

    fn table(text: &str, t: &DeTable<'_>) -> Value {
        Value::Table(t.iter().map(|(k, v)| (k.get_ref().to_string(), Some(k.span().start), conv(text, v))).collect())
    }

    match DeTable::parse(text) {
        Ok(doc) => Ok(Node { value: table(text, doc.get_ref()), at: Some(0), text_at: None }),
        Err(e) => {
            let li = LineIndex::new(text);
            let msg = e.message().trim().to_string();
            Err(rule_error(file, Some(&li), e.span().map(|s| s.start), "", format!("TOML syntax: {msg}")))
        }
    }
}

/// Reads a JSON value into a tree.
pub fn from_json(v: &serde_json::Value) -> Node {
    let value = match v {
        serde_json::Value::Null => Value::Table(Vec::new()),
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.to_string()),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => Value::Table(o.iter().map(|(k, v)| (k.clone(), None, from_json(v))).collect()),
    };
    Node { value, at: None, text_at: None }
}

/// Writes a tree as JSON (dates become `"YYYY-MM-DD"` strings).
pub fn to_json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.value {
        Value::Str(s) | Value::Date(s) => J::String(s.clone()),
        Value::Int(i) => J::Number((*i).into()),
        Value::Float(f) => J::String(f.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        Value::Table(t) => J::Object(t.iter().map(|(k, _, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// Parses JSON text straight into a tree (no serde_json in the wasm). Errors carry 1-based
/// line and column.
pub fn parse_json(text: &str) -> Result<Node, (u32, u32, &'static str)> {
    struct P<'a> {
        /// The text, and its bytes.
        t: &'a str,
        s: &'a [u8],
        i: usize,
        depth: u32,
    }
    type R<T> = Result<T, &'static str>;
    impl P<'_> {
        fn ws(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
                self.i += 1;
            }
        }
        fn eat(&mut self, lit: &str) -> R<()> {
            if self.s[self.i..].starts_with(lit.as_bytes()) {
                self.i += lit.len();
                Ok(())
            } else {
                Err("expected value")
            }
        }
        fn hex4(&mut self) -> R<u32> {
            let h = self.s.get(self.i..self.i + 4).ok_or("unexpected end of hex escape")?;
            let mut v = 0;
            for &c in h {
                v = v * 16 + (c as char).to_digit(16).ok_or("invalid escape")?;
            }
            self.i += 4;
            Ok(v)
        }
        fn string(&mut self) -> R<String> {
            self.i += 1;
            let mut out = String::new();
            // Runs of plain characters are copied from the text: they start and end next to
            // ASCII bytes, so they are whole characters (no UTF-8 check needed).
            let mut run = self.i;
            loop {
                let c = *self.s.get(self.i).ok_or("EOF while parsing a string")?;
                if !matches!(c, b'"' | b'\\' | 0..=0x1f) {
                    self.i += 1;
                    continue;
                }
                out.push_str(self.t.get(run..self.i).unwrap_or_default());
                self.i += 1;
                match c {
                    b'"' => return Ok(out),
                    b'\\' => {
                        let e = *self.s.get(self.i).ok_or("EOF while parsing a string")?;
                        self.i += 1;
                        let ch = match e {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            b'u' => {
                                let mut u = self.hex4()?;
                                if (0xD800..0xDC00).contains(&u) {
                                    self.eat("\\u").map_err(|_| "lone leading surrogate in hex escape")?;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..0xE000).contains(&lo) {
                                        return Err("invalid unicode code point");
                                    }
                                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                                }
                                char::from_u32(u).ok_or("invalid unicode code point")?
                            }
                            _ => return Err("invalid escape"),
                        };
                        out.push(ch);
                        run = self.i;
                    }
                    _ => return Err("control character found while parsing a string"),
                }
            }
        }
        fn value(&mut self) -> R<Value> {
            self.ws();
            let c = *self.s.get(self.i).ok_or("EOF while parsing a value")?;
            Ok(match c {
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > 128 {
                        return Err("recursion limit exceeded");
                    }
                    self.i += 1;
                    let close = if c == b'{' { b'}' } else { b']' };
                    let mut items = Vec::new();
                    let mut table = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&close) {
                        self.i += 1;
                    } else {
                        loop {
                            if c == b'{' {
                                self.ws();
                                if self.s.get(self.i) != Some(&b'"') {
                                    return Err("key must be a string");
                                }
                                let k = self.string()?;
                                self.ws();
                                self.eat(":").map_err(|_| "expected `:`")?;
                                let v = self.value()?;
                                table.retain(|(x, _, _): &(String, Option<usize>, Node)| *x != k);
                                table.push((k, None, Node { value: v, at: None, text_at: None }));
                            } else {
                                let v = self.value()?;
                                items.push(Node { value: v, at: None, text_at: None });
                            }
                            self.ws();
                            match self.s.get(self.i) {
                                Some(b',') => self.i += 1,
                                Some(x) if *x == close => {
                                    self.i += 1;
                                    break;
                                }
                                _ => return Err(if c == b'{' { "expected `,` or `}`" } else { "expected `,` or `]`" }),
                            }
                        }
                    }
                    self.depth -= 1;
                    if c == b'{' {
                        Value::Table(table)
                    } else {
                        Value::Array(items)
                    }
                }
                b'"' => Value::Str(self.string()?),
                b't' => self.eat("true").map(|_| Value::Bool(true))?,
                b'f' => self.eat("false").map(|_| Value::Bool(false))?,
                b'n' => self.eat("null").map(|_| Value::Table(Vec::new()))?,
                _ => {
                    let start = self.i;
                    let digits = |p: &mut Self| {
                        let st = p.i;
                        while p.s.get(p.i).is_some_and(u8::is_ascii_digit) {
                            p.i += 1;
                        }
                        p.i > st
                    };
                    if self.s.get(self.i) == Some(&b'-') {
                        self.i += 1;
                    }
                    let lead0 = self.s.get(self.i) == Some(&b'0');
                    if !digits(self) || (lead0 && self.i - start > 1 + usize::from(self.s[start] == b'-')) {
                        return Err("invalid number");
                    }
                    let mut int = true;
                    if self.s.get(self.i) == Some(&b'.') {
                        self.i += 1;
                        int = false;
                        if !digits(self) {
                            return Err("invalid number");
                        }
                    }
                    if let Some(b'e' | b'E') = self.s.get(self.i) {
                        self.i += 1;
                        int = false;
                        if let Some(b'+' | b'-') = self.s.get(self.i) {
                            self.i += 1;
                        }
                        if !digits(self) {
                            return Err("invalid number");
                        }
                    }
                    let t = self.t.get(start..self.i).ok_or("invalid number")?;
                    match parse_i64(t) {
                        Some(n) if int => Value::Int(n),
                        _ => Value::Float(t.to_string()),
                    }
                }
            })
        }
    }
    let mut p = P { t: text, s: text.as_bytes(), i: 0, depth: 0 };
    let r = p.value().and_then(|v| {
        p.ws();
        if p.i < p.s.len() {
            Err("trailing characters")
        } else {
            Ok(v)
        }
    });
    r.map(|value| Node { value, at: None, text_at: None }).map_err(|m| {
        let upto = &text.as_bytes()[..p.i.min(text.len())];
        let line = upto.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |x| x + 1)) as u32;
        (line, col.max(1), m)
    })
}

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests {
    use super::*;

    #[test]
    fn parse_i64_is_std_parse_for_optional_minus_and_digits() {
        let mut inputs: Vec<String> = ["", "-", "0", "-0", "007", "-007", "+1", "1-", "--1", " 1", "1a", "٣"].map(String::from).to_vec();
        for n in [0, 1, 9, 10, 99, 12345, i64::MAX / 10, i64::MAX - 1, i64::MAX, i64::MIN + 1, i64::MIN] {
            inputs.push(n.to_string());
            inputs.push(format!("{n}0"));
            inputs.push(format!("{n}9"));
        }
        inputs.extend(
            ["9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "99999999999999999999"]
                .map(String::from),
        );
        for s in &inputs {
            let std = s.parse::<i64>().ok().filter(|_| !s.starts_with('+'));
            assert_eq!(parse_i64(s), std, "{s:?}");
        }
    }

    #[test]
    fn toml_offsets_point_inside_strings() {
        let text = "a = 1\nexpr = \"x + y\"\nlit = '''\nq > 1'''\n";
        let n = from_toml("t.toml", text).unwrap();
        let Value::Table(t) = &n.value else { panic!() };
        let li = LineIndex::new(text);
        let e = &t[1].2;
        assert_eq!(li.locate(e.text_at.unwrap()), (2, 9));
        let l = &t[2].2;
        assert_eq!(li.locate(l.text_at.unwrap()), (4, 1));
        assert_eq!(li.locate(t[1].1.unwrap()), (2, 1));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = from_toml("bad.toml", "a = 1\nb = = 2\n").unwrap_err();
        assert_eq!(e.file, "bad.toml");
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("TOML syntax"), "{}", e.message);
    }

    #[test]
    fn json_strings_parse_as_serde_json_parses_them() {
        for text in [
            r#""""#,
            r#""plain""#,
            r#""名称 – ünïcödé 🎉""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u4e2d\ud83c\udf89 end""#,
            r#""mixed 名\n称\u0041""#,
            r#"{"k\u0000ey": ["x", "y\"", "中文"]}"#,
        ] {
            let want: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(to_json(&parse_json(text).unwrap()), want, "{text}");
        }
        for (text, message) in [
            ("\"abc", "EOF while parsing a string"),
            ("\"a\u{1}b\"", "control character found while parsing a string"),
            (r#""\x""#, "invalid escape"),
            (r#""\ud83c""#, "lone leading surrogate in hex escape"),
            (r#""\ud83c\u0041""#, "invalid unicode code point"),
            (r#""\u12""#, "unexpected end of hex escape"),
            (r#""\u12g4""#, "invalid escape"),
        ] {
            assert_eq!(parse_json(text).unwrap_err().2, message, "{text}");
        }
    }

    #[test]
    fn columns_count_characters() {
        let li = LineIndex::new("名 = 1\nx");
        assert_eq!(li.locate("名 = ".len()), (1, 5));
    }
}
