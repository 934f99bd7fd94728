//! The seam: one method per WASI preview 1 call, in plain Rust types.
//!
//! Everything above this trait (the preview 1 ABI layer, the 0.2 component face, the read-only
//! view) speaks these types; everything below it (the Unix host) speaks the OS. A decorator such
//! as the tracer is just another `System`.
//!
//! Conventions:
//! - Paths are guest paths (`&str`, UTF-8 as the spec's `string` requires): relative to the
//!   directory fd they come with. Implementations refuse absolute paths and escapes.
//! - Buffers are plain slices; vectored calls take `IoSlice`/`IoSliceMut` so that a host can do
//!   one `readv`/`writev` straight into guest memory.
//! - Methods never panic on any input; failures are an [`Errno`].

use std::io::{IoSlice, IoSliceMut};

use crate::abi::{
    Advice, Clockid, Dircookie, Dirent, Errno, Event, Fd, Fdflags, Fdstat, Filestat, Fstflags,
    Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal, Subscription,
    Timestamp, Whence,
};

/// Result of every system call.
pub type Result<T> = std::result::Result<T, Errno>;

/// What a `fd_readdir` sink answers after each entry: keep going or stop (buffer full).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReaddirControl {
    Continue,
    Stop,
}

/// Receives directory entries from [`System::fd_readdir`]: the fixed header and the name bytes.
pub type ReaddirSink<'a> = dyn FnMut(&Dirent, &[u8]) -> ReaddirControl + 'a;

/// One method per `wasi_snapshot_preview1` function (plus socket calls).
///
/// `fd_prestat_dir_name` returns the name; the ABI layer copies what fits.
pub trait System {
    // --- args and environment -------------------------------------------------------------

    /// `args_sizes_get`: (argc, total bytes including each NUL).
    fn args_sizes_get(&mut self) -> Result<(u32, u32)>;
    /// `args_get`: the arguments, each without its NUL.
    fn args_get(&mut self) -> Result<&[Vec<u8>]>;
    /// `environ_sizes_get`: (count, total bytes of `NAME=VALUE\0` strings).
    fn environ_sizes_get(&mut self) -> Result<(u32, u32)>;
    /// `environ_get`: `NAME=VALUE` strings, each without its NUL.
    fn environ_get(&mut self) -> Result<&[Vec<u8>]>;

    // --- clocks, randomness, scheduling ---------------------------------------------------

    /// `clock_res_get`.
    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp>;
    /// `clock_time_get`.
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp>;
    /// `random_get`: fill `buf` with cryptographically secure random bytes.
    fn random_get(&mut self, buf: &mut [u8]) -> Result<()>;
    /// `sched_yield`.
    fn sched_yield(&mut self) -> Result<()>;
    /// `poll_oneoff`: wait for at least one subscription; write events for those that fired
    /// into `events` (which has room for one per subscription) and return how many.
    fn poll_oneoff(&mut self, subs: &[Subscription], events: &mut [Event]) -> Result<usize>;
    /// `proc_exit`: release host resources. The face then unwinds the guest with `code`.
    fn proc_exit(&mut self, code: u32);
    /// `proc_raise`.
    fn proc_raise(&mut self, signal: Signal) -> Result<()>;

    // --- file descriptors -----------------------------------------------------------------

    fn fd_advise(&mut self, fd: Fd, offset: u64, len: u64, advice: Advice) -> Result<()>;
    fn fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()>;
    fn fd_close(&mut self, fd: Fd) -> Result<()>;
    fn fd_datasync(&mut self, fd: Fd) -> Result<()>;
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat>;
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<()>;
    /// Rights may only shrink: asking for a right the fd lacks is `ENOTCAPABLE`.
    fn fd_fdstat_set_rights(&mut self, fd: Fd, base: Rights, inheriting: Rights) -> Result<()>;
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat>;
    fn fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()>;
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<()>;
    fn fd_pread(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize>;
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[IoSlice<'_>], offset: u64) -> Result<usize>;
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat>;
    /// The preopen's guest name (not the host path).
    fn fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str>;
    fn fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize>;
    /// `fd_readdir`: feed entries starting at `cookie` to `sink` until it says stop or the
    /// directory ends. Cookies are stable across calls; `.` and `..` are included.
    fn fd_readdir(&mut self, fd: Fd, cookie: Dircookie, sink: &mut ReaddirSink<'_>) -> Result<()>;
    /// `fd_renumber`: `to` must be open; `from == to` is a no-op.
    fn fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()>;
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64>;
    fn fd_sync(&mut self, fd: Fd) -> Result<()>;
    fn fd_tell(&mut self, fd: Fd) -> Result<u64>;
    fn fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize>;

    // --- paths ----------------------------------------------------------------------------

    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()>;
    fn path_filestat_get(&mut self, fd: Fd, flags: Lookupflags, path: &str) -> Result<Filestat>;
    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<()>;
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()>;
    #[allow(clippy::too_many_arguments)]
    fn path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd>;
    /// Copies the link's target into `buf` (truncated to fit) and returns the bytes written.
    fn path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize>;
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()>;
    fn path_rename(&mut self, fd: Fd, old_path: &str, new_fd: Fd, new_path: &str) -> Result<()>;
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()>;
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()>;

    // --- sockets (preview 1) --------------------------------------------------------------

    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd> {
        let _ = (fd, flags);
        Err(Errno::Nosys)
    }
    fn sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Roflags)> {
        let _ = (fd, iovs, flags);
        Err(Errno::Nosys)
    }
    fn sock_send(&mut self, fd: Fd, iovs: &[IoSlice<'_>], flags: Siflags) -> Result<usize> {
        let _ = (fd, iovs, flags);
        Err(Errno::Nosys)
    }
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        let _ = (fd, how);
        Err(Errno::Nosys)
    }
}
