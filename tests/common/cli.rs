//! Running the `wasirun` binary from a test: a private compilation cache, no inherited
//! test-runner noise, and exit-status checks that show the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use tempfile::TempDir;

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A compilation cache shared by this test binary's runs, away from the user's.
pub fn cache_home() -> &'static Path {
    static CACHE: OnceLock<TempDir> = OnceLock::new();
    CACHE.get_or_init(|| TempDir::new().unwrap()).path()
}

/// `wasirun` with a private cache and no inherited test-runner noise in the environment.
pub fn wasirun() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasirun"));
    cmd.env("XDG_CACHE_HOME", cache_home())
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// Output bytes as text, invalid UTF-8 replaced.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts the exit status, showing the output when it differs.
#[track_caller]
pub fn assert_status(out: &Output, want: i32) {
    assert_eq!(
        out.status.code(),
        Some(want),
        "--- stdout\n{}\n--- stderr\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
