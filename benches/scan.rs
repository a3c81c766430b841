//! `impostor scan` over a generated corpus: throughput, CPU per message, peak memory and DNS
//! queries per distinct name, measured on the real binary.
//!
//! ```text
//! cargo bench --bench scan -- [--messages N] [--scale K] [--jobs J]
//! ```
//!
//! * `--messages N` (default 20000): corpus size. The corpus (`corpus.mbox` plus the DNS
//!   snapshot `zone.json` it needs, see `corpus/mod.rs`) is generated once into
//!   `target/impostor-corpus/<N>/` and reused while the generator version is unchanged.
//! * `--scale K`: also scan a K-times larger corpus (K·N messages) and print both peak RSS
//!   values side by side; a streaming scan should need about the same memory for both.
//! * `--jobs J`: passed to `impostor scan --jobs` (default: impostor's own default).
//!
//! The snapshot is served by impostor's own in-process DNS server (`DnsServer`) on loopback,
//! in this process, and the scan runs as a child process pointed at it with `--nameserver`,
//! so the child's CPU time and peak RSS (from `wait4`) are impostor's alone; the DNS server's
//! CPU is reported separately.

mod corpus;

use impostor::auth::dns::{DnsServer, Snapshot};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MIB: f64 = 1024.0 * 1024.0;

struct Args {
    messages: usize,
    scale: usize,
    jobs: Option<usize>,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "scan bench: {problem}\nusage: cargo bench --bench scan -- [--messages N] [--scale K] [--jobs J]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut args = Args {
        messages: 20_000,
        scale: 1,
        jobs: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut number = |name: &str| -> usize {
            let v = inline
                .clone()
                .or_else(|| it.next())
                .unwrap_or_else(|| usage(&format!("{name} needs a number")));
            v.parse()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage(&format!("{name}: {v:?} is not a positive number")))
        };
        match flag.as_str() {
            "--messages" | "-n" => args.messages = number("--messages"),
            "--scale" => args.scale = number("--scale"),
            "--jobs" => args.jobs = Some(number("--jobs")),
            // cargo bench passes --bench to harness = false benches.
            "--bench" => {}
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    args
}

/// What one scan cost.
struct Run {
    wall: Duration,
    user: Duration,
    sys: Duration,
    max_rss_kib: u64,
    exit: i32,
    summary: String,
    stderr: String,
    queries: u64,
    unique: usize,
    server_cpu: Duration,
    /// /proc/loadavg before the run: other work on the machine skews every figure.
    load_before: String,
    command: Vec<String>,
    standalone: Vec<String>,
    items: Option<u64>,
    errors: Option<u64>,
    likely_spoofed: Option<u64>,
}

fn tv(t: libc::timeval) -> Duration {
    Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
}

/// User + system CPU of this process (all threads, so the DNS server too).
fn self_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we pass; RUSAGE_SELF is always valid.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Reaps `pid` and returns its exit code and resource usage (its own, not its siblings').
fn wait_child(pid: u32) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: wait4 fills `status` and `ru`; `pid` is our child, not yet reaped.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut ru) };
        if r == pid as libc::pid_t {
            break;
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            panic!("wait4({pid}): {err}");
        }
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    (code, ru)
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:=,@+".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn shell(words: &[String]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `N` from `… {N} {what}` in the summary's first lines.
fn number_before(text: &str, what: &str) -> Option<u64> {
    let at = text.find(what)?;
    text[..at].split_whitespace().last()?.parse().ok()
}

fn remove_store(store: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = store.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

// The child is reaped by `wait_child` (wait4, for its own rusage), not through std.
#[allow(clippy::zombie_processes)]
fn scan(root: &Path, c: &corpus::Corpus, jobs: Option<usize>) -> Run {
    let bin = env!("CARGO_BIN_EXE_impostor");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let snapshot = Snapshot::load(&c.zone).unwrap_or_else(|e| panic!("{}: {e}", c.zone.display()));
    let server = runtime
        .block_on(DnsServer::serve_snapshot(snapshot))
        .expect("DNS server on loopback");
    let store = std::env::temp_dir().join(format!(
        "impostor-bench-scan-{}-{}.db",
        std::process::id(),
        c.manifest.messages
    ));
    remove_store(&store);
    // Not /dev/null: impostor fdatasyncs its output at checkpoints, which /dev/null refuses.
    let output = store.with_extension("out");

    let config = root.join("fixtures/impostor.toml");
    let mut tail: Vec<String> = vec![
        "--store".into(),
        store.display().to_string(),
        "--format".into(),
        "summary".into(),
        "--output".into(),
        output.display().to_string(),
    ];
    if let Some(j) = jobs {
        tail.extend(["--jobs".into(), j.to_string()]);
    }
    tail.push(c.mbox.display().to_string());
    let head = |dns: [String; 2]| -> Vec<String> {
        let mut v: Vec<String> = vec![
            bin.into(),
            "scan".into(),
            "--config".into(),
            config.display().to_string(),
        ];
        v.extend(dns);
        v.extend(tail.iter().cloned());
        v
    };
    let command = head(["--nameserver".into(), server.addr().to_string()]);
    let standalone = head(["--dns-snapshot".into(), c.zone.display().to_string()]);

    let load_before = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let cpu0 = self_cpu();
    let started = Instant::now();
    let mut child = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{bin}: {e}"));
    let drain = |r: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut s);
            }
            String::from_utf8_lossy(&s).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
    // Reaped here, with its own rusage; `child` is never waited on through std.
    let (exit, ru) = wait_child(child.id());
    let wall = started.elapsed();
    let server_cpu = self_cpu().saturating_sub(cpu0);
    let summary = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    let (queries, unique) = (server.stats().queries(), server.stats().unique());
    drop(server);
    drop(runtime);
    remove_store(&store);
    let _ = std::fs::remove_file(&output);

    Run {
        wall,
        user: tv(ru.ru_utime),
        sys: tv(ru.ru_stime),
        max_rss_kib: ru.ru_maxrss as u64,
        exit,
        items: number_before(&summary, "item(s)"),
        errors: number_before(&summary, "error(s)"),
        likely_spoofed: summary
            .split_once("likely_spoofed ")
            .and_then(|(_, r)| r.split_whitespace().next()?.parse().ok()),
        summary,
        stderr,
        queries,
        unique,
        server_cpu,
        load_before,
        command,
        standalone,
    }
}

fn report(c: &corpus::Corpus, r: &Run, jobs: Option<usize>, cpus: usize) {
    let m = &c.manifest;
    let n = m.messages as f64;
    let cpu = r.user + r.sys;
    println!();
    println!("== impostor scan: {} messages ==", m.messages);
    println!(
        "corpus      {}  {:.1} MiB, {} messages ({}, generator v{})",
        c.mbox.display(),
        m.bytes as f64 / MIB,
        m.messages,
        if c.reused {
            "reused".to_string()
        } else {
            format!("generated in {:.1} s", c.took.as_secs_f64())
        },
        m.version
    );
    println!(
        "            DKIM {} RSA-2048 + {} Ed25519, {} spoofed (unsigned, SPF fail, p=reject); {} Japanese ({} ISO-2022-JP)",
        m.rsa, m.ed25519, m.spoofed, m.japanese, m.iso2022jp
    );
    println!(
        "            {} text/plain, {} multipart/alternative, {} multipart/mixed with a PDF; {} risky requests; {} >From lines",
        m.plain, m.alternative, m.mixed, m.risky, m.from_quoted
    );
    println!(
        "zone        {}  {} sender domains, {} names",
        c.zone.display(),
        m.domains,
        m.zone_names
    );
    println!(
        "impostor    exit {}, --jobs {}, {} CPUs on this machine, load average before: {}",
        r.exit,
        jobs.map_or("impostor's default".to_string(), |j| j.to_string()),
        cpus,
        r.load_before
    );
    for line in r.summary.lines() {
        println!("          | {line}");
    }
    println!("wall time   {:.2} s", r.wall.as_secs_f64());
    println!(
        "throughput  {:.0} messages/s ({:.1} MiB/s)",
        n / r.wall.as_secs_f64(),
        m.bytes as f64 / MIB / r.wall.as_secs_f64()
    );
    println!(
        "CPU         {:.3} ms/message (user {:.2} s + sys {:.2} s = {:.2} s; {:.2} cores busy on average)",
        cpu.as_secs_f64() * 1000.0 / n,
        r.user.as_secs_f64(),
        r.sys.as_secs_f64(),
        cpu.as_secs_f64(),
        cpu.as_secs_f64() / r.wall.as_secs_f64()
    );
    println!("peak RSS    {:.1} MiB", r.max_rss_kib as f64 / 1024.0);
    println!(
        "DNS         {} queries for {} distinct (name, type): {:.2} queries per unique name, {:.2} per message",
        r.queries,
        r.unique,
        r.queries as f64 / r.unique.max(1) as f64,
        r.queries as f64 / n
    );
    println!(
        "DNS server  {:.2} s CPU in the bench process (not counted above)",
        r.server_cpu.as_secs_f64()
    );
    if r.items != Some(m.messages) || r.errors != Some(0) {
        println!(
            "WARNING     impostor reported {:?} items and {:?} errors for {} messages",
            r.items, r.errors, m.messages
        );
    }
    if let Some(ls) = r.likely_spoofed
        && ls < m.spoofed
    {
        println!(
            "WARNING     {ls} likely_spoofed verdicts for {} spoofed messages",
            m.spoofed
        );
    }
    println!("ran         {}", shell(&r.command));
    println!(
        "standalone  {}  (same scan, snapshot served inside impostor)",
        shell(&r.standalone)
    );
}

fn main() {
    let args = parse_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| if t.is_relative() { root.join(t) } else { t })
        .unwrap_or_else(|| root.join("target"));
    let corpus_root = target.join("impostor-corpus");
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut sizes = vec![args.messages];
    if args.scale > 1 {
        sizes.push(args.messages * args.scale);
    }
    let mut runs = Vec::new();
    for size in sizes {
        eprintln!(
            "scan bench: corpus of {size} messages in {}",
            corpus_root.join(size.to_string()).display()
        );
        let c = corpus::ensure(&corpus_root, &root.join("fixtures/keys"), size)
            .unwrap_or_else(|e| panic!("writing the corpus: {e}"));
        if !c.reused {
            eprintln!(
                "scan bench: generated {} messages ({:.1} MiB) in {:.1} s",
                size,
                c.manifest.bytes as f64 / MIB,
                c.took.as_secs_f64()
            );
        }
        eprintln!("scan bench: scanning…");
        let r = scan(root, &c, args.jobs);
        if r.exit >= 60 || r.items.is_none() {
            eprintln!(
                "scan bench: impostor failed (exit {}):\n{}\n{}",
                r.exit, r.summary, r.stderr
            );
            std::process::exit(1);
        }
        report(&c, &r, args.jobs, cpus);
        runs.push((c, r));
    }
    if let [(a, ra), (b, rb)] = runs.as_slice() {
        let rate = |c: &corpus::Corpus, r: &Run| c.manifest.messages as f64 / r.wall.as_secs_f64();
        let ms = |c: &corpus::Corpus, r: &Run| {
            (r.user + r.sys).as_secs_f64() * 1000.0 / c.manifest.messages as f64
        };
        println!();
        println!(
            "== {} vs {} messages (x{}) ==",
            a.manifest.messages, b.manifest.messages, args.scale
        );
        println!(
            "            {:>14} {:>14}",
            a.manifest.messages, b.manifest.messages
        );
        println!(
            "peak RSS    {:>10.1} MiB {:>10.1} MiB   (x{:.2})",
            ra.max_rss_kib as f64 / 1024.0,
            rb.max_rss_kib as f64 / 1024.0,
            rb.max_rss_kib as f64 / ra.max_rss_kib.max(1) as f64
        );
        println!("messages/s  {:>14.0} {:>14.0}", rate(a, ra), rate(b, rb));
        println!("CPU ms/msg  {:>14.3} {:>14.3}", ms(a, ra), ms(b, rb));
        println!(
            "DNS q/name  {:>14.2} {:>14.2}",
            ra.queries as f64 / ra.unique.max(1) as f64,
            rb.queries as f64 / rb.unique.max(1) as f64
        );
    }
    let mut reproduce = format!("cargo bench --bench scan -- --messages {}", args.messages);
    if args.scale > 1 {
        reproduce.push_str(&format!(" --scale {}", args.scale));
    }
    if let Some(j) = args.jobs {
        reproduce.push_str(&format!(" --jobs {j}"));
    }
    println!();
    println!("reproduce   {reproduce}");
}
