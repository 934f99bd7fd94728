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
use crate::net::{
    AddrInfo, AddrInfoHints, AddressFamily, SockOpt, SockOptValue, SocketAddr, SocketType,
};

/// Result of every system call.
pub type Result<T> = std::result::Result<T, Errno>;

/// What a `fd_readdir` sink answers after each entry: keep going or stop (buffer full).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReaddirControl {
    /// Deliver more entries.
    Continue,
    /// Stop: the buffer is full.
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

    /// `clock_res_get`: the resolution of clock `id`.
    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp>;
    /// `clock_time_get`: the current time of clock `id`, in nanoseconds; `precision` is the
    /// maximum lag the caller accepts.
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp>;
    /// `random_get`: fill `buf` with cryptographically secure random bytes.
    fn random_get(&mut self, buf: &mut [u8]) -> Result<()>;
    /// `sched_yield`: let other threads or processes run.
    fn sched_yield(&mut self) -> Result<()>;
    /// `poll_oneoff`: wait for at least one subscription; write events for those that fired
    /// into `events` (which has room for one per subscription) and return how many.
    fn poll_oneoff(&mut self, subs: &[Subscription], events: &mut [Event]) -> Result<usize>;
    /// `proc_exit`: release host resources. The face then unwinds the guest with `code`.
    fn proc_exit(&mut self, code: u32);
    /// `proc_raise`: send `signal` to the process.
    fn proc_raise(&mut self, signal: Signal) -> Result<()>;

    // --- file descriptors -----------------------------------------------------------------

    /// `fd_advise`: advise the host of the expected access pattern for a byte range of a file.
    /// Needs `FD_ADVISE`.
    fn fd_advise(&mut self, fd: Fd, offset: u64, len: u64, advice: Advice) -> Result<()>;
    /// `fd_allocate`: ensure storage is allocated for `len` bytes at `offset`, growing the file
    /// if needed. Needs `FD_ALLOCATE`.
    fn fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()>;
    /// `fd_close`: close `fd`, freeing its number.
    fn fd_close(&mut self, fd: Fd) -> Result<()>;
    /// `fd_datasync`: flush the file's data (not necessarily its metadata) to storage. Needs
    /// `FD_DATASYNC`.
    fn fd_datasync(&mut self, fd: Fd) -> Result<()>;
    /// `fd_fdstat_get`: the fd's file type, flags and rights. Needs no rights.
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat>;
    /// `fd_fdstat_set_flags`: replace the fd's flags (`APPEND`, `NONBLOCK`, ...). Needs
    /// `FD_FDSTAT_SET_FLAGS`.
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<()>;
    /// `fd_fdstat_set_rights`: drop rights from `fd`. Rights may only shrink: asking for a right
    /// the fd lacks is `ENOTCAPABLE`.
    fn fd_fdstat_set_rights(&mut self, fd: Fd, base: Rights, inheriting: Rights) -> Result<()>;
    /// `fd_filestat_get`: the attributes of the open file. Needs `FD_FILESTAT_GET`.
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat>;
    /// `fd_filestat_set_size`: truncate or extend the file to `size` bytes. Needs
    /// `FD_FILESTAT_SET_SIZE`.
    fn fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()>;
    /// `fd_filestat_set_times`: set the file's access and/or modification times as `flags`
    /// selects. Needs `FD_FILESTAT_SET_TIMES`.
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<()>;
    /// `fd_pread`: read into `iovs` at `offset` without moving the file offset; returns the
    /// bytes read. Needs `FD_READ` and `FD_SEEK`.
    fn fd_pread(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize>;
    /// `fd_pwrite`: write `iovs` at `offset` without moving the file offset; returns the bytes
    /// written. Needs `FD_WRITE` and `FD_SEEK`.
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[IoSlice<'_>], offset: u64) -> Result<usize>;
    /// `fd_prestat_get`: describe the preopen at `fd` (the length of its guest name); `EBADF` if
    /// `fd` is not a preopen.
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat>;
    /// `fd_prestat_dir_name`: the preopen's guest name (not the host path).
    fn fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str>;
    /// `fd_read`: read into `iovs` at the file offset; returns the bytes read (0 at end of
    /// file). Needs `FD_READ`.
    fn fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize>;
    /// `fd_readdir`: feed entries starting at `cookie` to `sink` until it says stop or the
    /// directory ends. Cookies are stable across calls; `.` and `..` are included.
    fn fd_readdir(&mut self, fd: Fd, cookie: Dircookie, sink: &mut ReaddirSink<'_>) -> Result<()>;
    /// `fd_renumber`: `to` must be open; `from == to` is a no-op.
    fn fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()>;
    /// `fd_seek`: move the file offset by `offset` from `whence`; returns the new offset. Needs
    /// `FD_SEEK` (or `FD_TELL` for a zero move from `Cur`).
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64>;
    /// `fd_sync`: flush the file's data and metadata to storage. Needs `FD_SYNC`.
    fn fd_sync(&mut self, fd: Fd) -> Result<()>;
    /// `fd_tell`: the current file offset. Needs `FD_TELL`.
    fn fd_tell(&mut self, fd: Fd) -> Result<u64>;
    /// `fd_write`: write `iovs` at the file offset (at the end with `APPEND`); returns the bytes
    /// written. Needs `FD_WRITE`.
    fn fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize>;

    // --- paths ----------------------------------------------------------------------------

    /// `path_create_directory`: create a directory at `path`. Needs `PATH_CREATE_DIRECTORY`.
    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()>;
    /// `path_filestat_get`: the attributes of the file at `path`, following a final symlink if
    /// `flags` says so. Needs `PATH_FILESTAT_GET`.
    fn path_filestat_get(&mut self, fd: Fd, flags: Lookupflags, path: &str) -> Result<Filestat>;
    /// `path_filestat_set_times`: set the access and/or modification times of the file at
    /// `path`, as `fst_flags` selects. Needs `PATH_FILESTAT_SET_TIMES`.
    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<()>;
    /// `path_link`: create a hard link at `new_path` (under `new_fd`) to `old_path` (under
    /// `old_fd`). Needs `PATH_LINK_SOURCE` on `old_fd` and `PATH_LINK_TARGET` on `new_fd`.
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()>;
    /// `path_open`: open the file or directory at `path` and return a new fd with the requested
    /// rights, trimmed to `fd`'s inheriting rights. Needs `PATH_OPEN`, plus `PATH_CREATE_FILE`
    /// for `CREAT` and `PATH_FILESTAT_SET_SIZE` for `TRUNC`.
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
    /// `path_readlink`: copies the target of the symlink at `path` into `buf` (truncated to fit)
    /// and returns the bytes written. Needs `PATH_READLINK`.
    fn path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize>;
    /// `path_remove_directory`: remove the empty directory at `path`. Needs
    /// `PATH_REMOVE_DIRECTORY`.
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()>;
    /// `path_rename`: rename `old_path` (under `fd`) to `new_path` (under `new_fd`). Needs
    /// `PATH_RENAME_SOURCE` on `fd` and `PATH_RENAME_TARGET` on `new_fd`.
    fn path_rename(&mut self, fd: Fd, old_path: &str, new_fd: Fd, new_path: &str) -> Result<()>;
    /// `path_symlink`: create a symbolic link at `new_path` (under `fd`) whose target is
    /// `old_path`. Needs `PATH_SYMLINK`.
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()>;
    /// `path_unlink_file`: remove the non-directory at `path`. Needs `PATH_UNLINK_FILE`.
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()>;

    // --- sockets (preview 1) --------------------------------------------------------------

    /// `sock_accept`: accept a connection on the listening socket `fd`; returns the new fd, with
    /// `flags` set. Needs `SOCK_ACCEPT`. Defaults to `ENOSYS`.
    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd> {
        let _ = (fd, flags);
        Err(Errno::Nosys)
    }
    /// `sock_recv`: receive into `iovs`; returns the bytes received and output flags. Needs
    /// `FD_READ`. Defaults to `ENOSYS`.
    fn sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Roflags)> {
        let _ = (fd, iovs, flags);
        Err(Errno::Nosys)
    }
    /// `sock_send`: send `iovs`; returns the bytes sent. Needs `FD_WRITE`. Defaults to `ENOSYS`.
    fn sock_send(&mut self, fd: Fd, iovs: &[IoSlice<'_>], flags: Siflags) -> Result<usize> {
        let _ = (fd, iovs, flags);
        Err(Errno::Nosys)
    }
    /// `sock_shutdown`: shut down the socket's receive and/or send side. Needs `SOCK_SHUTDOWN`.
    /// Defaults to `ENOSYS`.
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        let _ = (fd, how);
        Err(Errno::Nosys)
    }

    // --- sockets (the WasmEdge extension) -------------------------------------------------
    //
    // Every address-taking call asks the host's network policy first: a refusal is `EACCES`
    // before any syscall (see `crate::net::NetPolicy`). All default to `ENOSYS`, so a
    // `System` without sockets keeps compiling and answers "not implemented".

    /// `sock_open`: a new socket of `family` and `socktype`, blocking, with socket rights.
    /// Defaults to `ENOSYS`.
    fn sock_open(&mut self, family: AddressFamily, socktype: SocketType) -> Result<Fd> {
        let _ = (family, socktype);
        Err(Errno::Nosys)
    }
    /// `sock_bind`: bind `fd` to `addr`. Needs no fd right beyond being a socket; the policy's
    /// bind list decides. Defaults to `ENOSYS`.
    fn sock_bind(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        let _ = (fd, addr);
        Err(Errno::Nosys)
    }
    /// `sock_connect`: connect `fd` to `addr` (`EINPROGRESS` on a non-blocking socket; finish
    /// with `poll_oneoff` for writing and `SO_ERROR`). The policy's connect list decides.
    /// Defaults to `ENOSYS`.
    fn sock_connect(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        let _ = (fd, addr);
        Err(Errno::Nosys)
    }
    /// `sock_listen`: mark the bound stream socket `fd` as listening with `backlog`. Defaults
    /// to `ENOSYS`.
    fn sock_listen(&mut self, fd: Fd, backlog: u32) -> Result<()> {
        let _ = (fd, backlog);
        Err(Errno::Nosys)
    }
    /// `sock_recv_from`: receive one message into `iovs`; returns the bytes received, the
    /// sender (`None` when the OS names none, e.g. an unnamed unix socket) and output flags
    /// (`RECV_DATA_TRUNCATED` when a datagram did not fit). Needs `FD_READ`. Defaults to
    /// `ENOSYS`.
    fn sock_recv_from(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Option<SocketAddr>, Roflags)> {
        let _ = (fd, iovs, flags);
        Err(Errno::Nosys)
    }
    /// `sock_send_to`: send `iovs` to `addr`; returns the bytes sent. Needs `FD_WRITE`; the
    /// policy's connect list decides. Defaults to `ENOSYS`.
    fn sock_send_to(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        addr: &SocketAddr,
        flags: Siflags,
    ) -> Result<usize> {
        let _ = (fd, iovs, addr, flags);
        Err(Errno::Nosys)
    }
    /// `sock_getsockopt`: the value of `opt` on `fd` (`ENOTSUP` for options the host cannot
    /// read). Defaults to `ENOSYS`.
    fn sock_getsockopt(&mut self, fd: Fd, opt: SockOpt) -> Result<SockOptValue> {
        let _ = (fd, opt);
        Err(Errno::Nosys)
    }
    /// `sock_setsockopt`: set `opt` on `fd` (`EINVAL` if `value` has the wrong shape,
    /// `ENOTSUP` for options the host does not let guests set). Defaults to `ENOSYS`.
    fn sock_setsockopt(&mut self, fd: Fd, opt: SockOpt, value: SockOptValue) -> Result<()> {
        let _ = (fd, opt, value);
        Err(Errno::Nosys)
    }
    /// `sock_getlocaladdr`: the address `fd` is bound to. Defaults to `ENOSYS`.
    fn sock_getlocaladdr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let _ = fd;
        Err(Errno::Nosys)
    }
    /// `sock_getpeeraddr`: the address `fd` is connected to (`ENOTCONN` if none). Defaults to
    /// `ENOSYS`.
    fn sock_getpeeraddr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let _ = fd;
        Err(Errno::Nosys)
    }
    /// `sock_getaddrinfo`: resolve `node` and `service` (a port number, or empty) through the
    /// system resolver, filtered by `hints`; at most `max` results. The policy's DNS list
    /// decides whether `node` may be resolved. Defaults to `ENOSYS`.
    fn sock_getaddrinfo(
        &mut self,
        node: &str,
        service: &str,
        hints: &AddrInfoHints,
        max: usize,
    ) -> Result<Vec<AddrInfo>> {
        let _ = (node, service, hints, max);
        Err(Errno::Nosys)
    }
}
