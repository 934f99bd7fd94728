//! The WasmEdge socket extension through the real linker: the variant of each plain name is
//! chosen per import by its signature, `_v2` names are always there, and V1 and V2 mix.

use wasmtime::{Engine, Instance, Linker, Module, Store};

use super::fake::Fake;
use crate::p1::{add_sockets_to_linker, add_to_linker, socket_extension_imports};
use crate::run::{EngineOptions, RunOptions, Runner, SocketsMode};

/// `(import "wasi_snapshot_preview1" NAME (func $NAME (param i32 × arity) (result i32)))`.
fn import(name: &str, arity: usize) -> String {
    format!(
        "(import \"wasi_snapshot_preview1\" \"{name}\" (func ${name} (param{}) (result i32)))\n",
        " i32".repeat(arity)
    )
}

fn module(engine: &Engine, imports: &[(&str, usize)], body: &str) -> Module {
    let imports: String = imports.iter().map(|(n, a)| import(n, *a)).collect();
    Module::new(
        engine,
        format!("(module {imports} (memory (export \"memory\") 1) {body})"),
    )
    .unwrap()
}

fn instantiate(imports: &[(&str, usize)], body: &str) -> (Store<Fake>, Instance) {
    let engine = Engine::default();
    let module = module(&engine, imports, body);
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |f: &mut Fake| f).unwrap();
    add_sockets_to_linker(&mut linker, &module, |f: &mut Fake| f).unwrap();
    let mut store = Store::new(&engine, Fake::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<Fake>, instance: &Instance, name: &str) -> i32 {
    let f = instance
        .get_typed_func::<(), i32>(&mut *store, name)
        .unwrap();
    f.call(&mut *store, ()).unwrap()
}

fn load(store: &mut Store<Fake>, instance: &Instance, at: usize, len: usize) -> Vec<u8> {
    let memory = instance.get_memory(&mut *store, "memory").unwrap();
    memory.data(&*store)[at..at + len].to_vec()
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
}

#[test]
fn v1_signatures_select_v1() {
    let (mut store, instance) = instantiate(
        &[
            ("sock_accept", 2),
            ("sock_getlocaladdr", 4),
            ("sock_recv_from", 7),
        ],
        r#"
        (func (export "accept") (result i32) (call $sock_accept (i32.const 6) (i32.const 8)))
        (func (export "local") (result i32)
            ;; descriptor at 16: buffer 100, 16 bytes; addrtype at 40, port at 48
            (i32.store (i32.const 16) (i32.const 100))
            (i32.store (i32.const 20) (i32.const 16))
            (call $sock_getlocaladdr (i32.const 6) (i32.const 16) (i32.const 40) (i32.const 48)))
        (func (export "recv") (result i32)
            (i32.store (i32.const 64) (i32.const 2000))
            (i32.store (i32.const 68) (i32.const 5))
            (call $sock_recv_from (i32.const 6) (i32.const 64) (i32.const 1) (i32.const 16)
                (i32.const 0) (i32.const 56) (i32.const 60)))
        "#,
    );
    assert_eq!(call(&mut store, &instance, "accept"), 0);
    assert_eq!(store.data().last(), "sock_accept(6,0x0)");
    assert_eq!(u32_at(&load(&mut store, &instance, 8, 4), 0), 5);
    assert_eq!(call(&mut store, &instance, "local"), 0);
    let m = load(&mut store, &instance, 0, 128);
    assert_eq!(
        (u32_at(&m, 40), u32_at(&m, 48)),
        (6, 80),
        "V1: addrtype and port"
    );
    assert_eq!(call(&mut store, &instance, "recv"), 0);
    let m = load(&mut store, &instance, 0, 128);
    assert_eq!(&m[100..104], &[1, 2, 3, 4], "V1: raw IPv4 bytes");
    assert_eq!(u32_at(&m, 56), 5);
}

#[test]
fn v2_signatures_and_names_select_v2() {
    let (mut store, instance) = instantiate(
        &[
            ("sock_accept", 3),
            ("sock_getpeeraddr", 3),
            ("sock_recv_from", 8),
            ("sock_open_v2", 3),
            ("sock_accept_v2", 3),
            ("sock_getlocaladdr_v2", 3),
        ],
        r#"
        (func (export "accept") (result i32)
            (call $sock_accept (i32.const 6) (i32.const 4) (i32.const 8)))
        (func (export "accept_v2") (result i32)
            (call $sock_accept_v2 (i32.const 7) (i32.const 0) (i32.const 8)))
        (func (export "open") (result i32)
            (call $sock_open_v2 (i32.const 2) (i32.const 1) (i32.const 8)))
        (func (export "peer") (result i32)
            (i32.store (i32.const 16) (i32.const 1000))
            (i32.store (i32.const 20) (i32.const 128))
            (call $sock_getpeeraddr (i32.const 6) (i32.const 16) (i32.const 48)))
        (func (export "recv") (result i32)
            (i32.store (i32.const 64) (i32.const 2000))
            (i32.store (i32.const 68) (i32.const 5))
            (call $sock_recv_from (i32.const 6) (i32.const 64) (i32.const 1) (i32.const 16)
                (i32.const 0) (i32.const 52) (i32.const 56) (i32.const 60)))
        "#,
    );
    assert_eq!(call(&mut store, &instance, "accept"), 0);
    assert_eq!(
        store.data().last(),
        "sock_accept(6,0x4)",
        "preview 1's accept"
    );
    assert_eq!(call(&mut store, &instance, "accept_v2"), 0);
    assert_eq!(store.data().last(), "sock_accept(7,0x0)");
    assert_eq!(call(&mut store, &instance, "open"), 0);
    assert_eq!(store.data().last(), "sock_open(INET6,DGRAM)");
    assert_eq!(call(&mut store, &instance, "peer"), 0);
    let m = load(&mut store, &instance, 0, 1200);
    assert_eq!(&m[1000..1006], &[1, 0, 1, 2, 3, 4], "V2: tagged address");
    assert_eq!(u32_at(&m, 48), 5678);
    assert_eq!(call(&mut store, &instance, "recv"), 0);
    let m = load(&mut store, &instance, 0, 128);
    assert_eq!(u16::from_le_bytes([m[52], m[53]]), 5678, "V2: u16 port");
    assert_eq!(u32_at(&m, 56), 5);
}

#[test]
fn a_module_mixing_v1_and_v2_links() {
    let (mut store, instance) = instantiate(
        &[
            ("sock_open_v2", 3),
            ("sock_open", 3),
            ("sock_bind", 3),
            ("sock_bind_v2", 3),
            ("sock_listen", 2),
            ("sock_accept", 2),
            ("sock_getlocaladdr", 4),
            ("sock_getpeeraddr_v2", 3),
            ("sock_recv_from_v2", 8),
            ("sock_send_to", 7),
            ("sock_getsockopt", 5),
            ("sock_setsockopt", 5),
            ("sock_getaddrinfo", 8),
            ("sock_recv_v2", 6),
            ("sock_send_v2", 5),
            ("sock_recv", 6),
            ("sock_shutdown", 2),
        ],
        r#"
        (func (export "getsockopt") (result i32)
            (i32.store (i32.const 40) (i32.const 4))
            (call $sock_getsockopt (i32.const 6) (i32.const 0) (i32.const 1) (i32.const 44)
                (i32.const 40)))
        (func (export "accept") (result i32) (call $sock_accept (i32.const 6) (i32.const 8)))
        "#,
    );
    assert_eq!(call(&mut store, &instance, "getsockopt"), 0);
    assert_eq!(store.data().last(), "sock_getsockopt(6,SO_TYPE)");
    let m = load(&mut store, &instance, 0, 64);
    assert_eq!((u32_at(&m, 44), u32_at(&m, 40)), (7, 4));
    assert_eq!(call(&mut store, &instance, "accept"), 0);
    assert_eq!(store.data().last(), "sock_accept(6,0x0)");
}

#[test]
fn an_import_matching_no_variant_is_named() {
    let engine = Engine::default();
    for (name, arity) in [
        ("sock_recv_from", 5),
        ("sock_open_v2", 2),
        ("sock_accept", 4),
    ] {
        let module = module(&engine, &[(name, arity)], "");
        let mut linker: Linker<Fake> = Linker::new(&engine);
        add_to_linker(&mut linker, |f: &mut Fake| f).unwrap();
        let e = add_sockets_to_linker(&mut linker, &module, |f: &mut Fake| f)
            .unwrap_err()
            .to_string();
        assert!(e.contains(name) && e.contains("matches no variant"), "{e}");
    }
}

#[test]
fn preview_1_sock_accept_is_not_the_extension() {
    let engine = Engine::default();
    let plain = module(&engine, &[("sock_accept", 3), ("sock_recv", 6)], "");
    assert!(socket_extension_imports(&plain).is_empty());
    let v1 = module(
        &engine,
        &[
            ("fd_close", 1),
            ("sock_accept", 2),
            ("sock_recv_v2", 6),
            ("sock_open", 3),
        ],
        "",
    );
    assert_eq!(
        socket_extension_imports(&v1),
        ["sock_accept", "sock_recv_v2", "sock_open"]
    );
}

#[test]
fn runner_refuses_extension_imports_when_sockets_are_off() {
    let runner = Runner::new(&EngineOptions {
        cache: false,
        ..EngineOptions::default()
    })
    .unwrap();
    let module = module(
        runner.engine(),
        &[("sock_open", 3)],
        r#"(func (export "_start") (drop (call $sock_open (i32.const 1) (i32.const 2) (i32.const 8))))"#,
    );
    let off = [
        (SocketsMode::Auto, false, "--allow-connect"),
        (SocketsMode::None, true, "--sockets wasmedge"),
        (SocketsMode::None, false, "--sockets wasmedge"),
    ];
    for (sockets, network_granted, hint) in off {
        let options = RunOptions {
            sockets,
            network_granted,
        };
        let e = runner
            .run_with(&module, Fake::default(), &options)
            .unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("sock_open") && e.contains(hint), "{e}");
    }
    for (sockets, network_granted) in [(SocketsMode::Wasmedge, false), (SocketsMode::Auto, true)] {
        let options = RunOptions {
            sockets,
            network_granted,
        };
        let outcome = runner.run_with(&module, Fake::default(), &options).unwrap();
        assert_eq!(outcome.exit_status(), 0);
    }
}

#[test]
fn dispatch_numbers_the_extension_after_preview_1() {
    use crate::p1::dispatch::{CALL_COUNT, NAMES, SOCKET_NAMES, call, name};
    assert_eq!(name(0), Some("args_get"));
    assert_eq!(name(NAMES.len()), Some("sock_open"));
    assert_eq!(name(CALL_COUNT - 1), Some("sock_getaddrinfo"));
    assert_eq!(name(CALL_COUNT), None);
    // Each number reaches the function of that name: with valid arguments each makes one
    // System call, which the fake logs under the host method's name.
    let mut m = super::Mem::new();
    m.put_u32(16, 100); // V1 descriptor: 16 bytes at 100 (room for the fake's IPv6 local)
    m.put_u32(20, 16);
    m.put_u32(32, 1000); // V2 descriptor: 128 bytes at 1000
    m.put_u32(36, 128);
    m.put_u32(40, 4); // getsockopt buffer size
    let args: [[u64; 9]; 15] = [
        [1, 2, 8, 0, 0, 0, 0, 0, 0],
        [6, 16, 80, 0, 0, 0, 0, 0, 0],
        [6, 16, 80, 0, 0, 0, 0, 0, 0],
        [6, 5, 0, 0, 0, 0, 0, 0, 0],
        [6, 8, 0, 0, 0, 0, 0, 0, 0],
        [6, 64, 0, 16, 80, 0, 8, 0, 0],
        [6, 64, 0, 16, 0, 8, 12, 0, 0],
        [6, 64, 0, 32, 0, 12, 8, 14, 0],
        [6, 0, 1, 100, 40, 0, 0, 0, 0],
        [6, 0, 1, 100, 4, 0, 0, 0, 0],
        [6, 16, 8, 12, 0, 0, 0, 0, 0],
        [6, 32, 8, 0, 0, 0, 0, 0, 0],
        [6, 16, 8, 12, 0, 0, 0, 0, 0],
        [6, 32, 8, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 200, 60, 1, 8, 0],
    ];
    let mut sys = Fake::default();
    for (k, n) in SOCKET_NAMES.iter().enumerate() {
        let before = sys.log.len();
        let r = call(&mut sys, &mut m.0, NAMES.len() + k, &args[k]);
        assert_eq!(r, Ok(()), "{n}");
        let host = n.trim_end_matches("_v1").trim_end_matches("_v2");
        assert_eq!(sys.log.len(), before + 1, "{n}");
        assert!(
            sys.last().starts_with(&format!("{host}(")),
            "{n}: {}",
            sys.last()
        );
    }
    assert_eq!(
        call(&mut sys, &mut m.0, CALL_COUNT, &[0; 9]),
        Err(crate::abi::Errno::Nosys)
    );
}

#[test]
fn hostile_pointers_through_the_linker_are_errnos_not_traps() {
    // No memory export: every out-pointer is out of bounds, nothing is opened or accepted.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        format!(
            "(module {}{}{} {})",
            import("sock_open_v2", 3),
            import("sock_accept", 2),
            import("sock_getaddrinfo", 8),
            r#"
            (func (export "open") (result i32)
                (call $sock_open_v2 (i32.const 1) (i32.const 2) (i32.const 0)))
            (func (export "accept") (result i32)
                (call $sock_accept (i32.const 6) (i32.const -1)))
            (func (export "gai") (result i32)
                (call $sock_getaddrinfo (i32.const 0) (i32.const -1) (i32.const -4)
                    (i32.const 4) (i32.const 0) (i32.const -1) (i32.const -1) (i32.const -1)))
            "#
        ),
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    add_to_linker(&mut linker, |f: &mut Fake| f).unwrap();
    add_sockets_to_linker(&mut linker, &module, |f: &mut Fake| f).unwrap();
    let mut store = Store::new(&engine, Fake::default());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    for name in ["open", "accept", "gai"] {
        assert_eq!(call(&mut store, &instance, name), 21, "{name}: EFAULT");
    }
    assert!(store.data().log.is_empty(), "{:?}", store.data().log);
}
