//! The client's address behind trusted proxies (`TALENT_TRUSTED_PROXIES`): taken from
//! `X-Forwarded-For` only when the TCP peer is one of them.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// One CIDR block: an address and the length of its network prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// `10.0.0.0/8`, `fd00::/8`, or a bare address (a block of one).
    fn parse(raw: &str) -> Result<Self, String> {
        let (address, prefix) = match raw.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (raw, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("entry \"{raw}\" is not an IP address or CIDR block"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("entry \"{raw}\" has a prefix length not in 0..={bits}"))?,
        };
        Ok(Self {
            network: network.to_canonical(),
            prefix,
        })
    }

    fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(addr)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(addr) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(addr)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(addr) & mask
            }
            _ => false,
        }
    }
}

/// The proxies whose `X-Forwarded-For` is believed; empty by default (nobody's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Cidr>);

impl TrustedProxies {
    /// Comma-separated CIDR blocks or addresses; blanks around entries are ignored, an
    /// empty string trusts no one.
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(Cidr::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|cidr| cidr.contains(address))
    }

    /// The client of a request that came from `peer`: the peer itself unless it is
    /// trusted; else the right-most `X-Forwarded-For` address that is not itself a
    /// trusted proxy. An unreadable entry ends the walk at the last trusted hop (it may
    /// have been written by anyone), and a list of trusted hops only gives its left-most.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect::<Vec<_>>();
        for hop in hops.into_iter().rev() {
            let Some(address) = forwarded_address(hop.trim()) else {
                break;
            };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, or an address with a port (`1.2.3.4:5678`,
/// `[::1]:5678`), as some proxies write it.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|address| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(raw: &str) -> IpAddr {
        raw.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let client = proxies.client_of(ip("203.0.113.9"), &headers(&["198.51.100.1"]));
        assert_eq!(client, ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_peer_names_the_right_most_untrusted_address() {
        let proxies = TrustedProxies::parse("10.0.0.0/8, 192.168.1.1").unwrap();
        let forwarded = headers(&["1.1.1.1, 198.51.100.7", "10.1.2.3"]);
        let client = proxies.client_of(ip("192.168.1.1"), &forwarded);
        assert_eq!(
            client,
            ip("198.51.100.7"),
            "1.1.1.1 was written by the client"
        );
    }

    #[test]
    fn a_trusted_peer_without_the_header_is_the_client() {
        let proxies = TrustedProxies::parse("127.0.0.1").unwrap();
        assert_eq!(
            proxies.client_of(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn an_unreadable_entry_stops_at_the_last_trusted_hop() {
        let proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
        let forwarded = headers(&["198.51.100.7, garbage, 10.0.0.5"]);
        assert_eq!(
            proxies.client_of(ip("10.0.0.1"), &forwarded),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn ports_and_mapped_ipv6_addresses_are_understood() {
        let proxies = TrustedProxies::parse("::1/128,10.0.0.0/8").unwrap();
        let forwarded = headers(&["[2001:db8::1]:4711", "10.0.0.2:80"]);
        assert_eq!(
            proxies.client_of(ip("::ffff:10.0.0.1"), &forwarded),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn bad_entries_are_refused_with_the_entry_named() {
        for (raw, needle) in [
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("nonsense", "nonsense"),
            ("::/129", "::/129"),
            ("10.0.0.0/x", "10.0.0.0/x"),
        ] {
            let err = TrustedProxies::parse(raw).unwrap_err();
            assert!(err.contains(needle), "{raw}: {err}");
        }
        assert_eq!(
            TrustedProxies::parse(" ").unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn a_block_holds_exactly_its_addresses() {
        let cidr = Cidr::parse("192.168.4.0/22").unwrap();
        assert!(cidr.contains(ip("192.168.7.255")));
        assert!(!cidr.contains(ip("192.168.8.0")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(!cidr.contains(ip("::1")));
    }
}
