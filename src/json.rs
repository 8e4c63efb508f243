//! A small JSON writer for what crosses into the browser (the estimate's two parts, the
//! questions, errors). The browser's `JSON.parse` builds the objects. Written by hand rather
//! than with serde so that neither serde nor serde_json is linked into the wasm (about 5 KB
//! gzip, measured); the CLI keeps serde for its output. The compact/skeleton test checks this
//! writer against serde's output of the same estimates.

use crate::date::Date;
use rust_decimal::Decimal;
use std::fmt::Write;

/// A value that writes itself as JSON.
pub(crate) trait ToJson {
    /// Appends the JSON text of the value.
    fn json(&self, out: &mut String);
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it. Written as an index loop:
/// the size-optimised wasm does not inline iterator adapters.
pub(crate) fn string(out: &mut String, s: &str) {
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push('"');
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c < 0x20 || c == b'"' || c == b'\\' {
            out.push_str(s.get(start..i).unwrap_or(""));
            escape(out, c);
            start = i + 1;
        }
        i += 1;
    }
    out.push_str(s.get(start..).unwrap_or(""));
    out.push('"');
}

#[inline(never)]
fn escape(out: &mut String, c: u8) {
    let esc = match c {
        b'"' => "\\\"",
        b'\\' => "\\\\",
        b'\n' => "\\n",
        b'\r' => "\\r",
        b'\t' => "\\t",
        0x08 => "\\b",
        0x0c => "\\f",
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(HEX[usize::from(c >> 4)] as char);
            out.push(HEX[usize::from(c & 15)] as char);
            return;
        }
    };
    out.push_str(esc);
}

impl ToJson for str {
    fn json(&self, out: &mut String) {
        string(out, self);
    }
}

impl ToJson for String {
    fn json(&self, out: &mut String) {
        string(out, self);
    }
}

impl ToJson for bool {
    fn json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl ToJson for u32 {
    fn json(&self, out: &mut String) {
        crate::money::push_decimal(out, Decimal::from(*self));
    }
}

/// Money and other decimals cross as strings.
impl ToJson for Decimal {
    fn json(&self, out: &mut String) {
        out.push('"');
        crate::money::push_decimal(out, *self);
        out.push('"');
    }
}

impl ToJson for Date {
    fn json(&self, out: &mut String) {
        out.push('"');
        let _ = write!(out, "{self}");
        out.push('"');
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn json(&self, out: &mut String) {
        (**self).json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn json(&self, out: &mut String) {
        match self {
            Some(v) => v.json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn json(&self, out: &mut String) {
        array(out, self.iter());
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn json(&self, out: &mut String) {
        array(out, self.iter());
    }
}

/// Appends a JSON array of the items.
pub(crate) fn array<T: ToJson>(out: &mut String, items: impl Iterator<Item = T>) {
    out.push('[');
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        x.json(out);
    }
    out.push(']');
}

/// Writes a JSON object field by field.
pub(crate) struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    /// Opens an object.
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    /// A field.
    pub(crate) fn field(&mut self, key: &str, value: &(impl ToJson + ?Sized)) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(':');
        value.json(self.out);
        self
    }

    /// A field left out when it is `None`.
    pub(crate) fn some<T: ToJson>(&mut self, key: &str, value: &Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.field(key, v);
        }
        self
    }

    /// Closes the object.
    pub(crate) fn end(&mut self) {
        self.out.push('}');
    }
}

/// The JSON text of a value (used by the wasm boundary).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn to_string(v: &(impl ToJson + ?Sized)) -> String {
    let mut out = String::new();
    v.json(&mut out);
    out
}

// The crate's own types, as their serde derives write them.

impl ToJson for crate::rules::Text {
    fn json(&self, out: &mut String) {
        Obj::new(out).field("zh-CN", &self.zh).field("en", &self.en).end();
    }
}

impl ToJson for crate::estimate::Texts<'_> {
    fn json(&self, out: &mut String) {
        array(out, self.iter());
    }
}

impl ToJson for crate::rules::Source {
    fn json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("title", &self.title)
            .field("issuer", &self.issuer)
            .some("date", &self.date)
            .some("number", &self.number)
            .some("url", &self.url)
            .field("quote", &self.quote)
            .end();
    }
}

impl ToJson for crate::estimate::Status {
    fn json(&self, out: &mut String) {
        string(out, self.name());
    }
}

impl ToJson for crate::estimate::Met {
    fn json(&self, out: &mut String) {
        string(out, self.name());
    }
}

impl ToJson for crate::rules::ProgramKind {
    fn json(&self, out: &mut String) {
        string(out, self.name());
    }
}

impl ToJson for crate::rules::QType {
    fn json(&self, out: &mut String) {
        string(out, self.name());
    }
}

impl ToJson for crate::estimate::Reason<'_> {
    fn json(&self, out: &mut String) {
        Obj::new(out)
            .field("result", &self.result)
            .field("text", self.text.as_ref())
            .field("source", self.source)
            .field("condition", self.condition.as_ref())
            .some("assumption", &self.assumption)
            .end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in ["", "plain", "引号\"与\\反斜杠", "line\nbreak\r\ttab", "\u{0}\u{1f}\u{7f}\u{8}\u{c}", "</script>", "emoji 🎉"] {
            let mut out = String::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn objects_arrays_and_options() {
        let mut out = String::new();
        Obj::new(&mut out)
            .field("a", &1u32)
            .field("b", &vec!["x", "y"])
            .some("c", &None::<u32>)
            .some("d", &Some(true))
            .field("e", &None::<Decimal>)
            .field("f", &Decimal::new(30000000, 2))
            .end();
        assert_eq!(out, r#"{"a":1,"b":["x","y"],"d":true,"e":null,"f":"300000.00"}"#);
        for n in [0u32, 7, 10, 2024, u32::MAX] {
            assert_eq!(to_string(&n), n.to_string());
        }
    }

    #[test]
    fn dates_are_written_as_display_writes_them() {
        let mut d = Date::parse("1900-01-01").unwrap();
        for _ in 0..400 {
            assert_eq!(to_string(&d), format!("\"{d}\""));
            d = d.add_days(911).unwrap();
        }
        for s in ["2024-02-29", "1999-12-31", "2000-01-01", "2999-12-31"] {
            let d = Date::parse(s).unwrap();
            assert_eq!(to_string(&d), format!("\"{s}\""));
        }
    }
}
