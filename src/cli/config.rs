//! `impostor config check [FILE]`: validates a config and prints what impostor understood.

use super::Exit;
use crate::config;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Validates and prints the effective configuration.
pub(super) fn check(file: Option<&Path>) -> Result<Exit> {
    let loaded = config::load(file)?;
    let c = &loaded.config;
    let mut out = String::new();
    match &loaded.path {
        Some(p) => out.push_str(&format!("config: {} (valid)\n", p.display())),
        None => out.push_str("config: none found; using defaults\n"),
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "(none)".to_string()
        } else {
            v.join(", ")
        }
    };
    out.push_str(&format!("authserv_id: {}\n", c.authserv_id));
    out.push_str(&format!("lang: {:?}\n", c.lang).to_lowercase());
    out.push_str(&format!(
        "protected_domains: {}\n",
        list(&c.protected_domains)
    ));
    let relays: Vec<String> = c.trusted_relays.iter().map(|n| n.to_string()).collect();
    out.push_str(&format!("trusted_relays: {}\n", list(&relays)));
    if relays.is_empty() {
        out.push_str("  note: no trusted relays: the topmost Received header's client is taken as the sender\n");
    }
    out.push_str(&format!(
        "trusted_authserv_ids: {}\n",
        list(&c.trusted_authserv_ids)
    ));
    out.push_str(&format!("auth_source: {:?}\n", c.auth_source).to_lowercase());
    out.push_str(&format!("max_message_bytes: {}\n", c.max_message_bytes));
    out.push_str(&format!(
        "dns.nameserver: {}\n",
        c.dns
            .nameserver
            .map_or("system configuration".to_string(), |n| n.to_string())
    ));
    out.push_str(&format!(
        "dns.timeout_ms: {}\ndns.attempts: {}\ndns.budget_ms: {}\n",
        c.dns.timeout_ms, c.dns.attempts, c.dns.budget_ms
    ));
    out.push_str("profiles: none configured\n");
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(Error::Output)?;
    Ok(Exit::Clear)
}
