//! `wasi:io/streams`: input and output streams over fds of the system's table.
//!
//! Three kinds of stream exist. A *file* stream (made by `read-via-stream`/`write-via-stream`)
//! keeps its own offset and uses `fd_pread`/`fd_pwrite`, so it never moves or depends on an
//! offset shared with anything else; an *append* stream writes each buffer at the file's
//! current end; an *fd* stream (stdio, pipes, sockets) uses `fd_read`/`fd_write` and asks
//! `poll_oneoff` whether it would block.
//!
//! Writes complete before `write` returns (a regular file never blocks in the sense `poll`
//! means, and a pipe that `check-write` saw writable takes the budget granted), so `flush`
//! has nothing left to do but report the stream's state.

use std::io::{IoSlice, IoSliceMut};

use wasmtime::component::{Resource, ResourceTableError};

use crate::abi::{Errno, Fd};
use crate::p2::bindings::wasi::io::streams::{
    self as wit, Host, HostInputStream, HostOutputStream,
};
use crate::p2::ctx::WasiP2;
use crate::system::System;

use super::{IoError, Pollable, fd_ready};

/// Largest read a single `read`/`skip` call does: a guest may ask for up to 2^64 bytes, but
/// the host allocates at most this (a read may always return fewer bytes than asked).
pub(crate) const MAX_READ: usize = 1 << 16;

/// What `check-write` grants on a file or append stream: a write of this size completes
/// promptly.
const FILE_BUDGET: u64 = 1 << 20;

/// What `check-write` grants on an fd stream that `poll` says is writable: POSIX promises a
/// writable pipe takes `PIPE_BUF` (at least 512, 4096 on Linux) bytes without blocking.
const FD_BUDGET: u64 = 4096;

/// The most `blocking-write-and-flush`, `blocking-write-zeroes-and-flush` (the spec's
/// precondition) accept.
const BLOCKING_MAX: u64 = 4096;

/// Zero bytes for `write-zeroes`, written in chunks of this size so that no buffer is sized by
/// the guest's `len`.
static ZEROES: [u8; 4096] = [0; 4096];

/// Why a stream operation did not happen: the Rust side of `stream-error`, plus traps.
#[derive(Debug)]
pub enum StreamError {
    /// The stream is at its end or closed.
    Closed,
    /// The operation failed with this errno; the stream is closed from now on.
    LastOperationFailed(Errno),
    /// The guest broke a precondition (or a handle was not in the table): trap.
    Trap(wasmtime::Error),
}

impl StreamError {
    /// A trap with `msg`.
    pub fn trap(msg: &str) -> Self {
        StreamError::Trap(wasmtime::format_err!("{msg}"))
    }
}

impl From<ResourceTableError> for StreamError {
    fn from(e: ResourceTableError) -> Self {
        StreamError::Trap(e.into())
    }
}

impl From<wasmtime::Error> for StreamError {
    fn from(e: wasmtime::Error) -> Self {
        StreamError::Trap(e)
    }
}

/// Where an input stream reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Source {
    /// `fd_pread` from this offset.
    File(u64),
    /// `fd_read`.
    Fd,
}

/// The host side of an `input-stream`.
#[derive(Debug)]
pub struct InputStream {
    fd: Option<Fd>,
    source: Source,
    /// Set at the end of the data or after an error: every later read reports `closed`.
    closed: bool,
}

impl InputStream {
    /// Reads `fd` from `offset` with `fd_pread` (needs `FD_READ` and `FD_SEEK`).
    pub fn file(fd: Fd, offset: u64) -> Self {
        InputStream {
            fd: Some(fd),
            source: Source::File(offset),
            closed: false,
        }
    }

    /// Reads `fd` with `fd_read` (stdin, pipes, sockets; needs `FD_READ`).
    pub fn from_fd(fd: Fd) -> Self {
        InputStream {
            fd: Some(fd),
            source: Source::Fd,
            closed: false,
        }
    }

    /// A stream with nothing in it: every read reports `closed`.
    pub fn closed() -> Self {
        InputStream {
            fd: None,
            source: Source::Fd,
            closed: true,
        }
    }

    /// The fd the stream reads, if any.
    pub fn fd(&self) -> Option<Fd> {
        self.fd
    }

    /// What `subscribe` waits for.
    fn pollable(&self) -> Pollable {
        match (self.fd, self.source, self.closed) {
            (Some(fd), Source::Fd, false) => Pollable::FdReadable(fd),
            _ => Pollable::Ready,
        }
    }

    /// Reads up to `len` bytes into a new buffer; with `block`, first waits for data or the
    /// end. Returns `Ok` with an empty buffer when nothing is available yet.
    pub(crate) fn read<S: System>(
        &mut self,
        sys: &mut S,
        len: u64,
        block: bool,
    ) -> Result<Vec<u8>, StreamError> {
        let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX).min(MAX_READ)];
        let n = self.read_into(sys, &mut buf, block)?;
        buf.truncate(n);
        Ok(buf)
    }

    /// Reads into `buf`: the bytes read, 0 only when nothing is available yet (or `buf` is
    /// empty). The end of the data closes the stream and reports `closed`.
    pub(crate) fn read_into<S: System>(
        &mut self,
        sys: &mut S,
        buf: &mut [u8],
        block: bool,
    ) -> Result<usize, StreamError> {
        let fd = match (self.fd, self.closed) {
            (Some(fd), false) => fd,
            _ => return Err(StreamError::Closed),
        };
        if buf.is_empty() {
            return Ok(0);
        }
        let r = match self.source {
            Source::File(offset) => sys.fd_pread(fd, &mut [IoSliceMut::new(buf)], offset),
            Source::Fd => {
                if !fd_ready(sys, fd, true, block) {
                    return Ok(0);
                }
                sys.fd_read(fd, &mut [IoSliceMut::new(buf)])
            }
        };
        match r {
            Ok(0) => {
                self.closed = true;
                Err(StreamError::Closed)
            }
            Ok(n) => {
                // Clamped, so a system reporting more than `buf` held moves nothing past it.
                let n = n.min(buf.len());
                if let Source::File(offset) = &mut self.source {
                    *offset = offset.saturating_add(n as u64);
                }
                Ok(n)
            }
            // A non-blocking fd with nothing to read after all (another reader won the race).
            Err(Errno::Again) => Ok(0),
            Err(e) => {
                self.closed = true;
                Err(StreamError::LastOperationFailed(e))
            }
        }
    }
}

/// Where an output stream writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Sink {
    /// `fd_pwrite` at this offset.
    File(u64),
    /// `fd_pwrite` at the file's size, read before each write.
    Append,
    /// `fd_write`.
    Fd,
}

/// The host side of an `output-stream`.
#[derive(Debug)]
pub struct OutputStream {
    fd: Option<Fd>,
    sink: Sink,
    /// Set after an error (reported once, by the failing call): every later call reports
    /// `closed`.
    closed: bool,
    /// Bytes the last `check-write` allowed and `write` has not used yet.
    permitted: u64,
}

impl OutputStream {
    /// Writes `fd` from `offset` on with `fd_pwrite` (needs `FD_WRITE` and `FD_SEEK`).
    pub fn file(fd: Fd, offset: u64) -> Self {
        OutputStream::new(Some(fd), Sink::File(offset))
    }

    /// Writes each buffer at the end of the file `fd` (needs `FD_WRITE`, `FD_SEEK` and
    /// `FD_FILESTAT_GET`). The size is read before each write, so another writer appending
    /// at the same moment can interleave (the fd itself is not switched to `O_APPEND`,
    /// because that would make the descriptor's positioned `write` append too).
    pub fn append(fd: Fd) -> Self {
        OutputStream::new(Some(fd), Sink::Append)
    }

    /// Writes `fd` with `fd_write` (stdout, stderr, pipes, sockets; needs `FD_WRITE`).
    pub fn from_fd(fd: Fd) -> Self {
        OutputStream::new(Some(fd), Sink::Fd)
    }

    /// A stream that takes nothing: every call reports `closed`.
    pub fn closed() -> Self {
        OutputStream {
            closed: true,
            ..OutputStream::new(None, Sink::Fd)
        }
    }

    fn new(fd: Option<Fd>, sink: Sink) -> Self {
        OutputStream {
            fd,
            sink,
            closed: false,
            permitted: 0,
        }
    }

    /// The fd the stream writes, if any.
    pub fn fd(&self) -> Option<Fd> {
        self.fd
    }

    fn open_fd(&self) -> Result<Fd, StreamError> {
        match (self.fd, self.closed) {
            (Some(fd), false) => Ok(fd),
            _ => Err(StreamError::Closed),
        }
    }

    /// What `subscribe` waits for.
    fn pollable(&self) -> Pollable {
        match (self.fd, self.sink, self.closed) {
            (Some(fd), Sink::Fd, false) => Pollable::FdWritable(fd),
            _ => Pollable::Ready,
        }
    }

    /// `check-write`: the budget the next `write` may use; with `block`, waits until it is
    /// not zero.
    pub(crate) fn check_write<S: System>(
        &mut self,
        sys: &mut S,
        block: bool,
    ) -> Result<u64, StreamError> {
        let fd = self.open_fd()?;
        self.permitted = match self.sink {
            Sink::File(_) | Sink::Append => FILE_BUDGET,
            Sink::Fd if fd_ready(sys, fd, false, block) => FD_BUDGET,
            Sink::Fd => 0,
        };
        Ok(self.permitted)
    }

    /// `write`: spends `bytes.len()` of the budget (more traps, as the spec says) and writes
    /// everything.
    pub(crate) fn write_permitted<S: System>(
        &mut self,
        sys: &mut S,
        bytes: &[u8],
    ) -> Result<(), StreamError> {
        self.open_fd()?;
        let len = bytes.len() as u64;
        if len > self.permitted {
            return Err(StreamError::trap(
                "wasi:io/streams: write of more bytes than check-write permitted",
            ));
        }
        self.permitted -= len;
        self.write_all(sys, bytes)
    }

    /// Writes all of `bytes`, whatever the budget (the blocking calls and splice use this).
    pub(crate) fn write_all<S: System>(
        &mut self,
        sys: &mut S,
        mut bytes: &[u8],
    ) -> Result<(), StreamError> {
        let fd = self.open_fd()?;
        while !bytes.is_empty() {
            let r = match &mut self.sink {
                Sink::File(offset) => sys.fd_pwrite(fd, &[IoSlice::new(bytes)], *offset),
                Sink::Append => sys
                    .fd_filestat_get(fd)
                    .and_then(|st| sys.fd_pwrite(fd, &[IoSlice::new(bytes)], st.size)),
                Sink::Fd => sys.fd_write(fd, &[IoSlice::new(bytes)]),
            };
            match r {
                Ok(0) => {
                    // No progress and no error: the device takes nothing more.
                    self.closed = true;
                    return Err(StreamError::LastOperationFailed(Errno::Io));
                }
                Ok(n) => {
                    let n = n.min(bytes.len());
                    if let Sink::File(offset) = &mut self.sink {
                        *offset = offset.saturating_add(n as u64);
                    }
                    bytes = &bytes[n..];
                }
                // A non-blocking fd that filled up: wait until it drains. The guest asked for
                // the whole buffer to be written.
                Err(Errno::Again) => {
                    fd_ready(sys, fd, false, true);
                }
                Err(Errno::Intr) => {}
                Err(e) => {
                    self.closed = true;
                    return Err(StreamError::LastOperationFailed(e));
                }
            }
        }
        Ok(())
    }

    /// Writes `len` zero bytes from a static buffer.
    pub(crate) fn write_zeroes<S: System>(
        &mut self,
        sys: &mut S,
        mut len: u64,
    ) -> Result<(), StreamError> {
        while len > 0 {
            let n = len.min(ZEROES.len() as u64) as usize;
            self.write_all(sys, &ZEROES[..n])?;
            len -= n as u64;
        }
        Ok(())
    }

    /// `flush`: writes are complete when `write` returns, so only the state is reported.
    pub(crate) fn flush(&mut self) -> Result<(), StreamError> {
        self.open_fd().map(|_| ())
    }
}

impl<S: System> WasiP2<S> {
    /// Moves up to `len` bytes from `src` to `dst`: as much as `dst` takes now (or, with
    /// `block`, after waiting) and `src` has now (or after waiting).
    fn splice(
        &mut self,
        dst: &Resource<OutputStream>,
        src: &Resource<InputStream>,
        len: u64,
        block: bool,
    ) -> Result<u64, StreamError> {
        let budget = self.table.get_mut(dst)?.check_write(&mut self.sys, block)?;
        let want = len.min(budget).min(MAX_READ as u64);
        if want == 0 {
            return Ok(0);
        }
        let data = self.table.get_mut(src)?.read(&mut self.sys, want, block)?;
        self.table.get_mut(dst)?.write_all(&mut self.sys, &data)?;
        Ok(data.len() as u64)
    }
}

impl<S: System> Host for WasiP2<S> {
    fn convert_stream_error(&mut self, err: StreamError) -> wasmtime::Result<wit::StreamError> {
        match err {
            StreamError::Closed => Ok(wit::StreamError::Closed),
            StreamError::LastOperationFailed(e) => Ok(wit::StreamError::LastOperationFailed(
                self.table.push(IoError::new(e))?,
            )),
            StreamError::Trap(e) => Err(e),
        }
    }
}

impl<S: System> HostInputStream for WasiP2<S> {
    fn read(&mut self, s: Resource<InputStream>, len: u64) -> Result<Vec<u8>, StreamError> {
        self.table.get_mut(&s)?.read(&mut self.sys, len, false)
    }

    fn blocking_read(
        &mut self,
        s: Resource<InputStream>,
        len: u64,
    ) -> Result<Vec<u8>, StreamError> {
        self.table.get_mut(&s)?.read(&mut self.sys, len, true)
    }

    fn skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64, StreamError> {
        Ok(self
            .table
            .get_mut(&s)?
            .read(&mut self.sys, len, false)?
            .len() as u64)
    }

    fn blocking_skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64, StreamError> {
        Ok(self
            .table
            .get_mut(&s)?
            .read(&mut self.sys, len, true)?
            .len() as u64)
    }

    fn subscribe(&mut self, s: Resource<InputStream>) -> wasmtime::Result<Resource<Pollable>> {
        let p = self.table.get(&s)?.pollable();
        self.push_pollable(p)
    }

    fn drop(&mut self, s: Resource<InputStream>) -> wasmtime::Result<()> {
        let s = self.table.delete(s)?;
        if let Some(fd) = s.fd() {
            self.release(fd);
        }
        Ok(())
    }
}

impl<S: System> HostOutputStream for WasiP2<S> {
    fn check_write(&mut self, s: Resource<OutputStream>) -> Result<u64, StreamError> {
        self.table.get_mut(&s)?.check_write(&mut self.sys, false)
    }

    fn write(&mut self, s: Resource<OutputStream>, contents: Vec<u8>) -> Result<(), StreamError> {
        self.table
            .get_mut(&s)?
            .write_permitted(&mut self.sys, &contents)
    }

    fn blocking_write_and_flush(
        &mut self,
        s: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> Result<(), StreamError> {
        if contents.len() as u64 > BLOCKING_MAX {
            return Err(StreamError::trap(
                "wasi:io/streams: blocking-write-and-flush of more than 4096 bytes",
            ));
        }
        let stream = self.table.get_mut(&s)?;
        stream.write_all(&mut self.sys, &contents)?;
        stream.flush()
    }

    fn flush(&mut self, s: Resource<OutputStream>) -> Result<(), StreamError> {
        self.table.get_mut(&s)?.flush()
    }

    fn blocking_flush(&mut self, s: Resource<OutputStream>) -> Result<(), StreamError> {
        self.table.get_mut(&s)?.flush()
    }

    fn subscribe(&mut self, s: Resource<OutputStream>) -> wasmtime::Result<Resource<Pollable>> {
        let p = self.table.get(&s)?.pollable();
        self.push_pollable(p)
    }

    fn write_zeroes(&mut self, s: Resource<OutputStream>, len: u64) -> Result<(), StreamError> {
        let stream = self.table.get_mut(&s)?;
        stream.open_fd()?;
        if len > stream.permitted {
            return Err(StreamError::trap(
                "wasi:io/streams: write-zeroes of more bytes than check-write permitted",
            ));
        }
        stream.permitted -= len;
        stream.write_zeroes(&mut self.sys, len)
    }

    fn blocking_write_zeroes_and_flush(
        &mut self,
        s: Resource<OutputStream>,
        len: u64,
    ) -> Result<(), StreamError> {
        if len > BLOCKING_MAX {
            return Err(StreamError::trap(
                "wasi:io/streams: blocking-write-zeroes-and-flush of more than 4096 bytes",
            ));
        }
        let stream = self.table.get_mut(&s)?;
        stream.write_zeroes(&mut self.sys, len)?;
        stream.flush()
    }

    fn splice(
        &mut self,
        dst: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> Result<u64, StreamError> {
        WasiP2::splice(self, &dst, &src, len, false)
    }

    fn blocking_splice(
        &mut self,
        dst: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> Result<u64, StreamError> {
        WasiP2::splice(self, &dst, &src, len, true)
    }

    fn drop(&mut self, s: Resource<OutputStream>) -> wasmtime::Result<()> {
        let s = self.table.delete(s)?;
        if let Some(fd) = s.fd() {
            self.release(fd);
        }
        Ok(())
    }
}
