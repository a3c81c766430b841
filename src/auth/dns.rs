//! The DNS view authentication runs against: live DNS through `hickory-resolver` with time
//! bounds, or a snapshot file served by an in-process DNS server on loopback.
//!
//! A snapshot is served rather than loaded into mail-auth's caches because mail-auth's caches
//! hold *parsed* records whose type the cache cannot know (an SPF `exp=` TXT and an SPF policy
//! TXT look alike), and because one path for every source means the snapshot run exercises
//! exactly the code a live run does. The same server, in forwarding mode, records what a live
//! run used (`--record-snapshot`).
//!
//! Snapshot format (DESIGN.md §7), JSON:
//! `{"txt": {name: [strings]}, "a": {name: [ip]}, "aaaa": {…}, "mx": {name: [[pref, host]]},
//! "ptr": {ip: [names]}}`. A `txt` list of strings is one record split in pieces; a list whose
//! elements are arrays holds one record per array. Extensions, all optional: `cname`
//! `{name: target}`, `timeout` `[names]` (never answered) and `servfail` `[names]`. A name
//! missing from the file is NXDOMAIN.

use crate::error::{Error, Result};
use hickory_proto::op::{Header, HeaderCounts, Metadata, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, PTR, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_resolver::TokioResolver;
use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo, Server};
use hickory_server::zone_handler::MessageResponseBuilder;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TTL: u32 = 3600;

/// The longest time an absent name is cached, in seconds: the three hours RFC 2308 §5 found to
/// work well, for a long-running service.
const NEGATIVE_TTL_CAP: u32 = 3 * 3600;

/// Until when a "no such name" or "no such record" answer may be cached: its negative TTL
/// (the SOA's), at most `NEGATIVE_TTL_CAP`; never without an SOA (RFC 2308 §5).
pub(super) fn absent_until(none: &hickory_resolver::net::NoRecords) -> Option<std::time::Instant> {
    let ttl = none.negative_ttl?.min(NEGATIVE_TTL_CAP);
    Some(std::time::Instant::now() + Duration::from_secs(ttl.into()))
}

/// DNS records as impostor stores them for reproducible runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// TXT records by name; each record is a list of strings.
    #[serde(default, with = "txt_format")]
    pub txt: BTreeMap<String, Vec<Vec<String>>>,
    /// A records.
    #[serde(default)]
    pub a: BTreeMap<String, Vec<Ipv4Addr>>,
    /// AAAA records.
    #[serde(default)]
    pub aaaa: BTreeMap<String, Vec<Ipv6Addr>>,
    /// MX records: preference and exchange.
    #[serde(default)]
    pub mx: BTreeMap<String, Vec<(u16, String)>>,
    /// PTR records by IP address.
    #[serde(default)]
    pub ptr: BTreeMap<IpAddr, Vec<String>>,
    /// CNAME records (extension).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cname: BTreeMap<String, String>,
    /// Names whose queries are never answered (extension; replays a timeout).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub timeout: BTreeSet<String>,
    /// Names whose queries answer SERVFAIL (extension).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub servfail: BTreeSet<String>,
}

mod txt_format {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Deserialize, Serialize)]
    #[serde(untagged)]
    enum Item {
        Piece(String),
        Record(Vec<String>),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<Vec<String>>>, D::Error> {
        let raw: BTreeMap<String, Vec<Item>> = BTreeMap::deserialize(d)?;
        Ok(raw
            .into_iter()
            .map(|(name, items)| {
                let records = if items.iter().all(|i| matches!(i, Item::Piece(_))) {
                    let pieces: Vec<String> = items
                        .into_iter()
                        .filter_map(|i| match i {
                            Item::Piece(p) => Some(p),
                            Item::Record(_) => None,
                        })
                        .collect();
                    if pieces.is_empty() {
                        vec![]
                    } else {
                        vec![pieces]
                    }
                } else {
                    items
                        .into_iter()
                        .map(|i| match i {
                            Item::Piece(p) => vec![p],
                            Item::Record(r) => r,
                        })
                        .collect()
                };
                let records = records.into_iter().filter(|r| !r.is_empty()).collect();
                (super::normalize(&name), records)
            })
            .collect())
    }

    pub(super) fn serialize<S: Serializer>(
        map: &BTreeMap<String, Vec<Vec<String>>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let out: BTreeMap<&String, Vec<Item>> = map
            .iter()
            .map(|(name, records)| {
                let items = match records.as_slice() {
                    [one] => one.iter().cloned().map(Item::Piece).collect(),
                    many => many.iter().cloned().map(Item::Record).collect(),
                };
                (name, items)
            })
            .collect();
        out.serialize(s)
    }
}

/// Lower-case, no trailing dot: the form names are stored and looked up in.
pub fn normalize(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl Snapshot {
    /// Reads a snapshot file.
    pub fn load(path: &Path) -> Result<Snapshot> {
        let input = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(&input, &e))?;
        let mut snapshot: Snapshot = serde_json::from_str(&text)
            .map_err(|e| Error::bad_input(&input, format!("not a DNS snapshot: {e}")))?;
        snapshot.normalize_names();
        Ok(snapshot)
    }

    /// Writes the snapshot as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("snapshot serializes");
        std::fs::write(path, text + "\n").map_err(Error::Output)
    }

    fn normalize_names(&mut self) {
        fn keys<V>(map: &mut BTreeMap<String, V>) {
            *map = std::mem::take(map)
                .into_iter()
                .map(|(k, v)| (normalize(&k), v))
                .collect();
        }
        keys(&mut self.a);
        keys(&mut self.aaaa);
        keys(&mut self.mx);
        keys(&mut self.cname);
        self.timeout = self.timeout.iter().map(|n| normalize(n)).collect();
        self.servfail = self.servfail.iter().map(|n| normalize(n)).collect();
    }

    /// Every name with data, and every ancestor of one (empty non-terminals exist: RFC 8020).
    fn existing_names(&self) -> HashSet<String> {
        let mut names = HashSet::new();
        let owners = self
            .txt
            .keys()
            .chain(self.a.keys())
            .chain(self.aaaa.keys())
            .chain(self.mx.keys())
            .chain(self.cname.keys());
        for name in owners {
            let mut n = name.as_str();
            loop {
                names.insert(n.to_string());
                match n.split_once('.') {
                    Some((_, parent)) => n = parent,
                    None => break,
                }
            }
        }
        names
    }

    fn records(&self, owner: &Name, name: &str, rtype: RecordType) -> Vec<Record> {
        let rec = |data: RData| Record::from_rdata(owner.clone(), TTL, data);
        match rtype {
            RecordType::TXT => self
                .txt
                .get(name)
                .into_iter()
                .flatten()
                .map(|strings| rec(RData::TXT(TXT::new(split_255(strings)))))
                .collect(),
            RecordType::A => self
                .a
                .get(name)
                .into_iter()
                .flatten()
                .map(|ip| rec(RData::A(A(*ip))))
                .collect(),
            RecordType::AAAA => self
                .aaaa
                .get(name)
                .into_iter()
                .flatten()
                .map(|ip| rec(RData::AAAA(AAAA(*ip))))
                .collect(),
            RecordType::MX => self
                .mx
                .get(name)
                .into_iter()
                .flatten()
                .filter_map(|(pref, host)| {
                    let host = Name::from_ascii(format!("{}.", normalize(host))).ok()?;
                    Some(rec(RData::MX(MX::new(*pref, host))))
                })
                .collect(),
            RecordType::PTR => reverse_ip(name)
                .and_then(|ip| self.ptr.get(&ip))
                .into_iter()
                .flatten()
                .filter_map(|host| {
                    let host = Name::from_ascii(format!("{}.", normalize(host))).ok()?;
                    Some(rec(RData::PTR(PTR(host))))
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    fn add(&mut self, record: &Record) {
        let owner = normalize(&record.name.to_ascii());
        match &record.data {
            RData::TXT(txt) => {
                let strings = txt
                    .txt_data
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect();
                push_unique(self.txt.entry(owner).or_default(), strings);
            }
            RData::A(a) => push_unique(self.a.entry(owner).or_default(), a.0),
            RData::AAAA(a) => push_unique(self.aaaa.entry(owner).or_default(), a.0),
            RData::MX(mx) => push_unique(
                self.mx.entry(owner).or_default(),
                (mx.preference, normalize(&mx.exchange.to_ascii())),
            ),
            RData::PTR(ptr) => {
                if let Some(ip) = reverse_ip(&owner) {
                    push_unique(
                        self.ptr.entry(ip).or_default(),
                        normalize(&ptr.0.to_ascii()),
                    );
                }
            }
            RData::CNAME(c) => {
                self.cname.insert(owner, normalize(&c.0.to_ascii()));
            }
            _ => {}
        }
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// TXT character-strings hold at most 255 bytes (RFC 1035 §3.3); longer values are served as
/// several strings of one record, which receivers concatenate (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
fn split_255(strings: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for s in strings {
        let mut rest = s.as_str();
        while rest.len() > 255 {
            let mut cut = 255;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push(rest[..cut].to_string());
            rest = &rest[cut..];
        }
        out.push(rest.to_string());
    }
    out
}

/// `4.3.2.1.in-addr.arpa` → 1.2.3.4; nibble form for ip6.arpa.
fn reverse_ip(name: &str) -> Option<IpAddr> {
    if let Some(v4) = name.strip_suffix(".in-addr.arpa") {
        let mut octets: Vec<u8> = v4
            .split('.')
            .map(|o| o.parse().ok())
            .collect::<Option<_>>()?;
        if octets.len() != 4 {
            return None;
        }
        octets.reverse();
        return Some(IpAddr::from([octets[0], octets[1], octets[2], octets[3]]));
    }
    let v6 = name.strip_suffix(".ip6.arpa")?;
    let nibbles: Vec<u8> = v6
        .split('.')
        .map(|n| u8::from_str_radix(n, 16).ok())
        .collect::<Option<_>>()?;
    if nibbles.len() != 32 {
        return None;
    }
    let mut bytes = [0u8; 16];
    for (i, pair) in nibbles.rchunks(2).enumerate() {
        bytes[i] = (pair[1] << 4) | pair[0];
    }
    Some(IpAddr::from(bytes))
}

/// Answers queries from a snapshot.
struct SnapshotHandler {
    snapshot: Snapshot,
    existing: HashSet<String>,
    stats: Arc<Stats>,
}

/// What a server answered: queries, and distinct (name, type) pairs asked.
#[derive(Debug, Default)]
pub struct Stats {
    queries: std::sync::atomic::AtomicU64,
    asked: Mutex<HashSet<(String, u16)>>,
}

impl Stats {
    fn count(&self, name: &Name, rtype: RecordType) {
        self.queries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.asked
            .lock()
            .expect("stats lock")
            .insert((normalize(&name.to_ascii()), u16::from(rtype)));
    }

    /// Queries answered.
    pub fn queries(&self) -> u64 {
        self.queries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Distinct (name, type) pairs asked.
    pub fn unique(&self) -> usize {
        self.asked.lock().expect("stats lock").len()
    }
}

/// Answers queries from an upstream resolver and records what it answered.
struct RecordingHandler {
    upstream: TokioResolver,
    recorded: Arc<Mutex<Snapshot>>,
}

enum Answer {
    Records(ResponseCode, Vec<Record>),
    Drop,
}

impl SnapshotHandler {
    fn answer(&self, qname: &Name, rtype: RecordType) -> Answer {
        let name = normalize(&qname.to_ascii());
        if self.snapshot.timeout.contains(&name) {
            return Answer::Drop;
        }
        if self.snapshot.servfail.contains(&name) {
            return Answer::Records(ResponseCode::ServFail, Vec::new());
        }
        let mut answers = Vec::new();
        let mut owner = qname.clone();
        let mut current = name;
        // Follow a bounded CNAME chain, as a recursive resolver would.
        for _ in 0..8 {
            match self.snapshot.cname.get(&current) {
                Some(target) if rtype != RecordType::CNAME => {
                    let Ok(next) = Name::from_ascii(format!("{target}.")) else {
                        break;
                    };
                    answers.push(Record::from_rdata(
                        owner.clone(),
                        TTL,
                        RData::CNAME(CNAME(next.clone())),
                    ));
                    if self.snapshot.timeout.contains(target) {
                        return Answer::Drop;
                    }
                    owner = next;
                    current = target.clone();
                }
                _ => break,
            }
        }
        answers.extend(self.snapshot.records(&owner, &current, rtype));
        let code = if answers.is_empty() && !self.existing.contains(&current) {
            ResponseCode::NXDomain
        } else {
            ResponseCode::NoError
        };
        Answer::Records(code, answers)
    }
}

impl RecordingHandler {
    async fn answer(&self, qname: &Name, rtype: RecordType) -> Answer {
        match self.upstream.lookup(qname.clone(), rtype).await {
            Ok(lookup) => {
                let answers = lookup.answers().to_vec();
                let mut recorded = self.recorded.lock().expect("recorder lock");
                for r in &answers {
                    recorded.add(r);
                }
                Answer::Records(ResponseCode::NoError, answers)
            }
            Err(e) if e.is_nx_domain() => Answer::Records(ResponseCode::NXDomain, Vec::new()),
            Err(e) if e.is_no_records_found() => Answer::Records(ResponseCode::NoError, Vec::new()),
            Err(_) => {
                let name = normalize(&qname.to_ascii());
                self.recorded
                    .lock()
                    .expect("recorder lock")
                    .servfail
                    .insert(name);
                Answer::Records(ResponseCode::ServFail, Vec::new())
            }
        }
    }
}

async fn respond<R: ResponseHandler>(
    request: &Request,
    mut handle: R,
    answer: Answer,
) -> ResponseInfo {
    let mut metadata = Metadata::response_from_request(&request.metadata);
    let fallback = ResponseInfo::from(Header {
        metadata,
        counts: HeaderCounts::default(),
    });
    match answer {
        Answer::Drop => fallback,
        Answer::Records(code, answers) => {
            metadata.authoritative = true;
            metadata.recursion_available = true;
            metadata.response_code = code;
            // A negative answer carries an SOA whose minimum is the negative TTL (RFC 2308),
            // so resolvers cache "no such name" instead of asking again for every message.
            let soa = (answers.is_empty() && code != ResponseCode::ServFail).then(|| {
                Record::from_rdata(
                    Name::root(),
                    TTL,
                    RData::SOA(SOA::new(
                        Name::from_ascii("snapshot.invalid.").expect("valid name"),
                        Name::from_ascii("hostmaster.snapshot.invalid.").expect("valid name"),
                        1,
                        3600,
                        600,
                        86400,
                        TTL,
                    )),
                )
            });
            let response = MessageResponseBuilder::from_message_request(request).build(
                metadata,
                answers.iter(),
                [].iter(),
                soa.iter(),
                [].iter(),
            );
            handle.send_response(response).await.unwrap_or(fallback)
        }
    }
}

fn query_of(request: &Request) -> Option<(Name, RecordType)> {
    let info = request.request_info().ok()?;
    Some((Name::from(info.query.name()), info.query.query_type()))
}

#[async_trait::async_trait]
impl RequestHandler for SnapshotHandler {
    async fn handle_request<R: ResponseHandler, T: hickory_resolver::net::runtime::Time>(
        &self,
        request: &Request,
        handle: R,
    ) -> ResponseInfo {
        let answer = match query_of(request) {
            Some((name, rtype)) => {
                self.stats.count(&name, rtype);
                self.answer(&name, rtype)
            }
            None => Answer::Records(ResponseCode::FormErr, Vec::new()),
        };
        respond(request, handle, answer).await
    }
}

#[async_trait::async_trait]
impl RequestHandler for RecordingHandler {
    async fn handle_request<R: ResponseHandler, T: hickory_resolver::net::runtime::Time>(
        &self,
        request: &Request,
        handle: R,
    ) -> ResponseInfo {
        let answer = match query_of(request) {
            Some((name, rtype)) => self.answer(&name, rtype).await,
            None => Answer::Records(ResponseCode::FormErr, Vec::new()),
        };
        respond(request, handle, answer).await
    }
}

/// A DNS server on 127.0.0.1 (UDP and TCP on one ephemeral port), stopped when dropped.
pub struct DnsServer {
    addr: SocketAddr,
    shutdown: tokio_util::sync::CancellationToken,
    stats: Arc<Stats>,
}

impl DnsServer {
    /// Serves a snapshot. Must be called inside a tokio runtime.
    pub async fn serve_snapshot(snapshot: Snapshot) -> Result<DnsServer> {
        let existing = snapshot.existing_names();
        let stats = Arc::new(Stats::default());
        let mut server = DnsServer::start(SnapshotHandler {
            snapshot,
            existing,
            stats: stats.clone(),
        })
        .await?;
        server.stats = stats;
        Ok(server)
    }

    async fn start<H: RequestHandler>(handler: H) -> Result<DnsServer> {
        let unavailable = |e: std::io::Error| Error::Unavailable {
            what: "local DNS server".into(),
            problem: e.to_string(),
        };
        // UDP and TCP must share the port; an ephemeral UDP port may be taken for TCP.
        let mut last_err = None;
        for _ in 0..16 {
            let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
                .await
                .map_err(unavailable)?;
            let addr = udp.local_addr().map_err(unavailable)?;
            match tokio::net::TcpListener::bind(addr).await {
                Ok(tcp) => {
                    let mut server = Server::new(handler);
                    server.register_socket(udp);
                    server.register_listener(tcp, Duration::from_secs(5), 64 * 1024);
                    let shutdown = server.shutdown_token().clone();
                    tokio::spawn(async move {
                        let _ = server.block_until_done().await;
                    });
                    return Ok(DnsServer {
                        addr,
                        shutdown,
                        stats: Arc::default(),
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(unavailable(last_err.expect("at least one bind attempt")))
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it answered (snapshot servers count; a recording server reports zero).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A cache of parsed records for mail-auth (`ResolverCache`): a DKIM key or an SPF policy is
/// parsed once per TTL instead of once per message. Bounded: when full it is cleared, which a
/// batch run refills with the names it still uses.
pub struct Cache<K, V> {
    map: Mutex<std::collections::HashMap<K, (V, std::time::Instant)>>,
    capacity: usize,
}

impl<K, V> Default for Cache<K, V> {
    fn default() -> Self {
        Cache {
            map: Mutex::new(std::collections::HashMap::new()),
            capacity: 100_000,
        }
    }
}

impl<K: std::hash::Hash + Eq, V: Clone> mail_auth::ResolverCache<K, V> for Cache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let mut map = self.map.lock().expect("cache lock");
        match map.get(name) {
            Some((v, expires)) if *expires > std::time::Instant::now() => Some(v.clone()),
            Some(_) => {
                map.remove(name);
                None
            }
            None => None,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.map
            .lock()
            .expect("cache lock")
            .remove(name)
            .map(|(v, _)| v)
    }

    fn insert(&self, key: K, value: V, valid_until: std::time::Instant) {
        let mut map = self.map.lock().expect("cache lock");
        if map.len() >= self.capacity {
            map.clear();
        }
        map.insert(key, (value, valid_until));
    }
}

/// The caches of one DNS view.
#[derive(Default)]
pub struct Caches {
    /// TXT records, parsed (SPF, DKIM keys, DMARC), and names found absent
    /// (`DnsView::cache_absent_txt`).
    pub txt: Cache<Box<str>, mail_auth::Txt>,
    /// MX records.
    pub mx: Cache<Box<str>, mail_auth::RecordSet<mail_auth::MX>>,
    /// A records.
    pub ipv4: Cache<Box<str>, mail_auth::RecordSet<Ipv4Addr>>,
    /// AAAA records.
    pub ipv6: Cache<Box<str>, mail_auth::RecordSet<Ipv6Addr>>,
    /// PTR records.
    pub ptr: Cache<IpAddr, mail_auth::RecordSet<Box<str>>>,
    /// Whether a domain's SPF record set is broken (duplicated, bad syntax): impostor's own
    /// check before mail-auth's.
    pub spf_broken: Cache<Box<str>, bool>,
}

/// Where lookups go, and their time bounds.
#[derive(Debug, Clone)]
pub struct DnsSettings {
    /// The resolver to ask; the system configuration when `None`.
    pub nameserver: Option<SocketAddr>,
    /// Per-query timeout.
    pub timeout: Duration,
    /// Tries per query.
    pub attempts: usize,
    /// Budget for all lookups of one message.
    pub budget: Duration,
}

/// The DNS view: a resolver for mail-auth, and whatever local server backs it.
pub struct DnsView {
    authenticator: mail_auth::MessageAuthenticator,
    caches: Caches,
    budget: Duration,
    kind: ViewKind,
    _server: Option<DnsServer>,
    recorded: Option<Arc<Mutex<Snapshot>>>,
}

/// The origin of DNS answers, as reported in `auth.source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewKind {
    /// Live DNS.
    Live,
    /// A snapshot file.
    Snapshot,
}

impl DnsView {
    /// Live DNS through the configured or system resolver. An unreadable system
    /// configuration leaves the view without servers: every lookup is a temperror.
    pub fn live(settings: &DnsSettings) -> DnsView {
        DnsView {
            caches: Caches::default(),
            authenticator: authenticator(settings.nameserver, settings),
            budget: settings.budget,
            kind: ViewKind::Live,
            _server: None,
            recorded: None,
        }
    }

    /// Live DNS, recording every answer for `--record-snapshot`.
    pub async fn recording(settings: &DnsSettings) -> Result<DnsView> {
        let upstream = resolver(settings.nameserver, settings);
        let recorded = Arc::new(Mutex::new(Snapshot::default()));
        let server = DnsServer::start(RecordingHandler {
            upstream,
            recorded: recorded.clone(),
        })
        .await?;
        Ok(DnsView {
            caches: Caches::default(),
            authenticator: authenticator(Some(server.addr()), settings),
            budget: settings.budget,
            kind: ViewKind::Live,
            _server: Some(server),
            recorded: Some(recorded),
        })
    }

    /// Answers from a snapshot, through an in-process server on loopback.
    pub async fn snapshot(snapshot: Snapshot, settings: &DnsSettings) -> Result<DnsView> {
        let server = DnsServer::serve_snapshot(snapshot).await?;
        Ok(DnsView {
            caches: Caches::default(),
            authenticator: authenticator(Some(server.addr()), settings),
            budget: settings.budget,
            kind: ViewKind::Snapshot,
            _server: Some(server),
            recorded: None,
        })
    }

    /// The mail-auth authenticator bound to this view.
    pub fn authenticator(&self) -> &mail_auth::MessageAuthenticator {
        &self.authenticator
    }

    /// The caches of parsed records.
    pub fn caches(&self) -> &Caches {
        &self.caches
    }

    /// Caches, for their negative TTL, the TXT names among `names` (fully qualified, as
    /// mail-auth keys them) that do not exist or hold no TXT record. mail-auth caches only the
    /// records it found, so a name absent for every message — `_dmarc.com.`, where nearly every
    /// DMARC tree walk ends — went through the resolver again for each one. Any other outcome
    /// (a record, a timeout, a server failure) is left for mail-auth to meet as before.
    pub async fn cache_absent_txt(&self, names: Vec<String>) {
        use mail_auth::ResolverCache;
        let txt = &self.caches.txt;
        let lookups = names
            .into_iter()
            .filter(|n| txt.get::<str>(n).is_none())
            .filter_map(|n| Name::from_str_relaxed(n.as_str()).ok().map(|q| (n, q)))
            .map(|(name, query)| async move {
                let Err(hickory_resolver::net::NetError::Dns(
                    hickory_resolver::net::DnsError::NoRecordsFound(none),
                )) = self.authenticator.resolver().txt_lookup(query).await
                else {
                    return;
                };
                let Some(until) = absent_until(&none) else {
                    return;
                };
                txt.insert(
                    name.into_boxed_str(),
                    mail_auth::Txt::Error(mail_auth::Error::Dns(
                        mail_auth::DnsError::RecordNotFound(none.response_code),
                    )),
                    until,
                );
            });
        futures_util::future::join_all(lookups).await;
    }

    /// The per-message budget.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Live or snapshot.
    pub fn kind(&self) -> ViewKind {
        self.kind
    }

    /// What a recording view has seen so far.
    pub fn recorded(&self) -> Option<Snapshot> {
        self.recorded
            .as_ref()
            .map(|r| r.lock().expect("recorder lock").clone())
    }
}

fn resolver(nameserver: Option<SocketAddr>, settings: &DnsSettings) -> TokioResolver {
    let (config, mut opts) = match nameserver {
        Some(addr) => {
            let mut ns = NameServerConfig::udp_and_tcp(addr.ip());
            for c in &mut ns.connections {
                c.port = addr.port();
            }
            (
                ResolverConfig::from_name_servers(vec![ns]),
                ResolverOpts::default(),
            )
        }
        None => hickory_resolver::system_conf::read_system_conf().unwrap_or_else(|_| {
            (
                ResolverConfig::from_name_servers(vec![]),
                ResolverOpts::default(),
            )
        }),
    };
    opts.timeout = settings.timeout;
    opts.attempts = settings.attempts;
    opts.use_hosts_file = hickory_resolver::config::ResolveHosts::Never;
    opts.cache_size = 4096;
    TokioResolver::builder_with_config(config, TokioRuntimeProvider::default())
        .with_options(opts)
        .with_tls_config(no_tls())
        .build()
        .unwrap_or_else(|_| {
            // No usable server: a resolver with none fails every lookup, which is a temperror.
            TokioResolver::builder_with_config(
                ResolverConfig::from_name_servers(vec![]),
                TokioRuntimeProvider::default(),
            )
            .build()
            .expect("an empty resolver builds")
        })
}

/// A TLS configuration that trusts nothing. impostor asks its resolvers over UDP and TCP only;
/// without one, building a resolver reads and parses every root certificate of the system for
/// nothing (about a millisecond of each `impostor check`, more on a cold cache).
fn no_tls() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

fn authenticator(
    nameserver: Option<SocketAddr>,
    settings: &DnsSettings,
) -> mail_auth::MessageAuthenticator {
    mail_auth::MessageAuthenticator(resolver(nameserver, settings))
}

#[cfg(test)]
impl DnsSettings {
    /// Settings for tests against a local server: one try per query within `timeout`.
    pub(crate) fn for_tests(timeout: Duration) -> DnsSettings {
        DnsSettings {
            nameserver: None,
            timeout,
            attempts: 1,
            budget: Duration::from_secs(5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_strings_are_one_record_arrays_are_many() {
        let s: Snapshot = serde_json::from_str(
            r#"{"txt": {"One.Example.": ["v=spf1 ", "-all"], "two.example": [["a"], ["b", "c"]]}}"#,
        )
        .unwrap();
        assert_eq!(s.txt["one.example"], vec![vec!["v=spf1 ", "-all"]]);
        assert_eq!(s.txt["two.example"], vec![vec!["a"], vec!["b", "c"]]);
        let back: Snapshot = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_ip("7.100.51.198.in-addr.arpa"),
            Some("198.51.100.7".parse().unwrap())
        );
        let v6: IpAddr = "2001:db8::25".parse().unwrap();
        let name = format!(
            "{}.ip6.arpa",
            mail_auth::common::resolver::ToReverseName::to_reverse_name(&v6)
        );
        assert_eq!(reverse_ip(&name), Some(v6));
    }

    #[test]
    fn long_txt_is_split_on_char_boundaries() {
        let long = "é".repeat(200);
        let parts = split_255(std::slice::from_ref(&long));
        assert!(parts.iter().all(|p| p.len() <= 255));
        assert_eq!(parts.concat(), long);
    }

    #[tokio::test]
    async fn serves_nxdomain_nodata_and_records() {
        let snapshot: Snapshot = serde_json::from_str(
            r#"{"txt": {"a.b.example": ["hello"]}, "a": {"a.b.example": ["192.0.2.1"]}}"#,
        )
        .unwrap();
        let settings = DnsSettings::for_tests(Duration::from_secs(2));
        let view = DnsView::snapshot(snapshot, &settings).await.unwrap();
        let r = &view.authenticator().0;
        let txt = r.txt_lookup("a.b.example.").await.unwrap();
        assert_eq!(txt.answers().len(), 1);
        let err = r.txt_lookup("missing.example.").await.unwrap_err();
        assert!(err.is_nx_domain(), "{err}");
        // b.example exists as an empty non-terminal: NODATA, not NXDOMAIN.
        let err = r.txt_lookup("b.example.").await.unwrap_err();
        assert!(err.is_no_records_found() && !err.is_nx_domain(), "{err}");
    }

    #[tokio::test]
    async fn absent_txt_names_are_cached_for_their_negative_ttl() {
        use mail_auth::ResolverCache;
        let snapshot: Snapshot = serde_json::from_str(
            r#"{"txt": {"_dmarc.a.example": ["v=DMARC1; p=reject"], "b.example": ["x"]},
                "timeout": ["_dmarc.slow.example"], "servfail": ["_dmarc.broken.example"]}"#,
        )
        .unwrap();
        let settings = DnsSettings::for_tests(Duration::from_millis(300));
        let view = DnsView::snapshot(snapshot, &settings).await.unwrap();
        let names = [
            "_dmarc.a.example.",
            "_dmarc.example.",
            "_dmarc.b.example.",
            "_dmarc.slow.example.",
            "_dmarc.broken.example.",
        ];
        view.cache_absent_txt(names.iter().map(|n| n.to_string()).collect())
            .await;
        let cached = |n: &str| view.caches().txt.get::<str>(n);
        // NXDOMAIN and NODATA are cached as mail-auth's own "not found" error…
        for absent in ["_dmarc.example.", "_dmarc.b.example."] {
            match cached(absent) {
                Some(mail_auth::Txt::Error(mail_auth::Error::Dns(
                    mail_auth::DnsError::RecordNotFound(_),
                ))) => {}
                other => panic!("{absent}: cached is {}", other.is_some()),
            }
        }
        // …and a record, a timeout or a server failure is left for mail-auth.
        for other in [
            "_dmarc.a.example.",
            "_dmarc.slow.example.",
            "_dmarc.broken.example.",
        ] {
            assert!(cached(other).is_none(), "{other}");
        }
    }
}
