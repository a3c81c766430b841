//! What the agent must do for a verdict, and what would lower it. The out-of-band steps
//! always point at the phone number on file, never at one found in the message.

use super::{Level, Trust, Verdict};
use crate::evidence::{Lang, Risk, Strength, codes};
use serde::Serialize;

/// One step for the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// A stable id for the step, for scripts and the Zendesk note.
    pub id: &'static str,
    /// The step, in the requested language.
    pub text: String,
}

fn step(id: &'static str, lang: Lang, en: &str, ja: &str) -> Action {
    Action {
        id,
        text: match lang {
            Lang::En => en.to_string(),
            Lang::Ja => ja.to_string(),
        },
    }
}

/// The first value of a fact in the verdict's evidence.
fn fact<'a>(verdict: &'a Verdict, name: &str) -> Option<&'a str> {
    verdict.evidence.iter().find_map(|e| e.get(name))
}

/// Call the real account owner on the number on file: the profile behind the From address,
/// or the person whose name the sender borrowed.
fn call_owner(verdict: &Verdict, lang: Lang) -> Action {
    let owner = fact(verdict, "owner");
    let phone = fact(verdict, "owner_phone");
    let text = match (lang, owner, phone) {
        (Lang::En, Some(o), Some(p)) => format!(
            "Call {o} on {p}, the number on file in their profile, and confirm the request with them; never use a number given in the message."
        ),
        (Lang::En, Some(o), None) => format!(
            "Call {o} on the phone number in your user directory (their profile has none) and confirm the request; never use a number given in the message."
        ),
        (Lang::En, None, _) => "Call the account owner on the phone number in their profile (your user directory), never on a number given in the message, and confirm the request.".to_string(),
        (Lang::Ja, Some(o), Some(p)) => format!(
            "{o} のプロファイルに登録された電話番号 {p} に電話し、本人に依頼内容を確認してください。メールに書かれた番号は使わないでください。"
        ),
        (Lang::Ja, Some(o), None) => format!(
            "{o} に社内の利用者名簿の電話番号で電話し（プロファイルに番号がありません）、依頼内容を確認してください。メールに書かれた番号は使わないでください。"
        ),
        (Lang::Ja, None, _) => "アカウント所有者のプロファイル（社内の利用者名簿）に登録された電話番号に電話し、依頼内容を確認してください。メールに書かれた番号は使わないでください。".to_string(),
    };
    Action {
        id: "call_number_on_file",
        text,
    }
}

/// The steps for a verdict.
pub fn actions(verdict: &Verdict, lang: Lang) -> Vec<Action> {
    let mut out = Vec::new();
    match verdict.level {
        Level::Clear => out.push(step(
            "proceed",
            lang,
            "Handle the ticket as usual.",
            "通常どおり対応してください。",
        )),
        Level::Caution => {
            out.push(step(
                "no_changes_on_this_message",
                lang,
                "Answer through the ticket only; make no account change and disclose no account details on the strength of this message.",
                "返信はチケット上でのみ行い、このメールだけを根拠にアカウントの変更やアカウント情報の開示をしないでください。",
            ));
            out.push(step(
                "no_links",
                lang,
                "Do not open links or attachments from this sender.",
                "この送信者からのリンクや添付ファイルを開かないでください。",
            ));
        }
        Level::Verify => {
            out.push(call_owner(verdict, lang));
            if let Some(phone) = fact(verdict, "phone") {
                out.push(Action {
                    id: "ignore_number_in_message",
                    text: match lang {
                        Lang::En => format!("Do not call {phone}, the number given in the message: it proves nothing about who wrote it."),
                        Lang::Ja => format!("メールに書かれた番号 {phone} には電話しないでください。送信者が本人である証明にはなりません。"),
                    },
                });
            }
            out.push(step(
                "no_new_destinations",
                lang,
                "Send no reset link, code or credential to a new address or number named in the message.",
                "メールで指定された新しいアドレスや番号には、リセットリンク・コード・認証情報を送らないでください。",
            ));
            let privileged_owner = matches!(fact(verdict, "owner_role"), Some("admin" | "owner"));
            if verdict.risk == Risk::R3 || privileged_owner {
                out.push(step(
                    "second_approver",
                    lang,
                    "Get a second approver before changing an admin or owner account, MFA, payouts or access policy.",
                    "管理者・オーナーのアカウント、多要素認証、支払先、アクセスポリシーを変更する前に、別の承認者の承認を得てください。",
                ));
            }
            out.push(record_note(verdict, lang));
        }
        Level::LikelySpoofed => {
            out.push(step(
                "do_not_act",
                lang,
                "Do not act on this message and do not reply with any account detail.",
                "このメールの依頼には対応せず、アカウント情報を返信しないでください。",
            ));
            out.push(step(
                "escalate",
                lang,
                "Escalate the ticket to your security team.",
                "チケットをセキュリティ担当にエスカレーションしてください。",
            ));
            out.push(record_note(verdict, lang));
        }
    }
    out
}

fn record_note(verdict: &Verdict, lang: Lang) -> Action {
    let ip = verdict
        .evidence
        .iter()
        .find(|e| e.code == &codes::ORIGIN)
        .and_then(|e| e.get("ip"));
    let text = match (lang, ip) {
        (Lang::En, Some(ip)) => format!(
            "Record the requester IP ({ip}) and this verdict ({}) in an internal note on the ticket.",
            verdict.level
        ),
        (Lang::En, None) => format!(
            "Record the requester IP (as shown in the ticket's events) and this verdict ({}) in an internal note on the ticket.",
            verdict.level
        ),
        (Lang::Ja, Some(ip)) => format!(
            "依頼者の IP アドレス（{ip}）とこの判定結果（{}）をチケットの社内メモに記録してください。",
            verdict.level
        ),
        (Lang::Ja, None) => format!(
            "依頼者の IP アドレス（チケットのイベントに表示されるもの）とこの判定結果（{}）をチケットの社内メモに記録してください。",
            verdict.level
        ),
    };
    Action {
        id: "record_note",
        text,
    }
}

/// What would lower the verdict, in one or more sentences.
pub fn would_lower(verdict: &Verdict, lang: Lang) -> Vec<String> {
    let t = |en: &str, ja: &str| match lang {
        Lang::En => en.to_string(),
        Lang::Ja => ja.to_string(),
    };
    let mut out = Vec::new();
    if verdict.level == Level::Clear {
        return out;
    }
    if verdict.risk == Risk::R3 {
        out.push(t(
            "Nothing in the message can: a request of this kind always needs out-of-band verification.",
            "メールの内容では下がりません。この種の依頼には常に別経路での本人確認が必要です。",
        ));
    }
    match verdict.trust {
        Trust::Spoofed => {
            let strong = verdict
                .evidence
                .iter()
                .find(|e| e.strength == Strength::Strong);
            if strong.is_some_and(|e| {
                e.code == &codes::DMARC_FAIL || e.code == &codes::DMARC_FAIL_PROTECTED
            }) {
                out.push(t(
                    "A message that passes DMARC for the From domain (sent through the domain's own servers or signed by it).",
                    "From ドメインの DMARC に合格するメール（そのドメインのサーバーから送信されたか、その署名があるもの）であれば下がります。",
                ));
            } else {
                out.push(t(
                    "Confirmation from the real account owner, reached on the phone number on file.",
                    "登録済みの電話番号で連絡が取れた本人からの確認があれば下がります。",
                ));
            }
        }
        Trust::Suspicious => out.push(t(
            "An aligned DMARC pass and no conflicting signals about the sender.",
            "DMARC の一致した合格と、送信者に関する矛盾のない兆候があれば下がります。",
        )),
        Trust::Unknown if verdict.unverifiable => out.push(t(
            "Re-running the check when DNS answers, or the receiving server's trusted Authentication-Results.",
            "DNS が応答する状態で再確認するか、受信サーバーの信頼できる Authentication-Results があれば下がります。",
        )),
        Trust::Unknown | Trust::Verified => {
            if verdict.risk == Risk::R2 {
                out.push(t(
                    "Confirmation by the account owner on the phone number on file.",
                    "登録済みの電話番号で本人に確認できれば下がります。",
                ));
            }
        }
    }
    out
}
