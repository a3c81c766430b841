//! Helpers shared by the integration tests: run the binary, find fixtures, and serve the
//! fixture zone from a real DNS server on 127.0.0.1 (hickory-server, in process).

use impostor::auth::dns::{DnsServer, Snapshot};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// The test configuration.
pub fn config() -> PathBuf {
    fixture("impostor.toml")
}

/// A scratch directory unique to one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("impostor-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A data directory (sender history) private to this test process.
pub fn data_home() -> PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| scratch("data-home")).clone()
}

/// Runs `impostor` with arguments and optional stdin, with no ambient config.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_impostor"));
    cmd.args(args)
        .env_remove("IMPOSTOR_CONFIG")
        .env_remove("ZENDESK_URL")
        .env_remove("ZENDESK_SUBDOMAIN")
        .env_remove("ZENDESK_EMAIL")
        .env_remove("ZENDESK_API_TOKEN")
        .env_remove("ZENDESK_OAUTH_TOKEN")
        .env(
            "XDG_CONFIG_HOME",
            root().join("target").join("no-such-config-home"),
        )
        // Sender history goes to a store private to this test run, never the user's.
        .env("XDG_DATA_HOME", data_home())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("impostor binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        // The binary may refuse early (too large) and close its end: that is not a test error.
        let _ = pipe.write_all(input);
    }
    child.wait_with_output().unwrap()
}

/// The exit code of a finished run.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally, not by a signal")
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every JSON object on stdout.
pub fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

struct ZoneServer {
    _runtime: tokio::runtime::Runtime,
    server: DnsServer,
}

/// The address of a DNS server serving `fixtures/dns/zone.json`, started once per test run.
pub fn zone() -> SocketAddr {
    static ZONE: OnceLock<ZoneServer> = OnceLock::new();
    ZONE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let snapshot = Snapshot::load(&fixture("dns/zone.json")).expect("fixture zone loads");
        let server = runtime
            .block_on(DnsServer::serve_snapshot(snapshot))
            .expect("DNS server starts");
        ZoneServer {
            _runtime: runtime,
            server,
        }
    })
    .server
    .addr()
}

/// A nameserver that never answers: a bound UDP socket whose reader drops every query.
pub fn black_hole() -> SocketAddr {
    static HOLE: OnceLock<SocketAddr> = OnceLock::new();
    *HOLE.get_or_init(|| {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while socket.recv_from(&mut buf).is_ok() {}
        });
        addr
    })
}

/// The fixture messages, sorted.
pub fn mail_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixture("mail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    v.sort();
    v
}

/// A path as `&str`.
/// The evidence codes of a `check --json` report, in order.
pub fn evidence_codes(v: &serde_json::Value) -> Vec<&str> {
    v["evidence"]
        .as_array()
        .expect("evidence is an array")
        .iter()
        .map(|e| e["code"].as_str().expect("code is a string"))
        .collect()
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
