//! How a host function reaches the calling instance: its exported memory, the `System` in the
//! store's data, and the wire form of arguments and results.

use wasmtime::{Caller, Extern, Module, ModuleExport};

use super::calls;

/// A wasm parameter type reinterpreted as the ABI layer's: `i32` bits as `u32`, `i64` bits as
/// `u64` (or kept as `i64` where witx says the value is signed).
pub(super) trait FromWasm<W> {
    fn from_wasm(w: W) -> Self;
}

impl FromWasm<i32> for u32 {
    fn from_wasm(w: i32) -> u32 {
        w as u32
    }
}

impl FromWasm<i64> for u64 {
    fn from_wasm(w: i64) -> u64 {
        w as u64
    }
}

impl FromWasm<i64> for i64 {
    fn from_wasm(w: i64) -> i64 {
        w
    }
}

/// How a host function reaches the `System` in the store's data, and maybe where the calling
/// module keeps its memory.
///
/// Every `Fn(&mut T) -> &mut S` projection is one (the memory is then found by name);
/// [`ModuleMemory`] adds the memory export's index in one module.
pub(super) trait Access<T, S: ?Sized>: Copy + Send + Sync + 'static {
    /// The `System` inside the store's data.
    fn system<'a>(&self, data: &'a mut T) -> &'a mut S;

    /// The calling module's `memory` export, if known ahead of the call.
    fn memory_export(&self) -> Option<&ModuleExport> {
        None
    }
}

impl<T, S: ?Sized, F> Access<T, S> for F
where
    F: Fn(&mut T) -> &mut S + Copy + Send + Sync + 'static,
{
    fn system<'a>(&self, data: &'a mut T) -> &'a mut S {
        self(data)
    }
}

/// A projection plus the index of one module's `memory` export.
///
/// wasmtime's by-name `Caller::get_export("memory")` hashes the name twice (string pool, then
/// export map) on every call — more than a vDSO clock read costs. `Caller::get_module_export`
/// with a `ModuleExport` taken from the `Module` once skips both; wasmtime checks that the
/// caller was instantiated from that very module and answers `None` otherwise, so an instance
/// of another module (a linker reused for it) falls back to the lookup by name and still gets
/// its own memory.
#[derive(Clone, Copy)]
pub(super) struct ModuleMemory<G> {
    get: G,
    memory: Option<ModuleExport>,
}

impl<G> ModuleMemory<G> {
    pub(super) fn new(get: G, module: &Module) -> ModuleMemory<G> {
        ModuleMemory {
            get,
            memory: module.get_export_index(MEMORY),
        }
    }
}

impl<T, S: ?Sized, G: Access<T, S>> Access<T, S> for ModuleMemory<G> {
    fn system<'a>(&self, data: &'a mut T) -> &'a mut S {
        self.get.system(data)
    }

    fn memory_export(&self) -> Option<&ModuleExport> {
        self.memory.as_ref()
    }
}

/// The export every preview 1 guest shares its linear memory under.
const MEMORY: &str = "memory";

/// Runs `f` with the caller's memory (empty if it exports none, or a shared one) and the
/// `System`.
pub(super) fn with_memory<T: 'static, S: ?Sized, R>(
    caller: &mut Caller<'_, T>,
    get: impl Access<T, S>,
    f: impl FnOnce(&mut S, &mut [u8]) -> R,
) -> R {
    let export = match get.memory_export() {
        Some(e) => caller
            .get_module_export(e)
            .or_else(|| caller.get_export(MEMORY)),
        None => caller.get_export(MEMORY),
    };
    match export {
        Some(Extern::Memory(memory)) => {
            let (mem, data) = memory.data_and_store_mut(caller);
            f(get.system(data), mem)
        }
        _ => f(get.system(caller.data_mut()), &mut []),
    }
}

/// The wire value of an import's result: 0 for success, else the errno.
pub(super) fn errno_code(r: calls::CallResult) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => i32::from(e.raw()),
    }
}
