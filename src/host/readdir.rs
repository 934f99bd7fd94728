//! `fd_readdir` over `getdents64`, with the kernel's `d_off` as the cookie.
//!
//! Each directory fd gets a [`DirStream`] the first time it is listed. The stream keeps the
//! entries of the last `getdents64` it made and the cookie each of them starts at, so a call
//! whose cookie continues where the previous call stopped (the common case: wasi-libc resumes
//! at the `d_next` of the last entry that fitted) is served from memory without a syscall. Only
//! a cookie the buffer does not hold seeks the fd and refills; cookie 0 always does, so a
//! rewind sees the directory as it is now. Cookies are exactly the kernel's, stable across
//! calls, and no call rereads the entries before its cookie.

use std::ffi::OsStr;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::RawDir;

use super::{Handle, StreamSlot, UnixSystem, stat};
use crate::abi::{Dircookie, Dirent, Errno, Fd, Filetype, Rights};
use crate::system::{ReaddirControl, ReaddirSink, Result};

/// getdents buffer size: plenty for dozens of entries, and always more than one maximal entry
/// (a 255-byte name plus the 19-byte header), which getdents needs to make progress.
const BUF_SIZE: usize = 16 * 1024;

/// Most entries one `getdents64` of [`BUF_SIZE`] bytes can return: each record takes at least
/// 24 bytes (19-byte header, a 1-byte name and its NUL, padded to 8).
const MAX_ENTRIES: usize = BUF_SIZE / 24;

/// One entry of the last `getdents64`, copied out of the kernel's record.
struct Buffered {
    ino: u64,
    /// The entry's `d_off`: the cookie of the entry after it.
    next: u64,
    /// `None` when the filesystem left `d_type` unknown; resolved when the entry is delivered.
    d_type: Option<Filetype>,
    /// The name's bytes in [`DirStream::names`].
    name: Range<usize>,
}

/// Listing state of one directory fd; counts toward `Limits::max_open_dirs` while it lives.
///
/// Memory is fixed after creation: one `getdents64` fills at most `BUF_SIZE` bytes, so the
/// entry and name vectors never grow past the capacity reserved up front.
pub(crate) struct DirStream {
    /// Scratch for `getdents64`.
    raw: Vec<MaybeUninit<u8>>,
    /// The entries of the last `getdents64`, in order.
    entries: Vec<Buffered>,
    /// Their names, back to back.
    names: Vec<u8>,
    /// The cookie `entries[0]` starts at (the offset the buffer was read from); `None` when
    /// nothing is buffered.
    base: Option<u64>,
    /// The cookie the fd's kernel offset stands at, when known: a refill from there needs no
    /// `lseek`. Only this module moves a directory fd's offset (`fd_seek` refuses directories).
    fd_at: Option<u64>,
    /// Where the last call stopped: the index of the entry it delivered last. The next call
    /// usually resumes at that entry (it did not fit whole) or right after it.
    hint: usize,
    _slot: StreamSlot,
}

impl DirStream {
    fn new(slot: StreamSlot) -> DirStream {
        DirStream {
            raw: vec![MaybeUninit::uninit(); BUF_SIZE],
            entries: Vec::with_capacity(MAX_ENTRIES),
            names: Vec::with_capacity(BUF_SIZE),
            base: None,
            fd_at: None,
            hint: 0,
            _slot: slot,
        }
    }

    /// The cookie entry `i` starts at; `i == entries.len()` is the end of the buffer.
    fn start_of(&self, i: usize) -> Option<u64> {
        match i {
            0 => self.base,
            _ => self.entries.get(i - 1).map(|e| e.next),
        }
    }

    /// The index in the buffer at which a listing from `cookie` resumes (`entries.len()` when
    /// it resumes right after the buffer), or `None` if the buffer does not hold that cookie.
    fn find(&self, cookie: u64) -> Option<usize> {
        // Cookie 0 is a rewind: always reread, so the guest sees the directory as it is now.
        if cookie == 0 {
            return None;
        }
        // The hint first: the entry that did not fit last time, or the one after it.
        let h = self.hint;
        if self.start_of(h) == Some(cookie) {
            return Some(h);
        }
        if self.entries.get(h).is_some_and(|e| e.next == cookie) {
            return Some(h + 1);
        }
        if self.base == Some(cookie) {
            return Some(0);
        }
        self.entries
            .iter()
            .position(|e| e.next == cookie)
            .map(|i| i + 1)
    }

    /// Replaces the buffer with one `getdents64` from `cookie`; `Ok(false)` at the end of the
    /// directory. Seeks only when the fd is not already at `cookie`.
    fn fill(&mut self, dir: &cap_std::fs::Dir, cookie: u64) -> Result<bool> {
        self.entries.clear();
        self.names.clear();
        self.base = None;
        self.hint = 0;
        if self.fd_at != Some(cookie) {
            self.fd_at = None;
            // The cookie is an opaque d_off; the kernel validates it on the next getdents
            // (cookie 0 is the start). Seeking past i64::MAX is not a cookie the kernel made.
            let off = i64::try_from(cookie).map_err(|_| Errno::Inval)?;
            rustix::fs::seek(dir, rustix::fs::SeekFrom::Start(off as u64))?;
        }
        // Until the getdents succeeds the offset is not known (an error may leave it anywhere).
        self.fd_at = None;
        let mut raw = RawDir::new(dir, &mut self.raw);
        let mut whole = false;
        // One getdents64 only: stop before `next` would refill the scratch buffer.
        while self.entries.len() < MAX_ENTRIES {
            let Some(entry) = raw.next() else {
                break;
            };
            let entry = entry?;
            let name = entry.file_name().to_bytes();
            let start = self.names.len();
            self.names.extend_from_slice(name);
            self.entries.push(Buffered {
                ino: entry.ino(),
                next: entry.next_entry_cookie(),
                d_type: stat::filetype_of_dirent(entry.file_type()),
                name: start..self.names.len(),
            });
            if raw.is_buffer_empty() {
                whole = true;
                break;
            }
        }
        self.base = Some(cookie);
        // getdents64 leaves the offset at its last record's d_off (fs/readdir.c sets both from
        // the same ctx.pos). At the end of the directory a filesystem may park the offset at a
        // private end marker, so it stays unknown then; so it does if (against the arithmetic
        // of MAX_ENTRIES) records were left unread.
        self.fd_at = if whole {
            self.entries.last().map(|e| e.next)
        } else {
            None
        };
        Ok(!self.entries.is_empty())
    }
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
            *stream = Some(DirStream::new(counter.acquire(max_dirs)?));
        }
        let Some(stream) = stream.as_mut() else {
            return Err(Errno::Io);
        };

        let mut i = match stream.find(cookie) {
            Some(i) => i,
            None => {
                if !stream.fill(dir, cookie)? {
                    return Ok(());
                }
                0
            }
        };
        loop {
            if i == stream.entries.len() {
                // Past the buffer: continue from its last entry's d_off.
                let Some(next) = stream.start_of(i) else {
                    return Err(Errno::Io);
                };
                if !stream.fill(dir, next)? {
                    return Ok(());
                }
                i = 0;
            }
            let Some(b) = stream.entries.get(i) else {
                return Err(Errno::Io);
            };
            let bytes = stream.names.get(b.name.clone()).ok_or(Errno::Io)?;
            let d_type = match b.d_type {
                Some(t) => t,
                // Some filesystems leave d_type unknown: stat the name (without following)
                // through cap-std. "." and ".." are directories by definition.
                None if bytes == b"." || bytes == b".." => Filetype::Directory,
                None => dir
                    .symlink_metadata(Path::new(OsStr::from_bytes(bytes)))
                    .map(|m| stat::filetype_of_meta(m.file_type()))
                    .unwrap_or(Filetype::Unknown),
            };
            let dirent = Dirent {
                d_next: b.next,
                d_ino: b.ino,
                d_namlen: u32::try_from(bytes.len()).map_err(|_| Errno::Nametoolong)?,
                d_type,
            };
            stream.hint = i;
            if sink(&dirent, bytes) == ReaddirControl::Stop {
                return Ok(());
            }
            i += 1;
        }
    }
}
