//! `sock_getaddrinfo`: resolve a name into the guest's pre-allocated chain of 28-byte result
//! nodes (SOCKETS.md, "getaddrinfo layout").
//!
//! The guest links the nodes itself: `res_ptrptr` holds the first node's address, each node's
//! `next` field (offset 24) the following one, 0 ends the chain. The host fills at most
//! `max_res` nodes along it (and at most [`MAX_ADDRINFO`], so the walk is bounded whatever the
//! guest says) and writes how many to `ret_count`. The chain, every node's sockaddr struct and
//! the buffers they name are checked before the resolver runs; a chain that comes back to a
//! node already visited is `EINVAL` (results would overwrite each other). The `next` fields are
//! left as the guest set them: `ret_count` says how many nodes hold results.

use super::super::{CallResult, size};
use crate::abi::Errno;
use crate::net::wire::{self, ADDRINFO_LEN};
use crate::net::{AddrInfo, SocketAddr};
use crate::p1::memory;
use crate::system::System;

/// Most result nodes filled by one call, whatever `max_res` says. Resolvers rarely answer
/// more than a handful of addresses; the bound keeps the node walk and the host's result
/// list small.
pub const MAX_ADDRINFO: u32 = 128;

/// Size of the sockaddr struct a node points at: u8 family at 0, u32 data length at 4, u32
/// data pointer at 8.
const SOCKADDR_LEN: usize = 12;

/// A sockaddr data length guests declare for a 26-byte buffer (a known quirk of the
/// WasmEdge guest library, SOCKETS.md): room enough for an IPv6 result (18 bytes).
const QUIRK_DECLARED: u32 = 14;
const QUIRK_ALLOCATED: u32 = 26;

/// A validated result node: where its fields and buffers are.
#[derive(Copy, Clone, Debug, Default)]
struct Node {
    at: u32,
    sockaddr: u32,
    data_ptr: u32,
    data_len: u32,
    canon_ptr: u32,
    canon_len: u32,
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}

/// Walks the guest's chain from `first`, validating up to `max` nodes into `out`; returns how
/// many. Nodes and sockaddr structs must be in bounds (`EFAULT`) and 4-aligned (`EINVAL`), as
/// must the data and canonical-name buffers they declare.
fn walk(mem: &[u8], first: u32, max: usize, out: &mut [Node]) -> Result<usize, Errno> {
    let mut at = first;
    let mut n = 0;
    while at != 0 && n < max.min(out.len()) {
        if out[..n].iter().any(|v| v.at == at) {
            return Err(Errno::Inval);
        }
        let node = memory::read_array::<ADDRINFO_LEN>(mem, at, 4)?;
        let sockaddr = u32_at(&node, 12);
        let sa = memory::read_array::<SOCKADDR_LEN>(mem, sockaddr, 4)?;
        let v = Node {
            at,
            sockaddr,
            data_len: u32_at(&sa, 4),
            data_ptr: u32_at(&sa, 8),
            canon_ptr: u32_at(&node, 16),
            canon_len: u32_at(&node, 20),
        };
        memory::range(mem.len(), v.data_ptr, v.data_len)?;
        memory::range(mem.len(), v.canon_ptr, v.canon_len)?;
        out[n] = v;
        n += 1;
        at = u32_at(&node, 24);
    }
    Ok(n)
}

/// Writes one result into its node. The sockaddr data is 6 (IPv4) or 18 (IPv6) bytes; a
/// buffer declared shorter is `EINVAL`, except the quirk's 14, which stands for 26.
fn fill(mem: &mut [u8], node: &Node, flags: u16, r: &AddrInfo) -> CallResult {
    let data = wire::sockaddr_data(&r.addr);
    let capacity = if node.data_len == QUIRK_DECLARED {
        QUIRK_ALLOCATED
    } else {
        node.data_len
    };
    if size(data.len()) > capacity {
        return Err(Errno::Inval);
    }
    let family = SocketAddr::Inet(r.addr).family().raw() as u8;
    memory::write_bytes(mem, node.data_ptr, &data)?;
    memory::write_u8(mem, node.sockaddr, family)?;

    let canon_written = match &r.canonname {
        Some(name) => {
            let k = name.len().min(node.canon_len as usize);
            memory::write_bytes(mem, node.canon_ptr, &name.as_bytes()[..k])?;
            size(k)
        }
        None => 0,
    };
    memory::write_u16(mem, node.at, flags)?;
    memory::write_u8(mem, node.at + 2, family)?;
    memory::write_u8(mem, node.at + 3, r.socktype.raw() as u8)?;
    memory::write_u32(mem, node.at + 4, r.protocol)?;
    memory::write_u32(mem, node.at + 8, size(data.len()))?;
    memory::write_u32(mem, node.at + 20, canon_written)
}

/// `sock_getaddrinfo(node_ptr, node_len, svc_ptr, svc_len, hints_ptr, res_ptrptr, max_res,
/// ret_count)`. Node and service are UTF-8 (`EILSEQ` otherwise); a trailing NUL, which guests
/// often pass along, is ignored by the host. The service must be a port number or empty.
#[allow(clippy::too_many_arguments)]
pub fn sock_getaddrinfo<S: System + ?Sized>(
    sys: &mut S,
    mem: &mut [u8],
    node_ptr: u32,
    node_len: u32,
    svc_ptr: u32,
    svc_len: u32,
    hints_ptr: u32,
    res_ptrptr: u32,
    max_res: u32,
    ret_count: u32,
) -> CallResult {
    let hints = wire::decode_hints(&memory::read_array::<ADDRINFO_LEN>(mem, hints_ptr, 4)?)?;
    memory::check(mem, ret_count, 4, 4)?;
    let first = memory::read_u32(mem, res_ptrptr)?;
    let mut nodes = [Node::default(); MAX_ADDRINFO as usize];
    let n = walk(mem, first, max_res.min(MAX_ADDRINFO) as usize, &mut nodes)?;
    let results = {
        let node = memory::str(mem, node_ptr, node_len)?;
        let service = memory::str(mem, svc_ptr, svc_len)?;
        sys.sock_getaddrinfo(node, service, &hints, n)?
    };
    let mut count = 0;
    for (node, r) in nodes[..n].iter().zip(&results) {
        fill(mem, node, hints.flags, r)?;
        count += 1;
    }
    memory::write_u32(mem, ret_count, count)
}
