//! The sender analyzer against the sample organisation (`fixtures/profiles.toml`): false
//! alarms matter as much as misses, so ordinary legitimate senders — ticketing platforms,
//! newsletters, mailing lists, carrier mail, the organisation's own staff — must raise no
//! strong or medium sender signal; and the sender fixtures through the binary.

use crate::util::*;
use impostor::Message;
use impostor::evidence::{Axis, Strength};
use impostor::sender::lookalike::{self, Tables};
use impostor::sender::{Knowledge, Profiles, Seen, analyze};

/// Header blocks of ordinary mail a Japanese helpdesk receives.
const LEGITIMATE: &[&str] = &[
    // Ticketing platforms, including our own tenant.
    "From: \"Acme Support\" <support@acme.zendesk.com>\nReply-To: support+id4821@acme.zendesk.com",
    "From: \"Yuki Mori (Example Corp)\" <support@example.zendesk.com>\nReply-To: support+id77@example.zendesk.com",
    "From: \"Globex Help\" <help@globex.freshdesk.com>",
    "From: \"Initech Desk\" <desk@initech.zohodesk.com>",
    "From: \"Jira\" <jira@acme.atlassian.net>\nReply-To: jira@acme.atlassian.net",
    "From: \"Vendor Sales\" <sales@vendor.example>\nReturn-Path: <bounce-99@xyz.bnc.salesforce.com>",
    "From: \"App Team\" <team@app.example>\nReply-To: reply+abc@intercom-mail.com",
    // Newsletters and bulk mail.
    "From: \"Shop Weekly\" <news@shop.example>\nReply-To: care@shop.example\nList-Unsubscribe: <mailto:unsub@shop.example>",
    "From: \"Brand\" <hello@brand.example>\nReturn-Path: <bounce-mc.us5_123@mail123.mcsv.net>\nList-Unsubscribe: <https://brand.example/u>",
    "From: \"Orders\" <orders@store.example>\nReturn-Path: <bounces+1234@em123.store.example>",
    "From: \"Notifications\" <no-reply@saas.example>\nReturn-Path: <0100018a-abc@us-west-2.amazonses.com>",
    "From: \"Marketing\" <info@vendor2.example>\nReturn-Path: <1axbx@bf01.hubspotemail.net>\nPrecedence: bulk",
    "From: \"楽天市場\" <order@rakuten.co.jp>",
    "From: \"Amazon.co.jp\" <auto-confirm@amazon.co.jp>",
    "From: \"日本郵便\" <info@post.japanpost.jp>",
    "From: \"三菱UFJ銀行\" <info@bk.mufg.jp>",
    "From: \"PayPal\" <service@paypal.co.jp>",
    "From: \"ニュースレター編集部\" <news@media.example>\nList-Unsubscribe: <mailto:leave@media.example>\nList-Id: <news.media.example>",
    // Mailing lists.
    "From: \"Alice via dev\" <dev@googlegroups.com>\nReply-To: Alice <alice@uni.example>\nList-Id: <dev.googlegroups.com>",
    "From: Bob <bob@project.example>\nReply-To: users@lists.project.example\nList-Id: <users.lists.project.example>",
    "From: \"GitHub\" <notifications@github.com>\nReply-To: \"owner/repo\" <reply+AAB@reply.github.com>",
    // Platforms sending on someone's behalf.
    "From: \"Ken via Docusign\" <dse_na2@docusign.net>\nReply-To: ken@client.example",
    "From: \"Alice (Google Calendar)\" <calendar-notification@google.com>\nReply-To: alice@uni.example",
    "From: \"Slack\" <feedback@slack.com>",
    "From: \"Microsoft Teams\" <no-reply@teams.mail.microsoft>",
    "From: \"LinkedIn\" <messages-noreply@linkedin.com>",
    // Automated mail.
    "From: MAILER-DAEMON@mx.remote.example\nReturn-Path: <>\nAuto-Submitted: auto-replied",
    "From: \"Out of office\" <kato@uni.ac.jp>\nAuto-Submitted: auto-replied",
    // Customers on carrier and free mail.
    "From: 伊藤 恵子 <keiko.ito@docomo.ne.jp>",
    "From: 田中 <tanaka-1234@ezweb.ne.jp>",
    "From: \"ｻﾄｳ ﾊﾅｺ\" <hanako.s@i.softbank.jp>",
    "From: 中村 <nakamura@au.com>",
    "From: Bob Smith <bob.smith@gmail.com>",
    "From: 鈴木一郎 <ichiro@yahoo.co.jp>",
    "From: \"Maria\" <maria.g@outlook.com>",
    "From: \"Chris\" <chris@icloud.com>",
    "From: \"Taro\" <taro.home@gmail.com>",
    "From: \"Tanaka Taro\" <t.tanaka@customer.example>",
    // Customers on their company domains.
    "From: \"株式会社サンプル 営業部 佐々木\" <sasaki@sample-corp.example>",
    "From: \"Ben Carter | Multipart Inc\" <ben.carter@multipart.example>",
    "From: Sofia Rossi <sofia.rossi@dkim-ed25519.example>\nReply-To: sofia.rossi@dkim-ed25519.example",
    "From: \"Prof. Kato\" <kato@uni.ac.jp>\nReturn-Path: <kato@mail.uni.ac.jp>",
    "From: \"Contoso IT\" <it@contoso.onmicrosoft.com>",
    "From: \"Secretary\" <assistant@client-co.example>\nSender: office@client-co.example",
    "From: Ryan O'Connor <ryan.oconnor@dmarc-pass.example>",
    "From: Ryan <ryan@dmarc-pass.example>",
    "From: Ryan O'Connor <ryan@oconnor-consulting.example>",
    "From: 佐藤 健 <ken.sato@enc-eucjp.example>",
    "From: Hannah Lee <hannah.lee@arc-origin.example>",
    "From: 木村 翔 <kimura.sho@ar-trusted.example>",
    // Our own staff and systems.
    "From: \"山田 太郎\" <taro.yamada@example.co.jp>",
    "From: \"Taro Yamada (CEO)\" <ceo@example.co.jp>",
    "From: \"髙橋 美咲\" <misaki.takahashi@example.co.jp>",
    "From: \"IT Desk\" <it@corp.example.co.jp>",
    "From: \"Example Corp Billing\" <billing@example.co.jp>\nReturn-Path: <bounce@mail.example.co.jp>",
    "From: \"エグザンプル株式会社 人事部\" <jinji@example.co.jp>",
];

fn knowledge() -> Knowledge {
    let profiles = Profiles::load(&fixture("profiles.toml")).unwrap();
    Knowledge::new(
        profiles,
        &["example.co.jp".to_string()],
        Tables::new(&[]),
        lookalike::freemail(&[]),
        lookalike::platforms(&[]),
    )
}

#[test]
fn ordinary_legitimate_senders_raise_no_strong_or_medium_signal() {
    assert!(LEGITIMATE.len() >= 50, "{}", LEGITIMATE.len());
    let k = knowledge();
    let mut alarms = Vec::new();
    for headers in LEGITIMATE {
        let raw = format!("{headers}\nTo: support@example.co.jp\nSubject: hello\n\nHello.\n")
            .replace('\n', "\r\n");
        let m = Message::parse(raw.into_bytes(), "legit").unwrap();
        let ip = Some("198.51.100.9".parse().unwrap());
        for e in analyze(&m, &k, Seen { ip, history: None }) {
            assert_eq!(e.axis(), Axis::Sender);
            if matches!(e.strength, Strength::Strong | Strength::Medium) {
                alarms.push(format!(
                    "{}: {} ({})",
                    headers.lines().next().unwrap(),
                    e.code.id,
                    e.message(impostor::Lang::En)
                ));
            }
        }
    }
    // The owner's own profile lists a network this IP is outside of: that one is expected.
    alarms.retain(|a| !a.contains("sender.ip_outside_networks"));
    assert!(
        alarms.is_empty(),
        "{} false alarms:\n{}",
        alarms.len(),
        alarms.join("\n")
    );
}

#[test]
fn sender_fixtures_through_the_binary() {
    let cfg = config();
    let zone = fixture("dns/zone.json");
    let dir = fixture("sender");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    for path in files {
        let expect: toml::Table =
            toml::from_str(&std::fs::read_to_string(path.with_extension("expect.toml")).unwrap())
                .unwrap();
        let out = run(
            &[
                "check",
                "--json",
                "--no-store",
                "--config",
                s(&cfg),
                "--dns-snapshot",
                s(&zone),
                s(&path),
            ],
            None,
        );
        let v = &json_lines(&out)[0];
        let codes = evidence_codes(v);
        for code in expect["codes"].as_array().unwrap() {
            assert!(
                codes.contains(&code.as_str().unwrap()),
                "{}: {code} not in {codes:?}",
                path.display()
            );
        }
        assert_eq!(
            v["verdict"]["sender_trust"],
            expect["trust"].as_str().unwrap(),
            "{}",
            path.display()
        );
        // The evidence names what matched.
        for e in v["evidence"].as_array().unwrap() {
            if e["axis"] == "sender" {
                assert!(!e["facts"].as_object().unwrap().is_empty(), "{e}");
            }
        }
    }
}
