//! `impostor ticket ID` end to end against a local Zendesk: an axum server on 127.0.0.1 that
//! serves Zendesk's documented JSON from `fixtures/zendesk/api/`, checks the Authorization
//! header, paginates comments by cursor, answers 429 once for one ticket, and records the notes
//! and tags impostor posts.

use crate::util::*;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

const EMAIL: &str = "agent@example.co.jp";
const TOKEN: &str = "test-token-0123";

#[derive(Default)]
struct Recorded {
    notes: HashMap<u64, Vec<String>>,
    tags: HashMap<u64, Vec<String>>,
    rate_limited: u32,
}

type Shared = Arc<Mutex<Recorded>>;

fn fixture_json(name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(fixture(&format!("zendesk/api/{name}"))).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn authorised(headers: &HeaderMap) -> bool {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}/token:{TOKEN}"));
    let want = format!("Basic {token}");
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(want.as_str())
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(serde_json::json!({"error": "RecordNotFound", "description": "Not found"})),
    )
        .into_response()
}

fn unauthorised() -> Response {
    (StatusCode::UNAUTHORIZED, "Couldn't authenticate you").into_response()
}

async fn ticket(State(s): State<Shared>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let id: u64 = file.trim_end_matches(".json").parse().unwrap_or(0);
    if id == 1005 {
        let mut r = s.lock().unwrap();
        if r.rate_limited == 0 {
            r.rate_limited += 1;
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1"), ("content-type", "text/plain")],
                "Number of allowed API requests per minute exceeded",
            )
                .into_response();
        }
    }
    match fixture_json(&format!("ticket-{id}.json")) {
        Some(v) => axum::Json(v).into_response(),
        None => not_found(),
    }
}

async fn comments(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let name = match q.get("page[after]") {
        Some(after) => format!("comments-{id}-{after}.json"),
        None => match fixture_json(&format!("comments-{id}.json")) {
            Some(_) => format!("comments-{id}.json"),
            None => format!("comments-{id}-p1.json"),
        },
    };
    let Some(mut v) = fixture_json(&name) else {
        return not_found();
    };
    // Notes posted earlier are the ticket's private comments now.
    let last_page = v["meta"]["has_more"] != true;
    if last_page {
        let notes = s
            .lock()
            .unwrap()
            .notes
            .get(&id)
            .cloned()
            .unwrap_or_default();
        let list = v["comments"].as_array_mut().unwrap();
        for (i, body) in notes.into_iter().enumerate() {
            list.push(serde_json::json!({"id": 99_000 + i, "author_id": 9001, "public": false, "body": body, "plain_body": body, "via": {"channel": "api"}}));
        }
    }
    axum::Json(v).into_response()
}

async fn user(headers: HeaderMap, Path(file): Path<String>) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let id = file.trim_end_matches(".json");
    fixture_json(&format!("user-{id}.json"))
        .map_or_else(not_found, |v| axum::Json(v).into_response())
}

async fn identities(headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let v = fixture_json(&format!("identities-{id}.json"))
        .unwrap_or_else(|| serde_json::json!({"identities": [], "next_page": null, "previous_page": null, "count": 0}));
    axum::Json(v).into_response()
}

async fn update(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(file): Path<String>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let id: u64 = file.trim_end_matches(".json").parse().unwrap_or(0);
    let comment = &body["ticket"]["comment"];
    assert_eq!(comment["public"], false, "notes must be private");
    let text = comment["body"].as_str().unwrap().to_string();
    s.lock().unwrap().notes.entry(id).or_default().push(text);
    axum::Json(serde_json::json!({"ticket": {"id": id}, "audit": {}})).into_response()
}

async fn tags(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    if !authorised(&headers) {
        return unauthorised();
    }
    let new: Vec<String> = body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let mut r = s.lock().unwrap();
    let list = r.tags.entry(id).or_default();
    for t in new {
        if !list.contains(&t) {
            list.push(t);
        }
    }
    axum::Json(serde_json::json!({"tags": list.clone()})).into_response()
}

/// The router, built by one function (STYLE.md §15).
fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v2/tickets/{file}", get(ticket).put(update))
        .route("/api/v2/tickets/{id}/comments.json", get(comments))
        .route("/api/v2/tickets/{id}/tags.json", put(tags))
        .route("/api/v2/users/{file}", get(user))
        .route("/api/v2/users/{id}/identities.json", get(identities))
        .with_state(state)
}

struct Server {
    addr: SocketAddr,
    state: Shared,
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let state: Shared = Arc::default();
        let app = router(state.clone());
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                axum::serve(listener, app).await.unwrap();
            });
        });
        Server {
            addr: rx.recv().unwrap(),
            state,
        }
    })
}

fn ticket_cmd(args: &[&str], token: &str) -> std::process::Output {
    let cfg = config();
    let zone = fixture("dns/zone.json");
    let mut all = vec!["ticket", "--config", s(&cfg), "--dns-snapshot", s(&zone)];
    all.extend(args);
    std::process::Command::new(env!("CARGO_BIN_EXE_impostor"))
        .args(&all)
        .env("ZENDESK_URL", format!("http://{}", server().addr))
        .env("ZENDESK_EMAIL", EMAIL)
        .env("ZENDESK_API_TOKEN", token)
        .env_remove("ZENDESK_SUBDOMAIN")
        .env_remove("ZENDESK_OAUTH_TOKEN")
        .env("XDG_DATA_HOME", data_home())
        .env("XDG_CONFIG_HOME", root().join("target/no-such-config-home"))
        .output()
        .unwrap()
}

fn ticket_json(id: &str) -> Value {
    let out = ticket_cmd(&[id, "--json"], TOKEN);
    assert!(code(&out) < 60, "{}", stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

fn codes(comment: &Value) -> Vec<String> {
    comment["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_email_ticket_without_the_original_email_fails_closed() {
    let v = ticket_json("1001");
    assert_eq!(v["ticket"]["level"], "verify");
    let c = &v["comments"][0];
    assert_eq!(c["auth"]["source"], "none");
    assert!(codes(c).contains(&"context.no_raw_email".to_string()));
    // The requester's verified phone identity is the number to call, not the one in the text.
    let actions = c["actions"].to_string();
    assert!(actions.contains("+353 1 555 0199"), "{actions}");
    assert!(
        actions.contains("+1 415 555 0100") && actions.contains("Do not call"),
        "{actions}"
    );
    let human = ticket_cmd(&["1001"], TOKEN);
    assert!(stdout(&human).contains("SPF, DKIM and DMARC could not be checked"));
}

#[test]
fn the_original_email_adds_authentication_to_its_comment() {
    let eml = fixture("mail/dmarc-pass-reject.eml");
    let out = ticket_cmd(&["1001", "--json", "--eml", s(&eml)], TOKEN);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let c = &v["comments"][0];
    assert_eq!(c["auth"]["source"], "snapshot");
    assert_eq!(c["auth"]["dmarc"]["result"], "pass");
    // Authenticated, but from outside the networks Ryan's profile lists: a suspicious sender
    // asking for an R3 change.
    assert!(
        codes(c).contains(&"sender.ip_outside_networks".to_string()),
        "{:?}",
        codes(c)
    );
    assert_eq!(v["ticket"]["level"], "likely_spoofed");
    let other = fixture("mail/spf-pass.eml");
    let out = ticket_cmd(&["1001", "--json", "--eml", s(&other)], TOKEN);
    assert!(
        stderr(&out).contains("matches no comment"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_web_form_ticket_uses_the_recorded_ip() {
    let v = ticket_json("1002");
    let c = &v["comments"][0];
    assert_eq!(c["origin"]["ip"], "198.51.100.7");
    assert_eq!(c["origin"]["source"], "zendesk");
    assert_eq!(v["ticket"]["level"], "verify");
}

#[test]
fn flagged_comments_are_evidence() {
    let v = ticket_json("1003");
    let c = &v["comments"][0];
    let flags: Vec<&Value> = c["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == "context.zendesk_flag")
        .collect();
    assert_eq!(flags.len(), 2);
    assert!(
        codes(c).contains(&"context.zendesk_tag".to_string()),
        "the possible_spoof tag"
    );
    assert_eq!(c["verdict"]["sender_trust"], "suspicious");
}

#[test]
fn a_second_end_user_asking_for_an_email_change_is_a_thread_hijack() {
    let v = ticket_json("1004");
    let comments = v["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "the agent's reply is not triaged");
    assert!(codes(&comments[1]).contains(&"sender.thread_hijack".to_string()));
    assert_eq!(v["ticket"]["level"], "likely_spoofed");
}

#[test]
fn a_429_is_retried_after_retry_after() {
    let started = std::time::Instant::now();
    let v = ticket_json("1005");
    assert_eq!(v["ticket"]["id"], 1005);
    assert!(server().state.lock().unwrap().rate_limited >= 1);
    assert!(
        started.elapsed().as_millis() >= 900,
        "Retry-After was honoured"
    );
}

#[test]
fn a_missing_ticket_and_bad_credentials_are_one_line_errors() {
    let out = ticket_cmd(&["9999"], TOKEN);
    assert_eq!(code(&out), 66);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ticket 9999") && err.contains("404"), "{err}");
    let out = ticket_cmd(&["1002"], "wrong");
    assert_eq!(code(&out), 77);
    assert!(stderr(&out).contains("401"));
    assert!(!stderr(&out).contains("wrong"), "secrets are never printed");
}

#[test]
fn comments_are_read_across_cursor_pages() {
    let v = ticket_json("1006");
    let comments = v["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "{v}");
    assert_eq!(comments[1]["comment_id"], 10063);
    assert_eq!(
        v["ticket"]["level"], "likely_spoofed",
        "an admin grant from a look-alike address"
    );
}

#[test]
fn post_adds_one_private_note_and_tags_and_is_idempotent() {
    let out = ticket_cmd(&["1003", "--post"], TOKEN);
    assert!(code(&out) < 60, "{}", stderr(&out));
    let out = ticket_cmd(&["1003", "--post"], TOKEN);
    assert!(stderr(&out).contains("already noted"), "{}", stderr(&out));
    let r = server().state.lock().unwrap();
    let notes = &r.notes[&1003];
    assert_eq!(notes.len(), 1, "one note for one verdict");
    assert!(notes[0].contains("impostor-verdict:"));
    let tags = &r.tags[&1003];
    assert!(tags.contains(&"impostor_checked".to_string()));
    assert!(
        tags.iter()
            .any(|t| t.starts_with("impostor_") && t != "impostor_checked")
    );
}

#[test]
fn note_is_printed_in_japanese() {
    let out = ticket_cmd(&["1002", "--note", "--lang", "ja"], TOKEN);
    let text = stdout(&out);
    assert!(text.starts_with("**impostor: 要本人確認**"), "{text}");
    assert!(text.contains("**対応**"), "{text}");
}

#[test]
fn without_the_api_the_stored_verdict_is_shown() {
    let tmp = scratch("stored-ticket");
    let store = tmp.join("store.db");
    let cfg = config();
    let zone = fixture("dns/zone.json");
    let export = fixture("zendesk/export.ndjson");
    let out = run(
        &[
            "scan",
            "--config",
            s(&cfg),
            "--dns-snapshot",
            s(&zone),
            "--store",
            s(&store),
            "--format",
            "summary",
            s(&export),
        ],
        None,
    );
    assert!(code(&out) < 60, "{}", stderr(&out));
    let out = run(
        &["ticket", "48215", "--config", s(&cfg), "--store", s(&store)],
        None,
    );
    assert_eq!(code(&out), 30, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Ticket 48215: likely_spoofed"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("not configured"));
    let out = run(
        &["ticket", "1", "--config", s(&cfg), "--store", s(&store)],
        None,
    );
    assert_eq!(code(&out), 69);
}
