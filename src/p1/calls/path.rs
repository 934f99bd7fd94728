//! `path_*`: calls that name a path relative to a directory fd.
//!
//! Paths are witx `string`s: bounds-checked (`EFAULT`), then UTF-8 (`EILSEQ`). They borrow
//! guest memory only for the duration of the host call; results are written afterwards.

use super::CallResult;
use crate::abi::Filestat;
use crate::p1::{decode, memory};
use crate::system::System;

/// `path_create_directory`: decodes the path and creates the directory.
pub fn path_create_directory<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
) -> CallResult {
    sys.path_create_directory(fd, memory::str(mem, path, path_len)?)
}

/// `path_filestat_get`: decodes the lookup flags and path, writes the file's `filestat` to
/// `out`.
pub fn path_filestat_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    out: u32,
) -> CallResult {
    let flags = decode::lookupflags(flags)?;
    memory::check(mem, out, Filestat::SIZE as u32, Filestat::ALIGN as u32)?;
    let stat = sys.path_filestat_get(fd, flags, memory::str(mem, path, path_len)?)?;
    memory::write_array(mem, out, Filestat::ALIGN as u32, &stat.encode())
}

/// `path_filestat_set_times`: decodes the lookup flags, `fstflags` and path, sets the times.
#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> CallResult {
    let flags = decode::lookupflags(flags)?;
    let fst_flags = decode::fstflags(fst_flags)?;
    let path = memory::str(mem, path, path_len)?;
    sys.path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)
}

/// `path_link`: decodes the lookup flags and both paths, creates the hard link.
#[allow(clippy::too_many_arguments)]
pub fn path_link<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> CallResult {
    let old_flags = decode::lookupflags(old_flags)?;
    let old_path = memory::str(mem, old_path, old_path_len)?;
    let new_path = memory::str(mem, new_path, new_path_len)?;
    sys.path_link(old_fd, old_flags, old_path, new_fd, new_path)
}

/// `path_open`. The out-pointer is checked before the open so that a bad pointer cannot leak
/// an fd the guest never learns about; should the write still fail, the fd is closed again.
#[allow(clippy::too_many_arguments)]
pub fn path_open<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    opened: u32,
) -> CallResult {
    let dirflags = decode::lookupflags(dirflags)?;
    let oflags = decode::oflags(oflags)?;
    let fdflags = decode::fdflags(fdflags)?;
    let (base, inheriting) = (
        decode::rights(rights_base),
        decode::rights(rights_inheriting),
    );
    memory::check(mem, opened, 4, 4)?;
    let path = memory::str(mem, path, path_len)?;
    let new = sys.path_open(fd, dirflags, path, oflags, base, inheriting, fdflags)?;
    memory::write_u32(mem, opened, new).inspect_err(|_| {
        let _ = sys.fd_close(new);
    })
}

/// `path_readlink`: the target is copied straight into the guest buffer (truncated to fit).
#[allow(clippy::too_many_arguments)]
pub fn path_readlink<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> CallResult {
    memory::check(mem, bufused, 4, 4)?;
    let (path, buf) = memory::str_and_slice_mut(mem, path, path_len, buf, buf_len)?;
    let cap = buf.len();
    let n = sys.path_readlink(fd, &path, buf)?.min(cap);
    drop(path);
    memory::write_u32(mem, bufused, super::size(n))
}

/// `path_remove_directory`: decodes the path and removes the directory.
pub fn path_remove_directory<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
) -> CallResult {
    sys.path_remove_directory(fd, memory::str(mem, path, path_len)?)
}

/// `path_rename`: decodes both paths and renames.
#[allow(clippy::too_many_arguments)]
pub fn path_rename<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> CallResult {
    let old_path = memory::str(mem, old_path, old_path_len)?;
    let new_path = memory::str(mem, new_path, new_path_len)?;
    sys.path_rename(fd, old_path, new_fd, new_path)
}

/// `path_symlink`: decodes the target (`old_path`) and link path, creates the symlink.
pub fn path_symlink<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> CallResult {
    let old_path = memory::str(mem, old_path, old_path_len)?;
    let new_path = memory::str(mem, new_path, new_path_len)?;
    sys.path_symlink(old_path, fd, new_path)
}

/// `path_unlink_file`: decodes the path and unlinks the file.
pub fn path_unlink_file<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    fd: u32,
    path: u32,
    path_len: u32,
) -> CallResult {
    sys.path_unlink_file(fd, memory::str(mem, path, path_len)?)
}
