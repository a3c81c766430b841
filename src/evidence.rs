//! Evidence: what an analyzer found, with a stable code, an axis, a strength and the facts
//! that make its agent-facing sentence. The catalogue below is the one list of codes; the
//! README's code table is checked against it by `tests/docs.rs`.
//!
//! Analyzers only produce evidence. Turning it into a verdict happens in `verdict`.

use serde::Serialize;
use std::fmt;

/// Which question a piece of evidence answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// Is the message authenticated (SPF, DKIM, DMARC, ARC)?
    Auth,
    /// Is the sender who they claim to be?
    Sender,
    /// What does the message ask for?
    Request,
    /// How the message was read and checked.
    Context,
}

impl Axis {
    /// The group heading shown to the agent.
    pub fn heading(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Axis::Auth, Lang::En) => "Authentication",
            (Axis::Sender, Lang::En) => "Sender",
            (Axis::Request, Lang::En) => "Request",
            (Axis::Context, Lang::En) => "Context",
            (Axis::Auth, Lang::Ja) => "認証",
            (Axis::Sender, Lang::Ja) => "送信者",
            (Axis::Request, Lang::Ja) => "依頼内容",
            (Axis::Context, Lang::Ja) => "状況",
        }
    }
}

/// How much a piece of evidence weighs.
///
/// `Info` is not in DESIGN.md §4: it marks facts that neither raise nor lower suspicion (an SPF
/// pass for an unaligned domain, where the sender's IP came from) but that the agent should
/// still see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Decides on its own (a spoofed sender).
    Strong,
    /// One makes a sender suspicious.
    Medium,
    /// Two make a sender suspicious.
    Weak,
    /// A fact without weight.
    Info,
    /// Speaks for the sender; never cancels a strong signal.
    Mitigating,
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strength::Strong => "strong",
            Strength::Medium => "medium",
            Strength::Weak => "weak",
            Strength::Info => "info",
            Strength::Mitigating => "mitigating",
        })
    }
}

/// The language of agent-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Japanese.
    Ja,
}

/// The risk of a request, per DESIGN.md §4: R0 nothing asked, R1 a question or report, R2 an
/// account change, R3 a change that hands over the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub enum Risk {
    /// No request.
    #[default]
    R0,
    /// How-to questions, problem and incident reports.
    R1,
    /// Account changes that need verification.
    R2,
    /// Changes that hand over the account or its money.
    R3,
}

/// One entry of the code catalogue.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// The stable id, e.g. `auth.dmarc_fail`.
    pub id: &'static str,
    /// The axis the code belongs to.
    pub axis: Axis,
    /// English sentence with `{fact}` placeholders.
    pub en: &'static str,
    /// Japanese sentence with the same placeholders.
    pub ja: &'static str,
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id)
    }
}

/// Where matched text was found, and the text itself (control characters are escaped when it
/// is rendered, never here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// The exact text that matched.
    pub text: String,
    /// Where: a header name (`header:Subject`) or a body line (`body:12`).
    pub location: String,
}

/// One finding of an analyzer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// What was found.
    pub code: &'static Code,
    /// How much it weighs.
    pub strength: Strength,
    /// Named values that fill the sentence's placeholders; also in the JSON output.
    pub facts: Vec<(&'static str, String)>,
    /// The exact text that matched, where there is one.
    pub matched: Option<Match>,
    /// The rule that fired (`ja/mfa_change.disable`), for request evidence.
    pub rule: Option<String>,
    /// The risk of the request, for request evidence.
    pub risk: Option<Risk>,
}

impl Evidence {
    /// Evidence with no facts yet.
    pub fn new(code: &'static Code, strength: Strength) -> Self {
        Evidence {
            code,
            strength,
            facts: Vec::new(),
            matched: None,
            rule: None,
            risk: None,
        }
    }

    /// Adds a named fact.
    pub fn fact(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.facts.push((name, value.into()));
        self
    }

    /// The value of a fact.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.facts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The axis, from the code.
    pub fn axis(&self) -> Axis {
        self.code.axis
    }

    /// The agent-facing sentence. Facts are inserted as they are; renderers escape the whole
    /// sentence for their medium.
    pub fn message(&self, lang: Lang) -> String {
        let template = match lang {
            Lang::En => self.code.en,
            Lang::Ja => self.code.ja,
        };
        fill(template, &self.facts)
    }
}

/// Replaces `{name}` placeholders; an unknown placeholder is kept as `{name}` so a missing
/// fact is visible rather than silently empty.
fn fill(template: &str, facts: &[(&'static str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match facts.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $name:ident = $id:literal, $axis:ident, $en:literal, $ja:literal; )*) => {
        /// The evidence codes. Each constant is one stable code; see the README table.
        pub mod codes {
            use super::{Axis, Code};
            $( $(#[$doc])* pub static $name: Code = Code { id: $id, axis: Axis::$axis, en: $en, ja: $ja }; )*
        }
        /// Every code, in documentation order.
        pub static CATALOGUE: &[&Code] = &[ $( &codes::$name, )* ];
    };
}

catalogue! {
    /// SPF passes for the identity DMARC uses.
    SPF_PASS = "auth.spf_pass", Auth,
        "SPF passes for {domain} ({identity}): {ip} is allowed to send for it.",
        "SPF は {domain}（{identity}）について成功しました。{ip} は送信を許可されています。";
    /// SPF hard-fails.
    SPF_FAIL = "auth.spf_fail", Auth,
        "SPF fails for {domain} ({identity}): {ip} is not allowed to send for it.",
        "SPF は {domain}（{identity}）について失敗しました。{ip} は送信を許可されていません。";
    /// SPF soft-fails.
    SPF_SOFTFAIL = "auth.spf_softfail", Auth,
        "SPF soft-fails for {domain} ({identity}): {ip} is probably not allowed to send for it.",
        "SPF は {domain}（{identity}）について softfail です。{ip} はおそらく送信を許可されていません。";
    /// SPF neutral.
    SPF_NEUTRAL = "auth.spf_neutral", Auth,
        "SPF is neutral for {domain} ({identity}): the domain makes no claim about {ip}.",
        "SPF は {domain}（{identity}）について neutral です。{ip} について何も表明していません。";
    /// No SPF record.
    SPF_NONE = "auth.spf_none", Auth,
        "{domain} ({identity}) publishes no SPF record.",
        "{domain}（{identity}）は SPF レコードを公開していません。";
    /// SPF could not be evaluated because of DNS.
    SPF_TEMPERROR = "auth.spf_temperror", Auth,
        "SPF for {domain} ({identity}) could not be checked: {reason}.",
        "{domain}（{identity}）の SPF を確認できませんでした: {reason}。";
    /// SPF record broken.
    SPF_PERMERROR = "auth.spf_permerror", Auth,
        "SPF for {domain} ({identity}) is broken: {reason}.",
        "{domain}（{identity}）の SPF レコードに誤りがあります: {reason}。";
    /// A DKIM signature verifies.
    DKIM_PASS = "auth.dkim_pass", Auth,
        "The DKIM signature of {domain} (selector {selector}, {algorithm}) verifies.",
        "{domain} の DKIM 署名（セレクタ {selector}、{algorithm}）は有効です。";
    /// A DKIM signature does not verify.
    DKIM_FAIL = "auth.dkim_fail", Auth,
        "The DKIM signature of {domain} (selector {selector}) fails: {reason}.",
        "{domain} の DKIM 署名（セレクタ {selector}）は無効です: {reason}。";
    /// A DKIM signature could not be checked because of DNS.
    DKIM_TEMPERROR = "auth.dkim_temperror", Auth,
        "The DKIM signature of {domain} (selector {selector}) could not be checked: {reason}.",
        "{domain} の DKIM 署名（セレクタ {selector}）を確認できませんでした: {reason}。";
    /// A DKIM signature or its key is malformed.
    DKIM_PERMERROR = "auth.dkim_permerror", Auth,
        "The DKIM signature of {domain} (selector {selector}) cannot be used: {reason}.",
        "{domain} の DKIM 署名（セレクタ {selector}）は使用できません: {reason}。";
    /// No DKIM signature at all.
    DKIM_NONE = "auth.dkim_none", Auth,
        "The message carries no DKIM signature.",
        "このメールには DKIM 署名がありません。";
    /// DMARC passes.
    DMARC_PASS = "auth.dmarc_pass", Auth,
        "DMARC passes for {domain}: {aligned} passes aligned with the From domain.",
        "{domain} の DMARC は成功しました（{aligned_ja} が From ドメインと一致して成功）。";
    /// DMARC fails for a domain that asks receivers to reject or quarantine.
    DMARC_FAIL = "auth.dmarc_fail", Auth,
        "DMARC fails for {domain}, which publishes p={policy}: neither SPF nor DKIM passes aligned with the From domain.",
        "{domain} の DMARC は失敗しました（ポリシー p={policy}）。SPF も DKIM も From ドメインと一致して成功していません。";
    /// DMARC fails for one of the organisation's protected domains.
    DMARC_FAIL_PROTECTED = "auth.dmarc_fail_protected", Auth,
        "DMARC fails for {domain}, one of your protected domains: this mail did not come from your own systems.",
        "保護対象ドメイン {domain} の DMARC が失敗しました。このメールは自社のシステムから送られていません。";
    /// The From domain publishes no DMARC policy.
    DMARC_NONE = "auth.dmarc_none", Auth,
        "{domain} publishes no DMARC policy, so its From addresses are not protected against spoofing.",
        "{domain} は DMARC ポリシーを公開していないため、From アドレスのなりすましを防げません。";
    /// DMARC could not be evaluated because of DNS.
    DMARC_TEMPERROR = "auth.dmarc_temperror", Auth,
        "DMARC for {domain} could not be checked: {reason}.",
        "{domain} の DMARC を確認できませんでした: {reason}。";
    /// The DMARC record is malformed.
    DMARC_PERMERROR = "auth.dmarc_permerror", Auth,
        "The DMARC record of {domain} is broken: {reason}.",
        "{domain} の DMARC レコードに誤りがあります: {reason}。";
    /// The ARC chain verifies.
    ARC_PASS = "auth.arc_pass", Auth,
        "The ARC chain ({sets} set(s), last sealed by {sealer}) verifies.",
        "ARC チェーン（{sets} 組、最後の封印は {sealer}）は有効です。";
    /// The ARC chain fails.
    ARC_FAIL = "auth.arc_fail", Auth,
        "The ARC chain fails: {reason}.",
        "ARC チェーンは無効です: {reason}。";
    /// Some check could not be completed: the sender is unverifiable.
    UNVERIFIABLE = "auth.unverifiable", Auth,
        "Authentication could not be completed ({reason}): the sender cannot be treated as authenticated.",
        "認証を完了できませんでした（{reason}）。送信者を認証済みとして扱えません。";
    /// The From address belongs to a known profile.
    SENDER_KNOWN_PROFILE = "sender.known_profile", Sender,
        "The From address belongs to {profile}.",
        "From アドレスは {profile} のものです。";
    /// Profiles exist but the From address is not among them.
    SENDER_UNKNOWN_ADDRESS = "sender.unknown_address", Sender,
        "The From address {address} is not in the profiles.",
        "From アドレス {address} はプロファイルに登録されていません。";
    /// The display name is a known person's, the address is not theirs.
    SENDER_DISPLAY_NAME = "sender.display_name_impersonation", Sender,
        "The display name \"{name}\" is that of {profile}, but {address} is not their address.",
        "表示名「{name}」は {profile} の名前ですが、{address} はその人のアドレスではありません。";
    /// An address inside the display name differs from the real address.
    SENDER_ADDRESS_IN_NAME = "sender.address_in_name", Sender,
        "The display name shows the address {shown}, but the mail comes from {address}.",
        "表示名にアドレス {shown} が書かれていますが、実際の送信元は {address} です。";
    /// A domain imitates a protected or known domain.
    SENDER_LOOKALIKE_DOMAIN = "sender.lookalike_domain", Sender,
        "The {field} domain {host} imitates {target}: {how}.",
        "{field} のドメイン {host} は {target} に似せたものです（{how_ja}）。";
    /// Replies would go outside the From domain.
    SENDER_REPLY_TO = "sender.reply_to_diversion", Sender,
        "Replies go to {reply_to}, outside the From domain {from}.",
        "返信先が From ドメイン {from} の外の {reply_to} になっています。";
    /// The envelope sender is outside the From domain.
    SENDER_RETURN_PATH = "sender.return_path_mismatch", Sender,
        "The envelope sender (Return-Path) {return_path} is outside the From domain {from}.",
        "エンベロープ送信者（Return-Path）{return_path} は From ドメイン {from} の外にあります。";
    /// A free-mail address claims a corporate identity.
    SENDER_FREEMAIL_CLAIM = "sender.freemail_corporate_claim", Sender,
        "A free-mail address ({address}) claims a corporate identity: {claim}.",
        "フリーメールのアドレス（{address}）が企業の身元を名乗っています: {claim}。";
    /// The IP is outside the user's and the organisation's networks.
    SENDER_OUTSIDE_NETWORKS = "sender.ip_outside_networks", Sender,
        "The sender's IP {ip} is outside the known networks of {profile} and of the organisation ({networks}).",
        "送信元 IP {ip} は {profile} と組織の既知のネットワーク（{networks}）の外にあります。";
    /// The IP is inside a known network.
    SENDER_KNOWN_NETWORK = "sender.ip_known_network", Sender,
        "The sender's IP {ip} is in {network}, a known network of {whose}.",
        "送信元 IP {ip} は {whose} の既知のネットワーク {network} 内です。";
    /// No message from this address before.
    SENDER_FIRST_CONTACT = "sender.first_contact", Sender,
        "This is the first message from {address}.",
        "{address} からのメールは今回が初めてです。";
    /// A known address writes from a new IP.
    SENDER_NEW_IP = "sender.new_ip", Sender,
        "{address} has written {messages} time(s) before, never from {ip}.",
        "{address} からはこれまで {messages} 通届いていますが、{ip} からは初めてです。";
    /// A later comment on a ticket from someone other than the requester.
    SENDER_THREAD_HIJACK = "sender.thread_hijack", Sender,
        "Comment {comment} on ticket {ticket} comes from {from}, not from the requester {requester}.",
        "チケット {ticket} のコメント {comment} は依頼者 {requester} ではなく {from} からのものです。";
    /// A request: password_reset.
    REQUEST_PASSWORD_RESET = "request.password_reset", Request,
        "Asks for a password reset.",
        "パスワードのリセットを依頼しています。";
    /// A request: email_change.
    REQUEST_EMAIL_CHANGE = "request.email_change", Request,
        "Asks for a change of the account's email address.",
        "アカウントのメールアドレス変更を依頼しています。";
    /// A request: phone_change.
    REQUEST_PHONE_CHANGE = "request.phone_change", Request,
        "Asks for a change of the account's phone number.",
        "アカウントの電話番号変更を依頼しています。";
    /// A request: account_disclosure.
    REQUEST_ACCOUNT_DISCLOSURE = "request.account_disclosure", Request,
        "Asks for account details (username, login email, whether an account exists).",
        "アカウント情報（ユーザー名・ログインメール・アカウントの有無）の開示を依頼しています。";
    /// A request: api_token.
    REQUEST_API_TOKEN = "request.api_token", Request,
        "Asks for an API token or key.",
        "API トークン・キーの発行を依頼しています。";
    /// A request: data_export.
    REQUEST_DATA_EXPORT = "request.data_export", Request,
        "Asks for an export of data.",
        "データのエクスポートを依頼しています。";
    /// A request: account_unlock.
    REQUEST_ACCOUNT_UNLOCK = "request.account_unlock", Request,
        "Asks for unlocking the account.",
        "アカウントのロック解除を依頼しています。";
    /// A request: mfa_change.
    REQUEST_MFA_CHANGE = "request.mfa_change", Request,
        "Asks for a change to multi-factor authentication (disable, reset, new device, recovery codes).",
        "多要素認証の変更（解除・リセット・新しい端末・リカバリーコード）を依頼しています。";
    /// A request: role_change.
    REQUEST_ROLE_CHANGE = "request.role_change", Request,
        "Asks for a role or permission change (admin, owner).",
        "権限の変更（管理者・オーナー）を依頼しています。";
    /// A request: credential_disclosure.
    REQUEST_CREDENTIAL_DISCLOSURE = "request.credential_disclosure", Request,
        "Asks for a password, one-time code or recovery code to be disclosed.",
        "パスワード・ワンタイムコード・リカバリーコードの開示を依頼しています。";
    /// A request: payment_change.
    REQUEST_PAYMENT_CHANGE = "request.payment_change", Request,
        "Asks for a change of payout or bank details.",
        "振込先・口座情報の変更を依頼しています。";
    /// A request: sso_change.
    REQUEST_SSO_CHANGE = "request.sso_change", Request,
        "Asks for a change of SSO, identity provider, IP restrictions or security policy.",
        "SSO・IdP・IP 制限・セキュリティポリシーの変更を依頼しています。";
    /// A request: recovery_redirect.
    REQUEST_RECOVERY_REDIRECT = "request.recovery_redirect", Request,
        "Asks for a reset, code or link sent to a different address or number.",
        "別のアドレス・番号へのリセット・コード・リンクの送付を依頼しています。";
    /// A request: mail_forwarding.
    REQUEST_MAIL_FORWARDING = "request.mail_forwarding", Request,
        "Asks for mail forwarding or mailbox delegation.",
        "メール転送・メールボックスの代理アクセスを依頼しています。";
    /// An R2 request raised to R3.
    REQUEST_ESCALATED = "request.escalated", Request,
        "The {intent} request counts as R3 because {why}.",
        "{intent} の依頼は R3 として扱います。理由: {why_ja}。";
    /// A question, report or negation about a sensitive subject: R1, not a request.
    REQUEST_QUESTION = "request.question", Request,
        "A question or report about {intent}, not a request to act (R1).",
        "{intent} に関する質問・報告であり、対応の依頼ではありません（R1）。";
    /// Pressure: urgency.
    REQUEST_URGENCY = "request.urgency", Request,
        "Pressure: urgency.",
        "圧力: 緊急性を強調しています。";
    /// Pressure: authority.
    REQUEST_AUTHORITY = "request.authority", Request,
        "Pressure: appeals to authority.",
        "圧力: 権威（上司・役員の指示など）を持ち出しています。";
    /// Pressure: secrecy.
    REQUEST_SECRECY = "request.secrecy", Request,
        "Pressure: asks for secrecy.",
        "圧力: 内密にするよう求めています。";
    /// On behalf of someone else.
    REQUEST_THIRD_PARTY = "request.third_party", Request,
        "The request is made on behalf of someone else.",
        "本人以外のための依頼です。";
    /// Steering verification away from the number on file.
    REQUEST_AVOID_VERIFICATION = "request.avoid_verification", Request,
        "The sender steers verification away from the contact details on file.",
        "送信者は登録済みの連絡先での本人確認を避けようとしています。";
    /// A phone number given in the message.
    REQUEST_PHONE_IN_MESSAGE = "request.phone_in_message", Request,
        "The message gives a phone number ({phone}): never use it to verify the requester.",
        "メールに電話番号（{phone}）が書かれています。本人確認には絶対に使わないでください。";
    /// Where the sender's IP came from.
    ORIGIN = "context.origin", Context,
        "The sender's IP is {ip} (HELO {helo}), taken from {how}.",
        "送信元 IP は {ip}（HELO {helo}）で、{how_ja} から取得しました。";
    /// No trusted relays configured.
    NO_TRUSTED_RELAYS = "context.no_trusted_relays", Context,
        "No trusted relays are configured: the client of the topmost Received header is taken as the sender.",
        "信頼する中継サーバーが設定されていないため、最上位の Received ヘッダーの接続元を送信者とみなしました。";
    /// No client IP known.
    NO_CLIENT_IP = "context.no_client_ip", Context,
        "No client IP could be found in the Received headers, so SPF was not checked.",
        "Received ヘッダーから接続元 IP を特定できなかったため、SPF を確認していません。";
    /// No profiles configured.
    NO_PROFILES = "context.no_profiles", Context,
        "No user profiles are configured: the sender is judged by authentication alone.",
        "ユーザープロファイルが設定されていないため、送信者は認証結果のみで判断しています。";
    /// Results were taken from a trusted Authentication-Results header.
    AUTH_RESULTS_USED = "context.auth_results_used", Context,
        "Authentication results were taken from the Authentication-Results header of {authserv_id}, a trusted host.",
        "認証結果は信頼するホスト {authserv_id} の Authentication-Results ヘッダーから取得しました。";
    /// A trusted authserv-id appears below the trust boundary.
    AUTH_RESULTS_FORGED = "context.auth_results_forged", Context,
        "An Authentication-Results header naming {authserv_id} sits below the trusted hops and was ignored: it may be forged.",
        "{authserv_id} を名乗る Authentication-Results ヘッダーが信頼できる中継より下にあり、無視しました。偽造の可能性があります。";
    /// An Authentication-Results header from an untrusted authserv-id.
    AUTH_RESULTS_UNTRUSTED = "context.auth_results_untrusted", Context,
        "An Authentication-Results header from {authserv_id}, which is not a trusted authserv-id, was ignored.",
        "信頼リストにない {authserv_id} の Authentication-Results ヘッダーは無視しました。";
    /// Part of the message could not be parsed.
    PARSE_PROBLEM = "context.parse_problem", Context,
        "Could not parse {what}: {problem}.",
        "{what} を解析できませんでした: {problem}。";
    /// A ticket comment without its raw email.
    NO_RAW_EMAIL = "context.no_raw_email", Context,
        "SPF, DKIM and DMARC could not be checked: there is no raw email for this {channel} comment (attach it with --eml).",
        "この {channel} コメントには元のメールがないため、SPF・DKIM・DMARC を確認できませんでした（--eml で添付できます）。";
    /// A Zendesk comment flag.
    ZENDESK_FLAG = "context.zendesk_flag", Context,
        "Zendesk flagged this comment: {what} (flag {flag}).",
        "Zendesk がこのコメントにフラグを付けています: {what_ja}（フラグ {flag}）。";
    /// Ticket tags that speak of spam or failed authentication.
    ZENDESK_TAG = "context.zendesk_tag", Context,
        "The ticket is tagged {tags}: Zendesk or a trigger marked it as suspicious.",
        "チケットに {tags} のタグがあります。Zendesk またはトリガーが不審と判定しています。";
    /// Automated mail: an auto-reply, a list or newsletter, a bounce.
    AUTOMATED = "context.automated", Context,
        "Automated mail ({why}): when its sender is authenticated, its content is not taken as a request.",
        "自動送信のメールです（{why}）。送信者が認証済みなら、内容を依頼として扱いません。";
    /// The From header does not hold exactly one address.
    FROM_PROBLEM = "context.from_problem", Context,
        "The From header {problem}.",
        "From ヘッダーに問題があります: {problem}。";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for code in CATALOGUE {
            assert!(seen.insert(code.id), "duplicate code {}", code.id);
            let (prefix, rest) = code.id.split_once('.').expect("axis prefix");
            let axis = match code.axis {
                Axis::Auth => "auth",
                Axis::Sender => "sender",
                Axis::Request => "request",
                Axis::Context => "context",
            };
            assert_eq!(prefix, axis, "{}", code.id);
            assert!(rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
    }

    #[test]
    fn english_and_japanese_use_the_same_placeholders() {
        fn names(t: &str) -> Vec<&str> {
            let mut v: Vec<&str> = t
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n))
                .collect();
            v.sort();
            v
        }
        // A fact may come in a Japanese form (`why_ja`) for the Japanese sentence.
        for code in CATALOGUE {
            let ja: Vec<&str> = names(code.ja)
                .into_iter()
                .map(|n| n.strip_suffix("_ja").unwrap_or(n))
                .collect();
            assert_eq!(names(code.en), ja, "{}", code.id);
        }
    }

    #[test]
    fn message_fills_facts_and_keeps_unknown_placeholders() {
        let e = Evidence::new(&codes::SPF_FAIL, Strength::Medium)
            .fact("domain", "example.net")
            .fact("identity", "mailfrom");
        assert_eq!(
            e.message(Lang::En),
            "SPF fails for example.net (mailfrom): {ip} is not allowed to send for it."
        );
    }
}
