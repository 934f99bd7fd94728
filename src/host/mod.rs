//! The Unix host: cap-std for paths, rustix for everything else.
//!
//! [`UnixSystem`] implements [`System`](crate::system::System) over an [`FdTable`] of handles. Every path
//! operation goes through the cap-std `Dir` of the fd it names (DESIGN.md §2.1), so the kernel
//! never resolves a guest path against the host's root or follows a symlink out of a preopen.

mod clock;
mod fd;
mod path;
mod poll;
mod readdir;
mod socket;
mod stat;
mod stdio;
mod sys;

pub use stdio::HostStream;

#[cfg(test)]
mod tests;

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cap_std::fs::Dir;
use rustix::fs::OFlags;

use crate::abi::{Errno, Fd, Filetype, Rights};
use crate::net::{NetPolicy, SocketSpec, SpecTarget};
use crate::system::Result;
use crate::table::{Entry, FdTable, Limits, Preopen};

/// What the host keeps behind one guest fd.
pub(crate) enum Handle {
    /// A directory: the cap-std handle every path call resolves through, plus its listing
    /// state once the guest has called `fd_readdir` on it.
    Dir {
        dir: Dir,
        stream: Option<readdir::DirStream>,
    },
    /// Anything else (regular file, pipe, socket, tty, device): plain fd calls via rustix.
    Other(OwnedFd),
    /// The host's own stdio fd, borrowed, not yet typed: the entry has no rights until
    /// [`UnixSystem::settle`] probes it (stdio.rs).
    Unprobed(BorrowedFd<'static>),
    /// The host's own stdio fd, borrowed and typed; dropping it leaves the host's fd open.
    Borrowed(BorrowedFd<'static>),
}

impl Handle {
    pub(crate) fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Handle::Dir { dir, .. } => dir.as_fd(),
            Handle::Other(fd) => fd.as_fd(),
            Handle::Unprobed(fd) | Handle::Borrowed(fd) => *fd,
        }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handle::Dir { dir, stream } => f
                .debug_struct("Dir")
                .field("fd", &dir.as_fd())
                .field("listing", &stream.is_some())
                .finish(),
            Handle::Other(fd) => f.debug_tuple("Other").field(fd).finish(),
            Handle::Unprobed(fd) => f.debug_tuple("Unprobed").field(fd).finish(),
            Handle::Borrowed(fd) => f.debug_tuple("Borrowed").field(fd).finish(),
        }
    }
}

/// Counts directory streams alive; a stream holds one [`StreamSlot`] and gives it back when
/// dropped, however its fd goes away (close, renumber onto it, `close_all`, drop).
#[derive(Clone, Debug, Default)]
pub(crate) struct StreamCounter(Arc<AtomicUsize>);

/// One unit of [`StreamCounter`]; released on drop.
#[derive(Debug)]
pub(crate) struct StreamSlot(Arc<AtomicUsize>);

impl StreamCounter {
    /// Takes a slot unless `max` are taken (`ENFILE`).
    pub(crate) fn acquire(&self, max: usize) -> Result<StreamSlot> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map_err(|_| Errno::Nfile)?;
        Ok(StreamSlot(self.0.clone()))
    }

    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The Unix implementation of [`System`](crate::system::System).
#[derive(Debug)]
pub struct UnixSystem {
    pub(crate) table: FdTable<Handle>,
    pub(crate) streams: StreamCounter,
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    /// What the guest may do on the network; grants nothing until
    /// [`UnixSystem::set_net_policy`].
    pub(crate) net_policy: NetPolicy,
    /// The guest path each unix socket was bound to, by fd, with the socket's inode so that a
    /// reused fd number is never given another socket's name. At most one entry per fd
    /// number, so bounded by the fd table.
    pub(crate) unix_names: std::collections::HashMap<Fd, (u64, String)>,
    /// Bit `n` set: guest fd `n` may be a borrowed stdio fd not yet typed (stdio.rs).
    unprobed: u64,
}

fn check_no_nul(items: &[Vec<u8>]) -> Result<()> {
    if items.iter().any(|a| a.contains(&0)) {
        Err(Errno::Inval)
    } else {
        Ok(())
    }
}

/// Sum of `len + 1` (for the NUL) over `items`, as the `*_sizes_get` calls report it.
/// `EOVERFLOW` if it does not fit the guest's `u32`.
fn sizes(items: &[Vec<u8>]) -> Result<(u32, u32)> {
    let count = u32::try_from(items.len()).map_err(|_| Errno::Overflow)?;
    let bytes = items
        .iter()
        .try_fold(0u32, |acc, a| {
            u32::try_from(a.len())
                .ok()
                .and_then(|l| acc.checked_add(l)?.checked_add(1))
        })
        .ok_or(Errno::Overflow)?;
    Ok((count, bytes))
}

impl UnixSystem {
    /// A host with an empty fd table enforcing `limits`, no arguments and no environment.
    pub fn new(limits: Limits) -> UnixSystem {
        UnixSystem {
            table: FdTable::new(limits),
            streams: StreamCounter::default(),
            args: Vec::new(),
            env: Vec::new(),
            net_policy: NetPolicy::none(),
            unix_names: std::collections::HashMap::new(),
            unprobed: 0,
        }
    }

    /// argv; each must not contain NUL (`Err(Errno::Inval)` otherwise).
    pub fn set_args(&mut self, args: Vec<Vec<u8>>) -> Result<()> {
        check_no_nul(&args)?;
        self.args = args;
        Ok(())
    }

    /// "NAME=VALUE" strings; no NUL.
    pub fn set_env(&mut self, env: Vec<Vec<u8>>) -> Result<()> {
        check_no_nul(&env)?;
        self.env = env;
        Ok(())
    }

    /// Installs a host fd as the next guest fd. The type comes from `fstat`, the rights from
    /// the type: a tty is a character device *without* `FD_SEEK`/`FD_TELL` (wasi-libc's
    /// `isatty()` tests exactly that), other character devices keep them.
    pub fn push_fd(&mut self, fd: OwnedFd) -> std::io::Result<Fd> {
        let (filetype, rights_base, rights_inheriting) =
            stdio::kind_of(fd.as_fd()).map_err(io_err)?;
        let handle = if filetype == Filetype::Directory {
            Handle::Dir {
                dir: Dir::from(fd),
                stream: None,
            }
        } else {
            Handle::Other(fd)
        };
        self.table
            .insert(Entry {
                handle,
                filetype,
                rights_base,
                rights_inheriting,
                preopen: None,
            })
            .map_err(io_err)
    }

    /// Hands the host's 0, 1, 2 to the guest as the next three guest fds (0, 1, 2 on a fresh
    /// system): borrowed, not duplicated, each typed when the guest first uses it; a closed
    /// one becomes `/dev/null`. See [`UnixSystem::push_host_stdio`].
    pub fn inherit_stdio(&mut self) -> std::io::Result<()> {
        for stream in HostStream::ALL {
            self.push_host_stdio(stream)?;
        }
        Ok(())
    }

    /// Opens `host_path` as a directory and installs it as the next fd, preopened under
    /// `guest_name`. `read_only` strips every mutating right from base and inheriting rights.
    pub fn preopen_dir(
        &mut self,
        host_path: &std::path::Path,
        guest_name: &str,
        read_only: bool,
    ) -> std::io::Result<Fd> {
        let named = |e: std::io::Error| {
            std::io::Error::new(e.kind(), format!("preopen {}: {e}", host_path.display()))
        };
        // O_RDONLY, not `Dir::open_ambient_dir`, which gives an O_PATH fd on Linux: that could
        // not be listed (getdents), synced or have its times set. O_DIRECTORY makes the open
        // itself refuse anything else (ENOTDIR, `ErrorKind::NotADirectory`) — one syscall
        // fewer than an fstat afterwards, and a FIFO cannot block it.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::DIRECTORY.bits() as i32)
            .open(host_path)
            .map_err(named)?;
        let dir = Dir::from_std_file(file);
        let mut base = Rights::DIRECTORY;
        let mut inheriting = Rights::DIRECTORY | Rights::REGULAR_FILE;
        if read_only {
            base = base.read_only();
            inheriting = inheriting.read_only();
        }
        self.table
            .insert(Entry {
                handle: Handle::Dir { dir, stream: None },
                filetype: Filetype::Directory,
                rights_base: base,
                rights_inheriting: inheriting,
                preopen: Some(Preopen {
                    guest_name: guest_name.to_owned(),
                    read_only,
                }),
            })
            .map_err(io_err)
    }

    /// Replaces the network policy. Plain host names in its grants are resolved now (see
    /// [`NetPolicy::resolve_names`]), so this may consult the system resolver.
    pub fn set_net_policy(&mut self, mut policy: NetPolicy) {
        policy.resolve_names();
        self.net_policy = policy;
    }

    /// The network policy in force (including the addresses its names learned).
    pub fn net_policy(&self) -> &NetPolicy {
        &self.net_policy
    }

    /// Opens a listening stream socket as `spec` says (TCP: `SO_REUSEADDR` if asked, the
    /// first resolved address that binds; unix: a host path) and installs it as the next fd,
    /// with socket rights. Call it after the directory preopens: it is not a preopen for
    /// `fd_prestat_get` (`EBADF`), and wasi-libc's start-up scan stops at the first `EBADF`.
    /// The network policy does not apply: the user granted this socket by naming it.
    pub fn preopen_listener(&mut self, spec: &SocketSpec) -> std::io::Result<Fd> {
        use rustix::net::{AddressFamily as Af, SocketFlags, SocketType as St};
        let backlog = spec.backlog;
        let sock = match &spec.target {
            SpecTarget::Unix(path) => {
                let s = rustix::net::socket_with(Af::UNIX, St::STREAM, SocketFlags::CLOEXEC, None)?;
                rustix::net::bind(&s, &rustix::net::SocketAddrUnix::new(path.as_path())?)?;
                rustix::net::listen(&s, backlog)?;
                s
            }
            SpecTarget::Tcp { .. } => {
                let mut last = None;
                let mut bound = None;
                for a in spec.resolve()? {
                    let fam = if a.is_ipv4() { Af::INET } else { Af::INET6 };
                    let attempt = (|| -> std::io::Result<OwnedFd> {
                        let s =
                            rustix::net::socket_with(fam, St::STREAM, SocketFlags::CLOEXEC, None)?;
                        rustix::net::sockopt::set_socket_reuseaddr(&s, spec.reuseaddr)?;
                        rustix::net::bind(&s, &a)?;
                        rustix::net::listen(&s, backlog)?;
                        Ok(s)
                    })();
                    match attempt {
                        Ok(s) => {
                            bound = Some(s);
                            break;
                        }
                        Err(e) => last = Some(e),
                    }
                }
                match (bound, last) {
                    (Some(s), _) => s,
                    (None, Some(e)) => return Err(e),
                    (None, None) => return Err(std::io::ErrorKind::NotFound.into()),
                }
            }
        };
        self.push_socket(sock, Rights::SOCKET)
    }

    /// Connects a stream socket to `spec` (TCP: the first resolved address that answers;
    /// unix: a host path) and installs it as the next fd, with the rights of a connection
    /// (no `SOCK_ACCEPT`). Same placement rule and policy exemption as
    /// [`UnixSystem::preopen_listener`].
    pub fn preopen_dialed(&mut self, spec: &SocketSpec) -> std::io::Result<Fd> {
        let sock: OwnedFd = match &spec.target {
            SpecTarget::Unix(path) => std::os::unix::net::UnixStream::connect(path)?.into(),
            SpecTarget::Tcp { .. } => {
                std::net::TcpStream::connect(spec.resolve()?.as_slice())?.into()
            }
        };
        self.push_socket(sock, Rights::SOCKET - Rights::SOCK_ACCEPT)
    }

    fn push_socket(&mut self, sock: OwnedFd, rights: Rights) -> std::io::Result<Fd> {
        let filetype = stat::filetype_of_fd(sock.as_fd()).map_err(io_err)?;
        self.table
            .insert(Entry {
                handle: Handle::Other(sock),
                filetype,
                rights_base: rights,
                rights_inheriting: Rights::empty(),
                preopen: None,
            })
            .map_err(io_err)
    }

    /// Closes every fd.
    pub fn close_all(&mut self) {
        self.table.clear();
    }

    /// The fd's entry if it holds `required`, as a plain fd for rustix calls.
    pub(crate) fn fd(&self, fd: Fd, required: Rights) -> Result<BorrowedFd<'_>> {
        Ok(self.table.get(fd, required)?.handle.as_fd())
    }

    /// The directory behind `fd` for a path call: `EBADF` if not open, `ENOTDIR` if open but
    /// not a directory, then `ENOTCAPABLE` without `required`.
    pub(crate) fn dir(&self, fd: Fd, required: Rights) -> Result<&Entry<Handle>> {
        let e = self.table.entry(fd)?;
        if !matches!(e.handle, Handle::Dir { .. }) {
            return Err(Errno::Notdir);
        }
        e.check(required)?;
        Ok(e)
    }
}

/// Rights of an fd handed in by the embedder, by type.
fn stdio_rights(filetype: Filetype, tty: bool) -> Rights {
    match filetype {
        Filetype::Directory => Rights::DIRECTORY,
        Filetype::RegularFile => Rights::REGULAR_FILE,
        Filetype::SocketStream | Filetype::SocketDgram => Rights::SOCKET,
        Filetype::CharacterDevice if tty => Rights::STREAM,
        // Pipes have no offset: without FD_SEEK/FD_TELL the guest sees ESPIPE semantics up
        // front. Other character devices (/dev/null) keep them so isatty() stays false.
        Filetype::CharacterDevice | Filetype::BlockDevice => {
            Rights::STREAM | Rights::FD_SEEK | Rights::FD_TELL
        }
        _ => Rights::STREAM,
    }
}

fn io_err(e: impl Into<IoErrSource>) -> std::io::Error {
    match e.into() {
        IoErrSource::Wasi(e) => std::io::Error::other(e),
        IoErrSource::Host(e) => std::io::Error::from_raw_os_error(e.raw_os_error()),
    }
}

enum IoErrSource {
    Wasi(Errno),
    Host(rustix::io::Errno),
}

impl From<Errno> for IoErrSource {
    fn from(e: Errno) -> Self {
        IoErrSource::Wasi(e)
    }
}

impl From<rustix::io::Errno> for IoErrSource {
    fn from(e: rustix::io::Errno) -> Self {
        IoErrSource::Host(e)
    }
}

impl Drop for UnixSystem {
    fn drop(&mut self) {
        self.close_all();
    }
}
