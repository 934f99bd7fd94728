//! The fd table: which numbers are open, what each may do (rights), which are preopens, and
//! how many may be open at once.
//!
//! Generic over the host's handle type `T` so that the rights algebra and the number
//! management are written (and tested) once, with no OS in sight.

use crate::abi::{Errno, Fd, Filetype, Oflags, Rights};
use crate::system::Result;

/// Resource limits a user can set.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most fds open at once, stdio and preopens included. Past it, opens fail with `ENFILE`.
    pub max_open_files: usize,
    /// Most directory streams (directories being listed with `fd_readdir`) at once.
    pub max_open_dirs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_open_files: 1024,
            max_open_dirs: 128,
        }
    }
}

/// A preopened directory: the name the guest sees and whether it was granted read-only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The directory's name as the guest sees it (`fd_prestat_dir_name`).
    pub guest_name: String,
    /// Whether the preopen was granted read-only (without the [`Rights::MUTATING`] rights).
    pub read_only: bool,
}

/// One open fd.
#[derive(Debug)]
pub struct Entry<T> {
    /// The host's handle for the open file, directory or socket.
    pub handle: T,
    /// Derived from `fstat` when the fd was opened, never from the open flags.
    pub filetype: Filetype,
    /// What this fd may be used for.
    pub rights_base: Rights,
    /// The most that fds opened through this one (with `path_open`) may get.
    pub rights_inheriting: Rights,
    /// Set if this fd is a preopened directory.
    pub preopen: Option<Preopen>,
}

impl<T> Entry<T> {
    /// Fails with `ENOTCAPABLE` unless the fd holds every right in `required`.
    pub fn check(&self, required: Rights) -> Result<()> {
        if self.rights_base.contains(required) {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }
}

/// Rights with which a file or directory is opened.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OpenRights {
    /// Base rights of the new fd.
    pub base: Rights,
    /// Inheriting rights of the new fd.
    pub inheriting: Rights,
    /// Whether the open needs read access at the OS level.
    pub read: bool,
    /// Whether the open needs write access at the OS level.
    pub write: bool,
}

/// Rights a directory needs in its *base* rights for `path_open` with these flags.
pub fn path_open_required(oflags: Oflags) -> Rights {
    let mut required = Rights::PATH_OPEN;
    if oflags.contains(Oflags::CREAT) {
        required |= Rights::PATH_CREATE_FILE;
    }
    if oflags.contains(Oflags::TRUNC) {
        required |= Rights::PATH_FILESTAT_SET_SIZE;
    }
    required
}

/// The rights a child opened through `dir` gets.
///
/// Children never gain rights their parent cannot hand down: requested rights are intersected
/// with the parent's inheriting rights. Asking for *access* the parent cannot give (reading
/// or writing) is `ENOTCAPABLE`; asking for other extra rights is not an error, because Go's
/// and Rust's runtimes ask for generous masks and expect the host to trim them (as wasmtime
/// does). The result is further trimmed to what makes sense for the file type once it is known
/// (see [`trim_to_filetype`]).
pub fn child_rights(
    parent_inheriting: Rights,
    base: Rights,
    inheriting: Rights,
) -> Result<OpenRights> {
    let wants_read = base.intersects(Rights::FD_READ | Rights::FD_READDIR);
    let wants_write =
        base.intersects(Rights::FD_WRITE | Rights::FD_ALLOCATE | Rights::FD_FILESTAT_SET_SIZE);
    let granted = base & parent_inheriting;
    if base.contains(Rights::FD_READ) && !granted.contains(Rights::FD_READ) {
        return Err(Errno::Notcapable);
    }
    if base.contains(Rights::FD_WRITE) && !granted.contains(Rights::FD_WRITE) {
        return Err(Errno::Notcapable);
    }
    Ok(OpenRights {
        base: granted,
        inheriting: inheriting & parent_inheriting,
        read: wants_read,
        write: wants_write
            && granted
                .intersects(Rights::FD_WRITE | Rights::FD_ALLOCATE | Rights::FD_FILESTAT_SET_SIZE),
    })
}

/// Trims base rights to those meaningful for `filetype`.
pub fn trim_to_filetype(base: Rights, filetype: Filetype) -> Rights {
    match filetype {
        Filetype::Directory => base & Rights::DIRECTORY,
        Filetype::RegularFile => base & Rights::REGULAR_FILE,
        Filetype::SocketStream | Filetype::SocketDgram => base & Rights::SOCKET,
        _ => base & (Rights::STREAM | Rights::FD_SEEK | Rights::FD_TELL),
    }
}

/// The table itself.
#[derive(Debug)]
pub struct FdTable<T> {
    slots: Vec<Option<Entry<T>>>,
    open: usize,
    /// No fd below this is free (a hint that keeps allocation O(1) in the common case).
    first_free: usize,
    limits: Limits,
}

impl<T> FdTable<T> {
    /// An empty table enforcing `limits`.
    pub fn new(limits: Limits) -> Self {
        FdTable {
            slots: Vec::new(),
            open: 0,
            first_free: 0,
            limits,
        }
    }

    /// The limits the table enforces.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Number of open fds.
    pub fn len(&self) -> usize {
        self.open
    }

    /// Whether no fd is open.
    pub fn is_empty(&self) -> bool {
        self.open == 0
    }

    /// Inserts at the lowest free number. `ENFILE` past the limit.
    pub fn insert(&mut self, entry: Entry<T>) -> Result<Fd> {
        if self.open >= self.limits.max_open_files {
            return Err(Errno::Nfile);
        }
        let mut fd = self.first_free;
        while fd < self.slots.len() && self.slots[fd].is_some() {
            fd += 1;
        }
        if fd == self.slots.len() {
            self.slots.push(None);
        }
        self.slots[fd] = Some(entry);
        self.open += 1;
        self.first_free = fd + 1;
        Ok(fd as Fd)
    }

    /// Looks up an open fd. `EBADF` if it is not open.
    pub fn entry(&self, fd: Fd) -> Result<&Entry<T>> {
        self.slots
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    /// Looks up an open fd for changing it. `EBADF` if it is not open.
    pub fn entry_mut(&mut self, fd: Fd) -> Result<&mut Entry<T>> {
        self.slots
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    /// Looks up an open fd holding `required` rights (`EBADF`, then `ENOTCAPABLE`).
    pub fn get(&self, fd: Fd, required: Rights) -> Result<&Entry<T>> {
        let e = self.entry(fd)?;
        e.check(required)?;
        Ok(e)
    }

    /// Looks up an open fd holding `required` rights, for changing it (`EBADF`, then
    /// `ENOTCAPABLE`).
    pub fn get_mut(&mut self, fd: Fd, required: Rights) -> Result<&mut Entry<T>> {
        let e = self.entry_mut(fd)?;
        e.check(required)?;
        Ok(e)
    }

    /// Removes an fd and returns its entry (the caller drops, i.e. closes, it).
    pub fn remove(&mut self, fd: Fd) -> Result<Entry<T>> {
        let slot = self.slots.get_mut(fd as usize).ok_or(Errno::Badf)?;
        let entry = slot.take().ok_or(Errno::Badf)?;
        self.open -= 1;
        self.first_free = self.first_free.min(fd as usize);
        // Keep the vector from growing without bound after a burst of opens.
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
        Ok(entry)
    }

    /// `fd_renumber`: moves `from` onto `to`, closing what `to` held. Both must be open
    /// (so a guest cannot grow the table by naming a huge `to`); `from == to` is a no-op.
    pub fn renumber(&mut self, from: Fd, to: Fd) -> Result<()> {
        self.entry(from)?;
        self.entry(to)?;
        if from == to {
            return Ok(());
        }
        let moved = self.remove(from)?;
        // `to` is open, so its slot exists even after the trailing-slot trim in `remove`.
        let old = self.slots[to as usize].replace(moved);
        drop(old);
        Ok(())
    }

    /// Iterates over open fds in numeric order.
    pub fn iter(&self) -> impl Iterator<Item = (Fd, &Entry<T>)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i as Fd, e.as_ref()?)))
    }

    /// Closes everything.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.open = 0;
        self.first_free = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u32) -> Entry<u32> {
        Entry {
            handle: id,
            filetype: Filetype::RegularFile,
            rights_base: Rights::FD_READ,
            rights_inheriting: Rights::empty(),
            preopen: None,
        }
    }

    #[test]
    fn lowest_free_number_is_reused() {
        let mut t = FdTable::new(Limits::default());
        assert_eq!(t.insert(entry(0)), Ok(0));
        assert_eq!(t.insert(entry(1)), Ok(1));
        assert_eq!(t.insert(entry(2)), Ok(2));
        t.remove(1).unwrap();
        assert_eq!(t.insert(entry(3)), Ok(1));
        assert_eq!(t.insert(entry(4)), Ok(3));
        assert_eq!(t.len(), 4);
    }

    #[test]
    fn limit_gives_enfile() {
        let mut t = FdTable::new(Limits {
            max_open_files: 2,
            max_open_dirs: 1,
        });
        t.insert(entry(0)).unwrap();
        t.insert(entry(1)).unwrap();
        assert_eq!(t.insert(entry(2)), Err(Errno::Nfile));
        t.remove(0).unwrap();
        assert_eq!(t.insert(entry(2)), Ok(0));
    }

    #[test]
    fn rights_are_checked() {
        let mut t = FdTable::new(Limits::default());
        let fd = t.insert(entry(0)).unwrap();
        assert!(t.get(fd, Rights::FD_READ).is_ok());
        assert_eq!(t.get(fd, Rights::FD_WRITE).err(), Some(Errno::Notcapable));
        assert_eq!(t.get(fd + 1, Rights::empty()).err(), Some(Errno::Badf));
        assert_eq!(t.get(u32::MAX, Rights::empty()).err(), Some(Errno::Badf));
    }

    #[test]
    fn renumber_rules() {
        let mut t = FdTable::new(Limits::default());
        let a = t.insert(entry(10)).unwrap();
        let b = t.insert(entry(20)).unwrap();
        // x -> x keeps x open.
        t.renumber(a, a).unwrap();
        assert_eq!(t.entry(a).unwrap().handle, 10);
        // To a closed or huge fd: EBADF, and the table does not grow.
        assert_eq!(t.renumber(a, 0x7fff_ffff), Err(Errno::Badf));
        assert_eq!(t.renumber(a, 5), Err(Errno::Badf));
        assert_eq!(t.renumber(9, a), Err(Errno::Badf));
        assert!(t.slots.len() <= 2);
        t.renumber(a, b).unwrap();
        assert_eq!(t.entry(b).unwrap().handle, 10);
        assert_eq!(t.entry(a).err(), Some(Errno::Badf));
        assert_eq!(t.len(), 1);
        // Renumber the highest onto a lower one.
        let c = t.insert(entry(30)).unwrap();
        assert_eq!(c, 0);
        t.renumber(b, c).unwrap();
        assert_eq!(t.entry(0).unwrap().handle, 10);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn children_never_gain_rights() {
        let ro_inh = (Rights::DIRECTORY | Rights::REGULAR_FILE).read_only();
        // Reading through a read-only parent is fine, extra rights are trimmed.
        let r = child_rights(ro_inh, Rights::all() - Rights::FD_WRITE, Rights::all()).unwrap();
        assert!(r.read && !r.write);
        assert!(!r.base.intersects(Rights::MUTATING));
        assert!(!r.inheriting.intersects(Rights::MUTATING));
        // Asking to write is refused.
        assert_eq!(
            child_rights(ro_inh, Rights::FD_WRITE, Rights::empty()),
            Err(Errno::Notcapable)
        );
        // Asking to read where the parent cannot hand down reading is refused.
        assert_eq!(
            child_rights(Rights::FD_WRITE, Rights::FD_READ, Rights::empty()),
            Err(Errno::Notcapable)
        );
        let r = child_rights(Rights::all(), Rights::FD_WRITE, Rights::empty()).unwrap();
        assert!(r.write && !r.read);
    }

    #[test]
    fn open_requirements() {
        assert_eq!(path_open_required(Oflags::empty()), Rights::PATH_OPEN);
        assert!(path_open_required(Oflags::CREAT).contains(Rights::PATH_CREATE_FILE));
        assert!(path_open_required(Oflags::TRUNC).contains(Rights::PATH_FILESTAT_SET_SIZE));
    }

    #[test]
    fn trimming_by_type() {
        let d = trim_to_filetype(Rights::all(), Filetype::Directory);
        assert!(!d.contains(Rights::FD_READ) && d.contains(Rights::FD_READDIR));
        let f = trim_to_filetype(Rights::all(), Filetype::RegularFile);
        assert!(f.contains(Rights::FD_SEEK) && !f.contains(Rights::PATH_OPEN));
    }
}
