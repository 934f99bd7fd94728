//! `wasi:filesystem/types`: every `descriptor` method, `directory-entry-stream` and
//! `filesystem-error-code`, each as the preview 1 call(s) it amounts to.
//!
//! Before a call that needs rights, the descriptor's rights are looked at (`fd_fdstat_get`)
//! so that a refusal says *why* (see [`refusal`]): `read-only` for a change through a
//! read-only descriptor, `bad-descriptor` for I/O a file was not opened for. The system
//! checks the same rights again; what it refuses after that (a path escaping its directory)
//! is `not-permitted`.

use std::hash::BuildHasher;
use std::io::{IoSlice, IoSliceMut};

use wasmtime::component::Resource;

use crate::abi::{Errno, Fd, Fdstat, Filestat, Filetype, Rights};
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

    /// The fd behind `d` with its stat, refused as [`refusal`] says unless it holds `needed`.
    fn require(
        &mut self,
        d: &Resource<Descriptor>,
        needed: Rights,
    ) -> Result<(Fd, Fdstat), FsError> {
        let fd = self.fd_of(d)?;
        let st = self.sys.fd_fdstat_get(fd)?;
        let missing = needed - st.rights_base;
        if !missing.is_empty() {
            return Err(refusal(missing, st.filetype).into());
        }
        Ok((fd, st))
    }

    /// [`Self::require`] for a path call: `not-directory` unless `d` is a directory.
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

    /// [`Self::require`] for byte I/O on a file: `is-directory` for a directory.
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

impl<S: System> HostDescriptor for WasiP2<S> {
    /// A regular file is read with `pread` from `offset`; a FIFO or device (no offset to
    /// read at) with `read`, where only offset 0 makes sense (`invalid-seek` otherwise).
    fn read_via_stream(
        &mut self,
        d: Resource<Descriptor>,
        offset: u64,
    ) -> Result<Resource<InputStream>, FsError> {
        let fd = self.fd_of(&d)?;
        let stream = if self.sys.fd_fdstat_get(fd)?.filetype == Filetype::RegularFile {
            let fd = self.require_file(&d, Rights::FD_READ | Rights::FD_SEEK)?;
            InputStream::file(fd, offset)
        } else {
            let fd = self.require_file(&d, Rights::FD_READ)?;
            if offset != 0 {
                return Err(ErrorCode::InvalidSeek.into());
            }
            InputStream::from_fd(fd)
        };
        Ok(self.push_input_stream(stream)?)
    }

    /// As `read-via-stream`: `pwrite` to a regular file, `write` to a FIFO or device.
    fn write_via_stream(
        &mut self,
        d: Resource<Descriptor>,
        offset: u64,
    ) -> Result<Resource<OutputStream>, FsError> {
        let fd = self.fd_of(&d)?;
        let stream = if self.sys.fd_fdstat_get(fd)?.filetype == Filetype::RegularFile {
            let fd = self.require_file(&d, Rights::FD_WRITE | Rights::FD_SEEK)?;
            OutputStream::file(fd, offset)
        } else {
            let fd = self.require_file(&d, Rights::FD_WRITE)?;
            if offset != 0 {
                return Err(ErrorCode::InvalidSeek.into());
            }
            OutputStream::from_fd(fd)
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
        let (fd, _) = self.require(&d, Rights::FD_ADVISE)?;
        Ok(self
            .sys
            .fd_advise(fd, offset, length, convert::advice(advice))?)
    }

    fn sync_data(&mut self, d: Resource<Descriptor>) -> Result<(), FsError> {
        let (fd, _) = self.require(&d, Rights::FD_DATASYNC)?;
        Ok(self.sys.fd_datasync(fd)?)
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
        let fd = self.require_file(&d, Rights::FD_FILESTAT_SET_SIZE)?;
        Ok(self.sys.fd_filestat_set_size(fd, size)?)
    }

    fn set_times(
        &mut self,
        d: Resource<Descriptor>,
        atim: NewTimestamp,
        mtim: NewTimestamp,
    ) -> Result<(), FsError> {
        let (fd, _) = self.require(&d, Rights::FD_FILESTAT_SET_TIMES)?;
        let (a, m, flags) = convert::set_times(atim, mtim)?;
        Ok(self.sys.fd_filestat_set_times(fd, a, m, flags)?)
    }

    /// `pread` of up to `length` bytes (at most 64 KiB per call); the end of the file is
    /// reached when fewer bytes came back than were asked for.
    fn read(
        &mut self,
        d: Resource<Descriptor>,
        length: u64,
        offset: u64,
    ) -> Result<(Vec<u8>, bool), FsError> {
        let fd = self.require_file(&d, Rights::FD_READ | Rights::FD_SEEK)?;
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
                Ok(n) => got += n,
                Err(Errno::Intr) => {}
                Err(e) => return Err(e.into()),
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
        let fd = self.require_file(&d, Rights::FD_WRITE | Rights::FD_SEEK)?;
        let n = self.sys.fd_pwrite(fd, &[IoSlice::new(&buffer)], offset)?;
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
        let (fd, _) = self.require(&d, Rights::FD_SYNC)?;
        Ok(self.sys.fd_sync(fd)?)
    }

    fn create_directory_at(
        &mut self,
        d: Resource<Descriptor>,
        path: String,
    ) -> Result<(), FsError> {
        let fd = self.require_dir(&d, Rights::PATH_CREATE_DIRECTORY)?;
        Ok(self.sys.path_create_directory(fd, &path)?)
    }

    fn stat(&mut self, d: Resource<Descriptor>) -> Result<DescriptorStat, FsError> {
        let (fd, _) = self.require(&d, Rights::FD_FILESTAT_GET)?;
        Ok(convert::descriptor_stat(&self.sys.fd_filestat_get(fd)?))
    }

    fn stat_at(
        &mut self,
        d: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> Result<DescriptorStat, FsError> {
        let fd = self.require_dir(&d, Rights::PATH_FILESTAT_GET)?;
        let st = self
            .sys
            .path_filestat_get(fd, convert::lookupflags(flags), &path)?;
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
        let fd = self.require_dir(&d, Rights::PATH_FILESTAT_SET_TIMES)?;
        let (a, m, fst) = convert::set_times(atim, mtim)?;
        Ok(self
            .sys
            .path_filestat_set_times(fd, convert::lookupflags(flags), &path, a, m, fst)?)
    }

    fn link_at(
        &mut self,
        d: Resource<Descriptor>,
        old_flags: PathFlags,
        old_path: String,
        new_d: Resource<Descriptor>,
        new_path: String,
    ) -> Result<(), FsError> {
        let old_fd = self.require_dir(&d, Rights::PATH_LINK_SOURCE)?;
        let new_fd = self.require_dir(&new_d, Rights::PATH_LINK_TARGET)?;
        Ok(self.sys.path_link(
            old_fd,
            convert::lookupflags(old_flags),
            &old_path,
            new_fd,
            &new_path,
        )?)
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
        let fd = self.require_dir(&d, Rights::PATH_READLINK)?;
        let mut buf = vec![0u8; MAX_LINK + 1];
        let n = self.sys.path_readlink(fd, &path, &mut buf)?;
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
        let fd = self.require_dir(&d, Rights::PATH_REMOVE_DIRECTORY)?;
        Ok(self.sys.path_remove_directory(fd, &path)?)
    }

    fn rename_at(
        &mut self,
        d: Resource<Descriptor>,
        old_path: String,
        new_d: Resource<Descriptor>,
        new_path: String,
    ) -> Result<(), FsError> {
        let old_fd = self.require_dir(&d, Rights::PATH_RENAME_SOURCE)?;
        let new_fd = self.require_dir(&new_d, Rights::PATH_RENAME_TARGET)?;
        Ok(self.sys.path_rename(old_fd, &old_path, new_fd, &new_path)?)
    }

    fn symlink_at(
        &mut self,
        d: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> Result<(), FsError> {
        let fd = self.require_dir(&d, Rights::PATH_SYMLINK)?;
        Ok(self.sys.path_symlink(&old_path, fd, &new_path)?)
    }

    fn unlink_file_at(&mut self, d: Resource<Descriptor>, path: String) -> Result<(), FsError> {
        let fd = self.require_dir(&d, Rights::PATH_UNLINK_FILE)?;
        Ok(self.sys.path_unlink_file(fd, &path)?)
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
        let (fd, _) = self.require(&d, Rights::FD_FILESTAT_GET)?;
        let st = self.sys.fd_filestat_get(fd)?;
        Ok(self.metadata_hash_of(&st))
    }

    fn metadata_hash_at(
        &mut self,
        d: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> Result<MetadataHashValue, FsError> {
        let fd = self.require_dir(&d, Rights::PATH_FILESTAT_GET)?;
        let st = self
            .sys
            .path_filestat_get(fd, convert::lookupflags(flags), &path)?;
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
