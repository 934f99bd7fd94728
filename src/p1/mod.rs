//! The `wasi_snapshot_preview1` face.
//!
//! Two layers (DESIGN.md §1):
//! - an engine-free ABI layer ([`calls`], on top of [`memory`], [`iovec`] and [`decode`]) that
//!   decodes raw wasm arguments from a plain `&mut [u8]` guest memory, calls
//!   [`System`](crate::system::System) and encodes the results back, so it can be unit-tested
//!   and fuzzed without wasmtime;
//! - with the `engine` feature, a wasmtime shell ([`add_to_linker`]) that registers the 46
//!   imports and hands the ABI layer the instance's exported memory, and registers the
//!   WasmEdge socket extension per module ([`add_sockets_to_linker`]).

pub mod calls;
pub mod decode;
pub mod dispatch;
pub mod iovec;
pub mod memory;

pub use calls::*;

#[cfg(feature = "engine")]
mod caller;
#[cfg(feature = "engine")]
mod linker;
#[cfg(feature = "engine")]
pub use linker::{
    ProcExit, add_sockets_to_linker, add_to_linker, add_to_linker_for_module,
    socket_extension_imports,
};

#[cfg(test)]
mod tests;
