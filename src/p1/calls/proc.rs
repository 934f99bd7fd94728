//! `proc_exit`, `proc_raise`, `random_get`.

use super::CallResult;
use crate::p1::{decode, memory};
use crate::system::System;

/// `proc_exit(rval)`: lets the host release its resources and returns the exit code, which
/// the wasmtime shell turns into an unwinding [`ProcExit`](crate::p1) error. Codes are passed
/// through unchanged; what a code >= 126 means is the embedder's choice (wasmtime traps).
pub fn proc_exit<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8], rval: u32) -> u32 {
    sys.proc_exit(rval);
    rval
}

/// `proc_raise`: decodes the signal and passes it to the host.
pub fn proc_raise<S: System + ?Sized>(sys: &mut S, _mem: &mut [u8], sig: u32) -> CallResult {
    sys.proc_raise(decode::signal(sig)?)
}

/// `random_get`: the host fills the guest buffer in place; no copy, no allocation.
pub fn random_get<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    buf: u32,
    buf_len: u32,
) -> CallResult {
    sys.random_get(memory::slice_mut(mem, buf, buf_len)?)
}
