//! `Triage`: the one pipeline shared by every command. Built once (settings, DNS view), it
//! turns raw bytes into a `Report`: parse, find the originating hop, run the analyzers, and
//! let `verdict` decide.

use crate::auth::dns::{DnsSettings, DnsView, Snapshot};
use crate::auth::{self, AuthResults, AuthSource, Envelope};
use crate::config::{AuthSourceSetting, Config};
use crate::error::{Error, Result};
use crate::evidence::{Evidence, Strength, codes};
use crate::message::{Message, Origin, OriginSource, Parts, originate};
use crate::request::{self, RuleSet};
use crate::sender::lookalike::{self, Tables};
use crate::sender::{self, Knowledge, Profiles};
use crate::store::{self, Store};
use crate::verdict::Verdict;
use std::net::IpAddr;
use std::path::PathBuf;

/// Everything a run needs to know, resolved from flags, environment and the config file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The configuration (file or defaults).
    pub config: Config,
    /// The config file, when one was read.
    pub config_path: Option<PathBuf>,
    /// Answer DNS from this snapshot instead of the network.
    pub dns_snapshot: Option<PathBuf>,
    /// Record the DNS answers a live run used into this file.
    pub record_snapshot: Option<PathBuf>,
    /// The client IP, as an MTA passes it; overrides the Received chain.
    pub client_ip: Option<IpAddr>,
    /// The HELO name, as an MTA passes it.
    pub helo: Option<String>,
    /// The MAIL FROM address, as an MTA passes it (`<>` or empty for the null sender).
    pub mail_from: Option<String>,
    /// Extra request rules (`--rules DIR`).
    pub rules_dir: Option<PathBuf>,
    /// Consult the store but record nothing (`--no-store`).
    pub no_store: bool,
    /// Profiles from elsewhere (the Zendesk requester), used for addresses the profiles file
    /// does not know.
    pub extra_users: Vec<crate::sender::User>,
}

/// What a ticket knows about a comment being triaged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketContext {
    /// The ticket id.
    pub ticket_id: u64,
    /// The comment id.
    pub comment_id: u64,
    /// For a later comment from someone other than the requester: the requester's address.
    pub later_from_other: Option<String>,
    /// Ticket tags that speak of spam or failed authentication (for the first comment).
    pub warning_tags: Vec<String>,
}

/// Tags that Zendesk (suspended-ticket causes, ZENDESK.md §9) or helpdesk triggers put on
/// tickets whose mail failed authentication or looked like spam.
pub fn warning_tags(tags: &[String]) -> Vec<String> {
    const WORDS: &[&str] = &[
        "spoof",
        "phish",
        "spam",
        "suspend",
        "failed_email_authentication",
        "unauthenticated",
        "unverified",
        "blocklist",
        "malicious",
        "malware",
    ];
    tags.iter()
        .filter(|t| {
            let t = t.to_ascii_lowercase();
            !t.starts_with("impostor_") && WORDS.iter().any(|w| t.contains(w))
        })
        .cloned()
        .collect()
}

/// One message's triage.
#[derive(Debug, Clone)]
pub struct Report {
    /// Where the message came from (a file name or `<stdin>`).
    pub input: String,
    /// The parsed message.
    pub message: Message,
    /// The originating hop.
    pub origin: Origin,
    /// The envelope authentication used.
    pub envelope: Envelope,
    /// Authentication results.
    pub auth: AuthResults,
    /// The decision and all evidence.
    pub verdict: Verdict,
}

/// A message between the stages of a check: parsed, not yet judged.
struct Parsed {
    message: Message,
    origin: Origin,
    envelope: Envelope,
    /// Results from a trusted header (or the lack of one); `None` when they must be verified.
    results: Option<AuthResults>,
    /// Evidence gathered so far (ignored headers, what a ticket knows).
    evidence: Vec<Evidence>,
}

/// The pipeline, built once per run.
pub struct Triage {
    settings: Settings,
    dns: DnsView,
    rules: RuleSet,
    knowledge: Knowledge,
    store: Option<Store>,
}

impl Triage {
    /// Builds the DNS view the settings ask for. Must run inside a tokio runtime.
    pub async fn new(settings: Settings) -> Result<Triage> {
        // The rules compile while the rest is set up: they are most of start-up.
        let rules_dir = settings.rules_dir.clone();
        let rules = tokio::task::spawn_blocking(move || RuleSet::load(rules_dir.as_deref()));
        let dns_settings = DnsSettings {
            nameserver: settings.config.dns.nameserver,
            timeout: settings.config.dns.timeout(),
            attempts: settings.config.dns.attempts,
            budget: settings.config.dns.budget(),
        };
        let dns = match (&settings.dns_snapshot, &settings.record_snapshot) {
            (Some(path), _) => DnsView::snapshot(Snapshot::load(path)?, &dns_settings).await?,
            (None, Some(_)) => DnsView::recording(&dns_settings).await?,
            (None, None) => DnsView::live(&dns_settings),
        };
        let config = &settings.config;
        let mut profiles = match &config.profiles {
            Some(path) => Profiles::load(path)?,
            None => Profiles::default(),
        };
        let store = match config.store.clone().or_else(store::default_path) {
            Some(path) => Some(Store::open(&path, !settings.no_store)?),
            None => None,
        };
        // Profiles imported into the store, then those given by the caller, complete the file;
        // the file wins for an address.
        let stored = match &store {
            Some(s) => s.users()?,
            None => Vec::new(),
        };
        for user in stored
            .into_iter()
            .chain(settings.extra_users.iter().cloned())
        {
            if profiles.by_address(&user.email).is_none() {
                profiles.users.push(user);
                profiles.index();
            }
        }
        let knowledge = Knowledge::new(
            profiles,
            &config.protected_domains,
            Tables::new(&config.shared_tenants),
            lookalike::freemail(&config.freemail),
            lookalike::platforms(&config.platforms),
        );
        let rules = rules
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
        Ok(Triage {
            settings,
            dns,
            rules,
            knowledge,
            store,
        })
    }

    /// The store, when there is one.
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Writes what waits to be written: the store's sender records and, for
    /// `--record-snapshot`, the recorded snapshot.
    pub fn finish(&self) -> Result<()> {
        if let Some(store) = &self.store {
            store.flush()?;
        }
        if let (Some(path), Some(snapshot)) = (&self.settings.record_snapshot, self.dns.recorded())
        {
            snapshot.save(path)?;
        }
        Ok(())
    }

    /// Triages raw message bytes. `input` names the source in errors and reports.
    pub async fn check(&self, raw: Vec<u8>, input: &str) -> Result<Report> {
        self.check_with(raw, input, Vec::new()).await
    }

    /// Triages raw message bytes with extra evidence from where they came from (a ticket).
    pub async fn check_with(
        &self,
        raw: Vec<u8>,
        input: &str,
        extra: Vec<Evidence>,
    ) -> Result<Report> {
        let mut parsed = self.parse(raw, input)?;
        parsed.evidence.extend(extra);
        let results = self.authenticate(&mut parsed).await;
        self.decide(parsed, results, input)
    }

    /// Triages many raw messages, stage by stage: all are parsed, then authenticated (their
    /// DNS lookups in flight together), then judged. Each result is what `check` gives for
    /// that message, with the CPU and waiting time spent on it; a panic costs its own message
    /// only (`Error::Internal`). What changes is the cost: run one message at a time, every
    /// stage finds the processor caches filled by the others (the rules' automata, the
    /// parsers' and the signature code's tables), which cost about a quarter more CPU per
    /// message (`cargo bench --bench floor`).
    pub async fn check_batch(
        &self,
        items: Vec<(Vec<u8>, String)>,
    ) -> Vec<(Result<Report>, std::time::Duration)> {
        use futures_util::FutureExt;
        use std::panic::{AssertUnwindSafe, catch_unwind};
        use std::time::Instant;
        let internal = |input: &str, panic: Box<dyn std::any::Any + Send>| Error::Internal {
            input: input.to_string(),
            problem: panic_text(panic),
        };
        // Each message's time is its own parse, the wait for its authentication (the others'
        // run meanwhile) and its own judging: what the scan's "slowest" lists.
        let parsed: Vec<(Result<Parsed>, String, std::time::Duration)> = items
            .into_iter()
            .map(|(raw, input)| {
                let started = Instant::now();
                let p = catch_unwind(AssertUnwindSafe(|| self.parse(raw, &input)))
                    .unwrap_or_else(|panic| Err(internal(&input, panic)));
                (p, input, started.elapsed())
            })
            .collect();
        let authenticated = futures_util::future::join_all(parsed.into_iter().map(
            |(p, input, spent)| async move {
                let started = Instant::now();
                let p = match p {
                    Ok(mut p) => AssertUnwindSafe(self.authenticate(&mut p))
                        .catch_unwind()
                        .await
                        .map(|results| (p, results))
                        .map_err(|panic| internal(&input, panic)),
                    Err(e) => Err(e),
                };
                (p, input, spent + started.elapsed())
            },
        ))
        .await;
        authenticated
            .into_iter()
            .map(|(p, input, spent)| {
                let started = Instant::now();
                let report = p.and_then(|(p, results)| {
                    catch_unwind(AssertUnwindSafe(|| self.decide(p, results, &input)))
                        .unwrap_or_else(|panic| Err(internal(&input, panic)))
                });
                (report, spent + started.elapsed())
            })
            .collect()
    }

    /// The results a trusted header gave, or else those of verifying the message.
    async fn authenticate(&self, parsed: &mut Parsed) -> AuthResults {
        match parsed.results.take() {
            Some(r) => r,
            None => auth::verify(&self.dns, parsed.message.raw(), &parsed.envelope).await,
        }
    }

    /// The first stage of a check: the parse, the originating hop, the envelope, and the
    /// authentication results when a trusted header gives them (`None`: verify).
    fn parse(&self, raw: Vec<u8>, input: &str) -> Result<Parsed> {
        let config = &self.settings.config;
        let message = Message::parse(raw, input)?;
        let origin = self.origin(&message);
        let envelope = Envelope {
            ip: origin.ip,
            helo: self.settings.helo.clone().or_else(|| origin.helo.clone()),
            mail_from: self
                .settings
                .mail_from
                .as_deref()
                .map(|m| m.trim_matches(|c| c == '<' || c == '>').to_string())
                .or_else(|| message.return_path.clone()),
            receiver: origin.receiver.clone(),
        };
        let trusted = auth::results::trusted(&message, &origin, &config.trusted_authserv_ids);
        let results = match (config.auth_source, trusted.results) {
            (AuthSourceSetting::Auto | AuthSourceSetting::AuthenticationResults, Some(r)) => {
                Some(r)
            }
            (AuthSourceSetting::AuthenticationResults, None) => {
                let mut r = AuthResults::empty(AuthSource::AuthenticationResults);
                r.unverifiable =
                    Some("the message has no trusted Authentication-Results header".into());
                Some(r)
            }
            _ => None,
        };
        Ok(Parsed {
            message,
            origin,
            envelope,
            results,
            evidence: trusted.evidence,
        })
    }

    /// Triages a ticket comment that has no raw email (an export, the API): SPF, DKIM and
    /// DMARC cannot run, so the sender is at best unknown and R2/R3 requests need
    /// verification (fail closed). `ticket` adds what the ticket knows about the comment.
    pub fn check_parts(&self, parts: Parts, input: &str, ticket: &TicketContext) -> Result<Report> {
        let flags = parts.flags.clone();
        let channel = parts.channel.clone();
        let ip = parts.client_ip;
        let message = Message::from_parts(parts);
        let origin = Origin {
            ip,
            helo: None,
            receiver: None,
            hop: None,
            trusted_hops: 0,
            source: if ip.is_some() {
                OriginSource::Zendesk
            } else {
                OriginSource::Unknown
            },
            relays_configured: !self.settings.config.trusted_relays.is_empty(),
            trusted_fields: 0,
        };
        let mut results = AuthResults::empty(AuthSource::None);
        results.unverifiable =
            Some("no raw email: SPF, DKIM and DMARC could not be checked".into());
        let mut extra = vec![
            Evidence::new(&codes::NO_RAW_EMAIL, Strength::Info)
                .fact("channel", channel.unwrap_or_else(|| "unknown".into())),
        ];
        let from = message.from_mailbox().and_then(|m| m.address.clone());
        extra.extend(ticket_evidence(&flags, from.as_deref(), ticket));
        let parsed = Parsed {
            message,
            origin,
            envelope: Envelope::default(),
            results: None,
            evidence: extra,
        };
        self.decide(parsed, results, input)
    }

    /// Runs the sender and request analyzers, decides, and records the sender.
    fn decide(&self, parsed: Parsed, results: AuthResults, input: &str) -> Result<Report> {
        let Parsed {
            message,
            origin,
            envelope,
            evidence: extra,
            ..
        } = parsed;
        let config = &self.settings.config;
        let from_domain = message.from_domain();
        let mut evidence =
            auth::evidence(&results, from_domain.as_deref(), &config.protected_domains);
        let from = message
            .from_mailbox()
            .and_then(|m| m.address.clone())
            .unwrap_or_default();
        let history = self
            .store
            .as_ref()
            .filter(|_| !from.is_empty())
            .map(|s| s.history(&from, origin.ip));
        evidence.extend(sender::analyze(
            &message,
            &self.knowledge,
            sender::Seen {
                ip: origin.ip,
                history: history.as_ref(),
            },
        ));
        evidence.extend(request::analyze(
            &message,
            &self.rules,
            &request::Context {
                privileged: &|| self.knowledge.privileged_target(&message),
            },
        ));
        evidence.extend(context_evidence(&message, &origin, &self.knowledge));
        evidence.extend(extra);
        let verdict = Verdict::from_evidence(evidence);
        if let Some(store) = self.store.as_ref().filter(|_| !from.is_empty()) {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            store.record(&from, origin.ip, now)?;
        }
        Ok(Report {
            input: input.to_string(),
            message,
            origin,
            envelope,
            auth: results,
            verdict,
        })
    }

    fn origin(&self, message: &Message) -> Origin {
        match self.settings.client_ip {
            Some(ip) => Origin {
                ip: Some(ip),
                helo: self.settings.helo.clone(),
                receiver: None,
                hop: None,
                trusted_hops: 0,
                source: OriginSource::Override,
                relays_configured: !self.settings.config.trusted_relays.is_empty(),
                // The MTA is receiving the message now: nothing in it was written by us.
                trusted_fields: 0,
            },
            None => originate(
                &message.received,
                &self.settings.config.trusted_relays,
                message.fields.len(),
            ),
        }
    }
}

/// The message of a panic payload.
pub fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Evidence a ticket adds about one of its comments: Zendesk's comment flags, and a later
/// comment from another sender than the requester.
pub fn ticket_evidence(flags: &[i64], from: Option<&str>, ticket: &TicketContext) -> Vec<Evidence> {
    let mut out = Vec::new();
    for &flag in flags {
        let (strength, what, what_ja) = match flag {
            2 => (
                Strength::Medium,
                "the author was not part of the conversation",
                "作成者は会話の参加者ではありません",
            ),
            3 => (
                Strength::Weak,
                "the author was not signed in",
                "作成者はサインインしていませんでした",
            ),
            0 => (
                Strength::Weak,
                "Zendesk is unsure the comment should be trusted",
                "Zendesk はこのコメントを信頼できるか判断できません",
            ),
            11 => (
                Strength::Weak,
                "submitted by one user on behalf of the author",
                "別のユーザーが作成者の代理で送信しました",
            ),
            4 => (
                Strength::Info,
                "automatically generated",
                "自動生成されました",
            ),
            5 => (
                Strength::Info,
                "an attachment was rejected",
                "添付ファイルが拒否されました",
            ),
            _ => (
                Strength::Info,
                "an undocumented flag",
                "文書化されていないフラグ",
            ),
        };
        out.push(
            Evidence::new(&codes::ZENDESK_FLAG, strength)
                .fact("flag", flag.to_string())
                .fact("what", what)
                .fact("what_ja", what_ja),
        );
    }
    if !ticket.warning_tags.is_empty() {
        out.push(
            Evidence::new(&codes::ZENDESK_TAG, Strength::Weak)
                .fact("tags", ticket.warning_tags.join(", ")),
        );
    }
    if let Some(requester) = &ticket.later_from_other {
        out.push(
            Evidence::new(&codes::SENDER_THREAD_HIJACK, Strength::Medium)
                .fact("comment", ticket.comment_id.to_string())
                .fact("ticket", ticket.ticket_id.to_string())
                .fact("from", from.unwrap_or("an unknown sender"))
                .fact("requester", requester.clone()),
        );
    }
    out
}

fn context_evidence(message: &Message, origin: &Origin, knowledge: &Knowledge) -> Vec<Evidence> {
    let mut out = Vec::new();
    match (origin.ip, origin.source) {
        (Some(ip), source) => {
            let how = match source {
                OriginSource::Override => "the command line (--client-ip)".to_string(),
                OriginSource::Zendesk => "the IP Zendesk recorded for the comment".to_string(),
                _ if origin.trusted_hops == 0 => "the topmost Received header".to_string(),
                _ => format!(
                    "Received header {} after {} trusted hop(s)",
                    origin.hop.map_or(0, |h| h + 1),
                    origin.trusted_hops
                ),
            };
            let how_ja = match source {
                OriginSource::Override => "コマンドライン（--client-ip）".to_string(),
                OriginSource::Zendesk => "Zendesk がコメントに記録した IP".to_string(),
                _ if origin.trusted_hops == 0 => "最上位の Received ヘッダー".to_string(),
                _ => format!(
                    "信頼する中継 {} 段の後の {} 番目の Received ヘッダー",
                    origin.trusted_hops,
                    origin.hop.map_or(0, |h| h + 1)
                ),
            };
            out.push(
                Evidence::new(&codes::ORIGIN, Strength::Info)
                    .fact("ip", ip.to_string())
                    .fact(
                        "helo",
                        origin.helo.clone().unwrap_or_else(|| "unknown".into()),
                    )
                    .fact("how", how)
                    .fact("how_ja", how_ja),
            );
            if !origin.relays_configured && source == OriginSource::Received {
                out.push(Evidence::new(&codes::NO_TRUSTED_RELAYS, Strength::Info));
            }
        }
        (None, _) => out.push(Evidence::new(&codes::NO_CLIENT_IP, Strength::Info)),
    }
    // A ticket comment has no From header: its sender is what the helpdesk recorded.
    let from_count = if message.parts.is_some() {
        1
    } else {
        message.from.len()
    };
    match from_count {
        // Without exactly one From address DMARC cannot apply (RFC 7489 §6.6.1): a known
        // way around it, so it weighs as one medium signal.
        0 => out.push(
            Evidence::new(&codes::FROM_PROBLEM, Strength::Medium).fact("problem", "is missing"),
        ),
        1 if message.parts.is_none() && message.from[0].address.is_none() => out.push(
            Evidence::new(&codes::FROM_PROBLEM, Strength::Medium)
                .fact("problem", "holds no valid address"),
        ),
        1 => {}
        n => out.push(
            Evidence::new(&codes::FROM_PROBLEM, Strength::Medium)
                .fact("problem", format!("holds {n} addresses")),
        ),
    }
    if let Some(why) = message.automated() {
        out.push(Evidence::new(&codes::AUTOMATED, Strength::Info).fact("why", why));
    }
    for p in &message.problems {
        out.push(
            Evidence::new(&codes::PARSE_PROBLEM, Strength::Info)
                .fact("what", &p.what)
                .fact("problem", &p.problem),
        );
    }
    if knowledge.profiles.is_empty() {
        out.push(Evidence::new(&codes::NO_PROFILES, Strength::Info));
    }
    out
}
