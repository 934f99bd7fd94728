//! The `wasi_snapshot_preview1` face for wasmtime.
