//! The host process's stdio, handed to the guest: borrowed rather than duplicated, and typed
//! on first use.
//!
//! A guest fd made by [`UnixSystem::push_host_stdio`] *is* the host's fd 0, 1 or 2. A `dup`
//! would share the same open file description anyway (so `O_APPEND`, the offset and
//! `O_NONBLOCK` behave as for a native child either way); borrowing saves the `fcntl` and the
//! `close` per stream and run. Closing or renumbering the guest fd only drops the table entry;
//! the host's fd stays open.
//!
//! An fd's type decides its rights (a tty has no `FD_SEEK`, which is how wasi-libc's `isatty()`
//! tells), and finding it costs an `fstat` plus, for a character device, an `ioctl(TCGETS)`.
//! Most guests never touch stdin and many never touch stderr, so the probe waits until a call
//! names the fd: [`UnixSystem::settle`], which every `System` method naming an fd calls first
//! (`sys.rs`). Until then the entry has type `UNKNOWN` and *no* rights, so a path that forgot to
//! settle fails closed (`ENOTCAPABLE`) rather than acting on a guessed type.
//!
//! Together these were most of capwasi's time-to-first-instruction over wasmtime-wasi's
//! (BENCHMARKS.md, instantiation).
//!
//! A borrowed fd is only as good as the host's: the host must keep its 0–2 open while guests
//! run (a process that closes its own stdout mid-run and opens something else in its place
//! would hand that to the guest). One that is already closed when the guest is made gets
//! `/dev/null` instead, owned by the guest, as a shell would give.

use std::os::fd::BorrowedFd;

use cap_std::fs::Dir;
use rustix::fs::{Mode, OFlags};

use super::{Handle, UnixSystem, io_err, stat, stdio_rights};
use crate::abi::{Fd, Filetype, Rights};
use crate::table::Entry;

/// One of the host process's standard streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostStream {
    /// fd 0.
    Stdin,
    /// fd 1.
    Stdout,
    /// fd 2.
    Stderr,
}

impl HostStream {
    /// All three, in fd order.
    pub const ALL: [HostStream; 3] = [HostStream::Stdin, HostStream::Stdout, HostStream::Stderr];

    fn borrow(self) -> BorrowedFd<'static> {
        match self {
            HostStream::Stdin => rustix::stdio::stdin(),
            HostStream::Stdout => rustix::stdio::stdout(),
            HostStream::Stderr => rustix::stdio::stderr(),
        }
    }
}

/// Type, base rights and inheriting rights of an fd handed to the guest, by its `fstat` type.
pub(super) fn kind_of(fd: BorrowedFd<'_>) -> crate::system::Result<(Filetype, Rights, Rights)> {
    let filetype = stat::filetype_of_fd(fd)?;
    let tty = filetype == Filetype::CharacterDevice && rustix::termios::isatty(fd);
    let inheriting = if filetype == Filetype::Directory {
        Rights::DIRECTORY | Rights::REGULAR_FILE
    } else {
        Rights::empty()
    };
    Ok((filetype, stdio_rights(filetype, tty), inheriting))
}

impl UnixSystem {
    /// Installs the host's `stream` as the next guest fd, borrowed and typed on first use (see
    /// the module docs). If the host's fd is closed, the guest gets `/dev/null` there instead
    /// (read-only for stdin, write-only otherwise): reads see EOF, writes vanish.
    pub fn push_host_stdio(&mut self, stream: HostStream) -> std::io::Result<Fd> {
        let host = stream.borrow();
        // F_GETFD is the cheapest "is it open" (no stat copied out).
        match rustix::io::fcntl_getfd(host) {
            Ok(_) => {}
            Err(rustix::io::Errno::BADF) => {
                let mode = if stream == HostStream::Stdin {
                    OFlags::RDONLY
                } else {
                    OFlags::WRONLY
                };
                let null = rustix::fs::open("/dev/null", mode | OFlags::CLOEXEC, Mode::empty())?;
                // Kept above 2: opened into the host's free stdio slot, it would be borrowed as
                // the host's stdin by the next system made, and closed under it with this one.
                let null = rustix::io::fcntl_dupfd_cloexec(&null, 3)?;
                return self.push_fd(null);
            }
            Err(e) => return Err(e.into()),
        }
        let fd = self
            .table
            .insert(Entry {
                handle: Handle::Unprobed(host),
                filetype: Filetype::Unknown,
                rights_base: Rights::empty(),
                rights_inheriting: Rights::empty(),
                preopen: None,
            })
            .map_err(io_err)?;
        match 1u64.checked_shl(fd) {
            Some(bit) => self.unprobed |= bit,
            // Beyond the mask (an embedder that pushed 64 fds first): type it now.
            None => self.probe_stdio(fd),
        }
        Ok(fd)
    }

    /// Types `fd` if it is a borrowed stdio fd not yet used; otherwise does nothing. Cheap: one
    /// shift and test unless the fd is such an fd.
    #[inline]
    pub(crate) fn settle(&mut self, fd: Fd) {
        if fd < 64 && self.unprobed & (1 << fd) != 0 {
            self.probe_stdio(fd);
        }
    }

    /// The slow half of [`UnixSystem::settle`]. The mask bit is only a hint: the entry at `fd`
    /// may since have been closed or replaced (close and renumber do not touch the mask), in
    /// which case there is nothing to probe and the bit is simply cleared.
    #[cold]
    fn probe_stdio(&mut self, fd: Fd) {
        if let Some(bit) = 1u64.checked_shl(fd) {
            self.unprobed &= !bit;
        }
        let Ok(e) = self.table.entry_mut(fd) else {
            return;
        };
        let Handle::Unprobed(host) = e.handle else {
            return;
        };
        // The host closed its fd since (its own doing): the entry keeps no rights, so every
        // call on it is ENOTCAPABLE.
        let Ok((filetype, base, inheriting)) = kind_of(host) else {
            e.handle = Handle::Borrowed(host);
            return;
        };
        e.handle = if filetype == Filetype::Directory {
            // A directory on stdin (`< dir`): path calls need a cap-std `Dir`, which owns its fd.
            match host.try_clone_to_owned() {
                Ok(owned) => Handle::Dir {
                    dir: Dir::from(owned),
                    stream: None,
                },
                Err(_) => {
                    e.handle = Handle::Borrowed(host);
                    return;
                }
            }
        } else {
            Handle::Borrowed(host)
        };
        e.filetype = filetype;
        e.rights_base = base;
        e.rights_inheriting = inheriting;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::system::System;
    use crate::table::Limits;

    #[test]
    fn stdio_is_untyped_until_used_and_typed_as_push_fd_types_it() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.inherit_stdio().unwrap();
        assert_eq!(sys.table.len(), 3);
        for fd in 0..3 {
            assert!(matches!(
                sys.table.entry(fd).unwrap().handle,
                Handle::Unprobed(_)
            ));
        }
        // What push_fd would have said of a duplicate of the same fd.
        let (want_type, want_base, _) = kind_of(rustix::stdio::stdout()).unwrap();
        let st = sys.fd_fdstat_get(1).unwrap();
        assert_eq!((st.filetype, st.rights_base), (want_type, want_base));
        assert!(matches!(
            sys.table.entry(1).unwrap().handle,
            Handle::Borrowed(_)
        ));
        // The others are still untouched.
        assert!(matches!(
            sys.table.entry(0).unwrap().handle,
            Handle::Unprobed(_)
        ));
        assert_eq!(sys.unprobed, 0b101);
    }

    #[test]
    fn an_unsettled_entry_fails_closed() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.inherit_stdio().unwrap();
        // Straight at the table, skipping settle: no rights at all.
        assert_eq!(
            sys.fd(2, Rights::FD_WRITE).err(),
            Some(crate::abi::Errno::Notcapable)
        );
    }

    #[test]
    fn closing_or_renumbering_the_guest_fd_leaves_the_host_fd_open() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.inherit_stdio().unwrap();
        sys.fd_close(0).unwrap();
        sys.fd_renumber(2, 1).unwrap();
        drop(sys);
        for host in HostStream::ALL {
            rustix::io::fcntl_getfd(host.borrow()).unwrap();
        }
    }

    #[test]
    fn a_renumbered_stdio_fd_is_typed_before_it_moves() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.inherit_stdio().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = sys.preopen_dir(dir.path(), "/", false).unwrap();
        sys.fd_renumber(1, d).unwrap();
        let (want_type, want_base, _) = kind_of(rustix::stdio::stdout()).unwrap();
        let st = sys.fd_fdstat_get(d).unwrap();
        assert_eq!((st.filetype, st.rights_base), (want_type, want_base));
        // Nothing is left at 1, and its stale mask bit does no harm.
        assert_eq!(sys.fd_fdstat_get(1).err(), Some(crate::abi::Errno::Badf));
    }

    #[test]
    fn a_new_fd_at_a_stale_stdio_number_is_left_alone() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.inherit_stdio().unwrap();
        sys.fd_close(0).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // The lowest free number: 0, whose mask bit is still set.
        assert_eq!(sys.preopen_dir(dir.path(), "/", true).unwrap(), 0);
        let st = sys.fd_fdstat_get(0).unwrap();
        assert_eq!(st.filetype, Filetype::Directory);
        assert_eq!(sys.fd_prestat_dir_name(0).unwrap(), "/");
        assert_eq!(sys.unprobed & 1, 0);
    }

    #[test]
    fn handles_as_fd_point_at_the_host_fd() {
        let mut sys = UnixSystem::new(Limits::default());
        sys.push_host_stdio(HostStream::Stderr).unwrap();
        use std::os::fd::AsRawFd;
        assert_eq!(sys.table.entry(0).unwrap().handle.as_fd().as_raw_fd(), 2);
        sys.settle(0);
        assert_eq!(sys.table.entry(0).unwrap().handle.as_fd().as_raw_fd(), 2);
    }
}
