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
    ($(#[$doc:meta])* $name:ident: $repr:ty {
        $(#[$fdoc:meta])* $first:ident = $fvalue:expr, $flabel:literal;
        $($(#[$vdoc:meta])* $variant:ident = $value:expr, $label:literal;)*
    }) => {
        $(#[$doc])*
        #[repr($repr)]
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $(#[$fdoc])* #[default] $first = $fvalue,
            $($(#[$vdoc])* $variant = $value,)*
        }

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
        /// The type is unknown or different from any of the other types.
        Unknown = 0, "UNKNOWN";
        /// A block device.
        BlockDevice = 1, "BLOCK_DEVICE";
        /// A character device.
        CharacterDevice = 2, "CHARACTER_DEVICE";
        /// A directory.
        Directory = 3, "DIRECTORY";
        /// A regular file.
        RegularFile = 4, "REGULAR_FILE";
        /// A datagram socket.
        SocketDgram = 5, "SOCKET_DGRAM";
        /// A byte-stream socket.
        SocketStream = 6, "SOCKET_STREAM";
        /// A symbolic link.
        SymbolicLink = 7, "SYMBOLIC_LINK";
    }
);

wire_enum!(
    /// `whence` (a `u8`): the origin of `fd_seek`.
    Whence: u8 {
        /// Seek relative to the start of the file.
        Set = 0, "SET";
        /// Seek relative to the current position.
        Cur = 1, "CUR";
        /// Seek relative to the end of the file.
        End = 2, "END";
    }
);

wire_enum!(
    /// `advice` (a `u8`) for `fd_advise`.
    Advice: u8 {
        /// No advice about the access pattern.
        Normal = 0, "NORMAL";
        /// The data will be accessed sequentially, from lower offsets to higher.
        Sequential = 1, "SEQUENTIAL";
        /// The data will be accessed in a random order.
        Random = 2, "RANDOM";
        /// The data will be accessed in the near future.
        Willneed = 3, "WILLNEED";
        /// The data will not be accessed in the near future.
        Dontneed = 4, "DONTNEED";
        /// The data will be accessed once and not reused.
        Noreuse = 5, "NOREUSE";
    }
);

wire_enum!(
    /// `clockid` (a `u32`).
    Clockid: u32 {
        /// Real (wall-clock) time; zero is 1970-01-01T00:00:00Z.
        Realtime = 0, "REALTIME";
        /// A monotonic clock that cannot be adjusted or jump backwards; its epoch is undefined.
        Monotonic = 1, "MONOTONIC";
        /// CPU time consumed by the current process.
        ProcessCputimeId = 2, "PROCESS_CPUTIME_ID";
        /// CPU time consumed by the current thread.
        ThreadCputimeId = 3, "THREAD_CPUTIME_ID";
    }
);

wire_enum!(
    /// `eventtype` (a `u8`).
    Eventtype: u8 {
        /// The subscription's clock has reached its timeout.
        Clock = 0, "CLOCK";
        /// The fd has data available for reading.
        FdRead = 1, "FD_READ";
        /// The fd has capacity available for writing.
        FdWrite = 2, "FD_WRITE";
    }
);

wire_enum!(
    /// `preopentype` (a `u8`); preview 1 defines only directories.
    Preopentype: u8 {
        /// A preopened directory.
        Dir = 0, "DIR";
    }
);

wire_enum!(
    /// `signal` (a `u8`) for `proc_raise`.
    Signal: u8 {
        /// No signal (reserved: POSIX gives `kill(pid, 0)` special meaning).
        None = 0, "NONE";
        /// Hangup.
        Hup = 1, "HUP";
        /// Terminal interrupt.
        Int = 2, "INT";
        /// Terminal quit.
        Quit = 3, "QUIT";
        /// Illegal instruction.
        Ill = 4, "ILL";
        /// Trace/breakpoint trap.
        Trap = 5, "TRAP";
        /// Process abort.
        Abrt = 6, "ABRT";
        /// Access to an undefined portion of a memory object.
        Bus = 7, "BUS";
        /// Erroneous arithmetic operation.
        Fpe = 8, "FPE";
        /// Kill.
        Kill = 9, "KILL";
        /// User-defined signal 1.
        Usr1 = 10, "USR1";
        /// Invalid memory reference.
        Segv = 11, "SEGV";
        /// User-defined signal 2.
        Usr2 = 12, "USR2";
        /// Write on a pipe with no one to read it.
        Pipe = 13, "PIPE";
        /// Alarm clock.
        Alrm = 14, "ALRM";
        /// Termination.
        Term = 15, "TERM";
        /// Child process terminated, paused or continued.
        Chld = 16, "CHLD";
        /// Continue executing, if stopped.
        Cont = 17, "CONT";
        /// Stop executing.
        Stop = 18, "STOP";
        /// Terminal stop.
        Tstp = 19, "TSTP";
        /// Background process attempting read.
        Ttin = 20, "TTIN";
        /// Background process attempting write.
        Ttou = 21, "TTOU";
        /// High-bandwidth data is available at a socket.
        Urg = 22, "URG";
        /// CPU time limit exceeded.
        Xcpu = 23, "XCPU";
        /// File size limit exceeded.
        Xfsz = 24, "XFSZ";
        /// Virtual timer expired.
        Vtalrm = 25, "VTALRM";
        /// Profiling timer expired.
        Prof = 26, "PROF";
        /// Window size changed.
        Winch = 27, "WINCH";
        /// Pollable event.
        Poll = 28, "POLL";
        /// Power failure.
        Pwr = 29, "PWR";
        /// Bad system call.
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
// The getters and setters are only called on the fixed-size record arrays of this file with
// constant offsets inside them (pinned by the layout tests), never with guest-chosen offsets.
fn get_u16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes(b[off..off + 2].try_into().unwrap()) // ok: a 2-byte slice
}
fn get_u32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap()) // ok: a 4-byte slice
}
fn get_u64(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap()) // ok: an 8-byte slice
}

/// `filestat`: 64 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct Filestat {
    /// Device ID of the device containing the file.
    pub dev: u64,
    /// File serial number (inode).
    pub ino: u64,
    /// File type.
    pub filetype: Filetype,
    /// Number of hard links to the file.
    pub nlink: u64,
    /// For regular files, the file size in bytes; for symbolic links, the length of the target
    /// path.
    pub size: u64,
    /// Last data access timestamp.
    pub atim: Timestamp,
    /// Last data modification timestamp.
    pub mtim: Timestamp,
    /// Last file status change timestamp.
    pub ctim: Timestamp,
}

impl Filestat {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 64;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 8;

    /// The little-endian wire form, padding zeroed.
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
    /// File type.
    pub filetype: Filetype,
    /// File descriptor flags.
    pub flags: Fdflags,
    /// Rights that apply to this fd.
    pub rights_base: Rights,
    /// Maximum rights of fds opened through this one with `path_open`.
    pub rights_inheriting: Rights,
}

impl Fdstat {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 24;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 8;

    /// The little-endian wire form, padding zeroed.
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
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 8;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 4;

    /// The little-endian wire form, padding zeroed.
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
    /// Serial number (inode) of the file the entry refers to.
    pub d_ino: u64,
    /// Length of the name, in bytes.
    pub d_namlen: u32,
    /// Type of the file the entry refers to.
    pub d_type: Filetype,
}

impl Dirent {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 24;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 8;

    /// The little-endian wire form, padding zeroed.
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
    /// Guest address of the buffer.
    pub buf: u32,
    /// Length of the buffer, in bytes.
    pub buf_len: u32,
}

impl Iovec {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 8;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 4;

    /// Reads the wire form.
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
    /// Wait until a clock reaches a time.
    Clock(SubscriptionClock),
    /// Wait until the fd has data to read (`eventtype::fd_read`).
    FdRead(Fd),
    /// Wait until the fd can take more data (`eventtype::fd_write`).
    FdWrite(Fd),
}

/// `subscription_clock`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionClock {
    /// The clock to compare against.
    pub id: Clockid,
    /// The absolute or relative time at which the event fires.
    pub timeout: Timestamp,
    /// Extra time the host may wait past `timeout`, to coalesce with other events.
    pub precision: Timestamp,
    /// Whether `timeout` is absolute or relative.
    pub flags: Subclockflags,
}

/// `subscription`: 48 bytes, align 8.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// Copied to the `userdata` of the event this subscription produces.
    pub userdata: Userdata,
    /// The event to wait for.
    pub kind: SubscriptionKind,
}

impl Subscription {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 48;
    /// Alignment of the wire form in guest memory.
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
    /// The `userdata` of the subscription that produced this event.
    pub userdata: Userdata,
    /// `Errno::Success` unless the subscription failed (e.g. `EBADF` for a closed fd).
    pub error: Errno,
    /// The event type, that of the subscription.
    pub kind: Eventtype,
    /// Bytes available to read or space to write, where the host can tell.
    pub nbytes: u64,
    /// For fd events, whether the peer hung up.
    pub flags: Eventrwflags,
}

impl Event {
    /// Size of the wire form, in bytes.
    pub const SIZE: usize = 32;
    /// Alignment of the wire form in guest memory.
    pub const ALIGN: usize = 8;

    /// The little-endian wire form, padding zeroed.
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
