//! The symlink-swap race (DESIGN.md §2.2), shared by the module run (tests/sandbox.rs) and
//! the component run (tests/component_descriptor.rs): tests/guests/sandbox_race.c opens files
//! through `swap/` and `swapf` in a preopen while a host thread keeps exchanging them, with
//! `RENAME_EXCHANGE`, for symlinks that lead outside (half relative, half absolute). Nothing
//! outside may ever be opened.

use std::fs;
use std::os::unix::fs::symlink;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{Exit, Guest, Outcome, snapshot};

/// Runs the race: `run` runs the prepared guest (the preopen is `/data`, `iterations` its
/// argument) as a module or as a component. Panics unless nothing outside was opened or
/// changed, the race really happened, and the tree is as it was.
pub fn symlink_swap_race(iterations: u32, run: impl FnOnce(Guest) -> Outcome) {
    let tmp = tempfile::tempdir().unwrap();
    let top = tmp.path().canonicalize().unwrap();
    let outside = top.join("outside");
    let root = top.join("root");
    let staging = top.join("staging");
    for d in [&outside, &root.join("swap"), &staging] {
        fs::create_dir_all(d).unwrap();
    }
    fs::write(outside.join("secret"), "OUTSIDE-SECRET").unwrap();
    fs::write(root.join("swap/secret"), "INSIDE").unwrap();
    fs::write(root.join("swapf"), "INSIDE").unwrap();
    symlink("../outside/secret", staging.join("swapf")).unwrap();
    // Half the swaps use a relative link, half an absolute one (both lead out).
    symlink("../outside", staging.join("swap")).unwrap();
    symlink(&outside, staging.join("swap_abs")).unwrap();
    let outside_before = snapshot(&outside);

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps) = (stop.clone(), swaps.clone());
        let (root, staging) = (root.clone(), staging.clone());
        std::thread::spawn(move || {
            use rustix::fs::{CWD, RenameFlags, renameat_with};
            let target = root.join("swap");
            let mut relative = true;
            while !stop.load(Ordering::Relaxed) {
                // RENAME_EXCHANGE swaps the directory and the symlink atomically (the kernel
                // never shows a missing `swap`); the second exchange puts the directory back.
                let alt = staging.join(if relative { "swap" } else { "swap_abs" });
                renameat_with(CWD, &alt, CWD, &target, RenameFlags::EXCHANGE).unwrap();
                renameat_with(CWD, &alt, CWD, &target, RenameFlags::EXCHANGE).unwrap();
                let (f, alt_f) = (root.join("swapf"), staging.join("swapf"));
                renameat_with(CWD, &alt_f, CWD, &f, RenameFlags::EXCHANGE).unwrap();
                renameat_with(CWD, &alt_f, CWD, &f, RenameFlags::EXCHANGE).unwrap();
                swaps.fetch_add(4, Ordering::Relaxed);
                relative = !relative;
            }
        })
    };

    let out = run(Guest::new("sandbox_race")
        .dir(&root, "/data")
        .arg(iterations.to_string()));
    stop.store(true, Ordering::Relaxed);
    swapper.join().unwrap();

    assert_race_held(&out, swaps.load(Ordering::Relaxed));
    assert_eq!(snapshot(&outside), outside_before);
    assert!(root.join("swap").is_dir() && !root.join("swap").is_symlink());
    assert!(root.join("swapf").is_file() && !root.join("swapf").is_symlink());
}

/// Checks the `race inside=N failed=N outside=N other=N` report of the guest: nothing outside
/// was ever opened or read, the guest exited 0, and the race really happened (the host
/// swapped while it ran, and it saw both states: some opens inside, some refused).
#[track_caller]
fn assert_race_held(out: &Outcome, swaps: usize) {
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("race "))
        .unwrap_or_else(|| panic!("no report from the guest\n{}\n{}", out.stdout, out.stderr));
    let count = |key: &str| -> u64 {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in {line}"))
    };
    eprintln!("{line} swaps={swaps}");
    assert_eq!(count("outside"), 0, "opened the outside file: {line}");
    assert_eq!(count("other"), 0, "read something unexpected: {line}");
    assert_eq!(out.exit, Exit::Code(0), "{line}");
    assert!(swaps > 100, "only {swaps} swaps: {line}");
    assert!(count("inside") > 0, "never opened the inside file: {line}");
    assert!(
        count("failed") > 0,
        "no open was ever refused (no race?): {line}"
    );
}
