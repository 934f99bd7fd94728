//! The wasmtime shell: registers every `wasi_snapshot_preview1` import on a `Linker` and hands
//! the engine-free ABI layer ([`super::calls`]) the calling instance's memory.
//!
//! Per call this does one export lookup ([`super::caller`]) and one borrow split (`data_and_store_mut`); nothing
//! allocates. A guest without an exported `memory` (or with a shared one, which cannot be
//! borrowed as `&mut [u8]`) sees an empty memory: calls that touch no memory work, the others
//! answer `EFAULT`. Nothing here panics or traps on guest input; the only trap is `proc_exit`.

use std::fmt;

use wasmtime::{Caller, Linker};

use super::caller::{FromWasm, errno_code, with_memory};
use super::calls;
use crate::system::System;

/// The module name of every import.
const MODULE: &str = "wasi_snapshot_preview1";

/// The error a guest's `proc_exit` unwinds with; `wasirun` turns it into the exit status.
///
/// wasmtime 48 has its own error type, so host functions return `wasmtime::Error`; find the
/// exit with `err.downcast_ref::<ProcExit>()` on the `wasmtime::Error` a call into the guest
/// returns, or on the `anyhow::Error` it converts into (the conversion keeps the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcExit(pub u32);

impl fmt::Display for ProcExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guest called proc_exit({})", self.0)
    }
}

impl std::error::Error for ProcExit {}

/// Registers one import whose ABI function is `calls::$name(sys, mem, params...)`, with the
/// wasm parameter types given.
macro_rules! import {
    ($linker:ident, $get:ident, $name:ident($($arg:ident: $ty:ty),*)) => {
        $linker.func_wrap(
            MODULE,
            stringify!($name),
            move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> wasmtime::Result<i32> {
                Ok(errno_code(with_memory(&mut caller, $get, |sys, mem| {
                    calls::$name(sys, mem, $(FromWasm::from_wasm($arg)),*)
                })))
            },
        )?;
    };
}

/// Registers all 46 imports of module "wasi_snapshot_preview1" on `linker`.
///
/// `get` projects the store's data onto the `System` that serves the calls.
pub fn add_to_linker<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut S + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    import!(linker, get, args_get(argv: i32, argv_buf: i32));
    import!(linker, get, args_sizes_get(argc: i32, argv_buf_size: i32));
    import!(linker, get, environ_get(environ: i32, environ_buf: i32));
    import!(linker, get, environ_sizes_get(environc: i32, environ_buf_size: i32));
    import!(linker, get, clock_res_get(id: i32, out: i32));
    import!(linker, get, clock_time_get(id: i32, precision: i64, out: i32));
    import!(linker, get, fd_advise(fd: i32, offset: i64, len: i64, advice: i32));
    import!(linker, get, fd_allocate(fd: i32, offset: i64, len: i64));
    import!(linker, get, fd_close(fd: i32));
    import!(linker, get, fd_datasync(fd: i32));
    import!(linker, get, fd_fdstat_get(fd: i32, out: i32));
    import!(linker, get, fd_fdstat_set_flags(fd: i32, flags: i32));
    import!(linker, get, fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64));
    import!(linker, get, fd_filestat_get(fd: i32, out: i32));
    import!(linker, get, fd_filestat_set_size(fd: i32, size: i64));
    import!(linker, get, fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst_flags: i32));
    import!(linker, get, fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32));
    import!(linker, get, fd_prestat_get(fd: i32, out: i32));
    import!(linker, get, fd_prestat_dir_name(fd: i32, path: i32, path_len: i32));
    import!(linker, get, fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32));
    import!(linker, get, fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32));
    import!(linker, get, fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32));
    import!(linker, get, fd_renumber(fd: i32, to: i32));
    import!(linker, get, fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32));
    import!(linker, get, fd_sync(fd: i32));
    import!(linker, get, fd_tell(fd: i32, out: i32));
    import!(linker, get, fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32));
    import!(linker, get, path_create_directory(fd: i32, path: i32, path_len: i32));
    import!(
        linker,
        get,
        path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, out: i32)
    );
    import!(
        linker,
        get,
        path_filestat_set_times(
            fd: i32,
            flags: i32,
            path: i32,
            path_len: i32,
            atim: i64,
            mtim: i64,
            fst_flags: i32
        )
    );
    import!(
        linker,
        get,
        path_link(
            old_fd: i32,
            old_flags: i32,
            old_path: i32,
            old_path_len: i32,
            new_fd: i32,
            new_path: i32,
            new_path_len: i32
        )
    );
    import!(
        linker,
        get,
        path_open(
            fd: i32,
            dirflags: i32,
            path: i32,
            path_len: i32,
            oflags: i32,
            rights_base: i64,
            rights_inheriting: i64,
            fdflags: i32,
            opened: i32
        )
    );
    import!(
        linker,
        get,
        path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32)
    );
    import!(linker, get, path_remove_directory(fd: i32, path: i32, path_len: i32));
    import!(
        linker,
        get,
        path_rename(
            fd: i32,
            old_path: i32,
            old_path_len: i32,
            new_fd: i32,
            new_path: i32,
            new_path_len: i32
        )
    );
    import!(
        linker,
        get,
        path_symlink(
            old_path: i32,
            old_path_len: i32,
            fd: i32,
            new_path: i32,
            new_path_len: i32
        )
    );
    import!(linker, get, path_unlink_file(fd: i32, path: i32, path_len: i32));
    import!(linker, get, poll_oneoff(subs: i32, events: i32, nsubscriptions: i32, nevents: i32));
    import!(linker, get, proc_raise(sig: i32));
    import!(linker, get, sched_yield());
    import!(linker, get, random_get(buf: i32, buf_len: i32));
    import!(linker, get, sock_accept(fd: i32, flags: i32, out: i32));
    import!(
        linker,
        get,
        sock_recv(
            fd: i32,
            ri_data: i32,
            ri_data_len: i32,
            ri_flags: i32,
            ro_datalen: i32,
            ro_flags: i32
        )
    );
    import!(
        linker,
        get,
        sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32)
    );
    import!(linker, get, sock_shutdown(fd: i32, how: i32));

    // `proc_exit` does not return to the guest: after the host has released its resources, the
    // call unwinds with `ProcExit`, which the embedder finds with `downcast_ref`.
    linker.func_wrap(
        MODULE,
        "proc_exit",
        move |mut caller: Caller<'_, T>, rval: i32| -> wasmtime::Result<()> {
            let code = with_memory(&mut caller, get, |sys, mem| {
                calls::proc_exit(sys, mem, rval as u32)
            });
            Err(wasmtime::Error::new(ProcExit(code)))
        },
    )?;
    Ok(())
}
