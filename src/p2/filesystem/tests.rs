//! `wasi:filesystem` host methods called directly on a `WasiP2<UnixSystem>` over a temporary
//! tree: every descriptor method, its error cases, and the sandbox (escapes are
//! `not-permitted`, changes through a read-only preopen are `read-only`, the host tree is
//! unchanged either way).

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use wasmtime::component::Resource;

use super::{Descriptor, DirectoryEntryStream, FsError};
use crate::abi::{Errno, Rights};
use crate::host::UnixSystem;
use crate::p2::WasiP2;
use crate::p2::bindings::wasi::clocks::wall_clock::Datetime;
use crate::p2::bindings::wasi::filesystem::preopens::Host as _;
use crate::p2::bindings::wasi::filesystem::types::{
    Advice, DescriptorFlags as DF, DescriptorType, ErrorCode, Host as TypesHost, HostDescriptor,
    HostDirectoryEntryStream, MetadataHashValue, NewTimestamp, OpenFlags as OF, PathFlags,
};
use crate::p2::bindings::wasi::io::streams::{HostInputStream, HostOutputStream};
use crate::p2::io::StreamError;
use crate::system::System;
use crate::table::Limits;

const FOLLOW: PathFlags = PathFlags::SYMLINK_FOLLOW;

/// `rw/` (read-write, "rw") and `ro/` (read-only, "ro") preopened; `outside/` next to them
/// holds what no escape may reach.
struct Fx {
    tmp: tempfile::TempDir,
    p2: WasiP2<UnixSystem>,
    rw: Resource<Descriptor>,
    ro: Resource<Descriptor>,
}

fn dt(d: Option<Datetime>) -> Option<(u64, u32)> {
    d.map(|d| (d.seconds, d.nanoseconds))
}

fn hv(h: &MetadataHashValue) -> (u64, u64) {
    (h.lower, h.upper)
}

fn b<T: 'static>(r: &Resource<T>) -> Resource<T> {
    Resource::new_borrow(r.rep())
}

fn code<T: std::fmt::Debug>(r: Result<T, FsError>) -> ErrorCode {
    match r {
        Ok(v) => panic!("expected an error code, got Ok({v:?})"),
        Err(e) => e.code().expect("an error code, not a trap"),
    }
}

impl Fx {
    fn new() -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        for d in ["rw", "ro", "outside", "rw/sub", "ro/sub"] {
            std::fs::create_dir(t.join(d)).unwrap();
        }
        std::fs::write(t.join("outside/secret"), b"secret").unwrap();
        std::fs::write(t.join("rw/file"), b"hello world").unwrap();
        std::fs::write(t.join("ro/file"), b"read me").unwrap();
        std::fs::write(t.join("ro/sub/inner"), b"inner").unwrap();
        for d in ["rw", "ro"] {
            symlink("../outside/secret", t.join(d).join("rel_out")).unwrap();
            symlink(t.join("outside/secret"), t.join(d).join("abs_out")).unwrap();
            symlink("../outside", t.join(d).join("dir_out")).unwrap();
            symlink("file", t.join(d).join("ok_link")).unwrap();
        }
        let mut sys = UnixSystem::new(Limits::default());
        sys.preopen_dir(&t.join("rw"), "rw", false).unwrap();
        sys.preopen_dir(&t.join("ro"), "ro", true).unwrap();
        let mut p2 = WasiP2::new(sys);
        let mut dirs = p2.get_directories().unwrap();
        assert_eq!(dirs.len(), 2);
        let (ro, ro_name) = dirs.pop().unwrap();
        let (rw, rw_name) = dirs.pop().unwrap();
        assert_eq!((rw_name.as_str(), ro_name.as_str()), ("rw", "ro"));
        Fx { tmp, p2, rw, ro }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.tmp.path().join(p)
    }

    /// A listing of the whole temporary tree with file contents and link targets, to show
    /// that refused calls changed nothing.
    fn snapshot(&self) -> Vec<String> {
        fn walk(p: &Path, rel: &str, out: &mut Vec<String>) {
            let mut entries: Vec<_> = std::fs::read_dir(p).unwrap().map(|e| e.unwrap()).collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = format!("{rel}/{}", e.file_name().to_string_lossy());
                let ft = e.file_type().unwrap();
                if ft.is_symlink() {
                    let t = std::fs::read_link(e.path()).unwrap();
                    out.push(format!("{name} -> {}", t.display()));
                } else if ft.is_dir() {
                    out.push(format!("{name}/"));
                    walk(&e.path(), &name, out);
                } else {
                    let data = std::fs::read(e.path()).unwrap();
                    out.push(format!("{name} = {:?}", String::from_utf8_lossy(&data)));
                }
            }
        }
        let mut out = Vec::new();
        walk(self.tmp.path(), "", &mut out);
        out
    }

    fn open(
        &mut self,
        dir: &Resource<Descriptor>,
        path: &str,
        of: OF,
        flags: DF,
    ) -> Result<Resource<Descriptor>, FsError> {
        HostDescriptor::open_at(&mut self.p2, b(dir), FOLLOW, path.into(), of, flags)
    }

    fn read_all(&mut self, d: &Resource<Descriptor>) -> Vec<u8> {
        let (data, eof) = HostDescriptor::read(&mut self.p2, b(d), 1 << 20, 0).unwrap();
        assert!(eof);
        data
    }

    fn list(&mut self, d: &Resource<Descriptor>) -> Vec<(String, DescriptorType)> {
        let s = HostDescriptor::read_directory(&mut self.p2, b(d)).unwrap();
        let mut out = Vec::new();
        while let Some(e) =
            HostDirectoryEntryStream::read_directory_entry(&mut self.p2, b(&s)).unwrap()
        {
            out.push((e.name, e.type_));
        }
        HostDirectoryEntryStream::drop(&mut self.p2, s).unwrap();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

#[test]
fn preopens_are_the_granted_directories() {
    let mut fx = Fx::new();
    let t = HostDescriptor::get_type(&mut fx.p2, b(&fx.rw)).unwrap();
    assert_eq!(t, DescriptorType::Directory);
    assert_eq!(
        HostDescriptor::get_flags(&mut fx.p2, b(&fx.rw)).unwrap(),
        DF::READ | DF::MUTATE_DIRECTORY
    );
    assert_eq!(
        HostDescriptor::get_flags(&mut fx.p2, b(&fx.ro)).unwrap(),
        DF::READ
    );
    // A directory descriptor can be stat-ed, synced and advised like a file.
    let st = HostDescriptor::stat(&mut fx.p2, b(&fx.rw)).unwrap();
    assert_eq!(st.type_, DescriptorType::Directory);
    HostDescriptor::sync(&mut fx.p2, b(&fx.rw)).unwrap();
    HostDescriptor::sync_data(&mut fx.p2, b(&fx.rw)).unwrap();
    // Dropping a preopen's descriptor does not close the preopen: it can be listed again.
    let rw = std::mem::replace(&mut fx.rw, Resource::new_own(u32::MAX));
    HostDescriptor::drop(&mut fx.p2, rw).unwrap();
    let again = fx.p2.get_directories().unwrap();
    assert_eq!(again.len(), 2);
    assert!(fx.p2.system_mut().fd_fdstat_get(0).is_ok());
}

#[test]
fn open_write_read_stat_resize() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx
        .open(
            &rw,
            "new.txt",
            OF::CREATE | OF::EXCLUSIVE,
            DF::READ | DF::WRITE,
        )
        .unwrap();
    assert_eq!(
        HostDescriptor::get_flags(&mut fx.p2, b(&f)).unwrap(),
        DF::READ | DF::WRITE
    );
    assert_eq!(
        HostDescriptor::get_type(&mut fx.p2, b(&f)).unwrap(),
        DescriptorType::RegularFile
    );
    let n = HostDescriptor::write(&mut fx.p2, b(&f), b"0123456789".to_vec(), 0).unwrap();
    assert_eq!(n, 10);
    HostDescriptor::write(&mut fx.p2, b(&f), b"AB".to_vec(), 4).unwrap();
    assert_eq!(fx.read_all(&f), b"0123AB6789");
    // A short read is not the end; a read past the data is.
    let (part, eof) = HostDescriptor::read(&mut fx.p2, b(&f), 3, 2).unwrap();
    assert_eq!((part.as_slice(), eof), (&b"23A"[..], false));
    let (none, eof) = HostDescriptor::read(&mut fx.p2, b(&f), 3, 100).unwrap();
    assert!(none.is_empty() && eof);
    // A huge length allocates only the bounded maximum.
    let (all, eof) = HostDescriptor::read(&mut fx.p2, b(&f), u64::MAX, 0).unwrap();
    assert_eq!((all.len(), eof), (10, true));

    let st = HostDescriptor::stat(&mut fx.p2, b(&f)).unwrap();
    assert_eq!(
        (st.type_, st.size, st.link_count),
        (DescriptorType::RegularFile, 10, 1)
    );
    assert!(st.data_modification_timestamp.is_some());
    HostDescriptor::set_size(&mut fx.p2, b(&f), 4).unwrap();
    assert_eq!(std::fs::read(fx.path("rw/new.txt")).unwrap(), b"0123");
    HostDescriptor::sync(&mut fx.p2, b(&f)).unwrap();
    HostDescriptor::sync_data(&mut fx.p2, b(&f)).unwrap();
    HostDescriptor::advise(&mut fx.p2, b(&f), 0, 4, Advice::Sequential).unwrap();
    HostDescriptor::advise(&mut fx.p2, b(&f), 0, 0, Advice::DontNeed).unwrap();

    // Exclusive create of an existing file; a missing file; a file opened as a directory.
    assert_eq!(
        code(fx.open(&rw, "new.txt", OF::CREATE | OF::EXCLUSIVE, DF::WRITE)),
        ErrorCode::Exist
    );
    assert_eq!(
        code(fx.open(&rw, "missing", OF::empty(), DF::READ)),
        ErrorCode::NoEntry
    );
    assert_eq!(
        code(fx.open(&rw, "file", OF::DIRECTORY, DF::READ)),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        code(fx.open(&rw, "sub", OF::DIRECTORY | OF::CREATE, DF::READ)),
        ErrorCode::Invalid
    );
    // Truncate empties an existing file.
    let t = fx.open(&rw, "file", OF::TRUNCATE, DF::WRITE).unwrap();
    assert_eq!(std::fs::read(fx.path("rw/file")).unwrap(), b"");
    HostDescriptor::drop(&mut fx.p2, t).unwrap();
    HostDescriptor::drop(&mut fx.p2, f).unwrap();
}

#[test]
fn access_the_descriptor_was_not_opened_for() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let r = fx.open(&rw, "file", OF::empty(), DF::READ).unwrap();
    assert_eq!(
        code(HostDescriptor::write(&mut fx.p2, b(&r), b"x".to_vec(), 0)),
        ErrorCode::BadDescriptor
    );
    assert_eq!(
        code(HostDescriptor::set_size(&mut fx.p2, b(&r), 0)),
        ErrorCode::BadDescriptor
    );
    assert_eq!(
        code(HostDescriptor::write_via_stream(&mut fx.p2, b(&r), 0)),
        ErrorCode::BadDescriptor
    );
    assert_eq!(
        code(HostDescriptor::append_via_stream(&mut fx.p2, b(&r))),
        ErrorCode::BadDescriptor
    );
    let w = fx.open(&rw, "file", OF::empty(), DF::WRITE).unwrap();
    assert_eq!(
        code(HostDescriptor::read(&mut fx.p2, b(&w), 1, 0)),
        ErrorCode::BadDescriptor
    );
    assert_eq!(
        code(HostDescriptor::read_via_stream(&mut fx.p2, b(&w), 0)),
        ErrorCode::BadDescriptor
    );
    // Byte I/O on a directory; path calls on a file.
    assert_eq!(
        code(HostDescriptor::read(&mut fx.p2, b(&rw), 1, 0)),
        ErrorCode::IsDirectory
    );
    assert_eq!(
        code(HostDescriptor::write(&mut fx.p2, b(&rw), vec![1], 0)),
        ErrorCode::IsDirectory
    );
    assert_eq!(
        code(HostDescriptor::set_size(&mut fx.p2, b(&rw), 0)),
        ErrorCode::IsDirectory
    );
    assert_eq!(
        code(HostDescriptor::stat_at(
            &mut fx.p2,
            b(&r),
            FOLLOW,
            "x".into()
        )),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        code(fx.open(&r, "x", OF::empty(), DF::READ)),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        code(HostDescriptor::read_directory(&mut fx.p2, b(&r))),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        code(HostDescriptor::create_directory_at(
            &mut fx.p2,
            b(&r),
            "d".into()
        )),
        ErrorCode::NotDirectory
    );
}

#[test]
fn streams_from_descriptors() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx
        .open(&rw, "file", OF::empty(), DF::READ | DF::WRITE)
        .unwrap();
    // read-via-stream from an offset, until closed.
    let s = HostDescriptor::read_via_stream(&mut fx.p2, b(&f), 6).unwrap();
    let got = HostInputStream::blocking_read(&mut fx.p2, b(&s), 100).unwrap();
    assert_eq!(got, b"world");
    assert!(matches!(
        HostInputStream::read(&mut fx.p2, b(&s), 100),
        Err(StreamError::Closed)
    ));
    HostInputStream::drop(&mut fx.p2, s).unwrap();

    // write-via-stream at an offset: check-write, write, flush.
    let w = HostDescriptor::write_via_stream(&mut fx.p2, b(&f), 6).unwrap();
    let budget = HostOutputStream::check_write(&mut fx.p2, b(&w)).unwrap();
    assert!(budget >= 5);
    HostOutputStream::write(&mut fx.p2, b(&w), b"WORLD".to_vec()).unwrap();
    HostOutputStream::flush(&mut fx.p2, b(&w)).unwrap();
    HostOutputStream::blocking_write_and_flush(&mut fx.p2, b(&w), b"!".to_vec()).unwrap();
    HostOutputStream::drop(&mut fx.p2, w).unwrap();
    assert_eq!(std::fs::read(fx.path("rw/file")).unwrap(), b"hello WORLD!");

    // append-via-stream always writes at the end, even after the file grew elsewhere.
    let a = HostDescriptor::append_via_stream(&mut fx.p2, b(&f)).unwrap();
    HostOutputStream::blocking_write_and_flush(&mut fx.p2, b(&a), b"1".to_vec()).unwrap();
    HostDescriptor::write(&mut fx.p2, b(&f), b"++".to_vec(), 13).unwrap();
    HostOutputStream::blocking_write_and_flush(&mut fx.p2, b(&a), b"2".to_vec()).unwrap();
    HostOutputStream::blocking_write_zeroes_and_flush(&mut fx.p2, b(&a), 2).unwrap();
    HostOutputStream::drop(&mut fx.p2, a).unwrap();
    assert_eq!(
        std::fs::read(fx.path("rw/file")).unwrap(),
        b"hello WORLD!1++2\0\0"
    );

    // splice one file into another.
    let src = HostDescriptor::read_via_stream(&mut fx.p2, b(&f), 0).unwrap();
    let out = fx.open(&rw, "copy", OF::CREATE, DF::WRITE).unwrap();
    let dst = HostDescriptor::write_via_stream(&mut fx.p2, b(&out), 0).unwrap();
    let mut total = 0;
    loop {
        match HostOutputStream::blocking_splice(&mut fx.p2, b(&dst), b(&src), 5) {
            Ok(n) => {
                assert!(n <= 5);
                total += n;
            }
            Err(StreamError::Closed) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(total, 18);
    assert_eq!(
        std::fs::read(fx.path("rw/copy")).unwrap(),
        std::fs::read(fx.path("rw/file")).unwrap()
    );
}

#[test]
fn streams_keep_their_file_after_the_descriptor_is_dropped() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx.open(&rw, "file", OF::empty(), DF::READ).unwrap();
    let fd = fx.p2.table.get(&f).unwrap().fd();
    let s = HostDescriptor::read_via_stream(&mut fx.p2, b(&f), 0).unwrap();
    HostDescriptor::drop(&mut fx.p2, f).unwrap();
    // The fd is still open, so a new open cannot take its number and be read instead.
    assert!(fx.p2.system_mut().fd_fdstat_get(fd).is_ok());
    let other = fx.open(&rw, "sub", OF::DIRECTORY, DF::READ).unwrap();
    assert_ne!(fx.p2.table.get(&other).unwrap().fd(), fd);
    assert_eq!(
        HostInputStream::read(&mut fx.p2, b(&s), 5).unwrap(),
        b"hello"
    );
    HostInputStream::drop(&mut fx.p2, s).unwrap();
    assert_eq!(fx.p2.system_mut().fd_fdstat_get(fd), Err(Errno::Badf));
}

#[test]
fn directory_listing() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let names: Vec<_> = fx.list(&rw);
    assert_eq!(
        names,
        vec![
            ("abs_out".to_string(), DescriptorType::SymbolicLink),
            ("dir_out".to_string(), DescriptorType::SymbolicLink),
            ("file".to_string(), DescriptorType::RegularFile),
            ("ok_link".to_string(), DescriptorType::SymbolicLink),
            ("rel_out".to_string(), DescriptorType::SymbolicLink),
            ("sub".to_string(), DescriptorType::Directory),
        ]
    );
    // Many entries come in several batches, each exactly once.
    for i in 0..200 {
        std::fs::write(fx.path(&format!("rw/sub/f{i:03}")), b"").unwrap();
    }
    let sub = fx.open(&rw, "sub", OF::DIRECTORY, DF::READ).unwrap();
    let names = fx.list(&sub);
    assert_eq!(names.len(), 200);
    assert_eq!(names[0].0, "f000");
    assert_eq!(names[199].0, "f199");
    // A listing outlives its descriptor.
    let s = HostDescriptor::read_directory(&mut fx.p2, b(&sub)).unwrap();
    HostDescriptor::drop(&mut fx.p2, sub).unwrap();
    let mut n = 0;
    while HostDirectoryEntryStream::read_directory_entry(&mut fx.p2, b(&s))
        .unwrap()
        .is_some()
    {
        n += 1;
    }
    assert_eq!(n, 200);
    HostDirectoryEntryStream::drop(&mut fx.p2, s).unwrap();
}

#[test]
fn path_operations() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let p2 = &mut fx.p2;
    HostDescriptor::create_directory_at(p2, b(&rw), "d".into()).unwrap();
    assert_eq!(
        code(HostDescriptor::create_directory_at(p2, b(&rw), "d".into())),
        ErrorCode::Exist
    );
    // stat-at follows a link only when asked.
    let st = HostDescriptor::stat_at(p2, b(&rw), PathFlags::empty(), "ok_link".into()).unwrap();
    assert_eq!(st.type_, DescriptorType::SymbolicLink);
    let st = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "ok_link".into()).unwrap();
    assert_eq!((st.type_, st.size), (DescriptorType::RegularFile, 11));
    assert_eq!(
        code(HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "nope".into())),
        ErrorCode::NoEntry
    );
    // set-times-at and set-times.
    let t = Datetime {
        seconds: 1_000_000_000,
        nanoseconds: 5,
    };
    HostDescriptor::set_times_at(
        p2,
        b(&rw),
        FOLLOW,
        "file".into(),
        NewTimestamp::Timestamp(t),
        NewTimestamp::Timestamp(t),
    )
    .unwrap();
    let st = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "file".into()).unwrap();
    assert_eq!(dt(st.data_modification_timestamp), dt(Some(t)));
    assert_eq!(dt(st.data_access_timestamp), dt(Some(t)));
    HostDescriptor::set_times_at(
        p2,
        b(&rw),
        FOLLOW,
        "file".into(),
        NewTimestamp::NoChange,
        NewTimestamp::Now,
    )
    .unwrap();
    let st = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "file".into()).unwrap();
    assert_eq!(dt(st.data_access_timestamp), dt(Some(t)));
    assert!(st.data_modification_timestamp.unwrap().seconds > t.seconds);
    let bad = Datetime {
        seconds: 0,
        nanoseconds: 2_000_000_000,
    };
    assert_eq!(
        code(HostDescriptor::set_times(
            p2,
            b(&rw),
            NewTimestamp::Timestamp(bad),
            NewTimestamp::NoChange
        )),
        ErrorCode::Invalid
    );
    HostDescriptor::set_times(p2, b(&rw), NewTimestamp::Now, NewTimestamp::Now).unwrap();

    // link-at, is-same-object, metadata-hash(-at).
    HostDescriptor::link_at(
        p2,
        b(&rw),
        PathFlags::empty(),
        "file".into(),
        b(&rw),
        "d/hard".into(),
    )
    .unwrap();
    assert_eq!(
        code(HostDescriptor::link_at(
            p2,
            b(&rw),
            PathFlags::empty(),
            "file".into(),
            b(&rw),
            "d/hard".into()
        )),
        ErrorCode::Exist
    );
    let h1 = HostDescriptor::metadata_hash_at(p2, b(&rw), FOLLOW, "file".into()).unwrap();
    let h2 = HostDescriptor::metadata_hash_at(p2, b(&rw), FOLLOW, "d/hard".into()).unwrap();
    let h3 = HostDescriptor::metadata_hash_at(p2, b(&rw), FOLLOW, "sub".into()).unwrap();
    assert_eq!(hv(&h1), hv(&h2));
    assert_ne!(hv(&h1), hv(&h3));
    let a =
        HostDescriptor::open_at(p2, b(&rw), FOLLOW, "file".into(), OF::empty(), DF::READ).unwrap();
    let c = HostDescriptor::open_at(p2, b(&rw), FOLLOW, "d/hard".into(), OF::empty(), DF::READ)
        .unwrap();
    assert!(HostDescriptor::is_same_object(p2, b(&a), b(&c)).unwrap());
    assert!(!HostDescriptor::is_same_object(p2, b(&a), b(&rw)).unwrap());
    assert_eq!(
        hv(&HostDescriptor::metadata_hash(p2, b(&a)).unwrap()),
        hv(&h1)
    );
    // The hash is the file's identity: it stays when the file is written (the adapter uses
    // it as the inode number).
    HostDescriptor::open_at(p2, b(&rw), FOLLOW, "file".into(), OF::empty(), DF::WRITE)
        .and_then(|w| HostDescriptor::write(p2, w, b"more".to_vec(), 11))
        .unwrap();
    assert_eq!(
        hv(&HostDescriptor::metadata_hash(p2, b(&a)).unwrap()),
        hv(&h1)
    );
    // Another context hashes with other keys.
    let other = WasiP2::new(UnixSystem::new(Limits::default()));
    let a_fd = p2.table.get(&a).unwrap().fd();
    let st = p2.system_mut().fd_filestat_get(a_fd).unwrap();
    assert_ne!(hv(&other.metadata_hash_of(&st)), hv(&h1));

    // symlink-at and readlink-at.
    HostDescriptor::symlink_at(p2, b(&rw), "../file".into(), "d/link".into()).unwrap();
    assert_eq!(
        HostDescriptor::readlink_at(p2, b(&rw), "d/link".into()).unwrap(),
        "../file"
    );
    assert_eq!(
        code(HostDescriptor::readlink_at(p2, b(&rw), "file".into())),
        ErrorCode::Invalid
    );
    // rename-at, within and across descriptors.
    let d =
        HostDescriptor::open_at(p2, b(&rw), FOLLOW, "d".into(), OF::DIRECTORY, DF::READ).unwrap();
    HostDescriptor::rename_at(p2, b(&rw), "file".into(), b(&d), "moved".into()).unwrap();
    assert_eq!(
        code(HostDescriptor::rename_at(
            p2,
            b(&rw),
            "file".into(),
            b(&d),
            "x".into()
        )),
        ErrorCode::NoEntry
    );
    // A directory opened from a writable one can change its entries (see open_rights).
    assert_eq!(
        HostDescriptor::get_flags(p2, b(&d)).unwrap(),
        DF::READ | DF::MUTATE_DIRECTORY
    );
    HostDescriptor::unlink_file_at(p2, b(&d), "moved".into()).unwrap();
    HostDescriptor::unlink_file_at(p2, b(&d), "link".into()).unwrap();
    assert_eq!(
        code(HostDescriptor::unlink_file_at(p2, b(&d), "moved".into())),
        ErrorCode::NoEntry
    );
    // remove-directory-at: not while something is in it; not on a file.
    assert_eq!(
        code(HostDescriptor::remove_directory_at(p2, b(&rw), "d".into())),
        ErrorCode::NotEmpty
    );
    assert_eq!(
        code(HostDescriptor::remove_directory_at(
            p2,
            b(&d),
            "hard".into()
        )),
        ErrorCode::NotDirectory
    );
    HostDescriptor::unlink_file_at(p2, b(&d), "hard".into()).unwrap();
    HostDescriptor::remove_directory_at(p2, b(&rw), "d".into()).unwrap();
    assert!(!fx.path("rw/d").exists());
    assert!(!fx.path("rw/file").exists());
}

/// Every way out of the preopen, by every path-taking method: `not-permitted` (or, for a
/// symlink whose target leaves, the same), never a change outside.
#[test]
fn escapes_are_not_permitted() {
    let mut fx = Fx::new();
    let before = fx.snapshot();
    let rw = b(&fx.rw);
    let escapes = [
        "..",
        "../outside/secret",
        "sub/../../outside/secret",
        "/etc/passwd",
        "/",
        "rel_out",
        "abs_out",
        "dir_out/secret",
        "dir_out/new",
    ];
    for path in escapes {
        let p2 = &mut fx.p2;
        let np = ErrorCode::NotPermitted;
        let follow_only = path == "rel_out" || path == "abs_out";
        let r = HostDescriptor::open_at(p2, b(&rw), FOLLOW, path.into(), OF::empty(), DF::READ);
        assert_eq!(code(r), np, "open-at {path}");
        let r = HostDescriptor::open_at(
            p2,
            b(&rw),
            FOLLOW,
            path.into(),
            OF::CREATE,
            DF::READ | DF::WRITE,
        );
        assert_eq!(code(r), np, "open-at create {path}");
        let r = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, path.into());
        assert_eq!(code(r), np, "stat-at {path}");
        let r = HostDescriptor::metadata_hash_at(p2, b(&rw), FOLLOW, path.into());
        assert_eq!(code(r), np, "metadata-hash-at {path}");
        let r = HostDescriptor::set_times_at(
            p2,
            b(&rw),
            FOLLOW,
            path.into(),
            NewTimestamp::Now,
            NewTimestamp::Now,
        );
        assert_eq!(code(r), np, "set-times-at {path}");
        if follow_only {
            // Without following, these name the links themselves, inside the preopen.
            continue;
        }
        let r = HostDescriptor::create_directory_at(p2, b(&rw), format!("{path}/x"));
        assert_eq!(code(r), np, "create-directory-at {path}/x");
        let r = HostDescriptor::unlink_file_at(p2, b(&rw), path.into());
        assert_eq!(code(r), np, "unlink-file-at {path}");
        let r = HostDescriptor::remove_directory_at(p2, b(&rw), path.into());
        assert_eq!(code(r), np, "remove-directory-at {path}");
        let r = HostDescriptor::rename_at(p2, b(&rw), "file".into(), b(&rw), path.into());
        assert_eq!(code(r), np, "rename-at to {path}");
        let r = HostDescriptor::rename_at(p2, b(&rw), path.into(), b(&rw), "stolen".into());
        assert_eq!(code(r), np, "rename-at from {path}");
        let r = HostDescriptor::link_at(
            p2,
            b(&rw),
            PathFlags::empty(),
            path.into(),
            b(&rw),
            "l".into(),
        );
        assert_eq!(code(r), np, "link-at from {path}");
        let r = HostDescriptor::link_at(
            p2,
            b(&rw),
            PathFlags::empty(),
            "file".into(),
            b(&rw),
            path.into(),
        );
        assert_eq!(code(r), np, "link-at to {path}");
        let r = HostDescriptor::symlink_at(p2, b(&rw), "file".into(), path.into());
        assert_eq!(code(r), np, "symlink-at at {path}");
        let r = HostDescriptor::readlink_at(p2, b(&rw), format!("{path}/x"));
        assert_eq!(code(r), np, "readlink-at {path}/x");
    }
    // A guest-made link pointing out is made (it is only a name) but never followed.
    HostDescriptor::symlink_at(&mut fx.p2, b(&rw), "../outside".into(), "mine".into()).unwrap();
    let r = fx.open(&rw, "mine/secret", OF::empty(), DF::READ);
    assert_eq!(code(r), ErrorCode::NotPermitted);
    let r = fx.open(&rw, "mine/planted", OF::CREATE, DF::WRITE);
    assert_eq!(code(r), ErrorCode::NotPermitted);
    std::fs::remove_file(fx.path("rw/mine")).unwrap();
    // From a subdirectory descriptor, `..` reaches the preopen but no further.
    let sub = fx.open(&rw, "sub", OF::DIRECTORY, DF::READ).unwrap();
    let st = HostDescriptor::stat_at(&mut fx.p2, b(&sub), FOLLOW, "../file".into());
    assert_eq!(code(st), ErrorCode::NotPermitted);
    let r = fx.open(&sub, "../../outside/secret", OF::empty(), DF::READ);
    assert_eq!(code(r), ErrorCode::NotPermitted);
    assert_eq!(fx.snapshot(), before);
}

/// A read-only preopen: reads work, every change is `read-only`, nothing changes on the host.
#[test]
fn read_only_preopen_refuses_every_change() {
    let mut fx = Fx::new();
    let before = fx.snapshot();
    let ro = b(&fx.ro);
    let ro_err = ErrorCode::ReadOnly;
    // Reading works.
    let f = fx.open(&ro, "file", OF::empty(), DF::READ).unwrap();
    assert_eq!(fx.read_all(&f), b"read me");
    assert_eq!(
        HostDescriptor::get_flags(&mut fx.p2, b(&f)).unwrap(),
        DF::READ
    );
    let sub = fx.open(&ro, "sub", OF::DIRECTORY, DF::READ).unwrap();
    assert_eq!(
        fx.list(&sub),
        vec![("inner".into(), DescriptorType::RegularFile)]
    );
    assert_eq!(
        HostDescriptor::get_flags(&mut fx.p2, b(&sub)).unwrap(),
        DF::READ
    );
    // Opening for any change.
    for (of, flags) in [
        (OF::empty(), DF::WRITE),
        (OF::empty(), DF::READ | DF::WRITE),
        (OF::CREATE, DF::READ),
        (OF::CREATE | OF::EXCLUSIVE, DF::WRITE),
        (OF::TRUNCATE, DF::READ),
        (OF::DIRECTORY, DF::READ | DF::MUTATE_DIRECTORY),
    ] {
        for path in ["file", "new", "sub"] {
            let r = fx.open(&ro, path, of, flags);
            assert_eq!(code(r), ro_err, "open-at {path} {of:?} {flags:?}");
            let r = fx.open(&sub, path, of, flags);
            assert_eq!(code(r), ro_err, "open-at sub/{path} {of:?} {flags:?}");
        }
    }
    let p2 = &mut fx.p2;
    for d in [&ro, &sub] {
        let r = HostDescriptor::create_directory_at(p2, b(d), "new".into());
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::unlink_file_at(p2, b(d), "file".into());
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::remove_directory_at(p2, b(d), "sub".into());
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::symlink_at(p2, b(d), "file".into(), "l".into());
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::rename_at(p2, b(d), "file".into(), b(d), "g".into());
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::link_at(
            p2,
            b(d),
            PathFlags::empty(),
            "file".into(),
            b(d),
            "g".into(),
        );
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::set_times_at(
            p2,
            b(d),
            FOLLOW,
            "file".into(),
            NewTimestamp::Now,
            NewTimestamp::Now,
        );
        assert_eq!(code(r), ro_err);
        let r = HostDescriptor::set_times(p2, b(d), NewTimestamp::Now, NewTimestamp::NoChange);
        assert_eq!(code(r), ro_err);
    }
    // Between the two preopens: neither into the read-only one nor out of it.
    let rw = b(&fx.rw);
    let r = HostDescriptor::rename_at(p2, b(&rw), "file".into(), b(&ro), "in".into());
    assert_eq!(code(r), ro_err);
    let r = HostDescriptor::rename_at(p2, b(&ro), "file".into(), b(&rw), "out".into());
    assert_eq!(code(r), ro_err);
    let r = HostDescriptor::link_at(
        p2,
        b(&ro),
        PathFlags::empty(),
        "file".into(),
        b(&rw),
        "out".into(),
    );
    assert_eq!(code(r), ro_err);
    // A file opened for reading cannot be changed either.
    let r = HostDescriptor::write(p2, b(&f), b"x".to_vec(), 0);
    assert_eq!(code(r), ErrorCode::BadDescriptor);
    let r = HostDescriptor::set_size(p2, b(&f), 0);
    assert_eq!(code(r), ErrorCode::BadDescriptor);
    let r = HostDescriptor::set_times(p2, b(&f), NewTimestamp::Now, NewTimestamp::Now);
    assert_eq!(code(r), ro_err);
    // Escapes from the read-only preopen are refusals too (whichever reason comes first).
    let r = fx.open(&ro, "../outside/secret", OF::empty(), DF::READ);
    assert_eq!(code(r), ErrorCode::NotPermitted);
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn stream_errors_carry_filesystem_codes() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx.open(&rw, "file", OF::empty(), DF::WRITE).unwrap();
    let w = HostDescriptor::write_via_stream(&mut fx.p2, b(&f), 0).unwrap();
    // Take away the write right underneath the stream: the next write fails.
    let fd = fx.p2.table.get(&f).unwrap().fd();
    fx.p2
        .system_mut()
        .fd_fdstat_set_rights(fd, Rights::FD_SEEK, Rights::empty())
        .unwrap();
    let err = HostOutputStream::blocking_write_and_flush(&mut fx.p2, b(&w), b"x".to_vec());
    let Err(StreamError::LastOperationFailed(errno)) = err else {
        panic!("expected a failure, got {err:?}");
    };
    assert_eq!(errno, Errno::Notcapable);
    // The guest sees an `error` resource it can ask for the code.
    let wit = crate::p2::bindings::wasi::io::streams::Host::convert_stream_error(
        &mut fx.p2,
        StreamError::LastOperationFailed(errno),
    )
    .unwrap();
    let crate::p2::bindings::wasi::io::streams::StreamError::LastOperationFailed(e) = wit else {
        panic!("expected last-operation-failed");
    };
    assert_eq!(
        TypesHost::filesystem_error_code(&mut fx.p2, b(&e)).unwrap(),
        Some(ErrorCode::NotPermitted)
    );
    // After a failure the stream is closed.
    assert!(matches!(
        HostOutputStream::check_write(&mut fx.p2, b(&w)),
        Err(StreamError::Closed)
    ));
    // A descriptor handle that is not in the table is a trap, not a code.
    let bogus = Resource::<Descriptor>::new_borrow(12345);
    let r = HostDescriptor::stat(&mut fx.p2, bogus);
    assert!(r.unwrap_err().code().is_none());
    let _ = DirectoryEntryStream::new(0);
}

/// The context is generic over the system: a traced one serves a component too, and each
/// descriptor method shows up as the preview 1 call it made.
#[test]
fn a_traced_system_serves_descriptors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("f"), b"traced").unwrap();
    let mut sys = UnixSystem::new(Limits::default());
    // A closed fd between stdio and the preopen does not hide the preopen.
    sys.inherit_stdio().unwrap();
    assert_eq!(sys.preopen_dir(tmp.path(), "/t", true).unwrap(), 3);
    sys.fd_close(1).unwrap();
    let traced = crate::trace::Trace::new(sys, Vec::<u8>::new(), Default::default());
    let mut p2 = WasiP2::new(traced);
    let mut dirs = p2.get_directories().unwrap();
    assert_eq!(dirs.len(), 1);
    let (dir, name) = dirs.remove(0);
    assert_eq!(name, "/t");
    let f = HostDescriptor::open_at(&mut p2, b(&dir), FOLLOW, "f".into(), OF::empty(), DF::READ)
        .unwrap();
    let (data, _) = HostDescriptor::read(&mut p2, b(&f), 100, 0).unwrap();
    assert_eq!(data, b"traced");
    let log = String::from_utf8(p2.system().sink().clone()).unwrap();
    assert!(log.contains("path_open(fd=3"), "{log}");
    // The new fd takes the lowest free number, the one closed above.
    assert_eq!(p2.table.get(&f).unwrap().fd(), 1);
    assert!(log.contains("fd_pread(fd=1"), "{log}");
}

/// A FIFO has no offsets: its streams read and write it in order, and only offset 0 is
/// accepted.
#[test]
fn fifo_streams() {
    let mut fx = Fx::new();
    rustix::fs::mknodat(
        rustix::fs::CWD,
        fx.path("rw/fifo"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .unwrap();
    let rw = b(&fx.rw);
    // Opening for reading and writing does not wait for a peer.
    let f = fx
        .open(&rw, "fifo", OF::empty(), DF::READ | DF::WRITE)
        .unwrap();
    assert_eq!(
        code(HostDescriptor::read_via_stream(&mut fx.p2, b(&f), 3)),
        ErrorCode::InvalidSeek
    );
    let w = HostDescriptor::write_via_stream(&mut fx.p2, b(&f), 0).unwrap();
    let r = HostDescriptor::read_via_stream(&mut fx.p2, b(&f), 0).unwrap();
    assert_eq!(HostInputStream::read(&mut fx.p2, b(&r), 10).unwrap(), b"");
    HostOutputStream::blocking_write_and_flush(&mut fx.p2, b(&w), b"through".to_vec()).unwrap();
    assert_eq!(
        HostInputStream::blocking_read(&mut fx.p2, b(&r), 10).unwrap(),
        b"through"
    );
}

/// Guest-chosen numbers at their extremes: an error code or a stream error, never a panic or
/// an allocation of their size.
#[test]
fn hostile_numbers() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx
        .open(&rw, "file", OF::empty(), DF::READ | DF::WRITE)
        .unwrap();
    let p2 = &mut fx.p2;
    for offset in [u64::MAX, 1 << 63, (1 << 63) - 1] {
        // pread past any possible end: nothing, or the kernel's EINVAL for offsets it cannot
        // represent.
        match HostDescriptor::read(p2, b(&f), u64::MAX, offset) {
            Ok((data, eof)) => assert!(data.is_empty() && eof),
            Err(e) => assert_eq!(e.code(), Some(ErrorCode::Invalid)),
        }
        assert!(HostDescriptor::write(p2, b(&f), b"x".to_vec(), offset).is_err());
        let s = HostDescriptor::read_via_stream(p2, b(&f), offset).unwrap();
        assert!(HostInputStream::read(p2, b(&s), u64::MAX).is_err());
        let w = HostDescriptor::write_via_stream(p2, b(&f), offset).unwrap();
        let r = HostOutputStream::blocking_write_and_flush(p2, b(&w), b"x".to_vec());
        assert!(
            matches!(r, Err(StreamError::LastOperationFailed(_))),
            "{r:?}"
        );
    }
    assert!(HostDescriptor::set_size(p2, b(&f), u64::MAX).is_err());
    HostDescriptor::advise(p2, b(&f), u64::MAX, u64::MAX, Advice::WillNeed).unwrap_or(());
    let far = Datetime {
        seconds: u64::MAX,
        nanoseconds: 999_999_999,
    };
    assert_eq!(
        code(HostDescriptor::set_times(
            p2,
            b(&f),
            NewTimestamp::Timestamp(far),
            NewTimestamp::NoChange
        )),
        ErrorCode::Overflow
    );
    // A path of NUL bytes, a very long path, a non-directory in the middle.
    let nul = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "a\0b".into());
    assert_eq!(code(nul), ErrorCode::Invalid);
    let long = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "x".repeat(1 << 20));
    assert_eq!(code(long), ErrorCode::NameTooLong);
    let through = HostDescriptor::stat_at(p2, b(&rw), FOLLOW, "file/x".into());
    assert_eq!(code(through), ErrorCode::NotDirectory);
    assert_eq!(std::fs::read(fx.path("rw/file")).unwrap(), b"hello world");
}

/// The remaining open-at flags: the sync descriptor flags reach the host's open and come back
/// from `get-flags`; `write` on a directory is `is-directory`; without `symlink-follow` a
/// final symlink is not followed.
#[test]
fn open_at_flags() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx
        .open(
            &rw,
            "file",
            OF::empty(),
            DF::WRITE | DF::FILE_INTEGRITY_SYNC,
        )
        .unwrap();
    let flags = HostDescriptor::get_flags(&mut fx.p2, b(&f)).unwrap();
    assert!(
        flags.contains(DF::WRITE | DF::FILE_INTEGRITY_SYNC),
        "{flags:?}"
    );
    let f = fx
        .open(&rw, "file", OF::empty(), DF::READ | DF::DATA_INTEGRITY_SYNC)
        .unwrap();
    let flags = HostDescriptor::get_flags(&mut fx.p2, b(&f)).unwrap();
    // cap-std opens a data-sync request with O_SYNC, the stronger guarantee, so the host
    // reports file-integrity-sync for it (src/host/fd.rs, fdflags_of).
    assert!(flags.contains(DF::READ), "{flags:?}");
    assert!(
        flags.intersects(DF::DATA_INTEGRITY_SYNC | DF::FILE_INTEGRITY_SYNC),
        "{flags:?}"
    );
    assert!(!flags.contains(DF::WRITE));

    assert_eq!(
        code(fx.open(&rw, "sub", OF::empty(), DF::WRITE)),
        ErrorCode::IsDirectory
    );
    let no_follow = HostDescriptor::open_at(
        &mut fx.p2,
        b(&rw),
        PathFlags::empty(),
        "ok_link".into(),
        OF::empty(),
        DF::READ,
    );
    assert_eq!(code(no_follow), ErrorCode::Loop);
    let followed = fx.open(&rw, "ok_link", OF::empty(), DF::READ).unwrap();
    assert_eq!(fx.read_all(&followed), b"hello world");
}

/// Giving the system back closes what the guest's resources held, and only that.
#[test]
fn into_system_closes_what_resources_held() {
    let mut fx = Fx::new();
    let rw = b(&fx.rw);
    let f = fx.open(&rw, "file", OF::empty(), DF::READ).unwrap();
    let fd = fx.p2.table.get(&f).unwrap().fd();
    let Fx { p2, tmp, .. } = fx;
    let mut sys = p2.into_system();
    assert_eq!(sys.fd_fdstat_get(fd), Err(Errno::Badf));
    // The preopens are still there.
    assert!(sys.fd_prestat_get(0).is_ok() && sys.fd_prestat_get(1).is_ok());
    drop(tmp);
}
