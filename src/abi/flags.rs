//! Bit sets of preview 1: `rights`, `fdflags`, `oflags`, `lookupflags`, `fstflags`,
//! `riflags`, `roflags`, `siflags`, `sdflags`, `subclockflags`, `eventrwflags`.
//!
//! Decoding from the wire is strict: [`bitflags`]'s `from_bits` returns `None` for unknown bits,
//! which the ABI layer answers with `EINVAL`. (Rights are the exception: wasi-libc passes
//! all-ones masks, so unknown rights bits are ignored with `from_bits_truncate`, as wasmtime does.)

use bitflags::bitflags;

bitflags! {
    /// `rights`: what an fd may be used for (witx `$rights`, a `u64`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Rights: u64 {
        /// The right to invoke `fd_datasync`. With `PATH_OPEN`, also `path_open` with
        /// `Fdflags::DSYNC`.
        const FD_DATASYNC = 1 << 0;
        /// The right to invoke `fd_read` and `sock_recv`. With `FD_SEEK`, also `fd_pread`.
        const FD_READ = 1 << 1;
        /// The right to invoke `fd_seek`. Implies `FD_TELL`.
        const FD_SEEK = 1 << 2;
        /// The right to invoke `fd_fdstat_set_flags`.
        const FD_FDSTAT_SET_FLAGS = 1 << 3;
        /// The right to invoke `fd_sync`. With `PATH_OPEN`, also `path_open` with `Fdflags::RSYNC`
        /// and `Fdflags::DSYNC`.
        const FD_SYNC = 1 << 4;
        /// The right to invoke `fd_tell`, or `fd_seek` in a way that leaves the offset unchanged
        /// (`Whence::Cur`, offset 0).
        const FD_TELL = 1 << 5;
        /// The right to invoke `fd_write` and `sock_send`. With `FD_SEEK`, also `fd_pwrite`.
        const FD_WRITE = 1 << 6;
        /// The right to invoke `fd_advise`.
        const FD_ADVISE = 1 << 7;
        /// The right to invoke `fd_allocate`.
        const FD_ALLOCATE = 1 << 8;
        /// The right to invoke `path_create_directory`.
        const PATH_CREATE_DIRECTORY = 1 << 9;
        /// With `PATH_OPEN`, the right to invoke `path_open` with `Oflags::CREAT`.
        const PATH_CREATE_FILE = 1 << 10;
        /// The right to invoke `path_link` with the fd as the source directory.
        const PATH_LINK_SOURCE = 1 << 11;
        /// The right to invoke `path_link` with the fd as the target directory.
        const PATH_LINK_TARGET = 1 << 12;
        /// The right to invoke `path_open`.
        const PATH_OPEN = 1 << 13;
        /// The right to invoke `fd_readdir`.
        const FD_READDIR = 1 << 14;
        /// The right to invoke `path_readlink`.
        const PATH_READLINK = 1 << 15;
        /// The right to invoke `path_rename` with the fd as the source directory.
        const PATH_RENAME_SOURCE = 1 << 16;
        /// The right to invoke `path_rename` with the fd as the target directory.
        const PATH_RENAME_TARGET = 1 << 17;
        /// The right to invoke `path_filestat_get`.
        const PATH_FILESTAT_GET = 1 << 18;
        /// The right to change a file's size: with `PATH_OPEN`, `path_open` with `Oflags::TRUNC`.
        const PATH_FILESTAT_SET_SIZE = 1 << 19;
        /// The right to invoke `path_filestat_set_times`.
        const PATH_FILESTAT_SET_TIMES = 1 << 20;
        /// The right to invoke `fd_filestat_get`.
        const FD_FILESTAT_GET = 1 << 21;
        /// The right to invoke `fd_filestat_set_size`.
        const FD_FILESTAT_SET_SIZE = 1 << 22;
        /// The right to invoke `fd_filestat_set_times`.
        const FD_FILESTAT_SET_TIMES = 1 << 23;
        /// The right to invoke `path_symlink`.
        const PATH_SYMLINK = 1 << 24;
        /// The right to invoke `path_remove_directory`.
        const PATH_REMOVE_DIRECTORY = 1 << 25;
        /// The right to invoke `path_unlink_file`.
        const PATH_UNLINK_FILE = 1 << 26;
        /// The right to subscribe to the fd in `poll_oneoff`: `Eventtype::FdRead` with `FD_READ`,
        /// `Eventtype::FdWrite` with `FD_WRITE`.
        const POLL_FD_READWRITE = 1 << 27;
        /// The right to invoke `sock_shutdown`.
        const SOCK_SHUTDOWN = 1 << 28;
        /// The right to invoke `sock_accept`.
        const SOCK_ACCEPT = 1 << 29;
    }
}

impl Rights {
    /// Rights meaningful on a regular file.
    pub const REGULAR_FILE: Rights = Rights::FD_DATASYNC
        .union(Rights::FD_READ)
        .union(Rights::FD_SEEK)
        .union(Rights::FD_FDSTAT_SET_FLAGS)
        .union(Rights::FD_SYNC)
        .union(Rights::FD_TELL)
        .union(Rights::FD_WRITE)
        .union(Rights::FD_ADVISE)
        .union(Rights::FD_ALLOCATE)
        .union(Rights::FD_FILESTAT_GET)
        .union(Rights::FD_FILESTAT_SET_SIZE)
        .union(Rights::FD_FILESTAT_SET_TIMES)
        .union(Rights::POLL_FD_READWRITE);

    /// Rights meaningful on a directory (as base rights).
    pub const DIRECTORY: Rights = Rights::FD_DATASYNC
        .union(Rights::FD_FDSTAT_SET_FLAGS)
        .union(Rights::FD_SYNC)
        .union(Rights::FD_ADVISE)
        .union(Rights::PATH_CREATE_DIRECTORY)
        .union(Rights::PATH_CREATE_FILE)
        .union(Rights::PATH_LINK_SOURCE)
        .union(Rights::PATH_LINK_TARGET)
        .union(Rights::PATH_OPEN)
        .union(Rights::FD_READDIR)
        .union(Rights::PATH_READLINK)
        .union(Rights::PATH_RENAME_SOURCE)
        .union(Rights::PATH_RENAME_TARGET)
        .union(Rights::PATH_FILESTAT_GET)
        .union(Rights::PATH_FILESTAT_SET_SIZE)
        .union(Rights::PATH_FILESTAT_SET_TIMES)
        .union(Rights::FD_FILESTAT_GET)
        .union(Rights::FD_FILESTAT_SET_TIMES)
        .union(Rights::PATH_SYMLINK)
        .union(Rights::PATH_REMOVE_DIRECTORY)
        .union(Rights::PATH_UNLINK_FILE)
        .union(Rights::POLL_FD_READWRITE);

    /// Rights meaningful on a character device, pipe or other stream (stdio).
    pub const STREAM: Rights = Rights::FD_READ
        .union(Rights::FD_WRITE)
        .union(Rights::FD_FDSTAT_SET_FLAGS)
        .union(Rights::FD_FILESTAT_GET)
        .union(Rights::POLL_FD_READWRITE);

    /// Rights meaningful on a socket.
    pub const SOCKET: Rights = Rights::STREAM
        .union(Rights::SOCK_SHUTDOWN)
        .union(Rights::SOCK_ACCEPT);

    /// Every right that changes the filesystem or a file's contents or metadata. A read-only
    /// preopen removes all of these from both its base and inheriting rights (DESIGN.md §2.4).
    pub const MUTATING: Rights = Rights::FD_DATASYNC
        .union(Rights::FD_WRITE)
        .union(Rights::FD_ALLOCATE)
        .union(Rights::FD_SYNC)
        .union(Rights::PATH_CREATE_DIRECTORY)
        .union(Rights::PATH_CREATE_FILE)
        .union(Rights::PATH_LINK_SOURCE)
        .union(Rights::PATH_LINK_TARGET)
        .union(Rights::PATH_RENAME_SOURCE)
        .union(Rights::PATH_RENAME_TARGET)
        .union(Rights::PATH_FILESTAT_SET_SIZE)
        .union(Rights::PATH_FILESTAT_SET_TIMES)
        .union(Rights::FD_FILESTAT_SET_SIZE)
        .union(Rights::FD_FILESTAT_SET_TIMES)
        .union(Rights::PATH_SYMLINK)
        .union(Rights::PATH_REMOVE_DIRECTORY)
        .union(Rights::PATH_UNLINK_FILE);

    /// Read-only view: all rights but the mutating ones.
    pub const fn read_only(self) -> Rights {
        self.difference(Rights::MUTATING)
    }
}

bitflags! {
    /// `fdflags` (a `u16`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Fdflags: u16 {
        /// Append mode: data written to the file is always appended to its end.
        const APPEND = 1 << 0;
        /// Write with synchronized I/O data integrity completion: only the file's data is
        /// synchronized.
        const DSYNC = 1 << 1;
        /// Non-blocking mode.
        const NONBLOCK = 1 << 2;
        /// Synchronized read I/O operations.
        const RSYNC = 1 << 3;
        /// Write with synchronized I/O file integrity completion: the file's data and metadata are
        /// synchronized.
        const SYNC = 1 << 4;
    }
}

bitflags! {
    /// `oflags` (a `u16`): flags for `path_open`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Oflags: u16 {
        /// Create the file if it does not exist.
        const CREAT = 1 << 0;
        /// Fail if the path is not a directory.
        const DIRECTORY = 1 << 1;
        /// Fail if the file already exists.
        const EXCL = 1 << 2;
        /// Truncate the file to size 0.
        const TRUNC = 1 << 3;
    }
}

bitflags! {
    /// `lookupflags` (a `u32`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Lookupflags: u32 {
        /// As long as the resolved path is a symbolic link, expand it.
        const SYMLINK_FOLLOW = 1 << 0;
    }
}

bitflags! {
    /// `fstflags` (a `u16`): which timestamps `*_set_times` changes.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Fstflags: u16 {
        /// Set the last access time to the given `atim` value.
        const ATIM = 1 << 0;
        /// Set the last access time to the current time of `Clockid::Realtime`.
        const ATIM_NOW = 1 << 1;
        /// Set the last modification time to the given `mtim` value.
        const MTIM = 1 << 2;
        /// Set the last modification time to the current time of `Clockid::Realtime`.
        const MTIM_NOW = 1 << 3;
    }
}

bitflags! {
    /// `riflags` (a `u16`): flags for `sock_recv`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Riflags: u16 {
        /// Return the data without removing it from the socket's receive queue.
        const RECV_PEEK = 1 << 0;
        /// On byte-stream sockets, block until the full amount of data can be returned.
        const RECV_WAITALL = 1 << 1;
    }
}

bitflags! {
    /// `roflags` (a `u16`): flags returned by `sock_recv`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Roflags: u16 {
        /// The message data was truncated.
        const RECV_DATA_TRUNCATED = 1 << 0;
    }
}

bitflags! {
    /// `siflags` (a `u16`): flags for `sock_send`; none are defined.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Siflags: u16 {}
}

bitflags! {
    /// `sdflags` (a `u8`): which directions `sock_shutdown` closes.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Sdflags: u8 {
        /// Disable further receive operations.
        const RD = 1 << 0;
        /// Disable further send operations.
        const WR = 1 << 1;
    }
}

bitflags! {
    /// `subclockflags` (a `u16`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Subclockflags: u16 {
        /// `timeout` is an absolute time of the subscription's clock; if clear, it is relative to
        /// the clock's current time.
        const SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0;
    }
}

bitflags! {
    /// `eventrwflags` (a `u16`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Eventrwflags: u16 {
        /// The peer of this socket has closed or disconnected.
        const FD_READWRITE_HANGUP = 1 << 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_values_match_witx() {
        assert_eq!(Rights::FD_DATASYNC.bits(), 1);
        assert_eq!(Rights::PATH_OPEN.bits(), 1 << 13);
        assert_eq!(Rights::SOCK_ACCEPT.bits(), 1 << 29);
        assert_eq!(Rights::all().bits(), (1 << 30) - 1);
    }

    #[test]
    fn read_only_removes_every_mutation() {
        let ro = Rights::all().read_only();
        for r in [
            Rights::FD_WRITE,
            Rights::FD_ALLOCATE,
            Rights::FD_FILESTAT_SET_SIZE,
            Rights::FD_FILESTAT_SET_TIMES,
            Rights::PATH_CREATE_FILE,
            Rights::PATH_CREATE_DIRECTORY,
            Rights::PATH_UNLINK_FILE,
            Rights::PATH_REMOVE_DIRECTORY,
            Rights::PATH_RENAME_SOURCE,
            Rights::PATH_RENAME_TARGET,
            Rights::PATH_LINK_SOURCE,
            Rights::PATH_LINK_TARGET,
            Rights::PATH_SYMLINK,
            Rights::PATH_FILESTAT_SET_SIZE,
            Rights::PATH_FILESTAT_SET_TIMES,
        ] {
            assert!(!ro.contains(r), "{r:?}");
        }
        assert!(ro.contains(Rights::FD_READ | Rights::PATH_OPEN | Rights::FD_READDIR));
    }

    #[test]
    fn strict_flag_decoding() {
        assert!(Oflags::from_bits(1 << 4).is_none());
        assert!(Fdflags::from_bits(1 << 5).is_none());
        assert!(Lookupflags::from_bits(2).is_none());
        assert!(Fstflags::from_bits(1 << 4).is_none());
    }
}
