//! `wasi:random/random`, `wasi:random/insecure` and `wasi:random/insecure-seed`.
//!
//! Every byte comes from the system's preview 1 `random_get` (the kernel's CSPRNG on the Unix
//! host, through `getrandom(2)`), the insecure interface included: secure bytes are a valid
//! answer to a request for insecure ones, and one source is one thing to get right.

use std::hash::BuildHasher;

use crate::p2::bindings::wasi::random::{insecure, insecure_seed, random};
use crate::p2::ctx::WasiP2;
use crate::system::System;

/// Most bytes one `get-random-bytes`/`get-insecure-random-bytes` call returns. The guest picks
/// `len` (up to 2^64) and the host must build the list before wasmtime copies it into guest
/// memory, so a larger request traps instead of allocating what no wasm32 memory could hold
/// anyway (wasmtime-wasi draws the line at the same 64 MiB).
pub const MAX_RANDOM_LEN: u64 = 64 << 20;

impl<S: System> WasiP2<S> {
    /// `len` bytes from `random_get`, or a trap naming `call`.
    fn random_bytes(&mut self, call: &str, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > MAX_RANDOM_LEN {
            wasmtime::bail!(
                "{call}: {len} bytes asked for, more than the {MAX_RANDOM_LEN} allowed"
            );
        }
        // ok: len <= 64 MiB fits in usize on every target wasmtime supports.
        let mut buf = vec![0; len as usize];
        self.sys.random_get(&mut buf).map_err(|e| {
            wasmtime::format_err!("{call}: the host's random source failed: {}", e.name())
        })?;
        Ok(buf)
    }

    fn random_u64(&mut self, call: &str) -> wasmtime::Result<u64> {
        let mut buf = [0; 8];
        self.sys.random_get(&mut buf).map_err(|e| {
            wasmtime::format_err!("{call}: the host's random source failed: {}", e.name())
        })?;
        Ok(u64::from_le_bytes(buf))
    }
}

impl<S: System> random::Host for WasiP2<S> {
    /// `get-random-bytes`: `len` cryptographically secure bytes.
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes("get-random-bytes", len)
    }

    /// `get-random-u64`: eight secure bytes as a number.
    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64("get-random-u64")
    }
}

impl<S: System> insecure::Host for WasiP2<S> {
    /// `get-insecure-random-bytes`: secure bytes serve (see the module docs).
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.random_bytes("get-insecure-random-bytes", len)
    }

    /// `get-insecure-random-u64`.
    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.random_u64("get-insecure-random-u64")
    }
}

impl<S: System> insecure_seed::Host for WasiP2<S> {
    /// `insecure-seed`: 128 bits, the same for the life of the instance (the WIT says so; a
    /// language runtime seeds its hash tables with it once, and may ask again).
    ///
    /// Derived from the context's two randomly keyed SipHash states (made with the context,
    /// never reused across contexts) hashing a fixed label, so it needs no state of its own.
    /// SipHash is a keyed PRF: the seed tells nothing about the keys, and so nothing about the
    /// `metadata-hash` values the same keys produce.
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        const LABEL: &[u8] = b"wasi:random/insecure-seed";
        Ok((
            self.hash_keys[0].hash_one(LABEL),
            self.hash_keys[1].hash_one(LABEL),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::UnixSystem;
    use crate::table::Limits;

    fn ctx() -> WasiP2<UnixSystem> {
        WasiP2::new(UnixSystem::new(Limits::default()))
    }

    #[test]
    fn bytes_have_the_asked_length_and_vary() {
        let mut c = ctx();
        assert!(
            random::Host::get_random_bytes(&mut c, 0)
                .unwrap()
                .is_empty()
        );
        let a = random::Host::get_random_bytes(&mut c, 64).unwrap();
        let b = insecure::Host::get_insecure_random_bytes(&mut c, 64).unwrap();
        assert_eq!((a.len(), b.len()), (64, 64));
        // 2^-512 chance of a false failure.
        assert_ne!(a, b);
        assert_ne!(a, vec![0; 64]);
        let x = random::Host::get_random_u64(&mut c).unwrap();
        let y = insecure::Host::get_insecure_random_u64(&mut c).unwrap();
        let z = random::Host::get_random_u64(&mut c).unwrap();
        assert!(x != y || y != z, "three equal u64s");
    }

    #[test]
    fn huge_requests_trap_without_allocating() {
        let mut c = ctx();
        for len in [MAX_RANDOM_LEN + 1, u64::from(u32::MAX) + 1, u64::MAX] {
            let err = random::Host::get_random_bytes(&mut c, len).unwrap_err();
            assert!(err.to_string().contains("more than"), "{err}");
            assert!(insecure::Host::get_insecure_random_bytes(&mut c, len).is_err());
        }
    }

    #[test]
    fn insecure_seed_is_fixed_per_context_and_differs_between_contexts() {
        let (mut c, mut d) = (ctx(), ctx());
        let s1 = insecure_seed::Host::insecure_seed(&mut c).unwrap();
        assert_eq!(insecure_seed::Host::insecure_seed(&mut c).unwrap(), s1);
        assert_ne!(s1.0, s1.1);
        assert_ne!(insecure_seed::Host::insecure_seed(&mut d).unwrap(), s1);
    }
}
