//! `impl System for UnixSystem`: each method delegates to the module that owns the call.
//!
//! Every method naming an fd first [`settle`](UnixSystem::settle)s it, so a borrowed stdio fd
//! is typed before anything reads its type or rights (stdio.rs). `fd_close` only drops the
//! entry, and `fd_renumber` settles the fd it moves.

use std::io::{IoSlice, IoSliceMut};

use super::{UnixSystem, sizes};
use crate::abi::{
    Advice, Clockid, Dircookie, Errno, Event, Fd, Fdflags, Fdstat, Filestat, Fstflags, Lookupflags,
    Oflags, Prestat, Riflags, Rights, Roflags, Sdflags, Siflags, Signal, Subscription,
    SubscriptionKind, Timestamp, Whence,
};
use crate::net::{
    AddrInfo, AddrInfoHints, AddressFamily, SockOpt, SockOptValue, SocketAddr, SocketType,
};
use crate::system::{ReaddirSink, Result, System};

impl System for UnixSystem {
    fn args_sizes_get(&mut self) -> Result<(u32, u32)> {
        sizes(&self.args)
    }
    fn args_get(&mut self) -> Result<&[Vec<u8>]> {
        Ok(&self.args)
    }
    fn environ_sizes_get(&mut self) -> Result<(u32, u32)> {
        sizes(&self.env)
    }
    fn environ_get(&mut self) -> Result<&[Vec<u8>]> {
        Ok(&self.env)
    }

    fn clock_res_get(&mut self, id: Clockid) -> Result<Timestamp> {
        self.do_clock_res_get(id)
    }
    fn clock_time_get(&mut self, id: Clockid, precision: Timestamp) -> Result<Timestamp> {
        self.do_clock_time_get(id, precision)
    }
    fn random_get(&mut self, buf: &mut [u8]) -> Result<()> {
        self.do_random_get(buf)
    }
    fn sched_yield(&mut self) -> Result<()> {
        // std calls sched_yield(2) on Linux (rustix's "thread" feature is not enabled).
        std::thread::yield_now();
        Ok(())
    }
    fn poll_oneoff(&mut self, subs: &[Subscription], events: &mut [Event]) -> Result<usize> {
        if self.unprobed != 0 {
            for s in subs {
                if let SubscriptionKind::FdRead(fd) | SubscriptionKind::FdWrite(fd) = s.kind {
                    self.settle(fd);
                }
            }
        }
        self.do_poll_oneoff(subs, events)
    }
    fn proc_exit(&mut self, _code: u32) {
        self.close_all();
    }
    fn proc_raise(&mut self, _signal: Signal) -> Result<()> {
        // Raising a host signal on behalf of a guest would let it kill or stop the host;
        // preview 1 deprecated this call and wasmtime does not implement it either.
        Err(Errno::Nosys)
    }

    fn fd_advise(&mut self, fd: Fd, offset: u64, len: u64, advice: Advice) -> Result<()> {
        self.settle(fd);
        self.do_fd_advise(fd, offset, len, advice)
    }
    fn fd_allocate(&mut self, fd: Fd, offset: u64, len: u64) -> Result<()> {
        self.settle(fd);
        self.do_fd_allocate(fd, offset, len)
    }
    fn fd_close(&mut self, fd: Fd) -> Result<()> {
        self.do_fd_close(fd)
    }
    fn fd_datasync(&mut self, fd: Fd) -> Result<()> {
        self.settle(fd);
        self.do_fd_datasync(fd)
    }
    fn fd_fdstat_get(&mut self, fd: Fd) -> Result<Fdstat> {
        self.settle(fd);
        self.do_fd_fdstat_get(fd)
    }
    fn fd_fdstat_set_flags(&mut self, fd: Fd, flags: Fdflags) -> Result<()> {
        self.settle(fd);
        self.do_fd_fdstat_set_flags(fd, flags)
    }
    fn fd_fdstat_set_rights(&mut self, fd: Fd, base: Rights, inheriting: Rights) -> Result<()> {
        self.settle(fd);
        self.do_fd_fdstat_set_rights(fd, base, inheriting)
    }
    fn fd_filestat_get(&mut self, fd: Fd) -> Result<Filestat> {
        self.settle(fd);
        self.do_fd_filestat_get(fd)
    }
    fn fd_filestat_set_size(&mut self, fd: Fd, size: u64) -> Result<()> {
        self.settle(fd);
        self.do_fd_filestat_set_size(fd, size)
    }
    fn fd_filestat_set_times(
        &mut self,
        fd: Fd,
        atim: Timestamp,
        mtim: Timestamp,
        flags: Fstflags,
    ) -> Result<()> {
        self.settle(fd);
        self.do_fd_filestat_set_times(fd, atim, mtim, flags)
    }
    fn fd_pread(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>], offset: u64) -> Result<usize> {
        self.settle(fd);
        self.do_fd_pread(fd, iovs, offset)
    }
    fn fd_pwrite(&mut self, fd: Fd, iovs: &[IoSlice<'_>], offset: u64) -> Result<usize> {
        self.settle(fd);
        self.do_fd_pwrite(fd, iovs, offset)
    }
    fn fd_prestat_get(&mut self, fd: Fd) -> Result<Prestat> {
        self.settle(fd);
        self.do_fd_prestat_get(fd)
    }
    fn fd_prestat_dir_name(&mut self, fd: Fd) -> Result<&str> {
        self.settle(fd);
        self.do_fd_prestat_dir_name(fd)
    }
    fn fd_read(&mut self, fd: Fd, iovs: &mut [IoSliceMut<'_>]) -> Result<usize> {
        self.settle(fd);
        self.do_fd_read(fd, iovs)
    }
    fn fd_readdir(&mut self, fd: Fd, cookie: Dircookie, sink: &mut ReaddirSink<'_>) -> Result<()> {
        self.settle(fd);
        self.do_fd_readdir(fd, cookie, sink)
    }
    fn fd_renumber(&mut self, from: Fd, to: Fd) -> Result<()> {
        self.settle(from);
        self.do_fd_renumber(from, to)
    }
    fn fd_seek(&mut self, fd: Fd, offset: i64, whence: Whence) -> Result<u64> {
        self.settle(fd);
        self.do_fd_seek(fd, offset, whence)
    }
    fn fd_sync(&mut self, fd: Fd) -> Result<()> {
        self.settle(fd);
        self.do_fd_sync(fd)
    }
    fn fd_tell(&mut self, fd: Fd) -> Result<u64> {
        self.settle(fd);
        self.do_fd_tell(fd)
    }
    fn fd_write(&mut self, fd: Fd, iovs: &[IoSlice<'_>]) -> Result<usize> {
        self.settle(fd);
        self.do_fd_write(fd, iovs)
    }

    fn path_create_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.settle(fd);
        self.do_path_create_directory(fd, path)
    }
    fn path_filestat_get(&mut self, fd: Fd, flags: Lookupflags, path: &str) -> Result<Filestat> {
        self.settle(fd);
        self.do_path_filestat_get(fd, flags, path)
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
        self.settle(fd);
        self.do_path_filestat_set_times(fd, flags, path, atim, mtim, fst_flags)
    }
    fn path_link(
        &mut self,
        old_fd: Fd,
        old_flags: Lookupflags,
        old_path: &str,
        new_fd: Fd,
        new_path: &str,
    ) -> Result<()> {
        self.settle(old_fd);
        self.settle(new_fd);
        self.do_path_link(old_fd, old_flags, old_path, new_fd, new_path)
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
        self.settle(fd);
        self.do_path_open(
            fd,
            dirflags,
            path,
            oflags,
            rights_base,
            rights_inheriting,
            fdflags,
        )
    }
    fn path_readlink(&mut self, fd: Fd, path: &str, buf: &mut [u8]) -> Result<usize> {
        self.settle(fd);
        self.do_path_readlink(fd, path, buf)
    }
    fn path_remove_directory(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.settle(fd);
        self.do_path_remove_directory(fd, path)
    }
    fn path_rename(&mut self, fd: Fd, old_path: &str, new_fd: Fd, new_path: &str) -> Result<()> {
        self.settle(fd);
        self.settle(new_fd);
        self.do_path_rename(fd, old_path, new_fd, new_path)
    }
    fn path_symlink(&mut self, old_path: &str, fd: Fd, new_path: &str) -> Result<()> {
        self.settle(fd);
        self.do_path_symlink(old_path, fd, new_path)
    }
    fn path_unlink_file(&mut self, fd: Fd, path: &str) -> Result<()> {
        self.settle(fd);
        self.do_path_unlink_file(fd, path)
    }

    fn sock_accept(&mut self, fd: Fd, flags: Fdflags) -> Result<Fd> {
        self.settle(fd);
        self.do_sock_accept(fd, flags)
    }
    fn sock_recv(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Roflags)> {
        self.settle(fd);
        self.do_sock_recv(fd, iovs, flags)
    }
    fn sock_send(&mut self, fd: Fd, iovs: &[IoSlice<'_>], flags: Siflags) -> Result<usize> {
        self.settle(fd);
        self.do_sock_send(fd, iovs, flags)
    }
    fn sock_shutdown(&mut self, fd: Fd, how: Sdflags) -> Result<()> {
        self.settle(fd);
        self.do_sock_shutdown(fd, how)
    }

    fn sock_open(&mut self, family: AddressFamily, socktype: SocketType) -> Result<Fd> {
        self.do_sock_open(family, socktype)
    }
    fn sock_bind(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.settle(fd);
        self.do_sock_bind(fd, addr)
    }
    fn sock_connect(&mut self, fd: Fd, addr: &SocketAddr) -> Result<()> {
        self.settle(fd);
        self.do_sock_connect(fd, addr)
    }
    fn sock_listen(&mut self, fd: Fd, backlog: u32) -> Result<()> {
        self.settle(fd);
        self.do_sock_listen(fd, backlog)
    }
    fn sock_recv_from(
        &mut self,
        fd: Fd,
        iovs: &mut [IoSliceMut<'_>],
        flags: Riflags,
    ) -> Result<(usize, Option<SocketAddr>, Roflags)> {
        self.settle(fd);
        self.do_sock_recv_from(fd, iovs, flags)
    }
    fn sock_send_to(
        &mut self,
        fd: Fd,
        iovs: &[IoSlice<'_>],
        addr: &SocketAddr,
        flags: Siflags,
    ) -> Result<usize> {
        self.settle(fd);
        self.do_sock_send_to(fd, iovs, addr, flags)
    }
    fn sock_getsockopt(&mut self, fd: Fd, opt: SockOpt) -> Result<SockOptValue> {
        self.settle(fd);
        self.do_sock_getsockopt(fd, opt)
    }
    fn sock_setsockopt(&mut self, fd: Fd, opt: SockOpt, value: SockOptValue) -> Result<()> {
        self.settle(fd);
        self.do_sock_setsockopt(fd, opt, value)
    }
    fn sock_getlocaladdr(&mut self, fd: Fd) -> Result<SocketAddr> {
        self.settle(fd);
        self.do_sock_getlocaladdr(fd)
    }
    fn sock_getpeeraddr(&mut self, fd: Fd) -> Result<SocketAddr> {
        self.settle(fd);
        self.do_sock_getpeeraddr(fd)
    }
    fn sock_getaddrinfo(
        &mut self,
        node: &str,
        service: &str,
        hints: &AddrInfoHints,
        max: usize,
    ) -> Result<Vec<AddrInfo>> {
        self.do_sock_getaddrinfo(node, service, hints, max)
    }
}
