//! Harness for the socket guest tests (`net_guests.rs`, `net_policy.rs`): runs a committed C
//! guest through the real wasmtime linker with capwasi's preview 1 imports *and* the WasmEdge
//! socket extension, under a [`NetPolicy`], with preopened directories and sockets. A guest
//! can run to completion ([`NetGuest::run`]) or on its own thread ([`NetGuest::spawn`]) while
//! the test reads its stdout line by line (a server printing the port it bound).
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use capwasi::host::UnixSystem;
use capwasi::net::{NetPolicy, SocketSpec};
use capwasi::p1::ProcExit;
use capwasi::system::System;
use capwasi::table::Limits;
use wasmtime::{Linker, Module, Store};

pub use super::common::{Exit, Outcome, guest_path};
use super::common::{engine, module};

/// How long a test waits for a guest's line or exit before failing (guests set 10 s socket
/// timeouts themselves, so a broken host fails rather than hangs).
pub const WAIT: Duration = Duration::from_secs(30);

/// A policy from grant lists (the `--allow-connect`, `--allow-bind`, `--allow-dns` grammar).
pub fn policy(connect: &[&str], bind: &[&str], dns: &[&str]) -> NetPolicy {
    let mut p = NetPolicy::none();
    for g in connect {
        p.allow_connect(g).unwrap();
    }
    for g in bind {
        p.allow_bind(g).unwrap();
    }
    for g in dns {
        p.allow_dns(g).unwrap();
    }
    p
}

/// Whether this host has IPv6 loopback (tests over ::1 say so and skip when it has not).
pub fn has_ipv6() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

/// A guest run being set up.
pub struct NetGuest {
    module: PathBuf,
    args: Vec<String>,
    dirs: Vec<(PathBuf, String)>,
    policy: NetPolicy,
    listen: Vec<SocketSpec>,
    dial: Vec<SocketSpec>,
    sockets: bool,
}

impl NetGuest {
    /// A committed guest by name; argv[0] is the name. The socket extension is linked; the
    /// policy grants nothing until [`NetGuest::policy`].
    pub fn new(name: &str) -> NetGuest {
        NetGuest {
            module: guest_path(name),
            args: vec![name.to_owned()],
            dirs: Vec::new(),
            policy: NetPolicy::none(),
            listen: Vec::new(),
            dial: Vec::new(),
            sockets: true,
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> NetGuest {
        self.args.push(a.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> NetGuest {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Read-write preopen of `host` named `guest` (fds 3, 4, … in call order).
    pub fn dir(mut self, host: impl AsRef<Path>, guest: &str) -> NetGuest {
        self.dirs.push((host.as_ref().to_owned(), guest.to_owned()));
        self
    }

    pub fn policy(mut self, p: NetPolicy) -> NetGuest {
        self.policy = p;
        self
    }

    /// A preopened listener (`--listen`), after the directories.
    pub fn listen(mut self, spec: &str) -> NetGuest {
        self.listen.push(SocketSpec::parse(spec).unwrap());
        self
    }

    /// A preopened connected socket (`--dial`), after the listeners.
    pub fn dial(mut self, spec: &str) -> NetGuest {
        self.dial.push(SocketSpec::parse(spec).unwrap());
        self
    }

    /// Links only preview 1, not the WasmEdge extension.
    pub fn without_extension(mut self) -> NetGuest {
        self.sockets = false;
        self
    }

    /// Runs the guest to completion on this thread.
    pub fn run(self) -> Outcome {
        let running = self.spawn();
        running.join()
    }

    /// Starts the guest on its own thread; its stdout arrives line by line.
    pub fn spawn(self) -> Running {
        let (out_r, out_w) = std::io::pipe().unwrap();
        let mut stderr = tempfile::tempfile().unwrap();
        let stdin = tempfile::tempfile().unwrap();

        let mut sys = UnixSystem::new(Limits::default());
        sys.set_args(self.args.iter().map(|a| a.clone().into_bytes()).collect())
            .unwrap();
        sys.push_fd(OwnedFd::from(stdin)).unwrap();
        sys.push_fd(OwnedFd::from(out_w)).unwrap();
        sys.push_fd(OwnedFd::from(stderr.try_clone().unwrap()))
            .unwrap();
        for (host, guest) in &self.dirs {
            sys.preopen_dir(host, guest, false)
                .unwrap_or_else(|e| panic!("preopen {}: {e}", host.display()));
        }
        let mut listen_ports = Vec::new();
        for spec in &self.listen {
            let fd = sys.preopen_listener(spec).unwrap();
            if let Ok(capwasi::net::SocketAddr::Inet(a)) = sys.sock_getlocaladdr(fd) {
                listen_ports.push(a.port());
            }
        }
        for spec in &self.dial {
            sys.preopen_dialed(spec).unwrap();
        }
        sys.set_net_policy(self.policy);

        let (tx, lines) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut all = String::new();
            for line in BufReader::new(out_r).lines() {
                let Ok(line) = line else { break };
                all.push_str(&line);
                all.push('\n');
                let _ = tx.send(line);
            }
            all
        });

        let module = module(&self.module);
        let sockets = self.sockets;
        let guest = std::thread::spawn(move || {
            let mut linker: Linker<UnixSystem> = Linker::new(engine());
            capwasi::p1::add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();
            if sockets {
                link_sockets(&mut linker, &module);
            }
            let mut store = Store::new(engine(), sys);
            let exit = match linker.instantiate(&mut store, &module) {
                Err(e) => Exit::Link(format!("{e:?}")),
                Ok(i) => match i
                    .get_typed_func::<(), ()>(&mut store, "_start")
                    .and_then(|start| start.call(&mut store, ()))
                {
                    Ok(()) => Exit::Code(0),
                    Err(e) => match e.downcast_ref::<ProcExit>() {
                        Some(ProcExit(code)) => Exit::Code(*code),
                        None => Exit::Trap(format!("{e:?}")),
                    },
                },
            };
            // Dropping the store closes the guest's end of the stdout pipe.
            drop(store);
            exit
        });
        Running {
            listen_ports,
            lines,
            guest: Some(guest),
            reader: Some(reader),
            stderr: Some(Box::new(move || {
                let mut s = String::new();
                stderr.seek(SeekFrom::Start(0)).unwrap();
                stderr.read_to_string(&mut s).unwrap();
                s
            })),
        }
    }
}

/// Registers the WasmEdge socket extension for `module`.
fn link_sockets(linker: &mut Linker<UnixSystem>, module: &Module) {
    capwasi::p1::add_sockets_to_linker(linker, module, |s: &mut UnixSystem| s).unwrap();
}

/// A guest running on its own thread.
pub struct Running {
    /// The ports the TCP listeners were bound to, in `listen` order (port 0 asks the kernel).
    pub listen_ports: Vec<u16>,
    lines: mpsc::Receiver<String>,
    guest: Option<JoinHandle<Exit>>,
    reader: Option<JoinHandle<String>>,
    stderr: Option<Box<dyn FnOnce() -> String + Send>>,
}

impl Running {
    /// Waits for the next stdout line starting with `prefix` and returns the rest of it.
    #[track_caller]
    pub fn wait_line(&self, prefix: &str) -> String {
        loop {
            match self.lines.recv_timeout(WAIT) {
                Ok(l) => {
                    if let Some(rest) = l.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(e) => panic!("no line {prefix:?} from the guest: {e}"),
            }
        }
    }

    /// Waits for a `port N` line and returns N.
    #[track_caller]
    pub fn port(&self) -> u16 {
        self.wait_line("port ").trim().parse().unwrap()
    }

    /// Waits for the guest to end and collects its output.
    pub fn join(mut self) -> Outcome {
        let exit = self
            .guest
            .take()
            .unwrap()
            .join()
            .expect("guest thread panicked");
        let stdout = self.reader.take().unwrap().join().unwrap();
        let stderr = (self.stderr.take().unwrap())();
        Outcome {
            stdout,
            stderr,
            exit,
        }
    }
}
