//! A plain wasi-libc program (tests/guests/libc_files.c: fopen/fprintf/fgets, opendir/readdir,
//! stat, rename, unlink, mkdir, symlink) run by the real `wasirun` command with
//! `--dir HOST::/data`: its exact stdout, exit status, and what it left on the host.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{guest_path, snapshot};

const EXPECTED: &str = "\
input: from host
input: second line
mkdir out: ok
mkdir out again: EEXIST
read: line 1: hello
read: line 2: 42
read: line 3: appended
stat: size=42 regular=1
rename: ok
stat old name: ENOENT
symlink: ok
readlink: renamed.txt
stat via link: size=42
lstat link: symlink=1
mkdir out/sub: ok
list: link:l renamed.txt:f sub:d
unlink dir: EISDIR
rmdir non-empty: ENOTEMPTY
unlink link: ok
rmdir sub: ok
unlink missing: ENOENT
list: renamed.txt:f
escape via ..: refused
absolute outside: refused
done
";

#[test]
fn libc_program_under_wasirun() {
    // The preopen is a subdirectory, so the test can prove nothing appeared next to it.
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("input.txt"), "from host\nsecond line\n").unwrap();
    fs::write(root.path().join("outside.txt"), "untouched").unwrap();
    let outside_before: Vec<_> = snapshot(root.path())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("data"))
        .collect();

    let mut dir_arg = data.clone().into_os_string();
    dir_arg.push("::/data");
    let out = Command::new(env!("CARGO_BIN_EXE_wasirun"))
        .arg("--dir")
        .arg(&dir_arg)
        .arg(guest_path("libc_files"))
        .arg("/data")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(stdout, EXPECTED, "stderr:\n{stderr}");
    assert_eq!(stderr, "");

    // What the program left: out/renamed.txt with all three lines, nothing else new.
    assert_eq!(
        fs::read_to_string(data.join("out/renamed.txt")).unwrap(),
        "line 1: hello\nline 2: 42\nline 3: appended\n"
    );
    let mut names: Vec<_> = fs::read_dir(data.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["renamed.txt"]);
    assert_eq!(
        fs::read_to_string(data.join("input.txt")).unwrap(),
        "from host\nsecond line\n"
    );
    let outside_after: Vec<_> = snapshot(root.path())
        .into_iter()
        .filter(|(p, _)| !p.starts_with("data"))
        .collect();
    assert_eq!(
        outside_after, outside_before,
        "the guest changed something outside /data"
    );
    assert!(!Path::new(&root.path().join("escape.txt")).exists());
}
