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
        Exit::Usage,
        Exit::Caution,
        Exit::Verify,
        Exit::LikelySpoofed,
        Exit::BadInput,
        Exit::Unreadable,
        Exit::Unavailable,
        Exit::Internal,
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
    // Every key of the schema appears, set or commented out.
    let keys = [
        "authserv_id",
        "lang",
        "protected_domains",
        "trusted_relays",
        "trusted_authserv_ids",
        "auth_source",
        "max_message_bytes",
        "[dns]",
        "nameserver",
        "timeout_ms",
        "attempts",
        "budget_ms",
    ];
    for key in keys {
        assert!(text.contains(key), "impostor.example.toml lacks {key}");
    }
    // And the list above is the schema: a key it misses would be rejected here.
    let mut all = String::new();
    for key in keys.iter().filter(|k| !k.starts_with('[')) {
        let value = match *key {
            "authserv_id" => "\"x\"",
            "lang" => "\"en\"",
            "auth_source" => "\"auto\"",
            "nameserver" => "\"127.0.0.1:53\"",
            "protected_domains" | "trusted_relays" | "trusted_authserv_ids" => "[]",
            _ => "5000",
        };
        if *key == "nameserver" {
            all.push_str("[dns]\n");
        }
        all.push_str(&format!("{key} = {value}\n"));
    }
    impostor::config::parse(&all, &path).expect("every listed key is in the schema");
}
