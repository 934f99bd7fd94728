//! Engine-free tests of the ABI layer against a recording fake `System`, plus (with the
//! `engine` feature) a few through the real wasmtime linker.

mod args;
#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "engine")]
mod engine_sockets;
mod fake;
mod fd;
mod path;
mod poll;
mod props;
mod sock;
mod wasmedge;

use crate::abi::Errno;

/// Size of the test guest memory: one wasm page.
pub const MEM: usize = 65536;

/// A 64 KiB guest memory with little-endian helpers for setting up arguments.
pub struct Mem(pub Vec<u8>);

impl Mem {
    pub fn new() -> Mem {
        Mem(vec![0; MEM])
    }
    pub fn put(&mut self, at: u32, bytes: &[u8]) {
        self.0[at as usize..at as usize + bytes.len()].copy_from_slice(bytes);
    }
    pub fn put_u32(&mut self, at: u32, v: u32) {
        self.put(at, &v.to_le_bytes());
    }
    /// Writes an iovec array at `at`.
    pub fn put_iovs(&mut self, at: u32, iovs: &[(u32, u32)]) {
        for (k, &(p, l)) in iovs.iter().enumerate() {
            self.put_u32(at + 8 * k as u32, p);
            self.put_u32(at + 8 * k as u32 + 4, l);
        }
    }
    pub fn get(&self, at: u32, len: usize) -> &[u8] {
        &self.0[at as usize..at as usize + len]
    }
    pub fn u16(&self, at: u32) -> u16 {
        u16::from_le_bytes(self.get(at, 2).try_into().unwrap())
    }
    pub fn u32(&self, at: u32) -> u32 {
        u32::from_le_bytes(self.get(at, 4).try_into().unwrap())
    }
    pub fn u64(&self, at: u32) -> u64 {
        u64::from_le_bytes(self.get(at, 8).try_into().unwrap())
    }
}

/// Hostile fd numbers every fd call is tried with.
pub const BAD_FDS: [u32; 3] = [0xffff_ffff, 0x7fff_ffff, 8];

pub fn err<T>(r: Result<T, Errno>) -> Errno {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}
