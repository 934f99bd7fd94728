//! What both benches do with criterion's results: read back a function's median from the
//! `estimates.json` criterion wrote, and print it.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Criterion's output directory, found the way criterion finds it.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The median point estimate (ns) in a criterion `estimates.json`, without a JSON parser:
/// the first `point_estimate` after `"median"`.
/// Only estimates written since `since` count: rows filtered out of this run keep old files.
pub fn median_ns(group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(function)
        .join("new/estimates.json");
    if std::fs::metadata(&path).ok()?.modified().ok()? < since {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let after = &text[text.find("\"median\"")?..];
    let v = &after[after.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
    let end = v.find([',', '}'])?;
    v[..end].trim().parse().ok()
}

/// A duration in ns with the unit that keeps it readable.
pub fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}
