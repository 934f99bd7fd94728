//! Arbitrary cookie / buffer-size sequences over a directory that changes between calls,
//! through the preview 1 ABI layer's `fd_readdir` (serialisation, partial last entries) and
//! the Unix host (kernel `d_off` cookies).
//!
//! Checks: no panic; an entry is never invented (every name was in the directory at some
//! point); one pass from cookie 0 never returns a name twice; a pass over a directory that did
//! not change since the previous pass lists exactly what the host has, plus `.` and `..`; and
//! while the directory does not change, resuming from any cookie a pass handed out (whether
//! the host still buffers it or must seek back to it) starts at the entry that followed it.
#![no_main]

use std::collections::{BTreeSet, HashMap};

use arbitrary::{Result, Unstructured};
use capwasi::host::UnixSystem;
use capwasi::p1::dispatch::{NAMES, call};
use capwasi::table::Limits;
use libfuzzer_sys::fuzz_target;

const MEM: usize = 64 * 1024;
const BUF: usize = 0x100;
const BUFUSED: usize = 0x10;

fn readdir_index() -> usize {
    NAMES.iter().position(|n| *n == "fd_readdir").unwrap()
}

/// One fd_readdir call; returns the complete entries (name, d_next) and whether the buffer
/// was filled (so more may follow).
fn read_once(
    sys: &mut UnixSystem,
    mem: &mut [u8],
    fd: u32,
    cookie: u64,
    buf_len: usize,
) -> Option<(Vec<(Vec<u8>, u64)>, bool)> {
    let args = [
        fd as u64,
        BUF as u64,
        buf_len as u64,
        cookie,
        BUFUSED as u64,
        0,
        0,
        0,
        0,
    ];
    call(sys, mem, readdir_index(), &args).ok()?;
    let used = u32::from_le_bytes(mem[BUFUSED..BUFUSED + 4].try_into().unwrap()) as usize;
    assert!(used <= buf_len, "bufused {used} > buf_len {buf_len}");
    let buf = &mem[BUF..BUF + used];
    let mut out = Vec::new();
    let mut off = 0;
    while off + 24 <= used {
        let d_next = u64::from_le_bytes(buf[off..off + 8].try_into().unwrap());
        let namlen = u32::from_le_bytes(buf[off + 16..off + 20].try_into().unwrap()) as usize;
        if off + 24 + namlen > used {
            break; // partial last entry: the guest resumes from the previous d_next
        }
        out.push((buf[off + 24..off + 24 + namlen].to_vec(), d_next));
        off += 24 + namlen;
    }
    Some((out, used == buf_len))
}

fn run(u: &mut Unstructured) -> Result<()> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("d");
    std::fs::create_dir(&dir).unwrap();
    let mut ever: BTreeSet<Vec<u8>> = [b".".to_vec(), b"..".to_vec()].into();
    let mut next_id = 0u32;
    let mut create = |ever: &mut BTreeSet<Vec<u8>>, long: bool| {
        let name = if long {
            format!("{next_id:0>200}")
        } else {
            format!("f{next_id}")
        };
        next_id += 1;
        std::fs::write(dir.join(&name), b"").unwrap();
        ever.insert(name.into_bytes());
    };
    for _ in 0..u.int_in_range(0..=40)? {
        create(&mut ever, u.ratio(1, 8)?);
    }

    let mut sys = UnixSystem::new(Limits::default());
    let fd = sys.preopen_dir(&dir, "/d", false).unwrap();
    let mut mem = vec![0u8; MEM];
    let mut cookies = vec![0u64];
    let mut changed = true;
    // Cookie → the entry a pass saw start there; forgotten whenever the directory changes.
    let mut starts: HashMap<u64, Vec<u8>> = HashMap::new();

    for _ in 0..u.int_in_range(1..=24)? {
        match u.int_in_range(0..=4)? {
            0 => {
                create(&mut ever, u.ratio(1, 8)?);
                changed = true;
                starts.clear();
            }
            1 => {
                let names: Vec<_> = std::fs::read_dir(&dir)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                if !names.is_empty() {
                    std::fs::remove_file(&names[u.choose_index(names.len())?]).unwrap();
                    changed = true;
                    starts.clear();
                }
            }
            2 => {
                // A whole pass from 0 with a random buffer size.
                let buf_len = u.int_in_range(0..=2048)?;
                let mut seen = BTreeSet::new();
                let mut cookie = 0;
                for _ in 0..10_000 {
                    let Some((entries, full)) = read_once(&mut sys, &mut mem, fd, cookie, buf_len)
                    else {
                        break;
                    };
                    for (name, d_next) in &entries {
                        assert!(
                            ever.contains(name),
                            "invented entry {:?}",
                            String::from_utf8_lossy(name)
                        );
                        assert!(
                            seen.insert(name.clone()),
                            "duplicate {:?}",
                            String::from_utf8_lossy(name)
                        );
                        cookies.push(*d_next);
                        starts.insert(cookie, name.clone());
                        cookie = *d_next;
                    }
                    if !full || entries.is_empty() {
                        if entries.is_empty() && full && buf_len > 0 && buf_len < 24 + 200 {
                            // Buffer too small for the next entry: the guest would grow it.
                        } else if !full && !changed {
                            let mut want: BTreeSet<Vec<u8>> = std::fs::read_dir(&dir)
                                .unwrap()
                                .map(|e| e.unwrap().file_name().into_encoded_bytes())
                                .collect();
                            want.insert(b".".to_vec());
                            want.insert(b"..".to_vec());
                            assert_eq!(seen, want, "a pass over an unchanged directory");
                        }
                        break;
                    }
                }
                changed = false;
            }
            _ => {
                // Resume from a cookie seen before (or any number).
                let cookie = if u.ratio(3, 4)? {
                    *u.choose(&cookies)?
                } else {
                    u.arbitrary()?
                };
                let buf_len = u.int_in_range(0..=512)?;
                if let Some((entries, _)) = read_once(&mut sys, &mut mem, fd, cookie, buf_len) {
                    if let (Some(want), Some((first, _))) = (starts.get(&cookie), entries.first()) {
                        assert_eq!(
                            first, want,
                            "resuming at cookie {cookie} of an unchanged directory"
                        );
                    }
                    for (name, _) in entries {
                        assert!(
                            ever.contains(&name),
                            "invented entry {:?}",
                            String::from_utf8_lossy(&name)
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(&mut Unstructured::new(data));
});
