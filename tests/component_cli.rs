//! `wasirun` runs WASI 0.2 command components as well as core modules, telling them apart by
//! content: each test writes a committed C guest, turned into a component by the harness
//! (tests/common/component.rs), to a file and runs both forms with the same flags.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::component::component_bytes;
use common::{guest_path, snapshot};

/// `guest`'s component written to `dir/NAME.wasm` (the same file name as the module, so argv[0]
/// is the same in both runs).
fn component_file(dir: &Path, guest: &str) -> PathBuf {
    let path = dir.join(format!("{guest}.wasm"));
    fs::write(&path, &*component_bytes(&guest_path(guest))).unwrap();
    path
}

fn wasirun(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasirun"))
        .arg("--no-cache")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The wasi-libc program of tests/libc_program.rs, module and component, each on a fresh copy
/// of its tree: the same stdout, status and host-side result.
#[test]
fn libc_program_runs_the_same_as_a_component() {
    let bin = tempfile::tempdir().unwrap();
    let component = component_file(bin.path(), "libc_files");
    let mut results = Vec::new();
    for guest in [guest_path("libc_files"), component] {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        fs::create_dir(&data).unwrap();
        fs::write(data.join("input.txt"), "from host\nsecond line\n").unwrap();
        fs::write(root.path().join("outside.txt"), "untouched").unwrap();
        let mut dir_arg = data.clone().into_os_string();
        dir_arg.push("::/data");
        let out = wasirun(&["--dir".as_ref(), &dir_arg, guest.as_ref(), "/data".as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout)
                .ends_with("escape via ..: refused\nabsolute outside: refused\ndone\n")
        );
        let tree: Vec<_> = snapshot(root.path())
            .into_iter()
            // Times of what the program made differ between the runs.
            .map(|(p, d)| (p, d.split(" Some(").next().unwrap_or_default().to_owned()))
            .collect();
        results.push((text(&out.stdout), text(&out.stderr), tree));
    }
    assert_eq!(results[1], results[0]);
}

/// Arguments and `--env` reach a component as they reach the module.
#[test]
fn arguments_and_environment_reach_a_component() {
    let bin = tempfile::tempdir().unwrap();
    let component = component_file(bin.path(), "misc_args");
    let run = |guest: &Path| {
        wasirun(&[
            "--env".as_ref(),
            "A=1".as_ref(),
            "--env".as_ref(),
            "LANG=café".as_ref(),
            guest.as_ref(),
            "-x".as_ref(),
            "".as_ref(),
            "two words".as_ref(),
        ])
    };
    let (module, component) = (run(&guest_path("misc_args")), run(&component));
    assert_eq!(module.status.code(), Some(0), "{}", text(&module.stderr));
    assert_eq!(
        component.status.code(),
        Some(0),
        "{}",
        text(&component.stderr)
    );
    assert_eq!(text(&component.stdout), text(&module.stdout));
    assert!(text(&component.stdout).contains("env 4c414e473d636166c3a9\n"));
}

/// A component's exit status: `exit(ok)` is 0; `exit(err)`, which is what the adapter makes of
/// any non-zero `proc_exit`, is 1.
#[test]
fn exit_status_of_a_component() {
    let bin = tempfile::tempdir().unwrap();
    let component = component_file(bin.path(), "misc_exit");
    for (code, want) in [(0, 0), (1, 1), (5, 1)] {
        let out = wasirun(&[component.as_ref(), code.to_string().as_ref()]);
        assert_eq!(
            out.status.code(),
            Some(want),
            "exit {code}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), format!("before exit {code}\n"));
        let module = wasirun(&[guest_path("misc_exit").as_ref(), code.to_string().as_ref()]);
        assert_eq!(module.status.code(), Some(code));
    }
}

/// `--trace` works for a component: the 0.2 host's calls on the system are traced.
#[test]
fn trace_covers_a_component() {
    let bin = tempfile::tempdir().unwrap();
    let component = component_file(bin.path(), "libc_files");
    let data = tempfile::tempdir().unwrap();
    fs::write(data.path().join("input.txt"), "x\n").unwrap();
    let log = bin.path().join("trace.log");
    let mut dir_arg = data.path().as_os_str().to_owned();
    dir_arg.push("::/data");
    let mut trace_arg = std::ffi::OsString::from("--trace=");
    trace_arg.push(&log);
    let out = wasirun(&[
        &trace_arg,
        "--dir".as_ref(),
        &dir_arg,
        component.as_ref(),
        "/data".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let trace = fs::read_to_string(&log).unwrap();
    assert!(
        trace.lines().any(|l| l.starts_with("path_open(fd=3,")),
        "{trace}"
    );
    assert!(
        trace.lines().any(|l| l.starts_with("fd_write(fd=1,")),
        "{trace}"
    );
}

/// Text components are detected too, and one that is not a command fails as a host error (1)
/// naming what is missing.
#[test]
fn a_component_without_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.wat");
    fs::write(&path, ";; not a command\n(component)").unwrap();
    let out = wasirun(&[path.as_ref()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("wasi:cli/run"),
        "{}",
        text(&out.stderr)
    );
}
