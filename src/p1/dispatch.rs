//! Every import by index, with its wasm parameters taken from raw `u64`s (`i32` parameters
//! keep the low 32 bits), for tests and fuzz targets that sweep all functions without an
//! engine: the 46 of preview 1 ([`NAMES`]) and then the ABI functions of the WasmEdge socket
//! extension ([`SOCKET_NAMES`]).

use super::calls::*;
use crate::abi::Errno;
use crate::system::System;

/// The import names, in the order [`call`] numbers them.
pub const NAMES: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// The WasmEdge socket extension's ABI functions (by their names in
/// [`calls`](super::calls), one per variant), numbered by [`call`] after [`NAMES`].
pub const SOCKET_NAMES: [&str; 15] = [
    "sock_open",
    "sock_bind",
    "sock_connect",
    "sock_listen",
    "sock_accept_v1",
    "sock_send_to",
    "sock_recv_from_v1",
    "sock_recv_from_v2",
    "sock_getsockopt",
    "sock_setsockopt",
    "sock_getlocaladdr_v1",
    "sock_getlocaladdr_v2",
    "sock_getpeeraddr_v1",
    "sock_getpeeraddr_v2",
    "sock_getaddrinfo",
];

/// How many functions [`call`] numbers: [`NAMES`] then [`SOCKET_NAMES`].
pub const CALL_COUNT: usize = NAMES.len() + SOCKET_NAMES.len();

/// The name of function number `which`, if [`call`] knows it.
pub fn name(which: usize) -> Option<&'static str> {
    NAMES
        .get(which)
        .or_else(|| SOCKET_NAMES.get(which.checked_sub(NAMES.len())?))
        .copied()
}

/// Calls function number `which` (an index into [`NAMES`], then [`SOCKET_NAMES`]) with its
/// parameters from `a`, in witx (or SOCKETS.md) order; unused trailing values are ignored.
/// `proc_exit` answers `Ok`; an index from [`CALL_COUNT`] on answers `ENOSYS`.
pub fn call<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    which: usize,
    a: &[u64; 9],
) -> Result<(), Errno> {
    let w = |i: usize| a[i] as u32;
    let l = |i: usize| a[i];
    match which {
        0 => args_get(sys, mem, w(0), w(1)),
        1 => args_sizes_get(sys, mem, w(0), w(1)),
        2 => environ_get(sys, mem, w(0), w(1)),
        3 => environ_sizes_get(sys, mem, w(0), w(1)),
        4 => clock_res_get(sys, mem, w(0), w(1)),
        5 => clock_time_get(sys, mem, w(0), l(1), w(2)),
        6 => fd_advise(sys, mem, w(0), l(1), l(2), w(3)),
        7 => fd_allocate(sys, mem, w(0), l(1), l(2)),
        8 => fd_close(sys, mem, w(0)),
        9 => fd_datasync(sys, mem, w(0)),
        10 => fd_fdstat_get(sys, mem, w(0), w(1)),
        11 => fd_fdstat_set_flags(sys, mem, w(0), w(1)),
        12 => fd_fdstat_set_rights(sys, mem, w(0), l(1), l(2)),
        13 => fd_filestat_get(sys, mem, w(0), w(1)),
        14 => fd_filestat_set_size(sys, mem, w(0), l(1)),
        15 => fd_filestat_set_times(sys, mem, w(0), l(1), l(2), w(3)),
        16 => fd_pread(sys, mem, w(0), w(1), w(2), l(3), w(4)),
        17 => fd_prestat_get(sys, mem, w(0), w(1)),
        18 => fd_prestat_dir_name(sys, mem, w(0), w(1), w(2)),
        19 => fd_pwrite(sys, mem, w(0), w(1), w(2), l(3), w(4)),
        20 => fd_read(sys, mem, w(0), w(1), w(2), w(3)),
        21 => fd_readdir(sys, mem, w(0), w(1), w(2), l(3), w(4)),
        22 => fd_renumber(sys, mem, w(0), w(1)),
        23 => fd_seek(sys, mem, w(0), l(1) as i64, w(2), w(3)),
        24 => fd_sync(sys, mem, w(0)),
        25 => fd_tell(sys, mem, w(0), w(1)),
        26 => fd_write(sys, mem, w(0), w(1), w(2), w(3)),
        27 => path_create_directory(sys, mem, w(0), w(1), w(2)),
        28 => path_filestat_get(sys, mem, w(0), w(1), w(2), w(3), w(4)),
        29 => path_filestat_set_times(sys, mem, w(0), w(1), w(2), w(3), l(4), l(5), w(6)),
        30 => path_link(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        31 => path_open(
            sys,
            mem,
            w(0),
            w(1),
            w(2),
            w(3),
            w(4),
            l(5),
            l(6),
            w(7),
            w(8),
        ),
        32 => path_readlink(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        33 => path_remove_directory(sys, mem, w(0), w(1), w(2)),
        34 => path_rename(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        35 => path_symlink(sys, mem, w(0), w(1), w(2), w(3), w(4)),
        36 => path_unlink_file(sys, mem, w(0), w(1), w(2)),
        37 => poll_oneoff(sys, mem, w(0), w(1), w(2), w(3)),
        38 => {
            proc_exit(sys, mem, w(0));
            Ok(())
        }
        39 => proc_raise(sys, mem, w(0)),
        40 => sched_yield(sys, mem),
        41 => random_get(sys, mem, w(0), w(1)),
        42 => sock_accept(sys, mem, w(0), w(1), w(2)),
        43 => sock_recv(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5)),
        44 => sock_send(sys, mem, w(0), w(1), w(2), w(3), w(4)),
        45 => sock_shutdown(sys, mem, w(0), w(1)),
        // The WasmEdge socket extension, in SOCKET_NAMES order.
        46 => sock_open(sys, mem, w(0), w(1), w(2)),
        47 => sock_bind(sys, mem, w(0), w(1), w(2)),
        48 => sock_connect(sys, mem, w(0), w(1), w(2)),
        49 => sock_listen(sys, mem, w(0), w(1)),
        50 => sock_accept_v1(sys, mem, w(0), w(1)),
        51 => sock_send_to(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        52 => sock_recv_from_v1(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6)),
        53 => sock_recv_from_v2(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)),
        54 => sock_getsockopt(sys, mem, w(0), w(1), w(2), w(3), w(4)),
        55 => sock_setsockopt(sys, mem, w(0), w(1), w(2), w(3), w(4)),
        56 => sock_getlocaladdr_v1(sys, mem, w(0), w(1), w(2), w(3)),
        57 => sock_getlocaladdr_v2(sys, mem, w(0), w(1), w(2)),
        58 => sock_getpeeraddr_v1(sys, mem, w(0), w(1), w(2), w(3)),
        59 => sock_getpeeraddr_v2(sys, mem, w(0), w(1), w(2)),
        60 => sock_getaddrinfo(sys, mem, w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)),
        _ => Err(Errno::Nosys),
    }
}
