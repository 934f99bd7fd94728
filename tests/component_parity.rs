//! One guest, two faces: every filesystem guest the preview 1 tests run (tests/p1_fd.rs,
//! tests/p1_path.rs, tests/p1_readdir.rs, tests/sandbox.rs, tests/libc_program.rs,
//! tests/rust_guest.rs, tests/fs_view.rs) runs here twice on identical fresh host trees: once
//! as the core module, through capwasi's `wasi_snapshot_preview1` imports, and once wrapped
//! into a WASI 0.2 command component with the standard preview 1 adapter, through capwasi's
//! WASI 0.2 host (`capwasi::p2`) and `Runner::run_component`. The two runs must print the same
//! stdout, end with the same exit code and leave the same host trees behind.
//!
//! Where they may not, it is the adapter, not the host: the adapter emulates preview 1 on top
//! of WASI 0.2, which has no rights bits and no `fd_allocate`, so a few checks of the guests
//! necessarily see other answers through it. Those lines are listed, each with the reason, in
//! [`ADAPTER_DIVERGENCES`]; every other line must match exactly, and a listed line that stops
//! differing fails the test too (so the list cannot rot).

mod common;

use std::fs;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::escape_layout::layout;
use common::{Exit, Guest, Outcome};

/// One thing to create in a fresh host tree, relative to the tree's top directory.
#[derive(Clone, Copy)]
enum Node<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Link(&'a str, &'a str),
}
use Node::{Dir, File, Link};

/// Times every pre-existing node gets, so the two trees of a pair are identical down to their
/// timestamps (guests print some of them) and times the guest sets stand out from "now".
const FIXED_TIME: Duration = Duration::from_secs(1_600_000_000);

/// A fresh temp directory holding `nodes`, every node's access and modification time set to
/// [`FIXED_TIME`] (symlinks' own times included; parents last, as creating children touched
/// them).
fn tree(nodes: &[Node]) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let top = t.path();
    for n in nodes {
        match *n {
            File(name, data) => {
                let p = top.join(name);
                fs::create_dir_all(p.parent().unwrap()).unwrap();
                fs::write(p, data).unwrap();
            }
            Dir(name) => fs::create_dir_all(top.join(name)).unwrap(),
            Link(name, target) => symlink(target, top.join(name)).unwrap(),
        }
    }
    fix_times(top);
    t
}

/// Sets every node below `top` (and `top` itself) to [`FIXED_TIME`], not following symlinks,
/// deepest first so that no later change touches a parent's mtime.
fn fix_times(top: &Path) {
    use rustix::fs::{AtFlags, CWD, Timespec, Timestamps, utimensat};
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                walk(&p, out);
            }
            out.push(p);
        }
    }
    let mut all = Vec::new();
    walk(top, &mut all);
    all.push(top.to_owned());
    let t = Timespec {
        tv_sec: FIXED_TIME.as_secs() as i64,
        tv_nsec: 0,
    };
    let times = Timestamps {
        last_access: t,
        last_modification: t,
    };
    for p in all {
        utimensat(CWD, &p, &times, AtFlags::SYMLINK_NOFOLLOW).unwrap();
    }
}

/// What a guest can have changed in a tree: every path with its type, size, contents or link
/// target, and its mtime (and a file's atime) when the guest set it to something other than
/// "now" — times set to now differ between two runs by nature, so they show as `now`. Hard
/// links show as the link count; a link target naming `top` shows it as `$TOP`.
fn host_state(top: &Path) -> Vec<String> {
    let recent = UNIX_EPOCH + FIXED_TIME + Duration::from_secs(1);
    let time = |t: std::io::Result<SystemTime>| match t {
        Ok(t) if t > recent => "now".to_string(),
        Ok(t) => format!("{:?}", t.duration_since(UNIX_EPOCH).unwrap_or_default()),
        Err(e) => format!("{e}"),
    };
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let is_dir = fs::symlink_metadata(&p).unwrap().is_dir();
            out.push(p.clone());
            if is_dir {
                walk(&p, out);
            }
        }
    }
    let mut paths = Vec::new();
    walk(top, &mut paths);
    paths
        .into_iter()
        .map(|p| {
            let md = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(top).unwrap().display().to_string();
            if md.file_type().is_symlink() {
                // Absolute links into the tree name its (random) temp path: compare them
                // relative to it.
                let target = fs::read_link(&p).unwrap().display().to_string();
                let target = target.replace(&top.display().to_string(), "$TOP");
                format!("{rel}: link -> {target}")
            } else if md.is_dir() {
                format!("{rel}: dir mtime={}", time(md.modified()))
            } else {
                format!(
                    "{rel}: file {} nlink={} mtime={} atime={}",
                    contents(&fs::read(&p).unwrap()),
                    md.nlink(),
                    time(md.modified()),
                    time(md.accessed()),
                )
            }
        })
        .collect()
}

/// A file's contents for [`host_state`]: the text if short, else its length and an FNV-1a
/// digest (enough to tell two trees apart, short enough to read in a failure message).
fn contents(data: &[u8]) -> String {
    if data.len() <= 32 {
        return format!("{:?}", String::from_utf8_lossy(data));
    }
    let digest = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("<{} bytes, fnv {digest:016x}>", data.len())
}

/// stdout with the order of directory listings normalized: a run of consecutive `entry` lines
/// (fs_readdir's reference listing) is sorted, since the kernel's readdir order is a property
/// of the directory, and the two runs list two different directories.
fn normalized(stdout: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut run: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("entry ") {
            run.push(line.to_owned());
            continue;
        }
        run.sort();
        out.append(&mut run);
        out.push(line.to_owned());
    }
    run.sort();
    out.append(&mut run);
    out
}

/// A scenario whose component run cannot print what the module prints, because the preview 1
/// adapter (not the host) answers some preview 1 calls differently. For these, every line of
/// capwasi's component run must be the module's line for the same check, or the line
/// wasmtime-wasi's WASI 0.2 host prints for that check through the same adapter (two
/// independent 0.2 hosts agreeing shows the difference from the module is the adapter's), or a
/// listed [`HostChoice`]. See [`compare`].
struct AdapterBound {
    guest: &'static str,
    scenario: &'static str,
    /// Which preview 1 behaviour the adapter cannot carry over.
    #[allow(dead_code)] // documentation for the reader of a failing test
    why: &'static str,
    /// How the component's host tree differs from the module's: `+line` for a [`host_state`]
    /// line only the component's tree has, `-line` for one only the module's has, sorted.
    tree_delta: &'static [&'static str],
}

const RIGHTS: &str = "WASI 0.2 has no rights bits: the adapter reports every right but read/write \
                      in fd_fdstat_get, answers fd_fdstat_set_rights with ENOTSUP, and lets an \
                      fd do whatever its descriptor's read/write flags allow, so calls the \
                      module refuses with ENOTCAPABLE go through or fail otherwise";

const ADAPTER_BOUND: &[AdapterBound] = &[
    AdapterBound {
        guest: "fs_fd",
        scenario: "advise",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "allocate",
        why: "WASI 0.2 has no allocate: the adapter answers fd_allocate with ENOTSUP",
        tree_delta: &[
            "+f: file \"abc\" nlink=1 mtime=1600000000s atime=1600000000s",
            "-f: file <5100 bytes, fnv f6dd48378bb69411> nlink=1 mtime=now atime=1600000000s",
        ],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "fdstat",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "filestat",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "pread_pwrite",
        why: "the adapter reads and writes only the first non-empty iovec of a vectored call \
              (a short count, which preview 1 allows); and RIGHTS",
        tree_delta: &[
            "+f: file \"01234567XY\\0\\0\\0\\0\\0\\0\\0\\0\\0\\0E\" nlink=1 mtime=now atime=now",
            "-f: file \"01234567XYZ\\0\\0\\0\\0\\0\\0\\0\\0\\0E\" nlink=1 mtime=now atime=now",
        ],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "read_write",
        why: "the adapter reads and writes only the first non-empty iovec; and RIGHTS",
        tree_delta: &[
            "+f: file \"ab\" nlink=1 mtime=now atime=now",
            "-f: file \"abcdef\" nlink=1 mtime=now atime=now",
        ],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "renumber_preopen",
        why: "the adapter keeps preopen names per original fd: after fd_renumber the new \
              number's fd_prestat_dir_name is not the preopen's",
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "seek",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "set_flags",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "set_rights",
        why: RIGHTS,
        tree_delta: &[
            "+sub/new: file \"\" nlink=1 mtime=now atime=now",
            "+sub: dir mtime=now",
            "-f: file \"abc\" nlink=1 mtime=1600000000s atime=now",
            "-sub: dir mtime=1600000000s",
        ],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "set_size",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "set_times",
        why: "the adapter's fd_filestat_set_times accepts only files (EBADF on a directory \
              fd); and RIGHTS",
        tree_delta: &[
            "+f: file \"x\" nlink=1 mtime=now atime=1000.123456789s",
            "+sub: dir mtime=1600000000s",
            "-f: file \"x\" nlink=1 mtime=2000.987654321s atime=1000.123456789s",
            "-sub: dir mtime=3000s",
        ],
    },
    AdapterBound {
        guest: "fs_fd",
        scenario: "sync",
        why: "the adapter's fd_sync/fd_datasync accept only files (EBADF on a directory fd); \
              and RIGHTS",
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_path",
        scenario: "open",
        why: "the adapter ignores unknown oflags bits (0x10) instead of answering EINVAL",
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_path",
        scenario: "open_rights",
        why: RIGHTS,
        tree_delta: &[
            "+data/sub/g: file \"\" nlink=1 mtime=now atime=1600000000s",
            "+data/sub/new: file \"\" nlink=1 mtime=now atime=now",
            "+data/sub: dir mtime=now",
            "-data/sub/g: file \"g\" nlink=1 mtime=1600000000s atime=1600000000s",
            "-data/sub: dir mtime=1600000000s",
        ],
    },
    AdapterBound {
        guest: "fs_readdir",
        scenario: "empty",
        why: "the adapter makes up `.` and `..` itself and lists `..` twice when a buffer \
              ends inside an entry and the guest resumes from its cookie",
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_readdir",
        scenario: "tiny",
        why: "as `empty`: a repeated `..` with buffers that end inside an entry",
        tree_delta: &[],
    },
    AdapterBound {
        guest: "fs_readdir",
        scenario: "errors",
        why: RIGHTS,
        tree_delta: &[],
    },
    AdapterBound {
        guest: "sandbox_ro",
        scenario: "",
        why: RIGHTS,
        tree_delta: &[],
    },
];

/// A reason a line of an [`AdapterBound`] scenario may read otherwise than both the module's
/// and the reference's line for the same check. Each is a narrow pattern over (check key,
/// capwasi's component line, the module's line, the reference's line) with its reason.
struct HostChoice {
    #[allow(dead_code)] // documentation for the reader of a failing test
    why: &'static str,
    applies: fn(&str, &str, Option<&str>, Option<&str>) -> bool,
}

/// The errno of a `FAIL …: errno N, want M` line.
fn errno_of(line: &str) -> Option<u32> {
    let rest = &line[line.rfind(": errno ")? + ": errno ".len()..];
    rest.split(',').next()?.parse().ok()
}

/// The errno a `FAIL …: errno N, want M` line wanted.
fn wanted_errno(line: &str) -> Option<u32> {
    let rest = &line[line.rfind(", want ")? + ", want ".len()..];
    rest.split(' ').next()?.parse().ok()
}

const ERRNO_SUCCESS: u32 = 0;
const ERRNO_BADF: u32 = 8;
const ERRNO_NOTSUP: u32 = 58;
const ERRNO_PERM: u32 = 63;
const ERRNO_ROFS: u32 = 69;
const ERRNO_NOTCAPABLE: u32 = 76;

const HOST_CHOICES: &[HostChoice] = &[
    HostChoice {
        why: "RIGHTS: a call the module refuses for a missing right (ENOTCAPABLE) succeeds \
              through the adapter, which has no rights to enforce (where the reference cannot \
              vouch because wasmtime-wasi refuses to open a directory for writing, EISDIR, \
              which capwasi and the module allow)",
        applies: |_, line, module, _| {
            module.is_some_and(|m| m.starts_with("ok "))
                && errno_of(line) == Some(ERRNO_SUCCESS)
                && wanted_errno(line) == Some(ERRNO_NOTCAPABLE)
        },
    },
    HostChoice {
        why: "RIGHTS: the adapter answers every fd_fdstat_set_rights with ENOTSUP",
        applies: |key, line, _, _| {
            key.starts_with("__wasi_fd_fdstat_set_rights(") && errno_of(line) == Some(ERRNO_NOTSUP)
        },
    },
    HostChoice {
        why: "RIGHTS: checks on the rights fd_fdstat_get reports fail through the adapter, which \
              reports all rights but read/write",
        applies: |key, line, _, _| key.contains("rights") && !line.contains(": errno "),
    },
    HostChoice {
        why: "a change through a read-only preopen is `read-only` on capwasi (issue 6), which \
              the adapter turns into EROFS; wasmtime-wasi answers `not-permitted` (EPERM)",
        applies: |_, line, _, reference| {
            errno_of(line) == Some(ERRNO_ROFS)
                && reference.is_none_or(|r| errno_of(r) == Some(ERRNO_PERM))
        },
    },
    HostChoice {
        why: "reading, writing or resizing through a descriptor opened without that access is \
              `bad-descriptor` on capwasi (POSIX's EBADF for read(2)/write(2)/ftruncate(2) on \
              an fd not open for it); wasmtime-wasi answers EPERM or EINVAL",
        applies: |key, line, _, _| {
            [
                "__wasi_fd_write(",
                "__wasi_fd_pwrite(",
                "__wasi_fd_read(",
                "__wasi_fd_pread(",
                "__wasi_fd_filestat_set_size(",
            ]
            .iter()
            .any(|call| key.starts_with(call))
                && errno_of(line) == Some(ERRNO_BADF)
                && wanted_errno(line) == Some(ERRNO_NOTCAPABLE)
        },
    },
    HostChoice {
        why: "a directory descriptor opened without `read` may not be listed on capwasi \
              (`not-permitted`, EPERM through the adapter), as the module may not list a \
              directory fd without FD_READDIR (ENOTCAPABLE); wasmtime-wasi lists it",
        applies: |key, line, _, _| {
            key.starts_with("__wasi_fd_readdir(")
                && errno_of(line) == Some(ERRNO_PERM)
                && wanted_errno(line) == Some(ERRNO_NOTCAPABLE)
        },
    },
];

/// The exit code a preview 1 exit code becomes through the adapter: its `proc_exit` calls
/// `wasi:cli/exit.exit` with `ok` for 0 and `err` for anything else (the standard `exit` has
/// no number), and hosts report `err` as 1.
fn through_adapter(exit: &Exit) -> Exit {
    match exit {
        Exit::Code(n) if *n > 1 => Exit::Code(1),
        other => other.clone(),
    }
}

/// Runs `make_guest(top)` as a module on one fresh `nodes` tree, as a component on capwasi on
/// another, and as the same component on wasmtime-wasi's WASI 0.2 host on a third, and
/// compares them (see [`compare`]). Returns the module's and capwasi's component outcomes.
fn parity(
    guest: &str,
    scenario: &str,
    nodes: &[Node],
    make_guest: impl Fn(&Path) -> Guest,
) -> (Outcome, Outcome) {
    let trees = [tree(nodes), tree(nodes), tree(nodes)];
    let module = make_guest(trees[0].path()).run();
    let component = make_guest(trees[1].path()).run_component();
    let reference = make_guest(trees[2].path()).run_reference_component();
    compare(
        guest,
        scenario,
        [&module, &component, &reference],
        [trees[0].path(), trees[1].path(), trees[2].path()],
    );
    (module, component)
}

/// What a guest line checks: the line without its `ok `/`FAIL ` prefix and without what
/// follows the check (`: errno N, want M (line L)` or ` (line L)`), so that the same check
/// lines up across runs whatever its result.
fn check_key(line: &str) -> &str {
    let body = line
        .strip_prefix("ok ")
        .or_else(|| line.strip_prefix("FAIL "))
        .unwrap_or(line);
    let body = match body.rfind(": errno ") {
        Some(i) => &body[..i],
        None => body,
    };
    match body.rfind(" (line ") {
        Some(i) if body.ends_with(')') => &body[..i],
        _ => body,
    }
}

/// `lines` as (check key, how many times that key came before, line).
fn keyed(lines: &[String]) -> Vec<(&str, usize, &str)> {
    let mut seen: std::collections::HashMap<&str, usize> = Default::default();
    lines
        .iter()
        .map(|l| {
            let key = check_key(l);
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            (key, *n - 1, l.as_str())
        })
        .collect()
}

/// The comparison behind [`parity`], also for tests that build their trees themselves.
///
/// `runs` are the module run, capwasi's component run and wasmtime-wasi's component run (the
/// reference), `tops` their trees.
///
/// Normally capwasi's component must print exactly the module's stdout, exit with the module's
/// status as the adapter passes it on ([`through_adapter`]) and leave the module's tree.
///
/// For an [`AdapterBound`] scenario it must differ from the module (else the listing is
/// stale), and each of its lines must be the module's line for the same check (same
/// [`check_key`], same occurrence), the reference's, or explained by one of the
/// [`HOST_CHOICES`]; it must exit as the module or as the reference does, and leave the
/// module's tree but for the listed `tree_delta`.
fn compare(guest: &str, scenario: &str, runs: [&Outcome; 3], tops: [&Path; 3]) {
    let [module, component, reference] = runs;
    let context = || {
        format!(
            "{guest} {scenario}\n--- module stdout\n{}\n--- module stderr\n{}\n--- component \
             stdout\n{}\n--- component stderr\n{}\n--- reference (wasmtime-wasi) stdout\n{}",
            module.stdout, module.stderr, component.stdout, component.stderr, reference.stdout
        )
    };
    assert!(
        module.stdout.lines().count() > 0,
        "the module printed nothing: {}",
        context()
    );
    let got = normalized(&component.stdout);
    let from_module = normalized(&module.stdout);
    let adapter_bound = ADAPTER_BOUND
        .iter()
        .any(|a| a.guest == guest && a.scenario == scenario);
    let exit = through_adapter(&module.exit);
    let module_state = host_state(tops[0]);
    let component_state = host_state(tops[1]);

    if !adapter_bound {
        if got != from_module {
            let none = String::from("<none>");
            let diff: Vec<String> = (0..from_module.len().max(got.len()))
                .filter(|&i| from_module.get(i) != got.get(i))
                .map(|i| {
                    format!(
                        "  module:    {}\n  component: {}",
                        from_module.get(i).unwrap_or(&none),
                        got.get(i).unwrap_or(&none),
                    )
                })
                .collect();
            panic!(
                "stdout differs from the module's ({} vs {} lines); first differences:\n{}\n{}",
                from_module.len(),
                got.len(),
                diff.iter().take(30).cloned().collect::<Vec<_>>().join("\n"),
                context()
            );
        }
        assert_eq!(component.exit, exit, "exit code: {}", context());
        assert_eq!(
            component_state,
            module_state,
            "host trees differ after the module's and the component's runs: {}",
            context()
        );
        return;
    }

    assert_ne!(
        got,
        from_module,
        "listed in ADAPTER_BOUND but the component now prints what the module prints: take \
         it off the list\n{}",
        context()
    );
    let from_reference = normalized(&reference.stdout);
    let (module_keyed, reference_keyed) = (keyed(&from_module), keyed(&from_reference));
    let line_for = |runs: &[(&str, usize, &str)], key: &str, n: usize| {
        runs.iter()
            .find(|(k, i, _)| *k == key && *i == n)
            .map(|(_, _, l)| l.to_string())
    };
    let mut unexplained = Vec::new();
    for (key, n, line) in keyed(&got) {
        let by_module = line_for(&module_keyed, key, n);
        let by_reference = line_for(&reference_keyed, key, n);
        let explained = by_module.as_deref() == Some(line)
            || by_reference.as_deref() == Some(line)
            || HOST_CHOICES
                .iter()
                .any(|c| (c.applies)(key, line, by_module.as_deref(), by_reference.as_deref()));
        if !explained {
            unexplained.push(format!(
                "  component: {line}\n  module:    {}\n  reference: {}",
                by_module.as_deref().unwrap_or("<none>"),
                by_reference.as_deref().unwrap_or("<none>")
            ));
        }
    }
    assert!(
        unexplained.is_empty(),
        "{} component lines are neither the module's nor the reference's nor a listed host \
         choice:\n{}\n{}",
        unexplained.len(),
        unexplained.join("\n"),
        context()
    );
    assert!(
        component.exit == exit || component.exit == reference.exit,
        "exit code {:?}, module {:?}, reference {:?}: {}",
        component.exit,
        module.exit,
        reference.exit,
        context()
    );
    let listed: Vec<&str> = ADAPTER_BOUND
        .iter()
        .find(|a| a.guest == guest && a.scenario == scenario)
        .map_or(&[][..], |a| a.tree_delta)
        .to_vec();
    let mut delta: Vec<String> = component_state
        .iter()
        .filter(|l| !module_state.contains(l))
        .map(|l| format!("+{l}"))
        .chain(
            module_state
                .iter()
                .filter(|l| !component_state.contains(l))
                .map(|l| format!("-{l}")),
        )
        .collect();
    delta.sort();
    assert_eq!(
        delta,
        listed,
        "the component's tree differs from the module's otherwise than listed: {}",
        context()
    );
}

fn fs_fd(scenario: &str, nodes: &[Node]) {
    parity("fs_fd", scenario, nodes, |top| {
        Guest::new("fs_fd").dir(top, "/data").arg(scenario)
    });
}

fn fs_path(scenario: &str, nodes: &[Node]) {
    parity("fs_path", scenario, nodes, |top| {
        Guest::new("fs_path").dir(top, "/data").arg(scenario)
    });
}

fn fs_readdir(scenario: &str, nodes: &[Node]) {
    parity("fs_readdir", scenario, nodes, |top| {
        Guest::new("fs_readdir").dir(top, "/data").arg(scenario)
    });
}

// ---- tests/p1_fd.rs: fs_fd.c, one test per scenario, the same trees ----

#[test]
fn fd_advise() {
    fs_fd("advise", &[File("f", &[7; 100])]);
}

#[test]
fn fd_allocate() {
    fs_fd("allocate", &[File("f", b"abc")]);
}

#[test]
fn fd_close() {
    fs_fd("close", &[File("f", b"x")]);
}

#[test]
fn fd_sync() {
    fs_fd("sync", &[File("f", b"")]);
}

#[test]
fn fd_fdstat() {
    fs_fd("fdstat", &[File("f", b"x"), Dir("sub")]);
}

#[test]
fn fd_set_flags() {
    fs_fd("set_flags", &[File("f", b"hello")]);
}

#[test]
fn fd_set_rights() {
    fs_fd(
        "set_rights",
        &[File("f", b"abc"), Dir("sub"), File("sub/g", b"g")],
    );
}

#[test]
fn fd_filestat() {
    fs_fd("filestat", &[File("f", b"hello")]);
}

#[test]
fn fd_set_size() {
    fs_fd("set_size", &[File("f", b"0123456789")]);
}

#[test]
fn fd_set_times() {
    fs_fd("set_times", &[File("f", b"x"), Dir("sub")]);
}

#[test]
fn fd_pread_pwrite() {
    fs_fd("pread_pwrite", &[File("f", b"0123456789")]);
}

#[test]
fn fd_prestat() {
    parity(
        "fs_fd",
        "prestat",
        &[Dir("data/sub"), Dir("ro"), Dir("dot")],
        |top| {
            Guest::new("fs_fd")
                .dir(top.join("data"), "/data")
                .ro_dir(top.join("ro"), "/ro")
                .dir(top.join("dot"), ".")
                .arg("prestat")
        },
    );
}

#[test]
fn fd_read_write() {
    fs_fd(
        "read_write",
        &[File("f", b"old contents that get truncated")],
    );
}

#[test]
fn fd_renumber() {
    fs_fd("renumber", &[File("a", b"AAA"), File("b", b"BBB")]);
}

#[test]
fn fd_seek() {
    fs_fd("seek", &[File("f", b"0123456789")]);
}

#[test]
fn fd_append() {
    fs_fd("append", &[File("f", b"abc")]);
}

#[test]
fn fd_renumber_preopen() {
    fs_fd("renumber_preopen", &[File("f", b"x")]);
}

// ---- tests/p1_path.rs: fs_path.c ----

#[test]
fn path_mkdir() {
    fs_path("mkdir", &[File("f", b"x")]);
}

#[test]
fn path_filestat() {
    fs_path(
        "filestat",
        &[
            File("f", b"hello"),
            Dir("sub"),
            Link("ln", "f"),
            Link("dang", "nowhere"),
        ],
    );
}

#[test]
fn path_set_times() {
    fs_path("set_times", &[File("f", b"x"), Dir("sub"), Link("ln", "f")]);
}

#[test]
fn path_link() {
    fs_path(
        "link",
        &[
            File("f", b"data"),
            File("g", b"other"),
            Dir("sub"),
            Link("ln", "f"),
        ],
    );
}

#[test]
fn path_open() {
    fs_path(
        "open",
        &[
            File("f", b"0123456789"),
            File("t", b"truncate me"),
            Dir("sub"),
            File("sub/g", b"g"),
        ],
    );
}

#[test]
fn path_open_symlinks() {
    fs_path(
        "open_symlinks",
        &[
            File("f", b"target"),
            Link("ln", "f"),
            Link("dang", "created"),
            Link("loop1", "loop2"),
            Link("loop2", "loop1"),
            Link("self", "self"),
            Dir("sub"),
            File("sub/g", b"g"),
            Link("dirln", "sub"),
        ],
    );
}

#[test]
fn path_open_rights() {
    parity(
        "fs_path",
        "open_rights",
        &[
            File("data/f", b"abc"),
            Dir("data/sub"),
            File("data/sub/g", b"g"),
            File("ro/r", b"ro"),
        ],
        |top| {
            Guest::new("fs_path")
                .dir(top.join("data"), "/data")
                .ro_dir(top.join("ro"), "/ro")
                .arg("open_rights")
        },
    );
}

#[test]
fn path_readlink() {
    fs_path(
        "readlink",
        &[
            Link("ln", "target-file"),
            File("f", b"x"),
            Dir("sub"),
            Link("sub/up", "../f"),
        ],
    );
}

#[test]
fn path_rmdir() {
    fs_path(
        "rmdir",
        &[
            Dir("empty"),
            Dir("empty2"),
            Dir("full/inner"),
            File("f", b"x"),
            Link("dl", "full"),
        ],
    );
}

#[test]
fn path_rename() {
    fs_path(
        "rename",
        &[
            File("a", b"A"),
            File("b", b"B"),
            Dir("d1"),
            File("d1/x", b"x"),
            Dir("d2"),
            File("d2/y", b"y"),
            Dir("d3"),
            Dir("e"),
            Dir("sub"),
        ],
    );
}

#[test]
fn path_symlink() {
    fs_path("symlink", &[File("f", b"x"), Dir("sub")]);
}

#[test]
fn path_unlink() {
    fs_path(
        "unlink",
        &[
            File("f", b"F"),
            File("g", b"G"),
            Dir("sub"),
            File("sub/h", b"h"),
            Link("ln", "g"),
            Link("dang", "nowhere"),
        ],
    );
}

// ---- tests/p1_readdir.rs: fs_readdir.c ----

#[test]
fn readdir_tiny() {
    let names: Vec<String> = (0..40).map(|i| format!("e{i:02}")).collect();
    let mut nodes: Vec<Node> = names.iter().map(|n| File(n, b"x")).collect();
    nodes.push(Dir("sub"));
    nodes.push(Link("ln", "e00"));
    fs_readdir("tiny", &nodes);
}

#[test]
fn readdir_sweep() {
    // The same 150 names of 1..=100 bytes as tests/p1_readdir.rs.
    let names: Vec<String> = (0..150usize)
        .map(|i| {
            let len = 1 + (i * 37) % 100;
            let mut name = format!("{i}-");
            while name.len() < len {
                name.push((b'a' + (name.len() % 26) as u8) as char);
            }
            name.truncate(len.max(format!("{i}").len()));
            name
        })
        .collect();
    let nodes: Vec<Node> = names.iter().map(|n| File(n, b"")).collect();
    fs_readdir("sweep", &nodes);
}

#[test]
fn readdir_empty() {
    fs_readdir("empty", &[]);
}

#[test]
fn readdir_errors() {
    fs_readdir("errors", &[File("f", b"x"), Dir("sub")]);
}

// ---- tests/sandbox.rs: sandbox.c, sandbox_ro.c ----

/// Every escape of sandbox.c (28 escapes through every path call, from the preopen and from a
/// subdirectory fd) is refused through the component exactly as through the module, and both
/// runs leave the outside and the preopen in the same state.
#[test]
fn sandbox_escapes() {
    let (m, c, r) = (layout(), layout(), layout());
    for l in [&m, &c, &r] {
        fix_times(&l.top);
    }
    let module = Guest::new("sandbox").dir(&m.root, "/data").run();
    let component = Guest::new("sandbox").dir(&c.root, "/data").run_component();
    let reference = Guest::new("sandbox")
        .dir(&r.root, "/data")
        .run_reference_component();
    compare(
        "sandbox",
        "",
        [&module, &component, &reference],
        [&m.top, &c.top, &r.top],
    );
    component.assert_ok();
    assert!(
        component
            .stdout
            .lines()
            .filter(|l| l.starts_with("ok "))
            .count()
            > 600,
        "{}",
        component.stdout
    );
    assert_eq!(
        fs::read(c.outside.join("secret")).unwrap(),
        b"OUTSIDE-SECRET"
    );
    assert_eq!(fs::metadata(c.outside.join("secret")).unwrap().nlink(), 1);
}

/// A read-only preopen refuses every mutation through the component too.
#[test]
fn sandbox_read_only() {
    let nodes = [
        File("rw/rwfile", b"rw-data"),
        Dir("ro/d"),
        File("ro/f", b"ro-data"),
        File("ro/full/x", b"x-data"),
        Link("ro/l", "f"),
        Link("ro/esc", "../rw/rwfile"),
    ];
    // The trees are compared with the module's, which leaves both preopens unchanged.
    let (module, _) = parity("sandbox_ro", "", &nodes, |top| {
        Guest::new("sandbox_ro")
            .dir(top.join("rw"), "/rw")
            .ro_dir(top.join("ro"), "/ro")
    });
    module.assert_ok();
}

// ---- tests/libc_program.rs, tests/rust_guest.rs, tests/fs_view.rs ----

#[test]
fn libc_files() {
    let (_, component) = parity(
        "libc_files",
        "",
        &[
            Dir("data"),
            File("data/input.txt", b"from host\nsecond line\n"),
            File("outside.txt", b"untouched"),
        ],
        |top| {
            Guest::new("libc_files")
                .dir(top.join("data"), "/data")
                .arg("/data")
        },
    );
    component.assert_ok();
    assert!(component.stdout.ends_with("done\n"), "{}", component.stdout);
}

#[test]
fn rust_std() {
    let (_, component) = parity("rust_std", "", &[], |top| {
        Guest::new("rust_std")
            .arg("one")
            .arg("--two")
            .env("GREETING=hi")
            .dir(top, "/data")
    });
    // rust_std exits with 3; the adapter can only say "failed".
    assert_eq!(component.exit, Exit::Code(1), "{}", component.stderr);
}

#[test]
fn view_list() {
    let (m, c, r) = (layout(), layout(), layout());
    for l in [&m, &c, &r] {
        fix_times(&l.top);
    }
    let module = Guest::new("view_list").dir(&m.root, "/data").run();
    let component = Guest::new("view_list")
        .dir(&c.root, "/data")
        .run_component();
    let reference = Guest::new("view_list")
        .dir(&r.root, "/data")
        .run_reference_component();
    compare(
        "view_list",
        "",
        [&module, &component, &reference],
        [&m.top, &c.top, &r.top],
    );
    component.assert_ok();
}
