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
        const FD_DATASYNC = 1 << 0;
        const FD_READ = 1 << 1;
        const FD_SEEK = 1 << 2;
        const FD_FDSTAT_SET_FLAGS = 1 << 3;
        const FD_SYNC = 1 << 4;
        const FD_TELL = 1 << 5;
        const FD_WRITE = 1 << 6;
        const FD_ADVISE = 1 << 7;
        const FD_ALLOCATE = 1 << 8;
        const PATH_CREATE_DIRECTORY = 1 << 9;
        const PATH_CREATE_FILE = 1 << 10;
        const PATH_LINK_SOURCE = 1 << 11;
        const PATH_LINK_TARGET = 1 << 12;
        const PATH_OPEN = 1 << 13;
        const FD_READDIR = 1 << 14;
        const PATH_READLINK = 1 << 15;
        const PATH_RENAME_SOURCE = 1 << 16;
        const PATH_RENAME_TARGET = 1 << 17;
        const PATH_FILESTAT_GET = 1 << 18;
        const PATH_FILESTAT_SET_SIZE = 1 << 19;
        const PATH_FILESTAT_SET_TIMES = 1 << 20;
        const FD_FILESTAT_GET = 1 << 21;
        const FD_FILESTAT_SET_SIZE = 1 << 22;
        const FD_FILESTAT_SET_TIMES = 1 << 23;
        const PATH_SYMLINK = 1 << 24;
        const PATH_REMOVE_DIRECTORY = 1 << 25;
        const PATH_UNLINK_FILE = 1 << 26;
        const POLL_FD_READWRITE = 1 << 27;
        const SOCK_SHUTDOWN = 1 << 28;
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
        const APPEND = 1 << 0;
        const DSYNC = 1 << 1;
        const NONBLOCK = 1 << 2;
        const RSYNC = 1 << 3;
        const SYNC = 1 << 4;
    }
}

bitflags! {
    /// `oflags` (a `u16`): flags for `path_open`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Oflags: u16 {
        const CREAT = 1 << 0;
        const DIRECTORY = 1 << 1;
        const EXCL = 1 << 2;
        const TRUNC = 1 << 3;
    }
}

bitflags! {
    /// `lookupflags` (a `u32`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Lookupflags: u32 {
        const SYMLINK_FOLLOW = 1 << 0;
    }
}

bitflags! {
    /// `fstflags` (a `u16`): which timestamps `*_set_times` changes.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Fstflags: u16 {
        const ATIM = 1 << 0;
        const ATIM_NOW = 1 << 1;
        const MTIM = 1 << 2;
        const MTIM_NOW = 1 << 3;
    }
}

bitflags! {
    /// `riflags` (a `u16`): flags for `sock_recv`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Riflags: u16 {
        const RECV_PEEK = 1 << 0;
        const RECV_WAITALL = 1 << 1;
    }
}

bitflags! {
    /// `roflags` (a `u16`): flags returned by `sock_recv`.
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Roflags: u16 {
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
        const RD = 1 << 0;
        const WR = 1 << 1;
    }
}

bitflags! {
    /// `subclockflags` (a `u16`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Subclockflags: u16 {
        const SUBSCRIPTION_CLOCK_ABSTIME = 1 << 0;
    }
}

bitflags! {
    /// `eventrwflags` (a `u16`).
    #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Eventrwflags: u16 {
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
