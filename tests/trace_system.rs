//! The tracer around a real guest: tests/guests/libc_files.c (an ordinary wasi-libc program)
//! runs through `Trace<UnixSystem, _>` on the real preview 1 linker. The trace goes into the
//! same host file as the guest's stdout, so the test sees that lines are never split by guest
//! output, that the guest's output is exactly what it is without tracing, and the exact form
//! of the lines.

mod common;

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::{Arc, Mutex};

use capwasi::abi::Rights;
use capwasi::host::UnixSystem;
use capwasi::p1::{ProcExit, add_to_linker};
use capwasi::table::Limits;
use capwasi::trace::{Families, Trace, TraceOptions, flags};
use common::{Guest, guest_path};
use wasmtime::{Engine, Linker, Module, Store};

/// A `Write` whose bytes the test can read after the store is gone.
#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `libc_files /data` with `data` preopened; stdout is `stdout`, the trace goes to `sink`.
fn run<W: Write + Send + 'static>(data: &Path, stdout: &File, sink: W, options: TraceOptions) {
    let mut sys = UnixSystem::new(Limits::default());
    sys.set_args(vec![b"libc_files".to_vec(), b"/data".to_vec()])
        .unwrap();
    let stdin = tempfile::tempfile().unwrap();
    let stderr = tempfile::tempfile().unwrap();
    for f in [&stdin, stdout, &stderr] {
        sys.push_fd(OwnedFd::from(f.try_clone().unwrap())).unwrap();
    }
    sys.preopen_dir(data, "/data", false).unwrap();
    let traced = Trace::new(sys, sink, options);

    let engine = Engine::default();
    let module = Module::from_file(&engine, guest_path("libc_files")).unwrap();
    let mut linker: Linker<Trace<UnixSystem, W>> = Linker::new(&engine);
    add_to_linker(&mut linker, |s: &mut Trace<UnixSystem, W>| s).unwrap();
    let mut store = Store::new(&engine, traced);
    let r = linker
        .instantiate(&mut store, &module)
        .and_then(|i| i.get_typed_func::<(), ()>(&mut store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    match r {
        Ok(()) => {}
        Err(e) => match e.downcast_ref::<ProcExit>() {
            Some(ProcExit(0)) => {}
            _ => panic!("guest failed: {e:?}"),
        },
    }
}

fn data_dir(tmp: &Path) -> std::path::PathBuf {
    let data = tmp.join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("input.txt"), "from host\nsecond line\n").unwrap();
    data
}

fn is_trace_line(l: &str) -> bool {
    let call = l.contains("(")
        && l.contains(") => ")
        && l.ends_with("µs)")
        && l.rsplit_once(" (").is_some_and(|(_, d)| {
            d.trim_end_matches("µs)")
                .chars()
                .all(|c| c.is_ascii_digit())
        });
    call || l.starts_with("stdio fd=") || l.starts_with("preopen fd=")
}

/// The line with the duration replaced by `(T)`.
fn norm(l: &str) -> String {
    match l.rsplit_once(" (") {
        Some((head, _)) if l.ends_with("µs)") => format!("{head} (T)"),
        _ => l.to_owned(),
    }
}

#[test]
fn trace_lines_interleave_whole_with_guest_output() {
    // The reference: the same program without a tracer.
    let tmp = tempfile::tempdir().unwrap();
    let plain = Guest::new("libc_files")
        .arg("/data")
        .dir(data_dir(tmp.path()), "/data")
        .run();
    plain.assert_ok();

    // Traced: guest stdout and trace share one open file description.
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let mut out = tempfile::tempfile().unwrap();
    let sink = out.try_clone().unwrap();
    run(&data, &out, sink, TraceOptions::default());
    let mut all = String::new();
    out.seek(SeekFrom::Start(0)).unwrap();
    out.read_to_string(&mut all).unwrap();

    let (trace, guest): (Vec<&str>, Vec<&str>) = all.lines().partition(|l| is_trace_line(l));
    // Whatever is not a whole trace line is the guest's output, unchanged and in order: a
    // trace line split by guest output would leave pieces that are neither.
    assert_eq!(
        guest.join("\n") + "\n",
        plain.stdout,
        "combined output:\n{all}"
    );
    assert!(trace.len() > 50, "{all}");
    let trace: Vec<String> = trace.iter().map(|l| norm(l)).collect();

    let file = flags(Rights::REGULAR_FILE);
    let dir = flags(Rights::DIRECTORY);
    let dir_inh = flags(Rights::DIRECTORY | Rights::REGULAR_FILE);
    assert_eq!(
        trace[..4],
        [
            format!("stdio fd=0 REGULAR_FILE rights={file} inheriting="),
            format!("stdio fd=1 REGULAR_FILE rights={file} inheriting="),
            format!("stdio fd=2 REGULAR_FILE rights={file} inheriting="),
            format!("preopen fd=3 \"/data\" rights={dir} inheriting={dir_inh}"),
        ]
    );
    let has = |want: &str| {
        assert!(
            trace.iter().any(|l| l == want),
            "no line\n  {want}\nin\n{}",
            trace.join("\n")
        )
    };
    // wasi-libc's start-up: find the preopens.
    has("fd_prestat_get(fd=3) => DIR pr_name_len=5 (T)");
    has(r#"fd_prestat_dir_name(fd=3) => "/data" (T)"#);
    has("fd_prestat_get(fd=4) => EBADF (T)");
    has(r#"args_get() => ["libc_files", "/data"] (T)"#);
    // The guest's first output line, written to the same file just before its trace line.
    // wasi-libc's stdio hands its buffer and the new bytes in two iovecs.
    has(r#"fd_write(fd=1, iovs=[7, 10] "input: from host\n") => 17 (T)"#);
    has(r#"fd_read(fd=4, iovs=[1024]) => 22 "from host\nsecond line\n" (T)"#);
    has(r#"fd_read(fd=4, iovs=[1024]) => 42 "line 1: hello\nline 2: 42\nline 3:"... (T)"#);
    has(r#"path_readlink(fd=3, path="out/link", buf_len=63) => 11 "renamed.txt" (T)"#);
    has(r#"path_filestat_get(fd=3, flags=SYMLINK_FOLLOW, path="out/notes.txt") => ENOENT (T)"#);
    has(r#"path_unlink_file(fd=3, path="out/sub") => EISDIR (T)"#);
    has("fd_close(fd=4) => ok (T)");
    // fopen(…, "w") and the escape attempt: flags by name, rights as wasi-libc asks for them.
    let opens = |path: &str, result: &str| {
        let head = format!(
            r#"path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="{path}", oflags=CREAT|TRUNC, fs_rights_base=FD_DATASYNC|FD_SEEK|"#
        );
        assert!(
            trace
                .iter()
                .any(|l| l.starts_with(&head)
                    && l.ends_with(&format!(", fdflags=) => {result} (T)"))),
            "no {head}… => {result}"
        );
    };
    opens("out/notes.txt", "fd 4");
    opens("../escape.txt", "EPERM");
    has(r#"path_create_directory(fd=3, path="out") => ok (T)"#);
    has(r#"path_create_directory(fd=3, path="out") => EEXIST (T)"#);
    has(r#"path_unlink_file(fd=3, path="out/missing") => ENOENT (T)"#);
}

#[test]
fn options_reach_a_real_run() {
    // FS only, short strings: no clock/args lines, every quoted string at most 8 bytes.
    let tmp = tempfile::tempdir().unwrap();
    let data = data_dir(tmp.path());
    let out = tempfile::tempfile().unwrap();
    let buf = SharedBuf::default();
    run(
        &data,
        &out,
        buf.clone(),
        TraceOptions {
            string_size: 8,
            families: Families::FS,
        },
    );
    let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<String> = text.lines().map(norm).collect();
    assert!(lines.iter().all(|l| is_trace_line(l) || l.ends_with("(T)")));
    assert!(
        lines
            .iter()
            .filter(|l| l.ends_with("(T)"))
            .all(|l| l.starts_with("fd_") || l.starts_with("path_")),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == r#"fd_write(fd=1, iovs=[7, 10] "input: f"...) => 17 (T)"#),
        "{text}"
    );
    assert!(!text.contains("args_"), "{text}");
}
