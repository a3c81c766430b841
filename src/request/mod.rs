//! The request analyzer: the current text of a message → the intents it asks for, with risk
//! R1–R3 and the escalation cues of DESIGN.md §4, as evidence.
//!
//! It reads only what this sender wrote now (`Message::current`), folds it
//! (`text::fold`), splits it into sentences and runs every language's rules on every
//! sentence; evidence quotes the original text the rule matched.

pub mod intent;
pub mod rules;
pub mod script;

pub use intent::Intent;
pub use rules::RuleSet;

use crate::evidence::{Evidence, Match, Risk, Strength, codes};
use crate::message::{Message, body};
use crate::text;
use rules::Effect;
use script::Has;
use std::collections::BTreeMap;

/// What the request analyzer knows beyond the message.
pub struct Context<'a> {
    /// Why the account the message is about is privileged (an admin, owner or VIP profile),
    /// when it is. Asked only for a request that could escalate: matching the sender against
    /// every profile is wasted on the many messages that ask for nothing.
    pub privileged: &'a dyn Fn() -> Option<String>,
}

/// Where a piece of analysed text came from.
struct Source<'a> {
    /// `header:Subject` or `body`.
    location: &'static str,
    /// The original text.
    original: &'a str,
    /// Maps an offset of `original` to an offset of the message body (for line numbers).
    current: Option<&'a body::Current>,
}

struct Hit {
    intent: Intent,
    rule: String,
    quote: Match,
    sentence: String,
}

/// Intents, cues and phone numbers in what the sender wrote now: the Subject and the current
/// part of the body.
pub fn analyze(message: &Message, rules: &RuleSet, context: &Context<'_>) -> Vec<Evidence> {
    let current = &message.current;
    let subject = message.subject.clone().unwrap_or_default();
    let sources = [
        Source {
            location: "header:Subject",
            original: &subject,
            current: None,
        },
        Source {
            location: "body",
            original: &current.text,
            current: Some(current),
        },
    ];

    let mut requests: Vec<Hit> = Vec::new();
    let mut questions: Vec<Hit> = Vec::new();
    let mut cues: BTreeMap<Effect, Match> = BTreeMap::new();
    let mut body_folded = String::new();
    for source in &sources {
        let folded = text::fold(source.original);
        if source.current.is_some() {
            body_folded = folded.text.clone();
        }
        let quote = |range: std::ops::Range<usize>| -> Match {
            let orig = folded.original(range);
            // One line for the agent: the sentence as written, its line breaks as spaces.
            let text = source.original[orig.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let location = match source.current {
                Some(c) => {
                    let at = c.to_body(orig).start;
                    format!(
                        "body:{}",
                        message.body[..at.min(message.body.len())]
                            .matches('\n')
                            .count()
                            + 1
                    )
                }
                None => source.location.to_string(),
            };
            Match { text, location }
        };
        let has = Has::of(&folded.text);
        for lang in &rules.languages {
            for cue in lang.cues_in(&folded.text, has, false) {
                if let Some(m) = lang.find(cue, &folded.text) {
                    cues.entry(cue.effect).or_insert_with(|| quote(m));
                }
            }
        }
        // Every language runs on every sentence: a pass over the whole text to rule a language
        // out cost more than it saved, since support mail names accounts and passwords
        // everywhere; each sentence's script and prefilter rule it out there.
        for range in text::sentences(&folded.text) {
            let sentence = &folded.text[range.clone()];
            let has = Has::of(sentence);
            for lang in &rules.languages {
                for fire in lang.fire(sentence, has) {
                    let demoted = lang.demotes(sentence, has, &fire.span);
                    let rule = &lang.rules[fire.rule];
                    let hit = Hit {
                        intent: rule.intent,
                        rule: rule.id.clone(),
                        quote: quote(range.clone()),
                        sentence: sentence.to_string(),
                    };
                    let list = if demoted {
                        &mut questions
                    } else {
                        &mut requests
                    };
                    if !list.iter().any(|h| h.intent == hit.intent) {
                        list.push(hit);
                    }
                }
            }
        }
    }
    questions.retain(|q| !requests.iter().any(|r| r.intent == q.intent));

    let sender = message
        .from_mailbox()
        .and_then(|m| m.address.clone())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let pressure: Vec<Effect> = cues
        .keys()
        .copied()
        .filter(|e| matches!(e, Effect::Urgency | Effect::Authority | Effect::Secrecy))
        .collect();

    let mut out = Vec::new();
    for hit in &requests {
        let base = hit.intent.risk();
        let mut why: Vec<(String, String)> = Vec::new();
        if base == Risk::R2 {
            if cues.contains_key(&Effect::ThirdParty) {
                why.push((
                    "it is made on behalf of someone else".into(),
                    "本人以外のための依頼であるため".into(),
                ));
            }
            if cues.contains_key(&Effect::AvoidVerification) {
                why.push((
                    "the sender steers verification away from the contact details on file".into(),
                    "登録済みの連絡先での確認を避けようとしているため".into(),
                ));
            }
            if pressure.len() >= 2 {
                why.push((
                    "it comes with two kinds of pressure".into(),
                    "二種類の圧力を伴うため".into(),
                ));
            }
            if let Some(p) = (context.privileged)() {
                why.push((
                    format!("it concerns {p}"),
                    format!("{p} に関する依頼であるため"),
                ));
            }
            if let Some(other) = other_account(&hit.sentence, &sender, hit.intent) {
                why.push((
                    format!("it targets {other}, which is not the sender's address"),
                    format!("送信者とは別のアドレス {other} が対象であるため"),
                ));
            }
        }
        let risk = if why.is_empty() { base } else { Risk::R3 };
        let escalated = !why.is_empty();
        let mut e = Evidence::new(
            request_code(hit.intent),
            if risk == Risk::R3 {
                Strength::Strong
            } else {
                Strength::Medium
            },
        )
        .fact("intent", hit.intent.id());
        e.matched = Some(hit.quote.clone());
        e.rule = Some(hit.rule.clone());
        e.risk = Some(risk);
        out.push(e);
        if escalated {
            let (en, ja): (Vec<String>, Vec<String>) = why.into_iter().unzip();
            let mut esc = Evidence::new(&codes::REQUEST_ESCALATED, Strength::Info)
                .fact("intent", hit.intent.id())
                .fact("why", en.join("; "))
                .fact("why_ja", ja.join("、"));
            esc.risk = Some(Risk::R3);
            out.push(esc);
        }
    }
    for hit in &questions {
        let mut e =
            Evidence::new(&codes::REQUEST_QUESTION, Strength::Info).fact("intent", hit.intent.id());
        e.matched = Some(hit.quote.clone());
        e.rule = Some(hit.rule.clone());
        e.risk = Some(Risk::R1);
        out.push(e);
    }
    for (effect, quote) in cues {
        let code = match effect {
            Effect::Urgency => &codes::REQUEST_URGENCY,
            Effect::Authority => &codes::REQUEST_AUTHORITY,
            Effect::Secrecy => &codes::REQUEST_SECRECY,
            Effect::ThirdParty => &codes::REQUEST_THIRD_PARTY,
            Effect::AvoidVerification => &codes::REQUEST_AVOID_VERIFICATION,
            Effect::Demote => continue,
        };
        let mut e = Evidence::new(code, Strength::Weak);
        e.matched = Some(quote);
        out.push(e);
    }
    for phone in phone_numbers_folded(&body_folded) {
        out.push(
            Evidence::new(&codes::REQUEST_PHONE_IN_MESSAGE, Strength::Info).fact("phone", phone),
        );
    }
    out
}

/// The evidence code of an intent.
pub fn request_code(intent: Intent) -> &'static crate::evidence::Code {
    match intent {
        Intent::PasswordReset => &codes::REQUEST_PASSWORD_RESET,
        Intent::EmailChange => &codes::REQUEST_EMAIL_CHANGE,
        Intent::PhoneChange => &codes::REQUEST_PHONE_CHANGE,
        Intent::AccountDisclosure => &codes::REQUEST_ACCOUNT_DISCLOSURE,
        Intent::ApiToken => &codes::REQUEST_API_TOKEN,
        Intent::DataExport => &codes::REQUEST_DATA_EXPORT,
        Intent::AccountUnlock => &codes::REQUEST_ACCOUNT_UNLOCK,
        Intent::MfaChange => &codes::REQUEST_MFA_CHANGE,
        Intent::RoleChange => &codes::REQUEST_ROLE_CHANGE,
        Intent::CredentialDisclosure => &codes::REQUEST_CREDENTIAL_DISCLOSURE,
        Intent::PaymentChange => &codes::REQUEST_PAYMENT_CHANGE,
        Intent::SsoChange => &codes::REQUEST_SSO_CHANGE,
        Intent::RecoveryRedirect => &codes::REQUEST_RECOVERY_REDIRECT,
        Intent::MailForwarding => &codes::REQUEST_MAIL_FORWARDING,
    }
}

/// Email addresses in a folded sentence.
fn addresses(sentence: &str) -> Vec<String> {
    sentence
        .split(|c: char| c.is_whitespace() || "<>()[]{},;:\"'「」『』（）、。".contains(c))
        .filter_map(|w| {
            let w = w.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let (local, domain) = w.split_once('@')?;
            (!local.is_empty() && domain.contains('.')).then(|| w.to_ascii_lowercase())
        })
        .collect()
}

/// An address the request is about that is not the sender's. For an email change the new
/// address is expected, so only a second, different address (the account being changed)
/// counts.
fn other_account(sentence: &str, sender: &str, intent: Intent) -> Option<String> {
    let others: Vec<String> = addresses(sentence)
        .into_iter()
        .filter(|a| a != sender)
        .collect();
    match intent {
        Intent::EmailChange => (others.len() >= 2).then(|| others[0].clone()),
        _ => others.into_iter().next(),
    }
}

/// Phone numbers written in the text: international (+81 90-1234-5678), Japanese
/// (090-1234-5678, 03-1234-5678) and North American ((555) 123-4567) forms.
pub fn phone_numbers(text: &str) -> Vec<String> {
    phone_numbers_folded(&text::fold(text).text)
}

fn phone_numbers_folded(folded: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    // A number has at least ten digits (folding made every digit ASCII).
    if folded.bytes().filter(u8::is_ascii_digit).count() < 10 {
        return out;
    }
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '+' || chars[i] == '(' || chars[i].is_ascii_digit();
        let boundary = i == 0 || !(chars[i - 1].is_ascii_alphanumeric() || chars[i - 1] == '@');
        if starts && boundary {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len() && (chars[j].is_ascii_digit() || " -().+".contains(chars[j])) {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            let candidate: String = chars[i..j]
                .iter()
                .collect::<String>()
                .trim()
                .trim_end_matches(['-', '(', '.'])
                .to_string();
            let separators = candidate.chars().filter(|c| " -()".contains(*c)).count();
            let looks_like_date = candidate.contains('.') && !candidate.starts_with('+');
            if (10..=15).contains(&digits)
                && (separators > 0 || candidate.starts_with('+') || candidate.starts_with('0'))
                && !looks_like_date
                && !out.contains(&candidate)
            {
                out.push(candidate);
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_phone_numbers_in_both_styles() {
        assert_eq!(
            phone_numbers("Call me on +44 7700 900123 or ０９０－１２３４－５６７８, order 12345."),
            ["+44 7700 900123", "090-1234-5678"]
        );
        assert!(phone_numbers("Invoice 2026-11-24, ticket #4411223344").is_empty());
    }

    #[test]
    fn other_account_ignores_the_new_address_of_an_email_change() {
        let s = "please change my email to new@evil.example";
        assert_eq!(
            other_account(s, "me@corp.example", Intent::EmailChange),
            None
        );
        let s = "please change the email of boss@corp.example to new@evil.example";
        assert_eq!(
            other_account(s, "me@corp.example", Intent::EmailChange).as_deref(),
            Some("boss@corp.example")
        );
        let s = "please reset the password for boss@corp.example";
        assert!(other_account(s, "me@corp.example", Intent::PasswordReset).is_some());
    }
}
