//! Bundles: all versions of a rule set as one canonical JSON document. This is what the
//! widget loads (the wasm never links a TOML parser). A bundle is validated exactly like the
//! TOML files it came from.

use super::{load_version, RuleSet};
use crate::error::{RuleError, RuleErrors};
use crate::node::{from_json, to_json};

/// The `format` tag of bundles this engine reads and writes.
pub const BUNDLE_FORMAT: &str = "subsidy-calc-bundle/1";

/// Writes the canonical bundle: keys sorted, no insignificant whitespace, versions by date.
pub fn bundle_json(rs: &RuleSet) -> String {
    let versions: Vec<serde_json::Value> =
        rs.versions.iter().map(|v| serde_json::json!({ "file": v.file_name, "rules": to_json(&v.doc) })).collect();
    let doc = serde_json::json!({ "format": BUNDLE_FORMAT, "rule_set": rs.id, "versions": versions });
    let mut s = doc.to_string();
    s.push('\n');
    s
}

fn err(file: &str, line: Option<u32>, column: Option<u32>, field: &str, message: impl Into<String>) -> RuleErrors {
    RuleErrors(vec![RuleError { file: file.to_string(), line, column, field: field.to_string(), message: message.into() }])
}

/// Reads and validates a bundle. `name` names it in errors.
pub fn load_bundle(name: &str, text: &str) -> Result<RuleSet, RuleErrors> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let (l, c) = (u32::try_from(e.line()).ok(), u32::try_from(e.column()).ok());
        err(name, l.filter(|x| *x > 0), c.filter(|x| *x > 0), "", format!("not a valid JSON bundle: {e}"))
    })?;
    let Some(obj) = doc.as_object() else { return Err(err(name, None, None, "", "a bundle is a JSON object")) };
    match obj.get("format").and_then(|f| f.as_str()) {
        Some(BUNDLE_FORMAT) => {}
        other => {
            return Err(err(
                name,
                None,
                None,
                "format",
                format!("format is {other:?}; this engine reads {BUNDLE_FORMAT:?} (rebuild the bundle with `subsidy-calc compile`)"),
            ))
        }
    }
    for key in obj.keys() {
        if !["format", "rule_set", "versions"].contains(&key.as_str()) {
            return Err(err(name, None, None, key, format!("unknown key '{}' in the bundle", crate::date::truncate(key, 40))));
        }
    }
    let Some(versions) = obj.get("versions").and_then(|v| v.as_array()) else {
        return Err(err(name, None, None, "versions", "the bundle has no versions array"));
    };
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let file = v.get("file").and_then(|f| f.as_str()).unwrap_or("?");
        let Some(rules) = v.get("rules") else {
            errs.push(RuleError {
                file: name.into(),
                line: None,
                column: None,
                field: format!("versions[{i}].rules"),
                message: "missing".into(),
            });
            continue;
        };
        match load_version(&format!("{name}[{file}]"), None, from_json(rules)) {
            Ok(mut v) => {
                v.file_name = file.to_string();
                out.push(v)
            }
            Err(e) => errs.extend(e.0),
        }
    }
    if !errs.is_empty() {
        return Err(RuleErrors(errs));
    }
    let rs = RuleSet::new(out)?;
    if obj.get("rule_set").and_then(|r| r.as_str()) != Some(rs.id.as_str()) {
        return Err(err(name, None, None, "rule_set", format!("rule_set does not match the versions' rule_set {:?}", rs.id)));
    }
    Ok(rs)
}
