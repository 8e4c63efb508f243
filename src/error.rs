//! Errors. Ineligible is an outcome, not an error: errors are for bad rule files and bad input.
//!
//! * [`RuleError`] — a rule file or bundle is wrong; names the file, line and column (TOML) or
//!   the field path (JSON bundles).
//! * [`AnswerError`] — one answer is wrong; names the question id (the field).
//! * [`EstimateError`] — why an estimate could not be made.

use serde::Serialize;
use std::fmt::{self, Write};

/// `text` in quotes, escaped as `{:?}` writes it for ASCII (quotes, `\\`, `\n`, `\0`,
/// `\u{1b}`, …), C1 controls and the characters that cannot be seen ([`INVISIBLE`]: spaces
/// other than U+0020, zero-width and bidi marks, variation selectors, tags). Other characters
/// `{:?}` escapes (combining marks, unassigned and private-use code points) are written as they
/// are: Rust's Unicode tables behind `{:?}` cost 2.5 KB gzip in the wasm. A test checks this
/// against `{:?}` for every char.
pub(crate) struct Quoted<'a>(&'a str, char);

/// Characters that show nothing, or only blank space, where they stand, as inclusive ranges:
/// a quoted value with one of these would look like another value. `{:?}` escapes them all.
const INVISIBLE: [(char, char); 16] = [
    ('\u{a0}', '\u{a0}'),       // no-break space
    ('\u{ad}', '\u{ad}'),       // soft hyphen
    ('\u{34f}', '\u{34f}'),     // combining grapheme joiner
    ('\u{61c}', '\u{61c}'),     // Arabic letter mark
    ('\u{1680}', '\u{1680}'),   // Ogham space mark
    ('\u{180b}', '\u{180f}'),   // Mongolian variation selectors and vowel separator
    ('\u{2000}', '\u{200f}'),   // spaces, zero-width space and joiners, LRM, RLM
    ('\u{2028}', '\u{202f}'),   // line and paragraph separators, bidi embeddings, narrow no-break space
    ('\u{205f}', '\u{206f}'),   // medium mathematical space, word joiner, invisible operators, bidi isolates
    ('\u{3000}', '\u{3000}'),   // ideographic space
    ('\u{fe00}', '\u{fe0f}'),   // variation selectors
    ('\u{feff}', '\u{feff}'),   // zero-width no-break space (BOM)
    ('\u{fff9}', '\u{fffb}'),   // interlinear annotation marks
    ('\u{1bca0}', '\u{1bca3}'), // shorthand format controls
    ('\u{e0000}', '\u{e007f}'), // tags
    ('\u{e0100}', '\u{e01ef}'), // variation selectors supplement
];

fn invisible(c: char) -> bool {
    let mut i = 0;
    while i < INVISIBLE.len() {
        let (lo, hi) = INVISIBLE[i];
        if lo <= c && c <= hi {
            return true;
        }
        i += 1;
    }
    false
}

/// `s` as `{:?}` writes a `str`: in double quotes.
pub(crate) fn quoted(s: &str) -> Quoted<'_> {
    Quoted(s, '"')
}

/// `c` as `{:?}` writes a `char`: in single quotes.
pub(crate) fn quoted_char(c: char) -> String {
    Quoted(c.encode_utf8(&mut [0; 4]), '\'').to_string()
}

/// `parts` joined by `sep`: what `[S]::join` gives, without its specialised copies in the wasm.
pub(crate) fn joined<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p.as_ref());
    }
    out
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char(self.1)?;
        for c in self.0.chars() {
            // `escape_debug` escapes both quotes; `{:?}` only the one it quotes with
            if (c == '"' || c == '\'') && c != self.1 {
                f.write_char(c)?;
            } else if c == '\0' {
                f.write_str("\\0")?;
            } else if c.is_ascii_control() || c == '"' || c == '\'' || c == '\\' || ('\u{80}'..='\u{9f}').contains(&c) || invisible(c) {
                escape(c, f)?;
            } else {
                f.write_char(c)?;
            }
        }
        f.write_char(self.1)
    }
}

/// `c` as `char::escape_default` writes it (`\t`, `\r`, `\n`, `\'`, `\"`, `\\`, otherwise
/// `\u{hex}`), for the characters [`Quoted`] escapes; written here because core's escape
/// iterators cost 300 B gzip in the wasm.
fn escape(c: char, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let short = match c {
        '\t' => 't',
        '\r' => 'r',
        '\n' => 'n',
        '\'' | '"' | '\\' => c,
        _ => {
            f.write_str("\\u{")?;
            let n = u32::from(c);
            let mut shift = 28;
            while shift > 0 && (n >> shift) == 0 {
                shift -= 4;
            }
            loop {
                f.write_char(char::from(b"0123456789abcdef"[((n >> shift) & 15) as usize]))?;
                if shift == 0 {
                    break;
                }
                shift -= 4;
            }
            return f.write_char('}');
        }
    };
    f.write_char('\\')?;
    f.write_char(short)
}

/// One problem in a rule file, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleError {
    /// The file (or bundle) the problem is in.
    pub file: String,
    /// 1-based line, when the source has lines (TOML files).
    pub line: Option<u32>,
    /// 1-based column in characters.
    pub column: Option<u32>,
    /// The field path, such as `programs[2].amount.formula`.
    pub field: String,
    /// A plain message.
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{}:{}: {}", self.file, l, c, self.message),
            _ if self.field.is_empty() => write!(f, "{}: {}", self.file, self.message),
            _ => write!(f, "{}: {}: {}", self.file, self.field, self.message),
        }
    }
}

/// All problems found in one load; a rule set with any of them is not loaded at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// One answer that does not fit its question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    /// The question id (or the unknown key) the problem is in.
    pub field: String,
    /// A plain message.
    pub message: String,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Why an estimate could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EstimateError {
    /// No version of the rule set is in force on the date.
    NoVersion {
        /// The date asked for.
        as_of: String,
        /// The periods the versions cover, as `FROM..TO` (TO exclusive, empty when open).
        covered: Vec<String>,
    },
    /// A version was pinned that the rule set does not have.
    UnknownVersion {
        /// The version asked for.
        version: String,
        /// The versions there are.
        known: Vec<String>,
    },
    /// Some answers do not fit their questions; every one is listed.
    Answers(Vec<AnswerError>),
    /// Arithmetic overflowed or divided by zero while evaluating a formula.
    Arithmetic {
        /// The program whose formula failed.
        program: String,
        /// What failed.
        message: String,
    },
    /// A program's schedule does not add up to its amount for these answers (a rule-file bug).
    ScheduleMismatch {
        /// The program.
        program: String,
        /// The amount.
        amount: String,
        /// The sum of the schedule rows.
        schedule_sum: String,
    },
}

impl EstimateError {
    /// A short machine-readable kind, used by the CLI and the JS boundary.
    pub fn kind(&self) -> &'static str {
        match self {
            EstimateError::NoVersion { .. } => "no_version",
            EstimateError::UnknownVersion { .. } => "unknown_version",
            EstimateError::Answers(_) => "answer",
            EstimateError::Arithmetic { .. } => "arithmetic",
            EstimateError::ScheduleMismatch { .. } => "schedule_mismatch",
        }
    }

    /// The first field at fault, when the error is about answers.
    pub fn field(&self) -> Option<&str> {
        match self {
            EstimateError::Answers(v) => v.first().map(|e| e.field.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for EstimateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EstimateError::NoVersion { as_of, covered } => write!(
                f,
                "no version is in force on {as_of}; the rule set covers {}",
                if covered.is_empty() { "no period".to_string() } else { joined(covered, ", ") }
            ),
            EstimateError::UnknownVersion { version, known } => {
                write!(f, "there is no version {}; the versions are {}", quoted(version), joined(known, ", "))
            }
            EstimateError::Answers(v) => {
                let parts: Vec<String> = v.iter().map(ToString::to_string).collect();
                write!(f, "{}", joined(&parts, "; "))
            }
            EstimateError::Arithmetic { program, message } => write!(f, "program {program}: {message}"),
            EstimateError::ScheduleMismatch { program, amount, schedule_sum } => {
                write!(f, "program {program}: the schedule adds up to {schedule_sum} but the amount is {amount} (rule file error)")
            }
        }
    }
}

impl std::error::Error for EstimateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_is_join() {
        for parts in [&[][..], &["a"], &["a", "", "b"], &["甲", "乙", "丙"]] {
            for sep in ["", ", ", "、"] {
                assert_eq!(joined(parts, sep), parts.join(sep));
            }
        }
    }

    #[test]
    fn quoted_writes_what_debug_writes() {
        let mut raw = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let (ours, debug) = (quoted_char(c), format!("{c:?}"));
            if ours != debug {
                // the one difference: a non-ASCII, visible char {:?} escapes is written as it is
                assert!(!c.is_ascii() && !('\u{80}'..='\u{9f}').contains(&c) && !invisible(c), "{debug}");
                assert!(debug.starts_with("'\\u{") && ours == format!("'{c}'"), "{debug}");
                raw += 1;
            }
            let s = format!("a{c}b");
            assert_eq!(ours != debug, quoted(&s).to_string() != format!("{s:?}"), "{debug}");
        }
        assert!(raw > 0);
        for s in [
            "",
            "plain",
            "it's \"quoted\"",
            "a\\b",
            "tab\there\r\n",
            "nul\0",
            "esc\u{1b}\u{7f}\u{85}",
            "中文",
            "id\u{200b}",
            "\u{3000}x\u{feff}",
        ] {
            assert_eq!(quoted(s).to_string(), format!("{s:?}"));
        }
    }
}
