//! `wasi:filesystem`: descriptors over the fd table, directory entry streams, error codes and
//! the preopens.
//!
//! A `descriptor` is an fd of the [`System`](crate::system::System)'s table, so every call is
//! the preview 1 call underneath it: paths are resolved by the host beneath the descriptor's
//! directory (absolute paths, escaping `..` and symlinks pointing out are `not-permitted`),
//! and the fd's rights decide what the descriptor may do. The descriptor flags are a view of
//! those rights (see `convert::open_rights`): `read` is `FD_READ`/`FD_READDIR`, `write` is
//! `FD_WRITE` and friends, `mutate-directory` is the rights that change a directory's
//! entries. A read-only preopen has none of the mutating rights, so it and everything opened
//! from it answer every change with `read-only`.

mod convert;
mod dirs;
mod error;
mod preopens;
#[cfg(test)]
mod props;
mod types;

#[cfg(test)]
mod tests;

pub use dirs::DirectoryEntryStream;
pub use error::{FsError, error_code};

use crate::abi::Fd;

/// The host side of a `descriptor`: an fd of the system's table.
///
/// The fd stays open while this descriptor or any stream or directory stream made from it
/// lives (see [`WasiP2`](crate::p2::WasiP2)); it is never renumbered.
#[derive(Debug)]
pub struct Descriptor {
    fd: Fd,
}

impl Descriptor {
    /// The fd behind the descriptor.
    pub fn fd(&self) -> Fd {
        self.fd
    }
}
