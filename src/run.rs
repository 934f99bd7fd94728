//! Engine and run plumbing for WASI preview 1 guests: the part of `wasirun` an embedder reuses.
//!
//! [`Runner`] owns a wasmtime [`Engine`] set up for WASI guests (cranelift, the on-disk
//! compilation cache, wasm backtraces, a deep wasm stack), compiles modules from `.wasm` bytes or
//! `.wat` text, and runs a module's entry point against any [`System`], reporting how the guest
//! ended as an [`Outcome`]. It prints nothing; the caller decides what to tell the user.
//!
//! Exit status convention (as wasmtime's own CLI on Unix): a returning `_start` is 0,
//! `proc_exit(code)` is `code`, a trap is 134 (128 + SIGABRT).

use std::num::NonZeroUsize;
use std::path::Path;

use wasmtime::error::Context;
use wasmtime::{
    Cache, CacheConfig, Config, Engine, Error, ExternType, Linker, Module, Result, Store, Strategy,
    Trap, WasmBacktrace, bail,
};

use crate::p1::{self, ProcExit};
use crate::system::System;

/// Exit status for a trapped guest: 128 + SIGABRT, what a native program that aborts reports
/// and what wasmtime's CLI uses on Unix.
pub const EXIT_TRAP: i32 = 134;

/// Default most bytes of native stack wasm code may use. wasmtime's own default (512 KiB) is
/// too shallow for Go's `GOOS=wasip1` runtime, whose goroutine scheduler runs deep on the wasm
/// stack.
pub const DEFAULT_MAX_WASM_STACK: usize = 16 << 20;

/// Native stack the guest thread gets on top of the wasm stack limit. wasmtime only bounds the
/// stack *wasm* uses; host functions (the preview 1 calls), trampolines and the runtime run
/// below it, and running out of real stack there aborts the process instead of trapping.
/// Thread stacks are reserved lazily, so the margin costs address space, not memory.
const NATIVE_STACK_HEADROOM: usize = 8 << 20;

/// Frames kept in a trap's wasm backtrace: enough to see through a libc or Go runtime
/// prologue to the guest's own code.
const BACKTRACE_FRAMES: usize = 64;

/// How the engine is set up.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Most bytes of stack wasm code may use before it traps with a stack overflow.
    pub max_wasm_stack: usize,
    /// Use wasmtime's on-disk compilation cache (`$XDG_CACHE_HOME/wasmtime` or
    /// `~/.cache/wasmtime`) so that a module compiled once starts in milliseconds.
    pub cache: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            cache: true,
        }
    }
}

/// Whether the WasmEdge socket extension is offered to a guest (`wasirun --sockets`).
///
/// The extension is how a guest opens sockets of its own (SOCKETS.md); even when registered,
/// every call that would touch the network is `EACCES` unless the host's
/// [`NetPolicy`](crate::net::NetPolicy) grants it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SocketsMode {
    /// Registered when the user granted some network capability
    /// ([`NetPolicy::grants_any`](crate::net::NetPolicy::grants_any)); otherwise off. The
    /// default: a module that imports the extension but was granted nothing fails to start
    /// with a message saying how to grant access, instead of failing on its first call.
    #[default]
    Auto,
    /// Always registered; the policy still refuses what it does not grant.
    Wasmedge,
    /// Never registered: a module importing the extension fails to instantiate.
    None,
}

impl SocketsMode {
    /// Whether the extension is registered, given whether the user granted any network
    /// capability.
    pub fn enabled(self, network_granted: bool) -> bool {
        match self {
            SocketsMode::Auto => network_granted,
            SocketsMode::Wasmedge => true,
            SocketsMode::None => false,
        }
    }

    /// The `--sockets` spelling: `auto`, `wasmedge`, `none`.
    pub fn name(self) -> &'static str {
        match self {
            SocketsMode::Auto => "auto",
            SocketsMode::Wasmedge => "wasmedge",
            SocketsMode::None => "none",
        }
    }
}

impl std::str::FromStr for SocketsMode {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<SocketsMode, String> {
        match s {
            "auto" => Ok(SocketsMode::Auto),
            "wasmedge" => Ok(SocketsMode::Wasmedge),
            "none" => Ok(SocketsMode::None),
            _ => Err(format!("{s:?}: expected auto, wasmedge or none")),
        }
    }
}

/// Per-run choices beyond the engine's (see [`Runner::run_with`]).
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Whether the WasmEdge socket extension is registered for the module
    /// ([`p1::add_sockets_to_linker`]).
    pub sockets: SocketsMode,
    /// Whether the user granted any network capability: what [`SocketsMode::Auto`] decides
    /// on. Set it from the system's policy, [`NetPolicy::grants_any`](crate::net::NetPolicy::grants_any).
    pub network_granted: bool,
}

impl RunOptions {
    /// Whether the extension is registered for this run.
    pub fn sockets_enabled(&self) -> bool {
        self.sockets.enabled(self.network_granted)
    }
}

/// How a guest run ended, short of a host error.
#[derive(Debug)]
pub enum Outcome {
    /// `_start` (or a reactor's `_initialize`) returned.
    Returned,
    /// The guest called `proc_exit(code)`.
    Exited(u32),
    /// The guest trapped; [`trap_report`] words it. (wasmtime's own error type, which
    /// converts into `anyhow::Error`.)
    Trapped(Error),
}

impl Outcome {
    /// The process exit status this outcome maps to.
    ///
    /// A Unix exit status holds 8 bits: `proc_exit` codes above 255 are reported as 255, since
    /// letting the OS truncate them would turn 256 into 0, a success.
    pub fn exit_status(&self) -> i32 {
        match self {
            Outcome::Returned => 0,
            Outcome::Exited(code) => i32::try_from(*code).map_or(255, |c| c.min(255)),
            Outcome::Trapped(_) => EXIT_TRAP,
        }
    }
}

/// Which export a module starts at (WASI application ABI).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EntryPoint {
    /// A command: `_start`, run once.
    Command,
    /// A reactor: `_initialize`, after which the module waits to be called. `wasirun` calls
    /// nothing else, so running a reactor only runs its initialization.
    Reactor,
}

impl EntryPoint {
    /// The name of the exported function.
    pub fn export_name(self) -> &'static str {
        match self {
            EntryPoint::Command => "_start",
            EntryPoint::Reactor => "_initialize",
        }
    }

    /// Finds the entry point of `module`: `_start` if exported, else `_initialize`. Either
    /// must be a function of type `() -> ()`.
    pub fn of(module: &Module) -> Result<EntryPoint> {
        for entry in [EntryPoint::Command, EntryPoint::Reactor] {
            let name = entry.export_name();
            match module.get_export(name) {
                None => continue,
                Some(ExternType::Func(ty)) if ty.params().len() == 0 && ty.results().len() == 0 => {
                    return Ok(entry);
                }
                Some(other) => {
                    bail!("export `{name}` must be a function `() -> ()`, found {other:?}")
                }
            }
        }
        bail!(
            "module exports neither `_start` (a WASI command) nor `_initialize` (a WASI reactor), \
             so there is nothing to run"
        )
    }
}

/// A wasmtime engine configured for WASI guests, plus how deep their stack may grow.
pub struct Runner {
    engine: Engine,
    max_wasm_stack: usize,
    cache_error: Option<Error>,
}

impl Runner {
    /// Builds the engine. If the compilation cache was asked for but cannot be set up (no home
    /// directory, unwritable cache directory, bad wasmtime cache config), the engine runs
    /// without it and [`Runner::cache_error`] says why; that is worth a warning, not a failure.
    pub fn new(options: &EngineOptions) -> Result<Runner> {
        let native_stack = guest_thread_stack(options.max_wasm_stack)?;
        let mut config = Config::new();
        config
            .strategy(Strategy::Cranelift)
            .max_wasm_stack(options.max_wasm_stack)
            // wasmtime refuses a wasm stack larger than its async stacks even when, as here,
            // nothing runs async; those stacks are only reserved for async calls.
            .async_stack_size(native_stack)
            .wasm_backtrace_max_frames(NonZeroUsize::new(BACKTRACE_FRAMES));
        let mut cache_error = None;
        if options.cache {
            // `CacheConfig::new` picks wasmtime's default directory; `Cache::new` creates it
            // and starts the background worker that prunes it.
            match Cache::new(CacheConfig::new()) {
                Ok(cache) => {
                    config.cache(Some(cache));
                }
                Err(e) => cache_error = Some(e),
            }
        }
        let engine = Engine::new(&config).context("cannot configure the wasm engine")?;
        Ok(Runner {
            engine,
            max_wasm_stack: options.max_wasm_stack,
            cache_error,
        })
    }

    /// The engine, for compiling or linking beyond what this type does.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Why the compilation cache is off although it was asked for.
    pub fn cache_error(&self) -> Option<&Error> {
        self.cache_error.as_ref()
    }

    /// Compiles a module from binary (`\0asm`) or text (`.wat`) bytes; `path` only names the
    /// module in errors. Reading the file is left to the caller so that a missing file (a usage
    /// error) is told apart from an invalid module.
    pub fn compile(&self, path: &Path, bytes: &[u8]) -> Result<Module> {
        Module::new(&self.engine, bytes)
            .with_context(|| format!("cannot compile {}", path.display()))
    }

    /// Runs `module`'s entry point (see [`EntryPoint::of`]) with the preview 1 imports backed by
    /// `system`.
    ///
    /// The guest runs on its own thread whose native stack exceeds the wasm stack limit, so a
    /// deep guest traps with a stack overflow instead of crashing the host. The store, and with
    /// it `system` and every fd the guest holds, is dropped before this returns, whatever the
    /// guest did.
    ///
    /// `Err` is a host-side failure: no entry point, an import the host does not provide, the
    /// thread could not start. A guest that traps or exits is an `Ok` [`Outcome`].
    pub fn run<S>(&self, module: &Module, system: S) -> Result<Outcome>
    where
        S: System + Send + 'static,
    {
        self.run_with(module, system, &RunOptions::default())
    }

    /// [`Runner::run`] with per-run options: when [`RunOptions::sockets_enabled`], the
    /// WasmEdge socket extension is registered for `module` as well; when not, a module that
    /// imports it fails before it starts, with an error naming the import and how to turn
    /// sockets on. ([`Runner::run`] is this with the defaults: `auto` and nothing granted, so
    /// the extension is off.)
    pub fn run_with<S>(&self, module: &Module, system: S, options: &RunOptions) -> Result<Outcome>
    where
        S: System + Send + 'static,
    {
        let entry = EntryPoint::of(module)?;
        let sockets = options.sockets_enabled();
        if !sockets && let Some(name) = p1::socket_extension_imports(module).first() {
            bail!("{}", sockets_off_message(name, options.sockets));
        }
        self.on_guest_thread(|| self.run_here(module, entry, system, sockets))
    }

    /// Runs `run` on a thread of its own whose native stack holds the wasm stack limit plus
    /// headroom, and waits for it.
    pub(crate) fn on_guest_thread<F>(&self, run: F) -> Result<Outcome>
    where
        F: FnOnce() -> Result<Outcome> + Send,
    {
        let stack = guest_thread_stack(self.max_wasm_stack)?;
        std::thread::scope(|scope| {
            let guest = std::thread::Builder::new()
                .name("wasm-guest".into())
                .stack_size(stack)
                .spawn_scoped(scope, run)
                .with_context(|| {
                    format!("cannot start a guest thread with a {stack}-byte stack")
                })?;
            match guest.join() {
                Ok(result) => result,
                // The store was dropped while unwinding; re-raise so the bug is not hidden.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Instantiates and calls the entry point on the current thread.
    fn run_here<S>(
        &self,
        module: &Module,
        entry: EntryPoint,
        system: S,
        sockets: bool,
    ) -> Result<Outcome>
    where
        S: System + Send + 'static,
    {
        let mut store = Store::new(&self.engine, system);
        let mut linker = Linker::new(&self.engine);
        p1::add_to_linker_for_module(&mut linker, module, |s: &mut S| s)
            .map_err(Error::from_anyhow)?;
        if sockets {
            p1::add_sockets_to_linker(&mut linker, module, |s: &mut S| s)
                .map_err(Error::from_anyhow)?;
        }
        // Instantiation can already run guest code (a start section), so its errors are sorted
        // like the call's.
        let result = linker.instantiate(&mut store, module).and_then(|instance| {
            let func = instance.get_typed_func::<(), ()>(&mut store, entry.export_name())?;
            func.call(&mut store, ())
        });
        // Close every guest fd now, before the outcome is reported or the process exits.
        drop(store);
        classify(result)
    }
}

/// Why a module that imports the socket extension cannot run with it off: names the import
/// and the ways to turn sockets on (for `wasirun` and for embedders).
fn sockets_off_message(import: &str, mode: SocketsMode) -> String {
    let how = match mode {
        SocketsMode::None => {
            "sockets are off (--sockets none): use --sockets wasmedge, or --sockets auto with a \
             grant (SocketsMode::Wasmedge / SocketsMode::Auto when embedding)"
        }
        _ => {
            "sockets are off: grant network access with --allow-connect, --allow-bind or \
             --allow-dns, or enable the extension with --sockets wasmedge (when embedding: \
             WasiBuilder::allow_connect/allow_bind/allow_dns or .sockets(SocketsMode::Wasmedge))"
        }
    };
    format!("module imports {import} from the WasmEdge socket extension; {how}")
}

/// A trap for people: what trapped, then the wasm backtrace (innermost frame first). Unlike
/// `{:?}` of the error, it leaves out the host's own Rust backtrace, which `RUST_BACKTRACE`
/// would add and which says nothing about the guest.
pub fn trap_report(err: &Error) -> String {
    let Some(trap) = err.downcast_ref::<Trap>() else {
        return format!("{err:#}");
    };
    match err.downcast_ref::<WasmBacktrace>() {
        Some(backtrace) => format!("{trap}\n{backtrace}"),
        None => format!("{trap}"),
    }
}

/// Native stack size for the guest thread: the wasm stack limit plus headroom.
pub(crate) fn guest_thread_stack(max_wasm_stack: usize) -> Result<usize> {
    max_wasm_stack
        .checked_add(NATIVE_STACK_HEADROOM)
        .with_context(|| format!("a wasm stack of {max_wasm_stack} bytes is too large"))
}

/// Sorts a guest call's result into how the guest ended, or a host error.
pub(crate) fn classify(result: Result<()>) -> Result<Outcome> {
    let err = match result {
        Ok(()) => return Ok(Outcome::Returned),
        Err(err) => err,
    };
    if let Some(ProcExit(code)) = err.downcast_ref::<ProcExit>() {
        return Ok(Outcome::Exited(*code));
    }
    if err.is::<Trap>() {
        return Ok(Outcome::Trapped(err));
    }
    Err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_status_mapping() {
        assert_eq!(Outcome::Returned.exit_status(), 0);
        assert_eq!(Outcome::Exited(0).exit_status(), 0);
        assert_eq!(Outcome::Exited(3).exit_status(), 3);
        assert_eq!(Outcome::Exited(255).exit_status(), 255);
        // Never wrap around to 0 (success).
        assert_eq!(Outcome::Exited(256).exit_status(), 255);
        assert_eq!(Outcome::Exited(u32::MAX).exit_status(), 255);
        assert_eq!(Outcome::Trapped(Error::msg("x")).exit_status(), EXIT_TRAP);
    }

    #[test]
    fn classify_sorts_errors() {
        assert!(matches!(classify(Ok(())), Ok(Outcome::Returned)));
        let exit = Error::new(ProcExit(7));
        assert!(matches!(classify(Err(exit)), Ok(Outcome::Exited(7))));
        // Context layers (wasmtime adds the backtrace as one) must not hide the trap.
        let trap = Error::new(Trap::UnreachableCodeReached).context("frames");
        assert!(matches!(classify(Err(trap)), Ok(Outcome::Trapped(_))));
        assert!(classify(Err(Error::msg("host failure"))).is_err());
    }

    /// A guest's fds are closed when `run` returns, however the guest ended: a pipe whose
    /// only write end the guest held reads as EOF, not "would block".
    #[test]
    fn guest_fds_are_closed_when_run_returns() {
        use std::io::Read;

        use crate::host::UnixSystem;
        use crate::table::Limits;

        let runner = Runner::new(&EngineOptions {
            cache: false,
            ..EngineOptions::default()
        })
        .unwrap();
        let ends = [
            // fd_write(FD, iovs = [{ "hi" }]) then the ending under test.
            ("return", ""),
            ("trap", "unreachable"),
            ("exit", "(call $exit (i32.const 9))"),
        ];
        for (name, ending) in ends {
            let (mut reader, writer) = std::io::pipe().unwrap();
            rustix::fs::fcntl_setfl(&reader, rustix::fs::OFlags::NONBLOCK).unwrap();
            let mut sys = UnixSystem::new(Limits::default());
            let fd = sys.push_fd(writer.into()).unwrap();
            let wat = format!(
                r#"(module
                  (import "wasi_snapshot_preview1" "fd_write"
                    (func $write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 64) "hi")
                  (func (export "_start")
                    (i32.store (i32.const 0) (i32.const 64))
                    (i32.store (i32.const 4) (i32.const 2))
                    (drop (call $write (i32.const {fd}) (i32.const 0) (i32.const 1) (i32.const 8)))
                    {ending}))"#
            );
            let module = runner.compile(Path::new(name), wat.as_bytes()).unwrap();
            let outcome = runner.run(&module, sys).unwrap();
            let mut got = Vec::new();
            let read = reader.read_to_end(&mut got);
            assert!(
                read.is_ok(),
                "{name}: guest fd still open after run: {read:?} {outcome:?}"
            );
            assert_eq!(got, b"hi", "{name}");
        }
    }

    fn engine() -> Engine {
        Engine::default()
    }

    #[test]
    fn entry_points() {
        let m = |wat: &str| Module::new(&engine(), wat).unwrap();
        let both = m(r#"(module (func (export "_start")) (func (export "_initialize")))"#);
        assert_eq!(EntryPoint::of(&both).unwrap(), EntryPoint::Command);
        let reactor = m(r#"(module (func (export "_initialize")))"#);
        assert_eq!(EntryPoint::of(&reactor).unwrap(), EntryPoint::Reactor);
        let neither = m(r#"(module (func (export "main")))"#);
        let err = EntryPoint::of(&neither).unwrap_err().to_string();
        assert!(
            err.contains("_start") && err.contains("_initialize"),
            "{err}"
        );
        let wrong = m(r#"(module (func (export "_start") (param i32)))"#);
        assert!(EntryPoint::of(&wrong).is_err());
        let global = m(r#"(module (global (export "_start") i32 (i32.const 0)))"#);
        assert!(EntryPoint::of(&global).is_err());
    }
}
