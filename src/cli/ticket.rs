//! `impostor ticket ID`: check a Zendesk ticket through the API — the ticket, its comments, the
//! requester and their identities — optionally with the original email (`--eml`), and write
//! back an internal note and tags (`--post`). Without an API configuration it shows the
//! verdict a scan stored.

use super::{Common, Exit, check};
use crate::error::{Error, Result};
use crate::evidence::Lang;
use crate::message::Message;
use crate::report::{escape, human, json, note};
use crate::sender::profiles::{ImportFields, import_zendesk};
use crate::store::StoredVerdict;
use crate::triage::{Report, TicketContext, Triage, ticket_evidence};
use crate::verdict::Level;
use crate::zendesk::api::Client;
use crate::zendesk::{Role, Ticket};
use clap::Args;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `impostor ticket` arguments.
#[derive(Debug, Args)]
pub struct TicketArgs {
    /// The ticket id.
    pub id: u64,
    /// The original email ("View original email" in the agent interface): adds SPF, DKIM and
    /// DMARC for the comment whose Message-ID it carries.
    #[arg(long, value_name = "FILE")]
    pub eml: Option<PathBuf>,
    /// One JSON object for the ticket.
    #[arg(long)]
    pub json: bool,
    /// Print the internal note that --post would add.
    #[arg(long)]
    pub note: bool,
    /// Add the note as a private comment and tags (impostor_checked, impostor_LEVEL) to the
    /// ticket; a verdict already posted is not posted again.
    #[arg(long)]
    pub post: bool,
    /// Options shared with `check` and `scan`.
    #[command(flatten)]
    pub common: Common,
}

fn out(text: &str) -> Result<()> {
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(Error::Output)
}

fn level_tag(level: Level) -> &'static str {
    match level {
        Level::Clear => "impostor_clear",
        Level::Caution => "impostor_caution",
        Level::Verify => "impostor_verify",
        Level::LikelySpoofed => "impostor_spoofed",
    }
}

fn angle(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_ascii_lowercase()
}

/// Runs `ticket`.
pub(super) fn run(config_path: Option<&Path>, args: TicketArgs) -> Result<Exit> {
    let (mut settings, lang) = check::settings(config_path, &args.common)?;
    let Some(client) = Client::from_env(&settings.config.zendesk)? else {
        return stored(&settings, &args);
    };
    let id = args.id;
    let mut ticket = client.ticket(id)?;
    ticket.comments = client.comments(id)?;

    // The requester's verified identities and phone form a profile when the local profiles
    // have none for them (Triage gives the file precedence).
    if let Some(rid) = ticket.requester_id {
        let user = client.user(rid)?;
        let identities = client.identities(rid).unwrap_or_default();
        let doc = serde_json::json!({ "users": [user], "identities": identities });
        let fields: ImportFields = settings.config.import.clone();
        if let Ok(users) = import_zendesk(&doc.to_string(), &fields, "requester") {
            settings.extra_users.extend(users);
        }
    }
    // Later comments count as end-users' when their authors are end-users.
    let mut end_users = Vec::new();
    let mut authors: Vec<u64> = ticket
        .comments
        .iter()
        .filter(|c| c.is_public())
        .filter_map(|c| c.author_id)
        .filter(|a| Some(*a) != ticket.requester_id)
        .collect();
    authors.sort_unstable();
    authors.dedup();
    for author in authors.into_iter().take(20) {
        if client
            .user(author)
            .is_ok_and(|u| u.get("role").and_then(|r| r.as_str()) == Some("end-user"))
        {
            end_users.push(author);
        }
    }

    let eml = match &args.eml {
        Some(path) => {
            let name = path.display().to_string();
            let raw = std::fs::read(path).map_err(|e| Error::unreadable(&name, &e))?;
            let parsed = Message::parse(raw.clone(), &name)?;
            Some((raw, parsed.message_id.as_deref().map(angle), name))
        }
        None => None,
    };
    let triaged = ticket.triaged(&end_users);
    if let Some((_, mid, name)) = &eml {
        let matches = triaged.iter().any(|(_, c)| {
            c.system().and_then(|s| s.message_id.as_deref()).map(angle) == *mid && mid.is_some()
        });
        if !matches {
            eprintln!(
                "impostor: warning: {}: its Message-ID matches no comment of ticket {id}; it is not used",
                escape(name)
            );
        }
    }

    let runtime = super::runtime(Some(2))?;
    let reports: Vec<(u64, Role, Report)> = runtime.block_on(async {
        let triage = Triage::new(settings).await?;
        let requester = ticket.requester_address();
        let mut reports = Vec::new();
        for (role, comment) in &triaged {
            let parts = ticket.parts(comment);
            let from = parts
                .from
                .as_ref()
                .and_then(|m| m.address.clone())
                .map(|a| a.to_ascii_lowercase());
            let context = TicketContext {
                ticket_id: id,
                comment_id: comment.id,
                later_from_other: match (role, &requester, &from) {
                    (Role::Later, Some(r), Some(f)) if r != f => Some(r.clone()),
                    _ => None,
                },
                warning_tags: if *role == Role::First {
                    crate::triage::warning_tags(&ticket.tags)
                } else {
                    Vec::new()
                },
            };
            let input = format!("ticket {id} comment {}", comment.id);
            let comment_mid = comment
                .system()
                .and_then(|s| s.message_id.as_deref())
                .map(angle);
            let report = match &eml {
                Some((raw, mid, _)) if mid.is_some() && *mid == comment_mid => {
                    let extra = ticket_evidence(&parts.flags, from.as_deref(), &context);
                    triage.check_with(raw.clone(), &input, extra).await?
                }
                _ => triage.check_parts(parts, &input, &context)?,
            };
            reports.push((comment.id, *role, report));
        }
        // Keep the verdict, so `impostor ticket ID` can show it without the API.
        if let (Some(store), Some(worst)) = (
            triage.store(),
            reports.iter().map(|r| r.2.verdict.level).max(),
        ) {
            let main = reports
                .iter()
                .find(|r| r.2.verdict.level == worst)
                .expect("a report");
            let verdict = StoredVerdict {
                kind: "ticket".into(),
                key: id.to_string(),
                level: worst.to_string(),
                report: json::record(&main.2, lang, None, None),
                updated: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs() as i64),
            };
            store.save_progress(&[verdict], None)?;
        }
        triage.finish()?;
        Ok::<_, Error>(reports)
    })?;
    if reports.is_empty() {
        return Err(Error::bad_input(
            format!("ticket {id}"),
            "no public comment or description to triage",
        ));
    }
    let comments: Vec<note::CommentReport<'_>> = reports
        .iter()
        .map(|(cid, role, r)| note::CommentReport {
            comment_id: *cid,
            role: if *role == Role::First {
                "first"
            } else {
                "later"
            },
            report: r,
        })
        .collect();
    let level = note::level(&comments);
    let note_text = note::render(id, &comments, lang);

    if args.json {
        out(&(json::line(&ticket_json(&ticket, &comments, level, lang)) + "\n"))?;
    } else if !args.note {
        out(&human_text(&ticket, &comments, level, lang, eml.is_some()))?;
    }
    if args.note {
        out(&note_text)?;
    }
    if args.post {
        let marker = note::marker(id, &comments);
        let already = ticket
            .comments
            .iter()
            .any(|c| !c.is_public() && c.text().contains(&marker));
        if already {
            eprintln!("impostor: ticket {id}: this verdict is already noted; nothing posted");
        } else {
            client.add_note(id, &note_text)?;
            client.add_tags(
                id,
                &["impostor_checked".to_string(), level_tag(level).to_string()],
            )?;
            eprintln!("impostor: ticket {id}: internal note and tags added");
        }
    }
    Ok(Exit::for_level(level))
}

fn ticket_json(
    ticket: &Ticket,
    comments: &[note::CommentReport<'_>],
    level: Level,
    lang: Lang,
) -> serde_json::Value {
    let list: Vec<serde_json::Value> = comments
        .iter()
        .map(|c| {
            let mut v = json::to_value(c.report, lang);
            v["comment_id"] = c.comment_id.into();
            v["role"] = c.role.into();
            v
        })
        .collect();
    serde_json::json!({
        "schema": json::SCHEMA,
        "ticket": {
            "id": ticket.id,
            "subject": ticket.subject,
            "requester_id": ticket.requester_id,
            "level": level,
        },
        "comments": list,
    })
}

fn human_text(
    ticket: &Ticket,
    comments: &[note::CommentReport<'_>],
    level: Level,
    lang: Lang,
    eml: bool,
) -> String {
    let mut text = format!(
        "Ticket {}: {}  {}\n",
        ticket.id,
        level.label(lang),
        escape(ticket.subject.as_deref().unwrap_or(""))
    );
    if !eml {
        text.push_str(if lang == Lang::Ja {
            "SPF・DKIM・DMARC は確認できていません（元のメールがありません。--eml で添付してください）。\n"
        } else {
            "SPF, DKIM and DMARC could not be checked: the API does not serve the original email (add it with --eml).\n"
        });
    }
    for c in comments {
        text.push('\n');
        text.push_str(&human::render(c.report, lang));
    }
    text
}

/// Without the API: the verdict `scan` stored for the ticket.
fn stored(settings: &crate::triage::Settings, args: &TicketArgs) -> Result<Exit> {
    let id = args.id;
    let not_configured = "the Zendesk API is not configured (set ZENDESK_URL or ZENDESK_SUBDOMAIN, with ZENDESK_EMAIL and ZENDESK_API_TOKEN or ZENDESK_OAUTH_TOKEN)";
    let path = settings
        .config
        .store
        .clone()
        .or_else(crate::store::default_path);
    let found: Option<StoredVerdict> = match path {
        Some(p) => crate::store::Store::open(&p, false)?.verdict("ticket", &id.to_string()),
        None => None,
    };
    let Some(v) = found else {
        return Err(Error::Unavailable {
            what: format!("ticket {id}"),
            problem: format!("{not_configured}, and no scan has stored a verdict for this ticket"),
        });
    };
    eprintln!("impostor: note: {not_configured}; showing the verdict a scan stored");
    let report: serde_json::Value = serde_json::from_str(&v.report).unwrap_or_default();
    if args.json {
        out(&(json::line(&report) + "\n"))?;
    } else {
        let mut text = format!(
            "Ticket {id}: {}  (stored by scan)\n{}\n",
            report["verdict"]["level"].as_str().unwrap_or(&v.level),
            escape(report["verdict"]["headline"].as_str().unwrap_or(""))
        );
        for e in report["evidence"].as_array().into_iter().flatten() {
            if e["strength"] != "info" {
                text.push_str(&format!(
                    "  - {}\n",
                    escape(e["message"].as_str().unwrap_or(""))
                ));
            }
        }
        out(&text)?;
    }
    let level = match v.level.as_str() {
        "likely_spoofed" => Level::LikelySpoofed,
        "verify" => Level::Verify,
        "caution" => Level::Caution,
        _ => Level::Clear,
    };
    Ok(Exit::for_level(level))
}
