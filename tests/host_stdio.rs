//! The host's stdio as the guest's fds 0–2 when the host process has closed one: the guest
//! gets a `/dev/null` of its own, held above fd 2 so that no later system borrows it as the
//! host's stdin (src/host/stdio.rs).
//!
//! Closing fd 0 would disturb every other test of a binary, so the test re-runs itself in a
//! child process that closes it first.

use capwasi::abi::{Filetype, Rights};
use capwasi::host::UnixSystem;
use capwasi::system::System;
use capwasi::table::Limits;

const CHILD: &str = "CAPWASI_HOST_STDIO_CHILD";

#[test]
fn a_closed_host_stdin_gives_the_guest_its_own_dev_null() {
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_closed_host_stdin_gives_the_guest_its_own_dev_null",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("child checks passed"),
            "child failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    // SAFETY: nothing in this process uses fd 0 (the harness reads no stdin).
    unsafe { rustix::io::close(0) };
    let mut first = UnixSystem::new(Limits::default());
    first.inherit_stdio().unwrap();
    // The host's fd 0 is still free: the guest's /dev/null sits above 2.
    assert_eq!(
        rustix::io::fcntl_getfd(rustix::stdio::stdin()).err(),
        Some(rustix::io::Errno::BADF)
    );
    let mut second = UnixSystem::new(Limits::default());
    second.inherit_stdio().unwrap();
    drop(first);
    // The first system's /dev/null is closed; the second has its own.
    let st = second.fd_fdstat_get(0).unwrap();
    assert_eq!(st.filetype, Filetype::CharacterDevice);
    assert!(st.rights_base.contains(Rights::FD_READ | Rights::FD_SEEK));
    let mut buf = [0u8; 8];
    let n = second
        .fd_read(0, &mut [std::io::IoSliceMut::new(&mut buf)])
        .unwrap();
    assert_eq!(n, 0, "end of file, as /dev/null gives");
    // Opened read-only, as a shell's `<` gives.
    assert!(second.fd_write(0, &[std::io::IoSlice::new(b"x")]).is_err());
    println!("child checks passed");
}
