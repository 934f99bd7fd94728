//! The four preview 1 socket calls, on fds that are sockets (`ENOTSOCK` otherwise).

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, OwnedFd};

use rustix::fs::{Mode, OFlags};

use rustix::net::{
    RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags, Shutdown,
    SocketAddrAny, SocketAddrUnix, SocketFlags,
};

use super::{Handle, UnixSystem, stat};
use crate::abi::{Errno, Fd, Fdflags, Filetype, Riflags, Rights, Roflags, Sdflags, Siflags};
use crate::net::{
    AddrInfo, AddrInfoHints, AddressFamily, SockOpt, SockOptValue, SocketAddr, SocketType, ai_flags,
};
use crate::system::Result;
use crate::table::Entry;

impl UnixSystem {
    /// The socket behind `fd`: `EBADF`, then `ENOTSOCK`, then `ENOTCAPABLE`.
    fn socket(&self, fd: Fd, required: Rights) -> Result<std::os::fd::BorrowedFd<'_>> {
        let e = self.table.entry(fd)?;
        if !matches!(e.filetype, Filetype::SocketStream | Filetype::SocketDgram) {
            return Err(Errno::Notsock);
        }
        e.check(required)?;
        Ok(e.handle.as_fd())
    }

    pub(super) fn do_sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd> {
        let s = self.socket(fd, Rights::SOCK_ACCEPT)?;
        // Only NONBLOCK means something for a new connection (wasmtime refuses the rest too).
        if !(flags - Fdflags::NONBLOCK).is_empty() {
            return Err(Errno::Inval);
        }
        let mut sf = SocketFlags::CLOEXEC;
        if flags.contains(Fdflags::NONBLOCK) {
            sf |= SocketFlags::NONBLOCK;
        }
        let conn = rustix::net::accept_with(s, sf)?;
        let filetype = stat::filetype_of_fd(std::os::fd::AsFd::as_fd(&conn))?;
        self.table.insert(Entry {
            handle: Handle::Other(conn),
            filetype,
            // A connection can be read, written, polled and shut down; it accepts nothing.
            rights_base: Rights::SOCKET - Rights::SOCK_ACCEPT,
            rights_inheriting: Rights::empty(),
            preopen: None,
        })
    }

    pub(super) fn do_sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Roflags)> {
        let s = self.socket(fd, Rights::FD_READ)?;
        let mut control = RecvAncillaryBuffer::default();
        let msg = rustix::net::recvmsg(s, iovs, &mut control, recv_flags(flags))?;
        let mut ro = Roflags::empty();
        if msg.flags.contains(ReturnFlags::TRUNC) {
            ro |= Roflags::RECV_DATA_TRUNCATED;
        }
        Ok((msg.bytes, ro))
    }

    pub(super) fn do_sock_send(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        _flags: Siflags,
    ) -> Result<usize> {
        let s = self.socket(fd, Rights::FD_WRITE)?;
        let mut control = SendAncillaryBuffer::default();
        // NOSIGNAL: a peer that went away is EPIPE for the guest, not SIGPIPE for the host.
        Ok(rustix::net::sendmsg(
            s,
            iovs,
            &mut control,
            SendFlags::NOSIGNAL,
        )?)
    }

    pub(super) fn do_sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        let s = self.socket(fd, Rights::SOCK_SHUTDOWN)?;
        let how = if how == Sdflags::RD | Sdflags::WR {
            Shutdown::Both
        } else if how == Sdflags::RD {
            Shutdown::Read
        } else if how == Sdflags::WR {
            Shutdown::Write
        } else {
            return Err(Errno::Inval);
        };
        rustix::net::shutdown(s, how)?;
        Ok(())
    }
}

// --- the WasmEdge extension ------------------------------------------------------------------

fn rustix_family(f: AddressFamily) -> rustix::net::AddressFamily {
    match f {
        AddressFamily::Inet4 => rustix::net::AddressFamily::INET,
        AddressFamily::Inet6 => rustix::net::AddressFamily::INET6,
        AddressFamily::Unix => rustix::net::AddressFamily::UNIX,
    }
}

fn recv_flags(flags: Riflags) -> RecvFlags {
    let mut rf = RecvFlags::empty();
    if flags.contains(Riflags::RECV_PEEK) {
        rf |= RecvFlags::PEEK;
    }
    if flags.contains(Riflags::RECV_WAITALL) {
        rf |= RecvFlags::WAITALL;
    }
    rf
}

/// A kernel socket address as the guest sees it. Unix addresses are reported by their last
/// component only: the kernel holds the `/proc/self/fd/N/...` form the host bound or
/// connected through, which names host fds and would mean nothing to the guest
/// (`sock_getlocaladdr` restores the full guest path of sockets this system bound). An
/// unnamed unix socket (not bound, or the client end of a connection) is the empty path.
fn guest_addr(a: &SocketAddrAny) -> Option<SocketAddr> {
    match a.address_family() {
        rustix::net::AddressFamily::INET | rustix::net::AddressFamily::INET6 => {
            std::net::SocketAddr::try_from(a.clone())
                .ok()
                .map(SocketAddr::Inet)
        }
        rustix::net::AddressFamily::UNIX => {
            let u = SocketAddrUnix::try_from(a.clone()).ok()?;
            let Some(bytes) = u.path_bytes() else {
                return Some(SocketAddr::Unix(String::new()));
            };
            let name = bytes.rsplit(|&b| b == b'/').next().unwrap_or(bytes);
            Some(SocketAddr::Unix(String::from_utf8_lossy(name).into_owned()))
        }
        _ => None,
    }
}

/// A unix path as the policy and the resolver see it: `.` components and empty ones dropped,
/// `a/..` collapsed, so that `/sock/../other/x` cannot match a grant for `/sock/*` while
/// naming something else. A `..` that would climb above the path's start is `EPERM` (the
/// errno path calls give for escapes). Inet addresses pass unchanged.
fn normalize(addr: &SocketAddr) -> Result<SocketAddr> {
    let SocketAddr::Unix(p) = addr else {
        return Ok(addr.clone());
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or(Errno::Perm)?;
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        return Err(Errno::Inval);
    }
    let lead = if p.starts_with('/') { "/" } else { "" };
    Ok(SocketAddr::Unix(format!("{lead}{}", parts.join("/"))))
}

fn int_of_bool(b: bool) -> SockOptValue {
    SockOptValue::Int(i32::from(b))
}

fn bool_of(v: SockOptValue) -> Result<bool> {
    match v {
        SockOptValue::Int(i) => Ok(i != 0),
        _ => Err(Errno::Inval),
    }
}

fn size_of(v: SockOptValue) -> Result<usize> {
    match v {
        SockOptValue::Int(i) => usize::try_from(i).map_err(|_| Errno::Inval),
        _ => Err(Errno::Inval),
    }
}

impl UnixSystem {
    /// Where a unix-domain guest path lives: the directory it names (opened through cap-std
    /// inside a preopen, so `..` and symlinks cannot leave it) and its last component.
    /// Absolute guest paths pick the preopen whose name is their longest prefix; relative
    /// ones resolve under the first preopen. The preopen needs `required`.
    fn unix_target(&self, path: &str, required: Rights) -> Result<(cap_std::fs::Dir, String)> {
        if path.is_empty() || path.contains('\0') {
            return Err(Errno::Inval);
        }
        let mut best: Option<(usize, Fd)> = None;
        for (fd, e) in self.table.iter() {
            let Some(p) = &e.preopen else { continue };
            let name = p.guest_name.trim_end_matches('/');
            let rel_ok = !path.starts_with('/');
            let matched = if rel_ok {
                // First preopen (lowest fd) wins for relative paths.
                best.is_none().then_some(0)
            } else if name.is_empty() {
                Some(0)
            } else {
                path.strip_prefix(name)
                    .filter(|r| r.is_empty() || r.starts_with('/'))
                    .map(|_| name.len())
            };
            if let Some(len) = matched
                && best.is_none_or(|(l, _)| len > l)
            {
                best = Some((len, fd));
            }
        }
        let Some((len, fd)) = best else {
            return Err(Errno::Noent);
        };
        let rest = if path.starts_with('/') {
            path.get(len..).unwrap_or("").trim_start_matches('/')
        } else {
            path
        };
        let (parent, base) = match rest.rsplit_once('/') {
            Some((p, b)) => (p, b),
            None => ("", rest),
        };
        if base.is_empty() || base == "." || base == ".." {
            return Err(Errno::Inval);
        }
        let e = self.dir(fd, required)?;
        let Handle::Dir { dir, .. } = &e.handle else {
            return Err(Errno::Notdir);
        };
        let parent_dir = if parent.is_empty() {
            dir.try_clone()?
        } else {
            dir.open_dir(parent).map_err(Errno::from)?
        };
        Ok((parent_dir, base.to_owned()))
    }

    pub(super) fn do_sock_open(
        &mut self,
        family: AddressFamily,
        socktype: SocketType,
    ) -> Result<Fd> {
        // No network at all without a grant: not even a socket to poke at.
        if !self.net_policy.grants_family(family) {
            return Err(Errno::Acces);
        }
        let (ty, filetype) = match socktype {
            SocketType::Stream => (rustix::net::SocketType::STREAM, Filetype::SocketStream),
            SocketType::Dgram => (rustix::net::SocketType::DGRAM, Filetype::SocketDgram),
        };
        let s = rustix::net::socket_with(rustix_family(family), ty, SocketFlags::CLOEXEC, None)?;
        self.table.insert(Entry {
            handle: Handle::Other(s),
            filetype,
            rights_base: Rights::SOCKET,
            rights_inheriting: Rights::empty(),
            preopen: None,
        })
    }

    pub(super) fn do_sock_bind(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.socket(fd, Rights::empty())?;
        let addr = &normalize(addr)?;
        self.net_policy.check_bind(addr)?;
        match addr {
            SocketAddr::Inet(a) => {
                rustix::net::bind(self.socket(fd, Rights::empty())?, a)?;
            }
            SocketAddr::Unix(p) => {
                let (dir, base) = self.unix_target(p, Rights::PATH_CREATE_FILE)?;
                // Linux has no bindat(): name the directory through its fd in /proc, so the
                // kernel creates `base` in the directory cap-std opened and nowhere else.
                let via = format!("/proc/self/fd/{}/{base}", dir.as_raw_fd());
                let ua = SocketAddrUnix::new(via.as_str()).map_err(|_| Errno::Nametoolong)?;
                let sock = self.socket(fd, Rights::empty())?;
                rustix::net::bind(sock, &ua)?;
                // Remember the guest's name: the kernel only knows the /proc form.
                let ino = rustix::fs::fstat(sock)?.st_ino as u64;
                self.unix_names.insert(fd, (ino, p.clone()));
            }
        }
        Ok(())
    }

    pub(super) fn do_sock_connect(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.socket(fd, Rights::empty())?;
        let addr = &normalize(addr)?;
        self.net_policy.check_connect(addr)?;
        match addr {
            SocketAddr::Inet(a) => rustix::net::connect(self.socket(fd, Rights::empty())?, a)?,
            SocketAddr::Unix(p) => {
                // `_keep` holds the O_PATH fd the address names until connect is done.
                let (_keep, ua) = self.unix_peer(p)?;
                rustix::net::connect(self.socket(fd, Rights::empty())?, &ua)?;
            }
        }
        Ok(())
    }

    /// The address to reach a unix socket at guest path `p`: its inode opened `O_PATH`
    /// without following a final symlink (which could point outside the preopen), then named
    /// through `/proc/self/fd`. The returned fd must live until the call is done.
    fn unix_peer(&self, p: &str) -> Result<(OwnedFd, SocketAddrUnix)> {
        let (dir, base) = self.unix_target(p, Rights::PATH_OPEN)?;
        let o = rustix::fs::openat(
            &dir,
            base.as_str(),
            OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        // The raw mode, not `filetype_of_fd`: that asks the socket for its type, which an
        // `O_PATH` fd cannot answer.
        let mode = rustix::fs::fstat(&o)?.st_mode;
        if rustix::fs::FileType::from_raw_mode(mode) != rustix::fs::FileType::Socket {
            // What connect(2) answers for a path that is not a socket.
            return Err(Errno::Connrefused);
        }
        let via = format!("/proc/self/fd/{}", o.as_raw_fd());
        let ua = SocketAddrUnix::new(via.as_str()).map_err(|_| Errno::Nametoolong)?;
        Ok((o, ua))
    }

    pub(super) fn do_sock_listen(&mut self, fd: Fd, backlog: u32) -> Result<()> {
        let s = self.socket(fd, Rights::empty())?;
        // listen(2) on an unbound socket binds it to the wildcard address and an ephemeral
        // port: that is a bind, and the bind list must allow it.
        let local = rustix::net::getsockname(s)?;
        if let Ok(a) = std::net::SocketAddr::try_from(local)
            && a.port() == 0
        {
            let unspec = match a {
                std::net::SocketAddr::V4(_) => "0.0.0.0:0".parse(),
                std::net::SocketAddr::V6(_) => "[::]:0".parse(),
            };
            if let Ok(u) = unspec {
                self.net_policy.check_bind(&SocketAddr::Inet(u))?;
            }
        }
        let s = self.socket(fd, Rights::empty())?;
        rustix::net::listen(s, i32::try_from(backlog).unwrap_or(i32::MAX))?;
        Ok(())
    }

    pub(super) fn do_sock_recv_from(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Option<SocketAddr>, Roflags)> {
        let s = self.socket(fd, Rights::FD_READ)?;
        let mut control = RecvAncillaryBuffer::default();
        let msg = rustix::net::recvmsg(s, iovs, &mut control, recv_flags(flags))?;
        let mut ro = Roflags::empty();
        if msg.flags.contains(ReturnFlags::TRUNC) {
            ro |= Roflags::RECV_DATA_TRUNCATED;
        }
        let total: usize = iovs.iter().map(|b| b.len()).sum();
        Ok((
            msg.bytes.min(total),
            msg.address.as_ref().and_then(guest_addr),
            ro,
        ))
    }

    pub(super) fn do_sock_send_to(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        addr: &SocketAddr,
        _flags: Siflags,
    ) -> Result<usize> {
        self.socket(fd, Rights::FD_WRITE)?;
        let addr = &normalize(addr)?;
        self.net_policy.check_connect(addr)?;
        let mut control = SendAncillaryBuffer::default();
        let s = self.socket(fd, Rights::FD_WRITE)?;
        Ok(match addr {
            SocketAddr::Inet(a) => {
                rustix::net::sendmsg_addr(s, a, iovs, &mut control, SendFlags::NOSIGNAL)?
            }
            SocketAddr::Unix(p) => {
                let (_keep, ua) = self.unix_peer(p)?;
                let s = self.socket(fd, Rights::FD_WRITE)?;
                rustix::net::sendmsg_addr(s, &ua, iovs, &mut control, SendFlags::NOSIGNAL)?
            }
        })
    }

    pub(super) fn do_sock_getsockopt(&mut self, fd: Fd, opt: SockOpt) -> Result<SockOptValue> {
        use rustix::net::sockopt as so;
        let s = self.socket(fd, Rights::empty())?;
        Ok(match opt {
            SockOpt::ReuseAddr => int_of_bool(so::socket_reuseaddr(s)?),
            SockOpt::Type => {
                let t = so::socket_type(s)?;
                let w = if t == rustix::net::SocketType::DGRAM {
                    SocketType::Dgram
                } else {
                    SocketType::Stream
                };
                SockOptValue::Int(w.raw() as i32)
            }
            SockOpt::Error => SockOptValue::Int(match so::socket_error(s)? {
                Ok(()) => 0,
                Err(e) => i32::from(Errno::from(e).raw()),
            }),
            SockOpt::Broadcast => int_of_bool(so::socket_broadcast(s)?),
            SockOpt::SndBuf => SockOptValue::Int(
                i32::try_from(so::socket_send_buffer_size(s)?).unwrap_or(i32::MAX),
            ),
            SockOpt::RcvBuf => SockOptValue::Int(
                i32::try_from(so::socket_recv_buffer_size(s)?).unwrap_or(i32::MAX),
            ),
            SockOpt::KeepAlive => int_of_bool(so::socket_keepalive(s)?),
            SockOpt::OobInline => int_of_bool(so::socket_oobinline(s)?),
            SockOpt::Linger => SockOptValue::Linger(so::socket_linger(s)?),
            SockOpt::RcvTimeo => {
                SockOptValue::Time(so::socket_timeout(s, rustix::net::sockopt::Timeout::Recv)?)
            }
            SockOpt::SndTimeo => {
                SockOptValue::Time(so::socket_timeout(s, rustix::net::sockopt::Timeout::Send)?)
            }
            SockOpt::AcceptConn => int_of_bool(so::socket_acceptconn(s)?),
            SockOpt::TcpNoDelay => int_of_bool(so::tcp_nodelay(s)?),
            // rustix exposes no accessor for these, and the crate has no libc: documented as
            // unsupported rather than faked.
            SockOpt::DontRoute | SockOpt::RcvLowat | SockOpt::BindToDevice => {
                return Err(Errno::Notsup);
            }
        })
    }

    pub(super) fn do_sock_setsockopt(
        &mut self,
        fd: Fd,
        opt: SockOpt,
        value: SockOptValue,
    ) -> Result<()> {
        use rustix::net::sockopt as so;
        let s = self.socket(fd, Rights::empty())?;
        match opt {
            SockOpt::ReuseAddr => so::set_socket_reuseaddr(s, bool_of(value)?)?,
            SockOpt::Broadcast => so::set_socket_broadcast(s, bool_of(value)?)?,
            SockOpt::SndBuf => so::set_socket_send_buffer_size(s, size_of(value)?)?,
            SockOpt::RcvBuf => so::set_socket_recv_buffer_size(s, size_of(value)?)?,
            SockOpt::KeepAlive => so::set_socket_keepalive(s, bool_of(value)?)?,
            SockOpt::OobInline => so::set_socket_oobinline(s, bool_of(value)?)?,
            SockOpt::TcpNoDelay => so::set_tcp_nodelay(s, bool_of(value)?)?,
            SockOpt::Linger => match value {
                SockOptValue::Linger(l) => so::set_socket_linger(s, l)?,
                _ => return Err(Errno::Inval),
            },
            SockOpt::RcvTimeo | SockOpt::SndTimeo => match value {
                SockOptValue::Time(t) => {
                    let id = if opt == SockOpt::RcvTimeo {
                        so::Timeout::Recv
                    } else {
                        so::Timeout::Send
                    };
                    so::set_socket_timeout(s, id, t)?
                }
                _ => return Err(Errno::Inval),
            },
            // Read-only options: what Linux answers for setting them.
            SockOpt::Type | SockOpt::Error | SockOpt::AcceptConn => {
                return Err(Errno::Noprotoopt);
            }
            // SO_BINDTODEVICE would let a guest pick a host interface (and needs
            // CAP_NET_RAW); the other two have no rustix accessor. Unsupported, not faked.
            SockOpt::DontRoute | SockOpt::RcvLowat | SockOpt::BindToDevice => {
                return Err(Errno::Notsup);
            }
        }
        Ok(())
    }

    pub(super) fn do_sock_getlocaladdr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let s = self.socket(fd, Rights::empty())?;
        let a = rustix::net::getsockname(s)?;
        let addr = guest_addr(&a).ok_or(Errno::Afnosupport)?;
        if let SocketAddr::Unix(name) = &addr
            && !name.is_empty()
            && let Some((ino, path)) = self.unix_names.get(&fd)
            && rustix::fs::fstat(s)?.st_ino as u64 == *ino
        {
            return Ok(SocketAddr::Unix(path.clone()));
        }
        Ok(addr)
    }

    pub(super) fn do_sock_getpeeraddr(&mut self, fd: Fd) -> Result<SocketAddr> {
        let s = self.socket(fd, Rights::empty())?;
        let a = rustix::net::getpeername(s)?.ok_or(Errno::Notconn)?;
        guest_addr(&a).ok_or(Errno::Afnosupport)
    }

    pub(super) fn do_sock_getaddrinfo(
        &mut self,
        node: &str,
        service: &str,
        hints: &AddrInfoHints,
        max: usize,
    ) -> Result<Vec<AddrInfo>> {
        use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
        // Guests often pass the C string's NUL along.
        let node = node.trim_end_matches('\0');
        let service = service.trim_end_matches('\0');
        let port = if service.is_empty() {
            0
        } else {
            // Named services would need /etc/services; only numbers are supported.
            service.parse::<u16>().map_err(|_| Errno::Inval)?
        };
        if hints.family == Some(AddressFamily::Unix) {
            return Err(Errno::Afnosupport);
        }
        let ips: Vec<IpAddr> = if node.is_empty() {
            // No node: the wildcard for PASSIVE (servers), loopback otherwise (POSIX). No
            // resolver involved, so no DNS grant needed.
            if hints.flags & ai_flags::PASSIVE != 0 {
                vec![Ipv6Addr::UNSPECIFIED.into(), Ipv4Addr::UNSPECIFIED.into()]
            } else {
                vec![Ipv6Addr::LOCALHOST.into(), Ipv4Addr::LOCALHOST.into()]
            }
        } else if let Ok(ip) = node.parse::<IpAddr>() {
            vec![ip]
        } else if hints.flags & ai_flags::NUMERICHOST != 0 {
            return Err(Errno::Inval);
        } else {
            self.net_policy.check_dns(node)?;
            let found: Vec<IpAddr> = (node, 0u16)
                .to_socket_addrs()
                .map_err(|_| Errno::Noent)?
                .map(|a| a.ip())
                .collect();
            self.net_policy.learn_resolved(node, &found);
            found
        };
        let mut addrs: Vec<IpAddr> = Vec::new();
        for ip in &ips {
            let keep = match hints.family {
                Some(AddressFamily::Inet4) => ip.is_ipv4(),
                Some(AddressFamily::Inet6) => ip.is_ipv6(),
                _ => true,
            };
            if keep && !addrs.contains(ip) {
                addrs.push(*ip);
            }
        }
        let v4mapped = hints.flags & ai_flags::V4MAPPED != 0;
        if hints.family == Some(AddressFamily::Inet6)
            && v4mapped
            && (addrs.is_empty() || hints.flags & ai_flags::ALL != 0)
        {
            for ip in &ips {
                if let IpAddr::V4(v4) = ip {
                    let m = IpAddr::V6(v4.to_ipv6_mapped());
                    if !addrs.contains(&m) {
                        addrs.push(m);
                    }
                }
            }
        }
        if addrs.is_empty() {
            return Err(Errno::Noent);
        }
        let types: &[(SocketType, u32)] = match (hints.socktype, hints.protocol) {
            (Some(SocketType::Stream), 0 | 1) | (None, 1) => &[(SocketType::Stream, 1)],
            (Some(SocketType::Dgram), 0 | 2) | (None, 2) => &[(SocketType::Dgram, 2)],
            (None, 0) => &[(SocketType::Stream, 1), (SocketType::Dgram, 2)],
            _ => return Err(Errno::Protonosupport),
        };
        let mut out = Vec::new();
        'outer: for ip in addrs {
            for &(socktype, protocol) in types {
                if out.len() >= max {
                    break 'outer;
                }
                out.push(AddrInfo {
                    addr: std::net::SocketAddr::new(ip, port),
                    socktype,
                    protocol,
                    canonname: None,
                });
            }
        }
        // std exposes no canonical name; the node as given is the best honest answer.
        if hints.flags & ai_flags::CANONNAME != 0
            && let Some(first) = out.first_mut()
        {
            first.canonname = Some(node.to_owned());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_paths_are_normalized_before_the_policy_sees_them() {
        let u = |s: &str| SocketAddr::Unix(s.into());
        assert_eq!(normalize(&u("/a/./b//c")), Ok(u("/a/b/c")));
        assert_eq!(normalize(&u("/sock/../other/x")), Ok(u("/other/x")));
        assert_eq!(normalize(&u("a/b/..")), Ok(u("a")));
        assert_eq!(normalize(&u("/..")), Err(Errno::Perm));
        assert_eq!(normalize(&u("a/../..")), Err(Errno::Perm));
        assert_eq!(normalize(&u("/./")), Err(Errno::Inval));
        let i = SocketAddr::Inet("1.2.3.4:5".parse().unwrap());
        assert_eq!(normalize(&i), Ok(i.clone()));
    }
}
