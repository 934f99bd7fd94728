//! `wasi:io` host methods on a `WasiP2<UnixSystem>` holding real pipes: non-blocking reads,
//! `check-write` budgets and their traps, readiness through `subscribe`/`ready`/`poll`,
//! blocking calls, splice, and the `error` resource.

use std::os::fd::OwnedFd;

use wasmtime::component::Resource;

use super::{InputStream, IoError, OutputStream, Pollable, StreamError};
use crate::abi::{Errno, Fd};
use crate::host::UnixSystem;
use crate::p2::WasiP2;
use crate::p2::bindings::wasi::io::error::HostError;
use crate::p2::bindings::wasi::io::poll::{Host as PollHost, HostPollable};
use crate::p2::bindings::wasi::io::streams::{HostInputStream, HostOutputStream};
use crate::system::System;
use crate::table::Limits;

fn b<T: 'static>(r: &Resource<T>) -> Resource<T> {
    Resource::new_borrow(r.rep())
}

/// A context whose fd 0 is the read end and fd 1 the write end of a pipe; the test keeps a
/// duplicate of the write end to feed the pipe from outside the guest.
fn pipe_ctx(nonblocking_writer: bool) -> (WasiP2<UnixSystem>, OwnedFd) {
    let (r, w) = rustix::pipe::pipe().unwrap();
    if nonblocking_writer {
        rustix::fs::fcntl_setfl(&w, rustix::fs::OFlags::NONBLOCK).unwrap();
    }
    let outside = rustix::io::dup(&w).unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    assert_eq!(sys.push_fd(r).unwrap(), 0);
    assert_eq!(sys.push_fd(w).unwrap(), 1);
    (WasiP2::new(sys), outside)
}

fn is_trap<T: std::fmt::Debug>(r: Result<T, StreamError>) -> bool {
    matches!(r, Err(StreamError::Trap(_)))
}

#[test]
fn pipe_reads_do_not_block_and_subscribe_tracks_data() {
    let (mut p2, _outside) = pipe_ctx(false);
    let input = p2.fd_input_stream(0).unwrap();
    let output = p2.fd_output_stream(1).unwrap();
    // Nothing written yet: an empty read, a pollable that is not ready.
    assert_eq!(HostInputStream::read(&mut p2, b(&input), 10).unwrap(), b"");
    assert_eq!(HostInputStream::skip(&mut p2, b(&input), 10).unwrap(), 0);
    let p = HostInputStream::subscribe(&mut p2, b(&input)).unwrap();
    assert!(!HostPollable::ready(&mut p2, b(&p)).unwrap());
    // The writer's pollable is ready; the budget is granted and spent.
    let wp = HostOutputStream::subscribe(&mut p2, b(&output)).unwrap();
    assert!(HostPollable::ready(&mut p2, b(&wp)).unwrap());
    let budget = HostOutputStream::check_write(&mut p2, b(&output)).unwrap();
    assert_eq!(budget, 4096);
    HostOutputStream::write(&mut p2, b(&output), b"hello".to_vec()).unwrap();
    // Now the reader is ready, alone or in a list.
    assert!(HostPollable::ready(&mut p2, b(&p)).unwrap());
    let far = p2
        .push_pollable(Pollable::MonotonicDeadline(u64::MAX))
        .unwrap();
    assert_eq!(
        PollHost::poll(&mut p2, vec![b(&far), b(&p), b(&wp)]).unwrap(),
        vec![1, 2]
    );
    HostPollable::block(&mut p2, b(&p)).unwrap();
    assert_eq!(
        HostInputStream::read(&mut p2, b(&input), 3).unwrap(),
        b"hel"
    );
    assert_eq!(HostInputStream::skip(&mut p2, b(&input), 100).unwrap(), 2);
    for r in [p, wp, far] {
        HostPollable::drop(&mut p2, r).unwrap();
    }
    HostInputStream::drop(&mut p2, input).unwrap();
    HostOutputStream::drop(&mut p2, output).unwrap();
    // Stdio-like fds open when the context was made stay open after their streams go.
    assert!(p2.system_mut().fd_fdstat_get(0).is_ok());
    assert!(p2.system_mut().fd_fdstat_get(1).is_ok());
}

#[test]
fn writes_beyond_the_budget_trap() {
    let (mut p2, _outside) = pipe_ctx(false);
    let output = p2.fd_output_stream(1).unwrap();
    // No check-write yet: nothing is permitted.
    assert!(is_trap(HostOutputStream::write(
        &mut p2,
        b(&output),
        vec![1]
    )));
    assert!(is_trap(HostOutputStream::write_zeroes(
        &mut p2,
        b(&output),
        1
    )));
    let budget = HostOutputStream::check_write(&mut p2, b(&output)).unwrap();
    HostOutputStream::write(&mut p2, b(&output), vec![0; budget as usize - 1]).unwrap();
    HostOutputStream::write_zeroes(&mut p2, b(&output), 1).unwrap();
    assert!(is_trap(HostOutputStream::write(
        &mut p2,
        b(&output),
        vec![1]
    )));
    // The blocking conveniences take at most 4096 bytes.
    assert!(is_trap(HostOutputStream::blocking_write_and_flush(
        &mut p2,
        b(&output),
        vec![0; 4097]
    )));
    assert!(is_trap(HostOutputStream::blocking_write_zeroes_and_flush(
        &mut p2,
        b(&output),
        u64::MAX
    )));
    HostOutputStream::blocking_flush(&mut p2, b(&output)).unwrap();
}

#[test]
fn a_full_pipe_grants_no_budget_until_drained() {
    let (mut p2, _outside) = pipe_ctx(true);
    let input = p2.fd_input_stream(0).unwrap();
    let output = p2.fd_output_stream(1).unwrap();
    // Fill the pipe through the system, non-blocking, until it refuses.
    let chunk = [7u8; 4096];
    let mut filled = 0usize;
    loop {
        match p2
            .system_mut()
            .fd_write(1, &[std::io::IoSlice::new(&chunk)])
        {
            Ok(n) => filled += n,
            Err(Errno::Again) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(filled > 0);
    assert_eq!(
        HostOutputStream::check_write(&mut p2, b(&output)).unwrap(),
        0
    );
    let wp = HostOutputStream::subscribe(&mut p2, b(&output)).unwrap();
    assert!(!HostPollable::ready(&mut p2, b(&wp)).unwrap());
    // Drain it: each read returns at most the bounded maximum, whatever is asked.
    let mut drained = 0usize;
    while drained < filled {
        let got = HostInputStream::read(&mut p2, b(&input), u64::MAX).unwrap();
        assert!(!got.is_empty() && got.len() <= super::streams::MAX_READ);
        drained += got.len();
    }
    assert!(HostPollable::ready(&mut p2, b(&wp)).unwrap());
    assert_eq!(
        HostOutputStream::check_write(&mut p2, b(&output)).unwrap(),
        4096
    );
}

#[test]
fn blocking_read_waits_for_the_writer_and_end_of_stream_closes() {
    let (mut p2, outside) = pipe_ctx(false);
    let input = p2.fd_input_stream(0).unwrap();
    // Only the outside end will write: close the guest's copy so that the end is seen.
    p2.system_mut().fd_close(1).unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        rustix::io::write(&outside, b"late").unwrap();
        drop(outside);
    });
    let mut got = Vec::new();
    loop {
        match HostInputStream::blocking_read(&mut p2, b(&input), 100) {
            Ok(bytes) => {
                // A blocking read returns data or the end, never nothing.
                assert!(!bytes.is_empty());
                got.extend(bytes);
            }
            Err(StreamError::Closed) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    writer.join().unwrap();
    assert_eq!(got, b"late");
    // Closed stays closed, and a closed stream's pollable is ready at once.
    assert!(matches!(
        HostInputStream::read(&mut p2, b(&input), 1),
        Err(StreamError::Closed)
    ));
    let p = HostInputStream::subscribe(&mut p2, b(&input)).unwrap();
    assert!(HostPollable::ready(&mut p2, b(&p)).unwrap());
}

#[test]
fn splice_moves_what_is_there() {
    let (mut p2, outside) = pipe_ctx(false);
    let input = p2.fd_input_stream(0).unwrap();
    // Splice from the pipe into an output stream over a second pipe.
    let (r2, w2) = rustix::pipe::pipe().unwrap();
    let w2_fd: Fd = p2
        .system_mut()
        .push_fd(w2)
        .unwrap_or_else(|e| panic!("{e}")) as Fd;
    let output = p2.fd_output_stream(w2_fd).unwrap();
    // Nothing to move yet.
    assert_eq!(
        HostOutputStream::splice(&mut p2, b(&output), b(&input), 100).unwrap(),
        0
    );
    rustix::io::write(&outside, b"spliced bytes").unwrap();
    assert_eq!(
        HostOutputStream::splice(&mut p2, b(&output), b(&input), 7).unwrap(),
        7
    );
    assert_eq!(
        HostOutputStream::blocking_splice(&mut p2, b(&output), b(&input), 100).unwrap(),
        6
    );
    let mut buf = [0u8; 32];
    let n = rustix::io::read(&r2, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"spliced bytes");
    // The second pipe's write end was opened after the context: the stream holds it, and it
    // is closed when the stream goes.
    HostOutputStream::drop(&mut p2, output).unwrap();
    assert_eq!(p2.system_mut().fd_fdstat_get(w2_fd), Err(Errno::Badf));
}

#[test]
fn closed_and_failed_streams() {
    let (mut p2, _outside) = pipe_ctx(false);
    // Streams over fds that are not open report closed at once.
    let i = p2.fd_input_stream(77).unwrap();
    let o = p2.fd_output_stream(78).unwrap();
    assert!(matches!(
        HostInputStream::blocking_read(&mut p2, b(&i), 1),
        Err(StreamError::Closed)
    ));
    assert!(matches!(
        HostOutputStream::check_write(&mut p2, b(&o)),
        Err(StreamError::Closed)
    ));
    assert!(matches!(
        HostOutputStream::blocking_write_and_flush(&mut p2, b(&o), vec![1]),
        Err(StreamError::Closed)
    ));
    // A write to a pipe whose reader is gone fails once with EPIPE, then is closed.
    p2.system_mut().fd_close(0).unwrap();
    let o = p2.fd_output_stream(1).unwrap();
    let r = HostOutputStream::blocking_write_and_flush(&mut p2, b(&o), b"x".to_vec());
    assert!(
        matches!(r, Err(StreamError::LastOperationFailed(Errno::Pipe))),
        "{r:?}"
    );
    assert!(matches!(
        HostOutputStream::flush(&mut p2, b(&o)),
        Err(StreamError::Closed)
    ));
    // The error resource describes itself.
    let e = p2.table().push(IoError::new(Errno::Pipe)).unwrap();
    assert_eq!(
        HostError::to_debug_string(&mut p2, b(&e)).unwrap(),
        "errno PIPE"
    );
    HostError::drop(&mut p2, e).unwrap();
    let _ = (InputStream::closed(), OutputStream::closed());
}

#[test]
fn poll_rules() {
    let (mut p2, _outside) = pipe_ctx(false);
    // An empty list traps (it would wait forever).
    assert!(PollHost::poll(&mut p2, vec![]).is_err());
    // Past deadlines are ready; a far one is not; `Ready` always is.
    let past = p2.push_pollable(Pollable::MonotonicDeadline(0)).unwrap();
    let far = p2
        .push_pollable(Pollable::MonotonicDeadline(u64::MAX))
        .unwrap();
    let ready = p2.push_pollable(Pollable::Ready).unwrap();
    assert!(HostPollable::ready(&mut p2, b(&past)).unwrap());
    assert!(!HostPollable::ready(&mut p2, b(&far)).unwrap());
    assert_eq!(
        PollHost::poll(&mut p2, vec![b(&far), b(&past), b(&far), b(&ready)]).unwrap(),
        vec![1, 3]
    );
    // The same pollable twice is reported at both positions.
    assert_eq!(
        PollHost::poll(&mut p2, vec![b(&ready), b(&ready)]).unwrap(),
        vec![0, 1]
    );
    // Many copies of a few pollables: each position is reported.
    let mut list = Vec::new();
    for _ in 0..10_000 {
        list.extend([b(&far), b(&ready)]);
    }
    let got = PollHost::poll(&mut p2, list).unwrap();
    assert_eq!(got.len(), 10_000);
    assert!(got.iter().all(|i| i % 2 == 1));
    HostPollable::block(&mut p2, b(&past)).unwrap();
    // A pollable handle that is not in the table traps.
    assert!(HostPollable::ready(&mut p2, Resource::new_borrow(9999)).is_err());
    // An fd pollable whose fd was closed underneath is ready (the next I/O reports why).
    let (r3, _w3) = rustix::pipe::pipe().unwrap();
    let fd = p2
        .system_mut()
        .push_fd(r3)
        .unwrap_or_else(|e| panic!("{e}")) as Fd;
    let fp = p2.push_pollable(Pollable::FdReadable(fd)).unwrap();
    p2.system_mut().fd_close(fd).unwrap();
    assert!(HostPollable::ready(&mut p2, b(&fp)).unwrap());
}
