//! `fd_readdir` over `getdents64`, with the kernel's `d_off` as the cookie.
//!
//! Each directory fd gets one buffer the first time it is listed (a [`DirStream`]); every call
//! seeks the fd to the guest's cookie and streams entries to the sink until it says stop.
//! Cookies are then exactly the kernel's, stable across calls, and no call rereads the
//! entries before its cookie.

use std::ffi::CStr;
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::RawDir;

use super::{Handle, StreamSlot, UnixSystem, stat};
use crate::abi::{Dircookie, Dirent, Errno, Fd, Filetype, Rights};
use crate::system::{ReaddirControl, ReaddirSink, Result};

/// getdents buffer size: plenty for dozens of entries, and always more than one maximal entry
/// (a 255-byte name plus the 19-byte header), which getdents needs to make progress.
const BUF_SIZE: usize = 16 * 1024;

/// Listing state of one directory fd; counts toward `Limits::max_open_dirs` while it lives.
pub(crate) struct DirStream {
    buf: Vec<MaybeUninit<u8>>,
    _slot: StreamSlot,
}

impl UnixSystem {
    pub(super) fn do_fd_readdir(
        &mut self,
        fd: Fd,
        cookie: Dircookie,
        sink: &mut ReaddirSink<'_>,
    ) -> Result<()> {
        let max_dirs = self.table.limits().max_open_dirs;
        let counter = self.streams.clone();
        // EBADF, then ENOTDIR for an fd that is not a directory (POSIX getdents; the same
        // order as the path calls, see `UnixSystem::dir`), then ENOTCAPABLE without
        // FD_READDIR. wasmtime 48 answers EBADF for a file.
        self.dir(fd, Rights::FD_READDIR)?;
        let e = self.table.entry_mut(fd)?;
        let Handle::Dir { dir, stream } = &mut e.handle else {
            return Err(Errno::Notdir);
        };
        if stream.is_none() {
            let slot = counter.acquire(max_dirs)?;
            *stream = Some(DirStream {
                buf: vec![MaybeUninit::uninit(); BUF_SIZE],
                _slot: slot,
            });
        }
        let Some(stream) = stream.as_mut() else {
            return Err(Errno::Io);
        };

        // The cookie is an opaque d_off; the kernel validates it on the next getdents
        // (cookie 0 is the start). Seeking past i64::MAX is not a cookie the kernel made.
        let off = i64::try_from(cookie).map_err(|_| Errno::Inval)?;
        rustix::fs::seek(&*dir, rustix::fs::SeekFrom::Start(off as u64))?;
        let mut raw = RawDir::new(&*dir, &mut stream.buf);
        while let Some(entry) = raw.next() {
            let entry = entry?;
            let name: &CStr = entry.file_name();
            let bytes = name.to_bytes();
            let d_type = match stat::filetype_of_dirent(entry.file_type()) {
                Some(t) => t,
                // Some filesystems leave d_type unknown: stat the name (without following)
                // through cap-std. "." and ".." are directories by definition.
                None if bytes == b"." || bytes == b".." => Filetype::Directory,
                None => dir
                    .symlink_metadata(Path::new(std::ffi::OsStr::from_bytes(bytes)))
                    .map(|m| stat::filetype_of_meta(m.file_type()))
                    .unwrap_or(Filetype::Unknown),
            };
            let dirent = Dirent {
                d_next: entry.next_entry_cookie(),
                d_ino: entry.ino(),
                d_namlen: u32::try_from(bytes.len()).map_err(|_| Errno::Nametoolong)?,
                d_type,
            };
            if sink(&dirent, bytes) == ReaddirControl::Stop {
                break;
            }
        }
        Ok(())
    }
}
