//! The WASI 0.2 face: components importing `wasi:io`, `wasi:filesystem`, `wasi:clocks`,
//! `wasi:random` and `wasi:cli` at 0.2.x, served by the same [`System`] as preview 1.
//!
//! - [`bindings`]: the `bindgen!` of `wit/` (the interfaces, at 0.2.12; wasmtime's linker
//!   matches a guest's 0.2.0 … 0.2.12 imports to them, as semver allows).
//! - [`WasiP2`]: the store-side state — the system (fd table, rights, cap-std resolution),
//!   the resource table, and which fds resources keep open.
//! - [`io`]: `wasi:io` — errors, pollables (`poll` is one `poll_oneoff`), streams.
//! - [`filesystem`]: `wasi:filesystem` — descriptors (fds of the table), directory streams,
//!   error codes, preopens.
//! - [`clocks`], [`random`], [`cli`]: the rest of a command's imports; [`run`]: running a
//!   `wasi:cli/command` component ([`Runner::run_component`](crate::run::Runner)).
//!
//! A component sees exactly what a preview 1 module given the same system sees: the same
//! files, the same refusals (an escape is `not-permitted`; a change through a read-only
//! preopen is `read-only`). `tests/component_direct.rs` checks this from a guest that calls
//! every `wasi:filesystem/types` function through the canonical ABI itself.
//!
//! # What a guest can make the host do
//!
//! - Paths and rights: exactly preview 1's (the same [`System`] calls). An escape (`..` past
//!   the descriptor, an absolute path, a symlink pointing out) is `not-permitted`; a change
//!   through a read-only preopen or anything opened from it is `read-only`; I/O a file was
//!   not opened for is `bad-descriptor`.
//! - Memory: no host buffer is sized by a guest number. Reads (`read`, stream `read`/`skip`/
//!   `splice`) allocate at most 64 KiB per call and may return fewer bytes, as the interfaces
//!   allow; `write-zeroes` writes from a static buffer; `poll` allocates per *distinct*
//!   pollable (bounded by the resource table) plus a `u32` per list element; lists the guest
//!   passes in were already lifted from its own memory by wasmtime.
//! - Handles: at most [`MAX_RESOURCES`] resources at once, descriptors further bounded by the
//!   fd table's `max_open_files` (`insufficient-memory` past it).
//! - Traps, never panics: a handle of the wrong type or not in the table, an empty `poll`
//!   list, writing more than `check-write` allowed, `blocking-write-and-flush` or
//!   `blocking-write-zeroes-and-flush` of more than 4096 bytes (the interfaces'
//!   preconditions). Everything else is an `error-code` or a `stream-error`.
//! - Not supported: FIFOs are reported as type `unknown` (preview 1 has no FIFO type);
//!   streams over them and devices read and write in order (offset 0 only).
//!
//! [`add_to_linker`] registers every interface; see its documentation.

pub mod bindings;
pub mod cli;
pub mod clocks;
mod ctx;
pub mod filesystem;
pub mod io;

pub mod random;
pub mod run;
#[cfg(test)]
mod tests;

pub use ctx::{MAX_RESOURCES, PROBE_GAP, WasiP2};

use wasmtime::component::{HasSelf, Linker};

use crate::system::System;

/// Registers capwasi's WASI 0.2 imports in `linker`; `get` finds the [`WasiP2`] in the
/// store's data.
///
/// Registered: `wasi:io/{error,poll,streams}`, `wasi:filesystem/{types,preopens}`,
/// `wasi:clocks/{wall-clock,monotonic-clock}`, `wasi:random/{random,insecure,insecure-seed}`
/// and `wasi:cli/{environment,exit,stdin,stdout,stderr,terminal-*}`: everything a
/// `wasi:cli/command` component imports, except sockets (not in capwasi's 0.2 world).
pub fn add_to_linker<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut WasiP2<S>,
) -> anyhow::Result<()> {
    use bindings::wasi::{filesystem as fs, io};
    io::error::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    io::poll::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    io::streams::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    fs::types::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    fs::preopens::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    use bindings::wasi::{cli, clocks, random};
    clocks::wall_clock::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    clocks::monotonic_clock::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    random::random::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    random::insecure::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    random::insecure_seed::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::environment::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::exit::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::stdin::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::stdout::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::stderr::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::terminal_input::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::terminal_output::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::terminal_stdin::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::terminal_stdout::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    cli::terminal_stderr::add_to_linker::<T, HasSelf<WasiP2<S>>>(linker, get)?;
    Ok(())
}
