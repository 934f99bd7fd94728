//! Every function of `wasi:filesystem/types`, called by a guest through the canonical ABI
//! itself rather than through the preview 1 adapter: tests/guests/p2_direct.c declares the
//! 0.2 imports by hand (tests/guests/wasi_p2_abi.h), and this test gives its module the
//! component type of capwasi's world (`wit/`, `capwasi:host/command-imports`), wraps it with
//! the adapter (which serves wasi-libc's printf), and runs it on capwasi's component runner
//! against a writable and a read-only preopen.
//!
//! The guest checks each result by value and prints one line per check; this test requires
//! every one of the lines below, that the component imports every `types` function (so none
//! can be dropped from the guest unnoticed), and that nothing outside the writable preopen
//! changed on the host.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::component::{ALL_TYPES_FUNCTIONS, encode_command, imported_types_functions, runner};
use common::{Exit, Guest, guest_path, snapshot};
use wasmtime::component::Component;

/// The guest module with the component type of `capwasi:host/command-imports` embedded, so
/// the encoder knows the types of its direct 0.2 imports, then wrapped as a command with the
/// adapter; compiled once per test binary.
fn component() -> &'static Component {
    static COMPONENT: OnceLock<Component> = OnceLock::new();
    COMPONENT.get_or_init(|| {
        let mut module = fs::read(guest_path("p2_direct")).unwrap();
        let mut resolve = wit_parser::Resolve::default();
        let wit = Path::new(env!("CARGO_MANIFEST_DIR")).join("wit");
        let (package, _) = resolve.push_dir(&wit).unwrap();
        let world = resolve
            .select_world(&[package], Some("command-imports"))
            .unwrap();
        wit_component::embed_component_metadata(
            &mut module,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
        )
        .unwrap();
        let bytes = encode_command(&module);
        Component::new(runner().engine(), &bytes[..]).unwrap()
    })
}

#[test]
fn the_guest_imports_every_types_function() {
    let imported = imported_types_functions(component());
    let all: BTreeSet<String> = ALL_TYPES_FUNCTIONS.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        imported, all,
        "the component's wasi:filesystem/types imports (left) are not every function (right)"
    );
}

/// The host tree the guest expects (see p2_direct.c): `rw/` is preopened writable as "/rw",
/// `ro/` read-only as "/ro", `outside/` not at all.
fn tree() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    for d in ["rw/sub", "rw/full", "rw/bin", "ro/rsub", "outside/sub"] {
        fs::create_dir_all(top.join(d)).unwrap();
    }
    for (f, data) in [
        ("rw/f", "hello"),
        ("rw/sub/g", "g"),
        ("rw/full/x", "x"),
        ("ro/r", "readonly"),
        ("ro/rsub/k", "k"),
        ("outside/secret", "SECRET"),
    ] {
        fs::write(top.join(f), data).unwrap();
    }
    // A name that is not UTF-8: a directory entry a 0.2 `string` cannot carry.
    fs::write(top.join("rw/bin").join(OsStr::from_bytes(b"\xff")), "").unwrap();
    symlink("f", top.join("rw/ln")).unwrap();
    symlink("../outside", top.join("rw/out")).unwrap();
    symlink(top.join("outside"), top.join("rw/abs")).unwrap();
    symlink("r", top.join("ro/rln")).unwrap();
    // A link whose target is not UTF-8: what readlink-at cannot return as a `string`.
    symlink(OsStr::from_bytes(b"\xff"), top.join("rw/bin/badlink")).unwrap();
    (tmp, top)
}

/// Everything below `top` but `rw/`: path, type, size, contents, mtime (tests/model).
fn outside_rw(top: &Path) -> Vec<(PathBuf, String)> {
    snapshot(top)
        .into_iter()
        .filter(|(p, _)| !p.starts_with("rw"))
        .collect()
}

#[test]
fn every_types_function_called_directly() {
    let (_tmp, top) = tree();
    let before = outside_rw(&top);
    assert!(before.iter().any(|(p, _)| p == Path::new("outside/secret")));
    assert!(before.iter().any(|(p, _)| p == Path::new("ro/rsub/k")));

    let out = Guest::new("p2_direct")
        .dir(top.join("rw"), "/rw")
        .ro_dir(top.join("ro"), "/ro")
        .run_compiled_component(component());

    let missing: Vec<&str> = EXPECTED
        .lines()
        .filter(|l| !l.is_empty())
        .filter(|want| !out.stdout.lines().any(|l| l == *want))
        .collect();
    let failed: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert!(
        missing.is_empty() && failed.is_empty(),
        "{:?}; failed checks:\n{}\nexpected lines missing:\n{}\n--- stdout\n{}\n--- stderr\n{}",
        out.exit,
        failed.join("\n"),
        missing.join("\n"),
        out.stdout,
        out.stderr
    );
    assert_eq!(out.exit, Exit::Code(0), "{}\n{}", out.stdout, out.stderr);
    // No check beyond the expected ones (a new check is added to EXPECTED too).
    let ok = out.stdout.lines().filter(|l| l.starts_with("ok ")).count();
    let expected = EXPECTED.lines().filter(|l| !l.is_empty()).count();
    assert_eq!(ok, expected, "{}", out.stdout);
    assert!(
        out.stdout.ends_with("all checks passed\n"),
        "{}",
        out.stdout
    );

    // The host side: outside/ and ro/ byte for byte (and mtime for mtime) as they were; rw/
    // as the guest left it.
    assert_eq!(outside_rw(&top), before);
    let rw = top.join("rw");
    let names: Vec<String> = snapshot(&rw)
        .into_iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "abs",
            "bin",
            "bin/badlink",
            "bin/\u{fffd}",
            "f",
            "full",
            "full/x",
            "ln",
            "out",
            "sub",
            "sub/g",
            "sub/h",
            "sub/w2",
        ]
    );
    assert_eq!(fs::read(rw.join("f")).unwrap(), b"hello");
    assert_eq!(fs::read(rw.join("sub/h")).unwrap(), b"hello");
    assert_eq!(fs::read(rw.join("sub/w2")).unwrap(), b"0123\0\0");
    assert_eq!(fs::read_link(rw.join("ln")).unwrap(), Path::new("f"));
    assert_eq!(
        fs::read_link(rw.join("out")).unwrap(),
        Path::new("../outside")
    );
}

/// Every line the guest prints for a passing check, in order.
const EXPECTED: &str = r#"
ok list.len == 2
ok rw != 0 && ro != 0 == true
ok d_open_at(rw, NOFOLLOW, "f", 0, DF_READ, &f) == ok
ok contents(f) == hello
ok d_open_at(rw, NOFOLLOW, "sub", OF_DIRECTORY, DF_READ, &sub) == ok
ok d_get_type(rw) == directory
ok d_get_type(ro) == directory
ok d_get_type(f) == regular-file
ok d_get_type(sub) == directory
ok d_get_flags(rw) == read|mutate-directory
ok d_get_flags(ro) == read
ok d_get_flags(f) == read
ok d_get_flags(sub) == read|mutate-directory
ok d_open_at(rw, FOLLOW, "f", 0, DF_WRITE, &h) == ok
ok d_get_flags(h) == write
ok d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_WRITE, &h) == ok
ok d_get_flags(h) == read|write
ok d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_FILE_INTEGRITY_SYNC, &h) == ok
ok d_get_flags(h) == read|file-integrity-sync
ok d_open_at(rw, FOLLOW, "f", 0, DF_READ | DF_DATA_INTEGRITY_SYNC, &h) == ok
ok (d_get_flags(h) & (DF_FILE_INTEGRITY_SYNC | DF_DATA_INTEGRITY_SYNC)) != 0 == true
ok d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &h) == ok
ok d_get_flags(h) == read
ok d_open_at(rw, FOLLOW, "ln", 0, DF_READ, &h) == ok
ok contents(h) == hello
ok fs_is_same_object(h, f) == true
ok try_open(rw, NOFOLLOW, "ln", 0, DF_READ) == loop
ok d_open_at(rw, FOLLOW, "sub/..", OF_DIRECTORY, DF_READ, &h) == ok
ok fs_is_same_object(h, rw) == true
ok d_open_at(rw, FOLLOW, "sub/../f", 0, DF_READ, &h) == ok
ok contents(h) == hello
ok try_open(rw, FOLLOW, "missing", 0, DF_READ) == no-entry
ok try_open(rw, FOLLOW, "f", OF_DIRECTORY, DF_READ) == not-directory
ok try_open(rw, FOLLOW, "f/x", 0, DF_READ) == not-directory
ok try_open(rw, FOLLOW, "f", OF_CREATE | OF_EXCLUSIVE, DF_READ) == exist
ok try_open(rw, FOLLOW, "sub", OF_CREATE | OF_EXCLUSIVE, DF_READ) == exist
ok try_open(rw, FOLLOW, "sub", OF_DIRECTORY | OF_TRUNCATE, DF_READ) == invalid
ok try_open(rw, FOLLOW, "newdir", OF_DIRECTORY | OF_CREATE, DF_READ) == invalid
ok try_open(rw, FOLLOW, "sub", 0, DF_READ | DF_WRITE) == is-directory
ok try_open(rw, FOLLOW, "new/", OF_CREATE, DF_WRITE) == is-directory
ok try_open(f, FOLLOW, "x", 0, DF_READ) == not-directory
ok try_open(rw, FOLLOW, "..", OF_DIRECTORY, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "../outside/secret", 0, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "sub/../../outside/secret", 0, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "/etc/passwd", 0, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "out/secret", 0, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "abs/secret", 0, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "out", OF_DIRECTORY, DF_READ) == not-permitted
ok try_open(rw, FOLLOW, "../outside/new", OF_CREATE, DF_WRITE) == not-permitted
ok try_open(rw, FOLLOW, "out/new", OF_CREATE, DF_WRITE) == not-permitted
ok d_open_at(ro, FOLLOW, "r", 0, DF_READ, &h) == ok
ok contents(h) == readonly
ok d_open_at(ro, FOLLOW, "rln", 0, DF_READ, &h) == ok
ok contents(h) == readonly
ok try_open(ro, FOLLOW, "r", 0, DF_WRITE) == read-only
ok try_open(ro, FOLLOW, "r", 0, DF_READ | DF_WRITE) == read-only
ok try_open(ro, FOLLOW, "r", OF_TRUNCATE, DF_READ) == read-only
ok try_open(ro, FOLLOW, "new", OF_CREATE, DF_READ) == read-only
ok try_open(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ | DF_MUTATE_DIRECTORY) == read-only
ok try_open(ro, FOLLOW, "../outside/secret", 0, DF_READ) == not-permitted
ok d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &rsub) == ok
ok try_open(rsub, FOLLOW, "k", 0, DF_WRITE) == read-only
ok try_open(rsub, FOLLOW, "new", OF_CREATE, DF_READ) == read-only
ok try_open(rsub, FOLLOW, "../r", 0, DF_READ) == not-permitted
ok d_open_at(rw, NOFOLLOW, "w", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE, &w) == ok
ok try_open(rw, NOFOLLOW, "w", OF_CREATE | OF_EXCLUSIVE, DF_READ) == exist
ok stat_of(w).size == 0
ok d_write(w, "0123456789", 0, &n) == ok
ok n == 10
ok d_write(w, "AB", 4, &n) == ok
ok n == 2
ok contents(w) == 0123AB6789
ok d_read(w, 3, 1, &end) == ok
ok text == 123
ok !end == true
ok d_read(w, 100, 8, &end) == ok
ok text == 89
ok end == true
ok d_read(w, 10, 100, &end) == ok
ok text == 
ok end == true
ok d_write_via_stream(w, 8, &out) == ok
ok stream_write(out, "XYZ") == ok
ok stream_write(out, "!") == ok
ok contents(w) == 0123AB67XYZ!
ok d_append_via_stream(w, &out) == ok
ok stream_write(out, "++") == ok
ok stream_write(out, "--") == ok
ok contents(w) == 0123AB67XYZ!++--
ok d_write_via_stream(w, 18, &out) == ok
ok stream_write(out, "$") == ok
ok contents(w) == 0123AB67XYZ!++--\0\0$
ok d_write_via_stream(w, 0x7fffffffffffffffull, &out) == ok
ok stream_write(out, "x") == error:invalid
ok stream_write(out, "x") == closed
ok d_read_via_stream(w, 0, &in) == ok
ok stream_read(in, 4) == 0123
ok stream_read(in, 8) == AB67XYZ!
ok stream_read(in, 4) == ++--
ok stream_read(in, 100) == \0\0$
ok stream_read(in, 100) == closed
ok d_read_via_stream(w, 12, &in) == ok
ok stream_read(in, 4) == ++--
ok d_read_via_stream(w, 18, &in) == ok
ok stream_read(in, 100) == $
ok stream_read(in, 100) == closed
ok d_read_via_stream(w, 1000, &in) == ok
ok stream_read(in, 100) == closed
ok d_set_size(w, 4) == ok
ok stat_of(w).size == 4
ok contents(w) == 0123
ok d_set_size(w, 6) == ok
ok contents(w) == 0123\0\0
ok st.type == regular-file
ok st.link_count == 1
ok st.size == 6
ok st.data_access_timestamp.is_some && st.data_modification_timestamp.is_some && st.status_change_timestamp.is_some == true
ok stat_of(rw).type == directory
ok stat_of(ro).type == directory
ok d_set_times(w, at(1000000000, 5), at(1100000000, 7)) == ok
ok st.data_access_timestamp.val.seconds == 1000000000
ok st.data_access_timestamp.val.nanoseconds == 5
ok st.data_modification_timestamp.val.seconds == 1100000000
ok st.data_modification_timestamp.val.nanoseconds == 7
ok d_set_times(w, at(1200000000, 0), NO_CHANGE) == ok
ok st.data_access_timestamp.val.seconds == 1200000000
ok st.data_modification_timestamp.val.seconds == 1100000000
ok st.data_modification_timestamp.val.nanoseconds == 7
ok d_set_times(w, NO_CHANGE, NOW) == ok
ok st.data_access_timestamp.val.seconds == 1200000000
ok st.data_modification_timestamp.val.seconds > 1700000000 == true
ok d_set_times(w, at(0, 1000000000), NO_CHANGE) == invalid
ok d_set_times(w, at(-1, 0), NO_CHANGE) == overflow
ok d_set_times(rw, NOW, NOW) == ok
ok d_sync(w) == ok
ok d_sync_data(w) == ok
ok d_sync(rw) == ok
ok d_sync_data(rw) == ok
ok d_sync(f) == ok
ok d_advise(w, 0, 6, ADVICE_NORMAL) == ok
ok d_advise(w, 0, 6, ADVICE_SEQUENTIAL) == ok
ok d_advise(w, 0, 6, ADVICE_RANDOM) == ok
ok d_advise(w, 0, 6, ADVICE_WILL_NEED) == ok
ok d_advise(w, 0, 6, ADVICE_DONT_NEED) == ok
ok d_advise(w, 0, 0, ADVICE_NO_REUSE) == ok
ok d_advise(f, 0, 5, ADVICE_SEQUENTIAL) == ok
ok d_set_size(w, 0x8000000000000000ull) == file-too-large
ok d_read(w, 10, 0x8000000000000000ull, &end) == invalid
ok d_read(w, 0xffffffffffffffffull, 0, &end) == ok
ok text == 0123
ok d_write(w, "x", 0x8000000000000000ull, &n) == invalid
ok d_read_via_stream(w, 0x8000000000000000ull, &in) == ok
ok stream_read(in, 10) == error:invalid
ok stat_of(w).size == 6
ok try_write(f) == bad-descriptor
ok d_set_size(f, 0) == bad-descriptor
ok try_write_stream(f, 0) == bad-descriptor
ok try_append_stream(f) == bad-descriptor
ok d_open_at(rw, NOFOLLOW, "w", 0, DF_WRITE, &wo) == ok
ok try_read(wo) == bad-descriptor
ok try_read_stream(wo, 0) == bad-descriptor
ok try_read(rw) == is-directory
ok try_write(rw) == is-directory
ok d_set_size(rw, 0) == is-directory
ok try_read_stream(rw, 0) == is-directory
ok try_write_stream(rw, 0) == is-directory
ok try_append_stream(rw) == is-directory
ok d_advise(rw, 0, 0, ADVICE_NORMAL) == ok
ok d_advise(w, 0, 0x8000000000000000ull, ADVICE_NORMAL) == invalid
ok d_open_at(ro, FOLLOW, "r", 0, DF_READ, &r) == ok
ok d_read(r, 4, 4, &end) == ok
ok text == only
ok stat_of(r).size == 8
ok try_write(r) == bad-descriptor
ok d_set_size(r, 0) == bad-descriptor
ok try_write_stream(r, 0) == bad-descriptor
ok try_append_stream(r) == bad-descriptor
ok d_set_times(r, NOW, NOW) == read-only
ok d_set_times(r, at(1, 0), NO_CHANGE) == read-only
ok d_set_times(ro, NOW, NOW) == read-only
ok d_sync(r) == read-only
ok d_sync_data(r) == read-only
ok d_sync(ro) == read-only
ok d_sync_data(ro) == read-only
ok d_advise(r, 0, 8, ADVICE_RANDOM) == ok
ok listing(rw) == abs:symbolic-link bin:directory f:regular-file full:directory ln:symbolic-link out:symbolic-link sub:directory w:regular-file
ok listing(sub) == g:regular-file
ok listing(ro) == r:regular-file rln:symbolic-link rsub:directory
ok d_open_at(rw, NOFOLLOW, "bin", OF_DIRECTORY, DF_READ, &bin) == ok
ok listing(bin) == badlink:symbolic-link <illegal-byte-sequence>
ok try_read_directory(f) == not-directory
ok d_create_directory_at(rw, "d") == ok
ok stat_at(rw, NOFOLLOW, "d").type == directory
ok d_create_directory_at(sub, "e") == ok
ok stat_at(rw, NOFOLLOW, "sub/e").type == directory
ok listing(sub) == e:directory g:regular-file
ok d_create_directory_at(rw, "d") == exist
ok d_create_directory_at(rw, "f") == exist
ok d_create_directory_at(rw, "nope/x") == no-entry
ok d_create_directory_at(rw, "f/x") == not-directory
ok d_create_directory_at(f, "x") == not-directory
ok d_create_directory_at(rw, "../evil") == not-permitted
ok d_create_directory_at(rw, "/evil") == not-permitted
ok d_create_directory_at(rw, "out/evil") == not-permitted
ok d_create_directory_at(rw, "abs/evil") == not-permitted
ok d_create_directory_at(ro, "d") == read-only
ok d_open_at(ro, FOLLOW, "rsub", OF_DIRECTORY, DF_READ, &rsub) == ok
ok d_create_directory_at(rsub, "d") == read-only
ok listing(rsub) == k:regular-file
ok d_remove_directory_at(rw, "d") == ok
ok try_stat_at(rw, NOFOLLOW, "d") == no-entry
ok d_remove_directory_at(sub, "e") == ok
ok d_remove_directory_at(rw, "d") == no-entry
ok d_remove_directory_at(rw, "full") == not-empty
ok d_remove_directory_at(rw, "f") == not-directory
ok d_remove_directory_at(f, "x") == not-directory
ok d_remove_directory_at(rw, "../outside") == not-permitted
ok d_remove_directory_at(rw, "/tmp") == not-permitted
ok d_remove_directory_at(rw, "out/sub") == not-permitted
ok d_remove_directory_at(ro, "rsub") == read-only
ok d_remove_directory_at(rsub, "x") == read-only
ok r.is_err ? r.val.err : OK == invalid
ok try_stat_at(rw, NOFOLLOW, "") == no-entry
ok try_open(rw, NOFOLLOW, "", 0, DF_READ) == no-entry
ok d_create_directory_at(rw, "") == no-entry
ok link_target(rw, "bin/badlink") == <illegal-byte-sequence>
ok st.type == regular-file
ok st.size == 5
ok st.link_count == 1
ok stat_at(rw, NOFOLLOW, "f").type == regular-file
ok stat_at(rw, NOFOLLOW, "f").size == 5
ok stat_at(rw, NOFOLLOW, "ln").type == symbolic-link
ok stat_at(rw, NOFOLLOW, "ln").size == 1
ok stat_at(rw, FOLLOW, "ln").type == regular-file
ok stat_at(rw, FOLLOW, "ln").size == 5
ok stat_at(rw, NOFOLLOW, "sub").type == directory
ok stat_at(rw, NOFOLLOW, "out").type == symbolic-link
ok stat_at(ro, NOFOLLOW, "r").size == 8
ok try_stat_at(rw, NOFOLLOW, "missing") == no-entry
ok try_stat_at(rw, NOFOLLOW, "f/x") == not-directory
ok try_stat_at(f, NOFOLLOW, "x") == not-directory
ok try_stat_at(rw, NOFOLLOW, "..") == not-permitted
ok try_stat_at(rw, NOFOLLOW, "../outside/secret") == not-permitted
ok try_stat_at(rw, NOFOLLOW, "/etc/passwd") == not-permitted
ok try_stat_at(rw, FOLLOW, "out") == not-permitted
ok try_stat_at(rw, NOFOLLOW, "out/secret") == not-permitted
ok try_stat_at(rw, FOLLOW, "abs/secret") == not-permitted
ok try_stat_at(ro, FOLLOW, "../outside") == not-permitted
ok d_set_times_at(rw, FOLLOW, "ln", at(1300000000, 0), at(1400000000, 9)) == ok
ok stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds == 1400000000
ok stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.nanoseconds == 9
ok stat_at(rw, NOFOLLOW, "f").data_access_timestamp.val.seconds == 1300000000
ok d_set_times_at(rw, NOFOLLOW, "ln", NO_CHANGE, at(1500000000, 0)) == ok
ok stat_at(rw, NOFOLLOW, "ln").data_modification_timestamp.val.seconds == 1500000000
ok stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds == 1400000000
ok d_set_times_at(rw, NOFOLLOW, "f", NO_CHANGE, NOW) == ok
ok stat_at(rw, NOFOLLOW, "f").data_modification_timestamp.val.seconds > 1700000000 == true
ok d_set_times_at(rw, NOFOLLOW, "missing", NOW, NOW) == no-entry
ok d_set_times_at(rw, NOFOLLOW, "f", at(0, 2000000000), NOW) == invalid
ok d_set_times_at(f, NOFOLLOW, "x", NOW, NOW) == not-directory
ok d_set_times_at(rw, NOFOLLOW, "../outside/secret", NOW, NOW) == not-permitted
ok d_set_times_at(rw, NOFOLLOW, "/tmp", NOW, NOW) == not-permitted
ok d_set_times_at(rw, FOLLOW, "out/secret", NOW, NOW) == not-permitted
ok d_set_times_at(rw, FOLLOW, "out", NOW, NOW) == not-permitted
ok d_set_times_at(ro, NOFOLLOW, "r", NOW, NOW) == read-only
ok d_set_times_at(ro, FOLLOW, "rln", at(1, 0), NO_CHANGE) == read-only
ok d_link_at(rw, NOFOLLOW, "f", sub, "h") == ok
ok stat_at(rw, NOFOLLOW, "sub/h").size == 5
ok stat_of(f).link_count == 2
ok stat_at(sub, NOFOLLOW, "h").link_count == 2
ok d_link_at(rw, NOFOLLOW, "f", sub, "h") == exist
ok d_link_at(rw, NOFOLLOW, "missing", rw, "x") == no-entry
ok d_link_at(rw, NOFOLLOW, "f", rw, "nope/x") == no-entry
ok d_link_at(f, NOFOLLOW, "x", rw, "y") == not-directory
ok d_link_at(rw, NOFOLLOW, "../outside/secret", rw, "stolen") == not-permitted
ok d_link_at(rw, NOFOLLOW, "/etc/passwd", rw, "stolen") == not-permitted
ok d_link_at(rw, NOFOLLOW, "out/secret", rw, "stolen") == not-permitted
ok d_link_at(rw, NOFOLLOW, "abs/secret", rw, "stolen") == not-permitted
ok d_link_at(rw, FOLLOW, "ln", rw, "x") == invalid
ok d_link_at(rw, NOFOLLOW, "f", rw, "../planted") == not-permitted
ok d_link_at(rw, NOFOLLOW, "f", rw, "/planted") == not-permitted
ok d_link_at(rw, NOFOLLOW, "f", rw, "out/planted") == not-permitted
ok d_link_at(ro, NOFOLLOW, "r", rw, "r2") == read-only
ok d_link_at(rw, NOFOLLOW, "f", ro, "f2") == read-only
ok d_link_at(ro, NOFOLLOW, "r", ro, "r2") == read-only
ok link_target(rw, "ln") == f
ok link_target(rw, "out") == ../outside
ok link_target(ro, "rln") == r
ok link_target(rw, "f") == <invalid>
ok link_target(rw, "missing") == <no-entry>
ok link_target(f, "x") == <not-directory>
ok link_target(rw, "../outside/secret") == <not-permitted>
ok link_target(rw, "/etc/passwd") == <not-permitted>
ok link_target(rw, "out/x") == <not-permitted>
ok d_symlink_at(rw, "f", "s") == ok
ok link_target(rw, "s") == f
ok stat_at(rw, FOLLOW, "s").size == 5
ok d_symlink_at(sub, "g", "s2") == ok
ok link_target(rw, "sub/s2") == g
ok d_symlink_at(rw, "f", "s") == exist
ok d_symlink_at(rw, "f", "nope/s") == no-entry
ok d_symlink_at(f, "f", "s") == not-directory
ok d_symlink_at(rw, "/etc/passwd", "s3") == not-permitted
ok d_symlink_at(rw, "f", "../planted") == not-permitted
ok d_symlink_at(rw, "f", "/planted") == not-permitted
ok d_symlink_at(rw, "f", "out/planted") == not-permitted
ok d_symlink_at(rw, "../outside/secret", "esc") == ok
ok link_target(rw, "esc") == ../outside/secret
ok try_open(rw, FOLLOW, "esc", 0, DF_READ) == not-permitted
ok try_stat_at(rw, FOLLOW, "esc") == not-permitted
ok try_open(rw, FOLLOW, "esc", OF_TRUNCATE, DF_WRITE) == not-permitted
ok d_symlink_at(ro, "r", "s") == read-only
ok d_rename_at(rw, "w", sub, "w2") == ok
ok try_stat_at(rw, NOFOLLOW, "w") == no-entry
ok stat_at(rw, NOFOLLOW, "sub/w2").size == 6
ok d_rename_at(sub, "s2", rw, "s4") == ok
ok link_target(rw, "s4") == g
ok d_create_directory_at(rw, "d2") == ok
ok d_rename_at(rw, "d2", rw, "d3") == ok
ok stat_at(rw, NOFOLLOW, "d3").type == directory
ok d_rename_at(rw, "missing", rw, "x") == no-entry
ok d_rename_at(rw, "d3", rw, "full") == not-empty
ok d_rename_at(rw, "f", rw, "sub") == is-directory
ok d_rename_at(rw, "d3", rw, "f") == not-directory
ok d_rename_at(f, "x", rw, "y") == not-directory
ok d_rename_at(rw, "../outside/secret", rw, "stolen") == not-permitted
ok d_rename_at(rw, "/etc/passwd", rw, "stolen") == not-permitted
ok d_rename_at(rw, "out/secret", rw, "stolen") == not-permitted
ok d_rename_at(rw, "f", rw, "../planted") == not-permitted
ok d_rename_at(rw, "f", rw, "/planted") == not-permitted
ok d_rename_at(rw, "f", rw, "out/planted") == not-permitted
ok d_rename_at(ro, "r", rw, "r2") == read-only
ok d_rename_at(rw, "f", ro, "f2") == read-only
ok d_rename_at(ro, "r", ro, "r2") == read-only
ok d_unlink_file_at(rw, "s") == ok
ok try_stat_at(rw, NOFOLLOW, "s") == no-entry
ok d_unlink_file_at(rw, "s4") == ok
ok d_unlink_file_at(rw, "esc") == ok
ok d_unlink_file_at(rw, "s") == no-entry
ok d_unlink_file_at(rw, "sub") == is-directory
ok d_unlink_file_at(rw, "f/x") == not-directory
ok d_unlink_file_at(f, "x") == not-directory
ok d_unlink_file_at(rw, "../outside/secret") == not-permitted
ok d_unlink_file_at(rw, "/etc/passwd") == not-permitted
ok d_unlink_file_at(rw, "out/secret") == not-permitted
ok d_unlink_file_at(ro, "r") == read-only
ok d_unlink_file_at(ro, "rln") == read-only
ok d_remove_directory_at(rw, "d3") == ok
ok d_open_at(rw, NOFOLLOW, "f", 0, DF_READ, &again) == ok
ok d_open_at(rw, NOFOLLOW, ".", OF_DIRECTORY, DF_READ, &dot) == ok
ok d_open_at(sub, NOFOLLOW, "h", 0, DF_READ, &g) == ok
ok fs_is_same_object(f, f) == 1
ok fs_is_same_object(f, again) == 1
ok fs_is_same_object(f, g) == 1
ok fs_is_same_object(rw, dot) == 1
ok fs_is_same_object(f, w) == 0
ok fs_is_same_object(rw, ro) == 0
ok fs_is_same_object(rw, sub) == 0
ok fs_is_same_object(f, rw) == 0
ok d_metadata_hash(f, &hf) == ok
ok hf.lower != 0 || hf.upper != 0 == true
ok d_metadata_hash(again, &h) == ok
ok hash_eq(h, hf) == true
ok d_metadata_hash_at(rw, NOFOLLOW, "f", &h) == ok
ok hash_eq(h, hf) == true
ok d_metadata_hash_at(rw, FOLLOW, "ln", &h) == ok
ok hash_eq(h, hf) == true
ok d_metadata_hash_at(sub, NOFOLLOW, "h", &h) == ok
ok hash_eq(h, hf) == true
ok d_metadata_hash_at(rw, NOFOLLOW, "ln", &h) == ok
ok !hash_eq(h, hf) == true
ok d_metadata_hash(w, &h) == ok
ok !hash_eq(h, hf) == true
ok d_metadata_hash(rw, &hrw) == ok
ok d_metadata_hash(dot, &hdot) == ok
ok hash_eq(hrw, hdot) == true
ok d_metadata_hash_at(rw, NOFOLLOW, "sub/..", &h) == ok
ok hash_eq(h, hrw) == true
ok d_metadata_hash(ro, &h) == ok
ok !hash_eq(h, hrw) == true
ok d_metadata_hash(sub, &h) == ok
ok !hash_eq(h, hrw) && !hash_eq(h, hf) == true
ok d_metadata_hash_at(ro, NOFOLLOW, "r", &h) == ok
ok !hash_eq(h, hf) == true
ok try_hash_at(rw, NOFOLLOW, "missing") == no-entry
ok try_hash_at(f, NOFOLLOW, "x") == not-directory
ok try_hash_at(rw, NOFOLLOW, "..") == not-permitted
ok try_hash_at(rw, NOFOLLOW, "../outside/secret") == not-permitted
ok try_hash_at(rw, NOFOLLOW, "/etc/passwd") == not-permitted
ok try_hash_at(rw, FOLLOW, "out") == not-permitted
ok try_hash_at(rw, FOLLOW, "abs/secret") == not-permitted
"#;
