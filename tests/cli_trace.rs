//! `wasirun --trace`: the committed wasi-libc guest (tests/guests/libc_files.wasm) run under
//! the real binary, and the trace lines it prints checked for their format, the registration
//! of stdio and the preopen, filtering, string truncation, the FILE form, and that guest
//! output on the same stderr never splits a line.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use tempfile::TempDir;

mod common;
use common::cli::wasirun;

fn libc_guest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/libc_files.wasm")
}

/// A fresh `data` directory with the input libc_files expects; returns (tempdir, `--dir`
/// value mapping it to /data).
fn data_dir() -> (TempDir, std::ffi::OsString) {
    let root = TempDir::new().unwrap();
    let data = root.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("input.txt"), "from host\nsecond line\n").unwrap();
    let mut dir_arg = data.into_os_string();
    dir_arg.push("::/data");
    (root, dir_arg)
}

/// Runs libc_files on a fresh /data with `flags` before the module.
fn run_libc(flags: &[&str]) -> Output {
    let (_root, dir_arg) = data_dir();
    let out = wasirun()
        .args(flags)
        .arg("--dir")
        .arg(&dir_arg)
        .arg(libc_guest())
        .arg("/data")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Tracing changes nothing the guest sees: it got to the end of its script.
    assert!(stdout.ends_with("\ndone\n"), "{stdout}");
    out
}

fn stderr_lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stderr.clone())
        .expect("trace output is UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Whether `s` is a duration as the tracer prints it: digits, an optional fraction, a unit.
fn is_duration(s: &str) -> bool {
    let Some(number) = ["ns", "µs", "ms", "s"]
        .iter()
        .find_map(|unit| s.strip_suffix(unit))
    else {
        return false;
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac)
}

/// A call line, `name(args) => result (duration)`, split into (name, args, result); `None`
/// for anything else (a registration line, guest output, a fragment).
fn call_line(line: &str) -> Option<(&str, &str, &str)> {
    let open = line.find('(')?;
    let name = &line[..open];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    let (call, rest) = line.split_once(") => ")?;
    let args = &call[open + 1..];
    let time_at = rest.rfind(" (")?;
    let (result, time) = (&rest[..time_at], &rest[time_at + 2..]);
    let time = time.strip_suffix(')')?;
    (!result.is_empty() && is_duration(time)).then_some((name, args, result))
}

/// Whether `s` is `fd N` for a number N.
fn is_fd_result(s: &str) -> bool {
    s.strip_prefix("fd ")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn matcher_accepts_trace_lines_and_rejects_fragments() {
    assert!(is_duration("12µs") && is_duration("1.5ms") && is_duration("0ns"));
    assert!(!is_duration("12") && !is_duration("µs") && !is_duration("1.µs"));
    let line =
        r#"path_open(fd=3, dirflags=SYMLINK_FOLLOW, path="a.txt", oflags=CREAT) => fd 4 (12µs)"#;
    let (name, args, result) = call_line(line).unwrap();
    assert_eq!((name, result), ("path_open", "fd 4"));
    assert!(args.starts_with("fd=3, "));
    assert!(call_line(line.strip_suffix("s)").unwrap()).is_none());
    assert!(call_line(&line[10..]).is_none());
    assert!(call_line("preopen fd=3 \"/data\" rights=PATH_OPEN inheriting=").is_none());
}

#[test]
fn trace_to_stderr_prints_complete_call_lines() {
    let out = run_libc(&["--trace"]);
    let lines = stderr_lines(&out);

    // Registration first: the three stdio fds, then the preopen, before any call.
    assert!(lines[0].starts_with("stdio fd=0 "), "{lines:#?}");
    assert!(lines[1].starts_with("stdio fd=1 "), "{lines:#?}");
    assert!(lines[2].starts_with("stdio fd=2 "), "{lines:#?}");
    assert!(
        lines[3].starts_with("preopen fd=3 \"/data\" rights="),
        "{lines:#?}"
    );

    // Every other line is a whole call line: nothing else writes to stderr here.
    for line in &lines[4..] {
        assert!(call_line(line).is_some(), "not a call line: {line:?}");
    }

    // fopen("out/notes.txt", "w") is an O_CREAT|O_TRUNC path_open on the preopen.
    let open = lines
        .iter()
        .filter_map(|l| call_line(l))
        .find(|(name, args, _)| {
            *name == "path_open"
                && args.starts_with(
                    "fd=3, dirflags=SYMLINK_FOLLOW, path=\"out/notes.txt\", oflags=CREAT|TRUNC, ",
                )
        })
        .unwrap_or_else(|| panic!("no path_open of out/notes.txt in {lines:#?}"));
    assert!(is_fd_result(open.2), "{open:?}");

    // An errno by name: the second mkdir of out fails with EEXIST.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("path_create_directory(fd=3, path=\"out\") => EEXIST (")),
        "{lines:#?}"
    );
}

#[test]
fn filter_hides_other_families() {
    let out = run_libc(&["--trace", "--trace-filter", "proc"]);
    let lines = stderr_lines(&out);
    let names: Vec<&str> = lines
        .iter()
        .filter_map(|l| call_line(l))
        .map(|(name, _, _)| name)
        .collect();
    assert!(names.contains(&"args_get"), "{lines:#?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("args_") || n.starts_with("environ_") || n.starts_with("proc_")),
        "{names:?}"
    );
    // Registration is not a family: still there.
    assert!(
        lines.iter().any(|l| l.starts_with("preopen fd=3 ")),
        "{lines:#?}"
    );
}

#[test]
fn strings_are_cut_to_the_string_size() {
    let out = run_libc(&["--trace", "--trace-string-size", "4"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("path=\"out/\"..."), "{text}");
    assert!(!text.contains("path=\"out/notes.txt\""), "{text}");
    // The preopen name is cut as well.
    assert!(text.contains("preopen fd=3 \"/dat\"..."), "{text}");
}

#[test]
fn trace_to_a_file_truncates_it_and_leaves_stderr_alone() {
    let dir = TempDir::new().unwrap();
    let log = dir.path().join("trace.log");
    fs::write(&log, "stale content that must go\n".repeat(100)).unwrap();
    let flag = format!("--trace={}", log.display());
    let out = run_libc(&[&flag]);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let text = fs::read_to_string(&log).unwrap();
    assert!(!text.contains("stale"), "not truncated");
    assert!(text.starts_with("stdio fd=0 "), "{text}");
    assert!(text.ends_with('\n'));
    assert!(
        text.lines().any(|l| l.starts_with("path_open(fd=3, ")),
        "{text}"
    );
}

#[test]
fn trace_usage_errors() {
    let bad = wasirun()
        .args(["--trace", "--trace-filter", "fs,bogus"])
        .arg(libc_guest())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bogus"));

    // The --trace-* settings mean nothing without --trace.
    let alone = wasirun()
        .args(["--trace-string-size", "8"])
        .arg(libc_guest())
        .output()
        .unwrap();
    assert_eq!(alone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--trace"));

    let dir = TempDir::new().unwrap();
    let unwritable = dir.path().join("no/such/dir/trace.log");
    let out = wasirun()
        .arg(format!("--trace={}", unwritable.display()))
        .arg(libc_guest())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&unwritable.display().to_string()),
        "{stderr}"
    );
}

/// The guest writes 400 lines to its stderr, one `fd_write` each, while the tracer writes a
/// line per call to the same stderr: each must come out whole, and in call order.
#[test]
fn guest_output_never_splits_a_trace_line() {
    const GUEST_LINE: &str = "guest line on stderr, to interleave with the tracer's lines";
    let dir = TempDir::new().unwrap();
    let wat = dir.path().join("chatty.wat");
    // iovec {ptr 16, len} at 0; the line (with its newline) at 16.
    let len = GUEST_LINE.len() + 1;
    fs::write(
        &wat,
        format!(
            r#"(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "\10\00\00\00\{len:02x}\00\00\00")
  (data (i32.const 16) "{GUEST_LINE}\n")
  (func (export "_start") (local $i i32)
    (loop $again
      (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 400))))))"#
        ),
    )
    .unwrap();
    let out = wasirun()
        .args(["--trace", "--trace-string-size", "200"])
        .arg(&wat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines = stderr_lines(&out);
    let registered = lines
        .iter()
        .take_while(|l| l.starts_with("stdio fd="))
        .count();
    assert_eq!(registered, 3, "{lines:#?}");
    let calls = &lines[registered..];
    assert_eq!(calls.len(), 800, "split or missing lines: {calls:#?}");
    // Each guest write is followed by its trace line, written as the call returned (a sink
    // that buffers would hold trace lines back and break the alternation).
    for pair in calls.chunks(2) {
        assert_eq!(pair[0], GUEST_LINE, "{pair:#?}");
        let (name, args, result) =
            call_line(&pair[1]).unwrap_or_else(|| panic!("not a call line: {:?}", pair[1]));
        assert_eq!(name, "fd_write");
        assert_eq!(args, format!("fd=2, iovs=[{len}] \"{GUEST_LINE}\\n\""));
        assert_eq!(result, len.to_string());
    }
}
