//! The Received chain and the originating hop (DESIGN.md §2).
//!
//! RFC 5321 §4.4: each relay prepends `Received: from HELO (rDNS [IP]) by HOST ...; date`.
//! Only headers added by hosts we trust can be believed, so the chain is walked from the top:
//! while the client of a header is a trusted relay (or loopback, for content filters that
//! re-inject locally), the next header down was added by that relay; the first client that is
//! not trusted is the sender. Everything below it may be forged and is never believed.

use ipnetwork::IpNetwork;
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Host};
use serde::Serialize;
use std::net::IpAddr;
use std::sync::OnceLock;

/// One Received header. Its clauses are parsed when first asked for: the walk from the top
/// stops at the first untrusted client, so the headers below it are read only for a full
/// report (`check --json`): parsing all of them was 2–3 % of a scan's CPU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// Position of the header among all header fields (0 = top).
    pub field: usize,
    raw: String,
    facts: OnceLock<HopFacts>,
}

/// What one Received header says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HopFacts {
    /// The name the client gave in HELO/EHLO (the `from` clause).
    pub helo: Option<String>,
    /// The client's reverse-DNS name, when the receiving host recorded one.
    pub from_rdns: Option<String>,
    /// The client's IP address.
    pub from_ip: Option<IpAddr>,
    /// The host that added the header.
    pub by_host: Option<String>,
    /// The date after the `;`, RFC 3339.
    pub date: Option<String>,
}

impl Serialize for Hop {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.facts().serialize(serializer)
    }
}

impl Hop {
    /// The header at field index `field`, with its raw (unfolded) value.
    pub(super) fn new(field: usize, raw: String) -> Hop {
        Hop {
            field,
            raw,
            facts: OnceLock::new(),
        }
    }

    /// What the header says, parsed on first use.
    pub fn facts(&self) -> &HopFacts {
        self.facts.get_or_init(|| HopFacts::parse(&self.raw))
    }
}

impl HopFacts {
    fn parse(raw: &str) -> HopFacts {
        let host_name = |h: &Option<Host<'_>>| match h {
            Some(Host::Name(n)) => Some(n.to_string()),
            Some(Host::IpAddr(ip)) => Some(ip.to_string()),
            None => None,
        };
        let mut hop = HopFacts {
            helo: None,
            from_rdns: None,
            from_ip: None,
            by_host: None,
            date: None,
        };
        if let HeaderValue::Received(r) = MessageStream::new(raw.as_bytes()).parse_received() {
            hop.helo = host_name(&r.from).or_else(|| host_name(&r.helo));
            hop.from_rdns = r.from_iprev.as_ref().map(|s| s.to_string());
            hop.from_ip = r.from_ip.or(match &r.from {
                Some(Host::IpAddr(ip)) => Some(*ip),
                _ => None,
            });
            hop.by_host = host_name(&r.by);
            hop.date = r.date.map(|d| d.to_rfc3339());
        }
        if hop.from_ip.is_none() {
            hop.from_ip = bracketed_ip(from_clause(raw));
        }
        // An IPv4-mapped IPv6 address (::ffff:192.0.2.1) is the IPv4 client.
        hop.from_ip = hop.from_ip.map(|ip| ip.to_canonical());
        hop
    }
}

/// The text between `from` and `by`, where the client's address is recorded.
fn from_clause(raw: &str) -> &str {
    let lower = raw.to_ascii_lowercase();
    let start = lower.find("from ").map_or(0, |i| i + 5);
    let end = lower[start..].find(" by ").map_or(raw.len(), |i| start + i);
    &raw[start..end]
}

/// The first `[IP]` or `[IPv6:IP]` literal (RFC 5321 §4.1.3) in a from clause.
fn bracketed_ip(clause: &str) -> Option<IpAddr> {
    let mut rest = clause;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let close = after.find(']')?;
        let inner = after[..close].trim();
        let inner = inner
            .strip_prefix("IPv6:")
            .or_else(|| inner.strip_prefix("ipv6:"))
            .unwrap_or(inner);
        if let Ok(ip) = inner.parse::<IpAddr>() {
            return Some(ip);
        }
        rest = &after[close + 1..];
    }
    None
}

/// How the originating hop was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginSource {
    /// From the Received chain, after `trusted_hops` headers added by trusted hosts.
    Received,
    /// Given on the command line (`--client-ip`), as an MTA passes it.
    Override,
    /// The client IP Zendesk recorded for a web or API comment.
    Zendesk,
    /// No untrusted client in the chain: the sender's IP is unknown.
    Unknown,
}

/// The sender's connection as far as it can be believed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The client IP of the originating hop.
    pub ip: Option<IpAddr>,
    /// The HELO name of the originating hop.
    pub helo: Option<String>,
    /// The host that received from the client (used as SPF's `%{r}`).
    pub receiver: Option<String>,
    /// Index into `Message::received` of the originating hop.
    pub hop: Option<usize>,
    /// How many Received headers above it were added by trusted hosts.
    pub trusted_hops: usize,
    /// Where it came from.
    pub source: OriginSource,
    /// Whether any trusted relay was configured; without one, the topmost header is believed.
    pub relays_configured: bool,
    /// Header fields at positions below this were added before the message reached a trusted
    /// host, so their claims (Authentication-Results, Received) may be forged.
    #[serde(skip)]
    pub trusted_fields: usize,
}

/// Walks the Received chain from the top (DESIGN.md §2).
pub fn originate(hops: &[Hop], trusted: &[IpNetwork], field_count: usize) -> Origin {
    let relays_configured = !trusted.is_empty();
    for (i, hop) in hops.iter().enumerate() {
        let hop_field = hop.field;
        let hop = hop.facts();
        let Some(ip) = hop.from_ip else {
            // A hop without a client IP is a local hand-off inside a trusted host.
            continue;
        };
        if ip.is_loopback() || trusted.iter().any(|net| net.contains(ip)) {
            continue;
        }
        return Origin {
            ip: Some(ip),
            helo: hop.helo.clone(),
            receiver: hop.by_host.clone(),
            hop: Some(i),
            trusted_hops: i,
            source: OriginSource::Received,
            relays_configured,
            trusted_fields: hop_field,
        };
    }
    Origin {
        ip: None,
        helo: None,
        receiver: hops.first().and_then(|h| h.facts().by_host.clone()),
        hop: None,
        trusted_hops: hops.len(),
        source: OriginSource::Unknown,
        relays_configured,
        trusted_fields: if hops.is_empty() { 0 } else { field_count },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn message(received: &[&str]) -> Message {
        let mut raw = String::new();
        for r in received {
            raw.push_str("Received: ");
            raw.push_str(r);
            raw.push_str("\r\n");
        }
        raw.push_str("From: a@example.com\r\n\r\nhi\r\n");
        Message::parse(raw.into_bytes(), "test").unwrap()
    }

    #[test]
    fn parses_ipv4_ipv6_and_helo() {
        let m = message(&[
            "from mail.example.net (mail.example.net [198.51.100.7]) by mx1.example.co.jp (Postfix) with ESMTPS id 1; Tue, 24 Nov 2026 10:00:00 +0900",
            "from [IPv6:2001:db8::25] (unknown [IPv6:2001:db8::25])\r\n\tby relay.example.co.jp with ESMTP; Tue, 24 Nov 2026 09:59:58 +0900",
        ]);
        assert_eq!(m.received.len(), 2);
        assert_eq!(
            m.received[0].facts().from_ip,
            Some("198.51.100.7".parse().unwrap())
        );
        assert_eq!(
            m.received[0].facts().helo.as_deref(),
            Some("mail.example.net")
        );
        assert_eq!(
            m.received[0].facts().by_host.as_deref(),
            Some("mx1.example.co.jp")
        );
        assert_eq!(
            m.received[1].facts().from_ip,
            Some("2001:db8::25".parse().unwrap())
        );
    }

    #[test]
    fn walks_past_trusted_relays_and_loopback() {
        let m = message(&[
            "from localhost (localhost [127.0.0.1]) by mx1.example.co.jp with ESMTP; Tue, 24 Nov 2026 10:00:02 +0900",
            "from relay.example.co.jp (relay.example.co.jp [192.0.2.26]) by mx1.example.co.jp with ESMTP; Tue, 24 Nov 2026 10:00:01 +0900",
            "from client.example.net (client.example.net [203.0.113.9]) by relay.example.co.jp with ESMTP; Tue, 24 Nov 2026 10:00:00 +0900",
            "from forged.example (forged.example [192.0.2.200]) by client.example.net; Tue, 24 Nov 2026 09:00:00 +0900",
        ]);
        let trusted = ["192.0.2.26/32".parse().unwrap()];
        let o = originate(&m.received, &trusted, m.fields.len());
        assert_eq!(o.ip, Some("203.0.113.9".parse().unwrap()));
        assert_eq!(o.hop, Some(2));
        assert_eq!(o.helo.as_deref(), Some("client.example.net"));
        assert_eq!(o.receiver.as_deref(), Some("relay.example.co.jp"));
        assert_eq!(o.trusted_fields, 2);

        // Without the relay configured, the relay itself is the sender.
        let o = originate(&m.received, &[], m.fields.len());
        assert_eq!(o.ip, Some("192.0.2.26".parse().unwrap()));
        assert!(!o.relays_configured);
    }

    #[test]
    fn no_received_means_unknown() {
        let m = message(&[]);
        let o = originate(&m.received, &[], m.fields.len());
        assert_eq!(o.source, OriginSource::Unknown);
        assert_eq!(o.trusted_fields, 0);
    }
}
