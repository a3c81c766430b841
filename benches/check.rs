//! Check throughput over the bundled fixtures with the snapshot DNS source: messages per
//! second and CPU per message, sequential and with 8 messages in flight.
//!
//! Run with `cargo bench --bench check` (optionally `-- SECONDS`, default 5 per phase).
//! CPU time is the process's user+system time from /proc/self/stat, so it includes the
//! in-process DNS server that serves the snapshot.

use impostor::{Settings, Triage, config};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat(5); `rest` starts at field 3.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let seconds: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/mail"))
        .expect("fixtures/mail")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    let messages: Vec<(Vec<u8>, String)> = files
        .iter()
        .map(|p| (std::fs::read(p).unwrap(), p.display().to_string()))
        .collect();
    let mut loaded = config::load(Some(&root.join("fixtures/impostor.toml"))).unwrap();
    // A fresh store per run, so the history it writes is part of what is measured.
    let store = std::env::temp_dir().join(format!("impostor-bench-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&store);
    loaded.config.store = Some(store);
    let settings = Settings {
        config: loaded.config,
        dns_snapshot: Some(root.join("fixtures/dns/zone.json")),
        ..Default::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let triage = Arc::new(Triage::new(settings).await.expect("triage builds"));
        // Warm the resolver cache: a batch run sees each DNS name once.
        for (raw, name) in &messages {
            triage.check(raw.clone(), name).await.expect("fixture checks");
        }
        println!(
            "corpus: {} fixture messages, snapshot DNS on loopback, {seconds} s per phase",
            messages.len()
        );
        for in_flight in [1usize, 8] {
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let cpu0 = cpu_seconds();
            let t0 = Instant::now();
            let mut done = 0u64;
            while Instant::now() < deadline {
                let mut set = tokio::task::JoinSet::new();
                for chunk in messages.chunks(messages.len().div_ceil(in_flight)) {
                    let triage = triage.clone();
                    let chunk = chunk.to_vec();
                    set.spawn(async move {
                        for (raw, name) in chunk {
                            triage.check(raw, &name).await.expect("fixture checks");
                        }
                    });
                }
                while set.join_next().await.is_some() {}
                done += messages.len() as u64;
            }
            let wall = t0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            println!(
                "in flight {in_flight}: {done} messages in {wall:.2} s = {:.0} messages/s, CPU {:.3} ms/message",
                done as f64 / wall,
                cpu * 1000.0 / done as f64
            );
        }
    });
}
