//! Running WASI 0.2 command components: [`Runner::compile_component`] and
//! [`Runner::run_component`], the component counterparts of [`Runner::compile`] and
//! [`Runner::run`], plus [`WasmKind::detect`], which tells a component from a core module so a
//! caller (`wasirun`, [`crate::embed`]) can run either with the same flags.
//!
//! A command component exports `wasi:cli/run@0.2.x` with `run: func() -> result`. The exit
//! status follows the preview 1 convention of [`Outcome`]: `ok` from `run` is 0, `err` is 1
//! (what wasmtime's CLI reports), `wasi:cli/exit` ends the guest with its status as
//! `proc_exit` does, and a trap is 134.

use std::path::Path;

use wasmtime::component::{Component, ComponentExportIndex, Linker};
use wasmtime::error::Context;
use wasmtime::{Error, Result, Store, bail};

use crate::p1::ProcExit;
use crate::p2::{WasiP2, add_to_linker};
use crate::run::{Outcome, Runner, classify};
use crate::system::System;

/// The export a command component runs: the `wasi:cli/run` instance, at any 0.2 version.
const RUN_INTERFACE_PREFIX: &str = "wasi:cli/run@0.2.";

/// What a wasm file holds, judged by its content (not its name).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WasmKind {
    /// A core module (preview 1 guests).
    Module,
    /// A component (WASI 0.2 guests).
    Component,
}

impl WasmKind {
    /// Reads the header. Binary wasm starts with `\0asm` and a 4-byte version: `01 00 00 00`
    /// for a core module, `0d 00 01 00` (version 13, layer 1) for a component — the values of
    /// wasmparser's `WASM_MODULE_VERSION`/`KIND_MODULE` and
    /// `WASM_COMPONENT_VERSION`/`KIND_COMPONENT`. Text (`.wat`) is a component when its first
    /// form is `(component`, after whitespace and comments. Anything else is taken for a
    /// module, so that the module compiler reports what is wrong with it.
    pub fn detect(bytes: &[u8]) -> WasmKind {
        const COMPONENT_HEADER: [u8; 8] = *b"\0asm\x0d\x00\x01\x00";
        if bytes.starts_with(b"\0asm") {
            return if bytes.starts_with(&COMPONENT_HEADER) {
                WasmKind::Component
            } else {
                WasmKind::Module
            };
        }
        if skip_wat_trivia(bytes).starts_with(b"(component") {
            WasmKind::Component
        } else {
            WasmKind::Module
        }
    }
}

/// `text` without leading whitespace, `;;` line comments and `(; ;)` block comments (nested,
/// as the text format allows). An unterminated comment leaves nothing.
fn skip_wat_trivia(mut text: &[u8]) -> &[u8] {
    loop {
        let trimmed = text.trim_ascii_start();
        if let Some(rest) = trimmed.strip_prefix(b";;") {
            text = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => &rest[i + 1..],
                None => &[],
            };
        } else if trimmed.starts_with(b"(;") {
            let mut depth = 0usize;
            let mut i = 0;
            text = &[];
            while i + 1 < trimmed.len() {
                match &trimmed[i..i + 2] {
                    b"(;" => {
                        depth += 1;
                        i += 2;
                    }
                    b";)" => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            text = &trimmed[i..];
                            break;
                        }
                    }
                    _ => i += 1,
                }
            }
        } else {
            return trimmed;
        }
    }
}

impl Runner {
    /// Compiles a component from binary or text (`(component ...)`) bytes; `path` only names
    /// it in errors.
    pub fn compile_component(&self, path: &Path, bytes: &[u8]) -> Result<Component> {
        Component::new(self.engine(), bytes)
            .with_context(|| format!("cannot compile {} as a component", path.display()))
    }

    /// Runs a `wasi:cli/command` component: instantiates it with capwasi's WASI 0.2 imports
    /// (see [`crate::p2::add_to_linker`]) backed by `system`, and calls its
    /// `wasi:cli/run@0.2.x` `run`.
    ///
    /// As [`Runner::run`]: the guest runs on its own thread with a native stack above the wasm
    /// stack limit; the store, `system` and every fd the guest held are dropped before this
    /// returns; a guest that returns, exits or traps is an `Ok` [`Outcome`] (`run` returning
    /// `err` is [`Outcome::Exited`]`(1)`), and `Err` is a host-side failure — an import capwasi
    /// does not provide (`wasi:sockets`, for instance), no `run` export, no thread.
    pub fn run_component<S>(&self, component: &Component, system: S) -> Result<Outcome>
    where
        S: System + Send + 'static,
    {
        let run = run_export(component)?;
        self.on_guest_thread(|| self.run_component_here(component, &run, system))
    }

    /// Instantiates and calls `run` on the current thread.
    fn run_component_here<S>(
        &self,
        component: &Component,
        run: &ComponentExportIndex,
        system: S,
    ) -> Result<Outcome>
    where
        S: System + Send + 'static,
    {
        let mut store = Store::new(self.engine(), WasiP2::new(system));
        let mut linker: Linker<WasiP2<S>> = Linker::new(self.engine());
        add_to_linker(&mut linker, |ctx| ctx).map_err(Error::from_anyhow)?;
        // Instantiation can run guest code (start functions), so its errors are sorted like
        // the call's.
        let result = linker
            .instantiate(&mut store, component)
            .and_then(|instance| {
                let func = instance
                    .get_typed_func::<(), (Result<(), ()>,)>(&mut store, run)
                    .context("the `run` export is not `func() -> result`")?;
                let (status,) = func.call(&mut store, ())?;
                Ok(status)
            })
            .and_then(|status| match status {
                Ok(()) => Ok(()),
                // `run` returning `err` is a failed command: status 1, as `exit(err)`.
                Err(()) => Err(Error::new(ProcExit(1))),
            });
        // Close every guest fd now, before the outcome is reported or the process exits.
        drop(store);
        classify(result)
    }
}

/// The `run` function of `component`'s `wasi:cli/run@0.2.x` export.
fn run_export(component: &Component) -> Result<ComponentExportIndex> {
    let engine = component.engine();
    let ty = component.component_type();
    let Some(interface) = ty
        .exports(engine)
        .map(|(name, _)| name)
        .find(|name| name.starts_with(RUN_INTERFACE_PREFIX))
    else {
        bail!(
            "the component exports no `wasi:cli/run@0.2.x` interface, so it is not a WASI \
             command and there is nothing to run"
        );
    };
    let instance = component
        .get_export_index(None, interface)
        .with_context(|| format!("cannot find the export `{interface}`"))?;
    component
        .get_export_index(Some(&instance), "run")
        .with_context(|| format!("`{interface}` exports no `run` function"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::UnixSystem;
    use crate::run::EngineOptions;
    use crate::table::Limits;

    #[test]
    fn detects_binary_headers() {
        assert_eq!(WasmKind::detect(b"\0asm\x01\0\0\0rest"), WasmKind::Module);
        assert_eq!(
            WasmKind::detect(b"\0asm\x0d\0\x01\0rest"),
            WasmKind::Component
        );
        // Another version or layer is not a component this engine runs: the module compiler
        // reports it.
        assert_eq!(WasmKind::detect(b"\0asm\x0e\0\x01\0"), WasmKind::Module);
        assert_eq!(WasmKind::detect(b"\0asm"), WasmKind::Module);
        assert_eq!(WasmKind::detect(b""), WasmKind::Module);
    }

    #[test]
    fn detects_text() {
        assert_eq!(WasmKind::detect(b"(module)"), WasmKind::Module);
        assert_eq!(WasmKind::detect(b"  \n(component)"), WasmKind::Component);
        assert_eq!(
            WasmKind::detect(b";; a comment\n(; block (; nested ;) ;)\t(component $c)"),
            WasmKind::Component
        );
        assert_eq!(
            WasmKind::detect(b";; (component\n(module)"),
            WasmKind::Module
        );
        assert_eq!(
            WasmKind::detect(b"(; unterminated (component"),
            WasmKind::Module
        );
        assert_eq!(WasmKind::detect(b";; only a comment"), WasmKind::Module);
    }

    fn runner() -> Runner {
        Runner::new(&EngineOptions {
            cache: false,
            ..EngineOptions::default()
        })
        .unwrap()
    }

    /// A component exporting `wasi:cli/run@0.2.0` whose `run` returns the given result.
    fn run_returning(err: bool) -> String {
        format!(
            r#"(component
              (core module $m
                (func (export "run") (result i32) (i32.const {})))
              (core instance $i (instantiate $m))
              (func $run (result (result)) (canon lift (core func $i "run")))
              (instance $inst (export "run" (func $run)))
              (export "wasi:cli/run@0.2.0" (instance $inst)))"#,
            u8::from(err)
        )
    }

    #[test]
    fn run_result_is_the_exit_status() {
        let r = runner();
        let sys = || UnixSystem::new(Limits::default());
        let ok = r
            .compile_component(Path::new("ok"), run_returning(false).as_bytes())
            .unwrap();
        assert!(matches!(
            r.run_component(&ok, sys()).unwrap(),
            Outcome::Returned
        ));
        let err = r
            .compile_component(Path::new("err"), run_returning(true).as_bytes())
            .unwrap();
        assert!(matches!(
            r.run_component(&err, sys()).unwrap(),
            Outcome::Exited(1)
        ));
    }

    #[test]
    fn a_component_without_run_is_a_host_error() {
        let r = runner();
        let c = r
            .compile_component(Path::new("empty"), b"(component)")
            .unwrap();
        let err = r
            .run_component(&c, UnixSystem::new(Limits::default()))
            .unwrap_err();
        assert!(format!("{err:#}").contains("wasi:cli/run"), "{err:#}");
    }

    #[test]
    fn a_trap_is_an_outcome() {
        let r = runner();
        let wat = r#"(component
          (core module $m (func (export "run") (result i32) unreachable))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $inst (export "run" (func $run)))
          (export "wasi:cli/run@0.2.3" (instance $inst)))"#;
        let c = r
            .compile_component(Path::new("trap"), wat.as_bytes())
            .unwrap();
        let outcome = r
            .run_component(&c, UnixSystem::new(Limits::default()))
            .unwrap();
        assert!(matches!(outcome, Outcome::Trapped(_)), "{outcome:?}");
        assert_eq!(outcome.exit_status(), crate::run::EXIT_TRAP);
    }

    #[test]
    fn an_import_capwasi_lacks_is_a_host_error() {
        let r = runner();
        let wat = r#"(component
          (import "wasi:sockets/network@0.2.0" (instance (export "f" (func))))
          (core module $m (func (export "run") (result i32) (i32.const 0)))
          (core instance $i (instantiate $m))
          (func $run (result (result)) (canon lift (core func $i "run")))
          (instance $inst (export "run" (func $run)))
          (export "wasi:cli/run@0.2.0" (instance $inst)))"#;
        let c = r
            .compile_component(Path::new("sockets"), wat.as_bytes())
            .unwrap();
        let err = r
            .run_component(&c, UnixSystem::new(Limits::default()))
            .unwrap_err();
        assert!(
            format!("{err:#}").contains("wasi:sockets/network"),
            "{err:#}"
        );
    }
}
