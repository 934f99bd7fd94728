//! `--listen ADDR` / `--dial ADDR`: the host-side sockets handed to the guest at start.
//!
//! Forms: `tcp://HOST:PORT` (any family the name resolves to), `tcp4://HOST:PORT`,
//! `tcp6://HOST:PORT` (`[ADDR]` for IPv6 literals), `unix://PATH` (a *host* path: the user
//! who starts the runtime names it, not the guest). Options follow a `?`, separated by `&`:
//! `backlog=N` (listen backlog, default 128) and `reuseaddr[=true|false]` (`SO_REUSEADDR`,
//! default true for TCP listeners, as servers expect to restart on a port in `TIME_WAIT`).

use std::path::PathBuf;

use super::AddressFamily;

/// Why a socket address did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SpecError {}

/// Where a preopened socket listens or dials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecTarget {
    /// A TCP endpoint; `family` is `None` for `tcp://` (whatever `host` resolves to first).
    Tcp {
        /// Host name or address literal (without brackets).
        host: String,
        /// Port.
        port: u16,
        /// `Some(Inet4)` for `tcp4://`, `Some(Inet6)` for `tcp6://`.
        family: Option<AddressFamily>,
    },
    /// A unix-domain stream socket at a host path.
    Unix(PathBuf),
}

/// A parsed `--listen`/`--dial` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketSpec {
    /// The endpoint.
    pub target: SpecTarget,
    /// `listen(2)` backlog (listeners only).
    pub backlog: i32,
    /// `SO_REUSEADDR` before binding (TCP listeners only).
    pub reuseaddr: bool,
}

impl SocketSpec {
    /// Parses `SCHEME://ADDR[?OPTIONS]` (see the module docs).
    pub fn parse(s: &str) -> Result<SocketSpec, SpecError> {
        let bad = |m: String| Err(SpecError(m));
        let Some((scheme, rest)) = s.split_once("://") else {
            return bad(format!(
                "{s:?}: expected tcp://, tcp4://, tcp6:// or unix://"
            ));
        };
        let (addr, opts) = match rest.split_once('?') {
            Some((a, o)) => (a, Some(o)),
            None => (rest, None),
        };
        let mut spec = SocketSpec {
            target: SpecTarget::Unix(PathBuf::new()),
            backlog: 128,
            reuseaddr: true,
        };
        for opt in opts.into_iter().flat_map(|o| o.split('&')) {
            let (k, v) = opt.split_once('=').unwrap_or((opt, "true"));
            match k {
                "backlog" => {
                    spec.backlog = match v.parse::<i32>() {
                        Ok(n) if n >= 0 => n,
                        _ => return bad(format!("{s:?}: bad backlog {v:?}")),
                    }
                }
                "reuseaddr" => {
                    spec.reuseaddr = match v {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => return bad(format!("{s:?}: bad reuseaddr {v:?}")),
                    }
                }
                _ => return bad(format!("{s:?}: unknown option {k:?}")),
            }
        }
        let family = match scheme {
            "tcp" => None,
            "tcp4" => Some(AddressFamily::Inet4),
            "tcp6" => Some(AddressFamily::Inet6),
            "unix" => {
                if addr.is_empty() || addr.contains('\0') {
                    return bad(format!("{s:?}: empty or bad unix path"));
                }
                spec.target = SpecTarget::Unix(PathBuf::from(addr));
                return Ok(spec);
            }
            _ => return bad(format!("{s:?}: unknown scheme {scheme:?}")),
        };
        let (host, port) = if let Some(r) = addr.strip_prefix('[') {
            match r.split_once("]:") {
                Some((h, p)) => (h, p),
                None => return bad(format!("{s:?}: expected [ADDR]:PORT")),
            }
        } else {
            match addr.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, p),
                _ => return bad(format!("{s:?}: expected HOST:PORT ([ADDR]:PORT for IPv6)")),
            }
        };
        if host.is_empty() {
            return bad(format!("{s:?}: empty host"));
        }
        let Ok(port) = port.parse::<u16>() else {
            return bad(format!("{s:?}: bad port {port:?}"));
        };
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            let lit = if ip.is_ipv4() {
                AddressFamily::Inet4
            } else {
                AddressFamily::Inet6
            };
            if family.is_some_and(|f| f != lit) {
                return bad(format!("{s:?}: {host} is not an address of {scheme}"));
            }
        }
        spec.target = SpecTarget::Tcp {
            host: host.to_owned(),
            port,
            family,
        };
        Ok(spec)
    }

    /// The TCP addresses to try, in resolver order, restricted to the scheme's family. Empty
    /// for unix targets. Resolves host names through the system resolver.
    pub fn resolve(&self) -> std::io::Result<Vec<std::net::SocketAddr>> {
        use std::net::ToSocketAddrs;
        let SpecTarget::Tcp { host, port, family } = &self.target else {
            return Ok(Vec::new());
        };
        let addrs: Vec<_> = (host.as_str(), *port)
            .to_socket_addrs()?
            .filter(|a| match family {
                Some(AddressFamily::Inet4) => a.is_ipv4(),
                Some(AddressFamily::Inet6) => a.is_ipv6(),
                _ => true,
            })
            .collect();
        if addrs.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{host}: no address of the requested family"),
            ));
        }
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_and_option_parses() {
        let s = SocketSpec::parse("tcp://localhost:8080").unwrap();
        assert_eq!(
            s.target,
            SpecTarget::Tcp {
                host: "localhost".into(),
                port: 8080,
                family: None
            }
        );
        assert_eq!((s.backlog, s.reuseaddr), (128, true));
        let s = SocketSpec::parse("tcp4://127.0.0.1:0?backlog=5&reuseaddr=false").unwrap();
        assert_eq!(
            s.target,
            SpecTarget::Tcp {
                host: "127.0.0.1".into(),
                port: 0,
                family: Some(AddressFamily::Inet4)
            }
        );
        assert_eq!((s.backlog, s.reuseaddr), (5, false));
        let s = SocketSpec::parse("tcp6://[::1]:9").unwrap();
        assert_eq!(
            s.target,
            SpecTarget::Tcp {
                host: "::1".into(),
                port: 9,
                family: Some(AddressFamily::Inet6)
            }
        );
        let s = SocketSpec::parse("unix:///tmp/x.sock?backlog=1").unwrap();
        assert_eq!(s.target, SpecTarget::Unix("/tmp/x.sock".into()));
        assert_eq!(s.backlog, 1);
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "127.0.0.1:80",
            "udp://1.2.3.4:5",
            "tcp://1.2.3.4",
            "tcp://:80",
            "tcp://1.2.3.4:99999",
            "tcp://::1:80",
            "tcp6://[::1]",
            "tcp4://[::1]:80",
            "tcp6://127.0.0.1:80",
            "unix://",
            "tcp://a:1?backlog=-1",
            "tcp://a:1?reuseaddr=maybe",
            "tcp://a:1?color=red",
        ] {
            assert!(SocketSpec::parse(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn resolve_keeps_the_scheme_family() {
        let s = SocketSpec::parse("tcp4://127.0.0.1:7").unwrap();
        assert_eq!(s.resolve().unwrap(), vec!["127.0.0.1:7".parse().unwrap()]);
        let s = SocketSpec::parse("tcp6://localhost:7").unwrap();
        // localhost may or may not have an IPv6 entry; whatever comes back is IPv6.
        if let Ok(v) = s.resolve() {
            assert!(v.iter().all(|a| a.is_ipv6()));
        }
    }
}
