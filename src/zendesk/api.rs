//! The Zendesk REST client (ZENDESK.md §1–§8): a ticket, its comments (cursor pagination), a
//! user and their identities; an internal note and tags. The base URL is injected (tests point
//! it at loopback). 429 answers are retried after their Retry-After, a bounded number of times;
//! network time is bounded; credentials never appear in output or errors.

use super::{Comment, Ticket};
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `[zendesk]` in the config. Secrets are never kept here: only the path of a file that holds
/// one, which must not be readable by others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZendeskConfig {
    /// The site's base URL (scheme and host), e.g. `https://acme.zendesk.com`.
    pub url: Option<String>,
    /// The subdomain, for `https://{subdomain}.zendesk.com`.
    pub subdomain: Option<String>,
    /// The agent's email, for API-token authentication.
    pub email: Option<String>,
    /// A file (mode 0600) holding the API token.
    pub token_file: Option<PathBuf>,
    /// A file (mode 0600) holding an OAuth access token.
    pub oauth_token_file: Option<PathBuf>,
    /// Time bound of one request, in milliseconds (default 15000).
    pub timeout_ms: Option<u64>,
}

/// How requests authenticate.
#[derive(Clone)]
enum Auth {
    /// `{email}/token:{token}` as HTTP Basic.
    Token { email: String, token: String },
    /// `Bearer {token}`.
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets are never printed, not even in debug output.
        match self {
            Auth::Token { email, .. } => write!(f, "Token({email}, ***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

/// A configured client.
#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    auth: Auth,
    http: reqwest::blocking::Client,
    retries: u32,
    max_wait: Duration,
}

/// Reads a secret from a file that only its owner may read.
fn secret_file(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).map_err(|e| Error::unreadable(&name, &e))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(Error::Config {
                path: path.to_path_buf(),
                line: None,
                problem: "a secret file must not be readable by group or others (chmod 600)".into(),
            });
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::unreadable(&name, &e))?;
    Ok(text.trim().to_string())
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

impl Client {
    /// The client the environment and config describe, or `None` when the API is not
    /// configured (no site or no credentials). Environment variables win over the config.
    pub fn from_env(config: &ZendeskConfig) -> Result<Option<Client>> {
        let base = env("ZENDESK_URL")
            .or_else(|| env("ZENDESK_SUBDOMAIN").map(|s| format!("https://{s}.zendesk.com")))
            .or_else(|| config.url.clone())
            .or_else(|| {
                config
                    .subdomain
                    .as_ref()
                    .map(|s| format!("https://{s}.zendesk.com"))
            });
        let Some(base) = base else {
            return Ok(None);
        };
        let oauth = match env("ZENDESK_OAUTH_TOKEN") {
            Some(t) => Some(t),
            None => config
                .oauth_token_file
                .as_deref()
                .map(secret_file)
                .transpose()?,
        };
        let auth = match oauth {
            Some(token) => Auth::Bearer(token),
            None => {
                let email = env("ZENDESK_EMAIL").or_else(|| config.email.clone());
                let token = match env("ZENDESK_API_TOKEN") {
                    Some(t) => Some(t),
                    None => config.token_file.as_deref().map(secret_file).transpose()?,
                };
                match (email, token) {
                    (Some(email), Some(token)) => Auth::Token { email, token },
                    _ => return Ok(None),
                }
            }
        };
        let timeout = Duration::from_millis(config.timeout_ms.unwrap_or(15_000));
        Client::new(&base, auth, timeout).map(Some)
    }

    fn new(base: &str, auth: Auth, timeout: Duration) -> Result<Client> {
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(Error::Unavailable {
                what: "Zendesk".into(),
                problem: format!(
                    "ZENDESK_URL {base:?} must start with https:// (or http:// for a local server)"
                ),
            });
        }
        let http = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("impostor/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Unavailable {
                what: "HTTP client".into(),
                problem: e.to_string(),
            })?;
        Ok(Client {
            base,
            auth,
            http,
            retries: 3,
            max_wait: Duration::from_secs(60),
        })
    }

    /// The site, for messages.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn request(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        what: &str,
    ) -> Result<Value> {
        let mut attempt = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), url)
                .header("Accept", "application/json");
            req = match &self.auth {
                Auth::Token { email, token } => {
                    req.basic_auth(format!("{email}/token"), Some(token))
                }
                Auth::Bearer(t) => req.bearer_auth(t),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().map_err(|e| Error::Unavailable {
                what: format!("Zendesk ({what})"),
                problem: if e.is_timeout() {
                    format!("no answer from {} in time", self.base)
                } else if e.is_connect() {
                    format!("cannot connect to {}", self.base)
                } else {
                    "the request failed".to_string()
                },
            })?;
            let status = resp.status().as_u16();
            if (status == 429 || status == 503) && attempt < self.retries {
                let wait = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map_or(Duration::from_secs(1 << attempt), Duration::from_secs);
                if wait > self.max_wait {
                    return Err(Error::Unavailable {
                        what: format!("Zendesk ({what})"),
                        problem: format!(
                            "rate limited for {} s (Retry-After); try again later",
                            wait.as_secs()
                        ),
                    });
                }
                attempt += 1;
                std::thread::sleep(wait);
                continue;
            }
            return match status {
                200..=299 => resp.json::<Value>().map_err(|_| Error::Unavailable {
                    what: format!("Zendesk ({what})"),
                    problem: "the answer is not JSON".into(),
                }),
                401 => Err(Error::Denied {
                    what: format!("Zendesk ({what})"),
                    problem: "the credentials were rejected (401): check ZENDESK_EMAIL and ZENDESK_API_TOKEN, or ZENDESK_OAUTH_TOKEN".into(),
                }),
                403 => Err(Error::Denied {
                    what: format!("Zendesk ({what})"),
                    problem: "not allowed (403): the API user needs agent access to this ticket".into(),
                }),
                404 => Err(Error::Unreadable {
                    input: what.to_string(),
                    problem: format!("not found at {} (404): check the id and ZENDESK_URL", self.base),
                }),
                429 | 503 => Err(Error::Unavailable {
                    what: format!("Zendesk ({what})"),
                    problem: format!("still rate limited after {} retries; try again later", self.retries),
                }),
                s => Err(Error::Unavailable {
                    what: format!("Zendesk ({what})"),
                    problem: format!("HTTP {s}"),
                }),
            };
        }
    }

    fn get(&self, path: &str, what: &str) -> Result<Value> {
        self.request(
            reqwest::Method::GET,
            &format!("{}{path}", self.base),
            None,
            what,
        )
    }

    /// `GET /api/v2/tickets/{id}.json`.
    pub fn ticket(&self, id: u64) -> Result<Ticket> {
        let v = self.get(
            &format!("/api/v2/tickets/{id}.json"),
            &format!("ticket {id}"),
        )?;
        Ticket::deserialize(v.get("ticket").cloned().unwrap_or(Value::Null)).map_err(|e| {
            Error::Unavailable {
                what: format!("Zendesk (ticket {id})"),
                problem: format!("unexpected ticket JSON: {e}"),
            }
        })
    }

    /// Every comment of a ticket, following cursor pagination (`links.next` while
    /// `meta.has_more`), bounded to Zendesk's 5000-comment limit.
    pub fn comments(&self, id: u64) -> Result<Vec<Comment>> {
        let what = format!("comments of ticket {id}");
        let mut url = format!(
            "{}/api/v2/tickets/{id}/comments.json?page[size]=100",
            self.base
        );
        let mut out = Vec::new();
        for _ in 0..60 {
            let v = self.request(reqwest::Method::GET, &url, None, &what)?;
            let page: Vec<Comment> = v
                .get("comments")
                .cloned()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| Error::Unavailable {
                    what: format!("Zendesk ({what})"),
                    problem: format!("unexpected comments JSON: {e}"),
                })?
                .unwrap_or_default();
            out.extend(page);
            let more = v
                .pointer("/meta/has_more")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let next = v
                .pointer("/links/next")
                .and_then(Value::as_str)
                .or_else(|| v.get("next_page").and_then(Value::as_str));
            match next {
                Some(n) if more || v.get("next_page").is_some_and(|p| !p.is_null()) => {
                    url = self.same_site(n)
                }
                _ => return Ok(out),
            }
        }
        Ok(out)
    }

    /// A pagination link points at the site that served it; keep the configured base (a link
    /// to another host is not followed with our credentials).
    fn same_site(&self, link: &str) -> String {
        match link.find("/api/v2/") {
            Some(i) => format!("{}{}", self.base, &link[i..]),
            None => link.to_string(),
        }
    }

    /// `GET /api/v2/users/{id}.json`, as JSON.
    pub fn user(&self, id: u64) -> Result<Value> {
        let v = self.get(&format!("/api/v2/users/{id}.json"), &format!("user {id}"))?;
        Ok(v.get("user").cloned().unwrap_or(Value::Null))
    }

    /// `GET /api/v2/users/{id}/identities.json`, as JSON.
    pub fn identities(&self, id: u64) -> Result<Vec<Value>> {
        let v = self.get(
            &format!("/api/v2/users/{id}/identities.json"),
            &format!("identities of user {id}"),
        )?;
        Ok(v.get("identities")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default())
    }

    /// Adds an internal note (`PUT /api/v2/tickets/{id}.json`, `public: false`).
    pub fn add_note(&self, id: u64, body: &str) -> Result<()> {
        let payload = json!({ "ticket": { "comment": { "body": body, "public": false } } });
        self.request(
            reqwest::Method::PUT,
            &format!("{}/api/v2/tickets/{id}.json", self.base),
            Some(&payload),
            &format!("note on ticket {id}"),
        )
        .map(|_| ())
    }

    /// Adds tags, keeping existing ones (`PUT /api/v2/tickets/{id}/tags.json`).
    pub fn add_tags(&self, id: u64, tags: &[String]) -> Result<()> {
        let payload = json!({ "tags": tags });
        self.request(
            reqwest::Method::PUT,
            &format!("{}/api/v2/tickets/{id}/tags.json", self.base),
            Some(&payload),
            &format!("tags of ticket {id}"),
        )
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_in_debug_output() {
        let c = Client::new(
            "http://127.0.0.1:9",
            Auth::Token {
                email: "agent@example.co.jp".into(),
                token: "s3cr3t-token".into(),
            },
            Duration::from_secs(1),
        )
        .unwrap();
        let text = format!("{c:?}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }

    #[test]
    fn pagination_links_stay_on_the_configured_site() {
        let c = Client::new(
            "http://127.0.0.1:8080",
            Auth::Bearer("t".into()),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            c.same_site("https://acme.zendesk.com/api/v2/tickets/1/comments.json?page[after]=x"),
            "http://127.0.0.1:8080/api/v2/tickets/1/comments.json?page[after]=x"
        );
    }
}
