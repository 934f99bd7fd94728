//! Run a guest from Rust and capture its stdout in memory: the bundled `ls` guest lists
//! `examples/data`, which it sees (read-only) as `/data`.
//!
//! ```sh
//! cargo run --example embed
//! ```

use std::io::Write;

use capwasi::embed::{self, RunResult, Stdio, WasiBuilder};

/// The bundled guest and the directory it lists, found from the crate root so the example
/// runs from any working directory.
const GUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ls.wasm");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");

/// Runs `ls /data` with stdout and stderr captured.
pub(crate) fn list_data() -> wasmtime::Result<RunResult> {
    let builder = WasiBuilder::new()
        .args(["ls", "/data"])
        .preopen_dir_ro(DATA, "/data")
        .stdout(Stdio::Capture)
        .stderr(Stdio::Capture);
    embed::run_file(GUEST, builder)
}

fn main() -> wasmtime::Result<()> {
    let result = list_data()?;
    println!(
        "ls exited with status {} and wrote {} bytes to stdout:",
        result.status(),
        result.stdout.len()
    );
    std::io::stdout().write_all(&result.stdout)?;
    if !result.stderr.is_empty() {
        println!("and to stderr:");
        std::io::stdout().write_all(&result.stderr)?;
    }
    Ok(())
}
