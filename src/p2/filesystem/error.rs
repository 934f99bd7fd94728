//! `error-code`: the mapping from the system's errnos, and [`FsError`], the Rust side of
//! `result<_, error-code>` that can also carry a trap.

use wasmtime::component::ResourceTableError;

use crate::abi::{Errno, Filetype, Rights};
use crate::p2::bindings::wasi::filesystem::types::ErrorCode;

/// A failed filesystem call: an `error-code` for the guest, or a trap (a handle that is not
/// in the table).
#[derive(Debug)]
pub struct FsError(Repr);

#[derive(Debug)]
enum Repr {
    Code(ErrorCode),
    Trap(wasmtime::Error),
}

impl FsError {
    /// The code the guest will see, unless this is a trap.
    pub fn code(&self) -> Option<ErrorCode> {
        match &self.0 {
            Repr::Code(c) => Some(*c),
            Repr::Trap(_) => None,
        }
    }

    /// Turns the error into what the generated bindings return: the code, or the trap.
    pub fn into_code(self) -> wasmtime::Result<ErrorCode> {
        match self.0 {
            Repr::Code(c) => Ok(c),
            Repr::Trap(e) => Err(e),
        }
    }
}

impl From<ErrorCode> for FsError {
    fn from(c: ErrorCode) -> Self {
        FsError(Repr::Code(c))
    }
}

impl From<Errno> for FsError {
    fn from(e: Errno) -> Self {
        FsError(Repr::Code(error_code(e)))
    }
}

impl From<ResourceTableError> for FsError {
    fn from(e: ResourceTableError) -> Self {
        FsError(Repr::Trap(e.into()))
    }
}

impl From<wasmtime::Error> for FsError {
    fn from(e: wasmtime::Error) -> Self {
        FsError(Repr::Trap(e))
    }
}

/// The `error-code` for a preview 1 errno.
///
/// Each code is named after the POSIX errno it stands for, so most map one to one. The
/// sandbox's refusals — `ENOTCAPABLE` (a right the fd lacks, a path that escapes) and `EPERM`
/// (an absolute path) — are `not-permitted`, as the filesystem interface says for paths that
/// leave their directory. Errnos without a code of their own: `ENOSYS` is `unsupported`;
/// `ENFILE`/`EMFILE` (the fd table is full) are `insufficient-memory`, the nearest "a host
/// resource ran out"; `EFAULT` and `E2BIG` are `invalid`; anything else is `io`.
pub fn error_code(e: Errno) -> ErrorCode {
    use ErrorCode as C;
    match e {
        Errno::Acces => C::Access,
        Errno::Again => C::WouldBlock,
        Errno::Already => C::Already,
        Errno::Badf => C::BadDescriptor,
        Errno::Busy => C::Busy,
        Errno::Deadlk => C::Deadlock,
        Errno::Dquot => C::Quota,
        Errno::Exist => C::Exist,
        Errno::Fbig => C::FileTooLarge,
        Errno::Ilseq => C::IllegalByteSequence,
        Errno::Inprogress => C::InProgress,
        Errno::Intr => C::Interrupted,
        Errno::Inval | Errno::Fault | Errno::Toobig => C::Invalid,
        Errno::Io => C::Io,
        Errno::Isdir => C::IsDirectory,
        Errno::Loop => C::Loop,
        Errno::Mlink => C::TooManyLinks,
        Errno::Msgsize => C::MessageSize,
        Errno::Nametoolong => C::NameTooLong,
        Errno::Nodev => C::NoDevice,
        Errno::Noent => C::NoEntry,
        Errno::Nolck => C::NoLock,
        Errno::Nomem | Errno::Nfile | Errno::Mfile => C::InsufficientMemory,
        Errno::Nospc => C::InsufficientSpace,
        Errno::Notdir => C::NotDirectory,
        Errno::Notempty => C::NotEmpty,
        Errno::Notrecoverable => C::NotRecoverable,
        Errno::Notsup | Errno::Nosys => C::Unsupported,
        Errno::Notty => C::NoTty,
        Errno::Nxio => C::NoSuchDevice,
        Errno::Overflow => C::Overflow,
        Errno::Perm | Errno::Notcapable => C::NotPermitted,
        Errno::Pipe => C::Pipe,
        Errno::Rofs => C::ReadOnly,
        Errno::Spipe => C::InvalidSeek,
        Errno::Txtbsy => C::TextFileBusy,
        Errno::Xdev => C::CrossDevice,
        _ => C::Io,
    }
}

/// The code for a call refused because the descriptor lacks `missing` rights.
///
/// A descriptor that cannot change anything — a read-only preopen, or a directory or file
/// opened from one — answers every mutation with `read-only`, as a read-only mount answers
/// `EROFS`. A file not opened for the access asked (reading a write-only file, writing or
/// resizing a read-only one) is `bad-descriptor`, as POSIX's `EBADF`. Anything else the
/// descriptor was not given is `not-permitted`.
pub(crate) fn refusal(missing: Rights, filetype: Filetype) -> ErrorCode {
    let access = Rights::FD_READ | Rights::FD_WRITE | Rights::FD_FILESTAT_SET_SIZE;
    if filetype != Filetype::Directory && missing.intersects(access) {
        ErrorCode::BadDescriptor
    } else if Rights::MUTATING.contains(missing) {
        ErrorCode::ReadOnly
    } else {
        ErrorCode::NotPermitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_refusals_are_not_permitted() {
        assert_eq!(error_code(Errno::Notcapable), ErrorCode::NotPermitted);
        assert_eq!(error_code(Errno::Perm), ErrorCode::NotPermitted);
        assert_eq!(error_code(Errno::Rofs), ErrorCode::ReadOnly);
    }

    #[test]
    fn every_errno_maps_without_panicking() {
        for &e in Errno::ALL {
            let _ = error_code(e);
        }
        assert_eq!(error_code(Errno::Noent), ErrorCode::NoEntry);
        assert_eq!(error_code(Errno::Spipe), ErrorCode::InvalidSeek);
        assert_eq!(error_code(Errno::Nosys), ErrorCode::Unsupported);
        assert_eq!(error_code(Errno::Nfile), ErrorCode::InsufficientMemory);
        assert_eq!(error_code(Errno::Connrefused), ErrorCode::Io);
    }

    #[test]
    fn refusals_by_right() {
        let dir = Filetype::Directory;
        let file = Filetype::RegularFile;
        assert_eq!(refusal(Rights::PATH_CREATE_FILE, dir), ErrorCode::ReadOnly);
        assert_eq!(refusal(Rights::PATH_UNLINK_FILE, dir), ErrorCode::ReadOnly);
        assert_eq!(refusal(Rights::FD_READDIR, dir), ErrorCode::NotPermitted);
        assert_eq!(refusal(Rights::FD_WRITE, file), ErrorCode::BadDescriptor);
        assert_eq!(refusal(Rights::FD_READ, file), ErrorCode::BadDescriptor);
        assert_eq!(
            refusal(Rights::FD_FILESTAT_SET_TIMES, file),
            ErrorCode::ReadOnly
        );
    }
}
