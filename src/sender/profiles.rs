//! Profiles: the people the helpdesk knows (addresses, names, role, VIP, the phone on file,
//! known networks, extra domains) and the organisation itself (protected domains, names,
//! networks). Read from TOML (DESIGN.md §7); importable from a Zendesk users export or API
//! response, or from CSV with a header row.

use crate::error::{Error, Result};
use ipnetwork::IpNetwork;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

/// A user's role in the helpdesk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// A customer.
    #[default]
    EndUser,
    /// A helpdesk agent.
    Agent,
    /// An administrator.
    Admin,
    /// The account owner.
    Owner,
}

impl Role {
    /// The word used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::EndUser => "end-user",
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }
}

/// One known person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The primary address.
    pub email: String,
    /// Other addresses of the same person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The name as the helpdesk knows it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Other spellings: romanised, reversed, nicknames.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// The role.
    #[serde(default)]
    pub role: Role,
    /// A VIP (an executive, a high-value customer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vip: bool,
    /// The phone number on file, for out-of-band verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Networks the user writes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<IpNetwork>,
    /// Domains that belong to the user beyond their address's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domains: Vec<String>,
}

impl User {
    /// Whether impersonating this user is the most dangerous kind.
    pub fn privileged(&self) -> bool {
        self.vip || matches!(self.role, Role::Admin | Role::Owner)
    }

    /// Every address, lower-cased.
    pub fn addresses(&self) -> impl Iterator<Item = String> + '_ {
        std::iter::once(&self.email)
            .chain(&self.aliases)
            .map(|a| a.trim().to_ascii_lowercase())
    }

    /// The primary name and every variant.
    pub fn all_names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.name.as_str())
            .chain(self.names.iter().map(String::as_str))
            .filter(|n| !n.trim().is_empty())
    }

    /// "Taro Yamada (admin, VIP)".
    pub fn label(&self) -> String {
        let name = if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        };
        let mut tags = vec![self.role.as_str().to_string()];
        if self.vip {
            tags.push("VIP".into());
        }
        format!("{name} ({})", tags.join(", "))
    }
}

/// The organisation the helpdesk serves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Names the organisation goes by (in any language), for corporate-identity claims.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// Its own domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub protected_domains: Vec<String>,
    /// Its networks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<IpNetwork>,
}

/// The profiles file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profiles {
    /// The organisation.
    #[serde(default)]
    pub organisation: Organisation,
    /// The users.
    #[serde(default, rename = "user")]
    pub users: Vec<User>,
    #[serde(skip)]
    by_address: HashMap<String, usize>,
}

impl Profiles {
    /// Reads and validates a profiles file; errors name the file, the line and the key.
    pub fn load(path: &Path) -> Result<Profiles> {
        let input = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(&input, &e))?;
        Self::parse(&text, path)
    }

    /// Parses profiles text.
    pub fn parse(text: &str, path: &Path) -> Result<Profiles> {
        let mut p: Profiles = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            line: e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            problem: e.message().trim().replace('\n', "; "),
        })?;
        for (i, u) in p.users.iter().enumerate() {
            if !u.email.contains('@') {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    line: None,
                    problem: format!("user {}: email {:?} is not an address", i + 1, u.email),
                });
            }
        }
        p.index();
        Ok(p)
    }

    /// Builds the address index; call after changing `users`.
    pub fn index(&mut self) {
        self.by_address.clear();
        for (i, u) in self.users.iter().enumerate() {
            for a in u.addresses() {
                self.by_address.entry(a).or_insert(i);
            }
        }
    }

    /// The user an address belongs to.
    pub fn by_address(&self, address: &str) -> Option<&User> {
        self.by_address
            .get(&address.trim().to_ascii_lowercase())
            .map(|&i| &self.users[i])
    }

    /// Whether any profile exists.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.organisation == Organisation::default()
    }

    /// Whether an IP is in the organisation's networks.
    pub fn in_org_network(&self, ip: IpAddr) -> Option<IpNetwork> {
        self.organisation
            .networks
            .iter()
            .copied()
            .find(|n| n.contains(ip))
    }

    /// The profiles as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("profiles serialize")
    }
}

/// Which Zendesk user fields carry impostor's extra data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportFields {
    /// User field holding known networks (CIDRs separated by commas, spaces or newlines).
    pub networks_field: String,
    /// User field that marks a VIP (true, "yes", "1").
    pub vip_field: String,
    /// A user tag that marks a VIP.
    pub vip_tag: String,
}

impl Default for ImportFields {
    fn default() -> Self {
        ImportFields {
            networks_field: "known_ip_ranges".into(),
            vip_field: "vip".into(),
            vip_tag: "vip".into(),
        }
    }
}

fn split_list(v: &str) -> Vec<String> {
    v.split(|c: char| c == ',' || c == ';' || c == '|' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn truthy(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        serde_json::Value::String(s) => matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "1" | "y" | "vip"
        ),
        _ => false,
    }
}

/// Reads users from a Zendesk users export or API response: `{"users": [...]}` (optionally
/// with sideloaded `"identities"`), `{"user": {...}}`, a JSON array, or one user per line.
pub fn import_zendesk(text: &str, fields: &ImportFields, input: &str) -> Result<Vec<User>> {
    let bad = |p: String| Error::bad_input(input, p);
    let values: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => vec![v],
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(n, l)| {
                serde_json::from_str(l).map_err(|e| bad(format!("line {}: not JSON: {e}", n + 1)))
            })
            .collect::<Result<_>>()?,
    };
    let mut users_json = Vec::new();
    let mut identities = Vec::new();
    for v in values {
        match v {
            serde_json::Value::Array(a) => users_json.extend(a),
            serde_json::Value::Object(mut o) => {
                if let Some(serde_json::Value::Array(ids)) = o.remove("identities") {
                    identities.extend(ids);
                }
                match (o.remove("users"), o.remove("user")) {
                    (Some(serde_json::Value::Array(a)), _) => users_json.extend(a),
                    (_, Some(u @ serde_json::Value::Object(_))) => users_json.push(u),
                    _ if o.contains_key("email") || o.contains_key("id") => {
                        users_json.push(serde_json::Value::Object(o))
                    }
                    _ => {}
                }
            }
            _ => return Err(bad("not a Zendesk users export: expected objects".into())),
        }
    }
    if users_json.is_empty() {
        return Err(bad(
            "no users found (expected \"users\", \"user\" or one user per line)".into(),
        ));
    }
    let mut out = Vec::new();
    for u in users_json {
        let s = |k: &str| u.get(k).and_then(|v| v.as_str()).map(str::to_string);
        if u.get("active").is_some_and(|a| a == false) {
            continue;
        }
        let id = u.get("id").and_then(|v| v.as_u64());
        let mut user = User {
            email: s("email").unwrap_or_default(),
            name: s("name").unwrap_or_default(),
            phone: s("phone"),
            role: match s("role").as_deref() {
                Some("admin") => Role::Admin,
                Some("agent") => Role::Agent,
                _ => Role::EndUser,
            },
            ..Default::default()
        };
        if u.get("shared_phone_number").is_some_and(|v| v == true) {
            // A shared number cannot prove who answers it; keep it out of verification steps.
            user.phone = None;
        }
        let user_fields = u.get("user_fields");
        if let Some(v) = user_fields
            .and_then(|f| f.get(&fields.networks_field))
            .and_then(|v| v.as_str())
        {
            for n in split_list(v) {
                let net = n.parse::<IpNetwork>().map_err(|e| {
                    bad(format!(
                        "user {}: {}: {n:?}: {e}",
                        user.email, fields.networks_field
                    ))
                })?;
                user.networks.push(net);
            }
        }
        user.vip = user_fields
            .and_then(|f| f.get(&fields.vip_field))
            .is_some_and(truthy)
            || u.get("tags").and_then(|t| t.as_array()).is_some_and(|t| {
                t.iter()
                    .any(|x| x.as_str() == Some(fields.vip_tag.as_str()))
            });
        for ident in identities
            .iter()
            .filter(|i| i.get("user_id").and_then(|v| v.as_u64()) == id && id.is_some())
        {
            let value = ident
                .get("value")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let verified = ident.get("verified").is_some_and(|v| v == true);
            match ident.get("type").and_then(|v| v.as_str()) {
                Some("email") if !value.is_empty() => {
                    if user.email.is_empty() {
                        user.email = value;
                    } else if !value.eq_ignore_ascii_case(&user.email)
                        && !user.aliases.contains(&value)
                    {
                        user.aliases.push(value);
                    }
                }
                // A verified phone identity beats the primary field (ZENDESK.md §4).
                Some("phone_number") if verified && !value.is_empty() => user.phone = Some(value),
                _ => {}
            }
        }
        if user.email.is_empty() {
            continue;
        }
        out.push(user);
    }
    Ok(out)
}

/// Reads users from CSV with a header row. Columns (case-insensitive, any order, unknown ones
/// ignored): `email` (required), `aliases`, `name`, `names`, `role`, `vip`, `phone`,
/// `networks`, `domains`; list cells are separated by `;`, `,` or spaces.
pub fn import_csv(text: &str, input: &str) -> Result<Vec<User>> {
    let bad = |p: String| Error::bad_input(input, p);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| bad(format!("not CSV: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let email = col("email").ok_or_else(|| bad("the header row has no `email` column".into()))?;
    let mut out = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| bad(format!("row {}: {e}", n + 2)))?;
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_string();
        let mail = get(Some(email));
        if mail.is_empty() {
            continue;
        }
        if !mail.contains('@') {
            return Err(bad(format!(
                "row {}: email {mail:?} is not an address",
                n + 2
            )));
        }
        let role = match get(col("role")).to_ascii_lowercase().as_str() {
            "" | "end-user" | "end_user" | "enduser" | "user" | "customer" => Role::EndUser,
            "agent" => Role::Agent,
            "admin" | "administrator" => Role::Admin,
            "owner" => Role::Owner,
            other => return Err(bad(format!("row {}: unknown role {other:?}", n + 2))),
        };
        let networks = split_list(&get(col("networks")))
            .into_iter()
            .map(|s| {
                s.parse::<IpNetwork>()
                    .map_err(|e| bad(format!("row {}: network {s:?}: {e}", n + 2)))
            })
            .collect::<Result<Vec<_>>>()?;
        let phone = get(col("phone"));
        out.push(User {
            email: mail,
            aliases: split_list(&get(col("aliases"))),
            name: get(col("name")),
            names: get(col("names"))
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            role,
            vip: truthy(&serde_json::Value::String(get(col("vip")))),
            phone: (!phone.is_empty()).then_some(phone),
            networks,
            domains: split_list(&get(col("domains"))),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_a_zendesk_user_with_identities() {
        let text = r#"{"users": [{"id": 9100000000101, "name": "Dana Whitfield", "email": "dana@acme.example",
            "phone": "+49 30 5550 0000", "role": "admin", "tags": ["vip"], "active": true,
            "user_fields": {"known_ip_ranges": "192.0.2.0/24, 2001:db8::/32", "employee_id": "E-1"},
            "unknown_field": null}],
          "identities": [
            {"user_id": 9100000000101, "type": "email", "value": "dana.w@acme.example", "verified": true},
            {"user_id": 9100000000101, "type": "phone_number", "value": "+49 30 5550 1234", "verified": true}]}"#;
        let users = import_zendesk(text, &ImportFields::default(), "users.json").unwrap();
        assert_eq!(users.len(), 1);
        let u = &users[0];
        assert_eq!(u.role, Role::Admin);
        assert!(u.vip);
        assert_eq!(u.aliases, ["dana.w@acme.example"]);
        assert_eq!(u.phone.as_deref(), Some("+49 30 5550 1234"));
        assert_eq!(u.networks.len(), 2);
    }

    #[test]
    fn imports_csv_and_rejects_bad_rows() {
        let users = import_csv(
            "Email,Name,Role,VIP,Phone,Networks\ntaro@example.co.jp,山田 太郎,owner,yes,03-1234-5678,192.0.2.0/24;198.51.100.7/32\n",
            "u.csv",
        )
        .unwrap();
        assert_eq!(users[0].role, Role::Owner);
        assert!(users[0].vip);
        assert_eq!(users[0].networks.len(), 2);
        let err = import_csv("email,role\na@b.example,emperor\n", "u.csv").unwrap_err();
        assert!(err.to_string().contains("row 2: unknown role"), "{err}");
        assert!(import_csv("name\nx\n", "u.csv").is_err());
    }

    #[test]
    fn round_trips_through_toml() {
        let mut p = Profiles::default();
        p.organisation
            .protected_domains
            .push("example.co.jp".into());
        p.users.push(User {
            email: "a@example.co.jp".into(),
            name: "A".into(),
            role: Role::Admin,
            ..Default::default()
        });
        let text = p.to_toml();
        let back = Profiles::parse(&text, Path::new("p.toml")).unwrap();
        assert_eq!(back.users, p.users);
        assert!(back.by_address("A@Example.co.jp").is_some());
    }
}
