//! Bundles: all versions of a rule set as one JSON document, each version file as written
//! (the same [`VersionFile`] type as the TOML files). This is what the browser loads: it never
//! parses TOML. A bundle is checked exactly like the files it came from; its errors name the
//! field path.

use super::file::VersionFile;
use super::load::check_version;
use super::RuleSet;
use crate::error::{Problem, RuleError, RuleErrors};
use serde::{Deserialize, Serialize};

/// The `format` tag of bundles this engine reads and writes.
pub const BUNDLE_FORMAT: &str = "subsidy-calc-bundle/1";

/// A compiled rule set.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The rule set id.
    pub rule_set: String,
    /// Its versions, oldest first.
    pub versions: Vec<BundleVersion>,
}

/// One version of a bundle.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleVersion {
    /// The version file's name (`2024.toml`).
    pub file: String,
    /// The version file as written.
    pub rules: VersionFile,
}

/// Writes the bundle of a rule set's version files (as [`super::read_dir`] gives them).
pub fn bundle_json(rule_set: &str, files: &[(String, VersionFile)]) -> String {
    let bundle = Bundle {
        format: BUNDLE_FORMAT.to_string(),
        rule_set: rule_set.to_string(),
        versions: files.iter().map(|(file, rules)| BundleVersion { file: file.clone(), rules: rules.clone() }).collect(),
    };
    let mut s = serde_json::to_string(&bundle).unwrap_or_default();
    s.push('\n');
    s
}

/// An error unless `format` is [`BUNDLE_FORMAT`] (`shown`: the format as the message shows it).
pub fn check_format(name: &str, format: Option<&str>, shown: &str) -> Result<(), RuleErrors> {
    if format == Some(BUNDLE_FORMAT) {
        Ok(())
    } else {
        Err(format_error(name, shown))
    }
}

fn format_error(name: &str, found: &str) -> RuleErrors {
    RuleErrors(vec![RuleError {
        file: name.to_string(),
        line: None,
        column: None,
        field: "format".into(),
        problem: Problem::BundleFormat { found: found.to_string(), expected: BUNDLE_FORMAT.into() },
    }])
}

/// Reads and checks a bundle's JSON text (natively; the browser parses the text itself and
/// calls [`load_bundle_value`]). `name` names it in errors.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_bundle(name: &str, text: &str) -> Result<RuleSet, RuleErrors> {
    /// Only the format tag, read first: a bundle of another format is said to be one.
    #[derive(Deserialize)]
    struct Tag {
        format: Option<serde_json::Value>,
    }
    if let Ok(Tag { format }) = serde_json::from_str::<Tag>(text) {
        let shown = format.as_ref().map_or("missing".to_string(), |f| f.to_string());
        check_format(name, format.as_ref().and_then(|f| f.as_str()), &shown)?;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    match load_bundle_value(name, &mut de) {
        Err(mut e) => {
            // serde_json knows where: the line and column of a bad token, or of a bad value
            if let Err(inner) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                if inner.is_syntax() || inner.is_eof() {
                    return Err(json_syntax(name, text, &inner.to_string()));
                }
            }
            if let (Some(x), Err(inner)) = (e.0.first_mut(), serde_json::from_str::<Bundle>(text)) {
                if x.line.is_none() && x.file == name {
                    (x.line, x.column) = (u32::try_from(inner.line()).ok(), u32::try_from(inner.column()).ok());
                }
            }
            Err(e)
        }
        Ok(rs) => match de.end() {
            // one JSON value, nothing after it (as JSON.parse reads it in the browser)
            Ok(()) => Ok(rs),
            Err(inner) => Err(json_syntax(name, text, &inner.to_string())),
        },
    }
}

/// A bundle that is not JSON: where, as line and column when the parser's message says where
/// (`… at position 12` or `at line 1 column 13`), else at the end of the text.
pub fn json_syntax(name: &str, text: &str, message: &str) -> RuleErrors {
    let number_after = |key: &str| -> Option<usize> {
        let rest = &message[message.find(key)? + key.len()..];
        rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
    };
    let (line, column) = match (number_after("line"), number_after("column"), number_after("position")) {
        (Some(l), Some(c), _) => (l, c),
        (_, _, at) => {
            let at = at.unwrap_or(text.len()).min(text.len());
            let before = text.get(..at).unwrap_or(text);
            (before.matches('\n').count() + 1, before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1)
        }
    };
    RuleErrors(vec![RuleError {
        file: name.to_string(),
        line: u32::try_from(line).ok(),
        column: u32::try_from(column).ok(),
        field: String::new(),
        problem: Problem::JsonSyntax { detail: message.to_string() },
    }])
}

/// Reads and checks a bundle from any serde deserializer (JSON text natively, a parsed JS
/// object in the browser): a problem with its shape names the field path.
pub fn load_bundle_value<'de, D: serde::Deserializer<'de>>(name: &str, d: D) -> Result<RuleSet, RuleErrors> {
    let bundle: Bundle = match serde_path_to_error::deserialize(d) {
        Ok(b) => b,
        Err(e) => {
            let path = e.path().to_string();
            let message = e.inner().to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            let field = if path == "." { String::new() } else { path };
            if field == "format" || message.contains("`format`") {
                return Err(format_error(name, "missing or not a string"));
            }
            let (table, key) = field.rsplit_once('.').unwrap_or(("", field.as_str()));
            let problem = crate::rules::load::serde_problem(message, table, key);
            let field = match &problem {
                Problem::MissingKey { key, .. } if !field.is_empty() => format!("{field}.{key}"),
                Problem::MissingKey { key, .. } => key.clone(),
                _ => field,
            };
            return Err(RuleErrors(vec![RuleError { file: name.to_string(), line: None, column: None, field, problem }]));
        }
    };
    load(name, bundle)
}

/// Checks a bundle already read (from JSON text or from a JS object).
pub fn load(name: &str, bundle: Bundle) -> Result<RuleSet, RuleErrors> {
    if bundle.format != BUNDLE_FORMAT {
        return Err(format_error(name, &format!("{:?}", bundle.format)));
    }
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, v) in bundle.versions.iter().enumerate() {
        match check_version(&format!("{name}[{}]", v.file), &v.rules) {
            Ok(mut version) => {
                version.file_name = v.file.clone();
                out.push(version);
            }
            Err(found) => errs.extend(found.into_iter().map(|f| {
                let mut e = f.error;
                e.field = if e.field.is_empty() { format!("versions[{i}].rules") } else { format!("versions[{i}].rules.{}", e.field) };
                e
            })),
        }
    }
    if !errs.is_empty() {
        return Err(RuleErrors(errs));
    }
    let rs = RuleSet::new(out)?;
    if bundle.rule_set != rs.id {
        return Err(RuleErrors(vec![RuleError {
            file: name.to_string(),
            line: None,
            column: None,
            field: "rule_set".into(),
            problem: Problem::BundleRuleSet { expected: rs.id.clone() },
        }]));
    }
    Ok(rs)
}
