//! Component runs of the preview 1 test guests: a committed C guest (`tests/guests/NAME.wasm`,
//! a core module importing `wasi_snapshot_preview1`) is wrapped into a WASI 0.2 command
//! component with the standard preview 1 adapter (the one wasmtime 48 ships), then run through
//! capwasi's component runner, [`capwasi::run::Runner::run_component`], with the same argv,
//! environment, stdio and preopens that [`Guest::run`] gives the module. So one guest source
//! exercises both faces of the host, and their outputs can be compared line for line.
//!
//! Encoding and compiling a component costs about a second; both are cached per test binary.

use std::collections::{BTreeSet, HashMap};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use capwasi::run::{EngineOptions, Outcome as RunOutcome, Runner, trap_report};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

use super::{Exit, Guest, Outcome, read_captured};

/// Turns a preview 1 core module into a `wasi:cli/command` component: the adapter supplies
/// every `wasi_snapshot_preview1` import in terms of the WASI 0.2 interfaces, and its `run`
/// export calls the module's `_start`.
pub fn encode_command(module: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .module(module)
        .and_then(|e| {
            e.adapter(
                WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
            )
        })
        .and_then(|e| e.validate(true).encode())
        .unwrap_or_else(|e| panic!("encoding a command component: {e:?}"))
}

/// The component bytes of a committed guest, encoded once per test binary. Also for tests that
/// write the component to a file (the `wasirun` tests).
pub fn component_bytes(module_path: &Path) -> Arc<Vec<u8>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Vec<u8>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(bytes) = cache.lock().unwrap().get(module_path) {
        return bytes.clone();
    }
    let module = std::fs::read(module_path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", module_path.display()));
    let bytes = Arc::new(encode_command(&module));
    cache
        .lock()
        .unwrap()
        .insert(module_path.to_owned(), bytes.clone());
    bytes
}

/// Every function of `wasi:filesystem/types` (0.2): the descriptor and directory-entry-stream
/// methods and the free function.
pub const ALL_TYPES_FUNCTIONS: &[&str] = &[
    "[method]descriptor.read-via-stream",
    "[method]descriptor.write-via-stream",
    "[method]descriptor.append-via-stream",
    "[method]descriptor.advise",
    "[method]descriptor.sync-data",
    "[method]descriptor.get-flags",
    "[method]descriptor.get-type",
    "[method]descriptor.set-size",
    "[method]descriptor.set-times",
    "[method]descriptor.read",
    "[method]descriptor.write",
    "[method]descriptor.read-directory",
    "[method]descriptor.sync",
    "[method]descriptor.create-directory-at",
    "[method]descriptor.stat",
    "[method]descriptor.stat-at",
    "[method]descriptor.set-times-at",
    "[method]descriptor.link-at",
    "[method]descriptor.open-at",
    "[method]descriptor.readlink-at",
    "[method]descriptor.remove-directory-at",
    "[method]descriptor.rename-at",
    "[method]descriptor.symlink-at",
    "[method]descriptor.unlink-file-at",
    "[method]descriptor.is-same-object",
    "[method]descriptor.metadata-hash",
    "[method]descriptor.metadata-hash-at",
    "[method]directory-entry-stream.read-directory-entry",
    "filesystem-error-code",
];

/// The function names the component imports from `wasi:filesystem/types@0.2.x`.
pub fn imported_types_functions(component: &Component) -> BTreeSet<String> {
    let engine = component.engine();
    let mut names = BTreeSet::new();
    for (name, item) in component.component_type().imports(engine) {
        if !name.starts_with("wasi:filesystem/types@0.2.") {
            continue;
        }
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            panic!("{name} is not an instance");
        };
        for (export, item) in instance.exports(engine) {
            if matches!(item.ty, ComponentItem::ComponentFunc(_)) {
                names.insert(export.to_owned());
            }
        }
    }
    names
}

/// One runner (engine) for every component run of this test binary. No on-disk cache: the
/// tests must not depend on, or write to, the user's cache directory.
pub fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| {
        Runner::new(&EngineOptions {
            cache: false,
            ..EngineOptions::default()
        })
        .expect("engine")
    })
}

/// The compiled component of a committed guest, once per test binary.
fn component(module_path: &Path) -> Component {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Component>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(c) = cache.lock().unwrap().get(module_path) {
        return c.clone();
    }
    let bytes = component_bytes(module_path);
    let c = Component::new(runner().engine(), &bytes[..])
        .unwrap_or_else(|e| panic!("compiling {} as a component: {e:?}", module_path.display()));
    cache
        .lock()
        .unwrap()
        .insert(module_path.to_owned(), c.clone());
    c
}

impl Guest {
    /// Runs the guest as a WASI 0.2 command component (see the module docs), with exactly the
    /// world [`Guest::run`] gives the module: same argv, environment, stdin bytes, preopens in
    /// the same order, same fd limits.
    pub fn run_component(self) -> Outcome {
        let component = component(&self.module);
        self.run_compiled_component(&component)
    }

    /// As [`Guest::run_component`], but runs `component` (built by the caller, e.g. with
    /// extra component-type metadata) instead of the adapter-wrapped guest module.
    pub fn run_compiled_component(self, component: &Component) -> Outcome {
        let (sys, mut stdout, mut stderr) = self.system();

        let exit = match runner().run_component(component, sys) {
            Ok(RunOutcome::Returned) => Exit::Code(0),
            Ok(RunOutcome::Exited(code)) => Exit::Code(code),
            Ok(RunOutcome::Trapped(e)) => Exit::Trap(trap_report(&e)),
            Err(e) => panic!("component run failed on the host side: {e:?}"),
        };

        Outcome {
            stdout: read_captured(&mut stdout),
            stderr: read_captured(&mut stderr),
            exit,
        }
    }

    /// Runs the same component on wasmtime-wasi 48's own WASI 0.2 host instead of capwasi's,
    /// with the same argv, environment, stdin and preopens (read-only ones with
    /// `FsPerms::ReadOnly`). This is the reference for what the *adapter* makes of a preview 1
    /// guest: where capwasi's component run differs from the module run, the reference run
    /// shows whether the difference is the adapter's (both 0.2 hosts agree) or capwasi's.
    pub fn run_reference_component(self) -> Outcome {
        use wasmtime_wasi::cli::{InputFile, OutputFile};
        use wasmtime_wasi::p2::bindings::sync::Command;
        use wasmtime_wasi::{FsPerms, I32Exit, ResourceTable, WasiCtx, WasiCtxView, WasiView};

        struct Host {
            table: ResourceTable,
            wasi: WasiCtx,
        }
        impl WasiView for Host {
            fn ctx(&mut self) -> WasiCtxView<'_> {
                WasiCtxView {
                    ctx: &mut self.wasi,
                    table: &mut self.table,
                }
            }
        }

        let mut stdin = tempfile::tempfile().unwrap();
        stdin.write_all(&self.stdin).unwrap();
        stdin.seek(SeekFrom::Start(0)).unwrap();
        let mut stdout = tempfile::tempfile().unwrap();
        let mut stderr = tempfile::tempfile().unwrap();
        let mut builder = WasiCtx::builder();
        builder
            .args(&self.args)
            .stdin(InputFile::new(stdin.try_clone().unwrap()))
            .stdout(OutputFile::new(stdout.try_clone().unwrap()))
            .stderr(OutputFile::new(stderr.try_clone().unwrap()));
        for kv in &self.env {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            builder.env(k, v);
        }
        for (host, guest, ro) in &self.dirs {
            let perms = if *ro {
                FsPerms::ReadOnly
            } else {
                FsPerms::ReadWrite
            };
            builder.preopened_dir(host, guest, perms).unwrap();
        }
        let component = component(&self.module);
        let engine = runner().engine();
        let mut linker = wasmtime::component::Linker::<Host>::new(engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
        let mut store = wasmtime::Store::new(
            engine,
            Host {
                table: ResourceTable::new(),
                wasi: builder.build(),
            },
        );
        let result = Command::instantiate(&mut store, &component, &linker)
            .and_then(|command| command.wasi_cli_run().call_run(&mut store));
        let exit = match result {
            Ok(Ok(())) => Exit::Code(0),
            Ok(Err(())) => Exit::Code(1),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(I32Exit(code)) => Exit::Code(*code as u32),
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
