//! Unit tests of the sender signals, each with positive and negative cases.

use super::*;
use crate::evidence::Strength;
use std::path::Path;

fn knowledge() -> Knowledge {
    let profiles = Profiles::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/profiles.toml"
    )))
    .expect("fixture profiles load");
    Knowledge::new(
        profiles,
        &["example.co.jp".to_string()],
        Tables::new(&[]),
        lookalike::freemail(&[]),
        lookalike::platforms(&[]),
    )
}

fn message(headers: &str, body: &str) -> Message {
    let raw = format!("{headers}\r\nSubject: hello\r\n\r\n{body}\r\n");
    Message::parse(
        raw.replace("\r\n", "\n").replace('\n', "\r\n").into_bytes(),
        "test",
    )
    .unwrap()
}

fn signals(headers: &str, body: &str) -> Vec<(String, Strength)> {
    signals_seen(headers, body, None, None)
}

fn signals_seen(
    headers: &str,
    body: &str,
    ip: Option<&str>,
    history: Option<&History>,
) -> Vec<(String, Strength)> {
    let k = knowledge();
    let m = message(headers, body);
    analyze(
        &m,
        &k,
        Seen {
            ip: ip.map(|i| i.parse().unwrap()),
            history,
        },
    )
    .into_iter()
    .map(|e| (e.code.id.to_string(), e.strength))
    .collect()
}

fn has(s: &[(String, Strength)], code: &str, strength: Strength) -> bool {
    s.iter().any(|(c, st)| c == code && *st == strength)
}

fn none_of(s: &[(String, Strength)], code: &str) -> bool {
    !s.iter().any(|(c, _)| c == code)
}

#[test]
fn display_name_of_a_privileged_user_is_strong() {
    // 髙橋 (old form) in the profile, 高橋 in the mail; order and honorific differ too.
    for name in ["高橋 美咲", "美咲 高橋", "高橋美咲様", "Misaki Takahashi"] {
        let s = signals(
            &format!("From: \"{name}\" <misaki.t@freemail.example>"),
            "hi",
        );
        assert!(
            has(&s, "sender.display_name_impersonation", Strength::Strong),
            "{name}: {s:?}"
        );
    }
    // A customer's name is medium.
    let s = signals("From: \"Hannah Lee\" <hannah.lee@evil.example>", "hi");
    assert!(
        has(&s, "sender.display_name_impersonation", Strength::Medium),
        "{s:?}"
    );
}

#[test]
fn the_real_address_or_another_name_does_not_fire() {
    let s = signals("From: \"髙橋 美咲\" <misaki.takahashi@example.co.jp>", "hi");
    assert!(none_of(&s, "sender.display_name_impersonation"), "{s:?}");
    assert!(has(&s, "sender.known_profile", Strength::Info));
    let s = signals("From: \"高橋 美奈\" <mina@freemail.example>", "hi");
    assert!(none_of(&s, "sender.display_name_impersonation"), "{s:?}");
    let s = signals("From: \"山田 太郎\" <ceo@example.co.jp>", "hi");
    assert!(
        none_of(&s, "sender.display_name_impersonation"),
        "an alias of the owner: {s:?}"
    );
}

#[test]
fn address_inside_the_display_name() {
    let s = signals(
        "From: \"taro.yamada@example.co.jp\" <attacker@evil.example>",
        "hi",
    );
    assert!(has(&s, "sender.address_in_name", Strength::Strong), "{s:?}");
    let s = signals(
        "From: \"billing@shop.example\" <noreply@mailer.example>",
        "hi",
    );
    assert!(has(&s, "sender.address_in_name", Strength::Medium), "{s:?}");
    let s = signals("From: \"alice@shop.example\" <alice@shop.example>", "hi");
    assert!(none_of(&s, "sender.address_in_name"), "{s:?}");
}

#[test]
fn lookalike_domains_of_the_protected_domain() {
    for host in [
        "ex\u{430}mple.co.jp",  // Cyrillic а
        "xn--exmple-4nf.co.jp", // the same, as punycode
        "examp1e.co.jp",
        "exarnple.co.jp",
        "exampel.co.jp",
        "example.jp",
        "example-support.example",
        "example.co.jp.account-verify.example",
    ] {
        let s = signals(&format!("From: Support <support@{host}>"), "hi");
        assert!(
            has(&s, "sender.lookalike_domain", Strength::Strong),
            "{host}: {s:?}"
        );
    }
}

#[test]
fn lookalike_of_a_known_customer_domain_is_medium() {
    let s = signals("From: Ryan <ryan@dmarc-pasa.example>", "hi");
    assert!(
        has(&s, "sender.lookalike_domain", Strength::Medium),
        "{s:?}"
    );
}

#[test]
fn legitimate_hosts_are_not_lookalikes() {
    for from in [
        "From: Support <support@mail.example.co.jp>",
        "From: Support <help@support.example.co.jp>",
        "From: Acme <acme@acme.zendesk.com>",
        "From: 伊藤 恵子 <keiko.ito@docomo.ne.jp>",
        "From: Someone <someone@gmail.com>",
        "From: Ryan <ryan@dmarc-pass.example>",
    ] {
        let s = signals(from, "hi");
        assert!(none_of(&s, "sender.lookalike_domain"), "{from}: {s:?}");
    }
}

#[test]
fn reply_to_and_return_path_diversions() {
    let s = signals(
        "From: Ryan <ryan.oconnor@dmarc-pass.example>\r\nReply-To: ryan.private@freemail.example",
        "hi",
    );
    assert!(
        has(&s, "sender.reply_to_diversion", Strength::Medium),
        "{s:?}"
    );
    // Same organisation, ticketing platforms and lists are exempt.
    for headers in [
        "From: A <a@shop.example>\r\nReply-To: help@support.shop.example",
        "From: Acme Support <support@acme.example>\r\nReply-To: support+id123@acme.zendesk.com",
        "From: A <a@shop.example>\r\nReply-To: list@lists.example\r\nList-Id: <list.lists.example>",
    ] {
        let s = signals(headers, "hi");
        assert!(none_of(&s, "sender.reply_to_diversion"), "{headers}: {s:?}");
    }
    let s = signals(
        "From: A <a@shop.example>\r\nReturn-Path: <bounce@bounces.sendgrid.net>",
        "hi",
    );
    assert!(none_of(&s, "sender.return_path_mismatch"), "{s:?}");
    let s = signals(
        "From: A <a@shop.example>\r\nReturn-Path: <x@other.example>",
        "hi",
    );
    assert!(
        has(&s, "sender.return_path_mismatch", Strength::Weak),
        "{s:?}"
    );
}

#[test]
fn free_mail_claiming_the_organisation() {
    let s = signals(
        "From: \"Example Corp 経理部\" <keiri.example@gmail.com>",
        "hi",
    );
    assert!(
        has(&s, "sender.freemail_corporate_claim", Strength::Medium),
        "{s:?}"
    );
    let s = signals(
        "From: \"Accounts\" <accounts.team@gmail.com>",
        "Please update our bank details.\r\n\r\nBest regards,\r\nエグザンプル株式会社 経理部",
    );
    assert!(
        has(&s, "sender.freemail_corporate_claim", Strength::Medium),
        "{s:?}"
    );
    // Carrier mail from a customer, or free mail mentioning the company in the request text,
    // is normal.
    let s = signals(
        "From: 伊藤 恵子 <keiko.ito@docomo.ne.jp>",
        "Example Corp のサービスについて質問です。",
    );
    assert!(none_of(&s, "sender.freemail_corporate_claim"), "{s:?}");
    let s = signals("From: Bob <bob@ezweb.ne.jp>", "hi");
    assert!(
        s.iter()
            .all(|(_, st)| !matches!(st, Strength::Strong | Strength::Medium)),
        "{s:?}"
    );
}

#[test]
fn known_networks() {
    let from = "From: Hannah Lee <hannah.lee@arc-origin.example>";
    let s = signals_seen(from, "hi", Some("198.51.100.7"), None);
    assert!(
        has(&s, "sender.ip_known_network", Strength::Mitigating),
        "{s:?}"
    );
    let s = signals_seen(from, "hi", Some("192.0.2.77"), None);
    assert!(
        has(&s, "sender.ip_known_network", Strength::Mitigating),
        "org network: {s:?}"
    );
    let s = signals_seen(from, "hi", Some("203.0.113.200"), None);
    assert!(
        has(&s, "sender.ip_outside_networks", Strength::Medium),
        "{s:?}"
    );
    // No networks in the profile: no signal either way.
    let s = signals_seen(
        "From: 佐藤 健 <ken.sato@enc-eucjp.example>",
        "hi",
        Some("203.0.113.200"),
        None,
    );
    assert!(none_of(&s, "sender.ip_outside_networks") && none_of(&s, "sender.ip_known_network"));
}

#[test]
fn history() {
    let from = "From: A <a@shop.example>";
    let first = History::default();
    let s = signals_seen(from, "hi", Some("198.51.100.1"), Some(&first));
    assert!(has(&s, "sender.first_contact", Strength::Info), "{s:?}");
    let known = History {
        messages: 4,
        first_seen: Some(1),
        ip_known: false,
        ips: 1,
    };
    let s = signals_seen(from, "hi", Some("198.51.100.1"), Some(&known));
    assert!(has(&s, "sender.new_ip", Strength::Weak), "{s:?}");
    let same = History {
        ip_known: true,
        ..known
    };
    let s = signals_seen(from, "hi", Some("198.51.100.1"), Some(&same));
    assert!(
        none_of(&s, "sender.new_ip") && none_of(&s, "sender.first_contact"),
        "{s:?}"
    );
}
