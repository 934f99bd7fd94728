//! Host-tree snapshots, shared by the guest tests, the property tests and the fuzz targets.

use std::path::{Path, PathBuf};

/// A snapshot of every path, type, size, content hash and mtime below `root` (not following
/// symlinks), for proving that a guest changed nothing outside its preopen.
pub fn snapshot(root: &Path) -> Vec<(PathBuf, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let md = std::fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_owned();
            let desc = if md.file_type().is_symlink() {
                format!("link -> {}", std::fs::read_link(&p).unwrap().display())
            } else if md.is_dir() {
                format!("dir {:?}", md.modified().ok())
            } else {
                format!(
                    "file {} {:?} {:?}",
                    md.len(),
                    std::fs::read(&p).unwrap(),
                    md.modified().ok()
                )
            };
            out.push((rel, desc));
            if md.is_dir() {
                walk(root, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}
