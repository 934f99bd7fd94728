//! Run a guest with the tracer writing to a file, then print the file.
//!
//! ```sh
//! cargo run --example trace [-- LOGFILE]
//! ```
//!
//! The bundled `ls` guest lists `examples/data` (as `/data`); its filesystem calls go to
//! LOGFILE (default: `capwasi-trace.log` in the temp directory).

use std::fs::File;
use std::path::{Path, PathBuf};

use capwasi::embed::{EngineOptions, Runner, Stdio, WasiBuilder};
use capwasi::trace::{Families, Trace, TraceOptions};

const GUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ls.wasm");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");

/// Runs `ls /data` with its filesystem calls traced into `log`; returns the exit status.
pub(crate) fn traced_run(log: &Path) -> wasmtime::Result<i32> {
    let runner = Runner::new(&EngineOptions::default())?;
    let module = runner.compile(Path::new(GUEST), &std::fs::read(GUEST)?)?;
    // The guest's stdout is captured (and dropped) so that only the trace is printed.
    let (sys, _captures) = WasiBuilder::new()
        .args(["ls", "/data"])
        .preopen_dir_ro(DATA, "/data")
        .stdout(Stdio::Capture)
        .build()?;
    let options = TraceOptions {
        families: Families::FS,
        ..TraceOptions::default()
    };
    let traced = Trace::new(sys, File::create(log)?, options);
    // `run` drops the tracer, and with it the log file, before returning.
    Ok(runner.run(&module, traced)?.exit_status())
}

fn main() -> wasmtime::Result<()> {
    let log = std::env::args_os().nth(1).map_or_else(
        || std::env::temp_dir().join("capwasi-trace.log"),
        PathBuf::from,
    );
    let status = traced_run(&log)?;
    println!(
        "ls exited with status {status}; its calls, from {}:",
        log.display()
    );
    print!("{}", std::fs::read_to_string(&log)?);
    Ok(())
}
