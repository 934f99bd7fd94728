//! The preview 1 calls that are not about files: args and environment, clocks, randomness,
//! scheduling, process exit and signals, poll_oneoff, the socket calls on non-sockets, stdio,
//! and the open-file limit. Guests are tests/guests/misc*.c.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use capwasi::table::Limits;
use common::{Exit, Guest, Outcome};

/// Asserts the guest printed no FAIL line and exited 0, showing the FAIL lines first.
#[track_caller]
fn assert_clean(out: &Outcome) {
    let fails: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert!(
        fails.is_empty(),
        "{} failed checks:\n{}\n--- stdout\n{}",
        fails.len(),
        fails.join("\n"),
        out.stdout
    );
    out.assert_ok();
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs misc_args with these extra args and env, and checks the guest saw exactly them.
fn args_round_trip(args: &[&str], env: &[&str]) {
    let mut g = Guest::new("misc_args").args(args.iter().copied());
    for kv in env {
        g = g.env(*kv);
    }
    let out = g.run();
    assert_clean(&out);
    let argv: Vec<String> = std::iter::once("misc_args.wasm")
        .chain(args.iter().copied())
        .map(String::from)
        .collect();
    let size = |v: &[String]| v.iter().map(|s| s.len() + 1).sum::<usize>();
    let env: Vec<String> = env.iter().map(|s| s.to_string()).collect();
    let want_sizes = format!(
        "sizes {} {} {} {}",
        argv.len(),
        size(&argv),
        env.len(),
        size(&env)
    );
    assert!(
        out.stdout.lines().any(|l| l == want_sizes),
        "want {want_sizes}\n{}",
        out.stdout
    );
    let got_args: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("arg "))
        .collect();
    let got_env: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("env "))
        .collect();
    assert_eq!(
        got_args,
        argv.iter().map(|a| hex(a.as_bytes())).collect::<Vec<_>>()
    );
    assert_eq!(
        got_env,
        env.iter().map(|a| hex(a.as_bytes())).collect::<Vec<_>>()
    );
}

#[test]
fn args_and_environ_including_empty_and_non_ascii() {
    args_round_trip(
        &["", "héllo wörld", "日本語 ✓", "a b\tc", "--flag=1", ""],
        &["A=1", "EMPTY=", "UNI=ünï ✓", "=novalue", "PATH=/nowhere"],
    );
}

#[test]
fn args_and_environ_empty() {
    // argv[0] only, no environment at all: sizes are (1, len+1) and (0, 0).
    args_round_trip(&[], &[]);
}

#[test]
fn clocks_random_sched_raise_sockets_stdio() {
    let tmp = tempfile::tempdir().unwrap();
    let before = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let out = Guest::new("misc")
        .dir(tmp.path(), "/data")
        .stdin(b"hello from stdin".to_vec())
        .run();
    let after = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    assert_clean(&out);

    // Realtime is the host's wall clock (to the nanosecond unit, within the run's span).
    let rt: u64 = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("realtime "))
        .expect("realtime line")
        .parse()
        .unwrap();
    let rt = Duration::from_nanos(rt);
    let slack = Duration::from_secs(1);
    assert!(
        rt + slack >= before && rt <= after + slack,
        "guest {rt:?}, host {before:?}..{after:?}"
    );

    // stdin was read whole; raw and libc writes to stdout and stderr land in the captured
    // files, in order (the guest flushes libc's buffer before its raw two-buffer write).
    let lines: Vec<&str> = out.stdout.lines().collect();
    let at = |want: &str| lines.iter().position(|l| *l == want);
    let (stdin_at, raw_at) = (at("stdin hello from stdin"), at("raw stdout"));
    assert!(stdin_at.is_some() && raw_at > stdin_at, "{}", out.stdout);
    assert_eq!(out.stderr, "to stderr\nlibc stderr\n");
}

#[test]
fn proc_exit_codes_reach_the_host() {
    for code in [0u32, 1, 42, 255] {
        let out = Guest::new("misc_exit").arg(code.to_string()).run();
        assert_eq!(out.exit, Exit::Code(code), "{out:?}");
        assert_eq!(
            out.stdout,
            format!("before exit {code}\n"),
            "nothing runs after proc_exit"
        );
    }
}

/// Host fds of this process that point into `dir` (by their /proc/self/fd link). Other tests
/// running in parallel open their own temp dirs, so this stays precise under concurrency.
fn open_fds_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .collect()
}

#[test]
fn exit_and_trap_close_every_guest_fd() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap();
    std::fs::write(dir.join("f"), "x").unwrap();
    // The probe sees an fd held open under `dir` (so the empty results below mean something).
    let held = std::fs::File::open(dir.join("f")).unwrap();
    assert_eq!(open_fds_under(&dir), [dir.join("f")]);
    drop(held);

    let out = Guest::new("misc_exit")
        .dir(&dir, "/data")
        .args(["9", "open"])
        .run();
    assert_eq!(out.exit, Exit::Code(9), "{out:?}");
    assert_eq!(open_fds_under(&dir), Vec::<std::path::PathBuf>::new());

    let out = Guest::new("misc_trap").dir(&dir, "/data").run();
    assert!(matches!(out.exit, Exit::Trap(_)), "{out:?}");
    assert_eq!(open_fds_under(&dir), Vec::<std::path::PathBuf>::new());
}

#[test]
fn poll_oneoff_clocks_fds_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("data"), "0123456789").unwrap();
    let out = Guest::new("misc_poll")
        .dir(tmp.path(), "/data")
        .stdin(b"poll-stdin".to_vec())
        .run();
    assert_clean(&out);
}

#[test]
fn open_file_limit_gives_enfile_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), "x").unwrap();
    // 3 stdio + 1 preopen are open, so 4 more fit under a limit of 8.
    let limits = Limits {
        max_open_files: 8,
        ..Limits::default()
    };
    let out = Guest::new("misc_limits")
        .dir(tmp.path(), "/data")
        .limits(limits)
        .arg("4")
        .run();
    assert_clean(&out);
    assert!(
        out.stdout.contains("opened 4 then errno 41"),
        "{}",
        out.stdout
    );
}
