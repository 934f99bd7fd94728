//! One function per `wasi_snapshot_preview1` import: decode raw wasm arguments from guest
//! memory, call [`System`](crate::system::System), encode the results back.
//!
//! Every function has the same shape, so that the wasmtime shell and fuzzers can treat them
//! uniformly: `(sys, mem, <the import's wasm parameters in witx order>)`, with `i32` read as
//! `u32` and `i64` as `u64` (or `i64` for `fd_seek`'s signed `filedelta`). They return
//! `Ok(())` for `ESUCCESS` or the errno; `proc_exit` returns the exit code instead.
//!
//! Ordering rules, applied throughout:
//! - Scalars (enums, flags) are decoded first, as wiggle does: a bad value is `EINVAL` whatever
//!   the pointers are.
//! - Out-pointers are checked *before* calling `System`, so a bad pointer never loses the result
//!   of a side effect (an opened fd, bytes consumed from a pipe, a moved offset). Results are
//!   written after the call, once the borrows of guest memory taken for inputs are released.

mod args;
mod clock;
mod fd;
mod path;
mod proc;
mod sock;
pub mod wasmedge;

pub use args::{args_get, args_sizes_get, environ_get, environ_sizes_get};
pub use clock::{clock_res_get, clock_time_get, poll_oneoff, sched_yield};
pub use fd::{
    fd_advise, fd_allocate, fd_close, fd_datasync, fd_fdstat_get, fd_fdstat_set_flags,
    fd_fdstat_set_rights, fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_pread,
    fd_prestat_dir_name, fd_prestat_get, fd_pwrite, fd_read, fd_readdir, fd_renumber, fd_seek,
    fd_sync, fd_tell, fd_write,
};
pub use path::{
    path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_open,
    path_readlink, path_remove_directory, path_rename, path_symlink, path_unlink_file,
};
pub use proc::{proc_exit, proc_raise, random_get};
pub use sock::{sock_accept, sock_recv, sock_send, sock_shutdown};
pub use wasmedge::{
    sock_accept_v1, sock_bind, sock_connect, sock_getaddrinfo, sock_getlocaladdr_v1,
    sock_getlocaladdr_v2, sock_getpeeraddr_v1, sock_getpeeraddr_v2, sock_getsockopt, sock_listen,
    sock_open, sock_recv_from_v1, sock_recv_from_v2, sock_send_to, sock_setsockopt,
};

use crate::abi::Errno;

/// What every import but `proc_exit` returns.
pub type CallResult = std::result::Result<(), Errno>;

/// A byte count as the witx `size` (u32). Counts come from buffers whose total was capped at
/// `u32::MAX`, so saturating only matters for a `System` that claims more than it was given.
fn size(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
