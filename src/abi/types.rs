//! Enumerations and records of preview 1, with their exact wasm32 layouts.
//!
//! Each record has `SIZE`/`ALIGN` constants and `encode`/`decode` functions over fixed-size
//! little-endian byte arrays; the offsets below come from `wasi_snapshot_preview1.witx` and are
//! pinned by the unit tests at the bottom of this file.

use super::{Errno, Eventrwflags, Fdflags, Rights, Subclockflags};

/// A file descriptor number (witx `$fd`).
pub type Fd = u32;
/// Nanoseconds (witx `$timestamp`).
pub type Timestamp = u64;
/// A position in a directory stream (witx `$dircookie`); 0 is the start.
pub type Dircookie = u64;
/// Opaque user data echoed from a subscription into its event.
pub type Userdata = u64;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident: $repr:ty { $first:ident = $fvalue:expr, $flabel:literal; $($variant:ident = $value:expr, $label:literal;)* }) => {
        $(#[$doc])*
        #[repr($repr)]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name { #[default] $first = $fvalue, $($variant = $value,)* }

        impl $name {
            /// Decodes a wire value; unknown values are `EINVAL`.
            pub const fn from_raw(raw: $repr) -> Result<Self, Errno> {
                match raw { $fvalue => Ok($name::$first), $($value => Ok($name::$variant),)* _ => Err(Errno::Inval) }
            }
            /// The wire value.
            pub const fn raw(self) -> $repr { self as $repr }
            /// The witx name in upper case (used by the tracer).
            pub const fn name(self) -> &'static str {
                match self { $name::$first => $flabel, $($name::$variant => $label,)* }
            }
        }
    };
}

wire_enum!(
    /// `filetype` (a `u8`).
    Filetype: u8 {
        Unknown = 0, "UNKNOWN";
        BlockDevice = 1, "BLOCK_DEVICE";
        CharacterDevice = 2, "CHARACTER_DEVICE";
        Directory = 3, "DIRECTORY";
        RegularFile = 4, "REGULAR_FILE";
        SocketDgram = 5, "SOCKET_DGRAM";
        SocketStream = 6, "SOCKET_STREAM";
        SymbolicLink = 7, "SYMBOLIC_LINK";
    }
);

wire_enum!(
    /// `whence` (a `u8`): the origin of `fd_seek`.
    Whence: u8 { Set = 0, "SET"; Cur = 1, "CUR"; End = 2, "END"; }
);

wire_enum!(
    /// `advice` (a `u8`) for `fd_advise`.
    Advice: u8 {
        Normal = 0, "NORMAL";
        Sequential = 1, "SEQUENTIAL";
        Random = 2, "RANDOM";
        Willneed = 3, "WILLNEED";
        Dontneed = 4, "DONTNEED";
        Noreuse = 5, "NOREUSE";
    }
);

wire_enum!(
    /// `clockid` (a `u32`).
    Clockid: u32 {
        Realtime = 0, "REALTIME";
        Monotonic = 1, "MONOTONIC";
        ProcessCputimeId = 2, "PROCESS_CPUTIME_ID";
        ThreadCputimeId = 3, "THREAD_CPUTIME_ID";
    }
);

wire_enum!(
    /// `eventtype` (a `u8`).
    Eventtype: u8 { Clock = 0, "CLOCK"; FdRead = 1, "FD_READ"; FdWrite = 2, "FD_WRITE"; }
);

wire_enum!(
    /// `preopentype` (a `u8`); preview 1 defines only directories.
    Preopentype: u8 { Dir = 0, "DIR"; }
);

wire_enum!(
    /// `signal` (a `u8`) for `proc_raise`.
    Signal: u8 {
        None = 0, "NONE"; Hup = 1, "HUP"; Int = 2, "INT"; Quit = 3, "QUIT"; Ill = 4, "ILL";
        Trap = 5, "TRAP"; Abrt = 6, "ABRT"; Bus = 7, "BUS"; Fpe = 8, "FPE"; Kill = 9, "KILL";
        Usr1 = 10, "USR1"; Segv = 11, "SEGV"; Usr2 = 12, "USR2"; Pipe = 13, "PIPE";
        Alrm = 14, "ALRM"; Term = 15, "TERM"; Chld = 16, "CHLD"; Cont = 17, "CONT";
        Stop = 18, "STOP"; Tstp = 19, "TSTP"; Ttin = 20, "TTIN"; Ttou = 21, "TTOU";
        Urg = 22, "URG"; Xcpu = 23, "XCPU"; Xfsz = 24, "XFSZ"; Vtalrm = 25, "VTALRM";
        Prof = 26, "PROF"; Winch = 27, "WINCH"; Poll = 28, "POLL"; Pwr = 29, "PWR";
        Sys = 30, "SYS";
    }
);

fn put_u16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}
fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
fn put_u64(b: &mut [u8], off: usize, v: u64) {
    b[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
fn get_u16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(b[off..off + 2].try_into().unwrap())
}
fn get_u32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}
fn get_u64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// `filestat`: 64 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: Filetype,
    pub nlink: u64,
    pub size: u64,
    pub atim: Timestamp,
    pub mtim: Timestamp,
    pub ctim: Timestamp,
}

impl Filestat {
    pub const SIZE: usize = 64;
    pub const ALIGN: usize = 8;

    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put_u64(&mut b, 0, self.dev);
        put_u64(&mut b, 8, self.ino);
        b[16] = self.filetype.raw();
        put_u64(&mut b, 24, self.nlink);
        put_u64(&mut b, 32, self.size);
        put_u64(&mut b, 40, self.atim);
        put_u64(&mut b, 48, self.mtim);
        put_u64(&mut b, 56, self.ctim);
        b
    }
}

/// `fdstat`: 24 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Fdstat {
    pub filetype: Filetype,
    pub flags: Fdflags,
    pub rights_base: Rights,
    pub rights_inheriting: Rights,
}

impl Fdstat {
    pub const SIZE: usize = 24;
    pub const ALIGN: usize = 8;

    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0] = self.filetype.raw();
        put_u16(&mut b, 2, self.flags.bits());
        put_u64(&mut b, 8, self.rights_base.bits());
        put_u64(&mut b, 16, self.rights_inheriting.bits());
        b
    }
}

/// `prestat`: 8 bytes, align 4. Only the `dir` variant exists in preview 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Prestat {
    /// Length of the preopen's guest name, without NUL.
    pub dir_name_len: u32,
}

impl Prestat {
    pub const SIZE: usize = 8;
    pub const ALIGN: usize = 4;

    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        b[0] = Preopentype::Dir.raw();
        put_u32(&mut b, 4, self.dir_name_len);
        b
    }
}

/// `dirent` header: 24 bytes, align 8; the name (`d_namlen` bytes, no NUL) follows it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Dirent {
    /// Cookie of the *next* entry.
    pub d_next: Dircookie,
    pub d_ino: u64,
    pub d_namlen: u32,
    pub d_type: Filetype,
}

impl Dirent {
    pub const SIZE: usize = 24;
    pub const ALIGN: usize = 8;

    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put_u64(&mut b, 0, self.d_next);
        put_u64(&mut b, 8, self.d_ino);
        put_u32(&mut b, 16, self.d_namlen);
        b[20] = self.d_type.raw();
        b
    }
}

/// `iovec`/`ciovec`: 8 bytes, align 4: `{ buf: u32, buf_len: u32 }`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Iovec {
    pub buf: u32,
    pub buf_len: u32,
}

impl Iovec {
    pub const SIZE: usize = 8;
    pub const ALIGN: usize = 4;

    pub fn decode(b: &[u8; Self::SIZE]) -> Iovec {
        Iovec {
            buf: get_u32(b, 0),
            buf_len: get_u32(b, 4),
        }
    }
}

/// What a subscription waits for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionKind {
    Clock(SubscriptionClock),
    FdRead(Fd),
    FdWrite(Fd),
}

/// `subscription_clock`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionClock {
    pub id: Clockid,
    pub timeout: Timestamp,
    pub precision: Timestamp,
    pub flags: Subclockflags,
}

/// `subscription`: 48 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub userdata: Userdata,
    pub kind: SubscriptionKind,
}

impl Subscription {
    pub const SIZE: usize = 48;
    pub const ALIGN: usize = 8;

    /// Decodes one subscription; an unknown tag, clock id or flag bit is `EINVAL`.
    pub fn decode(b: &[u8; Self::SIZE]) -> Result<Subscription, Errno> {
        let userdata = get_u64(b, 0);
        let kind = match Eventtype::from_raw(b[8])? {
            Eventtype::Clock => SubscriptionKind::Clock(SubscriptionClock {
                id: Clockid::from_raw(get_u32(b, 16))?,
                timeout: get_u64(b, 24),
                precision: get_u64(b, 32),
                flags: Subclockflags::from_bits(get_u16(b, 40)).ok_or(Errno::Inval)?,
            }),
            Eventtype::FdRead => SubscriptionKind::FdRead(get_u32(b, 16)),
            Eventtype::FdWrite => SubscriptionKind::FdWrite(get_u32(b, 16)),
        };
        Ok(Subscription { userdata, kind })
    }

    /// Encodes (used by tests and by hosts that build subscriptions).
    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put_u64(&mut b, 0, self.userdata);
        match self.kind {
            SubscriptionKind::Clock(c) => {
                b[8] = Eventtype::Clock.raw();
                put_u32(&mut b, 16, c.id.raw());
                put_u64(&mut b, 24, c.timeout);
                put_u64(&mut b, 32, c.precision);
                put_u16(&mut b, 40, c.flags.bits());
            }
            SubscriptionKind::FdRead(fd) => {
                b[8] = Eventtype::FdRead.raw();
                put_u32(&mut b, 16, fd);
            }
            SubscriptionKind::FdWrite(fd) => {
                b[8] = Eventtype::FdWrite.raw();
                put_u32(&mut b, 16, fd);
            }
        }
        b
    }

    /// The event type this subscription produces.
    pub fn eventtype(&self) -> Eventtype {
        match self.kind {
            SubscriptionKind::Clock(_) => Eventtype::Clock,
            SubscriptionKind::FdRead(_) => Eventtype::FdRead,
            SubscriptionKind::FdWrite(_) => Eventtype::FdWrite,
        }
    }
}

/// `event`: 32 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub userdata: Userdata,
    /// `Errno::Success` unless the subscription failed (e.g. `EBADF` for a closed fd).
    pub error: Errno,
    pub kind: Eventtype,
    /// Bytes available to read or space to write, where the host can tell.
    pub nbytes: u64,
    pub flags: Eventrwflags,
}

impl Event {
    pub const SIZE: usize = 32;
    pub const ALIGN: usize = 8;

    pub fn encode(&self) -> [u8; Self::SIZE] {
        let mut b = [0u8; Self::SIZE];
        put_u64(&mut b, 0, self.userdata);
        put_u16(&mut b, 8, self.error.raw());
        b[10] = self.kind.raw();
        put_u64(&mut b, 16, self.nbytes);
        put_u16(&mut b, 24, self.flags.bits());
        b
    }

    /// A blank event for `sub`, to be filled by the host.
    pub fn for_subscription(sub: &Subscription) -> Event {
        Event {
            userdata: sub.userdata,
            error: Errno::Success,
            kind: sub.eventtype(),
            nbytes: 0,
            flags: Eventrwflags::empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_witx() {
        assert_eq!((Filestat::SIZE, Filestat::ALIGN), (64, 8));
        assert_eq!((Fdstat::SIZE, Fdstat::ALIGN), (24, 8));
        assert_eq!((Prestat::SIZE, Prestat::ALIGN), (8, 4));
        assert_eq!((Dirent::SIZE, Dirent::ALIGN), (24, 8));
        assert_eq!((Iovec::SIZE, Iovec::ALIGN), (8, 4));
        assert_eq!((Subscription::SIZE, Subscription::ALIGN), (48, 8));
        assert_eq!((Event::SIZE, Event::ALIGN), (32, 8));
    }

    #[test]
    fn filestat_offsets() {
        let s = Filestat {
            dev: 1,
            ino: 2,
            filetype: Filetype::RegularFile,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let b = s.encode();
        assert_eq!(get_u64(&b, 0), 1);
        assert_eq!(get_u64(&b, 8), 2);
        assert_eq!(b[16], 4);
        assert_eq!(&b[17..24], &[0; 7]);
        assert_eq!(get_u64(&b, 24), 3);
        assert_eq!(get_u64(&b, 32), 4);
        assert_eq!(get_u64(&b, 40), 5);
        assert_eq!(get_u64(&b, 48), 6);
        assert_eq!(get_u64(&b, 56), 7);
    }

    #[test]
    fn fdstat_prestat_dirent_offsets() {
        let b = Fdstat {
            filetype: Filetype::Directory,
            flags: Fdflags::APPEND | Fdflags::NONBLOCK,
            rights_base: Rights::FD_READ,
            rights_inheriting: Rights::FD_WRITE,
        }
        .encode();
        assert_eq!(b[0], 3);
        assert_eq!(get_u16(&b, 2), 5);
        assert_eq!(get_u64(&b, 8), 2);
        assert_eq!(get_u64(&b, 16), 64);

        let b = Prestat { dir_name_len: 9 }.encode();
        assert_eq!(b, [0, 0, 0, 0, 9, 0, 0, 0]);

        let b = Dirent {
            d_next: 7,
            d_ino: 8,
            d_namlen: 3,
            d_type: Filetype::SymbolicLink,
        }
        .encode();
        assert_eq!(get_u64(&b, 0), 7);
        assert_eq!(get_u64(&b, 8), 8);
        assert_eq!(get_u32(&b, 16), 3);
        assert_eq!(b[20], 7);
    }

    #[test]
    fn subscription_and_event_offsets() {
        let sub = Subscription {
            userdata: 0x1122,
            kind: SubscriptionKind::Clock(SubscriptionClock {
                id: Clockid::Monotonic,
                timeout: 1000,
                precision: 10,
                flags: Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME,
            }),
        };
        let b = sub.encode();
        assert_eq!(b[8], 0);
        assert_eq!(get_u32(&b, 16), 1);
        assert_eq!(get_u64(&b, 24), 1000);
        assert_eq!(get_u64(&b, 32), 10);
        assert_eq!(get_u16(&b, 40), 1);
        assert_eq!(Subscription::decode(&b), Ok(sub));

        let mut bad = b;
        bad[8] = 3;
        assert_eq!(Subscription::decode(&bad), Err(Errno::Inval));
        let mut bad = b;
        bad[40] = 2;
        assert_eq!(Subscription::decode(&bad), Err(Errno::Inval));
        let mut bad = b;
        bad[16] = 9;
        assert_eq!(Subscription::decode(&bad), Err(Errno::Inval));

        let e = Event {
            userdata: 9,
            error: Errno::Badf,
            kind: Eventtype::FdWrite,
            nbytes: 77,
            flags: Eventrwflags::FD_READWRITE_HANGUP,
        }
        .encode();
        assert_eq!(get_u64(&e, 0), 9);
        assert_eq!(get_u16(&e, 8), 8);
        assert_eq!(e[10], 2);
        assert_eq!(get_u64(&e, 16), 77);
        assert_eq!(get_u16(&e, 24), 1);
    }

    #[test]
    fn enums_reject_unknown_values() {
        assert_eq!(Whence::from_raw(3), Err(Errno::Inval));
        assert_eq!(Advice::from_raw(6), Err(Errno::Inval));
        assert_eq!(Clockid::from_raw(4), Err(Errno::Inval));
        assert_eq!(Filetype::from_raw(7), Ok(Filetype::SymbolicLink));
        assert_eq!(Signal::from_raw(31), Err(Errno::Inval));
    }
}
