//! Where things are in a TOML file (native builds only: the browser reads JSON bundles, whose
//! errors name the field path). A problem found after parsing names a field path such as
//! `programs[2].conditions[0].when`; this finds its line and column, and inside an expression
//! string the column of the offending token.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Maps byte offsets of a text to 1-based line and column (columns count characters).
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
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

/// A parsed TOML document with spans, for locating fields.
pub struct Doc<'a> {
    text: &'a str,
    root: Option<Spanned<DeTable<'a>>>,
}

enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some((n, r)) = rest.split_once(']') {
            if let Ok(i) = n.parse() {
                out.push(Step::Index(i));
            }
            rest = r.strip_prefix('[').unwrap_or(r);
        }
    }
    out
}

/// The byte offset of the first character inside a string's quotes, when the characters map
/// one to one onto the source (no escapes), so a column inside an expression can be given.
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
    let verbatim = text.get(at..at + s.len()) == Some(s);
    (verbatim && (literal || !s.contains('\\'))).then_some(at)
}

impl<'a> Doc<'a> {
    /// Parses `text` (a document that does not parse locates nothing).
    pub fn new(text: &'a str) -> Self {
        Doc { text, root: DeTable::parse(text).ok() }
    }

    /// The byte offset of the field at `path`: a value's start, or a table's header when the
    /// path ends at a table. With `inner`, an offset inside a string value (an expression's
    /// token), when the string is written verbatim. A path that is not in the file gives the
    /// deepest part of it that is.
    pub fn offset(&self, path: &str, inner: Option<usize>) -> Option<usize> {
        let root = self.root.as_ref()?;
        let mut at = root.span().start;
        let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
        let mut value: Option<&Spanned<DeValue<'_>>> = None;
        for step in steps(path) {
            let next = match (step, table, value.map(Spanned::get_ref)) {
                (Step::Key(k), Some(t), _) => t.get(k),
                (Step::Index(i), _, Some(DeValue::Array(a))) => a.get(i),
                _ => None,
            };
            let Some(v) = next else { break };
            at = v.span().start;
            value = Some(v);
            table = match v.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        match (inner, value.map(|v| (v.span().start, v.get_ref()))) {
            (Some(i), Some((start, DeValue::String(s)))) => Some(string_start(self.text, start, s).map_or(start, |s0| s0 + i)),
            _ => Some(at),
        }
    }

    /// The path of the table that holds byte offset `at`: the table whose key or value is
    /// there, or the table whose header is there (for messages of the parser, which know
    /// where, not in which table).
    pub fn table_at(&self, at: usize) -> String {
        fn inside(span: std::ops::Range<usize>, at: usize) -> bool {
            span.start <= at && at < span.end.max(span.start + 1)
        }
        fn join(path: &str, k: &str) -> String {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        }
        fn walk(t: &DeTable<'_>, path: &str, at: usize) -> Option<String> {
            for (k, v) in t.iter() {
                let here = join(path, k.get_ref());
                match v.get_ref() {
                    DeValue::Table(inner) => {
                        if let Some(p) = walk(inner, &here, at) {
                            return Some(p);
                        }
                        if inside(v.span(), at) {
                            return Some(here);
                        }
                    }
                    DeValue::Array(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let el = format!("{here}[{i}]");
                            if let DeValue::Table(inner) = item.get_ref() {
                                if let Some(p) = walk(inner, &el, at) {
                                    return Some(p);
                                }
                                if inside(item.span(), at) {
                                    return Some(el);
                                }
                            }
                        }
                        if inside(k.span(), at) || inside(v.span(), at) {
                            return Some(path.to_string());
                        }
                    }
                    _ if inside(k.span(), at) || inside(v.span(), at) => return Some(path.to_string()),
                    _ => {}
                }
            }
            None
        }
        self.root.as_ref().and_then(|r| walk(r.get_ref(), "", at)).unwrap_or_default()
    }
}

impl Doc<'_> {
    /// The byte offset of the key at the end of `path` (the line a key is written on).
    pub fn key_offset(&self, path: &str) -> Option<usize> {
        let root = self.root.as_ref()?;
        let mut table: &DeTable<'_> = root.get_ref();
        let mut value: Option<&Spanned<DeValue<'_>>> = None;
        let mut key_at = None;
        for step in steps(path) {
            let next = match (step, value.map(Spanned::get_ref)) {
                (Step::Key(k), _) => {
                    let (key, v) = table.get_key_value(k)?;
                    key_at = Some(key.span().start);
                    Some(v)
                }
                (Step::Index(i), Some(DeValue::Array(a))) => a.get(i),
                _ => None,
            };
            let v = next?;
            value = Some(v);
            if let DeValue::Table(t) = v.get_ref() {
                table = t;
            }
        }
        key_at
    }

    /// The key whose key or scalar value is at byte offset `at`.
    pub fn key_at(&self, at: usize) -> Option<String> {
        fn inside(span: std::ops::Range<usize>, at: usize) -> bool {
            span.start <= at && at < span.end.max(span.start + 1)
        }
        fn walk(t: &DeTable<'_>, at: usize) -> Option<String> {
            for (k, v) in t.iter() {
                match v.get_ref() {
                    DeValue::Table(inner) => {
                        if let Some(x) = walk(inner, at) {
                            return Some(x);
                        }
                    }
                    DeValue::Array(items) => {
                        for item in items.iter() {
                            if let DeValue::Table(inner) = item.get_ref() {
                                if let Some(x) = walk(inner, at) {
                                    return Some(x);
                                }
                            }
                        }
                    }
                    _ => {}
                }
                if inside(k.span(), at) || (!matches!(v.get_ref(), DeValue::Table(_)) && inside(v.span(), at)) {
                    return Some(k.get_ref().to_string());
                }
            }
            None
        }
        self.root.as_ref().and_then(|r| walk(r.get_ref(), at))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TEXT: &str =
        "a = 1\n[[programs]]\nid = \"p\"\n[[programs.conditions]]\nwhen = \"x >= 1\"\n[[programs]]\nid = \"q\"\nwhen = 'y\\n'\n";

    #[test]
    fn paths_point_at_values_and_inside_strings() {
        let doc = Doc::new(TEXT);
        let lines = Lines::new(TEXT);
        let at = |p: &str, i| lines.locate(doc.offset(p, i).unwrap());
        assert_eq!(at("a", None), (1, 5));
        assert_eq!(at("programs[0].id", None), (3, 6));
        assert_eq!(at("programs[0].conditions[0].when", None), (5, 8));
        assert_eq!(at("programs[0].conditions[0].when", Some(2)), (5, 11));
        assert_eq!(at("programs[1].when", Some(1)), (8, 10), "a literal string maps one to one");
        assert_eq!(at("programs[1].missing", None), at("programs[1]", None));
        assert_eq!(at("programs[1]", None).0, 6);
        assert_eq!(doc.table_at(TEXT.find("x >=").unwrap()), "programs[0].conditions[0]");
        assert_eq!(doc.table_at(TEXT.find("id = \"q\"").unwrap()), "programs[1]");
    }

    #[test]
    fn columns_count_characters() {
        let l = Lines::new("名 = 1\nb");
        assert_eq!(l.locate(4), (1, 3));
        assert_eq!(l.locate(8), (2, 1));
    }
}
