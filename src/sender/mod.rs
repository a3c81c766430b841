//! The sender analyzer (DESIGN.md §4): who is really writing, judged against the profiles,
//! the known networks and the history of senders.

pub mod lookalike;
pub mod profiles;

pub use profiles::{Profiles, Role, User};

use crate::auth::org_domain;
use crate::evidence::{Evidence, Strength, codes};
use crate::message::{Mailbox, Message, domain_of};
use crate::store::History;
use lookalike::{Tables, name_key};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// Everything the sender analyzer judges against, built once per run.
#[derive(Debug)]
pub struct Knowledge {
    /// The profiles (possibly empty).
    pub profiles: Profiles,
    /// Protected domains: the config's and the organisation's.
    pub protected: Vec<String>,
    /// Shared tenants and look-alike tables.
    pub tables: Tables,
    /// Free-mail and carrier domains.
    pub freemail: HashSet<String>,
    /// Ticketing, list and bulk-mail platforms.
    pub platforms: HashSet<String>,
    /// Protected domains, prepared for look-alike checks.
    protected_targets: Vec<lookalike::Target>,
    /// Domains of known corporate users (not free mail), prepared for look-alike checks.
    user_targets: Vec<lookalike::Target>,
    /// Names the organisation goes by, folded.
    org_names: Vec<String>,
    /// Every user's names, reduced for comparison: (user index, key).
    name_keys: Vec<(usize, lookalike::NameKey)>,
    /// Names of users on protected domains, folded, and folded without spaces.
    corporate_names: Vec<(usize, String, String)>,
    /// Look-alike verdicts by host. A host's verdict depends only on the knowledge, and a
    /// batch of mail comes from far fewer hosts than messages; kept to `LOOKALIKE_MEMO` hosts.
    lookalike_memo: std::sync::Mutex<HashMap<String, Option<(lookalike::Lookalike, Strength)>>>,
}

/// How many hosts' look-alike verdicts are remembered (the memo starts over when full).
const LOOKALIKE_MEMO: usize = 16_384;

impl Knowledge {
    /// Combines profiles and lists.
    pub fn new(
        profiles: Profiles,
        protected: &[String],
        tables: Tables,
        freemail: HashSet<String>,
        platforms: HashSet<String>,
    ) -> Knowledge {
        let mut all_protected: Vec<String> = protected
            .iter()
            .chain(&profiles.organisation.protected_domains)
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect();
        all_protected.sort();
        all_protected.dedup();
        let mut user_domains: Vec<String> = profiles
            .users
            .iter()
            .flat_map(|u| {
                u.addresses()
                    .filter_map(|a| domain_of(&a))
                    .chain(u.domains.iter().map(|d| d.to_ascii_lowercase()))
            })
            .filter(|d| !freemail.contains(d) && !freemail.contains(&org_domain(d)))
            .filter(|d| !all_protected.iter().any(|p| org_domain(p) == org_domain(d)))
            .collect();
        user_domains.sort();
        user_domains.dedup();
        let mut org_names: Vec<String> = profiles
            .organisation
            .names
            .iter()
            .map(|n| crate::text::fold(n).text)
            .collect();
        for p in &all_protected {
            // The name in the domain (example.co.jp, example.zendesk.com → "example").
            if let Some((_, label, _)) = tables.unit(p).filter(|(_, l, _)| l.chars().count() >= 4) {
                org_names.push(label);
            }
        }
        org_names.retain(|n| n.chars().count() >= 3);
        let name_keys = profiles
            .users
            .iter()
            .enumerate()
            .flat_map(|(i, u)| u.all_names().map(move |n| (i, name_key(n))))
            .filter(|(_, k)| k.is_meaningful())
            .collect();
        let corporate_names = profiles
            .users
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.addresses().any(|a| {
                    domain_of(&a).is_some_and(|d| {
                        all_protected
                            .iter()
                            .any(|p| org_domain(p) == org_domain(&d))
                    })
                })
            })
            .flat_map(|(i, u)| {
                u.all_names().map(move |n| {
                    let folded = crate::text::fold(n).text;
                    let joined = folded.replace(' ', "");
                    (i, folded, joined)
                })
            })
            .filter(|(_, f, _)| f.chars().count() >= 4)
            .collect();
        Knowledge {
            lookalike_memo: Default::default(),
            corporate_names,
            protected_targets: tables.targets(&all_protected),
            user_targets: tables.targets(&user_domains),
            profiles,
            protected: all_protected,
            tables,
            freemail,
            platforms,
            org_names,
            name_keys,
        }
    }

    /// The target `host` imitates, if any: a protected domain (strong) or a known user's
    /// domain (medium).
    fn lookalike(&self, host: &str) -> Option<(lookalike::Lookalike, Strength)> {
        if let Some(hit) = self.lookalike_memo.lock().expect("memo lock").get(host) {
            return hit.clone();
        }
        let hit = self
            .tables
            .lookalike_of(host, &self.protected_targets)
            .map(|l| (l, Strength::Strong))
            .or_else(|| {
                self.tables
                    .lookalike_of(host, &self.user_targets)
                    .map(|l| (l, Strength::Medium))
            });
        let mut memo = self.lookalike_memo.lock().expect("memo lock");
        if memo.len() >= LOOKALIKE_MEMO {
            memo.clear();
        }
        memo.insert(host.to_string(), hit.clone());
        hit
    }

    /// Whether a domain is free mail (including carrier mail).
    pub fn is_freemail(&self, domain: &str) -> bool {
        self.freemail.contains(domain) || self.freemail.contains(&org_domain(domain))
    }

    fn is_platform(&self, domain: &str) -> bool {
        // The domain or any domain it is under: a lookup per label, not a pass over the list.
        let mut rest = domain;
        loop {
            if self.platforms.contains(rest) {
                return true;
            }
            match rest.split_once('.') {
                Some((_, parent)) if !parent.is_empty() => rest = parent,
                _ => return false,
            }
        }
    }

    /// The profile the message's From claims, by address, if any; and whether it is privileged.
    pub fn privileged_target(&self, message: &Message) -> Option<String> {
        let from = message.from_mailbox()?;
        if let Some(user) = from
            .address
            .as_deref()
            .and_then(|a| self.profiles.by_address(a))
        {
            return user.privileged().then(|| user.label());
        }
        let key = name_key(from.name.as_deref()?);
        self.name_keys
            .iter()
            .map(|(i, k)| (&self.profiles.users[*i], k))
            .find(|(u, k)| u.privileged() && k.same(&key))
            .map(|(u, _)| u.label())
    }
}

/// What the sender analyzer needs besides the message.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// The originating IP, when known.
    pub ip: Option<IpAddr>,
    /// What the store knew of the From address before this message; `None` without a store.
    pub history: Option<&'a History>,
}

fn owner_facts(e: Evidence, user: &User) -> Evidence {
    let e = e
        .fact("owner", user.label())
        .fact("owner_role", user.role.as_str());
    match &user.phone {
        Some(p) => e.fact("owner_phone", p.clone()),
        None => e,
    }
}

/// The sender signals of DESIGN.md §4.
pub fn analyze(message: &Message, k: &Knowledge, seen: Seen<'_>) -> Vec<Evidence> {
    let mut out = Vec::new();
    let Some(from) = message.from_mailbox() else {
        return out;
    };
    let address = from
        .address
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let from_domain = domain_of(&address).unwrap_or_default();
    let known = k.profiles.by_address(&address);

    match known {
        Some(user) => out.push(owner_facts(
            Evidence::new(&codes::SENDER_KNOWN_PROFILE, Strength::Info)
                .fact("profile", user.label()),
            user,
        )),
        None if !k.profiles.users.is_empty() => out.push(
            Evidence::new(&codes::SENDER_UNKNOWN_ADDRESS, Strength::Info).fact("address", &address),
        ),
        None => {}
    }

    if let Some(e) = display_name_impersonation(from, &address, k) {
        out.push(e);
    }
    if let Some(e) = address_in_name(from, &address, k) {
        out.push(e);
    }
    out.extend(lookalikes(message, k));
    out.extend(diversions(message, &from_domain, k));
    if let Some(e) = freemail_claim(message, from, &from_domain, k) {
        out.push(e);
    }
    if let (Some(user), Some(ip)) = (known, seen.ip) {
        out.extend(networks(user, ip, k));
    }
    if let Some(h) = seen.history {
        if h.messages == 0 {
            out.push(
                Evidence::new(&codes::SENDER_FIRST_CONTACT, Strength::Info)
                    .fact("address", &address),
            );
        } else if let Some(ip) = seen.ip.filter(|_| !h.ip_known) {
            out.push(
                Evidence::new(&codes::SENDER_NEW_IP, Strength::Weak)
                    .fact("address", &address)
                    .fact("messages", h.messages.to_string())
                    .fact("ip", ip.to_string()),
            );
        }
    }
    out
}

fn display_name_impersonation(from: &Mailbox, address: &str, k: &Knowledge) -> Option<Evidence> {
    let name = from.name.as_deref()?;
    let domain = domain_of(address)?;
    let key = name_key(name);
    // An address on one of the user's own extra domains is theirs.
    let theirs = |u: &User| {
        u.addresses().any(|a| a == address)
            || u.domains.iter().any(|d| k.tables.same_unit(d, &domain))
    };
    // The name is compared first: it rarely matches, and the domain checks cost more.
    let user = k
        .name_keys
        .iter()
        .map(|(i, nk)| (&k.profiles.users[*i], nk))
        .find(|(u, nk)| nk.same(&key) && !theirs(u))
        .map(|(u, _)| u)?;
    // Our own systems (an agent replying through our helpdesk tenant) show staff names on
    // our own addresses; a forgery of those is DMARC's to catch.
    if k.protected.iter().any(|p| k.tables.same_unit(p, &domain)) {
        return None;
    }
    let strength = if user.privileged() {
        Strength::Strong
    } else {
        Strength::Medium
    };
    Some(owner_facts(
        Evidence::new(&codes::SENDER_DISPLAY_NAME, strength)
            .fact("name", name)
            .fact("profile", user.label())
            .fact("address", address),
        user,
    ))
}

fn address_in_name(from: &Mailbox, address: &str, k: &Knowledge) -> Option<Evidence> {
    let name = from.name.as_deref()?;
    let shown = name
        .split(|c: char| c.is_whitespace() || "<>()[]\"',;".contains(c))
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
        .find(|w| {
            w.contains('@')
                && w.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.'))
        })?
        .to_ascii_lowercase();
    if shown == address {
        return None;
    }
    let shown_domain = domain_of(&shown).unwrap_or_default();
    let protected = k
        .protected
        .iter()
        .any(|p| org_domain(p) == org_domain(&shown_domain));
    let privileged = k.profiles.by_address(&shown).is_some_and(User::privileged);
    let strength = if protected || privileged {
        Strength::Strong
    } else {
        Strength::Medium
    };
    Some(
        Evidence::new(&codes::SENDER_ADDRESS_IN_NAME, strength)
            .fact("shown", shown)
            .fact("address", address),
    )
}

fn lookalikes(message: &Message, k: &Knowledge) -> Vec<Evidence> {
    let mut out = Vec::new();
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(d) = message.from_domain() {
        fields.push(("From", d));
    }
    for r in &message.reply_to {
        if let Some(d) = r.domain() {
            fields.push(("Reply-To", d));
        }
    }
    if let Some(d) = message.return_path.as_deref().and_then(domain_of) {
        fields.push(("Return-Path", d));
    }
    let mut seen_hosts = HashSet::new();
    for (field, host) in fields {
        if !seen_hosts.insert(host.clone()) {
            continue;
        }
        let hit = k.lookalike(&host);
        if let Some((l, strength)) = hit {
            out.push(
                Evidence::new(&codes::SENDER_LOOKALIKE_DOMAIN, strength)
                    .fact("field", field)
                    .fact("host", l.host)
                    .fact("target", l.target)
                    .fact("how", l.how.describe())
                    .fact("how_ja", l.how.describe_ja()),
            );
        }
    }
    out
}

fn diversions(message: &Message, from_domain: &str, k: &Knowledge) -> Vec<Evidence> {
    let mut out = Vec::new();
    if from_domain.is_empty() || message.automated().is_some() || k.is_platform(from_domain) {
        // Lists, bulk mail and platforms sending on someone's behalf (e-signature, calendar
        // invitations) set Reply-To and Return-Path elsewhere by design.
        return out;
    }
    let related = |d: &str| k.tables.same_unit(d, from_domain) || k.is_platform(d);
    if let Some(r) = message
        .reply_to
        .iter()
        .find(|r| r.domain().is_some_and(|d| !related(&d)))
    {
        out.push(
            Evidence::new(&codes::SENDER_REPLY_TO, Strength::Medium)
                .fact("reply_to", r.address.clone().unwrap_or_default())
                .fact("from", from_domain),
        );
    }
    if let Some(rp) = message
        .return_path
        .as_deref()
        .filter(|rp| domain_of(rp).is_some_and(|d| !related(&d)))
    {
        out.push(
            Evidence::new(&codes::SENDER_RETURN_PATH, Strength::Weak)
                .fact("return_path", rp)
                .fact("from", from_domain),
        );
    }
    out
}

fn contains_name(haystack: &str, name: &str) -> bool {
    let ascii = name.is_ascii();
    haystack.match_indices(name).any(|(i, _)| {
        !ascii || {
            let before = haystack[..i].chars().next_back();
            let after = haystack[i + name.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric())
                && !after.is_some_and(|c| c.is_alphanumeric())
        }
    })
}

fn freemail_claim(
    message: &Message,
    from: &Mailbox,
    from_domain: &str,
    k: &Knowledge,
) -> Option<Evidence> {
    if !k.is_freemail(from_domain) {
        return None;
    }
    let display = crate::text::fold(from.name.as_deref().unwrap_or("")).text;
    let signature = crate::text::fold(&message.current.signature).text;
    for (place, text) in [("display name", &display), ("signature", &signature)] {
        if let Some(org) = k.org_names.iter().find(|n| contains_name(text, n)) {
            return Some(
                Evidence::new(&codes::SENDER_FREEMAIL_CLAIM, Strength::Medium)
                    .fact("address", from.address.clone().unwrap_or_default())
                    .fact("claim", format!("{org} (in the {place})")),
            );
        }
    }
    // A known corporate user's name in the signature of a free-mail message.
    let unspaced = signature.replace(' ', "");
    for (i, folded, joined) in &k.corporate_names {
        if contains_name(&signature, folded) || contains_name(&unspaced, joined) {
            let user = &k.profiles.users[*i];
            return Some(owner_facts(
                Evidence::new(&codes::SENDER_FREEMAIL_CLAIM, Strength::Medium)
                    .fact("address", from.address.clone().unwrap_or_default())
                    .fact("claim", format!("{} (in the signature)", user.label())),
                user,
            ));
        }
    }
    None
}

fn networks(user: &User, ip: IpAddr, k: &Knowledge) -> Vec<Evidence> {
    if user.networks.is_empty() {
        return Vec::new();
    }
    let inside = user
        .networks
        .iter()
        .find(|n| n.contains(ip))
        .map(|n| (n.to_string(), user.label()))
        .or_else(|| {
            k.profiles
                .in_org_network(ip)
                .map(|n| (n.to_string(), "the organisation".to_string()))
        });
    match inside {
        Some((network, whose)) => vec![
            Evidence::new(&codes::SENDER_KNOWN_NETWORK, Strength::Mitigating)
                .fact("ip", ip.to_string())
                .fact("network", network)
                .fact("whose", whose),
        ],
        None => {
            let nets: Vec<String> = user
                .networks
                .iter()
                .chain(&k.profiles.organisation.networks)
                .map(|n| n.to_string())
                .collect();
            vec![
                Evidence::new(&codes::SENDER_OUTSIDE_NETWORKS, Strength::Medium)
                    .fact("ip", ip.to_string())
                    .fact("profile", user.label())
                    .fact("networks", nets.join(", ")),
            ]
        }
    }
}

#[cfg(test)]
mod tests;
