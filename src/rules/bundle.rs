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

/// Only the format tag, to say so when a bundle of another format does not read.
#[derive(Deserialize)]
struct FormatOnly {
    format: Option<serde_json::Value>,
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

/// Reads and checks a bundle's JSON text. `name` names it in errors.
pub fn load_bundle(name: &str, text: &str) -> Result<RuleSet, RuleErrors> {
    let mut de = serde_json::Deserializer::from_str(text);
    let bundle: Bundle = match serde_path_to_error::deserialize(&mut de) {
        Ok(b) => b,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = (u32::try_from(inner.line()).ok(), u32::try_from(inner.column()).ok());
            if inner.is_syntax() || inner.is_eof() {
                return Err(RuleErrors(vec![RuleError {
                    file: name.to_string(),
                    line,
                    column,
                    field: String::new(),
                    problem: Problem::JsonSyntax { detail: inner.to_string() },
                }]));
            }
            if let Ok(FormatOnly { format }) = serde_json::from_str::<FormatOnly>(text) {
                if format.as_ref().and_then(|f| f.as_str()) != Some(BUNDLE_FORMAT) {
                    return Err(format_error(name, &format.map_or("missing".to_string(), |f| f.to_string())));
                }
            }
            let message = inner.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            let field = if path == "." { String::new() } else { path };
            let (table, key) = field.rsplit_once('.').unwrap_or(("", field.as_str()));
            let problem = crate::rules::load::serde_problem(message, table, key);
            let field = match &problem {
                Problem::MissingKey { key, .. } if !field.is_empty() => format!("{field}.{key}"),
                Problem::MissingKey { key, .. } => key.clone(),
                _ => field,
            };
            return Err(RuleErrors(vec![RuleError { file: name.to_string(), line, column, field, problem }]));
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
