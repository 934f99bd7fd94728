//! The `path_*` calls. Every one resolves its guest path through the cap-std `Dir` of the fd
//! it names; the host never builds a path string. The one raw `*at` call that sees a guest
//! path is `path_filestat_get`'s `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)` for a single plain
//! name ([`single_component`]), which resolves nothing and follows nothing.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, OpenOptionsSyncExt,
    SystemTimeSpec,
};
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use rustix::fs::{FileType as RawType, OFlags};

use super::{Handle, UnixSystem, fd::check_fstflags, stat};
use crate::abi::{
    Errno, Fd, Fdflags, Filestat, Filetype, Fstflags, Lookupflags, Oflags, Rights, Timestamp,
};
use crate::system::Result;
use crate::table::{Entry, child_rights, path_open_required, trim_to_filetype};

/// Checks a guest path before any syscall: NUL is `EINVAL` (it would truncate the C string),
/// empty is `ENOENT` (as POSIX), absolute is `EPERM` — the same errno cap-std gives for any
/// other escape (`Errno::from_io` maps its `PermissionDenied`), so every path call answers
/// escapes consistently.
pub(crate) fn guest_path(path: &str) -> Result<&Path> {
    if path.contains('\0') {
        return Err(Errno::Inval);
    }
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    if path.starts_with('/') {
        return Err(Errno::Perm);
    }
    Ok(Path::new(path))
}

/// The `Dir` of a directory entry. `UnixSystem::dir` already checked the variant; this
/// answers ENOTDIR rather than panicking should that ever change.
fn dir_of(e: &Entry<Handle>) -> Result<&Dir> {
    match &e.handle {
        Handle::Dir { dir, .. } => Ok(dir),
        _ => Err(Errno::Notdir),
    }
}

/// Whether the path's form says its last component must be a directory: a trailing slash, or
/// a final `.` ("a/." needs `a` to be a directory). cap-std normalises both away and would act
/// on `a` itself (stat a file, unlink it), so the calls check this form themselves.
fn names_dir(path: &str) -> bool {
    let t = path.trim_end_matches('/');
    t.len() != path.len() || t.ends_with("/.")
}

/// Whether to follow a final symlink. POSIX: a trailing slash makes even `lstat` resolve the
/// last component as a directory, following a symlink there; cap-std would instead act on the
/// link itself. Forcing `Yes` gives POSIX's answer and sends the lookup through cap-std's
/// sandboxed resolution, so a slashed link pointing out is the usual escape error.
fn follow(flags: Lookupflags, path: &str) -> FollowSymlinks {
    if flags.contains(Lookupflags::SYMLINK_FOLLOW) || names_dir(path) {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    }
}

fn io(e: std::io::Error) -> Errno {
    stat::errno(e)
}

fn time_spec(t: Timestamp, set: bool, now: bool) -> Option<SystemTimeSpec> {
    if now {
        Some(SystemTimeSpec::SymbolicNow)
    } else if set {
        let t = UNIX_EPOCH.checked_add(Duration::from_nanos(t))?;
        Some(SystemTimeSpec::Absolute(
            cap_std::time::SystemTime::from_std(t),
        ))
    } else {
        None
    }
}

/// `ENOTDIR` unless `path` (resolved following symlinks, inside the sandbox) is a directory.
fn require_dir(dir: &Dir, path: &str) -> Result<()> {
    if dir.metadata(Path::new(path)).map_err(io)?.is_dir() {
        Ok(())
    } else {
        Err(Errno::Notdir)
    }
}

/// `path` as a single plain name of its directory, if it is one: no `/` anywhere (so no
/// trailing slash and nothing to resolve on the way), not `.` or `..` (which name the
/// directory itself or its parent), and not empty. Such a name can be looked up with one
/// `*at` syscall relative to the directory fd without following anything.
/// `guest_path` has already refused NUL.
fn single_component(path: &str) -> Option<&str> {
    let plain = !path.is_empty() && path != "." && path != ".." && !path.contains('/');
    plain.then_some(path)
}

/// Splits off a trailing slash: `"a/"` → (`"a"`, true). `"/"`-only paths were refused earlier.
fn strip_trailing_slash(p: &str) -> (&str, bool) {
    let t = p.trim_end_matches('/');
    if t.len() == p.len() {
        (p, false)
    } else {
        (t, true)
    }
}

impl UnixSystem {
    fn dir_handle(&self, fd: Fd, required: Rights) -> Result<&Dir> {
        dir_of(self.dir(fd, required)?)
    }

    pub(super) fn do_path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        let dir = self.dir_handle(fd, Rights::PATH_CREATE_DIRECTORY)?;
        guest_path(path)?;
        // "d/" names a directory, which is what mkdir makes; cap-std refuses the slash.
        let (base, _) = strip_trailing_slash(path);
        dir.create_dir(Path::new(base)).map_err(io)
    }

    pub(super) fn do_path_filestat_get(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
    ) -> Result<Filestat> {
        let dir = self.dir_handle(fd, Rights::PATH_FILESTAT_GET)?;
        let p = guest_path(path)?;
        if let Some(name) = single_component(path) {
            // One plain name: `fstatat(dir, name, AT_SYMLINK_NOFOLLOW)` looks up exactly one
            // entry of `dir` and follows nothing, so it cannot leave the sandbox (invariant 1
            // of SECURITY.md holds: the lookup is relative to the fd's own directory handle).
            // It is the whole answer unless the entry is a symlink the guest asked to follow;
            // that one goes through cap-std's resolver below, like every longer path.
            let st = rustix::fs::statat(dir, name, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)?;
            let is_link = RawType::from_raw_mode(st.st_mode) == RawType::Symlink;
            if !(is_link && flags.contains(Lookupflags::SYMLINK_FOLLOW)) {
                return Ok(stat::filestat_of_stat(&st, None));
            }
        }
        let meta = match follow(flags, path) {
            FollowSymlinks::Yes => dir.metadata(p),
            FollowSymlinks::No => dir.symlink_metadata(p),
        }
        .map_err(io)?;
        if names_dir(path) && !meta.is_dir() {
            return Err(Errno::Notdir);
        }
        Ok(stat::filestat_of_meta(&meta))
    }

    pub(super) fn do_path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<()> {
        let dir = self.dir_handle(fd, Rights::PATH_FILESTAT_SET_TIMES)?;
        let p = guest_path(path)?;
        check_fstflags(fst_flags)?;
        if names_dir(path) {
            require_dir(dir, path)?;
        }
        let a = time_spec(
            atim,
            fst_flags.contains(Fstflags::ATIM),
            fst_flags.contains(Fstflags::ATIM_NOW),
        );
        let m = time_spec(
            mtim,
            fst_flags.contains(Fstflags::MTIM),
            fst_flags.contains(Fstflags::MTIM_NOW),
        );
        match follow(flags, path) {
            FollowSymlinks::Yes => dir.set_times(p, a, m),
            FollowSymlinks::No => dir.set_symlink_times(p, a, m),
        }
        .map_err(io)
    }

    pub(super) fn do_path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()> {
        let old = self.dir(old_fd, Rights::PATH_LINK_SOURCE)?;
        let new = self.dir(new_fd, Rights::PATH_LINK_TARGET)?;
        let (op, np) = (guest_path(old_path)?, guest_path(new_path)?);
        // Following a source symlink would need the kernel's AT_SYMLINK_FOLLOW, which resolves
        // the link's target outside cap-std's sandboxed lookup. wasmtime 48 refuses it with
        // EINVAL; so do we.
        if old_flags.contains(Lookupflags::SYMLINK_FOLLOW) {
            return Err(Errno::Inval);
        }
        let old_dir = dir_of(old)?;
        if names_dir(old_path) {
            // "x/" names a directory, and directories cannot be hard-linked (EPERM, as
            // Linux); a file there is ENOTDIR.
            require_dir(old_dir, old_path)?;
            return Err(Errno::Perm);
        }
        old_dir.hard_link(op, dir_of(new)?, np).map_err(io)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn do_path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd> {
        let parent = self.dir(fd, path_open_required(oflags))?;
        let p = guest_path(path)?;
        let want_dir = oflags.contains(Oflags::DIRECTORY);
        // As wasmtime: DIRECTORY cannot be combined with creating or truncating.
        if want_dir && oflags.intersects(Oflags::CREAT | Oflags::EXCL | Oflags::TRUNC) {
            return Err(Errno::Inval);
        }
        let rights = child_rights(parent.rights_inheriting, rights_base, rights_inheriting)?;
        let dir = dir_of(parent)?;

        let mut opts = OpenOptions::new();
        if want_dir {
            // O_DIRECTORY: never opens (and so never blocks on) a FIFO or device. Opened for
            // reading, not through `Dir::open_dir`, whose O_PATH fds cannot be listed.
            opts.read(true)
                .custom_flags(OFlags::DIRECTORY.bits() as i32);
        } else {
            let creating = oflags.contains(Oflags::CREAT);
            let truncating = oflags.contains(Oflags::TRUNC);
            if creating && names_dir(path) {
                // O_CREAT on "x/" is EISDIR on Linux whatever x is. Report a resolution
                // failure (escape, loop) first, so an escaping name answers like every other
                // escape.
                match dir.metadata(p).map_err(io) {
                    Err(e) if !matches!(e, Errno::Noent | Errno::Notdir) => return Err(e),
                    _ => return Err(Errno::Isdir),
                }
            }
            // Write access at the OS level only for FD_WRITE, as wasmtime 48 (p1.rs path_open):
            // Go's O_RDONLY mask carries FD_FILESTAT_SET_SIZE, and opening for writing
            // because of it would fail on read-only host files (EACCES/EROFS) and on
            // directories (EISDIR). `OpenRights::write` counts those rights too, so it is
            // not used here; the kernel still refuses ftruncate/fallocate on such an fd.
            // Creating or truncating needs a writable open even without FD_WRITE (POSIX
            // allows O_CREAT|O_RDONLY, std's API does not); the rights still decide what the
            // guest may do with the fd.
            let write = rights.base.contains(Rights::FD_WRITE) || creating || truncating;
            opts.read(rights.read || !write).write(write);
            if creating {
                if oflags.contains(Oflags::EXCL) {
                    opts.create_new(true);
                } else {
                    opts.create(true);
                }
            }
            opts.truncate(truncating);
            if fdflags.contains(Fdflags::APPEND) {
                opts.append(true);
            }
        }
        opts.nonblock(fdflags.contains(Fdflags::NONBLOCK));
        opts.dsync(fdflags.contains(Fdflags::DSYNC));
        opts.sync(fdflags.contains(Fdflags::SYNC));
        opts.rsync(fdflags.contains(Fdflags::RSYNC));
        opts.follow(follow(dirflags, path));
        // Directories may be opened without O_DIRECTORY (wasi-libc's opendir does); the
        // kernel answers EISDIR if write access was asked for.
        opts.maybe_dir(true);
        let file = dir.open_with(p, &opts).map_err(io)?.into_std();

        let fd_owned = std::os::fd::OwnedFd::from(file);
        // The type comes from what was opened, never from the guest's flags alone: with
        // O_DIRECTORY the kernel opened a directory or nothing (ENOTDIR), so no fstat is
        // needed (wasi-libc's opendir asks for one); anything else is typed by fstat.
        let filetype = if want_dir {
            Filetype::Directory
        } else {
            stat::filetype_of_fd(std::os::fd::AsFd::as_fd(&fd_owned))?
        };
        if (want_dir || names_dir(path)) && filetype != Filetype::Directory {
            return Err(Errno::Notdir);
        }
        let (handle, inheriting) = if filetype == Filetype::Directory {
            (
                Handle::Dir {
                    dir: Dir::from(fd_owned),
                    stream: None,
                },
                rights.inheriting,
            )
        } else {
            (Handle::Other(fd_owned), rights.inheriting)
        };
        self.table.insert(Entry {
            handle,
            filetype,
            rights_base: trim_to_filetype(rights.base, filetype),
            rights_inheriting: inheriting,
            preopen: None,
        })
    }

    pub(super) fn do_path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize> {
        let dir = self.dir_handle(fd, Rights::PATH_READLINK)?;
        // `read_link` (not `read_link_contents`) refuses absolute targets with the escape
        // error, as wasmtime 48 does: the guest cannot use them, and they name host paths.
        let p = guest_path(path)?;
        if names_dir(path) {
            // "link/" or "link/." resolve the link to a directory, which is not a symlink
            // (EINVAL, as readlinkat); a file there is ENOTDIR; escapes are refused.
            require_dir(dir, path)?;
            return Err(Errno::Inval);
        }
        let target = dir.read_link(p).map_err(io)?;
        let bytes = std::os::unix::ffi::OsStrExt::as_bytes(target.as_os_str());
        let n = bytes.len().min(buf.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        Ok(n)
    }

    pub(super) fn do_path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        let dir = self.dir_handle(fd, Rights::PATH_REMOVE_DIRECTORY)?;
        guest_path(path)?;
        // rmdir(".") is EINVAL in POSIX; cap-std would otherwise try to remove the base dir.
        // A trailing slash is fine on a directory (cap-std refuses it, so strip it).
        let (base, _) = strip_trailing_slash(path);
        if names_dir(path) {
            // The slash (or final ".") makes the name resolve, following a symlink inside
            // the sandbox only: an escaping link is the escape error, a file ENOTDIR.
            require_dir(dir, path)?;
        }
        if base == "." || base.ends_with("/.") {
            return Err(Errno::Inval);
        }
        if base == ".." || base.ends_with("/..") {
            // Linux's rmdir answers ENOTEMPTY for a final ".." (do_rmdir's LAST_DOTDOT), once
            // the path has resolved: a ".." leading out is the escape error, a missing or
            // non-directory step its own errno. cap-std would try to remove the parent.
            require_dir(dir, base)?;
            return Err(Errno::Notempty);
        }
        dir.remove_dir(Path::new(base)).map_err(io)
    }

    pub(super) fn do_path_rename(
        &mut self,
        fd: Fd,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()> {
        let old = self.dir(fd, Rights::PATH_RENAME_SOURCE)?;
        let new = self.dir(new_fd, Rights::PATH_RENAME_TARGET)?;
        let (op, np) = (guest_path(old_path)?, guest_path(new_path)?);
        let old_dir = dir_of(old)?;
        if names_dir(old_path) || names_dir(new_path) {
            // A slash on either name says "directory" (POSIX rename): the source must be one,
            // else ENOTDIR. cap-std drops the slash and would move a file to "new/".
            // Resolution errors come first, as the kernel resolves both names before
            // comparing types: an escaping target is EPERM whatever the source is.
            let new_dir = dir_of(new)?;
            if names_dir(new_path) {
                match new_dir.metadata(np).map_err(io) {
                    Ok(_) | Err(Errno::Noent) => {}
                    Err(e) => return Err(e),
                }
            }
            require_dir(old_dir, old_path)?;
        }
        old_dir.rename(op, dir_of(new)?, np).map_err(io)
    }

    pub(super) fn do_path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()> {
        let dir = self.dir_handle(fd, Rights::PATH_SYMLINK)?;
        let np = guest_path(new_path)?;
        if old_path.contains('\0') {
            return Err(Errno::Inval);
        }
        // An absolute target could never be followed inside the sandbox; wasmtime refuses to
        // create one (EPERM). Relative targets with `..` are fine to create: following them
        // later is what the sandbox checks.
        if old_path.starts_with('/') {
            return Err(Errno::Perm);
        }
        dir.symlink(old_path, np).map_err(io)
    }

    pub(super) fn do_path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()> {
        let dir = self.dir_handle(fd, Rights::PATH_UNLINK_FILE)?;
        let p = guest_path(path)?;
        if names_dir(path) {
            // "x/" must resolve to a directory (following a symlink, inside the sandbox only,
            // so an escaping link is the escape error): a file is ENOTDIR, a directory EISDIR
            // (unlink never removes one), as Linux answers.
            let meta = dir.metadata(Path::new(path)).map_err(io)?;
            return Err(if meta.is_dir() {
                Errno::Isdir
            } else {
                Errno::Notdir
            });
        }
        match dir.remove_file_or_symlink(p) {
            Ok(()) => Ok(()),
            // Linux's unlinkat says EISDIR for a directory; some paths through cap-std report
            // EPERM (POSIX's answer) instead. Normalise on EISDIR, as wasmtime does.
            Err(e) => {
                let errno = io(e);
                if errno == Errno::Perm
                    && dir.symlink_metadata(p).map(|m| m.is_dir()).unwrap_or(false)
                {
                    Err(Errno::Isdir)
                } else {
                    Err(errno)
                }
            }
        }
    }
}
