//! Hostile arguments to every preview 1 import family, from WAT guests that call the imports
//! directly (tests/guests/hostile_*.wat): out-of-bounds and wrapping pointers, huge lengths
//! and counts, unknown enum values and flag bits, bad fd numbers. Each export makes one call
//! with exactly one thing wrong and returns the errno; the table below says which errno is
//! right. No call may trap, and the instance must still work afterwards (DESIGN.md §2.5, §2.7).

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::path::Path;

use capwasi::abi::Errno;
use capwasi::host::UnixSystem;
use capwasi::p1::add_to_linker;
use capwasi::table::Limits;
use wasmtime::{Engine, Linker, Module, Store};

use Errno::*;

/// Runs every export of `tests/guests/NAME.wat` listed in `expected`, in order, then `alive`.
/// Fails listing every mismatch and trap at once, and if the module has exports the table
/// does not cover (so an added case cannot go unchecked).
fn run_family(name: &str, expected: &[(&str, Errno)]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "hello").unwrap();
    std::os::unix::fs::symlink("f", dir.path().join("l")).unwrap();

    let mut stdin = tempfile::tempfile().unwrap();
    stdin.write_all(b"stdin-data").unwrap();
    stdin.seek(SeekFrom::Start(0)).unwrap();
    let mut stdout = tempfile::tempfile().unwrap();
    let stderr = tempfile::tempfile().unwrap();

    let mut sys = UnixSystem::new(Limits::default());
    sys.set_args(vec![b"hostile".to_vec(), b"arg1".to_vec()])
        .unwrap();
    sys.set_env(vec![b"K=V".to_vec(), b"A=B".to_vec()]).unwrap();
    for f in [&stdin, &stdout, &stderr] {
        sys.push_fd(OwnedFd::from(f.try_clone().unwrap())).unwrap();
    }
    assert_eq!(sys.preopen_dir(dir.path(), "/data", false).unwrap(), 3);

    let engine = Engine::default();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/guests/{name}.wat"));
    let module = Module::from_file(&engine, &path).unwrap();
    let mut linker: Linker<UnixSystem> = Linker::new(&engine);
    add_to_linker(&mut linker, |s: &mut UnixSystem| s).unwrap();
    let mut store = Store::new(&engine, sys);
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let exported: Vec<String> = module
        .exports()
        .map(|e| e.name().to_string())
        .filter(|n| !["memory", "_start", "alive"].contains(&n.as_str()))
        .collect();
    let listed: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        exported, listed,
        "{name}: the table must list every export, in module order"
    );

    let mut problems = Vec::new();
    for (export, want) in expected {
        let f = instance
            .get_typed_func::<(), i32>(&mut store, export)
            .unwrap();
        match f.call(&mut store, ()) {
            Ok(got) if got == i32::from(want.raw()) => {}
            Ok(got) => {
                let got_name = u16::try_from(got)
                    .ok()
                    .and_then(Errno::from_raw)
                    .map_or_else(
                        || format!("{got} (not an errno)"),
                        |e| format!("E{}", e.name()),
                    );
                problems.push(format!("{export}: got {got_name}, want {want}"));
            }
            Err(e) => problems.push(format!("{export}: TRAPPED: {e:?}")),
        }
    }

    // Every module with a memory has `alive`; the memory-less one cannot write anything.
    let want_stdout = match instance.get_typed_func::<(), i32>(&mut store, "alive") {
        Ok(alive) => {
            match alive.call(&mut store, ()) {
                Ok(0) => {}
                other => problems.push(format!("alive: {other:?} (instance unusable afterwards)")),
            }
            "alive\n"
        }
        Err(_) => "",
    };
    drop(store);

    let mut out = String::new();
    stdout.seek(SeekFrom::Start(0)).unwrap();
    stdout.read_to_string(&mut out).unwrap();
    // Only `alive` may have written: a write whose out-pointer was bad must fail before
    // writing (the p1 layer checks out-pointers first, so the guest never loses a result).
    if out != want_stdout {
        problems.push(format!("stdout is {out:?}, want {want_stdout:?}"));
    }
    assert!(
        problems.is_empty(),
        "{name}: {} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn pointers_and_lengths() {
    run_family(
        "hostile_mem",
        &[
            ("fd_write_iovs_ffffffff", Fault),
            ("fd_write_iovs_at_memsize", Fault),
            ("fd_write_iovs_straddles_end", Fault),
            ("fd_write_buf_wraps", Fault),
            ("fd_write_buf_straddles_end", Fault),
            ("fd_write_buf_longer_than_memory", Fault),
            // More buffers than readv/writev accept (IOV_MAX): EINVAL, as writev(2).
            ("fd_write_iovs_len_7fffffff", Inval),
            ("fd_write_iovs_len_1025", Inval),
            ("fd_write_nwritten_ffffffff", Fault),
            ("fd_write_nwritten_memsize_minus_2", Fault),
            // The last byte of memory, for a multi-byte result: out of bounds is checked before
            // alignment, so this is EFAULT rather than EINVAL.
            ("fd_write_nwritten_memsize_minus_1", Fault),
            ("fd_seek_out_memsize_minus_1", Fault),
            ("fd_filestat_get_memsize_minus_1", Fault),
            ("fd_read_buf_straddles_end", Fault),
            ("fd_read_nread_memsize", Fault),
            ("fd_read_iovs_len_7fffffff", Inval),
            ("fd_pread_buf_wraps", Fault),
            ("fd_pwrite_buf_longer_than_memory", Fault),
            ("fd_fdstat_get_ffffffff", Fault),
            ("fd_fdstat_get_memsize_minus_8", Fault),
            ("fd_filestat_get_memsize_minus_32", Fault),
            ("fd_prestat_get_memsize", Fault),
            // Only the name's bytes are written, so a huge length is fine where the name fits
            // (wasmtime does the same) and a fault where it does not.
            ("fd_prestat_dir_name_huge_len", Success),
            ("fd_prestat_dir_name_name_past_end", Fault),
            ("fd_prestat_dir_name_too_short", Nametoolong),
            ("fd_readdir_buf_straddles_end", Fault),
            ("fd_readdir_bufused_ffffffff", Fault),
            ("fd_seek_out_memsize", Fault),
            ("fd_tell_out_ffffffff", Fault),
            ("clock_time_get_out_memsize", Fault),
            ("clock_time_get_out_fffffff8", Fault),
            ("clock_res_get_out_memsize", Fault),
            ("args_sizes_get_argc_ffffffff", Fault),
            ("args_sizes_get_size_memsize", Fault),
            ("args_get_argv_oob", Fault),
            ("args_get_buf_straddles_end", Fault),
            ("environ_get_buf_straddles_end", Fault),
            ("environ_get_environ_oob", Fault),
            ("environ_sizes_get_oob", Fault),
            ("random_get_huge_len", Fault),
            ("random_get_straddles_end", Fault),
            ("random_get_wraps", Fault),
            ("random_get_empty_at_end", Success),
            ("random_get_whole_tail", Success),
            ("poll_oneoff_nsubs_0", Inval),
            // 2^28 subscriptions would be 12 GiB: the array check fails before any allocation.
            ("poll_oneoff_nsubs_2pow28", Fault),
            ("poll_oneoff_nsubs_ffffffff", Fault),
            ("poll_oneoff_in_oob", Fault),
            ("poll_oneoff_out_oob", Fault),
            ("poll_oneoff_nevents_oob", Fault),
            ("path_open_path_wraps", Fault),
            ("path_open_path_len_7fffffff", Fault),
            ("path_open_path_not_utf8", Ilseq),
            ("path_open_fd_out_oob", Fault),
            // Returns fd - 4: the failed opens above leaked nothing, so the next fd is 4.
            ("path_open_after_faults_gets_fd_4", Success),
            ("path_filestat_get_out_memsize_minus_16", Fault),
            ("path_filestat_get_path_oob", Fault),
            ("path_readlink_buf_straddles_end", Fault),
            ("path_readlink_bufused_oob", Fault),
            ("path_symlink_old_oob", Fault),
            ("path_symlink_new_not_utf8", Ilseq),
            ("path_link_new_oob", Fault),
            ("path_rename_old_oob", Fault),
            ("path_unlink_file_path_len_huge", Fault),
            ("path_create_directory_path_oob", Fault),
            ("path_remove_directory_not_utf8", Ilseq),
            ("sock_accept_out_oob", Fault),
            ("fd_pwrite_iovs_len_7fffffff", Inval),
            ("fd_write_iovs_len_0", Success),
            // The event array may overlap the subscriptions (they are decoded before any
            // event is written); the export also checks the event and nevents it got back.
            ("poll_oneoff_in_and_out_overlap", Success),
        ],
    );
}

#[test]
fn unknown_values_and_flags() {
    run_family(
        "hostile_values",
        &[
            ("fd_seek_whence_3", Inval),
            ("fd_seek_whence_ffffffff", Inval),
            ("fd_seek_negative_result", Inval),
            ("fd_advise_advice_6", Inval),
            ("clock_time_get_clockid_4", Inval),
            ("clock_res_get_clockid_ffffffff", Inval),
            ("proc_raise_signal_200", Inval),
            ("poll_oneoff_eventtype_3", Inval),
            ("poll_oneoff_clockid_4", Inval),
            ("path_open_oflags_0x10", Inval),
            ("path_open_fdflags_0x20", Inval),
            // A NUL inside a path (the bytes after it say "../../x"): EINVAL before any syscall.
            ("path_open_path_with_nul", Inval),
            ("path_unlink_file_path_with_nul", Inval),
            ("path_open_lookupflags_2", Inval),
            ("path_filestat_get_lookupflags_2", Inval),
            ("path_filestat_set_times_fstflags_0x10", Inval),
            ("path_link_lookupflags_2", Inval),
            ("fd_fdstat_set_flags_0x20", Inval),
            ("fd_filestat_set_times_fstflags_0x10", Inval),
            ("fd_filestat_set_times_atim_and_atim_now", Inval),
            // Flag bits are decoded before the fd is looked at (stdout is not a socket).
            ("sock_shutdown_how_4", Inval),
            ("sock_recv_riflags_4", Inval),
            ("sock_send_siflags_1", Inval),
            ("sock_accept_fdflags_0x20", Inval),
            ("fd_fdstat_set_rights_grow", Notcapable),
            // Misaligned record pointers: EINVAL, as wasmtime's wiggle answers.
            ("fd_fdstat_get_misaligned", Inval),
            ("clock_time_get_misaligned", Inval),
        ],
    );
}

#[test]
fn bad_fds() {
    run_family(
        "hostile_fd",
        &[
            ("fd_close_minus_1", Badf),
            ("fd_close_7fffffff", Badf),
            ("fd_write_minus_1", Badf),
            ("fd_read_7fffffff", Badf),
            ("fd_fdstat_get_minus_1", Badf),
            ("fd_seek_minus_1", Badf),
            ("fd_tell_7fffffff", Badf),
            ("fd_sync_minus_1", Badf),
            ("fd_advise_minus_1", Badf),
            ("fd_allocate_7fffffff", Badf),
            ("fd_filestat_get_minus_1", Badf),
            ("fd_readdir_minus_1", Badf),
            ("fd_readdir_on_a_file", Notdir),
            // Renumbering onto a huge (closed) fd is EBADF, never a huge table.
            ("fd_renumber_to_7fffffff", Badf),
            ("fd_renumber_to_ffffffff", Badf),
            ("fd_renumber_from_7fffffff", Badf),
            ("fd_renumber_minus_1_to_itself", Badf),
            ("fd_renumber_1_to_itself", Success),
            ("fd_prestat_get_minus_1", Badf),
            ("fd_prestat_get_stdout", Badf),
            ("fd_prestat_dir_name_stdout", Badf),
            ("path_open_dirfd_minus_1", Badf),
            ("path_open_dirfd_is_a_file", Notdir),
            ("path_filestat_get_dirfd_7fffffff", Badf),
            ("path_link_new_fd_minus_1", Badf),
            ("path_rename_new_fd_7fffffff", Badf),
            ("path_symlink_fd_minus_1", Badf),
            ("sock_accept_minus_1", Badf),
            ("sock_recv_7fffffff", Badf),
            ("sock_send_minus_1", Badf),
            ("sock_shutdown_minus_1", Badf),
            // A bad fd in a subscription is an error *event*; the call itself succeeds (the
            // export returns the event's error after checking nevents and userdata).
            ("poll_fd_read_bad_fd_is_an_event", Badf),
            ("fd_close_stdin_then_read", Badf),
        ],
    );
}

#[test]
fn module_without_memory() {
    run_family(
        "hostile_nomem",
        &[
            ("sched_yield", Success),
            ("fd_close_minus_1", Badf),
            ("fd_sync_stdout", Success),
            ("fd_renumber_2_to_2", Success),
            ("fd_write_no_memory", Fault),
            ("clock_time_get_no_memory", Fault),
            ("args_sizes_get_no_memory", Fault),
            ("random_get_empty", Success),
            ("random_get_no_memory", Fault),
            ("path_create_directory_no_memory", Fault),
            ("poll_oneoff_no_memory", Fault),
        ],
    );
}
