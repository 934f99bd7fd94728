//! A `System` that records every call and answers with canned data, for driving the ABI layer.

use std::io::{IoSlice, IoSliceMut};

use crate::abi::{
    Advice, Clockid, Dircookie, Dirent, Errno, Event, Fd, Fdflags, Fdstat, Filestat, Filetype,
    Fstflags, Lookupflags, Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal,
    Subscription, Timestamp, Whence,
};
use crate::net::{
    AddrInfo, AddrInfoHints, AddressFamily, SockOpt, SockOptValue, SocketAddr, SocketType,
};
use crate::system::{ReaddirControl, ReaddirSink, Result, System};

/// fds below this are "open"; everything else is `EBADF`.
pub const OPEN_FDS: u32 = 8;
/// The one preopen.
pub const PREOPEN_FD: u32 = 3;

pub struct Fake {
    /// One line per call, arguments included.
    pub log: Vec<String>,
    pub args: Vec<Vec<u8>>,
    pub env: Vec<Vec<u8>>,
    /// Served by `fd_read`, `fd_pread`, `sock_recv` (from the front).
    pub input: Vec<u8>,
    /// Collected by `fd_write`, `fd_pwrite`, `sock_send`.
    pub output: Vec<u8>,
    /// Entries of the one directory; an entry's cookie is its index.
    pub dir: Vec<(Dirent, Vec<u8>)>,
    /// The fd the next `path_open`/`sock_accept` answers.
    pub next_fd: Fd,
    pub closed: Vec<Fd>,
    pub link_target: Vec<u8>,
    pub preopen_name: String,
    /// How many events `poll_oneoff` reports (capped by the subscriptions).
    pub fire: usize,
    pub exit_code: Option<u32>,
    /// The sender `sock_recv_from` reports and the address `sock_getpeeraddr` answers.
    pub peer: Option<SocketAddr>,
    /// What `sock_getlocaladdr` answers.
    pub local: SocketAddr,
    /// What `sock_getsockopt` answers (any option).
    pub opt_value: SockOptValue,
    /// What `sock_getaddrinfo` answers (cut to `max`).
    pub addrinfo: Vec<AddrInfo>,
}

impl Default for Fake {
    fn default() -> Self {
        let dirent = |next, name: &str| {
            let d = Dirent {
                d_next: next,
                d_ino: 100 + next,
                d_namlen: name.len() as u32,
                d_type: Filetype::RegularFile,
            };
            (d, name.as_bytes().to_vec())
        };
        Fake {
            log: Vec::new(),
            args: vec![b"prog".to_vec(), b"-x".to_vec(), Vec::new()],
            env: vec![b"A=1".to_vec(), b"HOME=/".to_vec()],
            input: b"hello, world".to_vec(),
            output: Vec::new(),
            dir: vec![
                dirent(1, "."),
                dirent(2, ".."),
                dirent(3, "file"),
                dirent(4, "longer-name"),
            ],
            next_fd: 5,
            closed: Vec::new(),
            link_target: b"target/of/link".to_vec(),
            preopen_name: "/sandbox".into(),
            fire: usize::MAX,
            exit_code: None,
            peer: Some(SocketAddr::Inet("1.2.3.4:5678".parse().unwrap())),
            local: SocketAddr::Inet("[::1]:80".parse().unwrap()),
            opt_value: SockOptValue::Int(7),
            addrinfo: vec![
                AddrInfo {
                    addr: "127.0.0.1:8080".parse().unwrap(),
                    socktype: SocketType::Stream,
                    protocol: 1,
                    canonname: Some("localhost".into()),
                },
                AddrInfo {
                    addr: "[::1]:8080".parse().unwrap(),
                    socktype: SocketType::Dgram,
                    protocol: 2,
                    canonname: None,
                },
            ],
        }
    }
}

impl Fake {
    fn fd(&self, fd: Fd) -> Result<()> {
        if fd < OPEN_FDS {
            Ok(())
        } else {
            Err(Errno::Badf)
        }
    }

    fn note(&mut self, line: String) {
        self.log.push(line);
    }

    pub fn last(&self) -> &str {
        self.log.last().map(String::as_str).unwrap_or("")
    }

    fn take_input(&mut self, bufs: &mut [IoSliceMut<'_>]) -> usize {
        let mut n = 0;
        for b in bufs.iter_mut() {
            let k = b.len().min(self.input.len() - n);
            b[..k].copy_from_slice(&self.input[n..n + k]);
            n += k;
        }
        self.input.drain(..n);
        n
    }

    fn put_output(&mut self, bufs: &[IoSlice<'_>]) -> usize {
        let before = self.output.len();
        for b in bufs {
            self.output.extend_from_slice(b);
        }
        self.output.len() - before
    }
}

fn sizes(list: &[Vec<u8>]) -> (u32, u32) {
    (
        list.len() as u32,
        list.iter().map(|s| s.len() as u32 + 1).sum(),
    )
}

impl System for Fake {
    fn args_sizes_get(&mut self) -> Result<(u32, u32)> {
        self.note("args_sizes_get".into());
        Ok(sizes(&self.args))
    }
    fn args_get(&mut self) -> Result<&[Vec<u8>]> {
        self.note("args_get".into());
        Ok(&self.args)
    }
    fn environ_sizes_get(&mut self) -> Result<(u32, u32)> {
        self.note("environ_sizes_get".into());
        Ok(sizes(&self.env))
    }
    fn environ_get(&mut self) -> Result<&[Vec<u8>]> {
        self.note("environ_get".into());
        Ok(&self.env)
    }
    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp> {
        self.note(format!("clock_res_get({id:?})"));
        Ok(1000)
    }
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp> {
        self.note(format!("clock_time_get({id:?},{precision})"));
        Ok(0x0123_4567_89ab_cdef)
    }
    fn random_get(&mut self, buf: &mut [u8]) -> Result<()> {
        self.note(format!("random_get({})", buf.len()));
        buf.fill(0xa5);
        Ok(())
    }
    fn sched_yield(&mut self) -> Result<()> {
        self.note("sched_yield".into());
        Ok(())
    }
    fn poll_oneoff(&mut self, subs: &[Subscription], events: &mut [Event]) -> Result<usize> {
        self.note(format!("poll_oneoff({})", subs.len()));
        let n = self.fire.min(subs.len()).min(events.len());
        for (e, s) in events.iter_mut().zip(subs).take(n) {
            *e = Event {
                nbytes: 7,
                ..Event::for_subscription(s)
            };
        }
        Ok(n)
    }
    fn proc_exit(&mut self, code: u32) {
        self.note(format!("proc_exit({code})"));
        self.exit_code = Some(code);
    }
    fn proc_raise(&mut self, signal: Signal) -> Result<()> {
        self.note(format!("proc_raise({signal:?})"));
        Err(Errno::Notsup)
    }
    fn fd_advise(&mut self, fd: Fd, offset: u64, len: u64, advice: Advice) -> Result<()> {
        self.note(format!("fd_advise({fd},{offset},{len},{advice:?})"));
        self.fd(fd)
    }
    fn fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()> {
        self.note(format!("fd_allocate({fd},{offset},{len})"));
        self.fd(fd)
    }
    fn fd_close(&mut self, fd: Fd) -> Result<()> {
        self.note(format!("fd_close({fd})"));
        self.fd(fd)?;
        self.closed.push(fd);
        Ok(())
    }
    fn fd_datasync(&mut self, fd: Fd) -> Result<()> {
        self.note(format!("fd_datasync({fd})"));
        self.fd(fd)
    }
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat> {
        self.note(format!("fd_fdstat_get({fd})"));
        self.fd(fd)?;
        Ok(Fdstat {
            filetype: Filetype::RegularFile,
            flags: Fdflags::APPEND,
            rights_base: Rights::FD_READ | Rights::FD_WRITE,
            rights_inheriting: Rights::empty(),
        })
    }
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<()> {
        self.note(format!("fd_fdstat_set_flags({fd},{:#x})", flags.bits()));
        self.fd(fd)
    }
    fn fd_fdstat_set_rights(&mut self, fd: Fd, base: Rights, inheriting: Rights) -> Result<()> {
        self.note(format!(
            "fd_fdstat_set_rights({fd},{:#x},{:#x})",
            base.bits(),
            inheriting.bits()
        ));
        self.fd(fd)
    }
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat> {
        self.note(format!("fd_filestat_get({fd})"));
        self.fd(fd)?;
        Ok(Filestat {
            ino: 42,
            size: 12,
            filetype: Filetype::RegularFile,
            ..Filestat::default()
        })
    }
    fn fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()> {
        self.note(format!("fd_filestat_set_size({fd},{size})"));
        self.fd(fd)
    }
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<()> {
        self.note(format!(
            "fd_filestat_set_times({fd},{atim},{mtim},{:#x})",
            flags.bits()
        ));
        self.fd(fd)
    }
    fn fd_pread(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        self.note(format!("fd_pread({fd},{},{offset})", iovs.len()));
        self.fd(fd)?;
        Ok(self.take_input(iovs))
    }
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        self.note(format!("fd_pwrite({fd},{},{offset})", iovs.len()));
        self.fd(fd)?;
        Ok(self.put_output(iovs))
    }
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat> {
        self.note(format!("fd_prestat_get({fd})"));
        self.fd(fd)?;
        if fd != PREOPEN_FD {
            return Err(Errno::Badf);
        }
        Ok(Prestat {
            dir_name_len: self.preopen_name.len() as u32,
        })
    }
    fn fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str> {
        self.note(format!("fd_prestat_dir_name({fd})"));
        self.fd(fd)?;
        if fd != PREOPEN_FD {
            return Err(Errno::Badf);
        }
        Ok(&self.preopen_name)
    }
    fn fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        self.note(format!("fd_read({fd},{})", iovs.len()));
        self.fd(fd)?;
        Ok(self.take_input(iovs))
    }
    fn fd_readdir(&mut self, fd: Fd, cookie: Dircookie, sink: &mut ReaddirSink<'_>) -> Result<()> {
        self.note(format!("fd_readdir({fd},{cookie})"));
        self.fd(fd)?;
        let start = usize::try_from(cookie).unwrap_or(usize::MAX);
        for (d, name) in self.dir.iter().skip(start) {
            if sink(d, name) == ReaddirControl::Stop {
                break;
            }
        }
        Ok(())
    }
    fn fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()> {
        self.note(format!("fd_renumber({from},{to})"));
        self.fd(from)?;
        self.fd(to)
    }
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64> {
        self.note(format!("fd_seek({fd},{offset},{whence:?})"));
        self.fd(fd)?;
        Ok(offset.unsigned_abs())
    }
    fn fd_sync(&mut self, fd: Fd) -> Result<()> {
        self.note(format!("fd_sync({fd})"));
        self.fd(fd)
    }
    fn fd_tell(&mut self, fd: Fd) -> Result<u64> {
        self.note(format!("fd_tell({fd})"));
        self.fd(fd)?;
        Ok(77)
    }
    fn fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize> {
        self.note(format!("fd_write({fd},{})", iovs.len()));
        self.fd(fd)?;
        Ok(self.put_output(iovs))
    }
    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.note(format!("path_create_directory({fd},{path:?})"));
        self.fd(fd)
    }
    fn path_filestat_get(&mut self, fd: Fd, flags: Lookupflags, path: &str) -> Result<Filestat> {
        self.note(format!("path_filestat_get({fd},{},{path:?})", flags.bits()));
        self.fd(fd)?;
        Ok(Filestat {
            ino: 9,
            nlink: 2,
            filetype: Filetype::Directory,
            ..Filestat::default()
        })
    }
    fn path_filestat_set_times(
        &mut self,
        fd: Fd,
        flags: Lookupflags,
        path: &str,
        atim: Timestamp,
        mtim: Timestamp,
        fst_flags: Fstflags,
    ) -> Result<()> {
        self.note(format!(
            "path_filestat_set_times({fd},{},{path:?},{atim},{mtim},{:#x})",
            flags.bits(),
            fst_flags.bits()
        ));
        self.fd(fd)
    }
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()> {
        self.note(format!(
            "path_link({old_fd},{},{old_path:?},{new_fd},{new_path:?})",
            old_flags.bits()
        ));
        self.fd(old_fd)?;
        self.fd(new_fd)
    }
    fn path_open(
        &mut self,
        fd: Fd,
        dirflags: Lookupflags,
        path: &str,
        oflags: Oflags,
        rights_base: Rights,
        rights_inheriting: Rights,
        fdflags: Fdflags,
    ) -> Result<Fd> {
        self.note(format!(
            "path_open({fd},{},{path:?},{:#x},{:#x},{:#x},{:#x})",
            dirflags.bits(),
            oflags.bits(),
            rights_base.bits(),
            rights_inheriting.bits(),
            fdflags.bits()
        ));
        self.fd(fd)?;
        Ok(self.next_fd)
    }
    fn path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize> {
        self.note(format!("path_readlink({fd},{path:?},{})", buf.len()));
        self.fd(fd)?;
        let n = buf.len().min(self.link_target.len());
        buf[..n].copy_from_slice(&self.link_target[..n]);
        Ok(n)
    }
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.note(format!("path_remove_directory({fd},{path:?})"));
        self.fd(fd)
    }
    fn path_rename(&mut self, fd: Fd, old_path: &str, new_fd: Fd, new_path: &str) -> Result<()> {
        self.note(format!(
            "path_rename({fd},{old_path:?},{new_fd},{new_path:?})"
        ));
        self.fd(fd)?;
        self.fd(new_fd)
    }
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()> {
        self.note(format!("path_symlink({old_path:?},{fd},{new_path:?})"));
        self.fd(fd)
    }
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.note(format!("path_unlink_file({fd},{path:?})"));
        self.fd(fd)
    }
    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd> {
        self.note(format!("sock_accept({fd},{:#x})", flags.bits()));
        self.fd(fd)?;
        Ok(self.next_fd)
    }
    fn sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Roflags)> {
        self.note(format!(
            "sock_recv({fd},{},{:#x})",
            iovs.len(),
            flags.bits()
        ));
        self.fd(fd)?;
        Ok((self.take_input(iovs), Roflags::RECV_DATA_TRUNCATED))
    }
    fn sock_send(&mut self, fd: Fd, iovs: &[IoSlice<'_>], flags: Siflags) -> Result<usize> {
        self.note(format!(
            "sock_send({fd},{},{:#x})",
            iovs.len(),
            flags.bits()
        ));
        self.fd(fd)?;
        Ok(self.put_output(iovs))
    }
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        self.note(format!("sock_shutdown({fd},{:#x})", how.bits()));
        self.fd(fd)
    }
    fn sock_open(&mut self, family: AddressFamily, socktype: SocketType) -> Result<Fd> {
        self.note(format!("sock_open({},{})", family.name(), socktype.name()));
        Ok(self.next_fd)
    }
    fn sock_bind(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.note(format!("sock_bind({fd},{addr})"));
        self.fd(fd)
    }
    fn sock_connect(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.note(format!("sock_connect({fd},{addr})"));
        self.fd(fd)
    }
    fn sock_listen(&mut self, fd: Fd, backlog: u32) -> Result<()> {
        self.note(format!("sock_listen({fd},{backlog})"));
        self.fd(fd)
    }
    fn sock_recv_from(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Option<SocketAddr>, Roflags)> {
        self.note(format!(
            "sock_recv_from({fd},{},{:#x})",
            iovs.len(),
            flags.bits()
        ));
        self.fd(fd)?;
        let n = self.take_input(iovs);
        Ok((n, self.peer.clone(), Roflags::RECV_DATA_TRUNCATED))
    }
    fn sock_send_to(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        addr: &SocketAddr,
        flags: Siflags,
    ) -> Result<usize> {
        self.note(format!(
            "sock_send_to({fd},{},{addr},{:#x})",
            iovs.len(),
            flags.bits()
        ));
        self.fd(fd)?;
        Ok(self.put_output(iovs))
    }
    fn sock_getsockopt(&mut self, fd: Fd, opt: SockOpt) -> Result<SockOptValue> {
        self.note(format!("sock_getsockopt({fd},{})", opt.name()));
        self.fd(fd)?;
        Ok(self.opt_value)
    }
    fn sock_setsockopt(&mut self, fd: Fd, opt: SockOpt, value: SockOptValue) -> Result<()> {
        self.note(format!("sock_setsockopt({fd},{},{value:?})", opt.name()));
        self.fd(fd)
    }
    fn sock_getlocaladdr(&mut self, fd: Fd) -> Result<SocketAddr> {
        self.note(format!("sock_getlocaladdr({fd})"));
        self.fd(fd)?;
        Ok(self.local.clone())
    }
    fn sock_getpeeraddr(&mut self, fd: Fd) -> Result<SocketAddr> {
        self.note(format!("sock_getpeeraddr({fd})"));
        self.fd(fd)?;
        self.peer.clone().ok_or(Errno::Notconn)
    }
    fn sock_getaddrinfo(
        &mut self,
        node: &str,
        service: &str,
        hints: &AddrInfoHints,
        max: usize,
    ) -> Result<Vec<AddrInfo>> {
        self.note(format!(
            "sock_getaddrinfo({node:?},{service:?},{:#x},{:?},{:?},{},{max})",
            hints.flags, hints.family, hints.socktype, hints.protocol
        ));
        Ok(self.addrinfo.iter().take(max).cloned().collect())
    }
}
