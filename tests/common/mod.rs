//! Shared harness for guest tests: runs a guest through the real wasmtime linker with
//! capwasi's preview 1 imports, captures stdout/stderr, and reports how it ended.
#![allow(dead_code)] // each test binary uses a different subset

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use capwasi::host::UnixSystem;
use capwasi::p1::{ProcExit, add_to_linker};
use capwasi::table::Limits;
use wasmtime::{Engine, Linker, Module, Store};

/// How a guest run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// Returned from `_start` (0) or called `proc_exit(code)`.
    Code(u32),
    /// Instantiation failed (an import the linker does not provide, say).
    Link(String),
    /// Trapped; the message includes the wasm backtrace.
    Trap(String),
}

#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit: Exit,
}

impl Outcome {
    /// Panics with the guest's output unless it exited 0 without printing a `FAIL` line.
    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert_eq!(
            self.exit,
            Exit::Code(0),
            "guest failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        assert!(!self.stdout.contains("FAIL"), "{}", self.stdout);
        self
    }

    /// Panics unless the guest exited 0, printed at least one `ok` line of `check.h` and no
    /// `FAIL` line.
    #[track_caller]
    pub fn assert_checks(&self) -> &Self {
        self.assert_ok();
        assert!(
            self.stdout.lines().any(|l| l.starts_with("ok ")),
            "no checks ran:\n{}",
            self.stdout
        );
        self
    }

    /// The first stdout line starting with `prefix`, without it.
    #[track_caller]
    pub fn line(&self, prefix: &str) -> &str {
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no line {prefix:?} in\n{}", self.stdout))
    }
}

/// Path of a committed test guest: `tests/guests/NAME.wasm`, else `tests/guests/NAME.wat`.
pub fn guest_path(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
    let wasm = dir.join(format!("{name}.wasm"));
    if wasm.exists() {
        wasm
    } else {
        dir.join(format!("{name}.wat"))
    }
}

/// One engine per test binary.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = wasmtime::Config::new();
        config.wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Enable);
        Engine::new(&config).expect("engine")
    })
}

/// Compiles each module once per test binary.
pub fn module(path: &Path) -> Module {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Module>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(m) = cache.lock().unwrap().get(path) {
        return m.clone();
    }
    let m = Module::from_file(engine(), path)
        .unwrap_or_else(|e| panic!("compiling {}: {e:?}", path.display()));
    cache.lock().unwrap().insert(path.to_owned(), m.clone());
    m
}

/// A guest run being set up.
pub struct Guest {
    module: PathBuf,
    args: Vec<String>,
    env: Vec<String>,
    dirs: Vec<(PathBuf, String, bool)>,
    stdin: Vec<u8>,
    limits: Limits,
}

impl Guest {
    /// A committed guest by name (see [`guest_path`]); argv[0] is the name.
    pub fn new(name: &str) -> Guest {
        Guest::from_path(guest_path(name))
    }

    /// A module from any path (`.wasm` or `.wat`).
    pub fn from_path(path: impl Into<PathBuf>) -> Guest {
        let module: PathBuf = path.into();
        let argv0 = module.file_name().unwrap().to_string_lossy().into_owned();
        Guest {
            module,
            args: vec![argv0],
            env: Vec::new(),
            dirs: Vec::new(),
            stdin: Vec::new(),
            limits: Limits::default(),
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> Guest {
        self.args.push(a.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Guest {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `NAME=VALUE`.
    pub fn env(mut self, kv: impl Into<String>) -> Guest {
        self.env.push(kv.into());
        self
    }

    /// Read-write preopen of `host` named `guest` (fds 3, 4, … in call order).
    pub fn dir(mut self, host: impl AsRef<Path>, guest: &str) -> Guest {
        self.dirs
            .push((host.as_ref().to_owned(), guest.to_owned(), false));
        self
    }

    /// Read-only preopen.
    pub fn ro_dir(mut self, host: impl AsRef<Path>, guest: &str) -> Guest {
        self.dirs
            .push((host.as_ref().to_owned(), guest.to_owned(), true));
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Guest {
        self.stdin = bytes.into();
        self
    }

    pub fn limits(mut self, limits: Limits) -> Guest {
        self.limits = limits;
        self
    }

    /// The guest's world as a `UnixSystem`: argv, environment, the stdin bytes, stdout and
    /// stderr files, the preopens in order, the fd limits. Returns the system and the stdout
    /// and stderr files, to read with [`read_captured`] after the run.
    pub fn system(&self) -> (UnixSystem, std::fs::File, std::fs::File) {
        let mut stdin = tempfile::tempfile().unwrap();
        stdin.write_all(&self.stdin).unwrap();
        stdin.seek(SeekFrom::Start(0)).unwrap();
        let stdout = tempfile::tempfile().unwrap();
        let stderr = tempfile::tempfile().unwrap();

        let mut sys = UnixSystem::new(self.limits);
        sys.set_args(self.args.iter().map(|a| a.clone().into_bytes()).collect())
            .unwrap();
        sys.set_env(self.env.iter().map(|a| a.clone().into_bytes()).collect())
            .unwrap();
        for f in [&stdin, &stdout, &stderr] {
            sys.push_fd(OwnedFd::from(f.try_clone().unwrap())).unwrap();
        }
        for (host, guest, ro) in &self.dirs {
            sys.preopen_dir(host, guest, *ro)
                .unwrap_or_else(|e| panic!("preopen {}: {e}", host.display()));
        }
        (sys, stdout, stderr)
    }

    /// Runs the guest to completion.
    pub fn run(self) -> Outcome {
        let (sys, mut stdout, mut stderr) = self.system();

        let module = module(&self.module);
        let mut linker: Linker<UnixSystem> = Linker::new(engine());
        add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();
        let mut store = Store::new(engine(), sys);
        let exit = match linker
            .instantiate(&mut store, &module)
            .and_then(|i| i.get_typed_func::<(), ()>(&mut store, "_start"))
            .and_then(|start| start.call(&mut store, ()))
        {
            Ok(()) => Exit::Code(0),
            Err(e) => match e.downcast_ref::<ProcExit>() {
                Some(ProcExit(code)) => Exit::Code(*code),
                None => Exit::Trap(format!("{e:?}")),
            },
        };
        drop(store);

        Outcome {
            stdout: read_captured(&mut stdout),
            stderr: read_captured(&mut stderr),
            exit,
        }
    }
}

/// Everything a guest wrote to a captured stdio file.
pub fn read_captured(f: &mut std::fs::File) -> String {
    let mut s = String::new();
    f.seek(SeekFrom::Start(0)).unwrap();
    f.read_to_string(&mut s).unwrap();
    s
}

pub mod cli;
pub mod component;
pub mod escape_layout;
pub mod race;

#[path = "../model/snapshot.rs"]
mod snapshot_impl;
#[allow(unused_imports)] // not every test binary takes snapshots
pub use snapshot_impl::snapshot;

/// The port of a `wasirun --listen tcp…:0` socket, from the line wasirun prints on stderr
/// before the guest starts (`wasirun: --listen ADDR: listening on HOST:PORT (guest fd N)`),
/// and a thread collecting the rest of stderr (so that wasirun never blocks on a full pipe).
pub fn announced_port(stderr: std::process::ChildStderr) -> (u16, std::thread::JoinHandle<String>) {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(stderr);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let port = line
        .split(": listening on ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|addr| addr.rsplit(':').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port announced on wasirun's stderr: {line:?}"));
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        reader.read_to_string(&mut s).unwrap();
        s
    });
    (port, rest)
}

/// A WAT guest that exits with 100 + the errno of the WasmEdge extension's
/// `sock_open(INET4, STREAM, &fd)` (100 for success).
pub fn sock_open_guest() -> String {
    const WASI: &str = "wasi_snapshot_preview1";
    format!(
        r#"(module
  (import "{WASI}" "sock_open" (func $open (param i32 i32 i32) (result i32)))
  (import "{WASI}" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.add (i32.const 100)
      (call $open (i32.const 1) (i32.const 2) (i32.const 0))))))"#
    )
}
