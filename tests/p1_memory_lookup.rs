//! How an import finds the calling instance's memory: `add_to_linker` by the export's name,
//! `add_to_linker_for_module` by its index in one module. Whichever module an instance comes
//! from and however the linker was made, a call must read and write that instance's own
//! memory, and a module without an exported memory sees an empty one (`EFAULT` for calls that
//! need memory, success for calls that do not).

use capwasi::host::UnixSystem;
use capwasi::p1::{add_to_linker, add_to_linker_for_module};
use capwasi::table::Limits;
use wasmtime::{Engine, Instance, Linker, Module, Store};

const EFAULT: i32 = 21;

/// `args_sizes_get` writes argc at `at` and the argv byte count at `at + 4`. `pad` pages of
/// memory (and a leading dummy import) make the modules differ in layout and export index.
fn guest(engine: &Engine, pad: u32, at: u32) -> Module {
    let wat = format!(
        r#"(module
          (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (func (export "pad") {})
          (memory (export "memory") {})
          (func (export "sizes") (result i32)
            (call $sizes (i32.const {at}) (i32.const {at4})))
          (func (export "argc") (result i32) (i32.load (i32.const {at}))))"#,
        "nop ".repeat(pad as usize),
        1 + pad,
        at4 = at + 4,
    );
    Module::new(engine, wat).unwrap()
}

/// A module exporting no memory (only a function named "memory", to make a lookup by index
/// or name find something that is not a memory).
fn memoryless(engine: &Engine) -> Module {
    Module::new(
        engine,
        r#"(module
          (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (func (export "memory"))
          (func (export "yield") (result i32) (call $yield))
          (func (export "sizes") (result i32) (call $sizes (i32.const 0) (i32.const 4))))"#,
    )
    .unwrap()
}

fn system(args: usize) -> UnixSystem {
    let mut sys = UnixSystem::new(Limits::default());
    sys.set_args((0..args).map(|i| format!("a{i}").into_bytes()).collect())
        .unwrap();
    sys
}

fn call(store: &mut Store<UnixSystem>, instance: &Instance, name: &str) -> i32 {
    instance
        .get_typed_func::<(), i32>(&mut *store, name)
        .unwrap()
        .call(&mut *store, ())
        .unwrap()
}

/// Each instance's call lands in its own memory: instances of the linker's module, and of
/// another module (a linker made for one module but used for another falls back to the name).
fn each_instance_writes_its_own_memory(
    linker: &Linker<UnixSystem>,
    engine: &Engine,
    a: &Module,
    b: &Module,
) {
    let mut store = Store::new(engine, system(3));
    let a1 = linker.instantiate(&mut store, a).unwrap();
    let a2 = linker.instantiate(&mut store, a).unwrap();
    let b1 = linker.instantiate(&mut store, b).unwrap();
    for (i, inst) in [a1, a2, b1].iter().enumerate() {
        for other in [a1, a2, b1] {
            assert_eq!(call(&mut store, &other, "argc"), 0, "before call {i}");
        }
        assert_eq!(call(&mut store, inst, "sizes"), 0);
        assert_eq!(call(&mut store, inst, "argc"), 3, "instance {i}");
        // Zero it again, through the instance's own memory, for the next round.
        let mem = inst.get_memory(&mut store, "memory").unwrap();
        mem.data_mut(&mut store)[64..68].fill(0);
    }

    let c = memoryless(engine);
    let c1 = linker.instantiate(&mut store, &c).unwrap();
    assert_eq!(call(&mut store, &c1, "yield"), 0);
    assert_eq!(call(&mut store, &c1, "sizes"), EFAULT);
}

#[test]
fn by_name() {
    let engine = Engine::default();
    let (a, b) = (guest(&engine, 0, 64), guest(&engine, 2, 64));
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();
    each_instance_writes_its_own_memory(&linker, &engine, &a, &b);
}

#[test]
fn by_index_in_the_linked_module() {
    let engine = Engine::default();
    let (a, b) = (guest(&engine, 0, 64), guest(&engine, 2, 64));
    // Linked for `a`: its instances use the index, `b`'s the name.
    let mut linker = Linker::new(&engine);
    add_to_linker_for_module(&mut linker, &a, |s: &mut UnixSystem| s).unwrap();
    each_instance_writes_its_own_memory(&linker, &engine, &a, &b);
    // Linked for `b`, whose memory has another size and whose code another layout.
    let mut linker = Linker::new(&engine);
    add_to_linker_for_module(&mut linker, &b, |s: &mut UnixSystem| s).unwrap();
    each_instance_writes_its_own_memory(&linker, &engine, &a, &b);
}

#[test]
fn linked_for_a_module_without_memory() {
    let engine = Engine::default();
    let (a, b) = (guest(&engine, 0, 64), guest(&engine, 2, 64));
    let c = memoryless(&engine);
    let mut linker = Linker::new(&engine);
    add_to_linker_for_module(&mut linker, &c, |s: &mut UnixSystem| s).unwrap();
    each_instance_writes_its_own_memory(&linker, &engine, &a, &b);
    // The module it was linked for: its export "memory" is a function, so no memory.
    let mut store = Store::new(&engine, system(1));
    let c1 = linker.instantiate(&mut store, &c).unwrap();
    assert_eq!(call(&mut store, &c1, "sizes"), EFAULT);
}
