//! The SQLite store (rusqlite, bundled SQLite): sender history — every (address, IP) seen,
//! with first and last seen and a count — so a first contact and a new IP for a known address
//! can be told. The schema is versioned with `PRAGMA user_version`.
//!
//! Opened read-only (`--no-store`), the history is consulted but nothing is written.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

const SCHEMA_VERSION: i64 = 4;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS sender (
    address    TEXT NOT NULL,
    ip         TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (address, ip)
);
CREATE TABLE IF NOT EXISTS profile (
    email   TEXT PRIMARY KEY,
    profile TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS verdict (
    kind    TEXT NOT NULL,   -- 'message' (by Message-ID) or 'ticket' (by ticket id)
    key     TEXT NOT NULL,
    level   TEXT NOT NULL,
    report  TEXT NOT NULL,   -- the JSON object scan wrote
    updated INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS flushed (
    writer TEXT PRIMARY KEY,      -- one open store (a process)
    batch  INTEGER NOT NULL       -- the last batch of its sender records that is written
);
CREATE TABLE IF NOT EXISTS checkpoint (
    scan       TEXT PRIMARY KEY,  -- a hash of the inputs and output of a scan
    next_item  INTEGER NOT NULL,  -- items before this one are done
    output_len INTEGER NOT NULL,  -- bytes of the output file that hold them
    updated    INTEGER NOT NULL
);
";

/// What the store knew about a sender before this message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// Messages seen from the address (any IP).
    pub messages: u64,
    /// When the address was first seen (Unix seconds).
    pub first_seen: Option<i64>,
    /// Whether this IP was seen for the address before.
    pub ip_known: bool,
    /// How many distinct IPs the address used.
    pub ips: u64,
}

/// Sender records not yet written: address → ip → (first seen, last seen, count).
#[derive(Default)]
struct Records {
    by_address: HashMap<String, HashMap<String, (i64, i64, i64)>>,
    pairs: usize,
}

/// Sender records in memory: those being collected, and the batch being written, which stays
/// readable until its transaction has committed.
#[derive(Default)]
struct Pending {
    open: Records,
    writing: Option<(i64, std::sync::Arc<Records>)>,
    /// The number the next written batch gets.
    next_batch: i64,
}

/// Flush the pending records when this many (address, IP) pairs are waiting.
const PENDING_LIMIT: usize = 4096;

/// How many addresses' histories are kept in memory (the map starts over when full).
const KNOWN_LIMIT: usize = 16_384;

/// Which addresses the store may know, for a batch run (`Store::index_senders`): every address
/// in the database when the run began and every one it recorded since. A Bloom filter: most
/// senders of a batch are new, and proving that without a query is what makes a new sender
/// cheap; a false positive costs only the query every address used to cost.
struct Senders {
    bits: Vec<AtomicU64>,
    hasher: std::collections::hash_map::RandomState,
}

/// Probes per address; with 16 bits per address (see `Senders::sized`) about 0.1 % of new
/// addresses still query.
const SENDER_PROBES: u64 = 5;

impl Senders {
    /// A filter for the `n` addresses in the store and those a run adds, hashing with `hasher`:
    /// 16 bits per stored address, and at least 2^23 bits (1 MiB), where false positives reach
    /// about 0.01 % after 300,000 new senders in a run and 2 % after a million.
    fn sized(n: usize, hasher: std::collections::hash_map::RandomState) -> Senders {
        let bits = n.saturating_mul(16).max(1 << 23).next_power_of_two();
        Senders {
            bits: (0..bits / 64).map(|_| AtomicU64::new(0)).collect(),
            hasher,
        }
    }

    /// The bit positions of hash `h`, by double hashing.
    fn probes(&self, h: u64) -> impl Iterator<Item = usize> + use<> {
        let step = (h >> 32) | 1;
        let mask = (self.bits.len() * 64 - 1) as u64;
        (0..SENDER_PROBES).map(move |i| (h.wrapping_add(i.wrapping_mul(step)) & mask) as usize)
    }

    fn insert_hash(&self, h: u64) {
        for bit in self.probes(h) {
            self.bits[bit / 64].fetch_or(1 << (bit % 64), Ordering::Release);
        }
    }

    /// Adds an address (lower-cased by the caller).
    fn insert(&self, address: &str) {
        self.insert_hash(self.hasher.hash_one(address));
    }

    fn may_hold(&self, address: &str) -> bool {
        self.probes(self.hasher.hash_one(address))
            .all(|bit| self.bits[bit / 64].load(Ordering::Acquire) & (1 << (bit % 64)) != 0)
    }
}

/// Everything recorded for one address, in the database and pending: a sender's second
/// message in a run costs a hash lookup instead of a query.
#[derive(Debug, Default)]
struct Known {
    messages: u64,
    first_seen: Option<i64>,
    /// Every IP the address was seen at (`-` for unknown).
    ips: std::collections::HashSet<String>,
}

impl Known {
    fn add(&mut self, ip: String, count: i64, first: i64) {
        self.messages += count.max(0) as u64;
        self.first_seen = Some(self.first_seen.map_or(first, |f| f.min(first)));
        self.ips.insert(ip);
    }

    fn history(&self, ip: Option<&str>) -> History {
        if self.messages == 0 {
            return History::default();
        }
        History {
            messages: self.messages,
            first_seen: self.first_seen,
            ip_known: ip.is_some_and(|i| self.ips.contains(i)),
            ips: self.ips.len() as u64,
        }
    }
}

/// The store.
pub struct Store {
    conn: Option<Mutex<Connection>>,
    /// A second connection for `history` in a writable store: WAL lets it read while `conn`
    /// writes a batch, so a checkpoint no longer stalls every worker that meets a new sender.
    reader: Option<Mutex<Connection>>,
    /// This store's row in `flushed`, which numbers its written batches: a reader adds a batch
    /// still in memory only when its snapshot of the database does not hold it yet.
    writer_id: String,
    path: PathBuf,
    writable: bool,
    /// Sender records wait here and are written in one transaction (with a scan's checkpoint
    /// when there is one): a commit per message cost a scan more than the rest of its I/O.
    /// `history` reads through them, so nothing is missed before they are written.
    pending: Mutex<Pending>,
    /// Histories read so far, kept up to date by this process's `record`s.
    known: Mutex<HashMap<String, Known>>,
    /// For a batch run, the addresses the store may know (`index_senders`).
    senders: OnceLock<Senders>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("writable", &self.writable)
            .finish()
    }
}

/// The default location: `$XDG_DATA_HOME/impostor/impostor.db`, else `~/.local/share/…`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("impostor").join("impostor.db"))
}

impl Store {
    /// Opens (creating when writable) the store at `path`. Read-only on a missing file gives an
    /// empty store that knows nothing.
    pub fn open(path: &Path, writable: bool) -> Result<Store> {
        let unavailable = |e: &dyn std::fmt::Display| Error::Unavailable {
            what: format!("store {}", path.display()),
            problem: e.to_string(),
        };
        if !writable && !path.exists() {
            return Ok(Store {
                conn: None,
                reader: None,
                writer_id: String::new(),
                path: path.to_path_buf(),
                writable,
                pending: Mutex::default(),
                known: Mutex::default(),
                senders: OnceLock::new(),
            });
        }
        if let Some(dir) = path
            .parent()
            .filter(|d| writable && !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| unavailable(&e))?;
        }
        let flags = if writable {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| unavailable(&e))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| unavailable(&e))?;
        if writable {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| unavailable(&e))?;
            // In WAL mode NORMAL is durable against a crash of impostor, and commits need no
            // fsync: a scan records every message.
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| unavailable(&e))?;
            let version: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .map_err(|e| unavailable(&e))?;
            if version > SCHEMA_VERSION {
                return Err(unavailable(&format!(
                    "written by a newer impostor (schema {version}, this one knows {SCHEMA_VERSION})"
                )));
            }
            conn.execute_batch(SCHEMA).map_err(|e| unavailable(&e))?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(|e| unavailable(&e))?;
        }
        let reader = if writable {
            let r = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .map_err(|e| unavailable(&e))?;
            r.busy_timeout(std::time::Duration::from_secs(5))
                .map_err(|e| unavailable(&e))?;
            Some(Mutex::new(r))
        } else {
            None
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Ok(Store {
            conn: Some(Mutex::new(conn)),
            reader,
            writer_id: format!("{}-{nanos}", std::process::id()),
            path: path.to_path_buf(),
            writable,
            pending: Mutex::new(Pending {
                next_batch: 1,
                ..Pending::default()
            }),
            known: Mutex::default(),
            senders: OnceLock::new(),
        })
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether checks are recorded.
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Reads every address the store holds into a filter, so that `history` answers a sender it
    /// has never seen without a query. For batch runs: records that other processes write
    /// after this call are not seen for addresses that were new then (this process's own
    /// always are). Memory grows with the store, about 2 bytes per address, not with the input.
    pub fn index_senders(&self) -> Result<()> {
        let Some(conn) = self.reader.as_ref().or(self.conn.as_ref()) else {
            return Ok(());
        };
        if self.senders.get().is_some() {
            return Ok(());
        }
        // Hashes, not addresses, while the filter's size is not known yet.
        let hasher = std::collections::hash_map::RandomState::new();
        let hashes: Vec<u64> = {
            let conn = conn.lock().expect("store lock");
            let mut stmt = conn
                .prepare("SELECT DISTINCT address FROM sender")
                .map_err(|e| self.fail(&e))?;
            stmt.query_map([], |r| Ok(hasher.hash_one(r.get_ref(0)?.as_str()?)))
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(|e| self.fail(&e))?
        };
        let senders = Senders::sized(hashes.len(), hasher);
        for h in hashes {
            senders.insert_hash(h);
        }
        // Records waiting in memory are the store's too.
        let pending = self.pending.lock().expect("pending lock");
        let unwritten = pending.writing.iter().map(|(_, r)| r.as_ref());
        for records in unwritten.chain([&pending.open]) {
            for address in records.by_address.keys() {
                senders.insert(address);
            }
        }
        let _ = self.senders.set(senders);
        Ok(())
    }

    /// What was known about `address` (and `ip`) before now.
    pub fn history(&self, address: &str, ip: Option<IpAddr>) -> History {
        let Some(conn) = self.reader.as_ref().or(self.conn.as_ref()) else {
            return History::default();
        };
        let address = address.to_ascii_lowercase();
        if self.senders.get().is_some_and(|s| !s.may_hold(&address)) {
            return History::default();
        }
        let ip = ip.map(|ip| ip.to_string());
        // Locks are taken in the order pending, reader, known: a batch cannot finish writing
        // (and leave memory) between the database read and the read of what is in memory.
        let pending = self.pending.lock().expect("pending lock");
        if let Some(k) = self.known.lock().expect("known lock").get(&address) {
            return k.history(ip.as_deref());
        }
        let mut k = Known::default();
        let mut written = 0;
        {
            let conn = conn.lock().expect("store lock");
            let row = |r: &rusqlite::Row<'_>| {
                Ok((
                    r.get::<_, Option<i64>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            };
            let rows = if self.reader.is_some() {
                // One statement, one snapshot: the batch number and the rows agree.
                conn.prepare_cached(
                    "SELECT batch, NULL, 0, 0 FROM flushed WHERE writer = ?2
                     UNION ALL SELECT NULL, ip, count, first_seen FROM sender WHERE address = ?1",
                )
                .and_then(|mut s| {
                    s.query_map(params![address, self.writer_id], row)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
            } else {
                // Read-only: nothing of ours is in memory, and a store written by an older
                // impostor has no `flushed` table.
                conn.prepare_cached(
                    "SELECT NULL, ip, count, first_seen FROM sender WHERE address = ?1",
                )
                .and_then(|mut s| {
                    s.query_map(params![address], row)?
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
            }
            .unwrap_or_default();
            for (batch, i, count, first) in rows {
                match (batch, i) {
                    (Some(b), _) => written = b,
                    (None, Some(i)) => k.add(i, count, first),
                    (None, None) => {}
                }
            }
        }
        let unwritten = pending
            .writing
            .iter()
            .filter(|(batch, _)| *batch > written)
            .map(|(_, records)| records.as_ref())
            .chain([&pending.open]);
        for records in unwritten {
            for (i, (first, _, count)) in records.by_address.get(&address).into_iter().flatten() {
                k.add(i.clone(), *count, *first);
            }
        }
        let h = k.history(ip.as_deref());
        let mut known = self.known.lock().expect("known lock");
        if known.len() >= KNOWN_LIMIT {
            known.clear();
        }
        known.insert(address, k);
        h
    }

    /// Records one message from `address` at `ip` (`-` when unknown) at time `now`. The record
    /// is written by the next `flush` or `save_progress`, or when enough are waiting.
    pub fn record(&self, address: &str, ip: Option<IpAddr>, now: i64) -> Result<()> {
        if !self.writable || self.conn.is_none() {
            return Ok(());
        }
        let address = address.to_ascii_lowercase();
        let ip = ip.map_or_else(|| "-".to_string(), |ip| ip.to_string());
        let full = {
            let mut pending = self.pending.lock().expect("pending lock");
            if let Some(senders) = self.senders.get() {
                senders.insert(&address);
            }
            if let Some(k) = self.known.lock().expect("known lock").get_mut(&address) {
                k.add(ip.clone(), 1, now);
            }
            let open = &mut pending.open;
            let ips = open.by_address.entry(address).or_default();
            let fresh = !ips.contains_key(&ip);
            let slot = ips.entry(ip).or_insert((now, now, 0));
            slot.0 = slot.0.min(now);
            slot.1 = slot.1.max(now);
            slot.2 += 1;
            open.pairs += usize::from(fresh);
            open.pairs >= PENDING_LIMIT
        };
        if full { self.flush() } else { Ok(()) }
    }

    /// Writes the pending sender records.
    pub fn flush(&self) -> Result<()> {
        self.write(|_| Ok(()))
    }

    /// Writes the pending sender records and whatever `more` adds, in one transaction. The
    /// records stay readable in memory, under their batch number, until it has committed;
    /// they are then dropped whether it did or not: a failed transaction loses them, which
    /// costs a first-contact signal, never a verdict.
    fn write(&self, more: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<()>) -> Result<()> {
        let Some(conn) = self.conn.as_ref().filter(|_| self.writable) else {
            return Ok(());
        };
        let mut conn = conn.lock().expect("store lock");
        let (batch, records) = {
            let mut pending = self.pending.lock().expect("pending lock");
            let batch = pending.next_batch;
            pending.next_batch += 1;
            let records = std::sync::Arc::new(std::mem::take(&mut pending.open));
            pending.writing = Some((batch, records.clone()));
            (batch, records)
        };
        let result = (|| {
            let tx = conn.transaction().map_err(|e| self.fail(&e))?;
            self.write_records(&tx, &records, batch)?;
            more(&tx)?;
            tx.commit().map_err(|e| self.fail(&e))
        })();
        let mut pending = self.pending.lock().expect("pending lock");
        if pending.writing.as_ref().is_some_and(|(b, _)| *b == batch) {
            pending.writing = None;
        }
        result
    }

    fn write_records(
        &self,
        tx: &rusqlite::Transaction<'_>,
        records: &Records,
        batch: i64,
    ) -> Result<()> {
        if records.pairs == 0 {
            return Ok(());
        }
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO sender (address, ip, first_seen, last_seen, count) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (address, ip) DO UPDATE SET first_seen = MIN(first_seen, ?3),
                 last_seen = MAX(last_seen, ?4), count = count + ?5",
            )
            .map_err(|e| self.fail(&e))?;
        for (address, ips) in &records.by_address {
            for (ip, (first, last, count)) in ips {
                stmt.execute(params![address, ip, first, last, count])
                    .map_err(|e| self.fail(&e))?;
            }
        }
        tx.execute(
            "INSERT INTO flushed (writer, batch) VALUES (?1, ?2)
             ON CONFLICT (writer) DO UPDATE SET batch = ?2",
            params![self.writer_id, batch],
        )
        .map_err(|e| self.fail(&e))?;
        Ok(())
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // Callers flush and report errors; this only keeps records when one forgot.
        let _ = self.flush();
        // The batch numbers only mean something to this process's reader.
        if let Some(conn) = self.conn.as_ref().filter(|_| self.writable) {
            let _ = conn.lock().map(|c| {
                c.execute(
                    "DELETE FROM flushed WHERE writer = ?1",
                    params![self.writer_id],
                )
            });
        }
    }
}

/// A stored verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVerdict {
    /// `message` or `ticket`.
    pub kind: String,
    /// Message-ID or ticket id.
    pub key: String,
    /// The level.
    pub level: String,
    /// The JSON object the scan wrote.
    pub report: String,
    /// When (Unix seconds).
    pub updated: i64,
}

/// Where an interrupted scan stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Items before this one are done.
    pub next_item: u64,
    /// Bytes of the output file that hold their results.
    pub output_len: u64,
}

impl Store {
    fn fail(&self, e: &dyn std::fmt::Display) -> Error {
        Error::Unavailable {
            what: format!("store {}", self.path.display()),
            problem: e.to_string(),
        }
    }

    /// Saves verdicts and, in the same transaction, a scan checkpoint.
    pub fn save_progress(
        &self,
        verdicts: &[StoredVerdict],
        checkpoint: Option<(&str, Checkpoint)>,
    ) -> Result<()> {
        self.write(|tx| {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO verdict (kind, key, level, report, updated) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (kind, key) DO UPDATE SET level = ?3, report = ?4, updated = ?5",
                )
                .map_err(|e| self.fail(&e))?;
            for v in verdicts {
                stmt.execute(params![v.kind, v.key, v.level, v.report, v.updated])
                    .map_err(|e| self.fail(&e))?;
            }
            if let Some((scan, c)) = checkpoint {
                tx.execute(
                    "INSERT INTO checkpoint (scan, next_item, output_len, updated) VALUES (?1, ?2, ?3, strftime('%s','now'))
                     ON CONFLICT (scan) DO UPDATE SET next_item = ?2, output_len = ?3, updated = strftime('%s','now')",
                    params![scan, c.next_item as i64, c.output_len as i64],
                )
                .map_err(|e| self.fail(&e))?;
            }
            Ok(())
        })
    }

    /// The checkpoint of a scan, if it was interrupted.
    pub fn checkpoint(&self, scan: &str) -> Option<Checkpoint> {
        let conn = self.conn.as_ref()?.lock().expect("store lock");
        conn.query_row(
            "SELECT next_item, output_len FROM checkpoint WHERE scan = ?1",
            params![scan],
            |r| {
                Ok(Checkpoint {
                    next_item: r.get::<_, i64>(0)? as u64,
                    output_len: r.get::<_, i64>(1)? as u64,
                })
            },
        )
        .optional()
        .ok()
        .flatten()
    }

    /// Forgets the checkpoint of a finished scan.
    pub fn finish_scan(&self, scan: &str) -> Result<()> {
        let Some(conn) = self.conn.as_ref().filter(|_| self.writable) else {
            return Ok(());
        };
        conn.lock()
            .expect("store lock")
            .execute("DELETE FROM checkpoint WHERE scan = ?1", params![scan])
            .map_err(|e| self.fail(&e))?;
        Ok(())
    }

    /// The stored verdict of a ticket or message.
    pub fn verdict(&self, kind: &str, key: &str) -> Option<StoredVerdict> {
        let conn = self.conn.as_ref()?.lock().expect("store lock");
        conn.query_row(
            "SELECT kind, key, level, report, updated FROM verdict WHERE kind = ?1 AND key = ?2",
            params![kind, key],
            |r| {
                Ok(StoredVerdict {
                    kind: r.get(0)?,
                    key: r.get(1)?,
                    level: r.get(2)?,
                    report: r.get(3)?,
                    updated: r.get(4)?,
                })
            },
        )
        .optional()
        .ok()
        .flatten()
    }

    /// Writes user profiles (replacing any with the same primary address).
    pub fn save_users(&self, users: &[crate::sender::User]) -> Result<usize> {
        let fail = |e: &dyn std::fmt::Display| Error::Unavailable {
            what: format!("store {}", self.path.display()),
            problem: e.to_string(),
        };
        let Some(conn) = self.conn.as_ref().filter(|_| self.writable) else {
            return Err(fail(&"opened read-only"));
        };
        let mut conn = conn.lock().expect("store lock");
        let tx = conn.transaction().map_err(|e| fail(&e))?;
        for u in users {
            let text = toml::to_string(u).map_err(|e| fail(&e))?;
            tx.execute(
                "INSERT INTO profile (email, profile) VALUES (?1, ?2)
                 ON CONFLICT (email) DO UPDATE SET profile = ?2",
                params![u.email.to_ascii_lowercase(), text],
            )
            .map_err(|e| fail(&e))?;
        }
        tx.commit().map_err(|e| fail(&e))?;
        Ok(users.len())
    }

    /// Every profile kept in the store.
    pub fn users(&self) -> Result<Vec<crate::sender::User>> {
        let Some(conn) = &self.conn else {
            return Ok(Vec::new());
        };
        let conn = conn.lock().expect("store lock");
        let fail = |e: &dyn std::fmt::Display| Error::Unavailable {
            what: format!("store {}", self.path.display()),
            problem: e.to_string(),
        };
        // A store written before profiles existed has no table: no profiles.
        let mut stmt = match conn.prepare("SELECT profile FROM profile ORDER BY email") {
            Ok(s) => s,
            Err(_) => return Ok(Vec::new()),
        };
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| fail(&e))?;
        let mut out = Vec::new();
        for row in rows {
            let text = row.map_err(|e| fail(&e))?;
            out.push(toml::from_str(&text).map_err(|e| fail(&e))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_reads_history() {
        let dir = std::env::temp_dir().join(format!("impostor-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("s.db");
        let store = Store::open(&path, true).unwrap();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(store.history("A@x.example", Some(ip)), History::default());
        store.record("A@x.example", Some(ip), 100).unwrap();
        store.record("a@x.example", Some(ip), 200).unwrap();
        let h = store.history("a@x.example", Some(ip));
        assert_eq!(
            (h.messages, h.first_seen, h.ip_known, h.ips),
            (2, Some(100), true, 1)
        );
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        assert!(!store.history("a@x.example", Some(other)).ip_known);
        drop(store);
        let ro = Store::open(&path, false).unwrap();
        ro.record("b@x.example", None, 300).unwrap();
        assert_eq!(ro.history("b@x.example", None).messages, 0);
        assert_eq!(ro.history("a@x.example", None).messages, 2);
        let rw = Store::open(&path, true).unwrap();
        let user = crate::sender::User {
            email: "A@x.example".into(),
            name: "A".into(),
            ..Default::default()
        };
        rw.save_users(std::slice::from_ref(&user)).unwrap();
        rw.save_users(std::slice::from_ref(&user)).unwrap();
        assert_eq!(rw.users().unwrap(), [user]);
        // Records wait in memory and are read through before and after they are written.
        let ip2: IpAddr = "192.0.2.2".parse().unwrap();
        rw.record("c@x.example", Some(ip), 400).unwrap();
        rw.flush().unwrap();
        rw.record("c@x.example", Some(ip), 500).unwrap();
        rw.record("c@x.example", Some(ip2), 300).unwrap();
        let h = rw.history("c@x.example", Some(ip2));
        assert_eq!(
            (h.messages, h.first_seen, h.ip_known, h.ips),
            (3, Some(300), true, 2)
        );
        rw.flush().unwrap();
        assert_eq!(rw.history("c@x.example", Some(ip2)), h);
        drop(rw);
        let ro = Store::open(&path, false).unwrap();
        assert_eq!(ro.history("c@x.example", None).messages, 3);
        // A store of the previous schema (no `flushed` table), read-only.
        let old = dir.join("v3.db");
        let c = Connection::open(&old).unwrap();
        c.execute_batch(
            "CREATE TABLE sender (address TEXT NOT NULL, ip TEXT NOT NULL, first_seen INTEGER NOT NULL,
             last_seen INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (address, ip));
             INSERT INTO sender VALUES ('d@x.example', '-', 100, 100, 2);",
        )
        .unwrap();
        drop(c);
        assert_eq!(
            Store::open(&old, false)
                .unwrap()
                .history("d@x.example", None)
                .messages,
            2
        );
        let missing = Store::open(&dir.join("none.db"), false).unwrap();
        assert_eq!(missing.history("a@x.example", None), History::default());
    }

    #[test]
    fn indexed_senders_answer_new_ones_without_a_query_and_keep_the_rest() {
        let dir = std::env::temp_dir().join(format!("impostor-store-index-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("s.db");
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let before = Store::open(&path, true).unwrap();
        for i in 0..500 {
            before
                .record(&format!("old{i}@x.example"), Some(ip), 100)
                .unwrap();
        }
        drop(before);
        let store = Store::open(&path, true).unwrap();
        // Waiting in memory when the index is built: still the store's.
        store.record("Pending@x.example", None, 150).unwrap();
        store.index_senders().unwrap();
        let filter = store.senders.get().unwrap();
        assert!((0..500).all(|i| filter.may_hold(&format!("old{i}@x.example"))));
        let false_positives = (0..10_000)
            .filter(|i| filter.may_hold(&format!("new{i}@x.example")))
            .count();
        assert!(
            false_positives < 10,
            "{false_positives} false positives in 10000"
        );
        assert_eq!(store.history("OLD7@x.example", Some(ip)).messages, 1);
        assert_eq!(store.history("pending@x.example", None).messages, 1);
        assert_eq!(store.history("new@x.example", None), History::default());
        // Recorded after the index, flushed or not, and past the in-memory histories' limit.
        store.record("new@x.example", Some(ip), 200).unwrap();
        assert_eq!(store.history("new@x.example", None).messages, 1);
        store.flush().unwrap();
        store.known.lock().unwrap().clear();
        let h = store.history("new@x.example", Some(ip));
        assert_eq!((h.messages, h.first_seen, h.ip_known), (1, Some(200), true));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn history_read_while_batches_are_written_counts_each_record_once() {
        let dir = std::env::temp_dir().join(format!("impostor-store-race-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = std::sync::Arc::new(Store::open(&dir.join("s.db"), true).unwrap());
        let recorded = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        const N: usize = 6_000;
        let writer = {
            let (store, recorded) = (store.clone(), recorded.clone());
            std::thread::spawn(move || {
                for i in 0..N {
                    store
                        .record(&format!("s{i}@x.example"), None, i as i64)
                        .unwrap();
                    recorded.store(i + 1, std::sync::atomic::Ordering::SeqCst);
                    if i % 7 == 0 {
                        store.flush().unwrap();
                    }
                }
            })
        };
        let mut checked = 0;
        let mut next = 0;
        while next < N {
            let done = recorded.load(std::sync::atomic::Ordering::SeqCst);
            if next < done {
                // Each address is read once, so the answer comes from the database and the
                // batches in memory, not from the per-address cache.
                let h = store.history(&format!("s{next}@x.example"), None);
                assert_eq!(h.messages, 1, "address {next}");
                next += 1;
                checked += 1;
            }
        }
        writer.join().unwrap();
        assert_eq!(checked, N);
    }
}
