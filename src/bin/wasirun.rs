//! `wasirun`: run a WASI preview 1 command with exactly the directories you hand it.
//!
//! This file only parses flags and wires the pieces: [`capwasi::host::UnixSystem`] holds the
//! guest's fds, [`capwasi::run::Runner`] compiles and runs the module.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use capwasi::host::UnixSystem;
use capwasi::net::{NetPolicy, SocketSpec, SpecTarget};
use capwasi::p2::run::WasmKind;
use capwasi::run::{
    DEFAULT_MAX_WASM_STACK, EngineOptions, Outcome, RunOptions, Runner, SocketsMode, trap_report,
};
use capwasi::system::System;
use capwasi::table::Limits;
use capwasi::trace::{Families, Trace, TraceOptions};
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser};

/// Exit status for usage errors (bad flags, missing or unreadable module or directory), the
/// status clap itself uses.
const EXIT_USAGE: u8 = 2;
/// Exit status for other host-side failures (invalid module, missing import, engine setup).
const EXIT_HOST: u8 = 1;

const AFTER_HELP: &str = "\
EXAMPLES:
  Run the bundled example, which lists the directory the guest knows as /data:
    wasirun --dir examples/data::/data examples/ls.wasm /data

  Hand a tool one read-only input and one writable output directory:
    wasirun --ro-dir ./photos::/in --dir ./out::/out resize.wasm /in /out

  Arguments after MODULE go to the guest untouched, dashes and all:
    wasirun --dir . tool.wasm --verbose -n 3 .

  Give the guest the host environment, overriding one variable:
    wasirun --env-inherit --env HOME=/home app.wasm

  Trace the guest's filesystem calls to a file, showing up to 64 bytes of each string:
    wasirun --trace=calls.log --trace-filter fs --trace-string-size 64 --dir . tool.wasm

  Serve on a socket wasirun opens: the guest gets a listener (after its directories) and
  accepts connections with preview 1's sock_accept:
    wasirun --dir ./www::/www --listen tcp://127.0.0.1:8080 server.wasm

  Hand the guest a connection wasirun dials, or a unix socket listener:
    wasirun --dial tcp4://db.internal:5432 client.wasm
    wasirun --listen 'unix:///run/app.sock?backlog=16' server.wasm

  Let a WasmEdge-socket guest connect to one service and look names up, nothing else:
    wasirun --allow-connect api.example.com:443 --allow-dns=api.example.com client.wasm

  Let it bind anywhere on loopback and talk to a private range:
    wasirun --allow-bind '127.0.0.1:*' --allow-connect '10.0.0.0/8:1024-65535' server.wasm

TRACING:
  --trace writes one line per WASI call after it returns: the call, its decoded arguments,
  the result or errno name, and how long it took, e.g.
    path_open(fd=3, dirflags=SYMLINK_FOLLOW, path=\"a.txt\", oflags=CREAT, ...) => fd 4 (12µs)
  Lines for stdio and preopens come first. Without =FILE they go to stderr, each line in one
  write, so guest output never splits one. Families for --trace-filter: fs, net, poll, clock,
  proc, random, all.

SANDBOX:
  The guest sees only the directories given with --dir and --ro-dir, under their GUEST names
  (fds 3, 4, ... in command-line order), plus stdin, stdout and stderr. Absolute paths, `..`
  and symlinks cannot reach outside a preopened directory. --ro-dir removes every right that
  could change the directory's contents. The guest sees no environment variables unless given
  with --env or --env-inherit.

NETWORK:
  No network unless you grant it. --listen and --dial sockets come after the directories, in
  command-line order (forms: tcp://HOST:PORT, tcp4://, tcp6:// with [ADDR]:PORT for IPv6,
  unix://PATH; options ?backlog=N&reuseaddr=false); naming one grants it. A --listen port of
  0 takes a free port, which wasirun prints on stderr before the guest starts:
  'wasirun: --listen tcp://127.0.0.1:0: listening on 127.0.0.1:40123 (guest fd 3)'.
  Guests that open sockets themselves use the WasmEdge socket extension (sock_open,
  sock_connect, sock_getaddrinfo, ..., V1 and V2). --sockets decides whether it is offered:
    auto      (default) when the module imports it and some --allow-* grant is given
    wasmedge  always; calls the grants do not cover answer EACCES
    none      never; a module importing it fails to start
  Grants (repeatable): --allow-connect and --allow-bind take HOST:PORT, HOST being *, an
  address, [IPv6], a CIDR range (10.0.0.0/8, [fd00::/8]), a name or a *.name pattern, PORT
  being *, N or LO-HI; or unix:PATH-PATTERN for unix sockets (guest paths, inside preopens).
  --allow-connect also covers send_to; binding port 0 needs a range containing 0.
  --allow-dns[=PATTERN] lets the guest resolve names (all, or those matching PATTERN);
  a name in --allow-connect may be resolved too. Anything else is EACCES before any syscall.

EXIT STATUS:
  N    the guest's own status: 0 when _start returns, N when it calls proc_exit(N)
       (values above 255 are reported as 255)
  134  the guest trapped (128 + SIGABRT, as wasmtime does); the trap and its wasm
       backtrace are printed to stderr. Set WASMTIME_BACKTRACE_DETAILS=1 for source lines.
  2    usage error: unknown flag, malformed value, missing or unreadable MODULE or directory,
       a --listen or --dial socket that cannot be opened
  1    other host error: invalid module, an import wasirun does not provide (the socket
       extension while sockets are off, too), a module with neither _start nor _initialize,
       engine setup failure";

/// Run a WASI program (a preview 1 module or a WASI 0.2 command component) in a capability
/// sandbox: the guest sees exactly the directories and sockets you hand it and nothing else.
#[derive(Parser, Debug)]
#[command(name = "wasirun", version, after_help = AFTER_HELP)]
struct Cli {
    /// Preopen host directory HOST read-write; the guest sees it as GUEST (default: HOST).
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dir: Vec<OsString>,

    /// Preopen host directory HOST read-only; the guest sees it as GUEST (default: HOST).
    #[arg(long = "ro-dir", value_name = "HOST[::GUEST]")]
    ro_dir: Vec<OsString>,

    /// Set a guest environment variable (repeatable).
    #[arg(long = "env", value_name = "NAME=VALUE")]
    env: Vec<OsString>,

    /// Pass the host environment to the guest; --env values win over inherited ones.
    #[arg(long = "env-inherit")]
    env_inherit: bool,

    /// Most fds the guest may hold at once, stdio and preopens included.
    #[arg(long = "max-open-files", value_name = "N", default_value_t = Limits::default().max_open_files,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    max_open_files: usize,

    /// Most directories the guest may be listing (fd_readdir) at once.
    #[arg(long = "max-open-dirs", value_name = "N", default_value_t = Limits::default().max_open_dirs,
          value_parser = clap::value_parser!(u32).range(1..).map(|n| n as usize))]
    max_open_dirs: usize,

    /// Most stack wasm code may use before it traps; accepts K, M, G suffixes (powers of 1024).
    /// The default suits Go's GOOS=wasip1 runtime.
    #[arg(long = "max-wasm-stack", value_name = "BYTES", default_value = "16M",
          value_parser = parse_bytes)]
    max_wasm_stack: usize,

    /// Trace every WASI call, one line each, to FILE (created or truncated) or to stderr.
    #[arg(long = "trace", value_name = "FILE", num_args = 0..=1, require_equals = true)]
    trace: Option<Option<PathBuf>>,

    /// With --trace: show at most N bytes of each string or buffer.
    #[arg(long = "trace-string-size", value_name = "N", requires = "trace",
          default_value_t = TraceOptions::default().string_size)]
    trace_string_size: usize,

    /// With --trace: only these call families, comma-separated (fs,net,poll,clock,proc,random
    /// or all).
    #[arg(long = "trace-filter", value_name = "LIST", requires = "trace",
          value_parser = str::parse::<Families>)]
    trace_filter: Option<Families>,

    /// Offer the WasmEdge socket extension: auto (when the module imports it and a network
    /// grant is given), wasmedge (always) or none.
    #[arg(long = "sockets", value_name = "MODE", default_value = "auto",
          value_parser = ["auto", "wasmedge", "none"])]
    sockets: String,

    /// Let the guest connect (and send_to) to HOST:PORT; * wildcards, CIDR ranges, port ranges
    /// (repeatable).
    #[arg(long = "allow-connect", value_name = "HOST:PORT")]
    allow_connect: Vec<String>,

    /// Let the guest bind (and listen on) ADDR:PORT; same forms as --allow-connect
    /// (repeatable).
    #[arg(long = "allow-bind", value_name = "ADDR:PORT")]
    allow_bind: Vec<String>,

    /// Let the guest resolve host names: all, or those matching PATTERN (* wildcards;
    /// repeatable).
    #[arg(long = "allow-dns", value_name = "PATTERN", num_args = 0..=1, require_equals = true,
          default_missing_value = "*")]
    allow_dns: Vec<String>,

    /// Hand the guest a listening socket: tcp://HOST:PORT, tcp4://, tcp6://, unix://PATH,
    /// options ?backlog=N&reuseaddr=false (repeatable).
    #[arg(long = "listen", value_name = "ADDR")]
    listen: Vec<String>,

    /// Hand the guest a socket connected to ADDR (the --listen forms; repeatable).
    #[arg(long = "dial", value_name = "ADDR")]
    dial: Vec<String>,

    /// Do not use wasmtime's on-disk compilation cache (~/.cache/wasmtime).
    #[arg(long = "no-cache")]
    no_cache: bool,

    /// The module to run: a binary .wasm file or a .wat text file, a preview 1 core module or a
    /// WASI 0.2 command component (the content decides).
    #[arg(value_name = "MODULE")]
    module: PathBuf,

    // An attribute, not a doc comment: rustdoc would read `argv[0]` as a link.
    #[arg(
        help = "Arguments for the guest, passed verbatim; the guest's argv[0] is MODULE's file name",
        value_name = "ARGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    args: Vec<OsString>,
}

/// A directory to preopen, as parsed from `--dir`/`--ro-dir`.
#[derive(Debug)]
struct DirSpec {
    /// The flag and value as the user wrote them, for error messages.
    given: String,
    host: PathBuf,
    guest: String,
    read_only: bool,
}

/// A socket to hand the guest, as parsed from `--listen`/`--dial`.
#[derive(Debug)]
struct SocketArg {
    /// The flag and value as the user wrote them, for error messages.
    given: String,
    spec: SocketSpec,
    listen: bool,
}

/// Everything `main` needs, validated.
#[derive(Debug)]
struct Options {
    module: PathBuf,
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    dirs: Vec<DirSpec>,
    sockets: Vec<SocketArg>,
    policy: NetPolicy,
    sockets_mode: SocketsMode,
    limits: Limits,
    engine: EngineOptions,
    trace: Option<TraceSpec>,
}

/// Where and how to trace, from `--trace*`.
#[derive(Debug)]
struct TraceSpec {
    /// `None` for the host's stderr.
    file: Option<PathBuf>,
    options: TraceOptions,
}

/// Why wasirun stops before the guest's outcome is known.
enum Failure {
    Usage(String),
    Host(wasmtime::Error),
}

fn main() -> ExitCode {
    let options = parse();
    // Returning (rather than `process::exit`) from here on lets every destructor run.
    ExitCode::from(match run(options) {
        Ok(status) => status,
        Err(Failure::Usage(msg)) => {
            eprintln!("wasirun: {msg}");
            EXIT_USAGE
        }
        Err(Failure::Host(err)) => {
            eprintln!("wasirun: {err:#}");
            EXIT_HOST
        }
    })
}

/// Opens what the guest gets, compiles the module, runs it, and reports the outcome.
fn run(options: Options) -> Result<u8, Failure> {
    let bytes = std::fs::read(&options.module)
        .map_err(|e| Failure::Usage(format!("{}: {}", options.module.display(), io_message(&e))))?;
    let system = system(&options)?;
    let runner = Runner::new(&options.engine).map_err(Failure::Host)?;
    if let Some(err) = runner.cache_error() {
        eprintln!("wasirun: warning: compilation cache disabled: {err:#}");
    }
    // A WASI 0.2 command component runs on the same system, flags and all (`--trace` lines
    // name the preview 1 calls the 0.2 host makes); the socket extension is preview 1 only.
    if WasmKind::detect(&bytes) == WasmKind::Component {
        let component = runner
            .compile_component(&options.module, &bytes)
            .map_err(Failure::Host)?;
        let outcome = match &options.trace {
            None => runner.run_component(&component, system),
            Some(spec) => runner.run_component(
                &component,
                Trace::new(system, trace_sink(spec)?, spec.options.clone()),
            ),
        };
        return report(&options, outcome.map_err(Failure::Host)?);
    }
    let module = runner
        .compile(&options.module, &bytes)
        .map_err(Failure::Host)?;
    let run_options = RunOptions {
        sockets: options.sockets_mode,
        network_granted: system.net_policy().grants_any(),
    };
    let outcome = match &options.trace {
        None => runner.run_with(&module, system, &run_options),
        Some(spec) => runner.run_with(
            &module,
            Trace::new(system, trace_sink(spec)?, spec.options.clone()),
            &run_options,
        ),
    }
    .map_err(Failure::Host)?;
    report(&options, outcome)
}

/// Reports a trap on stderr and returns the exit status.
fn report(options: &Options, outcome: Outcome) -> Result<u8, Failure> {
    if let Outcome::Trapped(err) = &outcome {
        eprintln!(
            "wasirun: {} trapped: {}",
            options.module.display(),
            trap_report(err)
        );
    }
    // exit_status is within 0..=255 by construction.
    Ok(u8::try_from(outcome.exit_status()).unwrap_or(u8::MAX))
}

/// The guest's world: args, environment, stdio and preopens.
fn system(options: &Options) -> Result<UnixSystem, Failure> {
    let mut sys = UnixSystem::new(options.limits);
    sys.set_args(options.args.clone())
        .map_err(|e| Failure::Host(wasmtime::format_err!("cannot pass arguments: {e}")))?;
    sys.set_env(options.env.clone())
        .map_err(|e| Failure::Host(wasmtime::format_err!("cannot pass environment: {e}")))?;
    sys.inherit_stdio().map_err(|e| {
        Failure::Host(wasmtime::format_err!(
            "cannot pass stdio: {}",
            io_message(&e)
        ))
    })?;
    for dir in &options.dirs {
        let usage =
            |e: std::io::Error| Failure::Usage(format!("{}: {}", dir.given, io_message(&e)));
        check_dir(&dir.host).map_err(usage)?;
        sys.preopen_dir(&dir.host, &dir.guest, dir.read_only)
            .map_err(usage)?;
    }
    // After the directories: wasi-libc's start-up scan of preopens stops at the first fd
    // that is not one.
    for socket in &options.sockets {
        let opened = if socket.listen {
            sys.preopen_listener(&socket.spec)
        } else {
            sys.preopen_dialed(&socket.spec)
        };
        let fd =
            opened.map_err(|e| Failure::Usage(format!("{}: {}", socket.given, io_message(&e))))?;
        // Port 0 lets the kernel choose a free port; say which, or nobody could connect.
        if socket.listen
            && matches!(socket.spec.target, SpecTarget::Tcp { port: 0, .. })
            && let Ok(addr) = sys.sock_getlocaladdr(fd)
        {
            eprintln!(
                "wasirun: {}: listening on {addr} (guest fd {fd})",
                socket.given
            );
        }
    }
    sys.set_net_policy(options.policy.clone());
    Ok(sys)
}

/// The trace's sink, unbuffered so that every line is one `write` of its own: FILE created or
/// truncated, or a duplicate of the host's stderr. A separate fd from the guest's stderr, so
/// the guest's writes and the tracer's never share a buffer and a line is never split.
fn trace_sink(spec: &TraceSpec) -> Result<std::fs::File, Failure> {
    match &spec.file {
        Some(path) => std::fs::File::create(path)
            .map_err(|e| Failure::Usage(format!("--trace={}: {}", path.display(), io_message(&e)))),
        None => rustix::io::fcntl_dupfd_cloexec(rustix::stdio::stderr(), 0)
            .map(std::fs::File::from)
            .map_err(|e| {
                Failure::Host(wasmtime::format_err!(
                    "cannot trace to stderr: {}",
                    io_message(&e.into())
                ))
            }),
    }
}

/// Fails as opening `host` for a preopen would, with the plain OS error: the host's own
/// preopen errors are worded for logs, this is for `wasirun: --dir /nope: No such file or
/// directory`. The preopen itself still checks; this only words the common failures.
fn check_dir(host: &Path) -> std::io::Result<()> {
    let file = std::fs::File::open(host)?;
    if !file.metadata()?.is_dir() {
        return Err(std::io::Error::from(std::io::ErrorKind::NotADirectory));
    }
    Ok(())
}

/// Parses the command line; exits 2 with a usage message on any error.
fn parse() -> Options {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let usage = |msg: String| -> ! { Cli::command().error(ErrorKind::InvalidValue, msg).exit() };

    // Preopens get fds in command-line order, so interleave --dir and --ro-dir by position.
    let mut dirs = Vec::new();
    let kinds = [
        ("dir", "--dir", &cli.dir, false),
        ("ro_dir", "--ro-dir", &cli.ro_dir, true),
    ];
    for (id, flag, values, read_only) in kinds {
        let indices = matches.indices_of(id).into_iter().flatten();
        for (index, value) in indices.zip(values) {
            let spec = parse_dir(flag, value, read_only).unwrap_or_else(|msg| usage(msg));
            dirs.push((index, spec));
        }
    }
    dirs.sort_by_key(|(index, _)| *index);

    // Sockets, too, are handed out in command-line order (after all directories).
    let mut sockets = Vec::new();
    let kinds = [
        ("listen", "--listen", &cli.listen, true),
        ("dial", "--dial", &cli.dial, false),
    ];
    for (id, flag, values, listen) in kinds {
        let indices = matches.indices_of(id).into_iter().flatten();
        for (index, value) in indices.zip(values) {
            let given = format!("{flag} {value}");
            let spec = SocketSpec::parse(value).unwrap_or_else(|e| usage(format!("{given}: {e}")));
            sockets.push((
                index,
                SocketArg {
                    given,
                    spec,
                    listen,
                },
            ));
        }
    }
    sockets.sort_by_key(|(index, _)| *index);

    let policy = parse_policy(&cli).unwrap_or_else(|msg| usage(msg));
    let sockets_mode: SocketsMode = cli.sockets.parse().unwrap_or_else(|msg| usage(msg));

    // Stdio, preopens and sockets count against the fd limit; say so here rather than let
    // the host's ENFILE surface halfway through setting up.
    let needed = 3 + dirs.len() + sockets.len();
    if cli.max_open_files < needed {
        usage(format!(
            "--max-open-files {} is too small: stdio, {} preopened director{} and {} socket{} \
             need {needed}",
            cli.max_open_files,
            dirs.len(),
            if dirs.len() == 1 { "y" } else { "ies" },
            sockets.len(),
            if sockets.len() == 1 { "" } else { "s" },
        ));
    }

    let mut env: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    if cli.env_inherit {
        env.extend(std::env::vars_os().map(|(k, v)| (k.into_vec(), v.into_vec())));
    }
    for kv in &cli.env {
        let (name, value) = parse_env(kv).unwrap_or_else(|msg| usage(msg));
        // An explicit value replaces an inherited (or earlier) one in place.
        match env.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => env.push((name, value)),
        }
    }

    // The guest's argv[0] is the module's file name, as a shell would give a native program
    // its command name; the host path stays private.
    let argv0 = cli.module.file_name().unwrap_or(cli.module.as_os_str());
    let args = std::iter::once(argv0.as_bytes().to_vec())
        .chain(cli.args.iter().map(|a| a.as_bytes().to_vec()))
        .collect();

    Options {
        args,
        env: env
            .into_iter()
            .map(|(mut name, value)| {
                name.push(b'=');
                name.extend(value);
                name
            })
            .collect(),
        dirs: dirs.into_iter().map(|(_, spec)| spec).collect(),
        sockets: sockets.into_iter().map(|(_, s)| s).collect(),
        policy,
        sockets_mode,
        limits: Limits {
            max_open_files: cli.max_open_files,
            max_open_dirs: cli.max_open_dirs,
        },
        engine: EngineOptions {
            max_wasm_stack: cli.max_wasm_stack,
            cache: !cli.no_cache,
        },
        trace: cli.trace.map(|file| TraceSpec {
            file,
            options: TraceOptions {
                string_size: cli.trace_string_size,
                families: cli.trace_filter.unwrap_or(Families::all()),
            },
        }),
        module: cli.module,
    }
}

/// `HOST[::GUEST]`; GUEST defaults to HOST as written.
fn parse_dir(flag: &str, value: &OsStr, read_only: bool) -> Result<DirSpec, String> {
    let given = format!("{flag} {}", value.to_string_lossy());
    let bytes = value.as_bytes();
    let (host, guest) = match bytes.windows(2).position(|w| w == b"::") {
        Some(i) => (&bytes[..i], &bytes[i + 2..]),
        None => (bytes, bytes),
    };
    if host.is_empty() {
        return Err(format!("{given}: empty HOST directory"));
    }
    if guest.is_empty() {
        return Err(format!("{given}: empty GUEST name after `::`"));
    }
    // WASI names are strings (UTF-8); a host path that is not needs an explicit name.
    let guest = std::str::from_utf8(guest)
        .map_err(|_| format!("{given}: the guest name must be UTF-8 (add ::GUEST)"))?
        .to_owned();
    Ok(DirSpec {
        given,
        host: PathBuf::from(OsStr::from_bytes(host)),
        guest,
        read_only,
    })
}

/// The network policy from `--allow-connect`, `--allow-bind` and `--allow-dns`; an error names
/// the flag and value at fault.
fn parse_policy(cli: &Cli) -> Result<NetPolicy, String> {
    let mut policy = NetPolicy::none();
    for g in &cli.allow_connect {
        policy
            .allow_connect(g)
            .map_err(|e| format!("--allow-connect {g}: {e}"))?;
    }
    for g in &cli.allow_bind {
        policy
            .allow_bind(g)
            .map_err(|e| format!("--allow-bind {g}: {e}"))?;
    }
    for p in &cli.allow_dns {
        policy
            .allow_dns(p)
            .map_err(|e| format!("--allow-dns={p}: {e}"))?;
    }
    Ok(policy)
}

/// `NAME=VALUE` with a non-empty NAME.
fn parse_env(value: &OsStr) -> Result<(Vec<u8>, Vec<u8>), String> {
    let bytes = value.as_bytes();
    match bytes.iter().position(|&b| b == b'=') {
        Some(0) => Err(format!(
            "--env {}: empty variable name",
            value.to_string_lossy()
        )),
        Some(i) => Ok((bytes[..i].to_vec(), bytes[i + 1..].to_vec())),
        None => Err(format!(
            "--env {}: expected NAME=VALUE",
            value.to_string_lossy()
        )),
    }
}

/// Most `--max-wasm-stack` accepted: far beyond any real guest, and small enough that the guest
/// thread's stack can always be reserved.
const MAX_WASM_STACK_LIMIT: u64 = 1 << 30;

/// A byte count: digits with an optional K, M or G (binary) suffix, optionally followed by
/// `iB` or `B`.
fn parse_bytes(s: &str) -> Result<usize, String> {
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, suffix) = s.split_at(digits_end);
    let number: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a byte count"))?;
    let shift = match suffix.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("`{s}`: unknown unit (use K, M or G)")),
    };
    let bytes = number
        .checked_mul(1 << shift)
        .filter(|b| (1..=MAX_WASM_STACK_LIMIT).contains(b))
        .ok_or_else(|| format!("`{s}` is out of range (1 byte to 1G)"))?;
    usize::try_from(bytes).map_err(|_| format!("`{s}` is out of range"))
}

/// An I/O error as `strerror` words, without Rust's " (os error N)" suffix, so messages read
/// like other Unix tools': `wasirun: --dir /nope: No such file or directory`.
fn io_message(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_owned(),
        _ => text,
    }
}

// The flag's documented default and the library's must agree.
const _: () = assert!(DEFAULT_MAX_WASM_STACK == 16 << 20);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn byte_counts() {
        assert_eq!(parse_bytes("16M"), Ok(16 << 20));
        assert_eq!(parse_bytes("16MiB"), Ok(16 << 20));
        assert_eq!(parse_bytes("512k"), Ok(512 << 10));
        assert_eq!(parse_bytes("1G"), Ok(1 << 30));
        assert_eq!(parse_bytes("4096"), Ok(4096));
        assert!(parse_bytes("0").is_err());
        assert!(parse_bytes("2G").is_err());
        assert!(parse_bytes("").is_err());
        assert!(parse_bytes("16X").is_err());
        assert!(parse_bytes("99999999999999999999M").is_err());
    }

    #[test]
    fn dir_specs() {
        let d = parse_dir("--dir", OsStr::new("a/b::/data"), false).unwrap();
        assert_eq!(
            (d.host.as_path(), d.guest.as_str()),
            (Path::new("a/b"), "/data")
        );
        let d = parse_dir("--ro-dir", OsStr::new("."), true).unwrap();
        assert_eq!(
            (d.host.as_path(), d.guest.as_str(), d.read_only),
            (Path::new("."), ".", true)
        );
        assert!(parse_dir("--dir", OsStr::new("::/x"), false).is_err());
        assert!(parse_dir("--dir", OsStr::new("x::"), false).is_err());
        let not_utf8 = OsStr::from_bytes(b"\xff");
        assert!(
            parse_dir("--dir", not_utf8, false)
                .unwrap_err()
                .contains("::GUEST")
        );
    }

    #[test]
    fn env_specs() {
        assert_eq!(
            parse_env(OsStr::new("A=b=c")),
            Ok((b"A".to_vec(), b"b=c".to_vec()))
        );
        assert_eq!(parse_env(OsStr::new("A=")), Ok((b"A".to_vec(), Vec::new())));
        assert!(parse_env(OsStr::new("A")).unwrap_err().contains("--env A"));
        assert!(parse_env(OsStr::new("=x")).is_err());
    }

    #[test]
    fn io_messages_drop_the_os_error_suffix() {
        let e = std::io::Error::from_raw_os_error(2);
        assert_eq!(io_message(&e), "No such file or directory");
        let e = std::io::Error::other("plain");
        assert_eq!(io_message(&e), "plain");
        let wrapped =
            std::io::Error::other(format!("open x: {}", std::io::Error::from_raw_os_error(13)));
        assert_eq!(io_message(&wrapped), "open x: Permission denied");
    }
}
