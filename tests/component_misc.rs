//! The non-filesystem preview 1 guests of tests/p1_misc.rs as components, through capwasi's
//! `wasi:clocks`, `wasi:cli` and `wasi:io/poll`: argv and environment byte for byte as the
//! module sees them, and poll_oneoff (the adapter builds it from monotonic-clock deadlines and
//! stream readiness, and `wasi:io/poll`) passing every check the adapter can carry over.
//!
//! misc.c itself cannot run through the adapter at all (its `proc_raise` is a trap there, and
//! it answers only the realtime and monotonic clocks), whichever 0.2 host runs it.

mod common;

use std::collections::BTreeSet;

use common::{Exit, Guest};

#[test]
fn args_and_environment_as_a_component() {
    let make = || {
        Guest::new("misc_args")
            .args(["", "two words", "café", "-x"])
            .env("A=1")
            .env("EMPTY=")
            .env("LANG=é")
    };
    let (module, component) = (make().run(), make().run_component());
    module.assert_checks();
    assert_eq!(component.stdout, module.stdout);
    assert_eq!(component.exit, Exit::Code(0));
}

/// The checks of misc_poll.c that fail through the adapter are exactly those that fail on
/// wasmtime-wasi's 0.2 host through the same adapter (stdin's byte count, a bad fd failing the
/// whole call, rights, an unsupported clock): everything the adapter can express — relative
/// and absolute deadlines, past deadlines, several clocks, file and stdin readiness — passes on
/// capwasi's clocks and poll.
#[test]
fn poll_as_a_component() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("data"), "0123456789").unwrap();
    let make = || {
        Guest::new("misc_poll")
            .dir(tmp.path(), "/data")
            .stdin(b"poll-stdin".to_vec())
    };
    let module = make().run();
    module.assert_checks();
    let component = make().run_component();
    let reference = make().run_reference_component();
    let fails = |stdout: &str| -> BTreeSet<String> {
        stdout
            .lines()
            .filter(|l| l.starts_with("FAIL "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        fails(&component.stdout),
        fails(&reference.stdout),
        "capwasi:\n{}\nwasmtime-wasi:\n{}",
        component.stdout,
        reference.stdout
    );
    let passed = component
        .stdout
        .lines()
        .filter(|l| l.starts_with("ok "))
        .count();
    assert!(passed >= 40, "{}", component.stdout);
    for clock_check in [
        "ok dt >= 50 * MS",
        "ok now(__WASI_CLOCKID_MONOTONIC) >= t0 + 30 * MS",
        "ok find(ev, n, 22) != NULL",
        "ok e->fd_readwrite.nbytes == 7",
    ] {
        assert!(
            component.stdout.lines().any(|l| l == clock_check),
            "{clock_check}\n{}",
            component.stdout
        );
    }
    assert_eq!(component.exit, reference.exit);
}
