//! `wasi:io/error`: the payload of `stream-error.last-operation-failed`.

use wasmtime::component::Resource;

use crate::abi::Errno;
use crate::p2::bindings::wasi::io::error::{Host, HostError};
use crate::p2::ctx::WasiP2;
use crate::system::System;

/// Why a stream operation failed: the errno the system answered. `wasi:filesystem`'s
/// `filesystem-error-code` turns it into an `error-code`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct IoError {
    errno: Errno,
}

impl IoError {
    /// An error carrying `errno`.
    pub fn new(errno: Errno) -> Self {
        IoError { errno }
    }

    /// The errno the failed operation got.
    pub fn errno(&self) -> Errno {
        self.errno
    }
}

impl<S: System> Host for WasiP2<S> {}

impl<S: System> HostError for WasiP2<S> {
    /// The errno's preview 1 name, which is stable but (as the interface says) not for
    /// programs to parse.
    fn to_debug_string(&mut self, err: Resource<IoError>) -> wasmtime::Result<String> {
        let e = self.table.get(&err)?;
        Ok(format!("errno {}", e.errno.name()))
    }

    fn drop(&mut self, err: Resource<IoError>) -> wasmtime::Result<()> {
        self.table.delete(err)?;
        Ok(())
    }
}
