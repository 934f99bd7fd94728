//! Embedding capwasi in a Rust program: a builder for the guest's world and one-call runs.
//!
//! [`WasiBuilder`] plays the part of wasmtime-wasi's `WasiCtxBuilder`: it collects argv, the
//! environment, stdio and preopened directories, then [`WasiBuilder::build`] opens them all and
//! returns a [`UnixSystem`] ready for [`add_to_linker`] or [`Runner::run`], plus the
//! [`Captures`] that hold what a guest writes to a [`Stdio::Capture`] stream.
//!
//! The sandbox is the same as `wasirun`'s: the guest sees the directories given to
//! [`WasiBuilder::preopen_dir`] / [`WasiBuilder::preopen_dir_ro`] and nothing else, no
//! environment unless given, and stdio that is `/dev/null` unless you say otherwise.
//!
//! The common case is one call:
//!
//! ```
//! use capwasi::embed::{self, Stdio, WasiBuilder};
//!
//! // A guest that writes "hello\n" to stdout: iovec {ptr 8, len 6} at 0, the bytes at 8.
//! let wat = r#"(module
//!   (import "wasi_snapshot_preview1" "fd_write"
//!     (func $write (param i32 i32 i32 i32) (result i32)))
//!   (memory (export "memory") 1)
//!   (data (i32.const 0) "\08\00\00\00\06\00\00\00hello\n")
//!   (func (export "_start")
//!     (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))"#;
//!
//! let result = embed::run(wat.as_bytes(), WasiBuilder::new().stdout(Stdio::Capture))?;
//! assert_eq!(result.status(), 0);
//! assert_eq!(result.stdout, b"hello\n");
//! # Ok::<(), wasmtime::Error>(())
//! ```
//!
//! With your own [`wasmtime::Linker`] and store data, [`add_to_linker`] registers the
//! `wasi_snapshot_preview1` imports given a way to reach the system inside the store data:
//!
//! ```
//! use capwasi::embed::{WasiBuilder, add_to_linker};
//! use capwasi::host::UnixSystem;
//! use wasmtime::{Engine, Linker, Module, Store};
//!
//! struct Host {
//!     wasi: UnixSystem,
//! }
//!
//! let engine = Engine::default();
//! // A guest that exports its argc: args_sizes_get writes (argc, buf size) at 0 and 4.
//! let module = Module::new(&engine, r#"(module
//!   (import "wasi_snapshot_preview1" "args_sizes_get"
//!     (func $sizes (param i32 i32) (result i32)))
//!   (memory (export "memory") 1)
//!   (func (export "argc") (result i32)
//!     (drop (call $sizes (i32.const 0) (i32.const 4)))
//!     (i32.load (i32.const 0))))"#)?;
//! let mut linker = Linker::new(&engine);
//! add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
//! let (wasi, _captures) = WasiBuilder::new().args(["prog", "a", "b"]).build()?;
//! let mut store = Store::new(&engine, Host { wasi });
//! let instance = linker.instantiate(&mut store, &module)?;
//! let argc = instance.get_typed_func::<(), i32>(&mut store, "argc")?;
//! assert_eq!(argc.call(&mut store, ())?, 3);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! WASI 0.2 command components run the same way: [`run`] and [`run_file`] tell a component
//! from a module by its content ([`WasmKind::detect`]), [`run_component`] runs a compiled one,
//! and for your own [`wasmtime::component::Linker`], [`add_component_to_linker`] registers
//! the 0.2 imports over a [`WasiP2`] wrapping the same system:
//!
//! ```
//! use capwasi::embed::{WasiBuilder, WasiP2, add_component_to_linker};
//! use capwasi::host::UnixSystem;
//! use wasmtime::component::{Component, Linker};
//! use wasmtime::{Engine, Store};
//!
//! let engine = Engine::default();
//! let mut linker: Linker<WasiP2<UnixSystem>> = Linker::new(&engine);
//! add_component_to_linker(&mut linker, |ctx| ctx)?;
//! let (sys, _captures) = WasiBuilder::new().args(["prog"]).build()?;
//! let mut store = Store::new(&engine, WasiP2::new(sys));
//! let component = Component::new(&engine, "(component)")?;
//! linker.instantiate(&mut store, &component)?;
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use rustix::fs::{Mode, OFlags};
use wasmtime::component::Component;
use wasmtime::error::Context;
use wasmtime::{Module, Result};

use crate::abi::Rights;
use crate::host::{HostStream, UnixSystem};
use crate::net::NetPolicy;
pub use crate::net::SocketSpec;
pub use crate::p1::{add_sockets_to_linker, add_to_linker};
pub use crate::p2::run::WasmKind;
/// The WASI 0.2 imports for a [`wasmtime::component::Linker`], and the store-side state they
/// act on ([`WasiP2::new`] wraps a system [`WasiBuilder::build`] made).
pub use crate::p2::{WasiP2, add_to_linker as add_component_to_linker};
pub use crate::run::{EngineOptions, Outcome, RunOptions, Runner, SocketsMode};
pub use crate::table::Limits;

/// Where one of the guest's standard streams (fd 0, 1 or 2) goes.
#[derive(Debug, Default)]
pub enum Stdio {
    /// The host process's own stream, borrowed (shared offset and `O_APPEND`, as for a child
    /// process; closing it in the guest leaves the host's open). A host whose stream is closed
    /// gives the guest `/dev/null` there. See [`UnixSystem::push_host_stdio`].
    Inherit,
    /// `/dev/null`: reads see end of file, writes vanish. The default, so a guest sees nothing
    /// of the host unless asked.
    #[default]
    Null,
    /// An open file, used as is: its offset and access mode are the guest's.
    File(File),
    /// Any other open fd: a pipe end, a socket, a tty. Its type decides the guest's rights
    /// (no seeking on a pipe, for instance).
    Fd(OwnedFd),
    /// An in-memory buffer the caller reads after the run through [`Captures`]. Only for
    /// stdout and stderr. The guest sees a regular file it can only append to (no seek, tell,
    /// resize or positional write rights), so the buffer holds exactly what it wrote, in
    /// order. What it writes stays in memory until read; [`Captured::bytes`] refuses to read
    /// more than [`WasiBuilder::capture_limit`].
    Capture,
}

/// What a guest wrote to one [`Stdio::Capture`] stream.
///
/// It holds its own handle on the buffer, so it outlives the [`UnixSystem`] (and the run) that
/// wrote into it; read it once the guest has finished.
#[derive(Debug)]
pub struct Captured {
    file: File,
    limit: u64,
}

impl Captured {
    /// An anonymous in-memory file: nothing on disk, gone when the last handle closes.
    fn new(name: &str, limit: u64) -> io::Result<Captured> {
        let fd = anonymous_file(name)?;
        Ok(Captured {
            file: File::from(fd),
            limit,
        })
    }

    /// How many bytes the guest has written so far.
    pub fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    /// Whether the guest has written nothing so far.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Everything the guest wrote. Fails with [`io::ErrorKind::FileTooLarge`] rather than
    /// allocate more than the builder's [`capture_limit`](WasiBuilder::capture_limit).
    pub fn bytes(&self) -> io::Result<Vec<u8>> {
        let len = self.len()?;
        if len > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "the guest wrote {len} bytes, more than the capture limit of {}",
                    self.limit
                ),
            ));
        }
        // `&File` reads and seeks; the offset is shared with the guest's duplicate (at the
        // end, where it appended), hence the explicit seek. `take` holds the limit even if
        // the file grew since `len` (a guest still running on another thread).
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(self.limit).read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

/// Default [`WasiBuilder::capture_limit`]: far more than any report a program prints, far less
/// than a host's memory.
pub const DEFAULT_CAPTURE_LIMIT: u64 = 256 << 20;

/// The capture buffers of a built system: `Some` for each stream set to [`Stdio::Capture`].
#[derive(Debug, Default)]
pub struct Captures {
    /// The guest's stdout, if captured.
    pub stdout: Option<Captured>,
    /// The guest's stderr, if captured.
    pub stderr: Option<Captured>,
}

/// A directory to preopen.
#[derive(Debug)]
struct PreopenSpec {
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// Which list a network grant goes to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum GrantKind {
    Connect,
    Bind,
    Dns,
}

/// A socket handed to the guest at start.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum SocketRole {
    Listen,
    Dial,
}

/// Collects the guest's world: argv, environment, stdio, preopened directories, limits.
///
/// Nothing is opened until [`build`](WasiBuilder::build), which reports the first problem as
/// an [`io::Error`] naming the path or item at fault.
///
/// ```
/// use capwasi::embed::{Stdio, WasiBuilder};
/// use capwasi::system::System;
///
/// let dir = std::env::temp_dir();
/// let (mut sys, captures) = WasiBuilder::new()
///     .args(["tool", "--verbose"])
///     .env("LANG", "C")
///     .preopen_dir_ro(&dir, "/tmp")
///     .stdout(Stdio::Capture)
///     .build()?;
/// // stdin, stdout, stderr are fds 0 to 2; the preopen is fd 3.
/// assert_eq!(sys.fd_prestat_dir_name(3)?, "/tmp");
/// assert!(captures.stdout.is_some() && captures.stderr.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct WasiBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    inherit_env: bool,
    preopens: Vec<PreopenSpec>,
    stdin: Stdio,
    stdout: Stdio,
    stderr: Stdio,
    limits: Limits,
    capture_limit: Option<u64>,
    sockets: SocketsMode,
    /// Network grants, as given (parsed at build so the error can name them).
    grants: Vec<(GrantKind, String)>,
    /// Preopened sockets, in call order.
    socket_specs: Vec<(SocketRole, String)>,
}

impl WasiBuilder {
    /// An empty world: no args, no environment, `/dev/null` stdio, no directories, default
    /// [`Limits`].
    pub fn new() -> WasiBuilder {
        WasiBuilder::default()
    }

    /// Appends one argument. The first is the guest's `argv[0]`, its program name; nothing
    /// is added for you.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> WasiBuilder {
        self.args.push(arg.as_ref().as_bytes().to_vec());
        self
    }

    /// Appends several arguments (see [`arg`](WasiBuilder::arg)).
    pub fn args<I>(mut self, args: I) -> WasiBuilder
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().as_bytes().to_vec()));
        self
    }

    /// Sets an environment variable; a later value of the same name replaces an earlier one,
    /// and any explicit value wins over an inherited one, whatever the order of the calls.
    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> WasiBuilder {
        let name = name.as_ref().as_bytes().to_vec();
        let value = value.as_ref().as_bytes().to_vec();
        match self.env.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.env.push((name, value)),
        }
        self
    }

    /// Passes the host process's environment (as it is at [`build`](WasiBuilder::build)) to
    /// the guest, under the variables set with [`env`](WasiBuilder::env).
    pub fn inherit_env(mut self) -> WasiBuilder {
        self.inherit_env = true;
        self
    }

    /// Preopens host directory `host` read-write; the guest sees it as `guest`. Preopens get
    /// fds 3, 4, … in the order of these calls.
    pub fn preopen_dir(self, host: impl AsRef<Path>, guest: impl Into<String>) -> WasiBuilder {
        self.preopen(host.as_ref(), guest.into(), false)
    }

    /// Preopens host directory `host` read-only: every right that could change its contents,
    /// or those of anything opened through it, is withheld.
    pub fn preopen_dir_ro(self, host: impl AsRef<Path>, guest: impl Into<String>) -> WasiBuilder {
        self.preopen(host.as_ref(), guest.into(), true)
    }

    fn preopen(mut self, host: &Path, guest: String, read_only: bool) -> WasiBuilder {
        self.preopens.push(PreopenSpec {
            host: host.to_owned(),
            guest,
            read_only,
        });
        self
    }

    /// Sets the guest's stdin (fd 0). [`Stdio::Capture`] makes no sense here and fails
    /// [`build`](WasiBuilder::build).
    pub fn stdin(mut self, stdio: Stdio) -> WasiBuilder {
        self.stdin = stdio;
        self
    }

    /// Sets the guest's stdout (fd 1).
    pub fn stdout(mut self, stdio: Stdio) -> WasiBuilder {
        self.stdout = stdio;
        self
    }

    /// Sets the guest's stderr (fd 2).
    pub fn stderr(mut self, stdio: Stdio) -> WasiBuilder {
        self.stderr = stdio;
        self
    }

    /// Sets the fd limits. Stdio and preopens count against `max_open_files`.
    pub fn limits(mut self, limits: Limits) -> WasiBuilder {
        self.limits = limits;
        self
    }

    /// Sets the most bytes [`Captured::bytes`] will read of one captured stream (default
    /// [`DEFAULT_CAPTURE_LIMIT`]).
    pub fn capture_limit(mut self, bytes: u64) -> WasiBuilder {
        self.capture_limit = Some(bytes);
        self
    }

    /// Whether the guest is offered the WasmEdge socket extension (default
    /// [`SocketsMode::Auto`]: when some network capability is granted). Only the one-call runs
    /// ([`run`], [`run_file`], [`run_module`]) read it; with your own linker, call
    /// [`add_sockets_to_linker`] yourself.
    pub fn sockets(mut self, mode: SocketsMode) -> WasiBuilder {
        self.sockets = mode;
        self
    }

    /// Lets the guest `connect` (and `send_to`) to `grant`, in the grammar of
    /// [`NetPolicy`]: `HOST:PORT` with HOST `*`, an address, `[IPv6]`, a CIDR range, a name or
    /// a `*` name pattern, PORT `*`, a number or `LO-HI`; or `unix:PATH-PATTERN`. Repeatable.
    ///
    /// ```
    /// use capwasi::embed::WasiBuilder;
    ///
    /// let (sys, _) = WasiBuilder::new()
    ///     .allow_connect("127.0.0.1:8080")
    ///     .allow_connect("10.0.0.0/8:*")
    ///     .build()?;
    /// assert!(sys.net_policy().grants_any());
    /// // A grant that does not parse fails the build, named in the error.
    /// let err = WasiBuilder::new().allow_connect("localhost").build().unwrap_err();
    /// assert!(err.to_string().contains("allow_connect(\"localhost\")"), "{err}");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn allow_connect(mut self, grant: impl Into<String>) -> WasiBuilder {
        self.grants.push((GrantKind::Connect, grant.into()));
        self
    }

    /// Lets the guest `bind` (and `listen` on) addresses matching `grant` (the grammar of
    /// [`allow_connect`](WasiBuilder::allow_connect)). An ephemeral port needs a range
    /// containing 0, e.g. `127.0.0.1:*`. Repeatable.
    pub fn allow_bind(mut self, grant: impl Into<String>) -> WasiBuilder {
        self.grants.push((GrantKind::Bind, grant.into()));
        self
    }

    /// Lets the guest resolve names matching `pattern` with `sock_getaddrinfo` (`*` wildcards;
    /// `*` or the empty string for any name). Repeatable.
    pub fn allow_dns(mut self, pattern: impl Into<String>) -> WasiBuilder {
        self.grants.push((GrantKind::Dns, pattern.into()));
        self
    }

    /// Hands the guest a listening socket opened as `spec` says ([`SocketSpec`]:
    /// `tcp://HOST:PORT`, `tcp4://`, `tcp6://`, `unix://PATH`, with `?backlog=N` and
    /// `reuseaddr=false` options). Sockets get the fds after the preopened directories, in the
    /// order of the [`listen`](WasiBuilder::listen) and [`dial`](WasiBuilder::dial) calls.
    /// The network policy does not apply to them: naming one grants it.
    pub fn listen(mut self, spec: impl Into<String>) -> WasiBuilder {
        self.socket_specs.push((SocketRole::Listen, spec.into()));
        self
    }

    /// Hands the guest a stream socket connected to `spec` (the forms of
    /// [`listen`](WasiBuilder::listen)).
    pub fn dial(mut self, spec: impl Into<String>) -> WasiBuilder {
        self.socket_specs.push((SocketRole::Dial, spec.into()));
        self
    }

    /// Opens everything and returns the system plus the capture buffers.
    ///
    /// Fails with an [`io::Error`] whose message names what is at fault: the host path of a
    /// preopen that cannot be opened or is not a directory, an argument or variable holding a
    /// NUL byte, an empty variable name or one holding `=`, `Capture` on stdin, or more
    /// stdio and preopens than `limits` allow, a network grant that does not parse
    /// (`allow_connect("localhost"): missing :PORT ...`), a socket spec that does not parse or
    /// cannot be listened on or dialled (`listen("tcp://...")`: ...).
    pub fn build(self) -> io::Result<(UnixSystem, Captures)> {
        let policy = policy(&self.grants)?;
        let mut sys = UnixSystem::new(self.limits);
        sys.set_net_policy(policy);
        if let Some(bad) = self.args.iter().position(|a| a.contains(&0)) {
            return Err(invalid(format!("argument {bad} contains a NUL byte")));
        }
        sys.set_args(self.args)
            .map_err(|e| invalid(format!("arguments: {e}")))?;
        sys.set_env(environment(self.env, self.inherit_env)?)
            .map_err(|e| invalid(format!("environment: {e}")))?;

        let mut captures = Captures::default();
        let mut capture_fds = Vec::new();
        let streams = [
            ("stdin", 0, HostStream::Stdin, self.stdin),
            ("stdout", 1, HostStream::Stdout, self.stdout),
            ("stderr", 2, HostStream::Stderr, self.stderr),
        ];
        for (name, host_fd, stream, stdio) in streams {
            let named = |e: io::Error| io::Error::new(e.kind(), format!("{name}: {e}"));
            let fd = match stdio {
                Stdio::Inherit => {
                    sys.push_host_stdio(stream).map_err(named)?;
                    continue;
                }
                Stdio::Null => dev_null(host_fd == 0)?,
                Stdio::File(file) => file.into(),
                Stdio::Fd(fd) => fd,
                Stdio::Capture if host_fd == 0 => {
                    return Err(invalid("stdin cannot be Stdio::Capture".into()));
                }
                Stdio::Capture => {
                    let limit = self.capture_limit.unwrap_or(DEFAULT_CAPTURE_LIMIT);
                    let captured = Captured::new(name, limit)?;
                    let fd = captured.file.as_fd().try_clone_to_owned()?;
                    if host_fd == 1 {
                        captures.stdout = Some(captured);
                    } else {
                        captures.stderr = Some(captured);
                    }
                    capture_fds.push(host_fd);
                    fd
                }
            };
            let fd = sys.push_fd(fd).map_err(named)?;
            debug_assert_eq!(fd, host_fd, "stdio fds are 0 to 2 on a fresh system");
        }
        for fd in capture_fds {
            // Append only: without these the guest could overwrite what it wrote, or resize
            // the file to a huge sparse size that reading back would try to allocate.
            let entry = sys.table.entry_mut(fd).map_err(io::Error::other)?;
            entry.rights_base.remove(
                Rights::FD_SEEK
                    | Rights::FD_TELL
                    | Rights::FD_FILESTAT_SET_SIZE
                    | Rights::FD_ALLOCATE
                    | Rights::FD_READ,
            );
        }

        for p in &self.preopens {
            // The host's own error already names the path ("preopen HOST: ...").
            sys.preopen_dir(&p.host, &p.guest, p.read_only)?;
        }
        // After the directories: wasi-libc's start-up scan of preopens stops at the first fd
        // that is not one, so sockets must not come between them.
        for (role, given) in &self.socket_specs {
            let call = match role {
                SocketRole::Listen => "listen",
                SocketRole::Dial => "dial",
            };
            let spec =
                SocketSpec::parse(given).map_err(|e| invalid(format!("{call}({given:?}): {e}")))?;
            let opened = match role {
                SocketRole::Listen => sys.preopen_listener(&spec),
                SocketRole::Dial => sys.preopen_dialed(&spec),
            };
            opened.map_err(|e| io::Error::new(e.kind(), format!("{call}({given:?}): {e}")))?;
        }
        Ok((sys, captures))
    }
}

/// The network policy the grants describe; the first that does not parse is named in the
/// error.
fn policy(grants: &[(GrantKind, String)]) -> io::Result<NetPolicy> {
    let mut policy = NetPolicy::none();
    for (kind, grant) in grants {
        let (call, parsed) = match kind {
            GrantKind::Connect => ("allow_connect", policy.allow_connect(grant)),
            GrantKind::Bind => ("allow_bind", policy.allow_bind(grant)),
            GrantKind::Dns => ("allow_dns", policy.allow_dns(grant)),
        };
        parsed.map_err(|e| invalid(format!("{call}({grant:?}): {e}")))?;
    }
    Ok(policy)
}

/// The guest's `NAME=VALUE` strings: the host's (if asked for) with explicit values replacing
/// inherited ones in place, then the explicit ones the host lacks.
fn environment(explicit: Vec<(Vec<u8>, Vec<u8>)>, inherit: bool) -> io::Result<Vec<Vec<u8>>> {
    for (name, value) in &explicit {
        let shown = String::from_utf8_lossy(name);
        if name.is_empty() {
            return Err(invalid("environment variable with an empty name".into()));
        }
        if name.contains(&b'=') {
            return Err(invalid(format!(
                "environment variable {shown:?}: `=` in the name"
            )));
        }
        if name.contains(&0) || value.contains(&0) {
            return Err(invalid(format!("environment variable {shown:?}: NUL byte")));
        }
    }
    let mut env: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if inherit {
        use std::os::unix::ffi::OsStringExt;
        env.extend(
            std::env::vars_os()
                .map(|(k, v)| (k.into_vec(), v.into_vec()))
                // The OS cannot hold a NUL, but say so rather than trust it.
                .filter(|(k, v)| !k.contains(&0) && !v.contains(&0)),
        );
    }
    for (name, value) in explicit {
        match env.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => env.push((name, value)),
        }
    }
    Ok(env
        .into_iter()
        .map(|(mut name, value)| {
            name.push(b'=');
            name.extend(value);
            name
        })
        .collect())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// `/dev/null`, read-only for stdin and write-only otherwise, as a shell's `<` and `>` give.
fn dev_null(read: bool) -> io::Result<OwnedFd> {
    let mode = if read { OFlags::RDONLY } else { OFlags::WRONLY };
    Ok(rustix::fs::open(
        "/dev/null",
        mode | OFlags::CLOEXEC,
        Mode::empty(),
    )?)
}

/// An unnamed read-write file for a capture: a memfd on Linux, elsewhere a temporary file
/// unlinked as soon as it is created.
fn anonymous_file(name: &str) -> io::Result<OwnedFd> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = name;
        Ok(rustix::fs::memfd_create(
            "capwasi-capture",
            rustix::fs::MemfdFlags::CLOEXEC,
        )?)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        use std::sync::atomic::{AtomicU64, Ordering};
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "capwasi-capture-{}-{}-{name}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        ));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        std::fs::remove_file(&path)?;
        Ok(file.into())
    }
}

/// How a one-call run ended and what it captured.
#[derive(Debug)]
pub struct RunResult {
    /// How the guest ended: returned, exited with a code, or trapped.
    pub outcome: Outcome,
    /// What the guest wrote to stdout, if it was [`Stdio::Capture`]; empty otherwise.
    pub stdout: Vec<u8>,
    /// What the guest wrote to stderr, if it was [`Stdio::Capture`]; empty otherwise.
    pub stderr: Vec<u8>,
}

impl RunResult {
    /// The exit status the outcome maps to (see [`Outcome::exit_status`]): 0 for a return,
    /// the `proc_exit` code, or 134 for a trap.
    pub fn status(&self) -> i32 {
        self.outcome.exit_status()
    }
}

/// Compiles `wasm` (binary, or `.wat` text) on a fresh default [`Runner`] and runs it in the
/// world `builder` describes. See the [module example](self).
///
/// `Err` is a host failure: the builder could not open something, the module does not compile
/// or lacks an entry point. A guest that traps is an `Ok` with [`Outcome::Trapped`].
///
/// `wasm` may also be a WASI 0.2 command component (binary or `(component ...)` text, told
/// apart by [`WasmKind::detect`]), which then runs as [`run_component`] runs it.
pub fn run(wasm: &[u8], builder: WasiBuilder) -> Result<RunResult> {
    run_bytes(Path::new("<module>"), wasm, builder)
}

/// Compiles a module or a component (whichever `bytes` holds) on a fresh default runner and
/// runs it.
fn run_bytes(path: &Path, bytes: &[u8], builder: WasiBuilder) -> Result<RunResult> {
    let runner = Runner::new(&EngineOptions::default())?;
    if WasmKind::detect(bytes) == WasmKind::Component {
        let component = runner.compile_component(path, bytes)?;
        return run_component(&runner, &component, builder);
    }
    let module = runner.compile(path, bytes)?;
    run_module(&runner, &module, builder)
}

/// Reads, compiles and runs the module (or command component) at `path`; otherwise as
/// [`run`].
///
/// ```
/// use capwasi::embed::{self, Stdio, WasiBuilder};
///
/// // The bundled example guest lists /data.
/// let builder = WasiBuilder::new()
///     .args(["ls", "/data"])
///     .preopen_dir_ro("examples/data", "/data")
///     .stdout(Stdio::Capture);
/// let result = embed::run_file("examples/ls.wasm", builder)?;
/// assert_eq!(result.status(), 0);
/// assert!(String::from_utf8_lossy(&result.stdout).contains("hello.txt"));
/// # Ok::<(), wasmtime::Error>(())
/// ```
pub fn run_file(path: impl AsRef<Path>, builder: WasiBuilder) -> Result<RunResult> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    run_bytes(path, &bytes, builder)
}

/// Runs an already compiled `module` on `runner`: the form to use when running a module many
/// times, since compiling is the slow part.
///
/// ```
/// use std::path::Path;
/// use capwasi::embed::{self, EngineOptions, Runner, Stdio, WasiBuilder};
///
/// // A guest that exits with status 7.
/// let wat = r#"(module
///   (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
///   (func (export "_start") (call $exit (i32.const 7))))"#;
/// let runner = Runner::new(&EngineOptions::default())?;
/// let module = runner.compile(Path::new("exit.wat"), wat.as_bytes())?;
/// for _ in 0..2 {
///     let result = embed::run_module(&runner, &module, WasiBuilder::new())?;
///     assert_eq!(result.status(), 7);
/// }
/// # Ok::<(), wasmtime::Error>(())
/// ```
pub fn run_module(runner: &Runner, module: &Module, builder: WasiBuilder) -> Result<RunResult> {
    let mode = builder.sockets;
    let (sys, captures) = builder.build()?;
    let options = RunOptions {
        sockets: mode,
        network_granted: sys.net_policy().grants_any(),
    };
    // `run_with` drops the system, closing the guest's ends of the captures, before it
    // returns.
    let outcome = runner.run_with(module, sys, &options)?;
    finish(outcome, captures)
}

/// Runs a compiled WASI 0.2 command component on `runner` in the world `builder` describes
/// (see [`Runner::run_component`]): the component sees the same args, environment, stdio and
/// preopens a module would. The builder's socket settings do not apply: the socket
/// extension is a preview 1 ABI, and capwasi serves no `wasi:sockets`.
///
/// ```
/// use std::path::Path;
/// use capwasi::embed::{self, EngineOptions, Runner, WasiBuilder};
///
/// // A command component whose `run` returns `err`: exit status 1.
/// let wat = r#"(component
///   (core module $m (func (export "run") (result i32) (i32.const 1)))
///   (core instance $i (instantiate $m))
///   (func $run (result (result)) (canon lift (core func $i "run")))
///   (instance $run_instance (export "run" (func $run)))
///   (export "wasi:cli/run@0.2.0" (instance $run_instance)))"#;
/// let runner = Runner::new(&EngineOptions::default())?;
/// let component = runner.compile_component(Path::new("fail.wat"), wat.as_bytes())?;
/// let result = embed::run_component(&runner, &component, WasiBuilder::new())?;
/// assert_eq!(result.status(), 1);
/// # Ok::<(), wasmtime::Error>(())
/// ```
pub fn run_component(
    runner: &Runner,
    component: &Component,
    builder: WasiBuilder,
) -> Result<RunResult> {
    let (sys, captures) = builder.build()?;
    // `run_component` drops the system, closing the guest's ends of the captures, before
    // it returns.
    let outcome = runner.run_component(component, sys)?;
    finish(outcome, captures)
}

/// Reads the captures once the guest has finished.
fn finish(outcome: Outcome, captures: Captures) -> Result<RunResult> {
    let read = |c: Option<Captured>, name: &str| -> Result<Vec<u8>> {
        match c {
            Some(c) => c
                .bytes()
                .with_context(|| format!("cannot read the captured {name}")),
            None => Ok(Vec::new()),
        }
    };
    Ok(RunResult {
        outcome,
        stdout: read(captures.stdout, "stdout")?,
        stderr: read(captures.stderr, "stderr")?,
    })
}
