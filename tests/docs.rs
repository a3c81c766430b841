//! Tests that stop the docs drifting: the README's evidence-code and exit-code tables equal the
//! code, every `check` flag is documented, and the example config has every key.

use crate::util::*;
use clap::CommandFactory;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

/// The first-column backticked values of the table under `heading`.
fn table(text: &str, heading: &str) -> Vec<String> {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading}"));
    text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .filter_map(|cell| {
            cell.trim()
                .strip_prefix('`')?
                .split('`')
                .next()
                .map(str::to_string)
        })
        .collect()
}

#[test]
fn readme_code_table_equals_the_catalogue() {
    let documented = table(&readme(), "## Evidence codes");
    let catalogue: Vec<String> = impostor::evidence::CATALOGUE
        .iter()
        .map(|c| c.id.to_string())
        .collect();
    assert_eq!(documented, catalogue);
}

#[test]
fn readme_exit_code_table_is_complete() {
    use impostor::cli::Exit;
    let documented = table(&readme(), "## Exit status");
    let codes = [
        Exit::Clear,
        Exit::ClearWithFailures,
        Exit::Usage,
        Exit::Caution,
        Exit::CautionWithFailures,
        Exit::Verify,
        Exit::VerifyWithFailures,
        Exit::LikelySpoofed,
        Exit::LikelySpoofedWithFailures,
        Exit::BadInput,
        Exit::Unreadable,
        Exit::Unavailable,
        Exit::Internal,
        Exit::Denied,
        Exit::Output,
        Exit::Config,
    ];
    let expected: Vec<String> = codes.iter().map(|c| (*c as u8).to_string()).collect();
    assert_eq!(documented, expected);
}

#[test]
fn readme_documents_every_check_flag() {
    let text = readme();
    let cmd = impostor::cli::Cli::command();
    let check = cmd.find_subcommand("check").unwrap();
    for arg in check.get_arguments() {
        if let Some(long) = arg.get_long() {
            if long == "help" {
                continue;
            }
            assert!(
                text.contains(&format!("--{long}")),
                "README does not document --{long}"
            );
        }
    }
}

#[test]
fn example_config_is_valid_and_has_every_key() {
    let path = root().join("impostor.example.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    impostor::config::parse(&text, &path).expect("the example config is valid");
    // Every key of the schema appears, set or commented out; (table, key, sample value).
    let keys: &[(&str, &str, &str)] = &[
        ("", "authserv_id", "\"x\""),
        ("", "lang", "\"en\""),
        ("", "protected_domains", "[]"),
        ("", "trusted_relays", "[]"),
        ("", "trusted_authserv_ids", "[]"),
        ("", "auth_source", "\"auto\""),
        ("", "max_message_bytes", "5000"),
        ("", "profiles", "\"p.toml\""),
        ("", "store", "\"s.db\""),
        ("", "shared_tenants", "[]"),
        ("", "platforms", "[]"),
        ("", "freemail", "[]"),
        ("dns", "nameserver", "\"127.0.0.1:53\""),
        ("dns", "timeout_ms", "5000"),
        ("dns", "attempts", "2"),
        ("dns", "budget_ms", "5000"),
        ("import", "networks_field", "\"n\""),
        ("import", "vip_field", "\"v\""),
        ("import", "vip_tag", "\"t\""),
        ("zendesk", "url", "\"https://acme.zendesk.com\""),
        ("zendesk", "subdomain", "\"acme\""),
        ("zendesk", "email", "\"a@acme.example\""),
        ("zendesk", "token_file", "\"t\""),
        ("zendesk", "oauth_token_file", "\"o\""),
        ("zendesk", "timeout_ms", "1000"),
    ];
    let mut all = String::new();
    let mut table = "";
    for (t, key, value) in keys {
        assert!(
            text.contains(&format!("{key} =")),
            "impostor.example.toml lacks {key}"
        );
        if *t != table {
            assert!(
                text.contains(&format!("[{t}]")),
                "impostor.example.toml lacks [{t}]"
            );
            all.push_str(&format!("[{t}]\n"));
            table = t;
        }
        all.push_str(&format!("{key} = {value}\n"));
    }
    // And the list above is the whole schema, in both directions.
    let mut full = impostor::config::Config {
        profiles: Some("p.toml".into()),
        store: Some("s.db".into()),
        ..Default::default()
    };
    full.dns.nameserver = Some("127.0.0.1:53".parse().unwrap());
    full.zendesk = impostor::zendesk::api::ZendeskConfig {
        url: Some("u".into()),
        subdomain: Some("s".into()),
        email: Some("e".into()),
        token_file: Some("t".into()),
        oauth_token_file: Some("o".into()),
        timeout_ms: Some(1),
    };
    let serialized: toml::Table = toml::from_str(&toml::to_string(&full).unwrap()).unwrap();
    let mut schema = Vec::new();
    for (k, v) in &serialized {
        match v.as_table() {
            Some(t) => schema.extend(t.keys().map(|k2| (k.clone(), k2.clone()))),
            None => schema.push((String::new(), k.clone())),
        }
    }
    for (t, k) in &schema {
        assert!(
            keys.iter().any(|(lt, lk, _)| lt == t && lk == k),
            "schema key {t}.{k} is not in the list"
        );
    }
    impostor::config::parse(&all, &path).expect("every listed key is in the schema");
}
