//! Engine-free tests of the ABI layer against a recording fake `System`.

mod fake;
