//! What each stage of a triage costs on its own, one thread, caches warm: the floor under
//! `impostor scan`'s CPU per message, and how much of it the pinned crates take.
//!
//! ```text
//! cargo bench --bench floor -- [--messages N] [--rounds R]
//! ```
//!
//! Over the scan bench's corpus (generated if missing, see `corpus/mod.rs`), each message is
//! run through the stages one at a time, after one warm-up round (which also fills the DNS
//! caches from impostor's DNS server on loopback, serving the corpus's zone):
//!
//! * `mail-parser`: `MessageParser::parse`, the MIME parse every triage starts with;
//! * `message`: impostor's `Message::parse`, that parse plus the current text, the Received
//!   chain and the header facts;
//! * `authentication`: `auth::verify`: mail-auth's own parse, DKIM (ring's RSA and Ed25519),
//!   SPF, DMARC and ARC, with every DNS answer already cached;
//! * `requests`: the request rules (`request::analyze`) on the parsed message;
//! * `sender`: the sender checks (`sender::analyze`) against the fixture profiles.
//!
//! Times are this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) per message, the best of R
//! rounds (default 3). A scan adds the store, the output, the checkpoints and two threads
//! sharing one cache, so its CPU per message is higher than the sum.

mod corpus;

// The allocator of the `impostor` binary, so that allocation costs what it costs in a scan.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use impostor::auth::dns::{DnsSettings, DnsView, Snapshot};
use impostor::auth::{self, Envelope};
use impostor::message::{Message, originate};
use impostor::request::{self, RuleSet};
use impostor::sender::{self, Knowledge, Profiles};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which `ts` is.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "floor bench: {problem}\nusage: cargo bench --bench floor -- [--messages N] [--rounds R]"
    );
    std::process::exit(2)
}

fn parse_args() -> (usize, usize) {
    let (mut messages, mut rounds) = (20_000, 3);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut number = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage(&format!("{arg} needs a positive number")))
        };
        match arg.as_str() {
            "--messages" => messages = number(),
            "--rounds" => rounds = number(),
            // `cargo bench` passes --bench to every bench binary.
            "--bench" => {}
            other => usage(&format!("unknown argument {other}")),
        }
    }
    (messages, rounds)
}

/// The best (lowest) CPU time per message of `rounds` runs of `stage` over `items`.
fn best<T>(rounds: usize, items: &[T], mut stage: impl FnMut(&T)) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = thread_cpu();
            for item in items {
                stage(item);
            }
            (thread_cpu() - start) / items.len().max(1) as u32
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let (n, rounds) = parse_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_relative() { root.join(t) } else { t })
        .unwrap_or_else(|| root.join("target"));
    let c = corpus::ensure(
        &target.join("impostor-corpus"),
        &root.join("fixtures/keys"),
        n,
    )
    .unwrap_or_else(|e| panic!("writing the corpus: {e}"));
    if !c.reused {
        eprintln!(
            "floor bench: generated {} messages ({:.1} MiB) in {:.1} s",
            c.manifest.messages,
            c.manifest.bytes as f64 / (1024.0 * 1024.0),
            c.took.as_secs_f64()
        );
    }
    let file = std::fs::File::open(&c.mbox).unwrap_or_else(|e| panic!("{}: {e}", c.mbox.display()));
    let raws: Vec<Vec<u8>> = impostor::source::mbox::Mbox::new(BufReader::new(file))
        .filter_map(|e| e.message.ok())
        .collect();
    // The scan bench's configuration: its protected domain and profiles.
    let config = impostor::config::load(Some(&root.join("fixtures/impostor.toml")))
        .expect("fixtures/impostor.toml")
        .config;
    let messages: Vec<Message> = raws
        .iter()
        .map(|r| Message::parse(r.clone(), "corpus").expect("corpus messages parse"))
        .collect();
    let envelopes: Vec<Envelope> = messages
        .iter()
        .map(|m| {
            let origin = originate(&m.received, &config.trusted_relays, m.fields.len());
            Envelope {
                ip: origin.ip,
                helo: origin.helo.clone(),
                mail_from: m.return_path.clone(),
                receiver: origin.receiver.clone(),
            }
        })
        .collect();
    let rules = RuleSet::load(None).expect("built-in rules");
    let profiles = match &config.profiles {
        Some(path) => Profiles::load(path).expect("fixture profiles"),
        None => Profiles::default(),
    };
    let knowledge = Knowledge::new(
        profiles,
        &config.protected_domains,
        impostor::sender::lookalike::Tables::new(&config.shared_tenants),
        impostor::sender::lookalike::freemail(&config.freemail),
        impostor::sender::lookalike::platforms(&config.platforms),
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let settings = DnsSettings {
        nameserver: None,
        timeout: Duration::from_secs(2),
        attempts: 2,
        budget: Duration::from_secs(10),
    };
    let snapshot = Snapshot::load(&c.zone).expect("corpus zone");
    let view = runtime
        .block_on(DnsView::snapshot(snapshot, &settings))
        .expect("DNS server on loopback");
    let authenticate = |i: &usize| {
        std::hint::black_box(runtime.block_on(auth::verify(&view, &raws[*i], &envelopes[*i])));
    };
    let all: Vec<usize> = (0..raws.len()).collect();
    // Warm-up: DNS answers cached, rule automata built, allocator pools filled.
    all.iter().for_each(authenticate);

    let parser = mail_parser::MessageParser::default();
    let mail_parser = best(rounds, &raws, |r| {
        std::hint::black_box(parser.parse(r));
    });
    let message = best(rounds, &raws, |r| {
        std::hint::black_box(Message::parse(r.clone(), "corpus").ok());
    });
    let authentication = best(rounds, &all, authenticate);
    let no_one = || None;
    let context = request::Context {
        privileged: &no_one,
    };
    let requests = best(rounds, &messages, |m| {
        std::hint::black_box(request::analyze(m, &rules, &context));
    });
    let senders = best(rounds, &all, |i| {
        let seen = sender::Seen {
            ip: envelopes[*i].ip,
            history: None,
        };
        std::hint::black_box(sender::analyze(&messages[*i], &knowledge, seen));
    });
    // The same stages one message at a time, as a scan runs them: each stage finds the caches
    // the others left behind.
    let interleaved = best(rounds, &all, |i| {
        let m = Message::parse(raws[*i].clone(), "corpus").expect("corpus messages parse");
        authenticate(i);
        std::hint::black_box(request::analyze(&m, &rules, &context));
        let seen = sender::Seen {
            ip: envelopes[*i].ip,
            history: None,
        };
        std::hint::black_box(sender::analyze(&m, &knowledge, seen));
    });

    // And in batches, stage by stage, as a scan's workers run them.
    let batched: Vec<(usize, Duration)> = [16, 64, 256]
        .into_iter()
        .map(|size| {
            let batches: Vec<Vec<usize>> = all.chunks(size).map(<[usize]>::to_vec).collect();
            let per_batch = best(rounds, &batches, |batch| {
                let parsed: Vec<Message> = batch
                    .iter()
                    .map(|i| {
                        Message::parse(raws[*i].clone(), "corpus").expect("corpus messages parse")
                    })
                    .collect();
                batch.iter().for_each(authenticate);
                for (i, m) in batch.iter().zip(&parsed) {
                    std::hint::black_box(request::analyze(m, &rules, &context));
                    let seen = sender::Seen {
                        ip: envelopes[*i].ip,
                        history: None,
                    };
                    std::hint::black_box(sender::analyze(m, &knowledge, seen));
                }
            });
            (size, per_batch / size as u32)
        })
        .collect();

    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "floor bench: {} messages, one thread, best of {rounds} rounds, CPU µs per message",
        raws.len()
    );
    let rows = [
        ("mail-parser parse", mail_parser),
        ("message (parse + current text + headers)", message),
        (
            "authentication (mail-auth, ring; DNS cached)",
            authentication,
        ),
        ("request rules", requests),
        ("sender checks", senders),
    ];
    for (what, d) in rows {
        println!("  {what:<46} {:>7.1}", us(d));
    }
    let pinned = us(mail_parser) + us(authentication);
    let total = us(message) + us(authentication) + us(requests) + us(senders);
    println!(
        "  {:<46} {:>7.1}",
        "pinned crates (mail-parser + authentication)", pinned
    );
    println!("  {:<46} {:>7.1}", "all stages", total);
    println!(
        "  {:<46} {:>7.1}",
        "all stages, one message at a time",
        us(interleaved)
    );
    for (size, d) in &batched {
        let what = format!("all stages, in batches of {size}");
        println!("  {what:<46} {:>7.1}", us(*d));
    }
    println!(
        "  the scan goal allows 150 µs of CPU per message: the pinned crates take {:.0} % of it, all stages {:.0} %",
        pinned / 1.5,
        total / 1.5
    );
}
