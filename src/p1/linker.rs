//! The wasmtime shell: registers every `wasi_snapshot_preview1` import on a `Linker` and hands
//! the engine-free ABI layer ([`super::calls`]) the calling instance's memory. The WasmEdge
//! socket extension is registered separately, per module ([`add_sockets_to_linker`]).
//!
//! Per call this does one export lookup ([`super::caller`]) and one borrow split (`data_and_store_mut`); nothing
//! allocates. A guest without an exported `memory` (or with a shared one, which cannot be
//! borrowed as `&mut [u8]`) sees an empty memory: calls that touch no memory work, the others
//! answer `EFAULT`. Nothing here panics or traps on guest input; the only trap is `proc_exit`.

use std::fmt;

use wasmtime::{Caller, ExternType, Linker, Module, ValType};

use super::caller::{Access, FromWasm, ModuleMemory, errno_code, with_memory};
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
        import_as!($linker, $get, stringify!($name), $name($($arg: $ty),*))
    };
}

/// Registers the import named `$wasm` (which may differ from the ABI function's name: WasmEdge
/// serves one function under a plain and a `_v2` name) as `calls::$name`.
macro_rules! import_as {
    ($linker:ident, $get:ident, $wasm:expr, $name:ident($($arg:ident: $ty:ty),*)) => {{
        $linker.func_wrap(
            MODULE,
            $wasm,
            move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> wasmtime::Result<i32> {
                Ok(errno_code(with_memory(&mut caller, $get, |sys, mem| {
                    calls::$name(sys, mem, $(FromWasm::from_wasm($arg)),*)
                })))
            },
        )?;
    }};
}

/// Registers all 46 imports of module "wasi_snapshot_preview1" on `linker`.
///
/// `get` projects the store's data onto the `System` that serves the calls. Each call finds
/// the caller's memory by name; [`add_to_linker_for_module`] saves that lookup.
pub fn add_to_linker<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut S + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    register(linker, get)
}

/// [`add_to_linker`] for a linker that instantiates `module`: each call finds the instance's
/// memory through the export's index in `module` instead of by name (about a third of the
/// fixed cost of a call). Instances of other modules still work, through the name.
pub fn add_to_linker_for_module<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    module: &Module,
    get: impl Fn(&mut T) -> &mut S + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    register(linker, ModuleMemory::new(get, module))
}

fn register<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    get: impl Access<T, S>,
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

// --- the WasmEdge socket extension -------------------------------------------------------------

/// One ABI function of the socket extension, as registered under some import name.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum SocketFn {
    Open,
    Bind,
    Connect,
    Listen,
    /// `(fd, ret_fd)`.
    AcceptV1,
    /// `(fd, fdflags, ret_fd)`: preview 1's own `sock_accept`.
    AcceptP1,
    /// Preview 1's `sock_recv`, which V2 also exports as `sock_recv_v2`.
    RecvP1,
    /// Preview 1's `sock_send`, which V2 also exports as `sock_send_v2`.
    SendP1,
    SendTo,
    RecvFromV1,
    RecvFromV2,
    GetSockOpt,
    SetSockOpt,
    LocalAddrV1,
    LocalAddrV2,
    PeerAddrV1,
    PeerAddrV2,
    GetAddrInfo,
}

impl SocketFn {
    /// The number of `i32` parameters of its wasm signature (every one returns an `i32`
    /// errno).
    fn arity(self) -> usize {
        match self {
            SocketFn::Listen | SocketFn::AcceptV1 => 2,
            SocketFn::Open
            | SocketFn::Bind
            | SocketFn::Connect
            | SocketFn::AcceptP1
            | SocketFn::LocalAddrV2
            | SocketFn::PeerAddrV2 => 3,
            SocketFn::LocalAddrV1 | SocketFn::PeerAddrV1 => 4,
            SocketFn::GetSockOpt | SocketFn::SetSockOpt | SocketFn::SendP1 => 5,
            SocketFn::RecvP1 => 6,
            SocketFn::SendTo | SocketFn::RecvFromV1 => 7,
            SocketFn::RecvFromV2 | SocketFn::GetAddrInfo => 8,
        }
    }
}

/// The extension's plain import names and the variants each may stand for, told apart by
/// arity (SOCKETS.md, "Functions"). WasmEdge itself picks per function by signature; where V1
/// and V2 agree there is one entry. `sock_accept` with 3 parameters is preview 1's, which
/// [`add_to_linker`] registers.
const PLAIN_SOCKET_IMPORTS: [(&str, &[SocketFn]); 12] = [
    ("sock_open", &[SocketFn::Open]),
    ("sock_bind", &[SocketFn::Bind]),
    ("sock_connect", &[SocketFn::Connect]),
    ("sock_listen", &[SocketFn::Listen]),
    ("sock_accept", &[SocketFn::AcceptV1, SocketFn::AcceptP1]),
    ("sock_send_to", &[SocketFn::SendTo]),
    (
        "sock_recv_from",
        &[SocketFn::RecvFromV1, SocketFn::RecvFromV2],
    ),
    ("sock_getsockopt", &[SocketFn::GetSockOpt]),
    ("sock_setsockopt", &[SocketFn::SetSockOpt]),
    (
        "sock_getlocaladdr",
        &[SocketFn::LocalAddrV1, SocketFn::LocalAddrV2],
    ),
    (
        "sock_getpeeraddr",
        &[SocketFn::PeerAddrV1, SocketFn::PeerAddrV2],
    ),
    ("sock_getaddrinfo", &[SocketFn::GetAddrInfo]),
];

/// The explicit V2 names, always registered.
const V2_SOCKET_IMPORTS: [(&str, SocketFn); 11] = [
    ("sock_open_v2", SocketFn::Open),
    ("sock_bind_v2", SocketFn::Bind),
    ("sock_connect_v2", SocketFn::Connect),
    ("sock_listen_v2", SocketFn::Listen),
    ("sock_accept_v2", SocketFn::AcceptP1),
    ("sock_recv_v2", SocketFn::RecvP1),
    ("sock_recv_from_v2", SocketFn::RecvFromV2),
    ("sock_send_v2", SocketFn::SendP1),
    ("sock_send_to_v2", SocketFn::SendTo),
    ("sock_getlocaladdr_v2", SocketFn::LocalAddrV2),
    ("sock_getpeeraddr_v2", SocketFn::PeerAddrV2),
];

/// The `i32` parameter count of a function type of shape `(i32, ...) -> i32`, else `None`.
fn i32_arity(ty: &ExternType) -> Option<usize> {
    let ExternType::Func(f) = ty else {
        return None;
    };
    let results: Vec<ValType> = f.results().collect();
    let all_i32 = f.params().all(|p| matches!(p, ValType::I32));
    (all_i32 && results.len() == 1 && matches!(results[0], ValType::I32)).then(|| f.params().len())
}

/// The candidates an extension import name may stand for; `None` for names outside the
/// extension.
fn socket_candidates(name: &str) -> Option<&'static [SocketFn]> {
    if let Some((_, fns)) = PLAIN_SOCKET_IMPORTS.iter().find(|(n, _)| *n == name) {
        return Some(fns);
    }
    V2_SOCKET_IMPORTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| std::slice::from_ref(f))
}

/// How one import of a module relates to the extension.
enum SocketImport {
    /// Not an extension name, or preview 1's own `sock_accept`.
    Other,
    /// An extension import served by this function.
    Uses(SocketFn),
    /// An extension name whose type matches none of its variants.
    Mismatch,
}

fn classify_import(module: &str, name: &str, ty: &ExternType) -> SocketImport {
    if module != MODULE {
        return SocketImport::Other;
    }
    let Some(candidates) = socket_candidates(name) else {
        return SocketImport::Other;
    };
    let arity = i32_arity(ty);
    match candidates.iter().find(|f| Some(f.arity()) == arity) {
        // Preview 1's sock_accept under its own name is not the extension.
        Some(SocketFn::AcceptP1) if name == "sock_accept" => SocketImport::Other,
        Some(f) => SocketImport::Uses(*f),
        None => SocketImport::Mismatch,
    }
}

/// The names of `module`'s imports that belong to the WasmEdge socket extension (SOCKETS.md),
/// in import order: what [`add_sockets_to_linker`] would serve. Preview 1's own `sock_accept`
/// (3 parameters), `sock_recv`, `sock_send` and `sock_shutdown` are not among them. An
/// extension name with a type matching none of its variants is listed too.
pub fn socket_extension_imports(module: &Module) -> Vec<String> {
    module
        .imports()
        .filter(|i| {
            !matches!(
                classify_import(i.module(), i.name(), &i.ty()),
                SocketImport::Other
            )
        })
        .map(|i| i.name().to_owned())
        .collect()
}

/// Registers the WasmEdge socket extension on `linker` for `module`: the explicit `*_v2`
/// names always, and each plain name `module` imports in the variant its signature selects,
/// as WasmEdge does per function (`sock_accept(fd, ret_fd)` is V1; `sock_recv_from` with 8
/// parameters and `sock_getlocaladdr`/`sock_getpeeraddr` with 3 are V2). A module may mix
/// plain and `_v2` names and V1 and V2 signatures freely.
///
/// Call it once, after [`add_to_linker`], on a linker used for `module` (or for modules that
/// agree with it on the variants): the V1 `sock_accept` replaces preview 1's under the same
/// name, which only a module importing the V1 signature can want. For that one definition
/// the linker's shadowing is turned on and then off again.
///
/// Fails, naming the import and its type, if `module` imports an extension name with a type
/// that matches none of its variants.
///
/// ```
/// use capwasi::host::UnixSystem;
/// use capwasi::p1::{add_sockets_to_linker, add_to_linker};
/// use capwasi::table::Limits;
/// use wasmtime::{Engine, Linker, Module, Store};
///
/// let engine = Engine::default();
/// // A V1 guest: accept(fd, ret_fd) and the 4-parameter getlocaladdr.
/// let module = Module::new(&engine, r#"(module
///   (import "wasi_snapshot_preview1" "sock_accept" (func (param i32 i32) (result i32)))
///   (import "wasi_snapshot_preview1" "sock_getlocaladdr"
///     (func (param i32 i32 i32 i32) (result i32))))"#)?;
/// let mut linker = Linker::new(&engine);
/// add_to_linker(&mut linker, |s: &mut UnixSystem| s)?;
/// add_sockets_to_linker(&mut linker, &module, |s: &mut UnixSystem| s)?;
/// let mut store = Store::new(&engine, UnixSystem::new(Limits::default()));
/// linker.instantiate(&mut store, &module)?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub fn add_sockets_to_linker<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    module: &Module,
    get: impl Fn(&mut T) -> &mut S + Send + Sync + Copy + 'static,
) -> anyhow::Result<()> {
    // The linker is for `module`: find its memory by export index, as add_to_linker_for_module.
    let get = ModuleMemory::new(get, module);
    for (name, f) in V2_SOCKET_IMPORTS {
        define_socket_fn(linker, get, name, f)?;
    }
    // Plain names already defined here, with the variant chosen.
    let mut defined: Vec<(&str, SocketFn)> = Vec::new();
    for import in module.imports() {
        let (name, ty) = (import.name(), import.ty());
        match classify_import(import.module(), name, &ty) {
            SocketImport::Other => {}
            SocketImport::Mismatch => anyhow::bail!(
                "module imports {MODULE}::{name} with type {ty:?}, which matches no variant of \
                 the WasmEdge socket extension's {name} (SOCKETS.md lists them)"
            ),
            // Registered above under this very name.
            SocketImport::Uses(_) if name.ends_with("_v2") => {}
            SocketImport::Uses(f) => {
                // A module may import one name twice; one definition serves both, but one name
                // cannot be two variants at once.
                match defined.iter().find(|(n, _)| *n == name) {
                    Some((_, g)) if *g == f => continue,
                    Some(_) => anyhow::bail!(
                        "module imports {MODULE}::{name} twice, with the signatures of two \
                         different variants; one name can only be linked once"
                    ),
                    None => {}
                }
                if f == SocketFn::AcceptV1 {
                    // Preview 1's sock_accept is already defined under this name: replace it.
                    linker.allow_shadowing(true);
                    let result = define_socket_fn(linker, get, name, f);
                    linker.allow_shadowing(false);
                    result?;
                } else {
                    define_socket_fn(linker, get, name, f)?;
                }
                defined.push((name, f));
            }
        }
    }
    Ok(())
}

/// Registers ABI function `f` under import name `name`.
fn define_socket_fn<T: 'static, S: System + Send + 'static>(
    linker: &mut Linker<T>,
    get: impl Access<T, S>,
    name: &str,
    f: SocketFn,
) -> anyhow::Result<()> {
    match f {
        SocketFn::Open => import_as!(
            linker,
            get,
            name,
            sock_open(family: i32, socktype: i32, ret_fd: i32)
        ),
        SocketFn::Bind => import_as!(linker, get, name, sock_bind(fd: i32, addr: i32, port: i32)),
        SocketFn::Connect => {
            import_as!(linker, get, name, sock_connect(fd: i32, addr: i32, port: i32))
        }
        SocketFn::Listen => import_as!(linker, get, name, sock_listen(fd: i32, backlog: i32)),
        SocketFn::AcceptV1 => import_as!(linker, get, name, sock_accept_v1(fd: i32, ret_fd: i32)),
        SocketFn::AcceptP1 => {
            import_as!(linker, get, name, sock_accept(fd: i32, flags: i32, ret_fd: i32))
        }
        SocketFn::RecvP1 => import_as!(
            linker,
            get,
            name,
            sock_recv(
                fd: i32,
                ri_data: i32,
                ri_data_len: i32,
                ri_flags: i32,
                ro_datalen: i32,
                ro_flags: i32
            )
        ),
        SocketFn::SendP1 => import_as!(
            linker,
            get,
            name,
            sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32)
        ),
        SocketFn::SendTo => import_as!(
            linker,
            get,
            name,
            sock_send_to(
                fd: i32,
                iovs: i32,
                iovs_len: i32,
                addr: i32,
                port: i32,
                siflags: i32,
                ret_nwritten: i32
            )
        ),
        SocketFn::RecvFromV1 => import_as!(
            linker,
            get,
            name,
            sock_recv_from_v1(
                fd: i32,
                iovs: i32,
                iovs_len: i32,
                addr: i32,
                riflags: i32,
                ret_nread: i32,
                ret_roflags: i32
            )
        ),
        SocketFn::RecvFromV2 => import_as!(
            linker,
            get,
            name,
            sock_recv_from_v2(
                fd: i32,
                iovs: i32,
                iovs_len: i32,
                addr: i32,
                riflags: i32,
                ret_port: i32,
                ret_nread: i32,
                ret_roflags: i32
            )
        ),
        SocketFn::GetSockOpt => import_as!(
            linker,
            get,
            name,
            sock_getsockopt(fd: i32, level: i32, opt: i32, ret_val: i32, ret_len: i32)
        ),
        SocketFn::SetSockOpt => import_as!(
            linker,
            get,
            name,
            sock_setsockopt(fd: i32, level: i32, opt: i32, val: i32, val_len: i32)
        ),
        SocketFn::LocalAddrV1 => import_as!(
            linker,
            get,
            name,
            sock_getlocaladdr_v1(fd: i32, addr: i32, ret_addrtype: i32, ret_port: i32)
        ),
        SocketFn::LocalAddrV2 => import_as!(
            linker,
            get,
            name,
            sock_getlocaladdr_v2(fd: i32, addr: i32, ret_port: i32)
        ),
        SocketFn::PeerAddrV1 => import_as!(
            linker,
            get,
            name,
            sock_getpeeraddr_v1(fd: i32, addr: i32, ret_addrtype: i32, ret_port: i32)
        ),
        SocketFn::PeerAddrV2 => import_as!(
            linker,
            get,
            name,
            sock_getpeeraddr_v2(fd: i32, addr: i32, ret_port: i32)
        ),
        SocketFn::GetAddrInfo => import_as!(
            linker,
            get,
            name,
            sock_getaddrinfo(
                node: i32,
                node_len: i32,
                service: i32,
                service_len: i32,
                hints: i32,
                res: i32,
                max_res: i32,
                ret_count: i32
            )
        ),
    }
    Ok(())
}
