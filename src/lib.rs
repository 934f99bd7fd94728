//! capwasi: a capability-sandboxed WASI host for wasmtime.
//!
//! See `DESIGN.md` in the shared notes for the architecture: [`abi`] (types and layouts),
//! [`system::System`] (the seam), [`table::FdTable`] (fds and rights), [`host`] (the Unix
//! implementation) and [`p1`] (the `wasi_snapshot_preview1` face for wasmtime).

#![warn(missing_docs)]

pub mod abi;
#[cfg(feature = "engine")]
pub mod embed;
pub mod fs_view;
pub mod host;
pub mod net;
pub mod p1;
#[cfg(feature = "engine")]
pub mod p2;
#[cfg(feature = "engine")]
pub mod run;
pub mod system;
pub mod table;
pub mod trace;
