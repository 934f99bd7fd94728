//! `path_*` calls: string decoding, flag decoding, out-pointers.

use super::fake::{Fake, PREOPEN_FD};
use super::{BAD_FDS, MEM, Mem, err};
use crate::abi::{Errno, Rights};
use crate::p1::calls::*;

const TOP: u32 = MEM as u32;

fn setup() -> (Fake, Mem) {
    let mut m = Mem::new();
    m.put(1000, b"dir/file.txt");
    m.put(1100, b"new name");
    m.put(1200, b"bad\xff");
    m.put(TOP - 3, b"end");
    (Fake::default(), m)
}

#[test]
fn open_passes_everything_through() {
    let (mut sys, mut m) = setup();
    path_open(
        &mut sys,
        &mut m.0,
        PREOPEN_FD,
        1,
        1000,
        12,
        0b1001,
        u64::MAX,
        0x42,
        0x1,
        8,
    )
    .unwrap();
    let all = Rights::all().bits();
    assert_eq!(
        sys.last(),
        format!("path_open(3,1,\"dir/file.txt\",0x9,{all:#x},0x42,0x1)")
    );
    assert_eq!(m.u32(8), 5);
    // A path at the very end of memory, and the empty path.
    path_open(&mut sys, &mut m.0, PREOPEN_FD, 0, TOP - 3, 3, 0, 0, 0, 0, 8).unwrap();
    assert!(sys.last().starts_with("path_open(3,0,\"end\""));
    path_open(&mut sys, &mut m.0, PREOPEN_FD, 0, TOP, 0, 0, 0, 0, 0, 8).unwrap();
    assert!(sys.last().starts_with("path_open(3,0,\"\""));
}

#[test]
fn open_hostile() {
    let (mut sys, mut m) = setup();
    let mem = &mut m.0;
    let calls = sys.log.len();
    let open = |sys: &mut Fake, mem: &mut [u8], dirflags, path, len, oflags, fdflags, out| {
        path_open(
            sys, mem, PREOPEN_FD, dirflags, path, len, oflags, 0, 0, fdflags, out,
        )
    };
    assert_eq!(err(open(&mut sys, mem, 2, 1000, 12, 0, 0, 8)), Errno::Inval);
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, 12, 0x10, 0, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, 12, 0x1_0000, 0, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, 12, 0, 0x20, 8)),
        Errno::Inval
    );
    assert_eq!(err(open(&mut sys, mem, 0, 1200, 4, 0, 0, 8)), Errno::Ilseq);
    assert_eq!(
        err(open(&mut sys, mem, 0, TOP - 3, 4, 0, 0, 8)),
        Errno::Fault
    );
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, u32::MAX, 0, 0, 8)),
        Errno::Fault
    );
    assert_eq!(
        err(open(&mut sys, mem, 0, u32::MAX, 2, 0, 0, 8)),
        Errno::Fault
    );
    // A bad out-pointer is refused before the host opens anything: no fd can leak.
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, 12, 0, 0, TOP - 2)),
        Errno::Fault
    );
    assert_eq!(
        err(open(&mut sys, mem, 0, 1000, 12, 0, 0, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(err(open(&mut sys, mem, 0, 1000, 12, 0, 0, 6)), Errno::Inval);
    assert_eq!(sys.log.len(), calls);
    for fd in BAD_FDS {
        assert_eq!(
            err(path_open(&mut sys, mem, fd, 0, 1000, 12, 0, 0, 0, 0, 8)),
            Errno::Badf
        );
    }
}

#[test]
fn filestat() {
    let (mut sys, mut m) = setup();
    path_filestat_get(&mut sys, &mut m.0, PREOPEN_FD, 1, 1000, 3, 64).unwrap();
    assert_eq!(sys.last(), "path_filestat_get(3,1,\"dir\")");
    assert_eq!((m.u64(72), m.0[80], m.u64(88)), (9, 3, 2));
    assert_eq!(
        err(path_filestat_get(
            &mut sys, &mut m.0, PREOPEN_FD, 2, 1000, 3, 64
        )),
        Errno::Inval
    );
    assert_eq!(
        err(path_filestat_get(
            &mut sys, &mut m.0, PREOPEN_FD, 0, 1000, 3, 60
        )),
        Errno::Inval
    );
    assert_eq!(
        err(path_filestat_get(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            0,
            1000,
            3,
            TOP - 8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(path_filestat_get(
            &mut sys, &mut m.0, PREOPEN_FD, 0, 1200, 4, 64
        )),
        Errno::Ilseq
    );

    path_filestat_set_times(&mut sys, &mut m.0, PREOPEN_FD, 0, 1100, 8, 1, 2, 0b1010).unwrap();
    assert_eq!(
        sys.last(),
        "path_filestat_set_times(3,0,\"new name\",1,2,0xa)"
    );
    let set = |sys: &mut Fake, mem: &mut [u8], flags, path, len, fst| {
        path_filestat_set_times(sys, mem, PREOPEN_FD, flags, path, len, 0, 0, fst)
    };
    assert_eq!(err(set(&mut sys, &mut m.0, 0, 1100, 8, 0x10)), Errno::Inval);
    assert_eq!(
        err(set(&mut sys, &mut m.0, 0x100, 1100, 8, 0)),
        Errno::Inval
    );
    assert_eq!(err(set(&mut sys, &mut m.0, 0, TOP, 1, 0)), Errno::Fault);
}

#[test]
fn two_path_calls_keep_argument_order() {
    let (mut sys, mut m) = setup();
    path_link(&mut sys, &mut m.0, 3, 1, 1000, 12, 4, 1100, 8).unwrap();
    assert_eq!(sys.last(), "path_link(3,1,\"dir/file.txt\",4,\"new name\")");
    path_rename(&mut sys, &mut m.0, 3, 1000, 3, 4, 1100, 3).unwrap();
    assert_eq!(sys.last(), "path_rename(3,\"dir\",4,\"new\")");
    path_symlink(&mut sys, &mut m.0, 1000, 12, 5, 1100, 8).unwrap();
    assert_eq!(sys.last(), "path_symlink(\"dir/file.txt\",5,\"new name\")");

    assert_eq!(
        err(path_link(&mut sys, &mut m.0, 3, 2, 1000, 12, 4, 1100, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(path_link(&mut sys, &mut m.0, 3, 0, 1000, 12, 4, 1200, 4)),
        Errno::Ilseq
    );
    assert_eq!(
        err(path_rename(&mut sys, &mut m.0, 3, 1000, 3, 4, TOP, 1)),
        Errno::Fault
    );
    assert_eq!(
        err(path_symlink(&mut sys, &mut m.0, u32::MAX, 1, 5, 1100, 8)),
        Errno::Fault
    );
    for fd in BAD_FDS {
        assert_eq!(
            err(path_link(&mut sys, &mut m.0, fd, 0, 1000, 3, 3, 1100, 3)),
            Errno::Badf
        );
        assert_eq!(
            err(path_link(&mut sys, &mut m.0, 3, 0, 1000, 3, fd, 1100, 3)),
            Errno::Badf
        );
        assert_eq!(
            err(path_rename(&mut sys, &mut m.0, 3, 1000, 3, fd, 1100, 3)),
            Errno::Badf
        );
        assert_eq!(
            err(path_symlink(&mut sys, &mut m.0, 1000, 3, fd, 1100, 3)),
            Errno::Badf
        );
    }
}

#[test]
fn one_path_calls() {
    let (mut sys, mut m) = setup();
    type Call = fn(&mut Fake, &mut [u8], u32, u32, u32) -> Result<(), Errno>;
    let calls: [(Call, &str); 3] = [
        (path_create_directory, "path_create_directory"),
        (path_remove_directory, "path_remove_directory"),
        (path_unlink_file, "path_unlink_file"),
    ];
    for (call, name) in calls {
        call(&mut sys, &mut m.0, 3, 1000, 12).unwrap();
        assert_eq!(sys.last(), format!("{name}(3,\"dir/file.txt\")"));
        assert_eq!(err(call(&mut sys, &mut m.0, 3, 1200, 4)), Errno::Ilseq);
        assert_eq!(err(call(&mut sys, &mut m.0, 3, TOP - 1, 2)), Errno::Fault);
        assert_eq!(
            err(call(&mut sys, &mut m.0, 3, 0xffff_fff0, 0x20)),
            Errno::Fault
        );
        for fd in BAD_FDS {
            assert_eq!(err(call(&mut sys, &mut m.0, fd, 1000, 12)), Errno::Badf);
        }
    }
}

#[test]
fn readlink() {
    let (mut sys, mut m) = setup();
    path_readlink(&mut sys, &mut m.0, 3, 1000, 3, 2000, 100, 8).unwrap();
    assert_eq!(sys.last(), "path_readlink(3,\"dir\",100)");
    assert_eq!(m.u32(8), 14);
    assert_eq!(m.get(2000, 15), b"target/of/link\0");
    // Truncated to the buffer.
    path_readlink(&mut sys, &mut m.0, 3, 1000, 3, 3000, 6, 8).unwrap();
    assert_eq!(m.u32(8), 6);
    assert_eq!(m.get(3000, 7), b"target\0");
    // The buffer may overlap the path: the path is read before the buffer is written.
    path_readlink(&mut sys, &mut m.0, 3, 1000, 12, 1000, 20, 8).unwrap();
    assert_eq!(sys.last(), "path_readlink(3,\"dir/file.txt\",20)");
    assert_eq!(m.get(1000, 14), b"target/of/link");

    let calls = sys.log.len();
    assert_eq!(
        err(path_readlink(
            &mut sys, &mut m.0, 3, 1100, 3, 2000, 100, TOP
        )),
        Errno::Fault
    );
    assert_eq!(
        err(path_readlink(&mut sys, &mut m.0, 3, 1100, 3, 2000, 100, 2)),
        Errno::Inval
    );
    assert_eq!(
        err(path_readlink(
            &mut sys,
            &mut m.0,
            3,
            1100,
            3,
            TOP - 50,
            100,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(path_readlink(
            &mut sys,
            &mut m.0,
            3,
            1100,
            3,
            2000,
            u32::MAX,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(path_readlink(&mut sys, &mut m.0, 3, 1200, 4, 2000, 100, 8)),
        Errno::Ilseq
    );
    assert_eq!(sys.log.len(), calls);
    for fd in BAD_FDS {
        assert_eq!(
            err(path_readlink(&mut sys, &mut m.0, fd, 1100, 3, 2000, 100, 8)),
            Errno::Badf
        );
    }
}
