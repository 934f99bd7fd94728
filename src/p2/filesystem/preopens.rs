//! `wasi:filesystem/preopens`: the directories the host granted.

use wasmtime::component::Resource;

use crate::p2::bindings::wasi::filesystem::preopens::Host;
use crate::p2::ctx::WasiP2;
use crate::system::System;

use super::Descriptor;

impl<S: System> Host for WasiP2<S> {
    /// A new descriptor for each preopen, with its guest name. The context owns the preopen
    /// fds, so dropping these descriptors never closes them and the list can be asked for
    /// again (wasi-libc and the preview 1 adapter ask once; nothing forbids asking twice).
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let preopens = self.preopens().to_vec();
        let mut out = Vec::with_capacity(preopens.len());
        for (fd, name) in preopens {
            out.push((self.push_descriptor(fd)?, name));
        }
        Ok(out)
    }
}
