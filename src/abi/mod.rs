//! WASI preview 1 types and their exact wasm32 layouts. Pure data: no I/O, no engine.
//!
//! Reference: `wasi_snapshot_preview1.witx` (WebAssembly/WASI, `legacy/preview1/witx`).

mod errno;
mod flags;
mod types;

pub use errno::Errno;
pub use flags::*;
pub use types::*;
