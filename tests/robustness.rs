//! Damaged input never panics or hangs: every fixture cut at many points and with bytes
//! flipped goes through the whole pipeline (parse, Received walk, authentication against the
//! fixture zone, verdict, every output format) and ends in a report or a one-line error.

use crate::util::*;
use impostor::{Settings, Triage, config};

/// A small deterministic generator, so a failure names a reproducible case.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// The runtime a pipeline runs in: two workers, as on the project's machine.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn cut_and_flipped_fixtures_never_panic() {
    runtime().block_on(async {
        let loaded = config::load(Some(&config())).unwrap();
        let mut settings = Settings {
            config: loaded.config,
            dns_snapshot: Some(fixture("dns/zone.json")),
            ..Default::default()
        };
        settings.config.dns.timeout_ms = 300;
        settings.config.store = Some(scratch("robustness").join("store.db"));
        let triage = Triage::new(settings).await.unwrap();
        let mut rng = Lcg(0x1bad_c0de);
        let mut runs = 0;
        for path in mail_fixtures() {
            let raw = std::fs::read(&path).unwrap();
            let mut variants: Vec<Vec<u8>> = Vec::new();
            let step = (raw.len() / 12).max(1);
            for cut in (0..raw.len()).step_by(step) {
                variants.push(raw[..cut].to_vec());
            }
            for _ in 0..8 {
                let mut v = raw.clone();
                for _ in 0..1 + rng.next() % 6 {
                    let i = (rng.next() as usize) % v.len();
                    v[i] = (rng.next() % 256) as u8;
                }
                variants.push(v);
            }
            for (n, v) in variants.into_iter().enumerate() {
                let name = format!("{}#{n}", path.display());
                runs += 1;
                if let Ok(report) = triage.check(v, &name).await {
                    let line = impostor::report::json::to_line(&report, impostor::Lang::En);
                    assert!(
                        serde_json::from_str::<serde_json::Value>(&line).is_ok(),
                        "{name}"
                    );
                    let _ = impostor::report::human::render(&report, impostor::Lang::Ja);
                    let _ = impostor::report::headers::annotate(&report, "mx.example");
                }
            }
        }
        assert!(runs > 500, "{runs}");
    });
}

/// A batch (`Triage::check_batch`, as `scan` runs it) gives each message what `check` gives it,
/// in order, with a broken message costing only its own place.
#[test]
fn a_batch_gives_each_message_what_check_gives() {
    runtime().block_on(async {
        // Each run records senders in its own store: a shared one would make the second run's
        // senders known ones.
        let triage = |name: &str| {
            let mut settings = Settings {
                config: config::load(Some(&config())).unwrap().config,
                dns_snapshot: Some(fixture("dns/zone.json")),
                ..Default::default()
            };
            settings.config.store = Some(scratch(name).join("store.db"));
            Triage::new(settings)
        };
        let (one, batch) = (
            triage("batch-one").await.unwrap(),
            triage("batch-all").await.unwrap(),
        );
        let mut items: Vec<(Vec<u8>, String)> = mail_fixtures()
            .into_iter()
            .map(|p| (std::fs::read(&p).unwrap(), p.display().to_string()))
            .collect();
        items.insert(3, (b"not an email at all".to_vec(), "junk".into()));
        assert!(items.len() > 20);
        let mut expected = Vec::new();
        for (raw, name) in items.clone() {
            expected.push(one.check(raw, &name).await);
        }
        let got = batch.check_batch(items).await;
        assert_eq!(got.len(), expected.len());
        for ((got, _), want) in got.iter().zip(&expected) {
            match (got, want) {
                (Ok(g), Ok(w)) => {
                    assert_eq!(g.input, w.input);
                    assert_eq!(g.verdict, w.verdict, "{}", g.input);
                    assert_eq!(g.auth, w.auth, "{}", g.input);
                }
                (Err(g), Err(w)) => assert_eq!(g.to_string(), w.to_string()),
                _ => panic!("batch and check disagree: {got:?} vs {want:?}"),
            }
        }
        assert!(got[3].0.is_err());
    });
}
