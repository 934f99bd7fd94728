//! Conversions between the 0.2 filesystem types and the preview 1 types the
//! [`System`](crate::system::System) speaks: descriptor flags and rights, path and open flags,
//! file types, stats, timestamps and advice.

use crate::abi::{
    Advice as P1Advice, Errno, Fdflags, Fdstat, Filestat, Filetype, Fstflags, Lookupflags, Oflags,
    Rights, Timestamp,
};
use crate::p2::bindings::wasi::clocks::wall_clock::Datetime;
use crate::p2::bindings::wasi::filesystem::types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, NewTimestamp, OpenFlags, PathFlags,
};

/// Rights every descriptor asks for on `open-at`, whatever its flags: looking at it, its
/// offset and its entries' names, and opening through it. (They are still trimmed to what the
/// parent can hand down and to the file type.)
pub(crate) const ALWAYS: Rights = Rights::FD_SEEK
    .union(Rights::FD_TELL)
    .union(Rights::FD_ADVISE)
    .union(Rights::FD_FDSTAT_SET_FLAGS)
    .union(Rights::FD_SYNC)
    .union(Rights::FD_DATASYNC)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_FILESTAT_SET_TIMES)
    .union(Rights::PATH_OPEN)
    .union(Rights::PATH_FILESTAT_GET)
    .union(Rights::PATH_READLINK)
    .union(Rights::POLL_FD_READWRITE);

/// Rights the `read` flag asks for: a file's bytes, a directory's entries.
pub(crate) const READ: Rights = Rights::FD_READ.union(Rights::FD_READDIR);

/// Rights the `write` flag asks for: a file's bytes and size.
pub(crate) const WRITE: Rights = Rights::FD_WRITE
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE);

/// Rights that change a directory's entries: what `mutate-directory` stands for.
pub(crate) const MUTATE_DIRECTORY: Rights = Rights::PATH_CREATE_DIRECTORY
    .union(Rights::PATH_CREATE_FILE)
    .union(Rights::PATH_LINK_SOURCE)
    .union(Rights::PATH_LINK_TARGET)
    .union(Rights::PATH_RENAME_SOURCE)
    .union(Rights::PATH_RENAME_TARGET)
    .union(Rights::PATH_FILESTAT_SET_SIZE)
    .union(Rights::PATH_FILESTAT_SET_TIMES)
    .union(Rights::PATH_SYMLINK)
    .union(Rights::PATH_REMOVE_DIRECTORY)
    .union(Rights::PATH_UNLINK_FILE);

/// The base rights `open-at` asks for with `flags`.
///
/// Directories are asked for [`MUTATE_DIRECTORY`] whether or not the flag is set: a directory
/// opened from a writable one can change its entries, as in wasmtime (whose descriptors
/// inherit the parent's directory permissions), because the preview 1 adapter opens every
/// directory the same way and programs built on it expect `mkdirat`/`unlinkat` through a
/// directory fd from `opendir` to work. What the parent cannot hand down is trimmed, so a
/// read-only tree stays read-only.
pub(crate) fn open_rights(flags: DescriptorFlags) -> Rights {
    let mut r = ALWAYS | MUTATE_DIRECTORY;
    if flags.contains(DescriptorFlags::READ) {
        r |= READ;
    }
    if flags.contains(DescriptorFlags::WRITE) {
        r |= WRITE;
    }
    r
}

/// The descriptor flags an fd's rights and fd flags amount to (`get-flags`).
pub(crate) fn descriptor_flags(st: &Fdstat) -> DescriptorFlags {
    let mut f = DescriptorFlags::empty();
    if st.rights_base.intersects(READ) {
        f |= DescriptorFlags::READ;
    }
    if st.rights_base.contains(Rights::FD_WRITE) {
        f |= DescriptorFlags::WRITE;
    }
    if st.filetype == Filetype::Directory && st.rights_base.intersects(MUTATE_DIRECTORY) {
        f |= DescriptorFlags::MUTATE_DIRECTORY;
    }
    if st.flags.contains(Fdflags::SYNC) {
        f |= DescriptorFlags::FILE_INTEGRITY_SYNC;
    }
    if st.flags.contains(Fdflags::DSYNC) {
        f |= DescriptorFlags::DATA_INTEGRITY_SYNC;
    }
    if st.flags.contains(Fdflags::RSYNC) {
        f |= DescriptorFlags::REQUESTED_WRITE_SYNC;
    }
    f
}

/// The fd flags `open-at` passes for the sync descriptor flags.
pub(crate) fn fdflags(flags: DescriptorFlags) -> Fdflags {
    let mut f = Fdflags::empty();
    if flags.contains(DescriptorFlags::FILE_INTEGRITY_SYNC) {
        f |= Fdflags::SYNC;
    }
    if flags.contains(DescriptorFlags::DATA_INTEGRITY_SYNC) {
        f |= Fdflags::DSYNC;
    }
    if flags.contains(DescriptorFlags::REQUESTED_WRITE_SYNC) {
        f |= Fdflags::RSYNC;
    }
    f
}

/// `path-flags` as preview 1 lookup flags.
pub(crate) fn lookupflags(f: PathFlags) -> Lookupflags {
    if f.contains(PathFlags::SYMLINK_FOLLOW) {
        Lookupflags::SYMLINK_FOLLOW
    } else {
        Lookupflags::empty()
    }
}

/// `open-flags` as preview 1 open flags (the same four bits).
pub(crate) fn oflags(f: OpenFlags) -> Oflags {
    let mut o = Oflags::empty();
    if f.contains(OpenFlags::CREATE) {
        o |= Oflags::CREAT;
    }
    if f.contains(OpenFlags::DIRECTORY) {
        o |= Oflags::DIRECTORY;
    }
    if f.contains(OpenFlags::EXCLUSIVE) {
        o |= Oflags::EXCL;
    }
    if f.contains(OpenFlags::TRUNCATE) {
        o |= Oflags::TRUNC;
    }
    o
}

/// A preview 1 file type as a descriptor type. Preview 1 has no FIFO type (the host reports
/// FIFOs as `unknown`), and both socket types are `socket`.
pub(crate) fn descriptor_type(t: Filetype) -> DescriptorType {
    match t {
        Filetype::Unknown => DescriptorType::Unknown,
        Filetype::BlockDevice => DescriptorType::BlockDevice,
        Filetype::CharacterDevice => DescriptorType::CharacterDevice,
        Filetype::Directory => DescriptorType::Directory,
        Filetype::RegularFile => DescriptorType::RegularFile,
        Filetype::SocketDgram | Filetype::SocketStream => DescriptorType::Socket,
        Filetype::SymbolicLink => DescriptorType::SymbolicLink,
    }
}

/// Nanoseconds since the epoch as a `datetime`.
pub(crate) fn datetime(ns: Timestamp) -> Datetime {
    Datetime {
        seconds: ns / 1_000_000_000,
        nanoseconds: (ns % 1_000_000_000) as u32,
    }
}

/// A `datetime` as nanoseconds since the epoch: `invalid` for 10^9 or more nanoseconds,
/// `overflow` past what preview 1's 64-bit timestamps hold (the year 2554).
pub(crate) fn timestamp(d: Datetime) -> Result<Timestamp, Errno> {
    if d.nanoseconds >= 1_000_000_000 {
        return Err(Errno::Inval);
    }
    d.seconds
        .checked_mul(1_000_000_000)
        .and_then(|s| s.checked_add(u64::from(d.nanoseconds)))
        .ok_or(Errno::Overflow)
}

/// The preview 1 form of a pair of `new-timestamp`s: the two times and which to set.
pub(crate) fn set_times(
    atim: NewTimestamp,
    mtim: NewTimestamp,
) -> Result<(Timestamp, Timestamp, Fstflags), Errno> {
    let mut flags = Fstflags::empty();
    let a = match atim {
        NewTimestamp::NoChange => 0,
        NewTimestamp::Now => {
            flags |= Fstflags::ATIM_NOW;
            0
        }
        NewTimestamp::Timestamp(d) => {
            flags |= Fstflags::ATIM;
            timestamp(d)?
        }
    };
    let m = match mtim {
        NewTimestamp::NoChange => 0,
        NewTimestamp::Now => {
            flags |= Fstflags::MTIM_NOW;
            0
        }
        NewTimestamp::Timestamp(d) => {
            flags |= Fstflags::MTIM;
            timestamp(d)?
        }
    };
    Ok((a, m, flags))
}

/// A preview 1 stat as a descriptor stat (device and inode are left out, as the interface
/// says: see `metadata-hash`).
pub(crate) fn descriptor_stat(st: &Filestat) -> DescriptorStat {
    DescriptorStat {
        type_: descriptor_type(st.filetype),
        link_count: st.nlink,
        size: st.size,
        data_access_timestamp: Some(datetime(st.atim)),
        data_modification_timestamp: Some(datetime(st.mtim)),
        status_change_timestamp: Some(datetime(st.ctim)),
    }
}

/// `advice` as preview 1 advice (the same six values).
pub(crate) fn advice(a: Advice) -> P1Advice {
    match a {
        Advice::Normal => P1Advice::Normal,
        Advice::Sequential => P1Advice::Sequential,
        Advice::Random => P1Advice::Random,
        Advice::WillNeed => P1Advice::Willneed,
        Advice::DontNeed => P1Advice::Dontneed,
        Advice::NoReuse => P1Advice::Noreuse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_and_refuse_bad_values() {
        let d = Datetime {
            seconds: 1_700_000_000,
            nanoseconds: 123,
        };
        let ns = timestamp(d).unwrap();
        let back = datetime(ns);
        assert_eq!((back.seconds, back.nanoseconds), (d.seconds, d.nanoseconds));
        let bad = Datetime {
            seconds: 1,
            nanoseconds: 1_000_000_000,
        };
        assert_eq!(timestamp(bad), Err(Errno::Inval));
        let huge = Datetime {
            seconds: u64::MAX,
            nanoseconds: 0,
        };
        assert_eq!(timestamp(huge), Err(Errno::Overflow));
    }

    #[test]
    fn new_timestamps_select_flags() {
        let (_, _, f) = set_times(NewTimestamp::NoChange, NewTimestamp::NoChange).unwrap();
        assert!(f.is_empty());
        let (_, _, f) = set_times(NewTimestamp::Now, NewTimestamp::NoChange).unwrap();
        assert_eq!(f, Fstflags::ATIM_NOW);
        let t = Datetime {
            seconds: 5,
            nanoseconds: 6,
        };
        let (a, m, f) = set_times(NewTimestamp::NoChange, NewTimestamp::Timestamp(t)).unwrap();
        assert_eq!((a, m, f), (0, 5_000_000_006, Fstflags::MTIM));
    }

    #[test]
    fn open_flags_map_bit_for_bit() {
        assert_eq!(oflags(OpenFlags::all()), Oflags::all());
        assert_eq!(oflags(OpenFlags::empty()), Oflags::empty());
        assert_eq!(
            lookupflags(PathFlags::SYMLINK_FOLLOW),
            Lookupflags::SYMLINK_FOLLOW
        );
    }

    #[test]
    fn flags_reflect_rights() {
        let st = Fdstat {
            filetype: Filetype::RegularFile,
            flags: Fdflags::DSYNC,
            rights_base: Rights::FD_READ | Rights::FD_SEEK,
            rights_inheriting: Rights::empty(),
        };
        assert_eq!(
            descriptor_flags(&st),
            DescriptorFlags::READ | DescriptorFlags::DATA_INTEGRITY_SYNC
        );
        let dir = Fdstat {
            filetype: Filetype::Directory,
            flags: Fdflags::empty(),
            rights_base: Rights::DIRECTORY,
            rights_inheriting: Rights::DIRECTORY,
        };
        assert_eq!(
            descriptor_flags(&dir),
            DescriptorFlags::READ | DescriptorFlags::MUTATE_DIRECTORY
        );
        let ro = Fdstat {
            rights_base: Rights::DIRECTORY.read_only(),
            ..dir
        };
        assert_eq!(descriptor_flags(&ro), DescriptorFlags::READ);
    }
}
