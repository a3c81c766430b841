//! `impostor.toml`: the file schema, where the file is found, and its validation.
//!
//! The schema is strict (`deny_unknown_fields`), so a misspelt key is an error naming the file,
//! the line and the key, never a setting silently ignored. Command-line flags are merged with
//! it into `Settings` by `cli`, the only thing the rest of the program sees.

use crate::error::{Error, Result};
use ipnetwork::IpNetwork;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "IMPOSTOR_CONFIG";

/// The parsed config file. Every key is optional; `Default` is the configuration of a
/// machine with no file at all.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The authserv-id impostor writes into `Authentication-Results` with `--annotate`.
    pub authserv_id: String,
    /// Language of agent-facing text.
    pub lang: crate::evidence::Lang,
    /// The organisation's own domains: a DMARC failure for one of them is spoofing whatever
    /// the published policy.
    pub protected_domains: Vec<String>,
    /// Relays whose Received headers are believed (our MX, the helpdesk's inbound servers).
    pub trusted_relays: Vec<IpNetwork>,
    /// authserv-ids whose Authentication-Results are believed, in the trusted part of the
    /// header only.
    pub trusted_authserv_ids: Vec<String>,
    /// Where authentication results come from.
    pub auth_source: AuthSourceSetting,
    /// Messages larger than this are refused as bad input.
    pub max_message_bytes: usize,
    /// The profiles file (users and the organisation).
    pub profiles: Option<PathBuf>,
    /// The SQLite store; default `$XDG_DATA_HOME/impostor/impostor.db`.
    pub store: Option<PathBuf>,
    /// Extra shared-tenant platforms, compared by whole host.
    pub shared_tenants: Vec<String>,
    /// Extra ticketing, list and bulk-mail platforms exempt from Reply-To/Return-Path checks.
    pub platforms: Vec<String>,
    /// Extra free-mail domains.
    pub freemail: Vec<String>,
    /// DNS settings.
    pub dns: DnsConfig,
    /// How `profiles import` reads Zendesk user fields.
    pub import: crate::sender::profiles::ImportFields,
    /// The Zendesk API (`impostor ticket`).
    pub zendesk: crate::zendesk::api::ZendeskConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            authserv_id: "impostor".into(),
            lang: Default::default(),
            protected_domains: Vec::new(),
            trusted_relays: Vec::new(),
            trusted_authserv_ids: Vec::new(),
            auth_source: AuthSourceSetting::Auto,
            max_message_bytes: 25 * 1024 * 1024,
            profiles: None,
            store: None,
            shared_tenants: Vec::new(),
            platforms: Vec::new(),
            freemail: Vec::new(),
            dns: DnsConfig::default(),
            import: Default::default(),
            zendesk: Default::default(),
        }
    }
}

/// Where authentication results come from (DESIGN.md §3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default, clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
pub enum AuthSourceSetting {
    /// A trusted Authentication-Results header when the message has one, else DNS.
    #[default]
    Auto,
    /// Always verify through DNS (live, or the snapshot given with `--dns-snapshot`).
    Dns,
    /// Only trusted Authentication-Results headers; a message without one is unverifiable.
    AuthenticationResults,
}

/// `[dns]`: resolver and time bounds.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DnsConfig {
    /// Resolver to ask, `IP:PORT`; the system configuration when absent.
    pub nameserver: Option<SocketAddr>,
    /// Time bound of one query, in milliseconds.
    pub timeout_ms: u64,
    /// Tries per query.
    pub attempts: usize,
    /// Time bound of all lookups for one message, in milliseconds.
    pub budget_ms: u64,
}

impl Default for DnsConfig {
    fn default() -> Self {
        DnsConfig {
            nameserver: None,
            timeout_ms: 2_000,
            attempts: 2,
            budget_ms: 10_000,
        }
    }
}

impl DnsConfig {
    /// The per-query timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The per-message budget.
    pub fn budget(&self) -> Duration {
        Duration::from_millis(self.budget_ms)
    }
}

/// A loaded config and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The configuration.
    pub config: Config,
    /// The file it was read from; `None` when no file was found and defaults apply.
    pub path: Option<PathBuf>,
}

/// Finds the config file: `--config`, then `$IMPOSTOR_CONFIG`, then
/// `$XDG_CONFIG_HOME/impostor/impostor.toml` (or `~/.config/...`). Only an explicitly named
/// file must exist; the XDG file is optional.
pub fn locate(explicit: Option<&Path>) -> Option<(PathBuf, bool)> {
    if let Some(path) = explicit {
        return Some((path.to_path_buf(), true));
    }
    if let Some(path) = std::env::var_os(CONFIG_ENV).filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(path), true));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    let path = base.join("impostor").join("impostor.toml");
    path.is_file().then_some((path, false))
}

/// Loads the config found by `locate`, or the defaults when there is none.
pub fn load(explicit: Option<&Path>) -> Result<Loaded> {
    match locate(explicit) {
        None => Ok(Loaded::default()),
        Some((path, _)) => {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
                path: path.clone(),
                line: None,
                problem: format!("cannot read: {}", crate::report::io_problem(&e)),
            })?;
            let mut config = parse(&text, &path)?;
            // Relative paths in the file are relative to the file.
            let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
            for p in [
                &mut config.profiles,
                &mut config.store,
                &mut config.zendesk.token_file,
                &mut config.zendesk.oauth_token_file,
            ]
            .into_iter()
            .flatten()
            {
                if p.is_relative() {
                    *p = base.join(&*p);
                }
            }
            Ok(Loaded {
                config,
                path: Some(path),
            })
        }
    }
}

/// Parses and validates config text; errors name the file, the line and the key.
pub fn parse(text: &str, path: &Path) -> Result<Config> {
    let config: Config = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let mut problem = e.message().trim().replace('\n', "; ");
        if let Some(key) = line.and_then(|l| key_at(text, l))
            && !problem.contains(&key)
        {
            problem = format!("{key}: {problem}");
        }
        Error::Config {
            path: path.to_path_buf(),
            line,
            problem,
        }
    })?;
    validate(&config, text, path)?;
    Ok(config)
}

fn validate(config: &Config, text: &str, path: &Path) -> Result<()> {
    let err = |key: &str, problem: String| Error::Config {
        path: path.to_path_buf(),
        line: key_line(text, key),
        problem: format!("{key}: {problem}"),
    };
    for domain in &config.protected_domains {
        if psl::domain_str(&domain.to_ascii_lowercase()).is_none() || domain.contains('@') {
            return Err(err(
                "protected_domains",
                format!("{domain:?} is not a registrable domain name"),
            ));
        }
    }
    if config.authserv_id.trim().is_empty() || config.authserv_id.contains(char::is_whitespace) {
        return Err(err(
            "authserv_id",
            "must be a single token, such as the host name".into(),
        ));
    }
    if config.dns.timeout_ms == 0 || config.dns.budget_ms == 0 || config.dns.attempts == 0 {
        return Err(err(
            "timeout_ms",
            "dns.timeout_ms, dns.budget_ms and dns.attempts must be above zero".into(),
        ));
    }
    if config.max_message_bytes < 1024 {
        return Err(err(
            "max_message_bytes",
            "must be at least 1024 bytes".into(),
        ));
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The dotted key assigned on or above `line` (1-based), with its table, e.g. `dns.timeout_ms`.
fn key_at(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let upto = &lines[..line.min(lines.len())];
    let key = upto.iter().rev().find_map(|l| {
        let l = l.trim_start();
        let (k, _) = l.split_once('=')?;
        let k = k.trim();
        (!k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)))
        .then(|| k.to_string())
    })?;
    let table = upto.iter().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')?
            .strip_suffix(']')
            .map(|t| t.trim().to_string())
    });
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key,
    })
}

/// The line where `key` is assigned, for errors found after parsing.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config> {
        parse(text, Path::new("impostor.toml"))
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse_str("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse_str("authserv_id = \"mx\"\n\ntrusted_relay = []\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("impostor.toml:3:"), "{text}");
        assert!(text.contains("trusted_relay"), "{text}");
    }

    #[test]
    fn bad_cidr_names_its_line() {
        let err = parse_str("trusted_relays = [\"192.0.2.0/24\",\n  \"300.1.1.1/8\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("impostor.toml:1: trusted_relays: invalid address"),
            "{err}"
        );
    }

    #[test]
    fn table_keys_are_named_with_their_table() {
        let err = parse_str("[dns]\ntimeout_ms = \"fast\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("impostor.toml:2: dns.timeout_ms: "),
            "{err}"
        );
    }

    #[test]
    fn protected_domain_must_be_a_domain() {
        let err = parse_str("\nprotected_domains = [\"support@example.com\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("impostor.toml:2: protected_domains"),
            "{err}"
        );
    }
}
