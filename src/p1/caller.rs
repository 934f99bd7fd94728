//! How a host function reaches the calling instance: its exported memory, the `System` in the
//! store's data, and the wire form of arguments and results.

use wasmtime::{Caller, Extern};

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

/// Runs `f` with the caller's memory (empty if it exports none) and the `System`.
pub(super) fn with_memory<T: 'static, S: ?Sized, R>(
    caller: &mut Caller<'_, T>,
    get: impl Fn(&mut T) -> &mut S,
    f: impl FnOnce(&mut S, &mut [u8]) -> R,
) -> R {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => {
            let (mem, data) = memory.data_and_store_mut(caller);
            f(get(data), mem)
        }
        _ => f(get(caller.data_mut()), &mut []),
    }
}

/// The wire value of an import's result: 0 for success, else the errno.
pub(super) fn errno_code(r: calls::CallResult) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => i32::from(e.raw()),
    }
}
