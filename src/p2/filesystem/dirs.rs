//! `directory-entry-stream`: a directory's entries, read through `fd_readdir` a batch at a
//! time.

use std::collections::VecDeque;

use crate::abi::{Dircookie, Fd};
use crate::p2::bindings::wasi::filesystem::types::{DirectoryEntry, ErrorCode};
use crate::system::{ReaddirControl, System};

use super::convert::descriptor_type;

/// Entries fetched per `fd_readdir`: names are at most 255 bytes on Linux, so a batch holds at
/// most ~16 KiB whatever the directory's size.
const BATCH: usize = 64;

/// The host side of a `directory-entry-stream`: the directory's fd and the cookie of the next
/// entry to fetch. Each stream has its own cookie, so two listings of one directory do not
/// disturb each other.
#[derive(Debug)]
pub struct DirectoryEntryStream {
    fd: Fd,
    cookie: Dircookie,
    /// Fetched but not yet returned: an entry, or the error for an entry whose name is not
    /// UTF-8 (a `string` must be).
    pending: VecDeque<Result<DirectoryEntry, ErrorCode>>,
    done: bool,
}

impl DirectoryEntryStream {
    /// A listing of `fd` from its first entry.
    pub(crate) fn new(fd: Fd) -> Self {
        DirectoryEntryStream {
            fd,
            cookie: 0,
            pending: VecDeque::new(),
            done: false,
        }
    }

    /// The directory's fd.
    pub fn fd(&self) -> Fd {
        self.fd
    }

    /// The next entry, skipping `.` and `..` (the interface never returns them); `None` at the
    /// end.
    pub(crate) fn next<S: System>(
        &mut self,
        sys: &mut S,
    ) -> Result<Option<DirectoryEntry>, ErrorCode> {
        while self.pending.is_empty() && !self.done {
            self.fetch(sys)?;
        }
        self.pending.pop_front().transpose()
    }

    fn fetch<S: System>(&mut self, sys: &mut S) -> Result<(), ErrorCode> {
        let mut seen = 0usize;
        let mut cookie = self.cookie;
        let pending = &mut self.pending;
        sys.fd_readdir(self.fd, self.cookie, &mut |d, name| {
            seen += 1;
            cookie = d.d_next;
            if name != b"." && name != b".." {
                pending.push_back(match std::str::from_utf8(name) {
                    Ok(n) => Ok(DirectoryEntry {
                        type_: descriptor_type(d.d_type),
                        name: n.to_owned(),
                    }),
                    Err(_) => Err(ErrorCode::IllegalByteSequence),
                });
            }
            if pending.len() >= BATCH {
                ReaddirControl::Stop
            } else {
                ReaddirControl::Continue
            }
        })
        .map_err(super::error_code)?;
        self.cookie = cookie;
        if seen == 0 {
            self.done = true;
        }
        Ok(())
    }
}
