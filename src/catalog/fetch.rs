//! Fetching a catalogue from its address on the internet, and only there: the server must not
//! become a way for members to reach the hosting network (SSRF).
//!
//! The address is checked where the connection is made, not before: every address a name resolves
//! to is classified by [`is_public`] inside the DNS resolver given to the HTTP client, so a name
//! that answers a public address to a first look-up and 127.0.0.1 to the next (DNS rebinding)
//! gains nothing; the client asks nobody else (no proxy, no redirect). Literal IP hosts never reach
//! the resolver, so they are classified before. Only http and https on ports 80 and 443, and the
//! body is read by chunks up to a bound.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::{AppError, AppResult};

/// The largest catalogue fetched: far above a producer's catalogue (about 1 KB a product).
pub const MAX_FETCH_BYTES: usize = 5 * 1024 * 1024;
/// How long a fetch may take, body included.
const FETCH_TIME: Duration = Duration::from_secs(10);

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (CGNAT), reserved, documentation, benchmarking, multicast or broadcast. IPv6 addresses that
/// carry an IPv4 address (mapped, compatible, NAT64, 6to4) are judged on that address; otherwise
/// only global unicast (2000::/3) outside its special blocks is public.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => is_public_v6(ip),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0 // "this network", with the unspecified address
        || a == 10 // private
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), 100.64/10
        || a == 127 // loopback
        || (a == 169 && b == 254) // link-local
        || (a == 172 && (16..32).contains(&b)) // private
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation (TEST-NET-1)
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 192 && b == 168) // private
        || (a == 198 && (b == 18 || b == 19)) // benchmarking, 198.18/15
        || (a == 198 && b == 51 && c == 100) // documentation (TEST-NET-2)
        || (a == 203 && b == 0 && c == 113) // documentation (TEST-NET-3)
        || a >= 224; // multicast, reserved and broadcast
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    if s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff) {
        // IPv4-compatible (::a.b.c.d, with :: and ::1) and IPv4-mapped (::ffff:a.b.c.d).
        return is_public_v4(embedded(s[6], s[7]));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        // NAT64 well-known prefix, 64:ff9b::/96: the gateway connects to the embedded address.
        return is_public_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        // 6to4, 2002::/16: the embedded address is the tunnel's end.
        return is_public_v4(embedded(s[1], s[2]));
    }
    let refused = (s[0] & 0xe000) != 0x2000 // outside global unicast: ::/8, 64:ff9b:1::/48, fc00::/7 (ULA), fe80::/10, ff00::/8...
        || (s[0] == 0x2001 && s[1] < 0x200) // IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID)
        || (s[0] == 0x2001 && s[1] == 0xdb8) // documentation
        || (s[0] & 0xfff0) == 0x3ff0; // documentation, 3fff::/20
    !refused
}

/// The addresses a name resolved to, if every one is public (a name pointing anywhere inside is
/// refused outright, rather than trimmed to its public part).
fn public_only(addresses: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, RefusedAddress> {
    if addresses.is_empty() || !addresses.iter().all(|a| is_public(a.ip())) {
        return Err(RefusedAddress);
    }
    Ok(addresses)
}

/// The resolver's refusal, found back in the client's error.
#[derive(Debug, thiserror::Error)]
#[error("the name resolves to an address outside the public internet")]
struct RefusedAddress;

/// A name look-up: the system's, or a test's.
type Lookup = Arc<
    dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>> + Send + Sync,
>;

/// The client's DNS resolver: looks the name up and, unless private addresses are allowed, refuses
/// it when it points outside the public internet. The connection is made to these very addresses.
struct CheckingResolver {
    lookup: Lookup,
    allow_private: bool,
}

impl Resolve for CheckingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let looking = (self.lookup)(name.as_str().to_owned());
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addresses = looking.await?;
            let addresses = if allow_private { addresses } else { public_only(addresses)? };
            Ok(Box::new(addresses.into_iter()) as Addrs)
        })
    }
}

fn system_lookup() -> Lookup {
    Arc::new(|host| Box::pin(async move { Ok(tokio::net::lookup_host((host.as_str(), 0)).await?.collect()) }))
}

/// What a fetch may reach and bring back.
struct Limits {
    allow_private: bool,
    max_bytes: usize,
    lookup: Lookup,
}

/// Fetches a DFC catalogue from its address and returns its bytes: http or https on ports 80 and
/// 443 only, never an address outside the public internet (unless the instance allows private
/// addresses and any port: tests and development), no redirect, 10 s and
/// [`MAX_FETCH_BYTES`] at most.
pub async fn fetch_dfc(url: &str, allow_private: bool) -> AppResult<Vec<u8>> {
    fetch(url, &Limits { allow_private, max_bytes: MAX_FETCH_BYTES, lookup: system_lookup() }).await
}

async fn fetch(url: &str, limits: &Limits) -> AppResult<Vec<u8>> {
    let unreachable = || AppError::invalid("url", "catalog.import.dfc_unreachable");
    let refused = || AppError::invalid("url", "catalog.import.dfc_address_refused");
    let parsed = url::Url::parse(url.trim()).map_err(|_| AppError::invalid("url", "directory.error.url"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(AppError::invalid("url", "directory.error.url"));
    }
    if !limits.allow_private {
        if !matches!(parsed.port_or_known_default(), Some(80 | 443)) {
            return Err(refused());
        }
        // The resolver is not asked about literal addresses.
        let literal = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if literal.is_some_and(|ip| !is_public(ip)) {
            return Err(refused());
        }
    }
    let resolver = CheckingResolver { lookup: limits.lookup.clone(), allow_private: limits.allow_private };
    let client = reqwest::Client::builder()
        .timeout(FETCH_TIME)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(resolver))
        .build()
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut response =
        match client.get(parsed).header("accept", "application/ld+json, application/json").send().await {
            Ok(response) => response,
            Err(err) if is_refusal(&err) => return Err(refused()),
            Err(_) => return Err(unreachable()),
        };
    if !response.status().is_success() {
        return Err(unreachable());
    }
    read_at_most(&mut response, limits.max_bytes).await
}

/// Whether the client failed because the resolver refused the address.
fn is_refusal(err: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(err) = cause {
        if err.is::<RefusedAddress>() {
            return true;
        }
        cause = err.source();
    }
    false
}

/// The body, chunk by chunk, refused as soon as it is announced or grows beyond `max_bytes`.
async fn read_at_most(response: &mut reqwest::Response, max_bytes: usize) -> AppResult<Vec<u8>> {
    let too_large = || AppError::invalid("url", "catalog.import.dfc_too_large");
    if response.content_length().is_some_and(|length| length > max_bytes as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|_| AppError::invalid("url", "catalog.import.dfc_unreachable"))?
    {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_addresses_are_told_from_the_others() {
        for public in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "100.63.255.255",
            "100.128.0.1",
            "172.15.0.1",
            "172.32.0.1",
            "192.167.1.1",
            "198.17.0.1",
            "198.20.0.1",
            "223.255.255.254",
            "2606:4700:4700::1111",
            "2a00:1450:4007:80e::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(is_public(ip(public)), "{public} is public");
        }
        for inside in [
            "0.0.0.0",          // unspecified
            "0.1.2.3",          // this network, 0/8
            "10.0.0.1",         // private
            "100.64.0.1",       // CGNAT, 100.64/10
            "100.127.255.254",  // CGNAT
            "127.0.0.1",        // loopback
            "127.8.9.10",       // loopback
            "169.254.169.254",  // link-local (cloud metadata)
            "172.16.0.1",       // private
            "172.31.255.255",   // private
            "192.0.0.8",        // IETF assignments
            "192.0.2.1",        // documentation
            "192.88.99.1",      // 6to4 relay
            "192.168.1.1",      // private
            "198.18.0.1",       // benchmarking, 198.18/15
            "198.19.255.255",   // benchmarking
            "198.51.100.7",     // documentation
            "203.0.113.9",      // documentation
            "224.0.0.1",        // multicast
            "239.255.255.250",  // multicast
            "240.0.0.1",        // reserved
            "255.255.255.255",  // broadcast
            "::",               // unspecified
            "::1",              // loopback
            "::ffff:127.0.0.1", // mapped loopback
            "::ffff:10.1.2.3",  // mapped private
            "::ffff:169.254.169.254",
            "::127.0.0.1",        // compatible loopback
            "::a00:1",            // compatible 10.0.0.1
            "64:ff9b::7f00:1",    // NAT64 of 127.0.0.1
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b:1::1",       // local-use NAT64
            "2002:7f00:1::1",     // 6to4 of 127.0.0.1
            "fc00::1",            // unique local
            "fd12:3456:789a::1",  // unique local
            "fe80::1",            // link-local
            "febf::1",            // link-local, end of fe80::/10
            "fec0::1",            // site-local (deprecated)
            "ff02::1",            // multicast
            "100::1",             // discard-only
            "2001::1",            // Teredo
            "2001:2::1",          // benchmarking
            "2001:db8::1",        // documentation
            "3fff::1",            // documentation
        ] {
            assert!(!is_public(ip(inside)), "{inside} is not public");
        }
    }

    #[test]
    fn a_name_is_refused_when_any_of_its_addresses_is_inside() {
        let at = |text: &str| SocketAddr::new(ip(text), 0);
        assert!(public_only(vec![at("1.1.1.1"), at("2606:4700::1111")]).is_ok());
        assert!(public_only(vec![at("1.1.1.1"), at("127.0.0.1")]).is_err());
        assert!(public_only(Vec::new()).is_err());
    }

    fn limits(allow_private: bool, max_bytes: usize, lookup: Lookup) -> Limits {
        Limits { allow_private, max_bytes, lookup }
    }

    fn message(err: AppError) -> &'static str {
        err.fields().first().map_or("", |f| f.message)
    }

    /// A look-up answering 127.0.0.1 for any name, counting the questions.
    fn rebinding(asked: Arc<AtomicUsize>) -> Lookup {
        Arc::new(move |_| {
            asked.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(vec![SocketAddr::from(([127, 0, 0, 1], 0))]) })
        })
    }

    #[tokio::test]
    async fn a_name_resolving_inside_is_refused_when_connecting() {
        let asked = Arc::new(AtomicUsize::new(0));
        let refused =
            fetch("https://catalogue.example/dfc.jsonld", &limits(false, 1024, rebinding(asked.clone())))
                .await
                .unwrap_err();
        assert_eq!(message(refused), "catalog.import.dfc_address_refused");
        assert_eq!(asked.load(Ordering::SeqCst), 1, "the client's own look-up was checked");
        let refused = fetch_dfc("http://localhost/catalogue.jsonld", false).await.unwrap_err();
        assert_eq!(message(refused), "catalog.import.dfc_address_refused");
    }

    #[tokio::test]
    async fn literal_addresses_inside_other_ports_and_schemes_are_refused_before_connecting() {
        let asked = Arc::new(AtomicUsize::new(0));
        let limits = limits(false, 1024, rebinding(asked.clone()));
        for url in [
            "http://127.0.0.1/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fe80::1]/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://93.184.216.34:8080/",
            "https://catalogue.example:8080/",
            "https://catalogue.example:22/",
        ] {
            let refused = fetch(url, &limits).await.unwrap_err();
            assert_eq!(message(refused), "catalog.import.dfc_address_refused", "{url}");
        }
        for url in ["ftp://catalogue.example/", "file:///etc/passwd", "gopher://catalogue.example:70/"] {
            let refused = fetch(url, &limits).await.unwrap_err();
            assert_eq!(message(refused), "directory.error.url", "{url}");
        }
        assert_eq!(asked.load(Ordering::SeqCst), 0);
    }

    /// Serves one response of `size` bytes, announcing its length or not, on a local port.
    async fn serve_body(size: usize, announced: bool) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0; 1024];
            let _ = socket.read(&mut request).await;
            let head = if announced {
                format!("HTTP/1.1 200 OK\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_owned()
            };
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&vec![b' '; size]).await;
        });
        format!("http://{address}/catalogue.jsonld")
    }

    #[tokio::test]
    async fn a_body_beyond_the_bound_is_refused_announced_or_not() {
        let open = |max| limits(true, max, system_lookup());
        for announced in [true, false] {
            let url = serve_body(4096, announced).await;
            let refused = fetch(&url, &open(4095)).await.unwrap_err();
            assert_eq!(message(refused), "catalog.import.dfc_too_large", "announced: {announced}");
            let url = serve_body(4096, announced).await;
            assert_eq!(fetch(&url, &open(4096)).await.unwrap().len(), 4096);
        }
    }

    #[tokio::test]
    async fn private_addresses_are_refused_unless_the_instance_allows_them() {
        let url = serve_body(10, true).await;
        let refused = fetch_dfc(&url, false).await.unwrap_err();
        assert_eq!(message(refused), "catalog.import.dfc_address_refused");
        assert_eq!(fetch_dfc(&url, true).await.unwrap().len(), 10);
    }
}
