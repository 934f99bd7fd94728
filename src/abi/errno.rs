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
    Toobig = 1, "2BIG";
    Acces = 2, "ACCES";
    Addrinuse = 3, "ADDRINUSE";
    Addrnotavail = 4, "ADDRNOTAVAIL";
    Afnosupport = 5, "AFNOSUPPORT";
    Again = 6, "AGAIN";
    Already = 7, "ALREADY";
    Badf = 8, "BADF";
    Badmsg = 9, "BADMSG";
    Busy = 10, "BUSY";
    Canceled = 11, "CANCELED";
    Child = 12, "CHILD";
    Connaborted = 13, "CONNABORTED";
    Connrefused = 14, "CONNREFUSED";
    Connreset = 15, "CONNRESET";
    Deadlk = 16, "DEADLK";
    Destaddrreq = 17, "DESTADDRREQ";
    Dom = 18, "DOM";
    Dquot = 19, "DQUOT";
    Exist = 20, "EXIST";
    Fault = 21, "FAULT";
    Fbig = 22, "FBIG";
    Hostunreach = 23, "HOSTUNREACH";
    Idrm = 24, "IDRM";
    Ilseq = 25, "ILSEQ";
    Inprogress = 26, "INPROGRESS";
    Intr = 27, "INTR";
    Inval = 28, "INVAL";
    Io = 29, "IO";
    Isconn = 30, "ISCONN";
    Isdir = 31, "ISDIR";
    Loop = 32, "LOOP";
    Mfile = 33, "MFILE";
    Mlink = 34, "MLINK";
    Msgsize = 35, "MSGSIZE";
    Multihop = 36, "MULTIHOP";
    Nametoolong = 37, "NAMETOOLONG";
    Netdown = 38, "NETDOWN";
    Netreset = 39, "NETRESET";
    Netunreach = 40, "NETUNREACH";
    Nfile = 41, "NFILE";
    Nobufs = 42, "NOBUFS";
    Nodev = 43, "NODEV";
    Noent = 44, "NOENT";
    Noexec = 45, "NOEXEC";
    Nolck = 46, "NOLCK";
    Nolink = 47, "NOLINK";
    Nomem = 48, "NOMEM";
    Nomsg = 49, "NOMSG";
    Noprotoopt = 50, "NOPROTOOPT";
    Nospc = 51, "NOSPC";
    Nosys = 52, "NOSYS";
    Notconn = 53, "NOTCONN";
    Notdir = 54, "NOTDIR";
    Notempty = 55, "NOTEMPTY";
    Notrecoverable = 56, "NOTRECOVERABLE";
    Notsock = 57, "NOTSOCK";
    Notsup = 58, "NOTSUP";
    Notty = 59, "NOTTY";
    Nxio = 60, "NXIO";
    Overflow = 61, "OVERFLOW";
    Ownerdead = 62, "OWNERDEAD";
    Perm = 63, "PERM";
    Pipe = 64, "PIPE";
    Proto = 65, "PROTO";
    Protonosupport = 66, "PROTONOSUPPORT";
    Prototype = 67, "PROTOTYPE";
    Range = 68, "RANGE";
    Rofs = 69, "ROFS";
    Spipe = 70, "SPIPE";
    Srch = 71, "SRCH";
    Stale = 72, "STALE";
    Timedout = 73, "TIMEDOUT";
    Txtbsy = 74, "TXTBSY";
    Xdev = 75, "XDEV";
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
