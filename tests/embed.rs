//! The embedding API (`capwasi::embed`): what each builder setting gives the guest, the errors
//! `build` reports, capture, and the three examples' logic (each run once).

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::path::Path;
use std::sync::OnceLock;

use capwasi::abi::{Errno, Filetype, Rights};
use capwasi::embed::{self, EngineOptions, Limits, Runner, Stdio, WasiBuilder};
use capwasi::host::UnixSystem;
use capwasi::run::Outcome;
use capwasi::system::System;

#[allow(dead_code)]
#[path = "../examples/embed.rs"]
mod embed_example;

#[allow(dead_code)]
#[path = "../examples/browse.rs"]
mod browse_example;

#[allow(dead_code)]
#[path = "../examples/trace.rs"]
mod trace_example;

/// One engine for the whole test binary, without the on-disk cache.
fn runner() -> &'static Runner {
    static RUNNER: OnceLock<Runner> = OnceLock::new();
    RUNNER.get_or_init(|| {
        Runner::new(&EngineOptions {
            cache: false,
            ..EngineOptions::default()
        })
        .unwrap()
    })
}

/// A guest that writes "out\n" to fd 1 and "err\n" to fd 2, then calls `proc_exit(3)`.
const OUT_ERR_EXIT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\20\00\00\00\04\00\00\00\24\00\00\00\04\00\00\00")
  (data (i32.const 32) "out\nerr\n")
  (func (export "_start")
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 64)))
    (drop (call $write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 64)))
    (call $exit (i32.const 3))))"#;

fn run_wat(wat: &str, builder: WasiBuilder) -> embed::RunResult {
    let module = runner()
        .compile(Path::new("test.wat"), wat.as_bytes())
        .unwrap();
    embed::run_module(runner(), &module, builder).unwrap()
}

fn read_fd(sys: &mut UnixSystem, fd: u32) -> Result<Vec<u8>, Errno> {
    let mut buf = [0u8; 64];
    let n = sys.fd_read(fd, &mut [IoSliceMut::new(&mut buf)])?;
    Ok(buf[..n].to_vec())
}

fn err_text(r: std::io::Result<(UnixSystem, embed::Captures)>) -> String {
    match r {
        Ok(_) => panic!("build succeeded"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn stdout_and_stderr_are_captured_separately() {
    let builder = WasiBuilder::new()
        .stdout(Stdio::Capture)
        .stderr(Stdio::Capture);
    let result = run_wat(OUT_ERR_EXIT, builder);
    assert!(matches!(result.outcome, Outcome::Exited(3)));
    assert_eq!(result.status(), 3);
    assert_eq!(result.stdout, b"out\n");
    assert_eq!(result.stderr, b"err\n");

    // Only stderr captured: stdout goes to /dev/null and comes back empty.
    let result = run_wat(OUT_ERR_EXIT, WasiBuilder::new().stderr(Stdio::Capture));
    assert_eq!(
        (result.stdout.as_slice(), result.stderr.as_slice()),
        (&b""[..], &b"err\n"[..])
    );
}

#[test]
fn captured_bytes_outlive_the_system() {
    let (mut sys, captures) = WasiBuilder::new().stdout(Stdio::Capture).build().unwrap();
    sys.fd_write(1, &[IoSlice::new(b"abc")]).unwrap();
    drop(sys);
    let captured = captures.stdout.unwrap();
    assert_eq!(captured.bytes().unwrap(), b"abc");
    // Reading does not consume.
    assert_eq!(captured.bytes().unwrap(), b"abc");
}

#[test]
fn stdio_defaults_to_dev_null() {
    let (mut sys, captures) = WasiBuilder::new().build().unwrap();
    assert!(captures.stdout.is_none() && captures.stderr.is_none());
    for fd in 0..3 {
        let stat = sys.fd_fdstat_get(fd).unwrap();
        assert_eq!(stat.filetype, Filetype::CharacterDevice, "fd {fd}");
    }
    assert_eq!(read_fd(&mut sys, 0).unwrap(), b"");
    assert_eq!(sys.fd_write(1, &[IoSlice::new(b"gone")]), Ok(4));
    // Nothing else: no preopen at fd 3.
    assert_eq!(sys.fd_prestat_get(3).err(), Some(Errno::Badf));
}

#[test]
fn stdin_from_a_file_stdout_to_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.txt");
    std::fs::write(&input, "from a file").unwrap();
    let (mut reader, writer) = std::io::pipe().unwrap();
    let (mut sys, _) = WasiBuilder::new()
        .stdin(Stdio::File(std::fs::File::open(&input).unwrap()))
        .stdout(Stdio::Fd(writer.into()))
        .build()
        .unwrap();
    assert_eq!(read_fd(&mut sys, 0).unwrap(), b"from a file");
    // A pipe has no offset: the guest gets no seek right on it.
    let stat = sys.fd_fdstat_get(1).unwrap();
    assert!(!stat.rights_base.contains(Rights::FD_SEEK));
    sys.fd_write(1, &[IoSlice::new(b"to a pipe")]).unwrap();
    drop(sys);
    let mut got = String::new();
    reader.read_to_string(&mut got).unwrap();
    assert_eq!(got, "to a pipe");
}

#[test]
fn stdin_cannot_be_captured() {
    let msg = err_text(WasiBuilder::new().stdin(Stdio::Capture).build());
    assert!(msg.contains("stdin"), "{msg}");
}

#[test]
fn args_are_argv_verbatim() {
    let (mut sys, _) = WasiBuilder::new()
        .arg("prog")
        .args(["-x", "two words"])
        .build()
        .unwrap();
    assert_eq!(
        sys.args_get().unwrap(),
        [b"prog".to_vec(), b"-x".to_vec(), b"two words".to_vec()]
    );
    let msg = err_text(WasiBuilder::new().args(["ok", "bad\0arg"]).build());
    assert!(msg.contains("argument 1"), "{msg}");
}

#[test]
fn explicit_env_wins_over_inherited_in_any_order() {
    // PATH is set in any test environment cargo starts.
    assert!(std::env::var_os("PATH").is_some());
    let host_count = std::env::vars_os().count();
    let builders = [
        WasiBuilder::new().env("PATH", "/guest/bin").inherit_env(),
        WasiBuilder::new().inherit_env().env("PATH", "/guest/bin"),
    ];
    for builder in builders {
        let (mut sys, _) = builder.env("CAPWASI_ONLY_GUEST", "1").build().unwrap();
        let env = sys.environ_get().unwrap().to_vec();
        let paths: Vec<_> = env.iter().filter(|e| e.starts_with(b"PATH=")).collect();
        assert_eq!(paths, [b"PATH=/guest/bin"]);
        assert!(env.contains(&b"CAPWASI_ONLY_GUEST=1".to_vec()));
        assert_eq!(env.len(), host_count + 1);
    }

    // Without inherit_env the guest gets exactly what was set; a repeated name keeps the last.
    let (mut sys, _) = WasiBuilder::new()
        .env("A", "1")
        .env("B", "2")
        .env("A", "3")
        .build()
        .unwrap();
    assert_eq!(
        sys.environ_get().unwrap(),
        [b"A=3".to_vec(), b"B=2".to_vec()]
    );
}

#[test]
fn bad_env_names_are_refused() {
    for (name, value, expect) in [
        ("", "x", "empty name"),
        ("A=B", "x", "\"A=B\""),
        ("NUL", "a\0b", "\"NUL\""),
    ] {
        let msg = err_text(WasiBuilder::new().env(name, value).build());
        assert!(msg.contains(expect), "{name:?}: {msg}");
    }
}

#[test]
fn preopen_errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let msg = err_text(WasiBuilder::new().preopen_dir(&missing, "/m").build());
    assert!(msg.contains(&missing.display().to_string()), "{msg}");
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let err = WasiBuilder::new()
        .preopen_dir_ro(&file, "/f")
        .build()
        .err()
        .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::NotADirectory);
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );
}

#[test]
fn preopens_in_order_read_only_withholds_mutation() {
    let rw = tempfile::tempdir().unwrap();
    let ro = tempfile::tempdir().unwrap();
    let (mut sys, _) = WasiBuilder::new()
        .preopen_dir(rw.path(), "/rw")
        .preopen_dir_ro(ro.path(), "/ro")
        .build()
        .unwrap();
    assert_eq!(sys.fd_prestat_dir_name(3).unwrap(), "/rw");
    assert_eq!(sys.fd_prestat_dir_name(4).unwrap(), "/ro");
    assert_eq!(sys.path_create_directory(3, "made"), Ok(()));
    assert!(rw.path().join("made").is_dir());
    assert_eq!(sys.path_create_directory(4, "made"), Err(Errno::Notcapable));
    assert!(!ro.path().join("made").exists());
    let ro_rights = sys.fd_fdstat_get(4).unwrap();
    assert!(!ro_rights.rights_inheriting.contains(Rights::FD_WRITE));
}

#[test]
fn limits_count_stdio_and_preopens() {
    let dir = tempfile::tempdir().unwrap();
    let tight = Limits {
        max_open_files: 3,
        ..Limits::default()
    };
    let build = |limits| {
        WasiBuilder::new()
            .preopen_dir(dir.path(), "/d")
            .limits(limits)
            .build()
    };
    assert!(build(tight).is_err());
    let fits = Limits {
        max_open_files: 4,
        ..tight
    };
    let (mut sys, _) = build(fits).unwrap();
    // The fifth fd is over the limit.
    let opened = sys.path_open(
        3,
        capwasi::abi::Lookupflags::empty(),
        ".",
        capwasi::abi::Oflags::DIRECTORY,
        Rights::FD_READDIR,
        Rights::empty(),
        capwasi::abi::Fdflags::empty(),
    );
    assert_eq!(opened, Err(Errno::Nfile));
}

#[test]
fn run_file_reports_a_missing_module() {
    let err = embed::run_file("/nonexistent/x.wasm", WasiBuilder::new()).unwrap_err();
    assert!(
        format!("{err:#}").contains("/nonexistent/x.wasm"),
        "{err:#}"
    );
}

#[test]
fn example_embed_captures_the_listing() {
    let result = embed_example_result();
    assert_eq!(
        result.status(),
        0,
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let out = String::from_utf8(result.stdout).unwrap();
    assert!(out.starts_with("/data/\n"), "{out}");
    for name in ["hello.txt (119 bytes)", "notes/", "todo.md"] {
        assert!(out.contains(name), "{name} missing from:\n{out}");
    }
}

fn embed_example_result() -> embed::RunResult {
    embed_example::list_data().unwrap()
}

#[test]
fn example_browse_shows_links_without_following_them() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("a.txt"), "abc").unwrap();
    std::fs::write(data.join("sub/b"), "b").unwrap();
    std::fs::write(root.path().join("secret"), "host only").unwrap();
    std::os::unix::fs::symlink("a.txt", data.join("in")).unwrap();
    std::os::unix::fs::symlink("../secret", data.join("out")).unwrap();
    // A link to a directory outside: listed, never descended into.
    std::os::unix::fs::symlink("..", data.join("up")).unwrap();

    let mut out = Vec::new();
    browse_example::browse(&data, &mut out).unwrap();
    let out = String::from_utf8(out).unwrap();
    let expected = "\
/data/
  a.txt (3 bytes)
  in -> a.txt
  out -> ../secret (refused: EPERM)
  sub/
    b (1 bytes)
  up -> .. (refused: EPERM)
";
    assert_eq!(out, expected);
}

#[test]
fn example_trace_writes_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace.log");
    assert_eq!(trace_example::traced_run(&log).unwrap(), 0);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("preopen fd=3 \"/data\" ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("path_open(fd=3, ") && l.contains("path=\"hello.txt\"")),
        "{text}"
    );
    // The example traces the fs family only.
    assert!(!text.contains("args_get("), "{text}");
}

#[test]
fn writes_to_a_std_file_land_in_it() {
    // Stdio::File takes any open file: here the guest's stdout appends to a host log.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.log");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(b"host: ").unwrap();
    let result = run_wat(OUT_ERR_EXIT, WasiBuilder::new().stdout(Stdio::File(file)));
    assert_eq!(result.status(), 3);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "host: out\n");
}

/// The README's embedding snippet is a copy of a doc-tested example (`run_file`'s), so it
/// cannot rot: each of its lines must appear, in order, as that doc comment.
#[test]
fn readme_snippet_is_a_doc_tested_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split_once("## Embedding")
        .expect("README has an Embedding section")
        .1;
    let snippet = section
        .split_once("```rust\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("a rust code block in the Embedding section")
        .0;
    let as_doc: Vec<String> = snippet
        .lines()
        .map(|l| {
            if l.is_empty() {
                "///".to_owned()
            } else {
                format!("/// {l}")
            }
        })
        .collect();
    let source = std::fs::read_to_string(root.join("src/embed.rs")).unwrap();
    assert!(
        source.contains(&as_doc.join("\n")),
        "README snippet is not a doc example in src/embed.rs:\n{snippet}"
    );
}

/// A captured stream is append-only for the guest: it can neither rewrite nor resize what it
/// wrote (a sparse resize would make reading it back allocate the claimed size).
#[test]
fn captured_streams_are_append_only() {
    let (mut sys, captures) = WasiBuilder::new().stdout(Stdio::Capture).build().unwrap();
    sys.fd_write(1, &[IoSlice::new(b"first")]).unwrap();
    assert_eq!(
        sys.fd_seek(1, 0, capwasi::abi::Whence::Set),
        Err(Errno::Notcapable)
    );
    assert_eq!(sys.fd_filestat_set_size(1, 1 << 40), Err(Errno::Notcapable));
    assert_eq!(
        sys.fd_pwrite(1, &[IoSlice::new(b"X")], 0),
        Err(Errno::Notcapable)
    );
    sys.fd_write(1, &[IoSlice::new(b" second")]).unwrap();
    drop(sys);
    assert_eq!(captures.stdout.unwrap().bytes().unwrap(), b"first second");
}

#[test]
fn capture_limit_refuses_to_read_more() {
    let builder = WasiBuilder::new().stdout(Stdio::Capture).capture_limit(3);
    let err = embed::run_module(
        runner(),
        &runner()
            .compile(Path::new("t.wat"), OUT_ERR_EXIT.as_bytes())
            .unwrap(),
        builder,
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("capture limit of 3"), "{err:#}");

    let (mut sys, captures) = WasiBuilder::new()
        .stdout(Stdio::Capture)
        .capture_limit(4)
        .build()
        .unwrap();
    sys.fd_write(1, &[IoSlice::new(b"four")]).unwrap();
    let captured = captures.stdout.unwrap();
    assert_eq!(captured.len().unwrap(), 4);
    assert_eq!(captured.bytes().unwrap(), b"four");
    sys.fd_write(1, &[IoSlice::new(b"!")]).unwrap();
    assert_eq!(
        captured.bytes().unwrap_err().kind(),
        std::io::ErrorKind::FileTooLarge
    );
}
