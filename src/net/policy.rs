//! The network policy: explicit allow-lists, nothing granted by default.
//!
//! A [`NetPolicy`] holds three lists: hosts and ports the guest may `connect`/`send_to`
//! ([`NetPolicy::allow_connect`], the `--allow-connect HOST:PORT` grammar), addresses it may
//! `bind` ([`NetPolicy::allow_bind`], `--allow-bind ADDR:PORT`) and names it may resolve
//! ([`NetPolicy::allow_dns`], `--allow-dns[=PATTERN]`). The host asks the policy *before* any
//! syscall; a refusal is always [`Errno::Acces`] (`EACCES`, "permission denied", which is what
//! guest networking libraries report for a firewall refusal; `ENOTCAPABLE` stays reserved for
//! missing fd rights so the two causes can be told apart in a trace).
//!
//! Grammar of a grant (`HOST:PORT`):
//! - HOST: `*` (any address), an IPv4 address, `[IPv6]`, a CIDR range (`10.0.0.0/8`,
//!   `[fd00::/8]`), a host name (`localhost`, `db.internal`) or a name pattern with `*`
//!   wildcards (`*.example.com`); or `unix:PATH-PATTERN` for unix-domain sockets (guest paths,
//!   `*` wildcards, no port).
//! - PORT: `*`, a number, or a range `LO-HI`.
//!
//! Host names match an IP address once they are known to stand for it: a plain name is
//! resolved by [`NetPolicy::resolve_names`], and any name (plain or pattern) learns the
//! addresses a permitted `getaddrinfo` of a matching node returned
//! ([`NetPolicy::learn_resolved`]). A name grant in the connect list also permits resolving
//! that name. Names are compared case-insensitively.

use std::net::IpAddr;

use super::SocketAddr;
use crate::abi::Errno;

/// Why a grant did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolicyError {}

fn err<T>(msg: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(msg.into()))
}

/// An inclusive port range; `*` is `0-65535`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// Lowest port allowed.
    pub lo: u16,
    /// Highest port allowed.
    pub hi: u16,
}

impl PortRange {
    /// Every port.
    pub const ANY: PortRange = PortRange { lo: 0, hi: 65535 };

    /// Whether `port` is in the range.
    pub fn contains(&self, port: u16) -> bool {
        (self.lo..=self.hi).contains(&port)
    }

    fn parse(s: &str) -> Result<PortRange, PolicyError> {
        let num = |p: &str| {
            p.parse::<u16>()
                .or_else(|_| err(format!("bad port {p:?} (expected 0-65535)")))
        };
        if s == "*" {
            return Ok(PortRange::ANY);
        }
        if let Some((lo, hi)) = s.split_once('-') {
            let (lo, hi) = (num(lo)?, num(hi)?);
            if lo > hi {
                return err(format!("empty port range {s:?}"));
            }
            return Ok(PortRange { lo, hi });
        }
        let p = num(s)?;
        Ok(PortRange { lo: p, hi: p })
    }
}

/// What a grant's host part matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPattern {
    /// `*`: every IPv4 and IPv6 address.
    Any,
    /// An address range; a single address is a range with the full prefix.
    Cidr {
        /// The network address (bits past the prefix are ignored).
        net: IpAddr,
        /// Prefix length in bits (at most 32 for IPv4, 128 for IPv6).
        prefix: u8,
    },
    /// A host name or name pattern (lower case; `*` matches any run of characters).
    Name(String),
    /// A unix-domain guest path pattern (`*` matches any run of characters).
    Unix(String),
}

/// One allow-list entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Which hosts.
    pub host: HostPattern,
    /// Which ports (ignored for unix paths).
    pub ports: PortRange,
    /// Addresses a [`HostPattern::Name`] is known to stand for.
    pub resolved: Vec<IpAddr>,
}

impl Grant {
    /// Parses `HOST:PORT` or `unix:PATH` (see the module docs).
    pub fn parse(s: &str) -> Result<Grant, PolicyError> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("unix:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() || path.contains('\0') {
                return err(format!("bad unix path pattern in {s:?}"));
            }
            return Ok(Grant {
                host: HostPattern::Unix(path.to_owned()),
                ports: PortRange::ANY,
                resolved: Vec::new(),
            });
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let Some((inner, after)) = rest.split_once(']') else {
                return err(format!("missing ']' in {s:?}"));
            };
            let Some(port) = after.strip_prefix(':') else {
                return err(format!("missing :PORT in {s:?}"));
            };
            (inner, port)
        } else {
            match s.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, p),
                // More than one ':' without brackets: an IPv6 address whose port cannot be
                // told apart from its last group.
                Some(_) => return err(format!("write IPv6 addresses as [ADDR]:PORT in {s:?}")),
                None => return err(format!("missing :PORT in {s:?} (use :* for any port)")),
            }
        };
        Ok(Grant {
            host: parse_host(host)?,
            ports: PortRange::parse(port)?,
            resolved: Vec::new(),
        })
    }

    fn matches(&self, addr: &SocketAddr) -> bool {
        match (addr, &self.host) {
            (SocketAddr::Unix(p), HostPattern::Unix(pat)) => glob(pat.as_bytes(), p.as_bytes()),
            (SocketAddr::Unix(_), _) | (_, HostPattern::Unix(_)) => false,
            (SocketAddr::Inet(a), host) => {
                self.ports.contains(a.port()) && host_matches(host, &self.resolved, a.ip())
            }
        }
    }
}

/// The address `ip` as the grant sees it: IPv4-mapped IPv6 addresses count as IPv4, so that a
/// dual-stack socket cannot reach an IPv4 host the IPv4 grants refuse.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

fn host_matches(host: &HostPattern, resolved: &[IpAddr], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    match host {
        HostPattern::Any => true,
        HostPattern::Cidr { net, prefix } => in_cidr(*net, *prefix, ip),
        HostPattern::Name(_) => resolved.iter().any(|r| canonical(*r) == ip),
        HostPattern::Unix(_) => false,
    }
}

fn in_cidr(net: IpAddr, prefix: u8, ip: IpAddr) -> bool {
    match (net, ip) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

fn parse_host(h: &str) -> Result<HostPattern, PolicyError> {
    if h == "*" {
        return Ok(HostPattern::Any);
    }
    if h.is_empty() {
        return err("empty host (use * for any)");
    }
    let (addr, prefix) = match h.split_once('/') {
        Some((a, p)) => (
            a,
            Some(
                p.parse::<u8>()
                    .or_else(|_| err(format!("bad prefix length {p:?}")))?,
            ),
        ),
        None => (h, None),
    };
    if let Ok(ip) = addr.parse::<IpAddr>() {
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return err(format!("prefix /{prefix} too long for {ip}"));
        }
        return Ok(HostPattern::Cidr {
            net: canonical(ip),
            prefix: if ip.is_ipv6() && canonical(ip).is_ipv4() {
                // ::ffff:a.b.c.d/N names IPv4 space: keep the IPv4 part of the prefix.
                prefix.saturating_sub(96)
            } else {
                prefix
            },
        });
    }
    if prefix.is_some() {
        return err(format!("a CIDR range needs an IP address, not {addr:?}"));
    }
    if !h
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._*".contains(&b))
    {
        return err(format!("bad host name {h:?}"));
    }
    Ok(HostPattern::Name(h.to_ascii_lowercase()))
}

/// `*` matches any run of bytes; everything else matches itself.
fn glob(pat: &[u8], s: &[u8]) -> bool {
    // Iterative matcher with one backtrack point: linear in practice, never exponential.
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() && pat[p] == b'*' {
            star = Some((p, i));
            p += 1;
        } else if p < pat.len() && pat[p] == s[i] {
            p += 1;
            i += 1;
        } else if let Some((sp, si)) = star {
            p = sp + 1;
            i = si + 1;
            star = Some((sp, si + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

/// The allow-lists (see the module docs). The default grants nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetPolicy {
    connect: Vec<Grant>,
    bind: Vec<Grant>,
    /// Name patterns `getaddrinfo` may resolve.
    dns: Vec<String>,
}

impl NetPolicy {
    /// A policy that grants nothing (the default).
    pub fn none() -> NetPolicy {
        NetPolicy::default()
    }

    /// Adds an `--allow-connect` grant (also covers `send_to`).
    pub fn allow_connect(&mut self, grant: &str) -> Result<(), PolicyError> {
        self.connect.push(Grant::parse(grant)?);
        Ok(())
    }

    /// Adds an `--allow-bind` grant (also covers `listen` on what was bound).
    pub fn allow_bind(&mut self, grant: &str) -> Result<(), PolicyError> {
        self.bind.push(Grant::parse(grant)?);
        Ok(())
    }

    /// Adds an `--allow-dns` grant: `*` (or an empty string) permits resolving any name,
    /// otherwise a name pattern with `*` wildcards.
    pub fn allow_dns(&mut self, pattern: &str) -> Result<(), PolicyError> {
        let p = pattern.trim();
        let p = if p.is_empty() { "*" } else { p };
        if !p
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._*:".contains(&b))
        {
            return err(format!("bad name pattern {p:?}"));
        }
        self.dns.push(p.to_ascii_lowercase());
        Ok(())
    }

    /// Whether anything at all is granted. With nothing granted the host refuses even to
    /// open a socket.
    pub fn grants_any(&self) -> bool {
        !(self.connect.is_empty() && self.bind.is_empty() && self.dns.is_empty())
    }

    /// Whether any grant could concern `family`: unix grants for unix sockets, address or
    /// name grants (or a DNS grant) for inet sockets.
    pub fn grants_family(&self, family: super::AddressFamily) -> bool {
        let unix = |g: &Grant| matches!(g.host, HostPattern::Unix(_));
        let mut grants = self.connect.iter().chain(&self.bind);
        match family {
            super::AddressFamily::Unix => grants.any(unix),
            _ => !self.dns.is_empty() || grants.any(|g| !unix(g)),
        }
    }

    /// `Ok` if `connect`/`send_to` to `addr` is granted, `EACCES` otherwise.
    pub fn check_connect(&self, addr: &SocketAddr) -> Result<(), Errno> {
        check(&self.connect, addr)
    }

    /// `Ok` if `bind` to `addr` is granted, `EACCES` otherwise. Port 0 (an ephemeral port)
    /// needs a grant whose range contains 0, e.g. `127.0.0.1:*`.
    pub fn check_bind(&self, addr: &SocketAddr) -> Result<(), Errno> {
        check(&self.bind, addr)
    }

    /// `Ok` if resolving `node` is granted: by a DNS grant, or by a connect or bind grant
    /// naming it (a pattern naming it counts too). Numeric addresses need no resolver and are
    /// always allowed; what the guest may do with them is up to the connect and bind lists.
    pub fn check_dns(&self, node: &str) -> Result<(), Errno> {
        let node = node.trim_end_matches('\0').to_ascii_lowercase();
        if node.parse::<IpAddr>().is_ok() {
            return Ok(());
        }
        let named = |g: &Grant| matches!(&g.host, HostPattern::Name(p) if glob(p.as_bytes(), node.as_bytes()));
        if self.dns.iter().any(|p| glob(p.as_bytes(), node.as_bytes()))
            || self.connect.iter().chain(&self.bind).any(named)
        {
            Ok(())
        } else {
            Err(Errno::Acces)
        }
    }

    /// Records that `node` resolved to `addrs`: every name grant matching `node` now also
    /// matches those addresses. Called by the host after a permitted `getaddrinfo`, so that
    /// `--allow-connect '*.example.com:443'` works for the addresses the guest looked up.
    pub fn learn_resolved(&mut self, node: &str, addrs: &[IpAddr]) {
        let node = node.trim_end_matches('\0').to_ascii_lowercase();
        for g in self.connect.iter_mut().chain(self.bind.iter_mut()) {
            if let HostPattern::Name(p) = &g.host
                && glob(p.as_bytes(), node.as_bytes())
            {
                for a in addrs {
                    if !g.resolved.contains(a) {
                        g.resolved.push(*a);
                    }
                }
            }
        }
    }

    /// Resolves every plain (wildcard-free) name grant through the system resolver, so that
    /// `--allow-connect localhost:8080` matches `127.0.0.1:8080` and `[::1]:8080` without the
    /// guest calling `getaddrinfo` first. Names that do not resolve match no address.
    pub fn resolve_names(&mut self) {
        use std::net::ToSocketAddrs;
        for g in self.connect.iter_mut().chain(self.bind.iter_mut()) {
            if let HostPattern::Name(n) = &g.host
                && !n.contains('*')
                && let Ok(it) = (n.as_str(), 0u16).to_socket_addrs()
            {
                for a in it {
                    if !g.resolved.contains(&a.ip()) {
                        g.resolved.push(a.ip());
                    }
                }
            }
        }
    }
}

fn check(list: &[Grant], addr: &SocketAddr) -> Result<(), Errno> {
    if list.iter().any(|g| g.matches(addr)) {
        Ok(())
    } else {
        Err(Errno::Acces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inet(s: &str) -> SocketAddr {
        SocketAddr::Inet(s.parse().unwrap())
    }

    #[test]
    fn nothing_is_granted_by_default() {
        let p = NetPolicy::none();
        assert!(!p.grants_any());
        assert_eq!(p.check_connect(&inet("127.0.0.1:80")), Err(Errno::Acces));
        assert_eq!(p.check_bind(&inet("0.0.0.0:0")), Err(Errno::Acces));
        assert_eq!(p.check_dns("localhost"), Err(Errno::Acces));
        assert_eq!(
            p.check_connect(&SocketAddr::Unix("/s".into())),
            Err(Errno::Acces)
        );
    }

    #[test]
    fn grants_parse_every_form() {
        let g = |s: &str| Grant::parse(s).unwrap();
        assert_eq!(g("*:*").host, HostPattern::Any);
        assert_eq!(g("*:*").ports, PortRange::ANY);
        assert_eq!(g("1.2.3.4:80").ports, PortRange { lo: 80, hi: 80 });
        assert_eq!(g("1.2.3.4:80-90").ports, PortRange { lo: 80, hi: 90 });
        assert_eq!(
            g("10.0.0.0/8:*").host,
            HostPattern::Cidr {
                net: "10.0.0.0".parse().unwrap(),
                prefix: 8
            }
        );
        assert_eq!(
            g("[::1]:1").host,
            HostPattern::Cidr {
                net: "::1".parse().unwrap(),
                prefix: 128
            }
        );
        assert_eq!(
            g("[fd00::/8]:1").host,
            HostPattern::Cidr {
                net: "fd00::".parse().unwrap(),
                prefix: 8
            }
        );
        assert_eq!(
            g("*.Example.com:443").host,
            HostPattern::Name("*.example.com".into())
        );
        assert_eq!(
            g("unix:/run/*.sock").host,
            HostPattern::Unix("/run/*.sock".into())
        );
        assert_eq!(g("unix:///run/a").host, HostPattern::Unix("/run/a".into()));
        for bad in [
            "",
            "1.2.3.4",
            "1.2.3.4:",
            "1.2.3.4:x",
            "1.2.3.4:70000",
            "1.2.3.4:9-8",
            "::1:80",
            "[::1:80",
            "[::1]80",
            "1.2.3.4/33:1",
            "host/8:1",
            "a b:1",
            ":80",
            "unix:",
        ] {
            assert!(Grant::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn connect_grants_match_addresses_ports_and_ranges() {
        let mut p = NetPolicy::none();
        p.allow_connect("127.0.0.1:8080").unwrap();
        p.allow_connect("10.1.0.0/16:1000-2000").unwrap();
        p.allow_connect("[::1]:*").unwrap();
        assert!(p.check_connect(&inet("127.0.0.1:8080")).is_ok());
        assert_eq!(p.check_connect(&inet("127.0.0.1:8081")), Err(Errno::Acces));
        assert_eq!(p.check_connect(&inet("127.0.0.2:8080")), Err(Errno::Acces));
        assert!(p.check_connect(&inet("10.1.255.3:1000")).is_ok());
        assert!(p.check_connect(&inet("10.1.0.0:2000")).is_ok());
        assert_eq!(p.check_connect(&inet("10.2.0.1:1500")), Err(Errno::Acces));
        assert_eq!(p.check_connect(&inet("10.1.0.1:2001")), Err(Errno::Acces));
        assert!(p.check_connect(&inet("[::1]:1")).is_ok());
        assert_eq!(p.check_connect(&inet("[::2]:1")), Err(Errno::Acces));
        // An IPv4-mapped IPv6 address is the IPv4 address: granted and refused alike.
        assert!(p.check_connect(&inet("[::ffff:127.0.0.1]:8080")).is_ok());
        assert_eq!(
            p.check_connect(&inet("[::ffff:127.0.0.2]:8080")),
            Err(Errno::Acces)
        );
        // Connect grants do not grant bind, and the reverse.
        assert_eq!(p.check_bind(&inet("127.0.0.1:8080")), Err(Errno::Acces));
    }

    #[test]
    fn any_host_and_prefix_zero_match_everything_of_their_kind() {
        let mut p = NetPolicy::none();
        p.allow_bind("*:0").unwrap();
        p.allow_bind("0.0.0.0/0:7").unwrap();
        assert!(p.check_bind(&inet("1.2.3.4:0")).is_ok());
        assert!(p.check_bind(&inet("[::5]:0")).is_ok());
        assert!(p.check_bind(&inet("9.9.9.9:7")).is_ok());
        assert_eq!(p.check_bind(&inet("[::5]:7")), Err(Errno::Acces));
        assert_eq!(
            p.check_bind(&SocketAddr::Unix("/x".into())),
            Err(Errno::Acces)
        );
    }

    #[test]
    fn names_match_what_they_resolve_to_and_grant_their_own_lookup() {
        let mut p = NetPolicy::none();
        p.allow_connect("*.example.com:443").unwrap();
        assert!(p.check_dns("www.example.com").is_ok());
        assert!(p.check_dns("WWW.EXAMPLE.COM\0").is_ok());
        assert_eq!(p.check_dns("example.org"), Err(Errno::Acces));
        assert_eq!(
            p.check_connect(&inet("93.184.216.34:443")),
            Err(Errno::Acces)
        );
        p.learn_resolved("www.example.com", &["93.184.216.34".parse().unwrap()]);
        assert!(p.check_connect(&inet("93.184.216.34:443")).is_ok());
        assert_eq!(
            p.check_connect(&inet("93.184.216.34:80")),
            Err(Errno::Acces)
        );
        // Learning for a name no grant covers changes nothing.
        p.learn_resolved("evil.org", &["6.6.6.6".parse().unwrap()]);
        assert_eq!(p.check_connect(&inet("6.6.6.6:443")), Err(Errno::Acces));
    }

    #[test]
    fn localhost_resolves_to_loopback() {
        let mut p = NetPolicy::none();
        p.allow_connect("localhost:9").unwrap();
        assert_eq!(p.check_connect(&inet("127.0.0.1:9")), Err(Errno::Acces));
        p.resolve_names();
        assert!(p.check_connect(&inet("127.0.0.1:9")).is_ok());
        assert_eq!(p.check_connect(&inet("127.0.0.2:9")), Err(Errno::Acces));
    }

    #[test]
    fn dns_grants_and_numeric_nodes() {
        let mut p = NetPolicy::none();
        assert!(p.check_dns("127.0.0.1").is_ok());
        assert!(p.check_dns("::1").is_ok());
        p.allow_dns("*.internal").unwrap();
        assert!(p.grants_any());
        assert!(p.check_dns("db.internal").is_ok());
        assert_eq!(p.check_dns("db.external"), Err(Errno::Acces));
        p.allow_dns("").unwrap();
        assert!(p.check_dns("anything.at.all").is_ok());
        assert!(p.allow_dns("a b").is_err());
    }

    #[test]
    fn unix_grants_match_guest_paths_only() {
        let mut p = NetPolicy::none();
        p.allow_connect("unix:/run/*.sock").unwrap();
        assert!(p.grants_family(crate::net::AddressFamily::Unix));
        assert!(!p.grants_family(crate::net::AddressFamily::Inet4));
        assert!(
            p.check_connect(&SocketAddr::Unix("/run/a.sock".into()))
                .is_ok()
        );
        assert_eq!(
            p.check_connect(&SocketAddr::Unix("/run/a.sock2".into())),
            Err(Errno::Acces)
        );
        assert_eq!(p.check_connect(&inet("127.0.0.1:1")), Err(Errno::Acces));
    }

    #[test]
    fn glob_matches_runs_and_literals() {
        assert!(glob(b"*", b""));
        assert!(glob(b"a*c", b"abbbc"));
        assert!(glob(b"*.x.*", b"a.x.b"));
        assert!(!glob(b"a*c", b"abcd"));
        assert!(!glob(b"abc", b"ab"));
        assert!(glob(b"**a", b"a"));
        // Many stars against a long miss stays fast (no exponential backtracking).
        let s = vec![b'a'; 10_000];
        assert!(!glob(b"*a*a*a*a*a*b", &s));
    }
}
