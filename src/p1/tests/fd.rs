//! `fd_*` calls: valid and hostile arguments.

use super::fake::{Fake, PREOPEN_FD};
use super::{BAD_FDS, MEM, Mem, err};
use crate::abi::{Dirent, Errno, Rights};
use crate::p1::calls::*;

const TOP: u32 = MEM as u32;

#[test]
fn write_gathers_and_reports() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put(1000, b"hello ");
    m.put(2001, b"world");
    m.put_iovs(64, &[(1000, 6), (5000, 0), (2001, 5)]);
    fd_write(&mut sys, &mut m.0, 1, 64, 3, 16).unwrap();
    assert_eq!(sys.output, b"hello world");
    assert_eq!(sys.last(), "fd_write(1,2)");
    assert_eq!(m.u32(16), 11);

    fd_pwrite(&mut sys, &mut m.0, 1, 64, 1, 99, 20).unwrap();
    assert_eq!(sys.last(), "fd_pwrite(1,1,99)");
    assert_eq!(m.u32(20), 6);

    // Zero iovecs: a zero-byte write.
    fd_write(&mut sys, &mut m.0, 1, 64, 0, 16).unwrap();
    assert_eq!(m.u32(16), 0);
}

#[test]
fn write_hostile() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put_iovs(64, &[(1000, 6)]);
    for fd in BAD_FDS {
        assert_eq!(
            err(fd_write(&mut sys, &mut m.0, fd, 64, 1, 16)),
            Errno::Badf
        );
    }
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 64, 0x7fff_ffff, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 64, 1025, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, TOP - 4, 1, 16)),
        Errno::Fault
    );
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 66, 1, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_pwrite(&mut sys, &mut m.0, 1, u32::MAX - 3, 1, 0, 16)),
        Errno::Fault
    );
    m.put_iovs(72, &[(TOP - 2, 3)]);
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 64, 2, 16)),
        Errno::Fault
    );
    m.put_iovs(72, &[(u32::MAX - 1, 4)]);
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 72, 1, 16)),
        Errno::Fault
    );

    let calls = sys.log.len();
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 64, 1, TOP)),
        Errno::Fault
    );
    assert_eq!(
        err(fd_write(&mut sys, &mut m.0, 1, 64, 1, 18)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_pwrite(&mut sys, &mut m.0, 1, 64, 1, 0, u32::MAX)),
        Errno::Fault
    );
    assert_eq!(
        sys.log.len(),
        calls,
        "nothing is written when nwritten cannot be reported"
    );
    assert!(sys.output.is_empty());
}

#[test]
fn read_scatters_into_disjoint_buffers() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    // Buffers in reverse address order, plus an empty one.
    m.put_iovs(64, &[(3000, 5), (0, 0), (2000, 3)]);
    fd_read(&mut sys, &mut m.0, 0, 64, 3, 16).unwrap();
    assert_eq!(sys.last(), "fd_read(0,2)");
    assert_eq!(m.u32(16), 8);
    assert_eq!(m.get(3000, 5), b"hello");
    assert_eq!(m.get(2000, 3), b", w");
    assert_eq!(sys.input, b"orld");

    fd_pread(&mut sys, &mut m.0, 0, 64, 1, 7, 20).unwrap();
    assert_eq!(sys.last(), "fd_pread(0,1,7)");
    assert_eq!(m.u32(20), 4);
    assert_eq!(m.get(3000, 5), b"orldo");
}

#[test]
fn read_overlapping_buffers_use_the_first() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put_iovs(64, &[(2000, 4), (2002, 4)]);
    fd_read(&mut sys, &mut m.0, 0, 64, 2, 16).unwrap();
    assert_eq!(sys.last(), "fd_read(0,1)");
    assert_eq!(m.u32(16), 4);
    assert_eq!(m.get(2000, 6), b"hell\0\0");
    // nread may even point into the buffer; it is written last.
    m.put_iovs(64, &[(16, 8)]);
    fd_read(&mut sys, &mut m.0, 0, 64, 1, 16).unwrap();
    assert_eq!(m.u32(16), 8);
    assert_eq!(m.get(20, 4), b"orld");
}

#[test]
fn read_hostile() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    m.put_iovs(64, &[(2000, 4)]);
    for fd in BAD_FDS {
        assert_eq!(err(fd_read(&mut sys, &mut m.0, fd, 64, 1, 16)), Errno::Badf);
    }
    assert_eq!(
        err(fd_read(&mut sys, &mut m.0, 0, 64, 0x7fff_ffff, 16)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_read(&mut sys, &mut m.0, 0, TOP, 1, 16)),
        Errno::Fault
    );
    m.put_iovs(64, &[(TOP - 3, 4)]);
    assert_eq!(err(fd_read(&mut sys, &mut m.0, 0, 64, 1, 16)), Errno::Fault);
    m.put_iovs(64, &[(0xffff_fffc, 8)]);
    assert_eq!(
        err(fd_pread(&mut sys, &mut m.0, 0, 64, 1, 0, 16)),
        Errno::Fault
    );
    m.put_iovs(64, &[(2000, 4)]);
    assert_eq!(
        err(fd_read(&mut sys, &mut m.0, 0, 64, 1, TOP - 2)),
        Errno::Fault
    );
    assert_eq!(err(fd_read(&mut sys, &mut m.0, 0, 64, 1, 17)), Errno::Inval);
    assert_eq!(
        sys.input, b"hello, world",
        "no input is consumed without a place for nread"
    );
}

#[test]
fn seek_tell() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    fd_seek(&mut sys, &mut m.0, 4, -5, 1, 8).unwrap();
    assert_eq!(sys.last(), "fd_seek(4,-5,Cur)");
    assert_eq!(m.u64(8), 5);
    fd_tell(&mut sys, &mut m.0, 4, 8).unwrap();
    assert_eq!(m.u64(8), 77);

    let calls = sys.log.len();
    assert_eq!(err(fd_seek(&mut sys, &mut m.0, 4, 0, 3, 8)), Errno::Inval);
    assert_eq!(
        err(fd_seek(&mut sys, &mut m.0, 4, 0, 0x100, 8)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_seek(&mut sys, &mut m.0, 4, 0, 0, TOP - 4)),
        Errno::Fault
    );
    assert_eq!(err(fd_seek(&mut sys, &mut m.0, 4, 0, 0, 4)), Errno::Inval);
    assert_eq!(err(fd_tell(&mut sys, &mut m.0, 4, u32::MAX)), Errno::Fault);
    assert_eq!(
        sys.log.len(),
        calls,
        "no seek happens when its result cannot be reported"
    );
    for fd in BAD_FDS {
        assert_eq!(err(fd_seek(&mut sys, &mut m.0, fd, 0, 0, 8)), Errno::Badf);
        assert_eq!(err(fd_tell(&mut sys, &mut m.0, fd, 8)), Errno::Badf);
    }
}

#[test]
fn stats() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    fd_fdstat_get(&mut sys, &mut m.0, 1, 8).unwrap();
    assert_eq!(m.0[8], 4);
    assert_eq!(m.u16(10), 1);
    assert_eq!(m.u64(16), (Rights::FD_READ | Rights::FD_WRITE).bits());
    assert_eq!(m.u64(24), 0);
    fd_filestat_get(&mut sys, &mut m.0, 1, 64).unwrap();
    assert_eq!((m.u64(72), m.0[80], m.u64(96)), (42, 4, 12));

    assert_eq!(err(fd_fdstat_get(&mut sys, &mut m.0, 1, 4)), Errno::Inval);
    assert_eq!(
        err(fd_fdstat_get(&mut sys, &mut m.0, 1, TOP - 16)),
        Errno::Fault
    );
    assert_eq!(
        err(fd_filestat_get(&mut sys, &mut m.0, 1, TOP - 56)),
        Errno::Fault
    );
    assert_eq!(
        err(fd_filestat_get(&mut sys, &mut m.0, 1, 12)),
        Errno::Inval
    );
    for fd in BAD_FDS {
        assert_eq!(err(fd_fdstat_get(&mut sys, &mut m.0, fd, 8)), Errno::Badf);
        assert_eq!(
            err(fd_filestat_get(&mut sys, &mut m.0, fd, 64)),
            Errno::Badf
        );
    }
}

#[test]
fn setters_decode_flags_strictly() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    let mem = &mut m.0;
    fd_fdstat_set_flags(&mut sys, mem, 1, 0x11).unwrap();
    assert_eq!(sys.last(), "fd_fdstat_set_flags(1,0x11)");
    assert_eq!(
        err(fd_fdstat_set_flags(&mut sys, mem, 1, 0x20)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_fdstat_set_flags(&mut sys, mem, 1, 0x1_0001)),
        Errno::Inval
    );

    // wasi-libc passes all-ones rights: unknown bits are dropped, not refused.
    fd_fdstat_set_rights(&mut sys, mem, 1, u64::MAX, 1 << 40 | 2).unwrap();
    assert_eq!(
        sys.last(),
        format!("fd_fdstat_set_rights(1,{:#x},0x2)", Rights::all().bits())
    );

    fd_advise(&mut sys, mem, 1, 10, 20, 4).unwrap();
    assert_eq!(sys.last(), "fd_advise(1,10,20,Dontneed)");
    assert_eq!(err(fd_advise(&mut sys, mem, 1, 0, 0, 6)), Errno::Inval);
    assert_eq!(err(fd_advise(&mut sys, mem, 1, 0, 0, 0x101)), Errno::Inval);

    fd_filestat_set_times(&mut sys, mem, 1, 5, 6, 0xf).unwrap();
    assert_eq!(sys.last(), "fd_filestat_set_times(1,5,6,0xf)");
    assert_eq!(
        err(fd_filestat_set_times(&mut sys, mem, 1, 0, 0, 0x10)),
        Errno::Inval
    );

    fd_filestat_set_size(&mut sys, mem, 1, u64::MAX).unwrap();
    assert_eq!(sys.last(), format!("fd_filestat_set_size(1,{})", u64::MAX));
    fd_allocate(&mut sys, mem, 1, 1, 2).unwrap();
    assert_eq!(sys.last(), "fd_allocate(1,1,2)");

    for fd in BAD_FDS {
        assert_eq!(err(fd_close(&mut sys, mem, fd)), Errno::Badf);
        assert_eq!(err(fd_sync(&mut sys, mem, fd)), Errno::Badf);
        assert_eq!(err(fd_datasync(&mut sys, mem, fd)), Errno::Badf);
        assert_eq!(err(fd_renumber(&mut sys, mem, fd, 1)), Errno::Badf);
        assert_eq!(err(fd_renumber(&mut sys, mem, 1, fd)), Errno::Badf);
        assert_eq!(err(fd_allocate(&mut sys, mem, fd, 0, 0)), Errno::Badf);
        assert_eq!(err(fd_filestat_set_size(&mut sys, mem, fd, 0)), Errno::Badf);
    }
    fd_renumber(&mut sys, mem, 4, 4).unwrap();
    assert_eq!(sys.last(), "fd_renumber(4,4)");
    fd_close(&mut sys, mem, 4).unwrap();
    assert_eq!(sys.closed, [4]);
}

#[test]
fn prestat() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    fd_prestat_get(&mut sys, &mut m.0, PREOPEN_FD, 4).unwrap();
    assert_eq!(m.get(4, 8), &[0, 0, 0, 0, 8, 0, 0, 0]);
    assert_eq!(err(fd_prestat_get(&mut sys, &mut m.0, 1, 4)), Errno::Badf);
    assert_eq!(
        err(fd_prestat_get(&mut sys, &mut m.0, PREOPEN_FD, 2)),
        Errno::Inval
    );
    assert_eq!(
        err(fd_prestat_get(&mut sys, &mut m.0, PREOPEN_FD, TOP - 4)),
        Errno::Fault
    );
    for fd in BAD_FDS {
        assert_eq!(err(fd_prestat_get(&mut sys, &mut m.0, fd, 4)), Errno::Badf);
        assert_eq!(
            err(fd_prestat_dir_name(&mut sys, &mut m.0, fd, 4, 8)),
            Errno::Badf
        );
    }

    m.0[100..110].fill(0xee);
    fd_prestat_dir_name(&mut sys, &mut m.0, PREOPEN_FD, 101, 9).unwrap();
    assert_eq!(m.get(100, 10), b"\xee/sandbox\xee", "no NUL is written");
    assert_eq!(
        err(fd_prestat_dir_name(&mut sys, &mut m.0, PREOPEN_FD, 200, 7)),
        Errno::Nametoolong
    );
    assert_eq!(
        err(fd_prestat_dir_name(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            TOP - 7,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(fd_prestat_dir_name(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            u32::MAX,
            8
        )),
        Errno::Fault
    );
}

/// The whole directory, serialised as the spec lays it out.
fn full_listing(sys: &Fake, from: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for (d, name) in &sys.dir[from..] {
        v.extend_from_slice(&d.encode());
        v.extend_from_slice(name);
    }
    v
}

#[test]
fn readdir_every_buffer_size_gives_a_prefix() {
    let mut sys = Fake::default();
    let full = full_listing(&sys, 0);
    assert_eq!(full.len(), 4 * Dirent::SIZE + 1 + 2 + 4 + 11);
    for buf_len in 0..full.len() + 10 {
        let mut m = Mem::new();
        m.0[1000..1000 + buf_len + 1].fill(0xee);
        fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, 1000, buf_len as u32, 0, 8).unwrap();
        let used = m.u32(8) as usize;
        assert_eq!(used, buf_len.min(full.len()), "buf_len {buf_len}");
        assert_eq!(m.get(1000, used), &full[..used], "buf_len {buf_len}");
        assert_eq!(m.0[1000 + buf_len], 0xee, "nothing past the buffer");
    }
}

#[test]
fn readdir_resumes_at_cookie() {
    let mut sys = Fake::default();
    let mut m = Mem::new();
    fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, 1000, 4096, 2, 8).unwrap();
    assert_eq!(sys.last(), "fd_readdir(3,2)");
    let rest = full_listing(&sys, 2);
    assert_eq!(m.u32(8) as usize, rest.len());
    assert_eq!(m.get(1000, rest.len()), &rest[..]);
    // Past the end: nothing.
    fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, 1000, 4096, u64::MAX, 8).unwrap();
    assert_eq!(m.u32(8), 0);
}

#[test]
fn readdir_header_describes_the_name_written() {
    let mut sys = Fake::default();
    sys.dir[2].0.d_namlen = 1000; // a host that lies about the name length
    let mut m = Mem::new();
    fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, 1000, 4096, 2, 8).unwrap();
    assert_eq!(m.u32(1000 + 16), 4);
}

#[test]
fn readdir_hostile() {
    let (mut sys, mut m) = (Fake::default(), Mem::new());
    assert_eq!(
        err(fd_readdir(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            TOP - 10,
            11,
            0,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(fd_readdir(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            1000,
            u32::MAX,
            0,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(fd_readdir(
            &mut sys,
            &mut m.0,
            PREOPEN_FD,
            u32::MAX,
            2,
            0,
            8
        )),
        Errno::Fault
    );
    assert_eq!(
        err(fd_readdir(
            &mut sys, &mut m.0, PREOPEN_FD, 1000, 100, 0, TOP
        )),
        Errno::Fault
    );
    assert_eq!(
        err(fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, 1000, 100, 0, 9)),
        Errno::Inval
    );
    for fd in BAD_FDS {
        assert_eq!(
            err(fd_readdir(&mut sys, &mut m.0, fd, 1000, 100, 0, 8)),
            Errno::Badf
        );
    }
    // An empty buffer at the very end of memory is a valid (useless) request.
    fd_readdir(&mut sys, &mut m.0, PREOPEN_FD, TOP, 0, 0, 8).unwrap();
    assert_eq!(m.u32(8), 0);
}
