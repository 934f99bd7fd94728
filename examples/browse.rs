//! Print the tree a guest given `--dir DIR::/data` would see, through the same sandbox.
//!
//! ```sh
//! cargo run --example browse -- DIR
//! ```
//!
//! The tree is read with [`FsView::walk`] on a [`UnixSystem`] holding that one preopen, so it
//! shows exactly what the guest could reach: a symlink is listed with its target, never
//! followed, and one that points outside `/data` is marked as refused, as the guest's open
//! of it would be.

use std::io::{self, Write};
use std::path::Path;

use capwasi::embed::WasiBuilder;
use capwasi::fs_view::{FsView, errno_of};

/// Writes the tree of `host` as the guest would see it at `/data`.
pub(crate) fn browse(host: &Path, out: &mut impl Write) -> io::Result<()> {
    let (mut sys, _captures) = WasiBuilder::new().preopen_dir_ro(host, "/data").build()?;
    let view = FsView::by_name(&mut sys, "/data")?;
    // The walk yields in listing order, which the OS chooses; sort by path components for a
    // stable, depth-first tree (parents sort before their children).
    let mut lines = Vec::new();
    for entry in view.walk(".") {
        let entry = entry?;
        let path = entry.path().to_owned();
        let depth = path.matches('/').count() + 1;
        let kind = entry.file_type();
        let text = if kind.is_dir() {
            format!("{}/", entry.file_name())
        } else if kind.is_symlink() {
            let target = view.read_link(&path)?;
            // Resolving the link as the guest would tells whether it stays inside.
            match view.metadata(&path) {
                Ok(_) => format!("{} -> {target}", entry.file_name()),
                Err(e) => {
                    let why = errno_of(&e).map_or_else(|| e.to_string(), |n| n.to_string());
                    format!("{} -> {target} (refused: {why})", entry.file_name())
                }
            }
        } else {
            format!("{} ({} bytes)", entry.file_name(), entry.metadata()?.len())
        };
        lines.push((path, format!("{}{text}", "  ".repeat(depth))));
    }
    lines.sort_by(|(a, _), (b, _)| a.split('/').cmp(b.split('/')));
    writeln!(out, "/data/")?;
    for (_, line) in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: cargo run --example browse -- DIR");
        std::process::exit(2);
    };
    if let Err(e) = browse(Path::new(&dir), &mut io::stdout().lock()) {
        eprintln!("browse: {e}");
        std::process::exit(1);
    }
}
