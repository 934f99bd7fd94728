//! A read-only view of the filesystem exactly as a guest sees it.
//!
//! [`FsView`] is rooted at a directory fd of any [`System`] (a preopen, found by fd or by its
//! guest name) and answers every question by calling that system's own preview 1 methods with
//! that fd: `path_open`, `path_filestat_get`, `path_readlink`, `fd_readdir`, `fd_read`,
//! `fd_pread`, `fd_seek`, `fd_filestat_get`, `fd_close`. It therefore resolves through the very
//! same sandbox and rights as the guest: an absolute path, a `..` above the root or a symlink
//! out is refused with the errno the guest would get, and a root whose rights do not let the
//! guest read a file do not let the view read it either (`ENOTCAPABLE`).
//!
//! It can never write: it calls no mutating method, and opens files with read rights only and
//! no `CREAT`/`TRUNC`/`EXCL` flags. (Reading may update access times on the host, as for the
//! guest.) The fds it opens live in the system's fd table while in use — they count against its
//! limits — and are closed when the [`ViewFile`], [`ReadDir`] or [`Walk`] is dropped. Use the
//! view while the guest is not running (before, after, or between calls).
//!
//! Paths use guest syntax: `/`-separated and relative to the root; `.` is the root itself.
//! Errors are [`std::io::Error`]s whose kind follows the errno (through the Linux error number
//! where one exists) and whose WASI errno [`errno_of`] recovers.
//!
//! ```
//! use capwasi::fs_view::FsView;
//! use capwasi::host::UnixSystem;
//! use capwasi::table::Limits;
//!
//! let host = tempfile::tempdir()?;
//! std::fs::create_dir(host.path().join("sub"))?;
//! std::fs::write(host.path().join("sub/hello.txt"), "hi")?;
//!
//! let mut sys = UnixSystem::new(Limits::default());
//! sys.preopen_dir(host.path(), "/data", true)?;
//! let view = FsView::by_name(&mut sys, "/data")?;
//! let mut listing = Vec::new();
//! for entry in view.walk(".") {
//!     let entry = entry?;
//!     listing.push(format!("{} {}", entry.path(), entry.metadata()?.len()));
//! }
//! listing.sort();
//! assert_eq!(listing[1], "sub/hello.txt 2");
//! assert_eq!(view.read_to_string("sub/hello.txt")?, "hi");
//! // Refused exactly as the guest would be.
//! let err = view.read("../etc/passwd").unwrap_err();
//! assert_eq!(capwasi::fs_view::errno_of(&err), Some(capwasi::abi::Errno::Perm));
//! # Ok::<(), std::io::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, IoSliceMut, Read, Seek, SeekFrom};
use std::time::{Duration, SystemTime};

use crate::abi::{Errno, Fd, Fdflags, Filestat, Filetype, Lookupflags, Oflags, Rights, Whence};
use crate::system::{ReaddirControl, System};

/// Rights the view asks for on a file: reading and looking, nothing that changes anything.
const FILE_RIGHTS: Rights = Rights::FD_READ
    .union(Rights::FD_SEEK)
    .union(Rights::FD_TELL)
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::FD_ADVISE)
    .union(Rights::POLL_FD_READWRITE);

/// Rights the view asks for on a directory it lists.
const DIR_RIGHTS: Rights = Rights::FD_READDIR
    .union(Rights::FD_FILESTAT_GET)
    .union(Rights::PATH_OPEN)
    .union(Rights::PATH_FILESTAT_GET)
    .union(Rights::PATH_READLINK);

/// Directory entries fetched per `fd_readdir` call by [`ReadDir`].
const READDIR_BATCH: usize = 64;

/// Largest symlink target [`FsView::read_link`] will grow its buffer to.
const MAX_LINK: usize = 1 << 20;

/// The error payload behind every `io::Error` the view makes.
#[derive(Debug)]
struct ViewError {
    errno: Errno,
    op: &'static str,
    path: String,
}

impl fmt::Display for ViewError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}: {}", self.op, self.path, self.errno)
    }
}

impl std::error::Error for ViewError {}

/// The Linux error number for `e`, found by inverting the host's mapping (one table to keep
/// right, not two). `None` for WASI-only errnos such as `ENOTCAPABLE`.
fn linux_errno(e: Errno) -> Option<i32> {
    if matches!(e, Errno::Success | Errno::Notcapable) {
        return None;
    }
    // Linux error numbers stop below 134; `from_host` maps the unknown ones to EIO, and EIO
    // (5) comes before every unknown one, so the first hit is the right number.
    (1..134).find(|&raw| Errno::from_host(rustix::io::Errno::from_raw_os_error(raw)) == e)
}

/// An `io::Error` carrying `errno`, with a kind that matches it.
fn view_error(errno: Errno, op: &'static str, path: &str) -> io::Error {
    let kind = match errno {
        // Refused by the capability check: the guest is not permitted, whatever the host says.
        Errno::Notcapable => io::ErrorKind::PermissionDenied,
        e => linux_errno(e).map_or(io::ErrorKind::Other, |raw| {
            io::Error::from_raw_os_error(raw).kind()
        }),
    };
    io::Error::new(
        kind,
        ViewError {
            errno,
            op,
            path: path.to_owned(),
        },
    )
}

/// The WASI errno behind an `io::Error` made by the view (`None` for other errors).
pub fn errno_of(err: &io::Error) -> Option<Errno> {
    err.get_ref()?.downcast_ref::<ViewError>().map(|v| v.errno)
}

/// Joins a directory's guest path and an entry name: `.` and the empty path are the root.
fn join(dir: &str, name: &str) -> String {
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// A read-only view of a directory tree through a [`System`] (see the module docs).
pub struct FsView<'s, S: System> {
    /// `System` methods take `&mut self`; the view hands out files and iterators that borrow it
    /// shared, so the system sits in a `RefCell`. Each call borrows it for one method only.
    sys: RefCell<&'s mut S>,
    root: Fd,
}

impl<S: System> fmt::Debug for FsView<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FsView").field("root", &self.root).finish()
    }
}

impl<'s, S: System> FsView<'s, S> {
    /// A view rooted at `root`, which must be an open directory fd (a preopen, or any
    /// directory the system has open): `EBADF`/`ENOTDIR` otherwise.
    pub fn new(sys: &'s mut S, root: Fd) -> io::Result<Self> {
        let stat = sys
            .fd_fdstat_get(root)
            .map_err(|e| view_error(e, "root", &format!("fd {root}")))?;
        if stat.filetype != Filetype::Directory {
            return Err(view_error(Errno::Notdir, "root", &format!("fd {root}")));
        }
        Ok(FsView {
            sys: RefCell::new(sys),
            root,
        })
    }

    /// A view rooted at the preopen the guest knows as `guest_name` (as `fd_prestat_dir_name`
    /// reports it). An exact match wins; otherwise leading and trailing `/` are ignored on
    /// both sides, so `"data"` finds `"/data"`. `ENOENT` if there is none. The search scans
    /// fds from 0 and stops after 16 consecutive closed ones.
    pub fn by_name(sys: &'s mut S, guest_name: &str) -> io::Result<Self> {
        let norm = |s: &str| s.trim_matches('/').to_owned();
        let wanted = norm(guest_name);
        let mut loose = None;
        let mut misses = 0;
        let mut fd: Fd = 0;
        while misses < 16 {
            if sys.fd_fdstat_get(fd).is_err() {
                misses += 1;
            } else {
                misses = 0;
                if sys.fd_prestat_get(fd).is_ok()
                    && let Ok(name) = sys.fd_prestat_dir_name(fd)
                {
                    if name == guest_name {
                        return FsView::new(sys, fd);
                    }
                    if loose.is_none() && norm(name) == wanted {
                        loose = Some(fd);
                    }
                }
            }
            fd = match fd.checked_add(1) {
                Some(next) => next,
                None => break,
            };
        }
        match loose {
            Some(fd) => FsView::new(sys, fd),
            None => Err(view_error(Errno::Noent, "preopen", guest_name)),
        }
    }

    /// The root directory fd.
    pub fn root(&self) -> Fd {
        self.root
    }

    fn open_fd(
        &self,
        path: &str,
        follow: bool,
        oflags: Oflags,
        base: Rights,
        inheriting: Rights,
        op: &'static str,
    ) -> io::Result<Fd> {
        let dirflags = if follow {
            Lookupflags::SYMLINK_FOLLOW
        } else {
            Lookupflags::empty()
        };
        self.sys
            .borrow_mut()
            .path_open(
                self.root,
                dirflags,
                path,
                oflags,
                base,
                inheriting,
                Fdflags::empty(),
            )
            .map_err(|e| view_error(e, op, path))
    }

    /// Opens a file for reading (following symlinks, as `open` does). A directory opens too,
    /// but reading it fails with `ENOTCAPABLE` (a directory fd never has `FD_READ`), as for
    /// the guest.
    pub fn open(&self, path: &str) -> io::Result<ViewFile<'_, 's, S>> {
        let fd = self.open_fd(
            path,
            true,
            Oflags::empty(),
            FILE_RIGHTS,
            Rights::empty(),
            "open",
        )?;
        Ok(ViewFile {
            view: self,
            fd,
            path: path.to_owned(),
        })
    }

    fn stat(&self, path: &str, follow: bool, op: &'static str) -> io::Result<Metadata> {
        let flags = if follow {
            Lookupflags::SYMLINK_FOLLOW
        } else {
            Lookupflags::empty()
        };
        self.sys
            .borrow_mut()
            .path_filestat_get(self.root, flags, path)
            .map(Metadata)
            .map_err(|e| view_error(e, op, path))
    }

    /// `stat`: follows a final symlink.
    pub fn metadata(&self, path: &str) -> io::Result<Metadata> {
        self.stat(path, true, "metadata")
    }

    /// `lstat`: describes a final symlink itself.
    pub fn symlink_metadata(&self, path: &str) -> io::Result<Metadata> {
        self.stat(path, false, "symlink_metadata")
    }

    fn read_dir_with(&self, path: &str, follow: bool) -> io::Result<ReadDir<'_, 's, S>> {
        let fd = self.open_fd(
            path,
            follow,
            Oflags::DIRECTORY,
            DIR_RIGHTS,
            DIR_RIGHTS | FILE_RIGHTS,
            "read_dir",
        )?;
        Ok(ReadDir {
            view: self,
            fd,
            dir: path.to_owned(),
            cookie: 0,
            buf: VecDeque::new(),
            done: false,
        })
    }

    /// The entries of a directory (following a final symlink), without `.` and `..`, in the
    /// order the system lists them. Lazy: entries are fetched 64 at a time.
    pub fn read_dir(&self, path: &str) -> io::Result<ReadDir<'_, 's, S>> {
        self.read_dir_with(path, true)
    }

    /// A whole file.
    pub fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let mut f = self.open(path)?;
        let mut out = Vec::new();
        f.read_to_end(&mut out)?;
        Ok(out)
    }

    /// A whole file as UTF-8 (`InvalidData` otherwise).
    pub fn read_to_string(&self, path: &str) -> io::Result<String> {
        let bytes = self.read(path)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Whether `path` resolves (following symlinks) to something the guest could stat.
    pub fn exists(&self, path: &str) -> bool {
        self.metadata(path).is_ok()
    }

    /// A symlink's target, as stored (it is not resolved or checked).
    pub fn read_link(&self, path: &str) -> io::Result<String> {
        let mut len = 256;
        loop {
            let mut buf = vec![0u8; len];
            let n = self
                .sys
                .borrow_mut()
                .path_readlink(self.root, path, &mut buf)
                .map_err(|e| view_error(e, "read_link", path))?;
            // The call truncates to fit: a full buffer may be a cut target, so try a bigger one.
            if n < buf.len() || len >= MAX_LINK {
                buf.truncate(n);
                return String::from_utf8(buf)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
            }
            len *= 4;
        }
    }

    /// Every entry below `path`, depth first, parents before their children, lazily. Symlinks
    /// are reported but never followed, so the walk cannot loop or leave the tree; the root
    /// itself is not reported. A directory that cannot be listed yields its error and the walk
    /// goes on with its siblings. Each directory being walked holds one fd until it is done.
    pub fn walk(&self, path: &str) -> Walk<'_, 's, S> {
        Walk {
            view: self,
            stack: Vec::new(),
            pending: Some((path.to_owned(), true)),
        }
    }
}

/// What kind of file an entry or a [`Metadata`] describes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileType(Filetype);

impl FileType {
    /// A directory.
    pub fn is_dir(&self) -> bool {
        self.0 == Filetype::Directory
    }
    /// A regular file.
    pub fn is_file(&self) -> bool {
        self.0 == Filetype::RegularFile
    }
    /// A symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.0 == Filetype::SymbolicLink
    }
    /// The WASI file type.
    pub fn wasi(&self) -> Filetype {
        self.0
    }
}

/// What `path_filestat_get`/`fd_filestat_get` report, with `std::fs::Metadata`-like accessors.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Metadata(Filestat);

fn time(ns: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(ns)
}

impl Metadata {
    /// The file type.
    pub fn file_type(&self) -> FileType {
        FileType(self.0.filetype)
    }
    /// Size in bytes.
    pub fn len(&self) -> u64 {
        self.0.size
    }
    /// Whether the size is zero.
    pub fn is_empty(&self) -> bool {
        self.0.size == 0
    }
    /// A directory.
    pub fn is_dir(&self) -> bool {
        self.file_type().is_dir()
    }
    /// A regular file.
    pub fn is_file(&self) -> bool {
        self.file_type().is_file()
    }
    /// A symbolic link (only from [`FsView::symlink_metadata`] or a [`DirEntry`]).
    pub fn is_symlink(&self) -> bool {
        self.file_type().is_symlink()
    }
    /// Last modification (`mtim`).
    pub fn modified(&self) -> SystemTime {
        time(self.0.mtim)
    }
    /// Last access (`atim`).
    pub fn accessed(&self) -> SystemTime {
        time(self.0.atim)
    }
    /// WASI has no birth time: this is `ctim`, the last status change, the closest thing.
    pub fn created(&self) -> SystemTime {
        time(self.0.ctim)
    }
    /// Last status change (`ctim`).
    pub fn changed(&self) -> SystemTime {
        time(self.0.ctim)
    }
    /// Inode number.
    pub fn ino(&self) -> u64 {
        self.0.ino
    }
    /// Hard link count.
    pub fn nlink(&self) -> u64 {
        self.0.nlink
    }
    /// Device id.
    pub fn dev(&self) -> u64 {
        self.0.dev
    }
    /// The raw WASI record.
    pub fn filestat(&self) -> &Filestat {
        &self.0
    }
}

/// A file opened for reading through a view; its fd is closed on drop.
pub struct ViewFile<'v, 's, S: System> {
    view: &'v FsView<'s, S>,
    fd: Fd,
    path: String,
}

impl<S: System> fmt::Debug for ViewFile<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewFile")
            .field("fd", &self.fd)
            .field("path", &self.path)
            .finish()
    }
}

impl<S: System> ViewFile<'_, '_, S> {
    /// Reads at `offset` without moving the file position (`fd_pread`).
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        self.view
            .sys
            .borrow_mut()
            .fd_pread(self.fd, &mut [IoSliceMut::new(buf)], offset)
            .map_err(|e| view_error(e, "read_at", &self.path))
    }

    /// The open file's metadata (`fd_filestat_get`).
    pub fn metadata(&self) -> io::Result<Metadata> {
        self.view
            .sys
            .borrow_mut()
            .fd_filestat_get(self.fd)
            .map(Metadata)
            .map_err(|e| view_error(e, "metadata", &self.path))
    }

    /// The guest fd (valid while this file lives).
    pub fn fd(&self) -> Fd {
        self.fd
    }
}

impl<S: System> Read for ViewFile<'_, '_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.view
            .sys
            .borrow_mut()
            .fd_read(self.fd, &mut [IoSliceMut::new(buf)])
            .map_err(|e| view_error(e, "read", &self.path))
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.view
            .sys
            .borrow_mut()
            .fd_read(self.fd, bufs)
            .map_err(|e| view_error(e, "read", &self.path))
    }
}

impl<S: System> Seek for ViewFile<'_, '_, S> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let (offset, whence) = match pos {
            SeekFrom::Start(n) => (
                i64::try_from(n).map_err(|_| view_error(Errno::Inval, "seek", &self.path))?,
                Whence::Set,
            ),
            SeekFrom::Current(n) => (n, Whence::Cur),
            SeekFrom::End(n) => (n, Whence::End),
        };
        self.view
            .sys
            .borrow_mut()
            .fd_seek(self.fd, offset, whence)
            .map_err(|e| view_error(e, "seek", &self.path))
    }
}

impl<S: System> Drop for ViewFile<'_, '_, S> {
    fn drop(&mut self) {
        // Nothing to report to: a failed close leaves nothing the view could fix.
        let _ = self.view.sys.borrow_mut().fd_close(self.fd);
    }
}

/// One entry of a directory listing.
pub struct DirEntry<'v, 's, S: System> {
    view: &'v FsView<'s, S>,
    name: String,
    path: String,
    file_type: FileType,
    ino: u64,
}

impl<S: System> fmt::Debug for DirEntry<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirEntry")
            .field("path", &self.path)
            .field("file_type", &self.file_type)
            .finish()
    }
}

impl<S: System> DirEntry<'_, '_, S> {
    /// The entry's name.
    pub fn file_name(&self) -> &str {
        &self.name
    }
    /// Its guest path relative to the view's root (the listed path joined with the name).
    pub fn path(&self) -> &str {
        &self.path
    }
    /// Its type as the listing reports it (a symlink is a symlink).
    pub fn file_type(&self) -> FileType {
        self.file_type
    }
    /// The inode number the listing reports.
    pub fn ino(&self) -> u64 {
        self.ino
    }
    /// Its metadata, fetched now through the view without following a symlink (as
    /// `std::fs::DirEntry::metadata`).
    pub fn metadata(&self) -> io::Result<Metadata> {
        self.view.symlink_metadata(&self.path)
    }
}

/// A lazy directory listing (see [`FsView::read_dir`]); its fd is closed on drop.
pub struct ReadDir<'v, 's, S: System> {
    view: &'v FsView<'s, S>,
    fd: Fd,
    dir: String,
    cookie: u64,
    /// Entries fetched but not yet returned; names that are not UTF-8 are errors in place.
    buf: VecDeque<io::Result<(String, Filetype, u64)>>,
    done: bool,
}

impl<S: System> fmt::Debug for ReadDir<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("fd", &self.fd)
            .field("dir", &self.dir)
            .finish()
    }
}

impl<S: System> ReadDir<'_, '_, S> {
    /// Fetches the next batch into `buf`.
    fn fill(&mut self) -> io::Result<()> {
        let mut got = 0usize;
        let mut next = self.cookie;
        let buf = &mut self.buf;
        let dir = &self.dir;
        let r = self
            .view
            .sys
            .borrow_mut()
            .fd_readdir(self.fd, self.cookie, &mut |d, name| {
                got += 1;
                next = d.d_next;
                if name != b"." && name != b".." {
                    buf.push_back(match std::str::from_utf8(name) {
                        Ok(s) => Ok((s.to_owned(), d.d_type, d.d_ino)),
                        Err(_) => Err(view_error(Errno::Ilseq, "read_dir", dir)),
                    });
                }
                // This entry is taken either way; stop once the batch is full.
                if got >= READDIR_BATCH {
                    ReaddirControl::Stop
                } else {
                    ReaddirControl::Continue
                }
            });
        r.map_err(|e| view_error(e, "read_dir", &self.dir))?;
        // Fewer than a batch means the stream ended; so does a cookie that stopped moving
        // (a system that repeats itself must not make the iterator spin forever).
        if got < READDIR_BATCH || next == self.cookie {
            self.done = true;
        }
        self.cookie = next;
        Ok(())
    }
}

impl<'v, 's, S: System> Iterator for ReadDir<'v, 's, S> {
    type Item = io::Result<DirEntry<'v, 's, S>>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.buf.is_empty() && !self.done {
            if let Err(e) = self.fill() {
                self.done = true;
                return Some(Err(e));
            }
        }
        let item = self.buf.pop_front()?;
        Some(item.map(|(name, t, ino)| DirEntry {
            view: self.view,
            path: join(&self.dir, &name),
            name,
            file_type: FileType(t),
            ino,
        }))
    }
}

impl<S: System> Drop for ReadDir<'_, '_, S> {
    fn drop(&mut self) {
        // Nothing to report to: a failed close leaves nothing the view could fix.
        let _ = self.view.sys.borrow_mut().fd_close(self.fd);
    }
}

/// A lazy depth-first walk (see [`FsView::walk`]).
pub struct Walk<'v, 's, S: System> {
    view: &'v FsView<'s, S>,
    /// Listings being walked, innermost last.
    stack: Vec<ReadDir<'v, 's, S>>,
    /// The directory to descend into next (and whether to follow a symlink naming it: only the
    /// starting path, as the caller named it).
    pending: Option<(String, bool)>,
}

impl<S: System> fmt::Debug for Walk<'_, '_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Walk")
            .field("depth", &self.stack.len())
            .finish()
    }
}

impl<'v, 's, S: System> Iterator for Walk<'v, 's, S> {
    type Item = io::Result<DirEntry<'v, 's, S>>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((dir, follow)) = self.pending.take() {
            // Below the start, opened without following: if a directory was swapped for a
            // symlink since it was listed, this fails (ELOOP/ENOTDIR) instead of wandering.
            match self.view.read_dir_with(&dir, follow) {
                Ok(rd) => self.stack.push(rd),
                Err(e) => return Some(Err(e)),
            }
        }
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(Ok(entry)) => {
                    if entry.file_type().is_dir() {
                        self.pending = Some((entry.path().to_owned(), false));
                    }
                    return Some(Ok(entry));
                }
                Some(Err(e)) => return Some(Err(e)),
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_treats_dot_and_empty_as_root() {
        assert_eq!(join(".", "a"), "a");
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("d/", "a"), "d/a");
        assert_eq!(join("d/e", "a"), "d/e/a");
    }

    #[test]
    fn errors_carry_errno_and_kind() {
        let e = view_error(Errno::Noent, "open", "x");
        assert_eq!(errno_of(&e), Some(Errno::Noent));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(e.to_string(), "open \"x\": ENOENT");
        let e = view_error(Errno::Notcapable, "open", "x");
        assert_eq!(errno_of(&e), Some(Errno::Notcapable));
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
        assert_eq!(view_error(Errno::Loop, "o", "x").kind(), {
            io::Error::from_raw_os_error(rustix::io::Errno::LOOP.raw_os_error()).kind()
        });
        assert_eq!(
            view_error(Errno::Isdir, "o", "x").kind(),
            io::ErrorKind::IsADirectory
        );
        assert_eq!(errno_of(&io::Error::other("x")), None);
    }

    #[test]
    fn every_errno_with_a_linux_number_round_trips() {
        for &e in Errno::ALL {
            if let Some(raw) = linux_errno(e) {
                assert_eq!(
                    Errno::from_host(rustix::io::Errno::from_raw_os_error(raw)),
                    e
                );
            }
        }
        assert_eq!(linux_errno(Errno::Io), Some(5));
        assert_eq!(linux_errno(Errno::Noent), Some(2));
        assert_eq!(linux_errno(Errno::Notcapable), None);
    }
}
