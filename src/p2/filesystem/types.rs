//! `wasi:filesystem/types`: every `descriptor` method, `directory-entry-stream` and
//! `filesystem-error-code`, each as the preview 1 call(s) it amounts to.
//!
//! Each method makes its preview 1 call straight away; the system checks the fd's rights.
//! When it refuses (`ENOTCAPABLE`), the descriptor's rights are looked at (`fd_fdstat_get`,
//! on the error path only) so that the code says *why* (see `WasiP2::explain`): `read-only`
//! for a change through a read-only descriptor, `bad-descriptor` for I/O a file was not
//! opened for, `is-directory`/`not-directory` for the wrong kind of descriptor, and
//! `not-permitted` for what the sandbox refused with every right present (a path escaping
//! its directory). Calls that make a resource before any I/O (`read-via-stream`,
//! `read-directory`, ...) and `open-at` (whose `read-only` rule the interface states) check
//! up front.

use std::hash::BuildHasher;
use std::io::{IoSlice, IoSliceMut};

use wasmtime::component::Resource;

use crate::abi::{Errno, Fd, Filestat, Filetype, Rights};
use crate::p2::bindings::wasi::filesystem::types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode, Host,
    HostDescriptor, HostDirectoryEntryStream, MetadataHashValue, NewTimestamp, OpenFlags,
    PathFlags,
};
use crate::p2::ctx::WasiP2;
use crate::p2::io::{InputStream, IoError, OutputStream};
use crate::system::System;

use super::convert::{self, MUTATE_DIRECTORY};
use super::error::refusal;
use super::{Descriptor, DirectoryEntryStream, FsError, error_code};

/// Most bytes one `read` returns: the guest names a 64-bit length, the host allocates at most
/// this (a short read is allowed; `read` reports the end of the file separately).
const MAX_READ: usize = crate::p2::io::MAX_READ_LEN;

/// Longest symlink target `readlink-at` returns: Linux's `PATH_MAX` with its NUL.
const MAX_LINK: usize = 4096;

/// What kind of fd a descriptor method works on, for [`WasiP2::explain`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Kind {
    /// Any descriptor.
    Any,
    /// Byte I/O: not a directory.
    File,
    /// Path calls and listings: a directory.
    Dir,
}

impl<S: System> WasiP2<S> {
    /// Puts a descriptor for `fd` in the table, keeping `fd` open while it lives.
    pub(crate) fn push_descriptor(&mut self, fd: Fd) -> wasmtime::Result<Resource<Descriptor>> {
        let r = self.table.push(Descriptor { fd })?;
        self.retain(fd);
        Ok(r)
    }

    fn fd_of(&self, d: &Resource<Descriptor>) -> Result<Fd, FsError> {
        Ok(self.table.get(d)?.fd)
    }

    /// The error to report for `e`, which the system answered a call on `fd` that needs
    /// `needed` rights and an fd of `kind`.
    ///
    /// Only `ENOTCAPABLE` needs a second look (one `fd_fdstat_get`, on the error path only):
    /// a byte call on a directory is `is-directory`, a path call on a non-directory
    /// `not-directory`, a missing right is what [`refusal`] says (`read-only`,
    /// `bad-descriptor`, `not-permitted`); a refusal with every right present was the
    /// sandbox's (a path leaving its directory), `not-permitted`.
    fn explain(&mut self, fd: Fd, e: Errno, needed: Rights, kind: Kind) -> FsError {
        if e != Errno::Notcapable {
            return e.into();
        }
        let Ok(st) = self.sys.fd_fdstat_get(fd) else {
            return e.into();
        };
        match kind {
            Kind::File if st.filetype == Filetype::Directory => {
                return ErrorCode::IsDirectory.into();
            }
            Kind::Dir if st.filetype != Filetype::Directory => {
                return ErrorCode::NotDirectory.into();
            }
            _ => {}
        }
        let missing = needed - st.rights_base;
        if missing.is_empty() {
            e.into()
        } else {
            refusal(missing, st.filetype).into()
        }
    }

    /// [`Self::explain`] for a call on two directories (`link-at`, `rename-at`): the first
    /// needs `old_right`, the second `new_right`.
    fn explain2(&mut self, e: Errno, old: (Fd, Rights), new: (Fd, Rights)) -> FsError {
        let first = self.explain(old.0, e, old.1, Kind::Dir);
        if first.code() != Some(ErrorCode::NotPermitted) {
            return first;
        }
        self.explain(new.0, e, new.1, Kind::Dir)
    }

    /// Runs `call` on the system; an error is reported as [`Self::explain`] says.
    fn on_fd<T>(
        &mut self,
        fd: Fd,
        needed: Rights,
        kind: Kind,
        call: impl FnOnce(&mut S) -> Result<T, Errno>,
    ) -> Result<T, FsError> {
        call(&mut self.sys).map_err(|e| self.explain(fd, e, needed, kind))
    }

    /// The fd behind `d`, checked up front (for calls that make a resource before any I/O):
    /// `not-directory` unless it is a directory, then what [`refusal`] says unless it holds
    /// `needed`.
    fn require_dir(&mut self, d: &Resource<Descriptor>, needed: Rights) -> Result<Fd, FsError> {
        let fd = self.fd_of(d)?;
        let st = self.sys.fd_fdstat_get(fd)?;
        if st.filetype != Filetype::Directory {
            return Err(ErrorCode::NotDirectory.into());
        }
        let missing = needed - st.rights_base;
        if !missing.is_empty() {
            return Err(refusal(missing, st.filetype).into());
        }
        Ok(fd)
    }

    /// As [`Self::require_dir`], for byte I/O on a file: `is-directory` for a directory.
    /// The fd a `read-via-stream`/`write-via-stream` works on, needing `access`, and how: a
    /// regular file at `offset` (also needing `FD_SEEK`: `pread`/`pwrite`), a FIFO or device in
    /// order (it has no offset, so only 0 means anything: `invalid-seek` otherwise).
    fn stream_target(
        &mut self,
        d: &Resource<Descriptor>,
        access: Rights,
        offset: u64,
    ) -> Result<(Fd, Positioned), FsError> {
        let fd = self.fd_of(d)?;
        if self.sys.fd_fdstat_get(fd)?.filetype == Filetype::RegularFile {
            let fd = self.require_file(d, access | Rights::FD_SEEK)?;
            Ok((fd, Positioned::At(offset)))
        } else if offset != 0 {
            self.require_file(d, access)?;
            Err(ErrorCode::InvalidSeek.into())
        } else {
            Ok((self.require_file(d, access)?, Positioned::Sequential))
        }
    }

    fn require_file(&mut self, d: &Resource<Descriptor>, needed: Rights) -> Result<Fd, FsError> {
        let fd = self.fd_of(d)?;
        let st = self.sys.fd_fdstat_get(fd)?;
        if st.filetype == Filetype::Directory {
            return Err(ErrorCode::IsDirectory.into());
        }
        let missing = needed - st.rights_base;
        if !missing.is_empty() {
            return Err(refusal(missing, st.filetype).into());
        }
        Ok(fd)
    }

    /// The 128-bit `metadata-hash` of a stat: the file's identity (device, inode) through two
    /// SipHash keys of this context, so equal for two names of one file and (but for a
    /// 2^-128 chance) different for different files.
    ///
    /// The interface encourages also changing the hash when the file is modified, but the
    /// preview 1 adapter reports `metadata-hash-at(...).lower` as the file's inode number
    /// (0.2 stats have none), and an inode number that changed with every write would break
    /// programs comparing `st_ino`; wasmtime hashes the identity only for the same reason.
    pub(crate) fn metadata_hash_of(&self, st: &Filestat) -> MetadataHashValue {
        let fields = (st.dev, st.ino);
        MetadataHashValue {
            lower: self.hash_keys[0].hash_one(fields),
            upper: self.hash_keys[1].hash_one(fields),
        }
    }
}

impl<S: System> Host for WasiP2<S> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        err.into_code()
    }

    /// Every stream error capwasi makes carries the errno of a system call, so there is
    /// always a code.
    fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(Some(error_code(self.table.get(&err)?.errno())))
    }
}

/// Where a file stream reads or writes: at an offset it advances, or in order.
enum Positioned {
    At(u64),
    Sequential,
}

impl<S: System> HostDescriptor for WasiP2<S> {
    /// A regular file is read with `pread` from `offset`; a FIFO or device (no offset to
    /// read at) with `read`, where only offset 0 makes sense (`invalid-seek` otherwise).
    fn read_via_stream(
        &mut self,
        d: Resource<Descriptor>,
        offset: u64,
    ) -> Result<Resource<InputStream>, FsError> {
        let stream = match self.stream_target(&d, Rights::FD_READ, offset)? {
            (fd, Positioned::At(offset)) => InputStream::file(fd, offset),
            (fd, Positioned::Sequential) => InputStream::from_fd(fd),
        };
        Ok(self.push_input_stream(stream)?)
    }

    /// As `read-via-stream`: `pwrite` to a regular file, `write` to a FIFO or device.
    fn write_via_stream(
        &mut self,
        d: Resource<Descriptor>,
        offset: u64,
    ) -> Result<Resource<OutputStream>, FsError> {
        let stream = match self.stream_target(&d, Rights::FD_WRITE, offset)? {
            (fd, Positioned::At(offset)) => OutputStream::file(fd, offset),
            (fd, Positioned::Sequential) => OutputStream::from_fd(fd),
        };
        Ok(self.push_output_stream(stream)?)
    }

    fn append_via_stream(
        &mut self,
        d: Resource<Descriptor>,
    ) -> Result<Resource<OutputStream>, FsError> {
        let fd = self.require_file(
            &d,
            Rights::FD_WRITE | Rights::FD_SEEK | Rights::FD_FILESTAT_GET,
        )?;
        Ok(self.push_output_stream(OutputStream::append(fd))?)
    }

    fn advise(
        &mut self,
        d: Resource<Descriptor>,
        offset: u64,
        length: u64,
        advice: Advice,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::FD_ADVISE, Kind::Any, |sys| {
            sys.fd_advise(fd, offset, length, convert::advice(advice))
        })
    }

    fn sync_data(&mut self, d: Resource<Descriptor>) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::FD_DATASYNC, Kind::Any, |sys| {
            sys.fd_datasync(fd)
        })
    }

    fn get_flags(&mut self, d: Resource<Descriptor>) -> Result<DescriptorFlags, FsError> {
        let fd = self.fd_of(&d)?;
        Ok(convert::descriptor_flags(&self.sys.fd_fdstat_get(fd)?))
    }

    /// The type the fd table recorded (from `fstat` when the fd was opened). Needs no right.
    fn get_type(&mut self, d: Resource<Descriptor>) -> Result<DescriptorType, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.sys.fd_fdstat_get(fd)?;
        Ok(convert::descriptor_type(st.filetype))
    }

    fn set_size(&mut self, d: Resource<Descriptor>, size: u64) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::FD_FILESTAT_SET_SIZE, Kind::File, |sys| {
            sys.fd_filestat_set_size(fd, size)
        })
    }

    fn set_times(
        &mut self,
        d: Resource<Descriptor>,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        let (a, m, flags) = convert::set_times(atim, mtim)?;
        self.on_fd(fd, Rights::FD_FILESTAT_SET_TIMES, Kind::Any, |sys| {
            sys.fd_filestat_set_times(fd, a, m, flags)
        })
    }

    /// `pread` of up to `length` bytes (at most 64 KiB per call); the end of the file is
    /// reached when fewer bytes came back than were asked for.
    fn read(
        &mut self,
        d: Resource<Descriptor>,
        length: u64,
        offset: u64,
    ) -> Result<(Vec<u8>, bool), FsError> {
        let fd = self.fd_of(&d)?;
        let want = usize::try_from(length).unwrap_or(usize::MAX).min(MAX_READ);
        let mut buf = vec![0u8; want];
        let mut got = 0;
        // pread may return short before the end (a signal); only 0 bytes means the end.
        while got < want {
            match self.sys.fd_pread(
                fd,
                &mut [IoSliceMut::new(&mut buf[got..])],
                offset.saturating_add(got as u64),
            ) {
                Ok(0) => break,
                // Clamped: a system reporting more than the slice held must not move `got`
                // past the buffer.
                Ok(n) => got += n.min(want - got),
                Err(Errno::Intr) => {}
                Err(e) => {
                    return Err(self.explain(fd, e, Rights::FD_READ | Rights::FD_SEEK, Kind::File));
                }
            }
        }
        buf.truncate(got);
        let eof = (got as u64) < length;
        Ok((buf, eof))
    }

    fn write(
        &mut self,
        d: Resource<Descriptor>,
        buffer: Vec<u8>,
        offset: u64,
    ) -> Result<u64, FsError> {
        let fd = self.fd_of(&d)?;
        let n = self.on_fd(fd, Rights::FD_WRITE | Rights::FD_SEEK, Kind::File, |sys| {
            sys.fd_pwrite(fd, &[IoSlice::new(&buffer)], offset)
        })?;
        Ok(n as u64)
    }

    fn read_directory(
        &mut self,
        d: Resource<Descriptor>,
    ) -> Result<Resource<DirectoryEntryStream>, FsError> {
        let fd = self.require_dir(&d, Rights::FD_READDIR)?;
        let r = self.table.push(DirectoryEntryStream::new(fd))?;
        self.retain(fd);
        Ok(r)
    }

    fn sync(&mut self, d: Resource<Descriptor>) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::FD_SYNC, Kind::Any, |sys| sys.fd_sync(fd))
    }

    fn create_directory_at(
        &mut self,
        d: Resource<Descriptor>,
        path: String,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::PATH_CREATE_DIRECTORY, Kind::Dir, |sys| {
            sys.path_create_directory(fd, &path)
        })
    }

    fn stat(&mut self, d: Resource<Descriptor>) -> Result<DescriptorStat, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.on_fd(fd, Rights::FD_FILESTAT_GET, Kind::Any, |sys| {
            sys.fd_filestat_get(fd)
        })?;
        Ok(convert::descriptor_stat(&st))
    }

    fn stat_at(
        &mut self,
        d: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> Result<DescriptorStat, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.on_fd(fd, Rights::PATH_FILESTAT_GET, Kind::Dir, |sys| {
            sys.path_filestat_get(fd, convert::lookupflags(flags), &path)
        })?;
        Ok(convert::descriptor_stat(&st))
    }

    fn set_times_at(
        &mut self,
        d: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        let (a, m, fst) = convert::set_times(atim, mtim)?;
        self.on_fd(fd, Rights::PATH_FILESTAT_SET_TIMES, Kind::Dir, |sys| {
            sys.path_filestat_set_times(fd, convert::lookupflags(flags), &path, a, m, fst)
        })
    }

    fn link_at(
        &mut self,
        d: Resource<Descriptor>,
        old_flags: PathFlags,
        old_path: String,
        new_d: Resource<Descriptor>,
        new_path: String,
    ) -> Result<(), FsError> {
        let old_fd = self.fd_of(&d)?;
        let new_fd = self.fd_of(&new_d)?;
        let lookup = convert::lookupflags(old_flags);
        self.sys
            .path_link(old_fd, lookup, &old_path, new_fd, &new_path)
            .map_err(|e| {
                self.explain2(
                    e,
                    (old_fd, Rights::PATH_LINK_SOURCE),
                    (new_fd, Rights::PATH_LINK_TARGET),
                )
            })
    }

    /// `path_open` with the rights the flags stand for (see `convert::open_rights`).
    ///
    /// As the interface says, `write`, `create`, `truncate` or `mutate-directory` through a
    /// directory that cannot change its entries is `read-only`; the system then trims what
    /// else was asked to what the directory can hand down.
    fn open_at(
        &mut self,
        d: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        open_flags: OpenFlags,
        flags: DescriptorFlags,
    ) -> Result<Resource<Descriptor>, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.sys.fd_fdstat_get(fd)?;
        if st.filetype != Filetype::Directory {
            return Err(ErrorCode::NotDirectory.into());
        }
        if !st.rights_base.contains(Rights::PATH_OPEN) {
            return Err(refusal(Rights::PATH_OPEN, st.filetype).into());
        }
        let mutable = st.rights_base.intersects(MUTATE_DIRECTORY);
        let changes = flags.intersects(DescriptorFlags::WRITE | DescriptorFlags::MUTATE_DIRECTORY)
            || open_flags.intersects(OpenFlags::CREATE | OpenFlags::TRUNCATE);
        if changes && !mutable {
            return Err(ErrorCode::ReadOnly.into());
        }
        let oflags = convert::oflags(open_flags);
        let base = convert::open_rights(flags);
        let new_fd = self.sys.path_open(
            fd,
            convert::lookupflags(path_flags),
            &path,
            oflags,
            base,
            // Children of the new fd may get whatever it may hand down; the system intersects
            // with this directory's inheriting rights.
            Rights::all(),
            convert::fdflags(flags),
        )?;
        match self.push_descriptor(new_fd) {
            Ok(r) => Ok(r),
            Err(e) => {
                // The table is full: nothing will ever refer to the new fd.
                let _ = self.sys.fd_close(new_fd);
                Err(e.into())
            }
        }
    }

    /// `path_readlink` into a buffer one byte longer than the longest target Linux stores, so
    /// a full buffer means the target did not fit.
    fn readlink_at(&mut self, d: Resource<Descriptor>, path: String) -> Result<String, FsError> {
        let fd = self.fd_of(&d)?;
        let mut buf = vec![0u8; MAX_LINK + 1];
        let n = self.on_fd(fd, Rights::PATH_READLINK, Kind::Dir, |sys| {
            sys.path_readlink(fd, &path, &mut buf)
        })?;
        if n > MAX_LINK {
            return Err(ErrorCode::NameTooLong.into());
        }
        buf.truncate(n);
        String::from_utf8(buf).map_err(|_| ErrorCode::IllegalByteSequence.into())
    }

    fn remove_directory_at(
        &mut self,
        d: Resource<Descriptor>,
        path: String,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::PATH_REMOVE_DIRECTORY, Kind::Dir, |sys| {
            sys.path_remove_directory(fd, &path)
        })
    }

    fn rename_at(
        &mut self,
        d: Resource<Descriptor>,
        old_path: String,
        new_d: Resource<Descriptor>,
        new_path: String,
    ) -> Result<(), FsError> {
        let old_fd = self.fd_of(&d)?;
        let new_fd = self.fd_of(&new_d)?;
        self.sys
            .path_rename(old_fd, &old_path, new_fd, &new_path)
            .map_err(|e| {
                self.explain2(
                    e,
                    (old_fd, Rights::PATH_RENAME_SOURCE),
                    (new_fd, Rights::PATH_RENAME_TARGET),
                )
            })
    }

    fn symlink_at(
        &mut self,
        d: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::PATH_SYMLINK, Kind::Dir, |sys| {
            sys.path_symlink(&old_path, fd, &new_path)
        })
    }

    fn unlink_file_at(&mut self, d: Resource<Descriptor>, path: String) -> Result<(), FsError> {
        let fd = self.fd_of(&d)?;
        self.on_fd(fd, Rights::PATH_UNLINK_FILE, Kind::Dir, |sys| {
            sys.path_unlink_file(fd, &path)
        })
    }

    /// Same device and inode. A descriptor that may not be stat-ed is not known to be the
    /// same as anything, so the answer is `false`.
    fn is_same_object(
        &mut self,
        d: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let a = self.table.get(&d)?.fd;
        let b = self.table.get(&other)?.fd;
        let (Ok(sa), Ok(sb)) = (self.sys.fd_filestat_get(a), self.sys.fd_filestat_get(b)) else {
            return Ok(false);
        };
        Ok(sa.dev == sb.dev && sa.ino == sb.ino)
    }

    fn metadata_hash(&mut self, d: Resource<Descriptor>) -> Result<MetadataHashValue, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.on_fd(fd, Rights::FD_FILESTAT_GET, Kind::Any, |sys| {
            sys.fd_filestat_get(fd)
        })?;
        Ok(self.metadata_hash_of(&st))
    }

    fn metadata_hash_at(
        &mut self,
        d: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> Result<MetadataHashValue, FsError> {
        let fd = self.fd_of(&d)?;
        let st = self.on_fd(fd, Rights::PATH_FILESTAT_GET, Kind::Dir, |sys| {
            sys.path_filestat_get(fd, convert::lookupflags(flags), &path)
        })?;
        Ok(self.metadata_hash_of(&st))
    }

    fn drop(&mut self, d: Resource<Descriptor>) -> wasmtime::Result<()> {
        let d = self.table.delete(d)?;
        self.release(d.fd);
        Ok(())
    }
}

impl<S: System> HostDirectoryEntryStream for WasiP2<S> {
    fn read_directory_entry(
        &mut self,
        s: Resource<DirectoryEntryStream>,
    ) -> Result<Option<DirectoryEntry>, FsError> {
        let stream = self.table.get_mut(&s)?;
        Ok(stream.next(&mut self.sys)?)
    }

    fn drop(&mut self, s: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
        let s = self.table.delete(s)?;
        self.release(s.fd());
        Ok(())
    }
}
