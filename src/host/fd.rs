//! The `fd_*` calls that are not paths or directory listings: plain rustix on the fd.

use std::io::{IoSlice, IoSliceMut};
use std::num::NonZeroU64;

use rustix::fs::{FallocateFlags, OFlags, SeekFrom, Timestamps, UTIME_NOW, UTIME_OMIT};
use rustix::time::Timespec;

use super::{Handle, UnixSystem, stat};
use crate::abi::{
    Advice, Errno, Fd, Fdflags, Fdstat, Filestat, Filetype, Fstflags, Prestat, Rights, Timestamp,
    Whence,
};
use crate::system::Result;

/// Validates a `fstflags` pair: naming both a time and "now" for the same field is `EINVAL`
/// (the spec leaves it undefined; wasmtime and POSIX hosts reject it).
pub(crate) fn check_fstflags(flags: Fstflags) -> Result<()> {
    if flags.contains(Fstflags::ATIM | Fstflags::ATIM_NOW)
        || flags.contains(Fstflags::MTIM | Fstflags::MTIM_NOW)
    {
        return Err(Errno::Inval);
    }
    Ok(())
}

fn timespec(ns: Timestamp) -> Timespec {
    Timespec {
        tv_sec: (ns / 1_000_000_000) as i64,
        tv_nsec: (ns % 1_000_000_000) as _,
    }
}

/// The `utimensat`-style value for one field: the time, `UTIME_NOW`, or `UTIME_OMIT` (left
/// unchanged when not named).
fn time_field(t: Timestamp, set: bool, now: bool) -> Timespec {
    if now {
        Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_NOW,
        }
    } else if set {
        timespec(t)
    } else {
        Timespec {
            tv_sec: 0,
            tv_nsec: UTIME_OMIT,
        }
    }
}

/// Host `O_*` status flags → `fdflags`.
pub(crate) fn fdflags_of(fl: OFlags) -> Fdflags {
    let mut f = Fdflags::empty();
    if fl.contains(OFlags::APPEND) {
        f |= Fdflags::APPEND;
    }
    if fl.contains(OFlags::NONBLOCK) {
        f |= Fdflags::NONBLOCK;
    }
    // Raw Linux bits: rustix names O_SYNC for all of DSYNC/SYNC/RSYNC. O_SYNC is
    // __O_SYNC|O_DSYNC and O_RSYNC equals O_SYNC, so RSYNC cannot be told apart from SYNC.
    // (cap-std opens DSYNC requests with O_SYNC, which is stronger, so those report SYNC.)
    const O_DSYNC: u32 = 0o10000;
    const O_SYNC_ONLY: u32 = 0o4000000;
    if fl.bits() & O_SYNC_ONLY != 0 {
        f |= Fdflags::SYNC;
    } else if fl.bits() & O_DSYNC != 0 {
        f |= Fdflags::DSYNC;
    }
    f
}

impl UnixSystem {
    pub(super) fn do_fd_advise(
        &mut self,
        fd: Fd,
        offset: u64,
        len: u64,
        advice: Advice,
    ) -> Result<()> {
        let f = self.fd(fd, Rights::FD_ADVISE)?;
        use rustix::fs::Advice as A;
        let advice = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::Willneed => A::WillNeed,
            Advice::Dontneed => A::DontNeed,
            Advice::Noreuse => A::NoReuse,
        };
        // len 0 means "to the end of the file", which is what `None` says to rustix.
        rustix::fs::fadvise(f, offset, NonZeroU64::new(len), advice)?;
        Ok(())
    }

    pub(super) fn do_fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()> {
        let f = self.fd(fd, Rights::FD_ALLOCATE)?;
        if offset
            .checked_add(len)
            .is_none_or(|end| end > i64::MAX as u64)
        {
            return Err(Errno::Fbig);
        }
        rustix::fs::fallocate(f, FallocateFlags::empty(), offset, len)?;
        Ok(())
    }

    pub(super) fn do_fd_close(&mut self, fd: Fd) -> Result<()> {
        // Preopens are ordinary fds here: closing one is allowed (wasmtime does the same).
        drop(self.table.remove(fd)?);
        Ok(())
    }

    pub(super) fn do_fd_datasync(&mut self, fd: Fd) -> Result<()> {
        rustix::fs::fdatasync(self.fd(fd, Rights::FD_DATASYNC)?)?;
        Ok(())
    }

    pub(super) fn do_fd_sync(&mut self, fd: Fd) -> Result<()> {
        rustix::fs::fsync(self.fd(fd, Rights::FD_SYNC)?)?;
        Ok(())
    }

    pub(super) fn do_fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat> {
        let e = self.table.entry(fd)?;
        let flags = rustix::fs::fcntl_getfl(e.handle.as_fd())?;
        Ok(Fdstat {
            filetype: e.filetype,
            flags: fdflags_of(flags),
            rights_base: e.rights_base,
            rights_inheriting: e.rights_inheriting,
        })
    }

    pub(super) fn do_fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<()> {
        let f = self.fd(fd, Rights::FD_FDSTAT_SET_FLAGS)?;
        // Linux's F_SETFL silently ignores the sync flags, so promising them would be a lie.
        // wasmtime 48 answers EINVAL (wasmtime-wasi src/p1.rs, fd_fdstat_set_flags); so do we.
        if flags.intersects(Fdflags::DSYNC | Fdflags::SYNC | Fdflags::RSYNC) {
            return Err(Errno::Inval);
        }
        let mut fl = rustix::fs::fcntl_getfl(f)?;
        fl.set(OFlags::APPEND, flags.contains(Fdflags::APPEND));
        fl.set(OFlags::NONBLOCK, flags.contains(Fdflags::NONBLOCK));
        rustix::fs::fcntl_setfl(f, fl)?;
        Ok(())
    }

    pub(super) fn do_fd_fdstat_set_rights(
        &mut self,
        fd: Fd,
        base: Rights,
        inheriting: Rights,
    ) -> Result<()> {
        let e = self.table.entry_mut(fd)?;
        if !e.rights_base.contains(base) || !e.rights_inheriting.contains(inheriting) {
            return Err(Errno::Notcapable);
        }
        e.rights_base = base;
        e.rights_inheriting = inheriting;
        Ok(())
    }

    pub(super) fn do_fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat> {
        stat::filestat_of_fd(self.fd(fd, Rights::FD_FILESTAT_GET)?)
    }

    pub(super) fn do_fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()> {
        let f = self.fd(fd, Rights::FD_FILESTAT_SET_SIZE)?;
        if size > i64::MAX as u64 {
            return Err(Errno::Fbig);
        }
        rustix::fs::ftruncate(f, size)?;
        Ok(())
    }

    pub(super) fn do_fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<()> {
        let f = self.fd(fd, Rights::FD_FILESTAT_SET_TIMES)?;
        check_fstflags(flags)?;
        let times = Timestamps {
            last_access: time_field(
                atim,
                flags.contains(Fstflags::ATIM),
                flags.contains(Fstflags::ATIM_NOW),
            ),
            last_modification: time_field(
                mtim,
                flags.contains(Fstflags::MTIM),
                flags.contains(Fstflags::MTIM_NOW),
            ),
        };
        rustix::fs::futimens(f, &times)?;
        Ok(())
    }

    pub(super) fn do_fd_pread(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        offset: u64,
    ) -> Result<usize> {
        let f = self.fd(fd, Rights::FD_READ | Rights::FD_SEEK)?;
        Ok(rustix::io::preadv(f, iovs, offset)?)
    }

    pub(super) fn do_fd_pwrite(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        offset: u64,
    ) -> Result<usize> {
        let f = self.fd(fd, Rights::FD_WRITE | Rights::FD_SEEK)?;
        Ok(rustix::io::pwritev(f, iovs, offset)?)
    }

    pub(super) fn do_fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        let f = self.fd(fd, Rights::FD_READ)?;
        // One buffer (what wasi-libc passes for nearly every read) goes through read(2):
        // readv's iovec import costs a measurable share of a small read (BENCHMARKS.md).
        match iovs {
            [one] => Ok(rustix::io::read(f, &mut **one)?),
            _ => Ok(rustix::io::readv(f, iovs)?),
        }
    }

    pub(super) fn do_fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize> {
        let f = self.fd(fd, Rights::FD_WRITE)?;
        // One buffer goes through write(2), not writev: see `do_fd_read`.
        match iovs {
            [one] => Ok(rustix::io::write(f, one)?),
            _ => Ok(rustix::io::writev(f, iovs)?),
        }
    }

    pub(super) fn do_fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat> {
        // EBADF (not ENOTDIR) for anything that is not a preopened directory: wasi-libc's
        // start-up scan stops at the first EBADF and treats other errors as fatal.
        let name = self.do_fd_prestat_dir_name(fd)?;
        Ok(Prestat {
            dir_name_len: u32::try_from(name.len()).map_err(|_| Errno::Nametoolong)?,
        })
    }

    pub(super) fn do_fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str> {
        let e = self.table.entry(fd)?;
        match (&e.preopen, &e.handle) {
            (Some(p), Handle::Dir { .. }) => Ok(&p.guest_name),
            _ => Err(Errno::Badf),
        }
    }

    pub(super) fn do_fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()> {
        self.table.renumber(from, to)
    }

    pub(super) fn do_fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64> {
        // (0, CUR) only reads the position: it is what `fd_tell` does and needs only FD_TELL
        // (wasmtime's rule too); any other seek moves the position and needs FD_SEEK.
        let required = if offset == 0 && whence == Whence::Cur {
            Rights::FD_TELL
        } else {
            Rights::FD_SEEK
        };
        let e = self.table.get(fd, required)?;
        if e.filetype == Filetype::Directory {
            // Moving a directory's offset would corrupt its readdir stream; directories are
            // listed by cookie instead.
            return Err(Errno::Badf);
        }
        let pos = match whence {
            Whence::Set => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
            Whence::Cur => SeekFrom::Current(offset),
            Whence::End => SeekFrom::End(offset),
        };
        Ok(rustix::fs::seek(e.handle.as_fd(), pos)?)
    }

    pub(super) fn do_fd_tell(&mut self, fd: Fd) -> Result<u64> {
        let f = self.fd(fd, Rights::FD_TELL)?;
        Ok(rustix::fs::tell(f)?)
    }
}
