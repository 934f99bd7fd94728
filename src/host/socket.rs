//! The four preview 1 socket calls, on fds that are sockets (`ENOTSOCK` otherwise).

use std::io::{IoSlice, IoSliceMut};

use rustix::net::{
    RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags, Shutdown,
    SocketFlags,
};

use super::{Handle, UnixSystem, stat};
use crate::abi::{Errno, Fd, Fdflags, Filetype, Riflags, Rights, Roflags, Sdflags, Siflags};
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
        let mut rf = RecvFlags::empty();
        if flags.contains(Riflags::RECV_PEEK) {
            rf |= RecvFlags::PEEK;
        }
        if flags.contains(Riflags::RECV_WAITALL) {
            rf |= RecvFlags::WAITALL;
        }
        let mut control = RecvAncillaryBuffer::default();
        let msg = rustix::net::recvmsg(s, iovs, &mut control, rf)?;
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
