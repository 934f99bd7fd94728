//! Loopback TCP echo through capwasi's socket path against native Rust making the same
//! syscalls, in one run.
//!
//! Reproduce: `cargo bench --bench net` (about 20 s). At the end it prints a Markdown table of
//! medians, ratios and throughputs read back from criterion's `estimates.json`; BENCHMARKS.md's
//! "Sockets" section holds it. `cargo bench --bench net -- ROW` runs the rows whose name
//! contains ROW.
//!
//! Both clients talk to the same native echo server (a thread per connection, `read` then
//! `write_all` back, `TCP_NODELAY`), so the only difference between the two functions of a row
//! is the client: a wasm guest whose loop calls preview 1 `sock_send`/`sock_recv` on a socket
//! the host dialed for it (`UnixSystem::preopen_dialed`, what `wasirun --dial` does), or native
//! Rust calling `send(2)`/`recv(2)` through rustix. One iteration sends one message and
//! receives its whole echo before sending the next:
//!
//! | row | message | what it measures |
//! |---|---|---|
//! | `tcp_echo_64KiB` | 65,536 bytes | bulk throughput (bytes each way per second) |
//! | `tcp_echo_1KiB` | 1,024 bytes | mid-size request/response |
//! | `tcp_rtt_1B` | 1 byte | round-trip latency (ping-pong) |
//!
//! The guest loop runs inside wasm and is timed with `iter_custom` (one host→wasm entry per
//! sample, not per message).
//!
//! On a shared, loaded machine two criterion medians taken seconds apart can differ by more
//! than the host's overhead, so each row is also measured in *paired rounds*: a batch of
//! echoes by the guest, then the same batch natively (alternating which goes first), 41
//! times; the table reports the median and quartiles of the per-round ratio, and the client
//! thread's CPU time per message (`CLOCK_THREAD_CPUTIME_ID`), which waiting for a core does
//! not inflate. It returns 0 or a negative errno, and after each row the bench
//! compares the guest's receive buffer with what it sent, so a host that fails fast or drops
//! bytes cannot look fast.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::time::{Duration, Instant, SystemTime};

use capwasi::host::UnixSystem;
use capwasi::net::{SockOpt, SockOptValue, SocketSpec};
use capwasi::p1::add_to_linker;
use capwasi::system::System;
use capwasi::table::Limits;
use criterion::Criterion;
use rustix::net::{RecvFlags, SendFlags};
use rustix::time::ClockId;
use wasmtime::{Engine, Instance, Linker, Module, Store, TypedFunc};

mod common;
use common::{fmt_ns, median_ns};

/// Guest memory layout:
/// - 0: ciovec for `sock_send`; 8: iovec for `sock_recv`; 16: byte count; 20: roflags
/// - 65536..131072: the message to send (the bench fills it)
/// - 131072..196608: where the echo is received
///
/// `echo(fd, len, n)` sends `len` bytes and receives `len` bytes back, `n` times; returns 0,
/// `-errno`, or -1000 if the peer closed early.
const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  (func (export "echo") (param $fd i32) (param $len i32) (param $n i32) (result i32)
    (local $done i32) (local $e i32) (local $k i32)
    (loop $msg
      ;; send all of the message
      (local.set $done (i32.const 0))
      (loop $send_more
        (i32.store (i32.const 0) (i32.add (i32.const 65536) (local.get $done)))
        (i32.store (i32.const 4) (i32.sub (local.get $len) (local.get $done)))
        (local.set $e (call $send (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 16)))
        (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
        (local.set $done (i32.add (local.get $done) (i32.load (i32.const 16))))
        (br_if $send_more (i32.lt_u (local.get $done) (local.get $len))))
      ;; receive all of the echo
      (local.set $done (i32.const 0))
      (loop $recv_more
        (i32.store (i32.const 8) (i32.add (i32.const 131072) (local.get $done)))
        (i32.store (i32.const 12) (i32.sub (local.get $len) (local.get $done)))
        (local.set $e (call $recv (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 0) (i32.const 16) (i32.const 20)))
        (if (local.get $e) (then (return (i32.sub (i32.const 0) (local.get $e)))))
        (local.set $k (i32.load (i32.const 16)))
        (if (i32.eqz (local.get $k)) (then (return (i32.const -1000))))
        (local.set $done (i32.add (local.get $done) (local.get $k)))
        (br_if $recv_more (i32.lt_u (local.get $done) (local.get $len))))
      (br_if $msg (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i32.const 0)))
"#;

const SEND_AT: usize = 65536;
const RECV_AT: usize = 131072;

/// The rows: name and message size.
const ROWS: [(&str, usize); 3] = [
    ("tcp_echo_64KiB", 65536),
    ("tcp_echo_1KiB", 1024),
    ("tcp_rtt_1B", 1),
];

/// A native echo server on 127.0.0.1: one thread per connection, echoing until the client
/// closes. The threads are left running; the process exits when the bench does.
fn echo_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind the echo server");
    let port = l.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            std::thread::spawn(move || {
                c.set_nodelay(true).expect("nodelay");
                let mut buf = vec![0u8; 65536];
                loop {
                    match c.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if c.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    });
    port
}

/// The message of `len` bytes: a pattern that makes a shifted or dropped byte visible.
fn message(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// The guest client: an instance with a dialed socket to the echo server.
struct GuestClient {
    store: Store<UnixSystem>,
    echo: TypedFunc<(i32, i32, i32), i32>,
    instance: Instance,
    fd: i32,
}

impl GuestClient {
    fn new(engine: &Engine, module: &Module, port: u16) -> GuestClient {
        let mut sys = UnixSystem::new(Limits::default());
        let spec = SocketSpec::parse(&format!("tcp4://127.0.0.1:{port}")).expect("spec");
        let fd = sys.preopen_dialed(&spec).expect("dial the echo server");
        // As the native client does: no Nagle delay on small messages.
        sys.sock_setsockopt(fd, SockOpt::TcpNoDelay, SockOptValue::Int(1))
            .expect("TCP_NODELAY");
        let mut linker: Linker<UnixSystem> = Linker::new(engine);
        add_to_linker(&mut linker, |s: &mut UnixSystem| s).expect("linker");
        let mut store = Store::new(engine, sys);
        let instance = linker.instantiate(&mut store, module).expect("instantiate");
        let echo = instance
            .get_typed_func(&mut store, "echo")
            .expect("echo export");
        GuestClient {
            store,
            echo,
            instance,
            fd: fd as i32,
        }
    }

    fn memory(&mut self) -> &mut [u8] {
        let mem = self
            .instance
            .get_memory(&mut self.store, "memory")
            .expect("memory export");
        mem.data_mut(&mut self.store)
    }

    /// Puts the message in place and clears the receive area.
    fn load(&mut self, msg: &[u8]) {
        let mem = self.memory();
        mem[SEND_AT..SEND_AT + msg.len()].copy_from_slice(msg);
        mem[RECV_AT..RECV_AT + msg.len()].fill(0);
    }

    /// Runs `n` echoes of `len` bytes; panics on a guest error.
    fn run(&mut self, len: usize, n: u64) -> Duration {
        let mut total = Duration::ZERO;
        let mut left = n;
        while left > 0 {
            let chunk = left.min(i32::MAX as u64);
            let start = Instant::now();
            let r = self
                .echo
                .call(&mut self.store, (self.fd, len as i32, chunk as i32))
                .expect("guest trapped");
            total += start.elapsed();
            assert_eq!(r, 0, "guest echo of {len} bytes failed: {r}");
            left -= chunk;
        }
        total
    }

    fn received(&mut self, len: usize) -> Vec<u8> {
        self.memory()[RECV_AT..RECV_AT + len].to_vec()
    }
}

/// The native client: the same loop, `send(2)` and `recv(2)` through rustix.
struct NativeClient {
    stream: TcpStream,
    recv_buf: Vec<u8>,
}

impl NativeClient {
    fn new(port: u16) -> NativeClient {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        NativeClient {
            stream,
            recv_buf: vec![0u8; 65536],
        }
    }

    fn run(&mut self, msg: &[u8], n: u64) -> Duration {
        let fd = self.stream.as_fd();
        let len = msg.len();
        let start = Instant::now();
        for _ in 0..n {
            let mut done = 0;
            while done < len {
                done += rustix::net::send(fd, &msg[done..], SendFlags::NOSIGNAL).expect("send");
            }
            let mut done = 0;
            while done < len {
                // rustix returns (bytes received, bytes the datagram held); on a stream the same.
                let (k, _) =
                    rustix::net::recv(fd, &mut self.recv_buf[done..len], RecvFlags::empty())
                        .expect("recv");
                assert!(k > 0, "echo server closed early");
                done += k;
            }
        }
        start.elapsed()
    }
}

/// CPU time the calling thread has used.
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Paired rounds of one row (see the module docs).
struct Paired {
    /// Quartiles and median of capwasi's wall time ÷ native's, per round.
    ratio: [f64; 3],
    /// Client-thread CPU time per message, capwasi and native (ns).
    cpu_ns: [f64; 2],
}

fn paired(guest: &mut GuestClient, native: &mut NativeClient, msg: &[u8]) -> Paired {
    const ROUNDS: usize = 41;
    let len = msg.len();
    // A batch lasts about 20 ms natively.
    let probe = native.run(msg, 50) / 50;
    let batch = (Duration::from_millis(20).as_nanos() / probe.as_nanos().max(1)).max(10) as u64;
    let mut ratios = Vec::with_capacity(ROUNDS);
    let (mut guest_cpu, mut native_cpu) = (Duration::ZERO, Duration::ZERO);
    for round in 0..ROUNDS {
        let mut one = |guest_side: bool| {
            let c0 = thread_cpu();
            let wall = if guest_side {
                guest.run(len, batch)
            } else {
                native.run(msg, batch)
            };
            (wall, thread_cpu() - c0)
        };
        let ((gw, gc), (nw, nc)) = if round % 2 == 0 {
            let g = one(true);
            (g, one(false))
        } else {
            let n = one(false);
            (one(true), n)
        };
        ratios.push(gw.as_secs_f64() / nw.as_secs_f64());
        guest_cpu += gc;
        native_cpu += nc;
    }
    ratios.sort_by(f64::total_cmp);
    let q = |f: f64| ratios[((ROUNDS - 1) as f64 * f).round() as usize];
    let per_msg = |d: Duration| d.as_nanos() as f64 / (ROUNDS as u64 * batch) as f64;
    Paired {
        ratio: [q(0.25), q(0.5), q(0.75)],
        cpu_ns: [per_msg(guest_cpu), per_msg(native_cpu)],
    }
}

fn benches(c: &mut Criterion, since: SystemTime) -> Vec<(&'static str, Paired)> {
    let mut pairs = Vec::new();
    let port = echo_server();
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).expect("compile the guest");
    let mut guest = GuestClient::new(&engine, &module, port);
    let mut native = NativeClient::new(port);
    for (name, len) in ROWS {
        let msg = message(len);
        guest.load(&msg);
        let mut g = c.benchmark_group(name);
        g.throughput(criterion::Throughput::Bytes(len as u64));
        g.bench_function("capwasi", |b| b.iter_custom(|n| guest.run(len, n)));
        g.bench_function("native", |b| b.iter_custom(|n| native.run(&msg, n)));
        g.finish();
        // Criterion may have filtered the row out; only check what ran.
        if guest.received(len) != vec![0u8; len] {
            assert_eq!(guest.received(len), msg, "{name}: the guest's echo differs");
        }
        if native.recv_buf[..len] != vec![0u8; len][..] {
            assert_eq!(
                &native.recv_buf[..len],
                &msg[..],
                "{name}: native echo differs"
            );
        }
        // Paired rounds only for rows criterion ran (not filtered out).
        if median_ns(name, "capwasi", since).is_some() {
            pairs.push((name, paired(&mut guest, &mut native, &msg)));
            assert_eq!(guest.received(len), msg, "{name}: the guest's echo differs");
        }
    }
    pairs
}

fn main() {
    let since = SystemTime::now();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args();
    let pairs = benches(&mut c, since);
    c.final_summary();
    print_table(since);
    print_paired(&pairs);
}

/// Message bytes per second, in MiB/s.
fn mib_s(len: usize, ns: f64) -> String {
    format!("{:.0} MiB/s", len as f64 / (ns / 1e9) / (1024.0 * 1024.0))
}

fn print_paired(pairs: &[(&str, Paired)]) {
    if pairs.is_empty() {
        return;
    }
    println!();
    println!(
        "| row | paired capwasi ÷ native, median (quartiles) | capwasi throughput ÷ native | client CPU per message, capwasi | native | capwasi − native |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, p) in pairs {
        let [q1, med, q3] = p.ratio;
        let [g, n] = p.cpu_ns;
        println!(
            "| {name} | {med:.2} ({q1:.2}–{q3:.2}) | {:.0} % | {} | {} | {} |",
            100.0 / med,
            fmt_ns(g),
            fmt_ns(n),
            fmt_ns(g - n)
        );
    }
}

fn print_table(since: SystemTime) {
    let rows: Vec<_> = ROWS
        .iter()
        .filter_map(|&(name, len)| {
            let cap = median_ns(name, "capwasi", since)?;
            let nat = median_ns(name, "native", since)?;
            Some((name, len, cap, nat))
        })
        .collect();
    if rows.is_empty() {
        return; // everything filtered out, or criterion's --test mode
    }
    println!();
    println!(
        "| row | capwasi | native | capwasi ÷ native | capwasi throughput | native throughput | capwasi throughput ÷ native |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, len, cap, nat) in rows {
        // A 1-byte ping-pong measures latency; its "throughput" would only mislead.
        let (tc, tn, ratio) = if len > 1 {
            (
                mib_s(len, cap),
                mib_s(len, nat),
                format!("{:.0} %", 100.0 * nat / cap),
            )
        } else {
            ("–".into(), "–".into(), "–".into())
        };
        println!(
            "| {name} | {} | {} | {:.2} | {tc} | {tn} | {ratio} |",
            fmt_ns(cap),
            fmt_ns(nat),
            cap / nat,
        );
    }
}
