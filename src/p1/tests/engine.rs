//! The wasmtime shell: every import links with its witx core signature, memory is handed
//! through, errnos come back as `i32`, `proc_exit` unwinds with `ProcExit`.

use wasmtime::{Engine, Instance, Linker, Module, Store};

use super::fake::Fake;
use crate::p1::{ProcExit, add_to_linker};

/// Core wasm signatures of preview 1, written out from `wasi_snapshot_preview1.witx`
/// independently of the linker's table.
const SIGNATURES: [(&str, &str, &str); 46] = [
    ("args_get", "i32 i32", "i32"),
    ("args_sizes_get", "i32 i32", "i32"),
    ("environ_get", "i32 i32", "i32"),
    ("environ_sizes_get", "i32 i32", "i32"),
    ("clock_res_get", "i32 i32", "i32"),
    ("clock_time_get", "i32 i64 i32", "i32"),
    ("fd_advise", "i32 i64 i64 i32", "i32"),
    ("fd_allocate", "i32 i64 i64", "i32"),
    ("fd_close", "i32", "i32"),
    ("fd_datasync", "i32", "i32"),
    ("fd_fdstat_get", "i32 i32", "i32"),
    ("fd_fdstat_set_flags", "i32 i32", "i32"),
    ("fd_fdstat_set_rights", "i32 i64 i64", "i32"),
    ("fd_filestat_get", "i32 i32", "i32"),
    ("fd_filestat_set_size", "i32 i64", "i32"),
    ("fd_filestat_set_times", "i32 i64 i64 i32", "i32"),
    ("fd_pread", "i32 i32 i32 i64 i32", "i32"),
    ("fd_prestat_get", "i32 i32", "i32"),
    ("fd_prestat_dir_name", "i32 i32 i32", "i32"),
    ("fd_pwrite", "i32 i32 i32 i64 i32", "i32"),
    ("fd_read", "i32 i32 i32 i32", "i32"),
    ("fd_readdir", "i32 i32 i32 i64 i32", "i32"),
    ("fd_renumber", "i32 i32", "i32"),
    ("fd_seek", "i32 i64 i32 i32", "i32"),
    ("fd_sync", "i32", "i32"),
    ("fd_tell", "i32 i32", "i32"),
    ("fd_write", "i32 i32 i32 i32", "i32"),
    ("path_create_directory", "i32 i32 i32", "i32"),
    ("path_filestat_get", "i32 i32 i32 i32 i32", "i32"),
    (
        "path_filestat_set_times",
        "i32 i32 i32 i32 i64 i64 i32",
        "i32",
    ),
    ("path_link", "i32 i32 i32 i32 i32 i32 i32", "i32"),
    ("path_open", "i32 i32 i32 i32 i32 i64 i64 i32 i32", "i32"),
    ("path_readlink", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_remove_directory", "i32 i32 i32", "i32"),
    ("path_rename", "i32 i32 i32 i32 i32 i32", "i32"),
    ("path_symlink", "i32 i32 i32 i32 i32", "i32"),
    ("path_unlink_file", "i32 i32 i32", "i32"),
    ("poll_oneoff", "i32 i32 i32 i32", "i32"),
    ("proc_exit", "i32", ""),
    ("proc_raise", "i32", "i32"),
    ("sched_yield", "", "i32"),
    ("random_get", "i32 i32", "i32"),
    ("sock_accept", "i32 i32 i32", "i32"),
    ("sock_recv", "i32 i32 i32 i32 i32 i32", "i32"),
    ("sock_send", "i32 i32 i32 i32 i32", "i32"),
    ("sock_shutdown", "i32 i32", "i32"),
];

fn imports() -> String {
    let mut s = String::new();
    for (name, params, result) in SIGNATURES {
        let result = if result.is_empty() {
            String::new()
        } else {
            format!("(result {result})")
        };
        s += &format!(
            "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param {params}) {result}))\n"
        );
    }
    s
}

fn instantiate(body: &str) -> (Store<Fake>, Instance) {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |f: &mut Fake| f).unwrap();
    let wat = format!("(module {} {body})", imports());
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, Fake::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn signature_table_matches_the_dispatch_table() {
    assert_eq!(SIGNATURES.map(|s| s.0), crate::p1::dispatch::NAMES);
}

#[test]
fn all_imports_link_and_calls_go_through() {
    let (mut store, instance) = instantiate(
        r#"
        (memory (export "memory") 1)
        (data (i32.const 100) "hi there")
        (func (export "write") (result i32)
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 8))
            (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))
            drop
            (i32.load (i32.const 16)))
        (func (export "bad_read") (result i32)
            (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 65536)))
        (func (export "bad_fd") (result i32)
            (call $fd_close (i32.const -1)))
        (func (export "seek") (result i64)
            (call $fd_seek (i32.const 4) (i64.const -9) (i32.const 1) (i32.const 24))
            drop
            (i64.load (i32.const 24)))
        (func (export "exit") (call $proc_exit (i32.const 3)) unreachable)
        "#,
    );
    let write = instance
        .get_typed_func::<(), i32>(&mut store, "write")
        .unwrap();
    assert_eq!(write.call(&mut store, ()).unwrap(), 8);
    assert_eq!(store.data().output, b"hi there");

    let bad_read = instance
        .get_typed_func::<(), i32>(&mut store, "bad_read")
        .unwrap();
    assert_eq!(bad_read.call(&mut store, ()).unwrap(), 21, "EFAULT");
    let bad_fd = instance
        .get_typed_func::<(), i32>(&mut store, "bad_fd")
        .unwrap();
    assert_eq!(bad_fd.call(&mut store, ()).unwrap(), 8, "EBADF");
    let seek = instance
        .get_typed_func::<(), i64>(&mut store, "seek")
        .unwrap();
    assert_eq!(seek.call(&mut store, ()).unwrap(), 9);
    assert_eq!(store.data().last(), "fd_seek(4,-9,Cur)");

    let exit = instance
        .get_typed_func::<(), ()>(&mut store, "exit")
        .unwrap();
    let e = exit.call(&mut store, ()).unwrap_err();
    assert_eq!(e.downcast_ref::<ProcExit>(), Some(&ProcExit(3)));
    assert_eq!(store.data().exit_code, Some(3));
    let e = anyhow::Error::from(e);
    assert_eq!(e.downcast_ref::<ProcExit>(), Some(&ProcExit(3)));
}

#[test]
fn a_guest_without_memory_gets_errnos_not_traps() {
    let (mut store, instance) = instantiate(
        r#"
        (func (export "close") (result i32) (call $fd_close (i32.const 4)))
        (func (export "write") (result i32)
            (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))
        (func (export "yield") (result i32) (call $sched_yield))
        "#,
    );
    let close = instance
        .get_typed_func::<(), i32>(&mut store, "close")
        .unwrap();
    assert_eq!(close.call(&mut store, ()).unwrap(), 0);
    assert_eq!(store.data().closed, [4]);
    let write = instance
        .get_typed_func::<(), i32>(&mut store, "write")
        .unwrap();
    assert_eq!(write.call(&mut store, ()).unwrap(), 21, "EFAULT");
    let yield_ = instance
        .get_typed_func::<(), i32>(&mut store, "yield")
        .unwrap();
    assert_eq!(yield_.call(&mut store, ()).unwrap(), 0);
}
