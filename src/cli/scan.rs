//! `impostor scan PATH…`: triage many messages at once. Items are read in a stable order by
//! one producer, checked concurrently (a bounded number in flight), and written in input order,
//! so the output, the store and the checkpoint always agree on "everything before item N is
//! done". An interrupted scan resumes from its last checkpoint: the output file is cut back to
//! the checkpoint's length and the items after it are checked again, so every item ends up in
//! the output exactly once.

use super::{Exit, LevelArg, ScanArgs, ScanFormat, check};
use crate::error::{Error, Result};
use crate::evidence::{Axis, Lang};
use crate::report::{csv, json};
use crate::source::{self, Content, Item, Location};
use crate::store::{Checkpoint, Store, StoredVerdict};
use crate::triage::{Report, TicketContext, Triage};
use crate::verdict::Level;
use crate::zendesk::Role;
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one item became, rendered in the worker so the writer only writes.
struct Done {
    seq: u64,
    bytes: Vec<u8>,
    level: Option<Level>,
    error: Option<String>,
    intents: Vec<&'static str>,
    flagged_sender: Option<String>,
    verdict: Option<StoredVerdict>,
    location: Location,
    elapsed: Duration,
    size: u64,
    /// Held until the item is written: it bounds what is in flight or waiting to be written.
    _permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

#[derive(Default)]
struct Summary {
    items: u64,
    errors: u64,
    levels: BTreeMap<Level, u64>,
    intents: BTreeMap<&'static str, u64>,
    senders: HashMap<String, u64>,
    slowest: Vec<(Duration, String)>,
}

impl Summary {
    fn add(&mut self, d: &Done) {
        self.items += 1;
        if d.error.is_some() {
            self.errors += 1;
        }
        if let Some(l) = d.level {
            *self.levels.entry(l).or_default() += 1;
        }
        for i in &d.intents {
            *self.intents.entry(i).or_default() += 1;
        }
        if let Some(s) = &d.flagged_sender {
            *self.senders.entry(s.clone()).or_default() += 1;
        }
        self.slowest.push((d.elapsed, d.location.to_string()));
        if self.slowest.len() > 64 {
            self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
            self.slowest.truncate(5);
        }
    }

    fn render(&mut self, elapsed: Duration, resumed_from: u64) -> String {
        let rate = self.items as f64 / elapsed.as_secs_f64().max(1e-9);
        let mut out = format!(
            "impostor scan: {} item(s) in {:.2} s ({rate:.0}/s), {} error(s){}\n",
            self.items,
            elapsed.as_secs_f64(),
            self.errors,
            if resumed_from > 0 {
                format!(", resumed after item {resumed_from}")
            } else {
                String::new()
            }
        );
        out.push_str("  verdicts:");
        for l in [
            Level::Clear,
            Level::Caution,
            Level::Verify,
            Level::LikelySpoofed,
        ] {
            out.push_str(&format!(
                " {} {}",
                l,
                self.levels.get(&l).copied().unwrap_or(0)
            ));
        }
        out.push('\n');
        if !self.intents.is_empty() {
            let mut v: Vec<_> = self.intents.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = v.iter().map(|(k, n)| format!("{k} {n}")).collect();
            out.push_str(&format!("  requests: {}\n", list.join(", ")));
        }
        if !self.senders.is_empty() {
            let mut v: Vec<_> = self.senders.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = v
                .iter()
                .take(5)
                .map(|(k, n)| format!("{} ({n})", crate::report::escape(k)))
                .collect();
            out.push_str(&format!("  flagged most often: {}\n", list.join(", ")));
        }
        self.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        self.slowest.truncate(5);
        if !self.slowest.is_empty() {
            let list: Vec<String> = self
                .slowest
                .iter()
                .map(|(d, l)| {
                    format!(
                        "{} ({:.1} ms)",
                        crate::report::escape(l),
                        d.as_secs_f64() * 1000.0
                    )
                })
                .collect();
            out.push_str(&format!("  slowest: {}\n", list.join("; ")));
        }
        out
    }
}

/// A stable identity for a scan: its inputs, format, filter and output.
fn scan_key(args: &ScanArgs) -> String {
    // FNV-1a: stable across runs and versions, unlike std's hasher.
    let mut h: u64 = 0xcbf29ce484222325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain([0u8].iter()) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100000001b3);
        }
    };
    for p in &args.paths {
        let canon = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        eat(canon.to_string_lossy().as_bytes());
    }
    eat(format!("{:?}", args.format).as_bytes());
    eat(format!("{:?}", args.only).as_bytes());
    if let Some(o) = &args.output {
        let canon = o
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .and_then(|p| std::fs::canonicalize(p).ok())
            .map_or_else(|| o.clone(), |p| p.join(o.file_name().unwrap_or_default()));
        eat(canon.to_string_lossy().as_bytes());
    }
    format!("{h:016x}")
}

fn codes_of(report: &Report) -> String {
    report
        .verdict
        .evidence
        .iter()
        .filter(|e| e.strength != crate::evidence::Strength::Info || e.axis() == Axis::Request)
        .map(|e| e.code.id)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The CSV cells that say where an item came from: file, offset, record, ticket id.
fn location_cells(location: &Location) -> [String; 4] {
    [
        location.file.clone(),
        location.offset.map(|o| o.to_string()).unwrap_or_default(),
        location.record.clone().unwrap_or_default(),
        location
            .ticket_id
            .map(|t| t.to_string())
            .unwrap_or_default(),
    ]
}

fn from_of(report: &Report) -> String {
    report
        .message
        .from_mailbox()
        .and_then(|m| m.address.clone())
        .unwrap_or_default()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

struct Render {
    format: ScanFormat,
    lang: Lang,
    only: Vec<Level>,
}

impl Render {
    fn wanted(&self, level: Option<Level>) -> bool {
        self.only.is_empty() || level.is_some_and(|l| self.only.contains(&l))
    }

    fn error(&self, location: &Location, problem: &str) -> Vec<u8> {
        match self.format {
            ScanFormat::Jsonl => {
                let v = serde_json::json!({
                    "schema": json::SCHEMA,
                    "location": location,
                    "error": problem,
                });
                (json::line(&v) + "\n").into_bytes()
            }
            ScanFormat::Csv => {
                let mut cells = location_cells(location).to_vec();
                cells.extend(std::iter::repeat_n(String::new(), 7));
                cells.push(problem.to_string());
                csv::row(&cells)
            }
            ScanFormat::Summary => Vec::new(),
        }
    }

    /// The output of one message, or of a ticket (the most severe comment first, then a
    /// summary of every triaged comment), when `wanted`; and the record the store keeps.
    fn report(
        &self,
        location: &Location,
        main: &Report,
        comments: &[(u64, Role, &Report)],
        wanted: bool,
    ) -> (Vec<u8>, String) {
        let ticket = location.ticket_id.map(|id| {
            let list: Vec<serde_json::Value> = comments
                .iter()
                .map(|(cid, role, r)| {
                    serde_json::json!({
                        "comment_id": cid,
                        "role": if *role == Role::First { "first" } else { "later" },
                        "level": r.verdict.level,
                        "codes": codes_of(r).split(' ').filter(|c| !c.is_empty()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::json!({ "id": id, "comments": list })
        });
        let record = json::record(main, self.lang, Some(location), ticket.clone());
        if !wanted {
            return (Vec::new(), record);
        }
        let bytes = match self.format {
            ScanFormat::Jsonl => {
                (json::to_line_at(main, self.lang, Some(location), ticket) + "\n").into_bytes()
            }
            ScanFormat::Csv => csv::row(
                &[
                    location_cells(location).as_slice(),
                    &[
                        main.verdict.level.to_string(),
                        main.verdict.trust.to_string(),
                        format!("{:?}", main.verdict.risk),
                        from_of(main),
                        main.message.subject.clone().unwrap_or_default(),
                        codes_of(main),
                        main.verdict.headline(self.lang),
                        String::new(),
                    ],
                ]
                .concat(),
            ),
            ScanFormat::Summary => Vec::new(),
        };
        (bytes, record)
    }
}

/// Most items a worker checks together: on one thread, the stages of a batch of 16 cost a
/// tenth more than those of 64, which are as cheap as the whole corpus stage by stage, within a
/// few per cent (`cargo bench --bench floor`).
const BATCH: usize = 64;

/// A batch is closed once its raw messages reach this size, so that `--jobs` large messages
/// are not all in memory at once: the batches in flight hold at most the workers' batches of
/// this size (plus one message each).
const BATCH_BYTES: usize = 4 << 20;

/// What checking an item gave: its reports (one per triaged comment), or why there are none.
type Outcome = std::result::Result<Vec<(u64, Role, Report)>, String>;

/// An item's result before it is known.
fn pending(
    seq: u64,
    location: &Location,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
) -> Done {
    Done {
        seq,
        bytes: Vec::new(),
        level: None,
        error: None,
        intents: Vec::new(),
        flagged_sender: None,
        verdict: None,
        location: location.clone(),
        elapsed: Duration::ZERO,
        size: 0,
        _permit: permit,
    }
}

/// Checks a batch of items. Raw messages go through `Triage::check_batch` together, stage by
/// stage; tickets and unreadable items one by one. A panic costs its own item, not the scan
/// (nor a gap in the output that would stop everything after it from being written).
async fn process_batch(
    triage: &Triage,
    render: &Render,
    taken: Vec<(u64, Item, tokio::sync::OwnedSemaphorePermit)>,
) -> Vec<Done> {
    let mut dones: Vec<Option<Done>> = Vec::with_capacity(taken.len());
    let mut raws = Vec::new();
    let mut raw_dones = Vec::new();
    for (seq, item, permit) in taken {
        let mut done = pending(seq, &item.location, Some(permit));
        match item.content {
            Content::Raw(raw) => {
                done.size = raw.len() as u64;
                raws.push((raw, item.location.to_string()));
                raw_dones.push((dones.len(), done));
                dones.push(None);
            }
            content => {
                let started = Instant::now();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    from_ticket(triage, &item.location, content, &mut done.size)
                }))
                .unwrap_or_else(|panic| {
                    Err(format!(
                        "internal error: {}",
                        crate::triage::panic_text(panic)
                    ))
                });
                dones.push(Some(finish(render, done, outcome, started.elapsed())));
            }
        }
    }
    let checked = triage.check_batch(raws).await;
    for ((at, done), (report, elapsed)) in raw_dones.into_iter().zip(checked) {
        let outcome = report
            .map(|r| vec![(0, Role::First, r)])
            .map_err(|e| error_text(&e));
        dones[at] = Some(finish(render, done, outcome, elapsed));
    }
    dones.into_iter().flatten().collect()
}

/// Fills in an item's result (`complete`), or its internal error if that panics.
fn finish(render: &Render, done: Done, outcome: Outcome, elapsed: Duration) -> Done {
    let (seq, location) = (done.seq, done.location.clone());
    let mut done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        complete(render, done, outcome)
    }))
    .unwrap_or_else(|panic| {
        let problem = format!("internal error: {}", crate::triage::panic_text(panic));
        let mut done = pending(seq, &location, None);
        done.bytes = render.error(&location, &problem);
        done.error = Some(problem);
        done
    });
    done.elapsed = elapsed;
    done
}

/// Checks a ticket, a ticket event's comment or an unreadable item, adding the size of the
/// text checked to `size`. (Raw messages go through `Triage::check_batch`.)
fn from_ticket(triage: &Triage, location: &Location, content: Content, size: &mut u64) -> Outcome {
    let name = &location.to_string();
    match content {
        Content::Raw(_) => unreachable!("raw messages are checked in batches"),
        Content::Ticket(ticket) => {
            let requester = ticket.requester_address();
            let mut reports = Vec::new();
            let mut failure = None;
            for (role, comment) in ticket.triaged(&[]) {
                *size += comment.text().len() as u64;
                let parts = ticket.parts(&comment);
                let from = parts
                    .from
                    .as_ref()
                    .and_then(|m| m.address.clone())
                    .map(|a| a.to_ascii_lowercase());
                let later_from_other = match (role, &requester, &from) {
                    (Role::Later, Some(req), Some(f)) if req != f => Some(req.clone()),
                    _ => None,
                };
                let context = TicketContext {
                    ticket_id: ticket.id,
                    comment_id: comment.id,
                    later_from_other,
                    warning_tags: if role == Role::First {
                        crate::triage::warning_tags(&ticket.tags)
                    } else {
                        Vec::new()
                    },
                };
                match triage.check_parts(parts, name, &context) {
                    Ok(r) => reports.push((comment.id, role, r)),
                    Err(e) => failure = Some(error_text(&e)),
                }
            }
            match (reports.is_empty(), failure) {
                (true, Some(f)) => Err(f),
                (true, None) => {
                    Err("the ticket has no public comment or description to triage".into())
                }
                (false, _) => Ok(reports),
            }
        }
        Content::Comment { comment, .. } => {
            *size = comment.text().len() as u64;
            let ticket = crate::zendesk::Ticket {
                id: location.ticket_id.unwrap_or_default(),
                ..Default::default()
            };
            let context = TicketContext {
                ticket_id: ticket.id,
                comment_id: comment.id,
                later_from_other: None,
                warning_tags: Vec::new(),
            };
            triage
                .check_parts(ticket.parts(&comment), name, &context)
                .map(|r| vec![(comment.id, Role::First, r)])
                .map_err(|e| error_text(&e))
        }
        Content::Unreadable(problem) => Err(problem),
    }
}

/// Fills in an item's result from what checking it gave.
fn complete(render: &Render, mut done: Done, outcome: Outcome) -> Done {
    let location = done.location.clone();
    match outcome {
        Err(problem) => {
            done.bytes = render.error(&location, &problem);
            done.error = Some(problem);
        }
        Ok(reports) => {
            let main = reports
                .iter()
                .max_by_key(|(_, _, r)| r.verdict.level)
                .map(|(_, _, r)| r)
                .expect("at least one report");
            let level = main.verdict.level;
            done.level = Some(level);
            for (_, _, r) in &reports {
                for e in r
                    .verdict
                    .evidence
                    .iter()
                    .filter(|e| e.axis() == Axis::Request)
                {
                    if let Some(i) = e
                        .get("intent")
                        .filter(|_| e.rule.is_some())
                        .and_then(|id| crate::request::Intent::ALL.iter().find(|i| i.id() == id))
                    {
                        done.intents.push(i.id());
                    }
                }
            }
            done.intents.sort_unstable();
            done.intents.dedup();
            if level > Level::Clear {
                done.flagged_sender = Some(from_of(main)).filter(|f| !f.is_empty());
            }
            let comments: Vec<(u64, Role, &Report)> =
                reports.iter().map(|(c, role, r)| (*c, *role, r)).collect();
            let (bytes, record) =
                render.report(&location, main, &comments, render.wanted(Some(level)));
            done.bytes = bytes;
            let (kind, key) = match location.ticket_id {
                Some(id) => ("ticket", id.to_string()),
                None => (
                    "message",
                    main.message
                        .message_id
                        .clone()
                        .unwrap_or_else(|| location.to_string()),
                ),
            };
            done.verdict = Some(StoredVerdict {
                kind: kind.into(),
                key,
                level: level.to_string(),
                report: record,
                updated: now(),
            });
        }
    }
    done
}

fn error_text(e: &Error) -> String {
    match e {
        Error::BadInput { problem, .. } | Error::Unreadable { problem, .. } => problem.clone(),
        // The location is in the record already: the same words as a panic caught here.
        Error::Internal { problem, .. } => format!("internal error: {problem}"),
        other => other.to_string(),
    }
}

/// The items still to read, shared by the workers.
struct Source {
    items: Box<dyn Iterator<Item = Item> + Send>,
    /// The sequence number of the next item read.
    next: u64,
    /// Items before this one were done by the scan being resumed.
    skip: u64,
}

impl Source {
    fn take(&mut self) -> Option<(u64, Item)> {
        loop {
            let item = self.items.next()?;
            let seq = self.next;
            self.next += 1;
            if seq >= self.skip {
                return Some((seq, item));
            }
        }
    }
}

/// The ordered end of the scan: results wait here until every earlier one is written.
struct Writer {
    sink: Sink,
    format: ScanFormat,
    summary: Summary,
    pending: BTreeMap<u64, Done>,
    /// The next item to write.
    next: u64,
    /// Bytes of output written.
    written: u64,
    /// Verdicts written but not yet stored.
    verdicts: Vec<StoredVerdict>,
    last_checkpoint: Instant,
    since_checkpoint: u64,
    bytes_done: u64,
    total_bytes: u64,
    progress: Option<indicatif::ProgressBar>,
    started: Instant,
    /// The output file, to make it durable at a checkpoint without holding the writer.
    durable: Option<Arc<std::fs::File>>,
}

/// A checkpoint taken in order under the writer lock, and saved after it is released: the
/// other workers go on writing meanwhile (saving under it left a core idle a tenth of the time).
struct Due {
    verdicts: Vec<StoredVerdict>,
    checkpoint: Checkpoint,
    durable: Option<Arc<std::fs::File>>,
}

impl Due {
    /// Makes what was written durable, then stores its verdicts, the sender records and the
    /// checkpoint in one transaction: a resumed scan starts exactly after it.
    fn save(self, store: Option<&Store>, key: &str) -> Result<()> {
        if let Some(f) = &self.durable {
            f.sync_data().map_err(Error::Output)?;
        }
        if let Some(s) = store {
            s.save_progress(&self.verdicts, Some((key, self.checkpoint)))?;
        }
        Ok(())
    }
}

impl Writer {
    /// Takes one finished item and writes every item that is now next in order; returns the
    /// checkpoint to save when one is due.
    fn deliver(&mut self, done: Done) -> Result<Option<Due>> {
        let mut due = None;
        self.pending.insert(done.seq, done);
        while let Some(done) = self.pending.remove(&self.next) {
            if !done.bytes.is_empty() && self.format != ScanFormat::Summary {
                self.sink.write_all(&done.bytes).map_err(Error::Output)?;
                self.written += done.bytes.len() as u64;
            }
            self.summary.add(&done);
            self.bytes_done += done.size;
            if let Some(v) = done.verdict {
                self.verdicts.push(v);
            }
            self.next += 1;
            self.since_checkpoint += 1;
            if due.is_none()
                && (self.since_checkpoint >= 2000
                    || self.last_checkpoint.elapsed() > Duration::from_secs(2))
            {
                due = Some(self.checkpoint()?);
                if let Some(bar) = &self.progress {
                    bar.set_position(self.bytes_done.min(self.total_bytes));
                    let rate =
                        self.summary.items as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
                    bar.set_message(format!("{} items, {rate:.0}/s", self.summary.items));
                }
            }
        }
        Ok(due)
    }

    /// A checkpoint of everything written so far (handed to the OS, not yet made durable).
    fn checkpoint(&mut self) -> Result<Due> {
        self.sink.flush().map_err(Error::Output)?;
        self.since_checkpoint = 0;
        self.last_checkpoint = Instant::now();
        Ok(Due {
            verdicts: std::mem::take(&mut self.verdicts),
            checkpoint: Checkpoint {
                next_item: self.next,
                output_len: self.written,
            },
            durable: self.durable.clone(),
        })
    }
}

/// What the workers share.
struct Shared {
    source: std::sync::Mutex<Source>,
    writer: std::sync::Mutex<Writer>,
    /// One permit per item in flight or waiting to be written.
    window: Arc<tokio::sync::Semaphore>,
    failed: std::sync::atomic::AtomicBool,
    /// The first error writing output or the store: the scan stops.
    failure: std::sync::Mutex<Option<Error>>,
    /// Held while a checkpoint is saved, taken before the writer lock is let go: checkpoints
    /// are saved in the order they were taken.
    saving: std::sync::Mutex<()>,
}

impl Shared {
    /// One worker: takes batches of items until there are none left or the scan failed.
    async fn work(&self, triage: &Arc<Triage>, render: &Arc<Render>, key: &str, batch: usize) {
        use std::sync::atomic::Ordering;
        while !self.failed.load(Ordering::Relaxed) {
            // The first item waits for room in the window; the rest take what room there is.
            let mut taken = Vec::with_capacity(batch);
            let mut bytes = 0;
            while taken.len() < batch && bytes < BATCH_BYTES {
                let permit = if taken.is_empty() {
                    match self.window.clone().acquire_owned().await {
                        Ok(p) => p,
                        Err(_) => return,
                    }
                } else {
                    match self.window.clone().try_acquire_owned() {
                        Ok(p) => p,
                        Err(_) => break,
                    }
                };
                let next = self.source.lock().expect("source lock").take();
                let Some((seq, item)) = next else { break };
                if let Content::Raw(raw) = &item.content {
                    bytes += raw.len();
                }
                taken.push((seq, item, permit));
            }
            if taken.is_empty() {
                return;
            }
            for done in process_batch(triage, render, taken).await {
                if let Err(e) = self.hand_in(done, triage.store(), key) {
                    self.failure.lock().expect("failure lock").get_or_insert(e);
                    self.failed.store(true, Ordering::Relaxed);
                    self.window.close();
                    return;
                }
            }
        }
    }

    /// Gives a finished item to the writer, and saves the checkpoint that makes due.
    fn hand_in(&self, done: Done, store: Option<&Store>, key: &str) -> Result<()> {
        let mut writer = self.writer.lock().expect("writer lock");
        let Some(due) = writer.deliver(done)? else {
            return Ok(());
        };
        let _saving = self.saving.lock().expect("saving lock");
        drop(writer);
        due.save(store, key)
    }
}

/// Where results go.
enum Sink {
    Stdout(std::io::Stdout),
    File(std::io::BufWriter<std::fs::File>),
}

impl Sink {
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout(s) => s.lock().write_all(b),
            Sink::File(f) => f.write_all(b),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(s) => s.lock().flush(),
            Sink::File(f) => f.flush(),
        }
    }

    /// A second handle on the output file to make it durable with, when it is a regular file
    /// (/dev/null, a pipe or a terminal cannot be synced, and need not be).
    fn durable(&self) -> Option<Arc<std::fs::File>> {
        match self {
            Sink::Stdout(_) => None,
            Sink::File(f) => f
                .get_ref()
                .metadata()
                .is_ok_and(|m| m.is_file())
                .then(|| f.get_ref().try_clone().ok().map(Arc::new))
                .flatten(),
        }
    }
}

fn open_output(path: &Path, resume_len: Option<u64>) -> Result<std::fs::File> {
    let fail = |e: std::io::Error| Error::Output(e);
    match resume_len {
        Some(len) => {
            let mut f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(fail)?;
            // Cut back to what the checkpoint covers: results written after it are redone.
            f.set_len(len).map_err(fail)?;
            f.seek(std::io::SeekFrom::End(0)).map_err(fail)?;
            Ok(f)
        }
        None => std::fs::File::create(path).map_err(fail),
    }
}

/// Runs `scan`.
pub(super) fn run(config_path: Option<&Path>, args: ScanArgs) -> Result<Exit> {
    let (settings, lang) = check::settings(config_path, &args.common)?;
    let limit = settings.config.max_message_bytes;
    let key = scan_key(&args);
    let render = Arc::new(Render {
        format: args.format,
        lang,
        only: args.only.iter().copied().map(LevelArg::into).collect(),
    });
    let paths: Vec<PathBuf> = args.paths.clone();
    let jobs = args.jobs.clamp(1, 4096);
    let runtime = super::runtime(None)?;
    runtime.block_on(async move {
        let triage = Arc::new(Triage::new(settings).await?);
        let checkpoint = if args.resume {
            let c = triage.store().and_then(|s| s.checkpoint(&key));
            if c.is_none() {
                eprintln!("impostor: note: no checkpoint for this scan; starting from the beginning");
            }
            if c.is_some() && args.output.is_none() {
                eprintln!(
                    "impostor: note: resuming to standard output: results written after the last checkpoint may appear twice (use --output FILE for an exact resume)"
                );
            }
            c
        } else {
            None
        };
        let skip = checkpoint.map_or(0, |c| c.next_item);
        // Most senders of a batch are new, and the filter says so without a query. Without it
        // (a store it cannot read) every sender is looked up, as in `check`.
        if let Some(store) = triage.store() {
            let _ = store.index_senders();
        }
        let mut sink = match &args.output {
            Some(p) => Sink::File(std::io::BufWriter::with_capacity(
                256 * 1024,
                open_output(p, checkpoint.map(|c| c.output_len))?,
            )),
            None => Sink::Stdout(std::io::stdout()),
        };
        let mut written: u64 = checkpoint.map_or(0, |c| c.output_len);
        if args.format == ScanFormat::Csv && written == 0 {
            let h = csv::header();
            sink.write_all(&h).map_err(Error::Output)?;
            written += h.len() as u64;
        }

        let total_bytes: u64 = source::files(&paths)
            .iter()
            .filter_map(|f| f.as_ref().ok())
            .filter_map(|(p, _)| std::fs::metadata(p).ok().map(|m| m.len()))
            .sum();
        let progress = if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(total_bytes);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {bytes}/{total_bytes} {wide_bar} {msg} ETA {eta}",
                )
                .expect("valid template"),
            );
            Some(bar)
        } else {
            None
        };

        // No producer, dispatcher or writer task: each worker takes the next batch of items
        // from the shared source, checks it, and hands it to the shared writer, which writes
        // whatever has become contiguous. A wake-up and a task per message cost a scan more
        // than a fifth of its CPU. Batches go through the pipeline stage by stage
        // (`Triage::check_batch`); `jobs` items are in flight in all.
        let shared = Arc::new(Shared {
            source: std::sync::Mutex::new(Source {
                items: Box::new(source::items(&paths, limit)),
                next: 0,
                skip,
            }),
            writer: std::sync::Mutex::new(Writer {
                durable: sink.durable(),
                sink,
                format: args.format,
                summary: Summary::default(),
                pending: BTreeMap::new(),
                next: skip,
                written,
                verdicts: Vec::new(),
                last_checkpoint: Instant::now(),
                since_checkpoint: 0,
                bytes_done: 0,
                total_bytes,
                progress,
                started: Instant::now(),
            }),
            // Room for every worker's batch in flight and one more batch each waiting to be
            // written: with only the first, a worker whose batch finished early would wait for
            // the slowest before it could take more, and the cores would take turns.
            window: Arc::new(tokio::sync::Semaphore::new(2 * jobs)),
            failed: std::sync::atomic::AtomicBool::new(false),
            failure: std::sync::Mutex::new(None),
            saving: std::sync::Mutex::new(()),
        });
        let store = triage.store();
        let started = Instant::now();
        // Four workers: two cores stay busy while a batch waits for DNS.
        let batch = (jobs / 4).clamp(1, BATCH);
        let workers: Vec<_> = (0..jobs.div_ceil(batch))
            .map(|_| {
                let (shared, triage, render, key) =
                    (shared.clone(), triage.clone(), render.clone(), key.clone());
                tokio::spawn(async move { shared.work(&triage, &render, &key, batch).await })
            })
            .collect();
        for w in workers {
            let _ = w.await;
        }
        let shared = Arc::into_inner(shared).expect("workers are done");
        if let Some(e) = shared.failure.into_inner().expect("failure lock") {
            return Err(e);
        }
        let mut w = shared.writer.into_inner().expect("writer lock");
        w.checkpoint()?.save(store, &key)?;
        let Writer {
            mut summary,
            progress,
            ..
        } = w;
        if let Some(s) = store {
            s.finish_scan(&key)?;
        }
        if let Some(bar) = progress {
            bar.finish_and_clear();
        }
        triage.finish()?;
        let table = summary.render(started.elapsed(), skip);
        if args.format == ScanFormat::Summary || args.output.is_some() {
            std::io::stdout().write_all(table.as_bytes()).map_err(Error::Output)?;
        } else {
            // Results are on stdout: the summary must not mix into the pipe.
            eprint!("{table}");
        }
        let worst = summary.levels.keys().max().copied().unwrap_or(Level::Clear);
        Ok(Exit::for_scan(worst, summary.errors > 0))
    })
}
