//! A pure model of path resolution inside a preopen: the oracle for the sandbox property
//! tests and the `path_resolution` fuzz target.
//!
//! The model knows a tree (directories, files, symlinks with their targets) and resolves a
//! guest path the way a POSIX kernel would, with the sandbox rules of DESIGN.md §2.2 on top:
//! an absolute path, a `..` above the root or a symlink with an absolute target is an
//! *escape*; relative symlinks are followed (at most 40 expansions, like Linux and cap-std)
//! from the directory that holds them, and `..` after a symlink is physical (the parent of
//! where the link led). Nothing here touches the OS.
#![allow(dead_code)] // each test binary uses a different subset

pub mod sandbox;
pub mod snapshot;

use std::collections::BTreeMap;
use std::path::Path;

/// Linux's and cap-std's limit on symlink expansions in one resolution.
pub const MAX_SYMLINK_EXPANSIONS: usize = 40;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir,
    File,
    Symlink(String),
}

/// Why a resolution fails.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The path leaves the preopen: the host must refuse it (EPERM / ENOTCAPABLE).
    Escape,
    NoEnt,
    NotDir,
    Loop,
}

/// Where a path leads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An existing node (a symlink only when the last component was not followed).
    Exists {
        path: Vec<String>,
        node: Node,
        dir_required: bool,
    },
    /// The parent exists and is a directory; the last component does not exist.
    Missing {
        parent: Vec<String>,
        name: String,
        dir_required: bool,
    },
}

/// A directory tree rooted at the preopen. The root is the empty path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tree {
    pub nodes: BTreeMap<Vec<String>, Node>,
}

impl Tree {
    pub fn new() -> Tree {
        let mut nodes = BTreeMap::new();
        nodes.insert(Vec::new(), Node::Dir);
        Tree { nodes }
    }

    /// Reads a host tree (not following symlinks).
    pub fn from_host(root: &Path) -> Tree {
        fn walk(dir: &Path, prefix: &mut Vec<String>, tree: &mut Tree) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                let md = std::fs::symlink_metadata(e.path()).unwrap();
                prefix.push(name);
                if md.file_type().is_symlink() {
                    let t = std::fs::read_link(e.path()).unwrap();
                    tree.nodes
                        .insert(prefix.clone(), Node::Symlink(t.to_string_lossy().into()));
                } else if md.is_dir() {
                    tree.nodes.insert(prefix.clone(), Node::Dir);
                    walk(&e.path(), prefix, tree);
                } else {
                    tree.nodes.insert(prefix.clone(), Node::File);
                }
                prefix.pop();
            }
        }
        let mut tree = Tree::new();
        walk(root, &mut Vec::new(), &mut tree);
        tree
    }

    pub fn insert(&mut self, path: &str, node: Node) {
        let comps: Vec<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect();
        self.nodes.insert(comps, node);
    }

    /// Resolves `path` from directory `start`; `follow_final` is SYMLINK_FOLLOW.
    pub fn resolve(
        &self,
        start: &[String],
        path: &str,
        follow_final: bool,
    ) -> Result<Resolved, Failure> {
        if path.is_empty() {
            return Err(Failure::NoEnt);
        }
        if path.starts_with('/') {
            return Err(Failure::Escape);
        }
        let mut cur: Vec<String> = start.to_vec();
        // Pending components, last first (so pushing a symlink's target is cheap).
        let mut pending: Vec<String> = Vec::new();
        let mut dir_required = push_components(&mut pending, path);
        let mut expansions = 0;

        while let Some(comp) = pending.pop() {
            let last = pending.is_empty();
            match comp.as_str() {
                "." => {
                    if last {
                        return Ok(self.existing(cur, true));
                    }
                }
                ".." => {
                    if cur.pop().is_none() {
                        return Err(Failure::Escape);
                    }
                    if last {
                        return Ok(self.existing(cur, true));
                    }
                }
                name => {
                    let mut next = cur.clone();
                    next.push(name.to_owned());
                    match self.nodes.get(&next) {
                        None if last => {
                            return Ok(Resolved::Missing {
                                parent: cur,
                                name: name.to_owned(),
                                dir_required,
                            });
                        }
                        None => return Err(Failure::NoEnt),
                        Some(Node::Dir) => {
                            cur = next;
                            if last {
                                return Ok(self.existing(cur, dir_required));
                            }
                        }
                        Some(Node::File) => {
                            if last && !dir_required {
                                return Ok(Resolved::Exists {
                                    path: next,
                                    node: Node::File,
                                    dir_required,
                                });
                            }
                            return Err(Failure::NotDir);
                        }
                        Some(Node::Symlink(target)) => {
                            if last && !follow_final && !dir_required {
                                return Ok(Resolved::Exists {
                                    path: next,
                                    node: Node::Symlink(target.clone()),
                                    dir_required,
                                });
                            }
                            expansions += 1;
                            if expansions > MAX_SYMLINK_EXPANSIONS {
                                return Err(Failure::Loop);
                            }
                            if target.starts_with('/') {
                                return Err(Failure::Escape);
                            }
                            if target.is_empty() {
                                return Err(Failure::NoEnt);
                            }
                            // The target replaces this component, resolved from `cur`.
                            dir_required |= push_components(&mut pending, target) && last;
                        }
                    }
                }
            }
        }
        // Only reachable for paths made of nothing but slashes after a start, e.g. "a//"
        // handled above; an all-"." path resolves to the start directory.
        Ok(self.existing(cur, dir_required))
    }

    fn existing(&self, path: Vec<String>, dir_required: bool) -> Resolved {
        let node = self.nodes.get(&path).cloned().unwrap_or(Node::Dir);
        Resolved::Exists {
            path,
            node,
            dir_required,
        }
    }
}

/// Pushes `path`'s components onto `pending` (last first). Returns whether the path
/// demands a directory (trailing `/`, `.` or `..`).
fn push_components(pending: &mut Vec<String>, path: &str) -> bool {
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    let dir_required = path.ends_with('/') || matches!(comps.last(), Some(&".") | Some(&".."));
    for c in comps.into_iter().rev() {
        pending.push(c.to_owned());
    }
    if pending.is_empty() {
        // "" was rejected earlier; a path of only slashes is absolute. Nothing to do.
    }
    dir_required
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Tree {
        let mut t = Tree::new();
        t.insert("sub", Node::Dir);
        t.insert("sub/deep", Node::Dir);
        t.insert("file", Node::File);
        t.insert("sub/f", Node::File);
        t.insert("up", Node::Symlink("..".into()));
        t.insert("sub/up2", Node::Symlink("../..".into()));
        t.insert("sub/ok", Node::Symlink("../file".into()));
        t.insert("abs", Node::Symlink("/etc".into()));
        t.insert("loop1", Node::Symlink("loop2".into()));
        t.insert("loop2", Node::Symlink("loop1".into()));
        t.insert("todeep", Node::Symlink("sub/deep".into()));
        t.insert("dangling", Node::Symlink("nothere".into()));
        t
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn escapes() {
        let t = tree();
        assert_eq!(t.resolve(&[], "/etc", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "..", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "sub/../..", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "up", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "up/x", false), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "sub/up2", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&[], "abs", true), Err(Failure::Escape));
        assert_eq!(t.resolve(&v(&["sub"]), "../..", true), Err(Failure::Escape));
    }

    #[test]
    fn inside() {
        let t = tree();
        assert!(matches!(
            t.resolve(&[], "sub/ok", true),
            Ok(Resolved::Exists {
                node: Node::File,
                ..
            })
        ));
        assert!(matches!(
            t.resolve(&[], "sub/../file", true),
            Ok(Resolved::Exists {
                node: Node::File,
                ..
            })
        ));
        assert!(matches!(
            t.resolve(&[], "up", false),
            Ok(Resolved::Exists {
                node: Node::Symlink(_),
                ..
            })
        ));
        assert!(matches!(
            t.resolve(&[], "abs", false),
            Ok(Resolved::Exists {
                node: Node::Symlink(_),
                ..
            })
        ));
        // `..` after a symlink is physical: todeep/.. is sub.
        assert_eq!(
            t.resolve(&[], "todeep/..", true),
            Ok(Resolved::Exists {
                path: v(&["sub"]),
                node: Node::Dir,
                dir_required: true
            })
        );
        assert_eq!(
            t.resolve(&[], "new", true),
            Ok(Resolved::Missing {
                parent: vec![],
                name: "new".into(),
                dir_required: false
            })
        );
        // A dangling symlink followed: the target is missing.
        assert!(matches!(
            t.resolve(&[], "dangling", true),
            Ok(Resolved::Missing { .. })
        ));
    }

    #[test]
    fn errors() {
        let t = tree();
        assert_eq!(t.resolve(&[], "loop1", true), Err(Failure::Loop));
        assert_eq!(t.resolve(&[], "file/", true), Err(Failure::NotDir));
        assert_eq!(t.resolve(&[], "file/x", true), Err(Failure::NotDir));
        assert_eq!(t.resolve(&[], "nothere/x", true), Err(Failure::NoEnt));
        assert_eq!(t.resolve(&[], "", true), Err(Failure::NoEnt));
        // A trailing slash forces following the last symlink even with nofollow.
        assert!(matches!(
            t.resolve(&[], "todeep/", false),
            Ok(Resolved::Exists {
                node: Node::Dir,
                ..
            })
        ));
    }
}
