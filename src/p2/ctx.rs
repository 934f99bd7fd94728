//! The store-side state of the WASI 0.2 face: the [`System`] (the same fd table, rights and
//! path resolution as preview 1), the [`ResourceTable`] of streams, pollables and directory
//! streams, and the bookkeeping that keeps an fd open while any resource still refers to it.

use std::collections::HashMap;
use std::collections::hash_map::RandomState;

use wasmtime::component::{Resource, ResourceTable};

use crate::abi::Fd;
use crate::system::System;

use super::io::{InputStream, OutputStream, Pollable};

/// Most entries (streams, pollables, errors, directory streams, descriptors) a component may
/// hold at once. Each is a few dozen bytes; the bound keeps a guest that leaks handles in a
/// loop from growing the host heap without limit. Descriptors are further bounded by the fd
/// table's `max_open_files`.
pub const MAX_RESOURCES: usize = 1 << 16;

/// How many consecutive closed fds end the probe for stdio and preopens in [`WasiP2::new`].
pub const PROBE_GAP: Fd = 16;

/// Everything a component's WASI 0.2 imports act on, kept in the store's data.
///
/// Generic over the [`System`], so a component runs on the Unix host or on any decorator of
/// it (the tracer `Trace<S>` included) exactly as a preview 1 module does.
///
/// # Fds and resources
///
/// A `descriptor` resource is an fd of the system's table; so are the fds behind file and
/// stdio streams and fd pollables. Several resources can name one fd (a descriptor and the
/// streams made from it), so the fd is closed when the last of them is dropped — a stream
/// that outlives its descriptor keeps reading the file it was made from, never a later file
/// that reused the number. The fds that were open when the context was made (stdio and the
/// preopens) belong to the context and are never closed by a resource drop: `get-directories`
/// may hand the same preopen out any number of times.
pub struct WasiP2<S: System> {
    pub(crate) sys: S,
    pub(crate) table: ResourceTable,
    /// How many live resources refer to each fd.
    holders: HashMap<Fd, u32>,
    /// Fds the context itself owns (open at construction): never closed by a drop.
    pinned: Vec<Fd>,
    /// The preopened directories, in fd order, with their guest names.
    preopens: Vec<(Fd, String)>,
    /// Two independently keyed SipHash states for the 128-bit `metadata-hash`: keyed per
    /// context so a guest cannot compute file identities (inode numbers) back from a hash.
    pub(crate) hash_keys: [RandomState; 2],
}

impl<S: System> std::fmt::Debug for WasiP2<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiP2")
            .field("preopens", &self.preopens)
            .field("pinned", &self.pinned)
            .field("holders", &self.holders)
            .finish_non_exhaustive()
    }
}

impl<S: System> WasiP2<S> {
    /// Wraps `sys`, whose table must already hold the guest's stdio and preopens.
    ///
    /// The fds open now are found by probing upwards from 0 with `fd_fdstat_get` until
    /// [`PROBE_GAP`] consecutive numbers are closed (the tracer probes the same way): a host
    /// fills its table densely from 0, but an embedder may have closed one in between. Those
    /// with a `fd_prestat_get` answer are the preopens `get-directories` returns.
    pub fn new(mut sys: S) -> Self {
        let mut pinned = Vec::new();
        let mut preopens = Vec::new();
        let mut misses = 0;
        let mut fd: Fd = 0;
        while misses < PROBE_GAP {
            if sys.fd_fdstat_get(fd).is_ok() {
                misses = 0;
                pinned.push(fd);
                if sys.fd_prestat_get(fd).is_ok()
                    && let Ok(name) = sys.fd_prestat_dir_name(fd)
                {
                    preopens.push((fd, name.to_owned()));
                }
            } else {
                misses += 1;
            }
            match fd.checked_add(1) {
                Some(next) => fd = next,
                None => break,
            }
        }
        let mut table = ResourceTable::new();
        table.set_max_capacity(MAX_RESOURCES);
        WasiP2 {
            sys,
            table,
            holders: HashMap::new(),
            pinned,
            preopens,
            hash_keys: [RandomState::new(), RandomState::new()],
        }
    }

    /// The system underneath.
    pub fn system(&self) -> &S {
        &self.sys
    }

    /// The system underneath, for the interfaces that call it directly (`wasi:cli`,
    /// `wasi:clocks`, `wasi:random`) and for embedders.
    pub fn system_mut(&mut self) -> &mut S {
        &mut self.sys
    }

    /// The resource table (streams, pollables, descriptors, ...), for interfaces implemented
    /// outside this module that keep resources of their own.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }

    /// The preopened directories: fd and guest name, in fd order.
    pub fn preopens(&self) -> &[(Fd, String)] {
        &self.preopens
    }

    /// Gives the system back, first closing the fds that only resources of this context
    /// held open (descriptors and streams the guest had not dropped); stdio and the preopens
    /// stay open.
    pub fn into_system(mut self) -> S {
        let held: Vec<Fd> = self.holders.keys().copied().collect();
        for fd in held {
            if !self.pinned.contains(&fd) {
                // The resources referring to it go with the context; nothing can report a
                // failure to close.
                let _ = self.sys.fd_close(fd);
            }
        }
        self.sys
    }

    /// Records one more resource referring to `fd`.
    pub(crate) fn retain(&mut self, fd: Fd) {
        *self.holders.entry(fd).or_insert(0) += 1;
    }

    /// Records that a resource referring to `fd` is gone; closes the fd when it was the last
    /// and the context does not own it.
    pub(crate) fn release(&mut self, fd: Fd) {
        let Some(n) = self.holders.get_mut(&fd) else {
            return;
        };
        *n = n.saturating_sub(1);
        if *n == 0 {
            self.holders.remove(&fd);
            if !self.pinned.contains(&fd) {
                // Nothing refers to the fd any more, so a failure to close has no one to be
                // reported to.
                let _ = self.sys.fd_close(fd);
            }
        }
    }

    /// Puts `stream` in the table, keeping its fd (if any) open while it lives.
    pub fn push_input_stream(
        &mut self,
        stream: InputStream,
    ) -> wasmtime::Result<Resource<InputStream>> {
        let fd = stream.fd();
        let r = self.table.push(stream)?;
        if let Some(fd) = fd {
            self.retain(fd);
        }
        Ok(r)
    }

    /// Puts `stream` in the table, keeping its fd (if any) open while it lives.
    pub fn push_output_stream(
        &mut self,
        stream: OutputStream,
    ) -> wasmtime::Result<Resource<OutputStream>> {
        let fd = stream.fd();
        let r = self.table.push(stream)?;
        if let Some(fd) = fd {
            self.retain(fd);
        }
        Ok(r)
    }

    /// Puts `pollable` in the table, keeping its fd (if any) open while it lives. This is how
    /// other interfaces (the monotonic clock's `subscribe-*`) hand out pollables.
    pub fn push_pollable(&mut self, pollable: Pollable) -> wasmtime::Result<Resource<Pollable>> {
        let fd = pollable.fd();
        let r = self.table.push(pollable)?;
        if let Some(fd) = fd {
            self.retain(fd);
        }
        Ok(r)
    }

    /// An input stream reading `fd` with `fd_read` (stdin, a pipe, a socket). A closed `fd`
    /// gives a stream that reports `closed` at once.
    pub fn fd_input_stream(&mut self, fd: Fd) -> wasmtime::Result<Resource<InputStream>> {
        let stream = match self.sys.fd_fdstat_get(fd) {
            Ok(_) => InputStream::from_fd(fd),
            Err(_) => InputStream::closed(),
        };
        self.push_input_stream(stream)
    }

    /// An output stream writing `fd` with `fd_write` (stdout, stderr, a pipe). A closed `fd`
    /// gives a stream that reports `closed` at once.
    pub fn fd_output_stream(&mut self, fd: Fd) -> wasmtime::Result<Resource<OutputStream>> {
        let stream = match self.sys.fd_fdstat_get(fd) {
            Ok(_) => OutputStream::from_fd(fd),
            Err(_) => OutputStream::closed(),
        };
        self.push_output_stream(stream)
    }
}
