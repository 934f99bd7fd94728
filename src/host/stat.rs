//! Host metadata → preview 1 `filestat`/`filetype`.

use std::os::fd::BorrowedFd;

use cap_std::fs::{FileType, Metadata, MetadataExt};
use rustix::fs::FileType as RawType;

use crate::abi::{Errno, Filestat, Filetype, Timestamp};
use crate::system::Result;

/// Seconds + nanoseconds since the epoch → WASI nanoseconds. Times before 1970 clamp to 0 and
/// far-future times to `u64::MAX`: a timestamp is unsigned on the wire.
pub(crate) fn to_timestamp(secs: i64, nsec: i64) -> Timestamp {
    if secs < 0 {
        return 0;
    }
    (secs as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec.clamp(0, 999_999_999) as u64)
}

/// A socket's type from `SO_TYPE` (stream vs datagram); `Unknown` for other kinds.
fn socket_filetype(fd: BorrowedFd<'_>) -> Filetype {
    match rustix::net::sockopt::socket_type(fd) {
        Ok(rustix::net::SocketType::STREAM) => Filetype::SocketStream,
        Ok(rustix::net::SocketType::DGRAM) => Filetype::SocketDgram,
        _ => Filetype::Unknown,
    }
}

fn from_raw_type(t: RawType, fd: Option<BorrowedFd<'_>>) -> Filetype {
    match t {
        RawType::RegularFile => Filetype::RegularFile,
        RawType::Directory => Filetype::Directory,
        RawType::Symlink => Filetype::SymbolicLink,
        RawType::CharacterDevice => Filetype::CharacterDevice,
        RawType::BlockDevice => Filetype::BlockDevice,
        RawType::Socket => fd.map_or(Filetype::SocketStream, socket_filetype),
        // Preview 1 has no FIFO type; wasmtime reports pipes as UNKNOWN too.
        RawType::Fifo | RawType::Unknown => Filetype::Unknown,
    }
}

/// A directory entry's `d_type` (`None`: the filesystem did not say, the caller must stat).
pub(crate) fn filetype_of_dirent(t: RawType) -> Option<Filetype> {
    match t {
        RawType::Unknown => None,
        // Without an fd we cannot tell stream from datagram; stream is by far the common one.
        t => Some(from_raw_type(t, None)),
    }
}

pub(crate) fn filetype_of_meta(ft: FileType) -> Filetype {
    use cap_std::fs::FileTypeExt;
    if ft.is_dir() {
        Filetype::Directory
    } else if ft.is_file() {
        Filetype::RegularFile
    } else if ft.is_symlink() {
        Filetype::SymbolicLink
    } else if ft.is_char_device() {
        Filetype::CharacterDevice
    } else if ft.is_block_device() {
        Filetype::BlockDevice
    } else if ft.is_socket() {
        Filetype::SocketStream
    } else {
        Filetype::Unknown
    }
}

/// `fstat` + `SO_TYPE` for sockets.
pub(crate) fn filetype_of_fd(fd: BorrowedFd<'_>) -> Result<Filetype> {
    let st = rustix::fs::fstat(fd)?;
    Ok(from_raw_type(RawType::from_raw_mode(st.st_mode), Some(fd)))
}

/// `fd_filestat_get`.
pub(crate) fn filestat_of_fd(fd: BorrowedFd<'_>) -> Result<Filestat> {
    let st = rustix::fs::fstat(fd)?;
    Ok(filestat_of_stat(&st, Some(fd)))
}

/// A `stat` record as a `filestat`; `fd` (when the record is an open fd's) tells a stream
/// socket from a datagram one, as [`filetype_of_meta`] cannot either without it.
// The stat field types differ between rustix backends and architectures; the casts are
// widening or identity everywhere we build.
#[allow(clippy::unnecessary_cast)]
pub(crate) fn filestat_of_stat(st: &rustix::fs::Stat, fd: Option<BorrowedFd<'_>>) -> Filestat {
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype: from_raw_type(RawType::from_raw_mode(st.st_mode), fd),
        nlink: st.st_nlink as u64,
        size: st.st_size as u64,
        atim: to_timestamp(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: to_timestamp(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: to_timestamp(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

/// `path_filestat_get` from cap-std metadata.
pub(crate) fn filestat_of_meta(m: &Metadata) -> Filestat {
    Filestat {
        dev: m.dev(),
        ino: m.ino(),
        filetype: filetype_of_meta(m.file_type()),
        nlink: m.nlink(),
        size: m.size(),
        atim: to_timestamp(m.atime(), m.atime_nsec()),
        mtim: to_timestamp(m.mtime(), m.mtime_nsec()),
        ctim: to_timestamp(m.ctime(), m.ctime_nsec()),
    }
}

/// Convenience for callers holding an `io::Error`.
pub(crate) fn errno(e: std::io::Error) -> Errno {
    Errno::from_io(&e)
}
