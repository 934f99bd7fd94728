//! Linking: a component written against WASI 0.2.0 (the seed's world) links against
//! capwasi's 0.2.12 definitions and calls through them, and a preview 1 adapter component's
//! 0.2.12 imports are the ones `wit/` declares.

use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

use crate::host::UnixSystem;
use crate::p2::WasiP2;
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
