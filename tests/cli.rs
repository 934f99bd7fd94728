//! The `wasirun` command end to end: flags, exit statuses, messages, and what the guest sees.
//!
//! Each test writes a small WAT guest into a temp dir and runs the real binary. Every run gets
//! `XDG_CACHE_HOME` pointed at a temp dir so tests neither read nor fill the user's cache.

use std::path::Path;
use std::process::{Command, Output};

use tempfile::TempDir;

mod common;
use common::cli::{assert_status, cache_home, wasirun, write};

const WASI: &str = "wasi_snapshot_preview1";

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("spawn wasirun")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A guest that writes `text` (WAT string syntax; `\n` is the only escape counted) to stdout and then calls
/// `proc_exit(code)`, or returns from `_start` if `code` is `None`.
fn print_and_exit(text: &str, code: Option<u32>) -> String {
    let exit = match code {
        Some(c) => format!("(call $exit (i32.const {c}))"),
        None => String::new(),
    };
    format!(
        r#"(module
  (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "{WASI}" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "{text}")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const {len}))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
    {exit}))"#,
        len = text.replace("\\n", "\n").len()
    )
}

/// A guest that prints its args (`args`) or environment (`environ`), one per line: it turns
/// the NULs of the `*_get` buffer into newlines and writes the buffer. Traps on any errno.
fn print_list(what: &str) -> String {
    format!(
        r#"(module
  (import "{WASI}" "{what}_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (import "{WASI}" "{what}_get" (func $get (param i32 i32) (result i32)))
  (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 8)
  (func (export "_start") (local $len i32) (local $i i32)
    (if (call $sizes (i32.const 0) (i32.const 4)) (then unreachable))
    (if (call $get (i32.const 1024) (i32.const 8192)) (then unreachable))
    (local.set $len (i32.load (i32.const 4)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (if (i32.eqz (i32.load8_u (i32.add (i32.const 8192) (local.get $i))))
        (then (i32.store8 (i32.add (i32.const 8192) (local.get $i)) (i32.const 10))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.store (i32.const 16) (i32.const 8192))
    (i32.store (i32.const 20) (local.get $len))
    (if (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24))
      (then unreachable))))"#
    )
}

/// A guest that prints the name of every preopen (fds 3, 4, … until `fd_prestat_get` fails),
/// one per line, as `fd_prestat_dir_name` reports it.
const PRESTATS: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $fd i32) (local $len i32)
    (local.set $fd (i32.const 3))
    (block $done (loop $next
      (br_if $done (call $prestat (local.get $fd) (i32.const 0)))
      (local.set $len (i32.load (i32.const 4)))
      (br_if $done (i32.gt_u (local.get $len) (i32.const 1000)))
      (if (call $name (local.get $fd) (i32.const 1024) (local.get $len)) (then unreachable))
      (i32.store8 (i32.add (i32.const 1024) (local.get $len)) (i32.const 10))
      (i32.store (i32.const 16) (i32.const 1024))
      (i32.store (i32.const 20) (i32.add (local.get $len) (i32.const 1)))
      (if (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (then unreachable))
      (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
      (br $next)))))"#;

/// A guest that creates `new.txt` for writing in the preopen at fd 3 and exits with the errno
/// `path_open` returned (0 on success).
const CREATE_FILE: &str = r#"(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "new.txt")
  (func (export "_start")
    ;; oflags CREAT = 1; rights FD_WRITE = 1 << 6.
    (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 7)
      (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))))"#;

/// A guest that lists the preopens at fds 3 and 4 with `fd_readdir`, keeping both streams,
/// and exits with the second call's errno (100 + errno if the first fails).
const READDIR_TWO: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (local $e i32)
    (local.set $e (call $readdir (i32.const 3) (i32.const 1024) (i32.const 1024) (i64.const 0) (i32.const 0)))
    (if (local.get $e) (then (call $exit (i32.add (i32.const 100) (local.get $e)))))
    (call $exit (call $readdir (i32.const 4) (i32.const 1024) (i32.const 1024) (i64.const 0) (i32.const 0)))))"#;

/// A guest that traps two calls deep.
const TRAP: &str = r#"(module
  (memory (export "memory") 1)
  (func $inner unreachable)
  (func $outer call $inner)
  (func (export "_start") call $outer))"#;

/// A guest whose recursion needs several MiB of wasm stack: 50,000 frames, each holding a
/// handful of live i64 temporaries across the call. Past wasmtime's 512 KiB default, well
/// within wasirun's 16 MiB.
const DEEP: &str = r#"(module
  (memory (export "memory") 1)
  (func $down (param $n i32) (result i64) (local $a i64)
    (if (result i64) (i32.eqz (local.get $n))
      (then (i64.const 0))
      (else
        (local.set $a (i64.extend_i32_u (local.get $n)))
        (i64.add
          (i64.add
            (i64.add (i64.mul (local.get $a) (i64.const 3)) (i64.mul (local.get $a) (i64.const 5)))
            (i64.add (i64.mul (local.get $a) (i64.const 7)) (i64.mul (local.get $a) (i64.const 11))))
          (call $down (i32.sub (local.get $n) (i32.const 1)))))))
  (func (export "_start") (drop (call $down (i32.const 50000)))))"#;

#[test]
fn hello_world() {
    let dir = TempDir::new().unwrap();
    let guest = write(
        dir.path(),
        "hello.wat",
        &print_and_exit("hello, world\\n", None),
    );
    let out = run(wasirun().arg(&guest));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), "hello, world\n");
    assert_eq!(stderr(&out), "");
}

#[test]
fn proc_exit_codes_become_the_exit_status() {
    let dir = TempDir::new().unwrap();
    for code in [0, 3, 255] {
        let guest = write(dir.path(), "exit.wat", &print_and_exit("bye", Some(code)));
        let out = run(wasirun().arg(&guest));
        assert_status(&out, code as i32);
        // Output written before proc_exit is not lost.
        assert_eq!(stdout(&out), "bye");
    }
}

#[test]
fn trap_exits_134_with_a_wasm_backtrace() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "trap.wat", TRAP);
    let out = run(wasirun().arg(&guest));
    assert_status(&out, 134);
    let err = stderr(&out);
    assert!(err.contains("trapped"), "{err}");
    assert!(err.contains("unreachable"), "{err}");
    assert!(err.contains("wasm backtrace"), "{err}");
    // Innermost frame first.
    let (inner, outer) = (err.find("inner").unwrap(), err.find("outer").unwrap());
    assert!(inner < outer, "{err}");
    // The host's own Rust backtrace is noise for a guest bug, even with RUST_BACKTRACE set.
    let out = run(wasirun().arg(&guest).env("RUST_BACKTRACE", "1"));
    assert_status(&out, 134);
    assert!(
        !stderr(&out).contains("Stack backtrace"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn wasm_stack_is_deep_by_default_and_configurable() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "deep.wat", DEEP);
    assert_status(&run(wasirun().arg(&guest)), 0);
    let out = run(wasirun().args(["--max-wasm-stack", "256K"]).arg(&guest));
    assert_status(&out, 134);
    assert!(
        stderr(&out).contains("call stack exhausted"),
        "{}",
        stderr(&out)
    );
    let out = run(wasirun().args(["--max-wasm-stack", "lots"]).arg(&guest));
    assert_status(&out, 2);
}

#[test]
fn help_teaches_and_version_prints() {
    let out = run(wasirun().arg("--help"));
    assert_status(&out, 0);
    let help = stdout(&out);
    for needle in [
        "Usage: wasirun [OPTIONS] <MODULE> [ARGS]...",
        "--dir <HOST[::GUEST]>",
        "--ro-dir <HOST[::GUEST]>",
        "--env <NAME=VALUE>",
        "--env-inherit",
        "--max-open-files",
        "--max-open-dirs",
        "--max-wasm-stack",
        "--no-cache",
        "EXAMPLES:",
        "wasirun --dir examples/data::/data examples/ls.wasm /data",
        "EXIT STATUS:",
        "134",
    ] {
        assert!(help.contains(needle), "--help lacks {needle:?}:\n{help}");
    }
    let out = run(wasirun().arg("--version"));
    assert_status(&out, 0);
    assert_eq!(
        stdout(&out).trim(),
        format!("wasirun {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "hello.wat", &print_and_exit("hi", None));

    let out = run(wasirun().arg("--bogus").arg(&guest));
    assert_status(&out, 2);
    assert!(stderr(&out).contains("--bogus"), "{}", stderr(&out));

    // No module at all.
    assert_status(&run(&mut wasirun()), 2);

    let out = run(wasirun().args(["--env", "NOEQUALS"]).arg(&guest));
    assert_status(&out, 2);
    assert!(stderr(&out).contains("--env NOEQUALS"), "{}", stderr(&out));

    let missing = dir.path().join("missing.wasm");
    let out = run(wasirun().arg(&missing));
    assert_status(&out, 2);
    let err = stderr(&out);
    assert!(err.contains(&*missing.to_string_lossy()), "{err}");
    assert!(err.contains("No such file or directory"), "{err}");
}

#[test]
fn missing_directory_exits_2_naming_it() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "hello.wat", &print_and_exit("hi", None));
    let nope = dir.path().join("nope");
    let spec = format!("{}::/data", nope.display());
    let out = run(wasirun().args(["--dir", &spec]).arg(&guest));
    assert_status(&out, 2);
    assert_eq!(
        stderr(&out),
        format!("wasirun: --dir {spec}: No such file or directory\n")
    );
    assert_eq!(stdout(&out), "", "the guest must not run");

    // A file is not a directory.
    let out = run(wasirun().arg("--ro-dir").arg(&guest).arg(&guest));
    assert_status(&out, 2);
    assert!(
        stderr(&out).contains(&format!("--ro-dir {}", guest.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_modules_exit_1() {
    let dir = TempDir::new().unwrap();
    let garbage = write(dir.path(), "garbage.wasm", "this is not wasm");
    let out = run(wasirun().arg(&garbage));
    assert_status(&out, 1);
    assert!(stderr(&out).contains("garbage.wasm"), "{}", stderr(&out));

    let library = write(dir.path(), "lib.wat", r#"(module (func (export "add")))"#);
    let out = run(wasirun().arg(&library));
    assert_status(&out, 1);
    assert!(stderr(&out).contains("_start"), "{}", stderr(&out));

    let unknown = write(
        dir.path(),
        "unknown.wat",
        r#"(module (import "env" "nope" (func)) (func (export "_start")))"#,
    );
    let out = run(wasirun().arg(&unknown));
    assert_status(&out, 1);
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));
}

#[test]
fn reactor_runs_its_initializer() {
    let dir = TempDir::new().unwrap();
    let text = print_and_exit("initialized", None).replace("\"_start\"", "\"_initialize\"");
    let guest = write(dir.path(), "reactor.wat", &text);
    let out = run(wasirun().arg(&guest));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), "initialized");
}

#[test]
fn argv0_is_the_file_name_and_args_pass_verbatim() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "args.wat", &print_list("args"));
    let guest_args = ["-la", "--dir", "x", "--", "--help", "-V", "two words", ""];
    let out = run(wasirun().arg(&guest).args(guest_args));
    assert_status(&out, 0);
    let mut want = String::from("args.wat\n");
    for a in guest_args {
        want.push_str(a);
        want.push('\n');
    }
    assert_eq!(stdout(&out), want);
}

#[test]
fn environment_is_empty_unless_given() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "env.wat", &print_list("environ"));
    let lines = |cmd: &mut Command| -> Vec<String> {
        let out = run(cmd
            .arg(&guest)
            .env("CAPWASI_FROM_HOST", "host")
            .env("CAPWASI_BOTH", "host"));
        assert_status(&out, 0);
        stdout(&out).lines().map(str::to_owned).collect()
    };

    assert!(lines(&mut wasirun()).is_empty());

    let explicit = lines(wasirun().args(["--env", "A=1", "--env", "B=x=y", "--env", "A=2"]));
    assert_eq!(explicit, ["A=2", "B=x=y"], "later --env of a name wins");

    let inherited = lines(wasirun().args(["--env-inherit", "--env", "CAPWASI_BOTH=cli"]));
    assert!(
        inherited.iter().any(|l| l == "CAPWASI_FROM_HOST=host"),
        "{inherited:?}"
    );
    assert!(
        inherited.iter().any(|l| l == "CAPWASI_BOTH=cli"),
        "{inherited:?}"
    );
    assert!(
        !inherited.iter().any(|l| l == "CAPWASI_BOTH=host"),
        "{inherited:?}"
    );
}

#[test]
fn preopens_have_their_guest_names_in_command_line_order() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "prestat.wat", PRESTATS);
    let (a, b, c) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("c"),
    );
    for d in [&a, &b, &c] {
        std::fs::create_dir(d).unwrap();
    }
    let out = run(wasirun()
        .arg("--dir")
        .arg(format!("{}::/data", a.display()))
        .arg("--ro-dir")
        .arg(format!("{}::in", b.display()))
        .arg("--dir")
        .arg(&c)
        .arg(&guest));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), format!("/data\nin\n{}\n", c.display()));

    // Without preopens the guest sees none.
    let out = run(wasirun().arg(&guest));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), "");
}

#[test]
fn ro_dir_refuses_a_write_that_dir_allows() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "create.wat", CREATE_FILE);
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();

    let out = run(wasirun()
        .arg("--ro-dir")
        .arg(format!("{}::/data", data.display()))
        .arg(&guest));
    assert_status(&out, 76); // ENOTCAPABLE
    assert!(!data.join("new.txt").exists());

    let out = run(wasirun()
        .arg("--dir")
        .arg(format!("{}::/data", data.display()))
        .arg(&guest));
    assert_status(&out, 0);
    assert!(data.join("new.txt").exists());
}

#[test]
fn max_open_files_bounds_the_guest() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "create.wat", CREATE_FILE);
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let with_limit = |n: &str| {
        run(wasirun()
            .args(["--max-open-files", n, "--dir"])
            .arg(&data)
            .arg(&guest))
    };

    // Stdio and the preopen fill 4 fds: no room to open a file.
    assert_status(&with_limit("4"), 41); // ENFILE
    assert_status(&with_limit("5"), 0);
    assert!(data.join("new.txt").exists());

    // Too small for stdio and the preopen is a usage error, before the guest runs.
    let out = with_limit("3");
    assert_status(&out, 2);
    assert!(
        stderr(&out).contains("--max-open-files 3 is too small"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn max_open_dirs_bounds_directory_listings() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "readdir.wat", READDIR_TWO);
    let with_limit = |n: &str| {
        run(wasirun()
            .args(["--max-open-dirs", n, "--ro-dir"])
            .arg(dir.path())
            .arg("--ro-dir")
            .arg(dir.path())
            .arg(&guest))
    };
    assert_status(&with_limit("1"), 41); // ENFILE
    assert_status(&with_limit("2"), 0);
}

#[test]
fn wasm_and_wat_both_load() {
    // The committed example is a real binary module (wasi-libc); the other tests use text.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = root.join("examples/ls.wasm");
    assert_eq!(&std::fs::read(&example).unwrap()[..4], b"\0asm");
    let data = TempDir::new().unwrap();
    std::fs::write(data.path().join("greeting.txt"), "hi there\n").unwrap();
    std::fs::create_dir(data.path().join("sub")).unwrap();
    let out = run(wasirun()
        .arg("--ro-dir")
        .arg(format!("{}::/d", data.path().display()))
        .arg(&example)
        .arg("/d"));
    assert_status(&out, 0);
    assert_eq!(
        stdout(&out),
        "/d/\n  greeting.txt (9 bytes)\n    | hi there\n  sub/\n"
    );

    let dir = TempDir::new().unwrap();
    // Content decides, not the extension: text in a `.wasm` file loads too.
    let text_in_wasm = write(dir.path(), "text.wasm", &print_and_exit("ok", None));
    assert_status(&run(wasirun().arg(&text_in_wasm)), 0);
}

#[test]
fn bundled_example_lists_bundled_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(wasirun().current_dir(root).args([
        "--dir",
        "examples/data::/data",
        "examples/ls.wasm",
        "/data",
    ]));
    assert_status(&out, 0);
    let listing = stdout(&out);
    assert!(listing.starts_with("/data/\n"), "{listing}");
    assert!(listing.contains("hello.txt"), "{listing}");
    assert!(listing.contains("notes/"), "{listing}");

    // Outside the preopen there is nothing to see.
    let out = run(wasirun().current_dir(root).args([
        "--dir",
        "examples/data::/data",
        "examples/ls.wasm",
        "/data/..",
        "/etc",
    ]));
    assert_status(&out, 1);
    assert_eq!(stdout(&out), "");
}

#[test]
fn compilation_cache_is_used_unless_disabled_and_optional() {
    let dir = TempDir::new().unwrap();
    let guest = write(dir.path(), "hello.wat", &print_and_exit("cached", None));
    let entries = |p: &Path| -> usize {
        fn count(p: &Path) -> usize {
            std::fs::read_dir(p).map_or(0, |rd| {
                rd.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        count(p)
    };

    let off = TempDir::new().unwrap();
    let out = run(wasirun()
        .env("XDG_CACHE_HOME", off.path())
        .arg("--no-cache")
        .arg(&guest));
    assert_status(&out, 0);
    assert_eq!(entries(off.path()), 0, "--no-cache wrote a cache entry");

    let on = TempDir::new().unwrap();
    let out = run(wasirun().env("XDG_CACHE_HOME", on.path()).arg(&guest));
    assert_status(&out, 0);
    assert!(entries(on.path()) > 0, "no cache entry written");

    // An unusable cache directory is a warning, not a failure.
    let file = write(dir.path(), "not-a-dir", "");
    let out = run(wasirun().env("XDG_CACHE_HOME", &file).arg(&guest));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), "cached");
    assert!(
        stderr(&out).contains("warning: compilation cache disabled"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn closed_host_stdio_reaches_the_guest_as_dev_null() {
    // The guest reads stdin (EOF expected: 0 bytes) and writes to stderr, which the host
    // started with closed; both calls must succeed, then it prints "ok" on stdout.
    let dir = TempDir::new().unwrap();
    let guest = write(
        dir.path(),
        "closed.wat",
        &format!(
            r#"(module
  (import "{WASI}" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "{WASI}" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "ok\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 128))
    (i32.store (i32.const 4) (i32.const 16))
    (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
    (if (i32.load (i32.const 8)) (then unreachable))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 3))
    (if (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))))"#
        ),
    );
    let out = run(Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" "$1" <&- 2>&-"#)
        .arg(env!("CARGO_BIN_EXE_wasirun"))
        .arg(&guest)
        .env("XDG_CACHE_HOME", cache_home()));
    assert_status(&out, 0);
    assert_eq!(stdout(&out), "ok\n");
}
