//! Linking: a component written against WASI 0.2.0 (the seed's world) links against
//! capwasi's 0.2.12 definitions and calls through them, and a preview 1 adapter component's
//! 0.2.12 imports are the ones `wit/` declares.

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

use crate::host::UnixSystem;
use crate::p2::WasiP2;
use crate::system::System;
use crate::table::Limits;

/// Imports `wasi:filesystem/{types,preopens}@0.2.0` and `wasi:io/poll@0.2.0`, and exports
/// `count`, which calls `get-directories` through the canonical ABI and returns the length of
/// the list.
const OLD_GUEST: &str = r#"
(component
  (import "wasi:io/poll@0.2.0" (instance
    (export "pollable" (type (sub resource)))))
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "descriptor" (type (sub resource)))))
  (alias export $types "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer 1 $descriptor (type $d))
    (export "descriptor" (type $de (eq $d)))
    (type $own (own $de))
    (type $entry (tuple $own string))
    (type $list (list $entry))
    (export "get-directories" (func (result $list)))))

  (core module $libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (global.get $next))
      (global.set $next
        (i32.add (local.get $r)
          (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
      (local.get $r)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (alias export $preopens "get-directories" (func $get))
  (core func $get_lowered (canon lower (func $get) (memory $mem) (realloc $realloc)))

  (core module $main
    (import "libc" "mem" (memory 1))
    (import "host" "get-directories" (func $get (param i32)))
    (func (export "count") (result i32)
      (call $get (i32.const 0))
      (i32.load (i32.const 4))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance (export "get-directories" (func $get_lowered))))))
  (func (export "count") (result u32) (canon lift (core func $main "count")))
)
"#;

/// Imports `open-at` of `wasi:filesystem/types@0.2.0` and exports
/// `open(dir: u32, path: string, write: bool) -> u32`: 0 when `open-at` on the `dir`-th
/// preopen succeeds (the new descriptor is dropped at once), else 1 + the `error-code`'s
/// case index. Exercises the canonical ABI of a descriptor method both ways: string and
/// flags in, `result<own<descriptor>, error-code>` back through a return pointer.
const OPEN_GUEST: &str = r#"
(component
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "descriptor" (type $d (sub resource)))
    (type $pf0 (flags "symlink-follow"))
    (export "path-flags" (type $pf (eq $pf0)))
    (type $of0 (flags "create" "directory" "exclusive" "truncate"))
    (export "open-flags" (type $of (eq $of0)))
    (type $df0 (flags "read" "write" "file-integrity-sync" "data-integrity-sync"
      "requested-write-sync" "mutate-directory"))
    (export "descriptor-flags" (type $df (eq $df0)))
    (type $ec0 (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock"
      "quota" "exist" "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted"
      "invalid" "io" "is-directory" "loop" "too-many-links" "message-size" "name-too-long"
      "no-device" "no-entry" "no-lock" "insufficient-memory" "insufficient-space"
      "not-directory" "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device"
      "overflow" "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy"
      "cross-device"))
    (export "error-code" (type $ec (eq $ec0)))
    (type $borrow (borrow $d))
    (type $own (own $d))
    (type $res (result $own (error $ec)))
    (export "[method]descriptor.open-at" (func
      (param "self" $borrow) (param "path-flags" $pf) (param "path" string)
      (param "open-flags" $of) (param "flags" $df) (result $res)))))
  (alias export $types "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (alias outer 1 $descriptor (type $d))
    (export "descriptor" (type $de (eq $d)))
    (type $own (own $de))
    (type $entry (tuple $own string))
    (type $list (list $entry))
    (export "get-directories" (func (result $list)))))

  (core module $libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $r i32)
      (local.set $r (global.get $next))
      (global.set $next
        (i32.add (local.get $r)
          (i32.and (i32.add (local.get 3) (i32.const 7)) (i32.const -8))))
      (local.get $r)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "mem" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (alias export $preopens "get-directories" (func $get))
  (alias export $types "[method]descriptor.open-at" (func $open_at))
  (core func $get_lowered (canon lower (func $get) (memory $mem) (realloc $realloc)))
  (core func $open_at_lowered (canon lower (func $open_at) (memory $mem) (realloc $realloc)))
  (core func $drop (canon resource.drop $descriptor))

  (core module $main
    (import "libc" "mem" (memory 1))
    (import "host" "get-directories" (func $get (param i32)))
    (import "host" "open-at" (func $open_at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "host" "drop" (func $drop (param i32)))
    (global $list (mut i32) (i32.const -1))
    (func $dir (param $i i32) (result i32)
      (if (i32.lt_s (global.get $list) (i32.const 0))
        (then
          (call $get (i32.const 0))
          (global.set $list (i32.load (i32.const 0)))))
      ;; list<tuple<own<descriptor>, string>>: 12-byte elements, the handle first.
      (i32.load (i32.add (global.get $list) (i32.mul (local.get $i) (i32.const 12)))))
    (func (export "open") (param $dir i32) (param $ptr i32) (param $len i32) (param $write i32)
      (result i32)
      (call $open_at
        (call $dir (local.get $dir))
        (i32.const 1)
        (local.get $ptr) (local.get $len)
        (i32.const 0)
        (select (i32.const 3) (i32.const 1) (local.get $write))
        (i32.const 16))
      (if (result i32) (i32.load8_u (i32.const 16))
        (then (i32.add (i32.const 1) (i32.load8_u (i32.const 20))))
        (else (call $drop (i32.load (i32.const 20))) (i32.const 0)))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "host" (instance
      (export "get-directories" (func $get_lowered))
      (export "open-at" (func $open_at_lowered))
      (export "drop" (func $drop))))))
  (func (export "open") (param "dir" u32) (param "path" string) (param "write" bool)
    (result u32)
    (canon lift (core func $main "open") (memory $mem) (realloc $realloc)))
)
"#;

/// The sandbox seen through the canonical ABI by a 0.2.0 component: escapes are
/// `not-permitted`, writing through a read-only preopen is `read-only`, the host unchanged.
#[test]
fn a_component_gets_the_sandbox_error_codes() {
    use crate::p2::bindings::wasi::filesystem::types::ErrorCode;
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::create_dir(t.join("rw")).unwrap();
    std::fs::create_dir(t.join("ro")).unwrap();
    std::fs::write(t.join("secret"), b"secret").unwrap();
    std::fs::write(t.join("rw/file"), b"file").unwrap();
    std::fs::write(t.join("ro/file"), b"file").unwrap();
    std::os::unix::fs::symlink("../secret", t.join("rw/out")).unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    sys.preopen_dir(&t.join("rw"), "rw", false).unwrap();
    sys.preopen_dir(&t.join("ro"), "ro", true).unwrap();

    let engine = engine();
    let mut linker: Linker<WasiP2<UnixSystem>> = Linker::new(&engine);
    crate::p2::add_to_linker(&mut linker, |t| t).unwrap();
    let component = Component::new(&engine, OPEN_GUEST).unwrap();
    let mut store = Store::new(&engine, WasiP2::new(sys));
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let open = instance
        .get_typed_func::<(u32, &str, bool), (u32,)>(&mut store, "open")
        .unwrap();
    let mut call = |dir: u32, path: &str, write: bool| {
        let (r,) = open.call(&mut store, (dir, path, write)).unwrap();
        r
    };
    let err = |c: ErrorCode| 1 + c as u32;
    assert_eq!(call(0, "file", false), 0);
    assert_eq!(call(0, "file", true), 0);
    assert_eq!(call(1, "file", false), 0);
    assert_eq!(call(0, "missing", false), err(ErrorCode::NoEntry));
    for escape in ["../secret", "/etc/passwd", "out", "./../rw/../../secret"] {
        assert_eq!(
            call(0, escape, false),
            err(ErrorCode::NotPermitted),
            "{escape}"
        );
    }
    assert_eq!(call(1, "file", true), err(ErrorCode::ReadOnly));
    assert_eq!(std::fs::read(t.join("secret")).unwrap(), b"secret");
    assert_eq!(std::fs::read(t.join("ro/file")).unwrap(), b"file");
    // Every descriptor the calls made was dropped again: only the preopens' fds are open.
    let mut sys = store.into_data().into_system();
    assert!(sys.fd_fdstat_get(2).is_err());
}

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_component_model(true);
    Engine::new(&config).unwrap()
}

#[test]
fn a_wasi_0_2_0_guest_links_and_calls_through() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("a")).unwrap();
    std::fs::create_dir(tmp.path().join("b")).unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    sys.preopen_dir(&tmp.path().join("a"), "a", false).unwrap();
    sys.preopen_dir(&tmp.path().join("b"), "b", true).unwrap();

    let engine = engine();
    let mut linker: Linker<WasiP2<UnixSystem>> = Linker::new(&engine);
    crate::p2::add_to_linker(&mut linker, |t| t).unwrap();
    let component = Component::new(&engine, OLD_GUEST).unwrap();
    let mut store = Store::new(&engine, WasiP2::new(sys));
    let instance = linker.instantiate(&mut store, &component).unwrap();
    let count = instance
        .get_typed_func::<(), (u32,)>(&mut store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, ()).unwrap(), (2,));
}

/// A preview 1 command turned into a component by the standard adapter shipped for wasmtime
/// 48 (which imports the interfaces at 0.2.12, the version of `wit/`) links.
#[test]
fn an_adapted_preview1_command_links() {
    // The bundled example guest (wasi-libc `ls`): opens, lists and reads files.
    let core = include_bytes!("../../examples/ls.wasm");
    let bytes = wit_component::ComponentEncoder::default()
        .module(core)
        .unwrap()
        .adapter(
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            wasi_preview1_component_adapter_provider::WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .unwrap()
        .validate(true)
        .encode()
        .unwrap();
    let engine = engine();
    let component = Component::new(&engine, &bytes).unwrap();
    let imports: Vec<String> = component
        .component_type()
        .imports(&engine)
        .map(|(name, _)| name.to_string())
        .collect();
    for iface in [
        "wasi:io/streams@0.2.12",
        "wasi:filesystem/types@0.2.12",
        "wasi:filesystem/preopens@0.2.12",
    ] {
        assert!(imports.iter().any(|i| i == iface), "{iface} in {imports:?}");
    }
    let mut linker: Linker<WasiP2<UnixSystem>> = Linker::new(&engine);
    crate::p2::add_to_linker(&mut linker, |t| t).unwrap();
    linker.instantiate_pre(&component).unwrap();
}
