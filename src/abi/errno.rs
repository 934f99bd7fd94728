//! `errno`: error codes returned by functions (witx `$errno`, a `u16`).
//!
//! Values and names follow `wasi_snapshot_preview1.witx` exactly; the host maps `std::io::Error`
//! and `rustix::io::Errno` onto them in [`Errno::from_io`].

use std::fmt;

macro_rules! errnos {
    ($($(#[$doc:meta])* $name:ident = $value:expr, $wasi_name:literal;)*) => {
        /// A WASI preview 1 error code.
        #[repr(u16)]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Errno {
            $($(#[$doc])* $name = $value,)*
        }

        impl Errno {
            /// Every errno, in numeric order.
            pub const ALL: &'static [Errno] = &[$(Errno::$name,)*];

            /// The witx name in upper case, e.g. `"NOENT"` (used by the tracer).
            pub const fn name(self) -> &'static str {
                match self { $(Errno::$name => $wasi_name,)* }
            }

            /// The errno for a raw `u16`, if it is one.
            pub const fn from_raw(raw: u16) -> Option<Errno> {
                match raw { $($value => Some(Errno::$name),)* _ => None }
            }
        }
    };
}

errnos! {
    /// No error occurred. Only used on the wire; functions return `Ok` instead.
    Success = 0, "SUCCESS";
    /// Argument list too long.
    Toobig = 1, "2BIG";
    /// Permission denied.
    Acces = 2, "ACCES";
    /// Address in use.
    Addrinuse = 3, "ADDRINUSE";
    /// Address not available.
    Addrnotavail = 4, "ADDRNOTAVAIL";
    /// Address family not supported.
    Afnosupport = 5, "AFNOSUPPORT";
    /// Resource unavailable, or operation would block.
    Again = 6, "AGAIN";
    /// Connection already in progress.
    Already = 7, "ALREADY";
    /// Bad file descriptor.
    Badf = 8, "BADF";
    /// Bad message.
    Badmsg = 9, "BADMSG";
    /// Device or resource busy.
    Busy = 10, "BUSY";
    /// Operation canceled.
    Canceled = 11, "CANCELED";
    /// No child processes.
    Child = 12, "CHILD";
    /// Connection aborted.
    Connaborted = 13, "CONNABORTED";
    /// Connection refused.
    Connrefused = 14, "CONNREFUSED";
    /// Connection reset.
    Connreset = 15, "CONNRESET";
    /// Resource deadlock would occur.
    Deadlk = 16, "DEADLK";
    /// Destination address required.
    Destaddrreq = 17, "DESTADDRREQ";
    /// Mathematics argument out of domain of function.
    Dom = 18, "DOM";
    /// Reserved.
    Dquot = 19, "DQUOT";
    /// File exists.
    Exist = 20, "EXIST";
    /// Bad address.
    Fault = 21, "FAULT";
    /// File too large.
    Fbig = 22, "FBIG";
    /// Host is unreachable.
    Hostunreach = 23, "HOSTUNREACH";
    /// Identifier removed.
    Idrm = 24, "IDRM";
    /// Illegal byte sequence.
    Ilseq = 25, "ILSEQ";
    /// Operation in progress.
    Inprogress = 26, "INPROGRESS";
    /// Interrupted function.
    Intr = 27, "INTR";
    /// Invalid argument.
    Inval = 28, "INVAL";
    /// I/O error.
    Io = 29, "IO";
    /// Socket is connected.
    Isconn = 30, "ISCONN";
    /// Is a directory.
    Isdir = 31, "ISDIR";
    /// Too many levels of symbolic links.
    Loop = 32, "LOOP";
    /// File descriptor value too large.
    Mfile = 33, "MFILE";
    /// Too many links.
    Mlink = 34, "MLINK";
    /// Message too large.
    Msgsize = 35, "MSGSIZE";
    /// Reserved.
    Multihop = 36, "MULTIHOP";
    /// Filename too long.
    Nametoolong = 37, "NAMETOOLONG";
    /// Network is down.
    Netdown = 38, "NETDOWN";
    /// Connection aborted by network.
    Netreset = 39, "NETRESET";
    /// Network unreachable.
    Netunreach = 40, "NETUNREACH";
    /// Too many files open in system.
    Nfile = 41, "NFILE";
    /// No buffer space available.
    Nobufs = 42, "NOBUFS";
    /// No such device.
    Nodev = 43, "NODEV";
    /// No such file or directory.
    Noent = 44, "NOENT";
    /// Executable file format error.
    Noexec = 45, "NOEXEC";
    /// No locks available.
    Nolck = 46, "NOLCK";
    /// Reserved.
    Nolink = 47, "NOLINK";
    /// Not enough space.
    Nomem = 48, "NOMEM";
    /// No message of the desired type.
    Nomsg = 49, "NOMSG";
    /// Protocol not available.
    Noprotoopt = 50, "NOPROTOOPT";
    /// No space left on device.
    Nospc = 51, "NOSPC";
    /// Function not supported.
    Nosys = 52, "NOSYS";
    /// The socket is not connected.
    Notconn = 53, "NOTCONN";
    /// Not a directory or a symbolic link to a directory.
    Notdir = 54, "NOTDIR";
    /// Directory not empty.
    Notempty = 55, "NOTEMPTY";
    /// State not recoverable.
    Notrecoverable = 56, "NOTRECOVERABLE";
    /// Not a socket.
    Notsock = 57, "NOTSOCK";
    /// Not supported, or operation not supported on socket.
    Notsup = 58, "NOTSUP";
    /// Inappropriate I/O control operation.
    Notty = 59, "NOTTY";
    /// No such device or address.
    Nxio = 60, "NXIO";
    /// Value too large to be stored in data type.
    Overflow = 61, "OVERFLOW";
    /// Previous owner died.
    Ownerdead = 62, "OWNERDEAD";
    /// Operation not permitted.
    Perm = 63, "PERM";
    /// Broken pipe.
    Pipe = 64, "PIPE";
    /// Protocol error.
    Proto = 65, "PROTO";
    /// Protocol not supported.
    Protonosupport = 66, "PROTONOSUPPORT";
    /// Protocol wrong type for socket.
    Prototype = 67, "PROTOTYPE";
    /// Result too large.
    Range = 68, "RANGE";
    /// Read-only file system.
    Rofs = 69, "ROFS";
    /// Invalid seek.
    Spipe = 70, "SPIPE";
    /// No such process.
    Srch = 71, "SRCH";
    /// Reserved.
    Stale = 72, "STALE";
    /// Connection timed out.
    Timedout = 73, "TIMEDOUT";
    /// Text file busy.
    Txtbsy = 74, "TXTBSY";
    /// Cross-device link.
    Xdev = 75, "XDEV";
    /// Extension: Capabilities insufficient.
    Notcapable = 76, "NOTCAPABLE";
}

impl Errno {
    /// The wire value.
    pub const fn raw(self) -> u16 {
        self as u16
    }

    /// Maps a host errno (Linux numbering, via rustix) onto WASI's.
    pub fn from_host(e: rustix::io::Errno) -> Errno {
        use rustix::io::Errno as E;
        match e {
            E::TOOBIG => Errno::Toobig,
            E::ACCESS => Errno::Acces,
            E::ADDRINUSE => Errno::Addrinuse,
            E::ADDRNOTAVAIL => Errno::Addrnotavail,
            E::AFNOSUPPORT => Errno::Afnosupport,
            E::AGAIN => Errno::Again,
            E::ALREADY => Errno::Already,
            E::BADF => Errno::Badf,
            E::BADMSG => Errno::Badmsg,
            E::BUSY => Errno::Busy,
            E::CANCELED => Errno::Canceled,
            E::CHILD => Errno::Child,
            E::CONNABORTED => Errno::Connaborted,
            E::CONNREFUSED => Errno::Connrefused,
            E::CONNRESET => Errno::Connreset,
            E::DEADLK => Errno::Deadlk,
            E::DESTADDRREQ => Errno::Destaddrreq,
            E::DOM => Errno::Dom,
            E::DQUOT => Errno::Dquot,
            E::EXIST => Errno::Exist,
            E::FAULT => Errno::Fault,
            E::FBIG => Errno::Fbig,
            E::HOSTUNREACH => Errno::Hostunreach,
            E::IDRM => Errno::Idrm,
            E::ILSEQ => Errno::Ilseq,
            E::INPROGRESS => Errno::Inprogress,
            E::INTR => Errno::Intr,
            E::INVAL => Errno::Inval,
            E::IO => Errno::Io,
            E::ISCONN => Errno::Isconn,
            E::ISDIR => Errno::Isdir,
            E::LOOP => Errno::Loop,
            E::MFILE => Errno::Mfile,
            E::MLINK => Errno::Mlink,
            E::MSGSIZE => Errno::Msgsize,
            E::MULTIHOP => Errno::Multihop,
            E::NAMETOOLONG => Errno::Nametoolong,
            E::NETDOWN => Errno::Netdown,
            E::NETRESET => Errno::Netreset,
            E::NETUNREACH => Errno::Netunreach,
            E::NFILE => Errno::Nfile,
            E::NOBUFS => Errno::Nobufs,
            E::NODEV => Errno::Nodev,
            E::NOENT => Errno::Noent,
            E::NOEXEC => Errno::Noexec,
            E::NOLCK => Errno::Nolck,
            E::NOLINK => Errno::Nolink,
            E::NOMEM => Errno::Nomem,
            E::NOMSG => Errno::Nomsg,
            E::NOPROTOOPT => Errno::Noprotoopt,
            E::NOSPC => Errno::Nospc,
            E::NOSYS => Errno::Nosys,
            E::NOTCONN => Errno::Notconn,
            E::NOTDIR => Errno::Notdir,
            E::NOTEMPTY => Errno::Notempty,
            E::NOTRECOVERABLE => Errno::Notrecoverable,
            E::NOTSOCK => Errno::Notsock,
            // Linux's EOPNOTSUPP and ENOTSUP are the same number.
            E::NOTSUP => Errno::Notsup,
            E::NOTTY => Errno::Notty,
            E::NXIO => Errno::Nxio,
            E::OVERFLOW => Errno::Overflow,
            E::OWNERDEAD => Errno::Ownerdead,
            E::PERM => Errno::Perm,
            E::PIPE => Errno::Pipe,
            E::PROTO => Errno::Proto,
            E::PROTONOSUPPORT => Errno::Protonosupport,
            E::PROTOTYPE => Errno::Prototype,
            E::RANGE => Errno::Range,
            E::ROFS => Errno::Rofs,
            E::SPIPE => Errno::Spipe,
            E::SRCH => Errno::Srch,
            E::STALE => Errno::Stale,
            E::TIMEDOUT => Errno::Timedout,
            E::TXTBSY => Errno::Txtbsy,
            E::XDEV => Errno::Xdev,
            _ => Errno::Io,
        }
    }

    /// Maps a `std::io::Error` (as cap-std returns them) onto WASI's errno.
    ///
    /// cap-std reports a path that would leave the sandbox as `PermissionDenied` without an OS
    /// code; like wasmtime on Linux we answer `EPERM` for it.
    pub fn from_io(e: &std::io::Error) -> Errno {
        if let Some(raw) = e.raw_os_error() {
            return Errno::from_host(rustix::io::Errno::from_raw_os_error(raw));
        }
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => Errno::Noent,
            K::PermissionDenied => Errno::Perm,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput => Errno::Inval,
            K::InvalidData => Errno::Ilseq,
            K::WouldBlock => Errno::Again,
            K::Interrupted => Errno::Intr,
            K::Unsupported => Errno::Notsup,
            K::OutOfMemory => Errno::Nomem,
            K::NotADirectory => Errno::Notdir,
            K::IsADirectory => Errno::Isdir,
            K::DirectoryNotEmpty => Errno::Notempty,
            K::ReadOnlyFilesystem => Errno::Rofs,
            K::TimedOut => Errno::Timedout,
            K::BrokenPipe => Errno::Pipe,
            K::InvalidFilename => Errno::Inval,
            _ => Errno::Io,
        }
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        Errno::from_host(e)
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Errno {
        Errno::from_io(&e)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{}", self.name())
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_dense_and_round_trip() {
        assert_eq!(Errno::ALL.len(), 77);
        for (i, e) in Errno::ALL.iter().enumerate() {
            assert_eq!(e.raw() as usize, i);
            assert_eq!(Errno::from_raw(i as u16), Some(*e));
        }
        assert_eq!(Errno::from_raw(77), None);
        assert_eq!(Errno::Notcapable.raw(), 76);
        assert_eq!(Errno::Noent.name(), "NOENT");
    }

    #[test]
    fn host_errnos_map() {
        assert_eq!(Errno::from_host(rustix::io::Errno::NOENT), Errno::Noent);
        assert_eq!(Errno::from_host(rustix::io::Errno::LOOP), Errno::Loop);
        let escape = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "escape");
        assert_eq!(Errno::from_io(&escape), Errno::Perm);
        let raw = std::io::Error::from_raw_os_error(rustix::io::Errno::NOTEMPTY.raw_os_error());
        assert_eq!(Errno::from_io(&raw), Errno::Notempty);
    }
}
