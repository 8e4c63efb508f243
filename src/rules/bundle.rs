//! Bundles: all versions of a rule set as one canonical JSON document. This is what the
//! widget loads (the wasm never links a TOML parser). A bundle is validated exactly like the
//! TOML files it came from.

use super::{load_version, RuleSet};
use crate::error::{quoted, RuleError, RuleErrors};
use crate::node::to_json;

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
    use crate::node::{parse_json, Node, Value};
    let mut doc = parse_json(text)
        .map_err(|(l, c, m)| err(name, Some(l), Some(c), "", format!("not a valid JSON bundle: {m} at line {l} column {c}")))?;
    let Value::Table(obj) = &mut doc.value else { return Err(err(name, None, None, "", "a bundle is a JSON object")) };
    fn get<'a>(t: &'a [(String, Option<usize>, Node)], k: &str) -> Option<&'a Value> {
        t.iter().find(|(x, _, _)| x == k).map(|(_, _, v)| &v.value)
    }
    fn get_str(t: &[(String, Option<usize>, Node)], k: &str) -> Option<String> {
        match get(t, k) {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        }
    }
    match get_str(obj, "format").as_deref() {
        Some(BUNDLE_FORMAT) => {}
        other => {
            return Err(err(
                name,
                None,
                None,
                "format",
                format!(
                    "format is {}; this engine reads {} (rebuild the bundle with `subsidy-calc compile`)",
                    // as `{:?}` writes the Option
                    other.map_or("None".into(), |s| format!("Some({})", quoted(s))),
                    quoted(BUNDLE_FORMAT)
                ),
            ));
        }
    }
    for (key, _, _) in obj.iter() {
        if !["format", "rule_set", "versions"].contains(&key.as_str()) {
            return Err(err(name, None, None, key, format!("unknown key '{}' in the bundle", crate::date::truncate(key, 40))));
        }
    }
    let rule_set = get_str(obj, "rule_set");
    let Some(Value::Array(versions)) = obj.iter_mut().find(|(x, _, _)| x == "versions").map(|(_, _, v)| &mut v.value) else {
        return Err(err(name, None, None, "versions", "the bundle has no versions array"));
    };
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, v) in versions.iter_mut().enumerate() {
        let mut empty = Vec::new();
        let t = match &mut v.value {
            Value::Table(t) => t,
            _ => &mut empty,
        };
        let file = get_str(t, "file").unwrap_or_else(|| "?".into());
        // taken out of the tree (not copied): each version's tree moves into its loader
        let Some(rules) = t
            .iter_mut()
            .find(|(x, _, _)| x == "rules")
            .map(|(_, _, n)| std::mem::replace(n, Node { value: Value::Bool(false), at: None, text_at: None }))
        else {
            errs.push(RuleError {
                file: name.into(),
                line: None,
                column: None,
                field: format!("versions[{i}].rules"),
                message: "missing".into(),
            });
            continue;
        };
        match load_version(&format!("{name}[{file}]"), None, rules) {
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
    if rule_set.as_deref() != Some(rs.id.as_str()) {
        return Err(err(name, None, None, "rule_set", format!("rule_set does not match the versions' rule_set {}", quoted(&rs.id))));
    }
    Ok(rs)
}
