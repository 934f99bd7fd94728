//! `sock_*` calls.

use super::fake::Fake;
use super::{BAD_FDS, MEM, Mem, err};
use crate::abi::Errno;
use crate::p1::calls::*;

const TOP: u32 = MEM as u32;

#[test]
fn accept() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    sock_accept(&mut sys, &mut m.0, 6, 4, 8).unwrap();
    assert_eq!(sys.last(), "sock_accept(6,0x4)");
    assert_eq!(m.u32(8), 5);
    let calls = sys.log.len();
    assert_eq!(
        err(sock_accept(&mut sys, &mut m.0, 6, 0x20, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_accept(&mut sys, &mut m.0, 6, 0, TOP - 3)),
        Errno::Fault
    );
    assert_eq!(err(sock_accept(&mut sys, &mut m.0, 6, 0, 9)), Errno::Inval);
    assert_eq!(
        sys.log.len(),
        calls,
        "no connection is accepted that could not be reported"
    );
    for fd in BAD_FDS {
        assert_eq!(err(sock_accept(&mut sys, &mut m.0, fd, 0, 8)), Errno::Badf);
    }
}

#[test]
fn recv_send_shutdown() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put_iovs(64, &[(2000, 5)]);
    sock_recv(&mut sys, &mut m.0, 6, 64, 1, 1, 16, 20).unwrap();
    assert_eq!(sys.last(), "sock_recv(6,1,0x1)");
    assert_eq!((m.u32(16), m.u16(20)), (5, 1));
    assert_eq!(m.get(2000, 5), b"hello");

    let calls = sys.log.len();
    assert_eq!(
        err(sock_recv(&mut sys, &mut m.0, 6, 64, 1, 4, 16, 20)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_recv(&mut sys, &mut m.0, 6, 64, 1, 0, 16, 21)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_recv(&mut sys, &mut m.0, 6, 64, 1, 0, TOP, 20)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_recv(&mut sys, &mut m.0, 6, 64, 1, 0, 16, TOP - 1)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_recv(&mut sys, &mut m.0, 6, 64, 0x7fff_ffff, 0, 16, 20)),
        Errno::Inval
    );
    assert_eq!(sys.log.len(), calls);

    m.put(3000, b"ping");
    m.put_iovs(64, &[(3000, 4)]);
    sock_send(&mut sys, &mut m.0, 6, 64, 1, 0, 16).unwrap();
    assert_eq!(sys.output, b"ping");
    assert_eq!(m.u32(16), 4);
    assert_eq!(
        err(sock_send(&mut sys, &mut m.0, 6, 64, 1, 1, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(sock_send(&mut sys, &mut m.0, 6, 64, 1, 0, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(
        err(sock_send(&mut sys, &mut m.0, 6, TOP - 4, 1, 0, 16)),
        Errno::Fault
    );

    sock_shutdown(&mut sys, &mut m.0, 6, 3).unwrap();
    assert_eq!(sys.last(), "sock_shutdown(6,0x3)");
    assert_eq!(err(sock_shutdown(&mut sys, &mut m.0, 6, 4)), Errno::Inval);
    assert_eq!(
        err(sock_shutdown(&mut sys, &mut m.0, 6, 0x101)),
        Errno::Inval
    );
    for fd in BAD_FDS {
        assert_eq!(
            err(sock_recv(&mut sys, &mut m.0, fd, 64, 1, 0, 16, 20)),
            Errno::Badf
        );
        assert_eq!(
            err(sock_send(&mut sys, &mut m.0, fd, 64, 1, 0, 16)),
            Errno::Badf
        );
        assert_eq!(err(sock_shutdown(&mut sys, &mut m.0, fd, 1)), Errno::Badf);
    }
}
