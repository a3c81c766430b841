//! Tickets, comments and users as Zendesk sends them (API responses and exports), read
//! tolerantly: u64 ids, nulls where fields are usually present, unknown fields ignored, `via`
//! as an object or a string, `via.channel` as a string or a number (ZENDESK.md).
//!
//! A comment becomes a `message::Parts` for triage; this module does not judge anything.

pub mod api;
pub mod export;

use crate::message::{Mailbox, Parts};
use serde::{Deserialize, Deserializer};
use std::net::IpAddr;

fn null_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `via.channel`: a via type name or its numeric id.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Channel {
    /// `"email"`, `"web"`, `"api"`, …
    Name(String),
    /// 4 (email), 0 (web form), 5 (web service) …
    Id(i64),
}

impl Channel {
    /// Whether the comment came in by email.
    pub fn is_email(&self) -> bool {
        match self {
            Channel::Name(n) => matches!(n.to_ascii_lowercase().as_str(), "email" | "mail"),
            Channel::Id(i) => *i == 4,
        }
    }

    /// Whether the comment came from a web form, the help center or the API, where Zendesk
    /// records the client's IP address.
    pub fn is_web_or_api(&self) -> bool {
        match self {
            Channel::Name(n) => matches!(
                n.to_ascii_lowercase().as_str(),
                "web"
                    | "web_form"
                    | "api"
                    | "web_service"
                    | "mobile"
                    | "mobile_sdk"
                    | "help_center"
            ),
            Channel::Id(i) => matches!(i, 0 | 5 | 16 | 17 | 48),
        }
    }

    /// The name, for reports.
    pub fn name(&self) -> String {
        match self {
            Channel::Name(n) => n.clone(),
            Channel::Id(4) => "email".into(),
            Channel::Id(0) => "web".into(),
            Channel::Id(5) => "api".into(),
            Channel::Id(i) => format!("via {i}"),
        }
    }
}

/// A party of `via.source`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Party {
    /// Email address.
    #[serde(default)]
    pub address: Option<String>,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `via.source`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Source {
    /// Who sent it.
    #[serde(default)]
    pub from: Option<Party>,
    /// Where it was sent.
    #[serde(default)]
    pub to: Option<Party>,
    /// The relation (`trigger`, `follow_up`, …).
    #[serde(default)]
    pub rel: Option<String>,
}

/// `via`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Via {
    /// The channel.
    pub channel: Option<Channel>,
    /// Its source.
    pub source: Option<Source>,
}

impl<'de> Deserialize<'de> for Via {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Object {
            #[serde(default)]
            channel: Option<Channel>,
            #[serde(default)]
            source: Option<Source>,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Object(Object),
            Name(String),
            Id(i64),
        }
        Ok(match Option::<Either>::deserialize(d)? {
            Some(Either::Object(o)) => Via {
                channel: o.channel,
                source: o.source,
            },
            Some(Either::Name(n)) => Via {
                channel: Some(Channel::Name(n)),
                source: None,
            },
            Some(Either::Id(i)) => Via {
                channel: Some(Channel::Id(i)),
                source: None,
            },
            None => Via::default(),
        })
    }
}

impl Via {
    /// The sender's address and name, for email comments.
    pub fn from(&self) -> Option<&Party> {
        self.source
            .as_ref()?
            .from
            .as_ref()
            .filter(|p| p.address.is_some())
    }
}

/// `metadata.system`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct System {
    /// The client's IP address (web and API comments).
    #[serde(default)]
    pub ip_address: Option<String>,
    /// The RFC 5322 Message-ID, with angle brackets (email comments).
    #[serde(default)]
    pub message_id: Option<String>,
    /// The User-Agent (web and API comments).
    #[serde(default)]
    pub client: Option<String>,
    /// City, region, country.
    #[serde(default)]
    pub location: Option<String>,
}

/// Comment metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Metadata {
    /// System facts.
    #[serde(default)]
    pub system: Option<System>,
    /// Zendesk's trust flags (2: author not part of the conversation; 3: not signed in …).
    #[serde(default, deserialize_with = "null_default")]
    pub flags: Vec<i64>,
}

/// A comment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Comment {
    /// Comment id.
    #[serde(default)]
    pub id: u64,
    /// Author's user id.
    #[serde(default)]
    pub author_id: Option<u64>,
    /// Public reply (`false`: internal note).
    #[serde(default)]
    pub public: Option<bool>,
    /// Text.
    #[serde(default)]
    pub body: Option<String>,
    /// Plain text.
    #[serde(default)]
    pub plain_body: Option<String>,
    /// HTML.
    #[serde(default)]
    pub html_body: Option<String>,
    /// How it came in.
    #[serde(default)]
    pub via: Option<Via>,
    /// System facts and flags.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}

impl Comment {
    /// The comment text: plain body, else body, else HTML converted to text.
    pub fn text(&self) -> String {
        self.plain_body
            .clone()
            .or_else(|| self.body.clone())
            .or_else(|| {
                self.html_body
                    .as_deref()
                    .map(mail_parser::decoders::html::html_to_text)
            })
            .unwrap_or_default()
    }

    /// Whether it is public (a missing flag means public, as in exports).
    pub fn is_public(&self) -> bool {
        self.public.unwrap_or(true)
    }

    /// The channel it came in by.
    pub fn channel(&self) -> Option<&Channel> {
        self.via.as_ref()?.channel.as_ref()
    }

    /// Zendesk's flags.
    pub fn flags(&self) -> &[i64] {
        self.metadata.as_ref().map_or(&[], |m| &m.flags)
    }

    /// `metadata.system`.
    pub fn system(&self) -> Option<&System> {
        self.metadata.as_ref()?.system.as_ref()
    }
}

/// A ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Ticket {
    /// Ticket id.
    pub id: u64,
    /// Subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// The first comment's text.
    #[serde(default)]
    pub description: Option<String>,
    /// Who asks.
    #[serde(default)]
    pub requester_id: Option<u64>,
    /// How the ticket came in.
    #[serde(default)]
    pub via: Option<Via>,
    /// Tags.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Status (`new`, `open`, … `deleted`).
    #[serde(default)]
    pub status: Option<String>,
    /// Comments, where the source includes them (admin JSON export; the API's comments call).
    #[serde(default, deserialize_with = "null_default")]
    pub comments: Vec<Comment>,
}

/// Why a comment is triaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The requester's first public comment: the ticket's request.
    First,
    /// A later public comment by someone other than the requester.
    Later,
}

impl Ticket {
    /// The comments to triage: the requester's first public comment (or the ticket's
    /// description when the source has no comments), and later public comments by other
    /// end-users. Without user roles, a later comment counts as an end-user's when it came in
    /// by email (agents answer from the agent interface), or its author is in `end_users`.
    pub fn triaged(&self, end_users: &[u64]) -> Vec<(Role, Comment)> {
        let public: Vec<&Comment> = self.comments.iter().filter(|c| c.is_public()).collect();
        let first = public
            .iter()
            .find(|c| c.author_id.is_some() && c.author_id == self.requester_id)
            .or_else(|| public.first())
            .copied();
        let mut out = Vec::new();
        match first {
            Some(c) => out.push((Role::First, c.clone())),
            None => {
                if let Some(text) = &self.description {
                    out.push((
                        Role::First,
                        Comment {
                            author_id: self.requester_id,
                            plain_body: Some(text.clone()),
                            via: self.via.clone(),
                            created_at: self.created_at.clone(),
                            ..Default::default()
                        },
                    ));
                }
            }
        }
        let first_id = first.map(|c| c.id);
        for c in public {
            if Some(c.id) == first_id || (c.author_id.is_some() && c.author_id == self.requester_id)
            {
                continue;
            }
            let end_user = c.author_id.is_some_and(|a| end_users.contains(&a))
                || c.channel().is_some_and(Channel::is_email);
            if end_user {
                out.push((Role::Later, c.clone()));
            }
        }
        out
    }

    /// The requester's address as the ticket's first email comment or `via` shows it.
    pub fn requester_address(&self) -> Option<String> {
        self.comments
            .iter()
            .find(|c| c.author_id.is_some() && c.author_id == self.requester_id)
            .and_then(|c| c.via.as_ref()?.from()?.address.clone())
            .or_else(|| self.via.as_ref()?.from()?.address.clone())
            .map(|a| a.to_ascii_lowercase())
    }

    /// A comment as message parts for triage.
    pub fn parts(&self, comment: &Comment) -> Parts {
        let party = comment.via.as_ref().and_then(Via::from).or_else(|| {
            self.via
                .as_ref()
                .and_then(Via::from)
                .filter(|_| Some(comment.author_id) == Some(self.requester_id))
        });
        let channel = comment
            .channel()
            .or(self.via.as_ref().and_then(|v| v.channel.as_ref()));
        let ip = comment
            .system()
            .and_then(|s| s.ip_address.as_deref())
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .filter(|_| channel.is_some_and(Channel::is_web_or_api));
        Parts {
            from: party.map(|p| Mailbox {
                name: p.name.clone().filter(|n| !n.trim().is_empty()),
                address: p.address.clone(),
            }),
            subject: self.subject.clone(),
            body: comment.text(),
            message_id: comment.system().and_then(|s| s.message_id.clone()),
            date: comment.created_at.clone(),
            client_ip: ip,
            channel: channel.map(Channel::name),
            flags: comment.flags().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_documented_shapes_with_nulls_and_numbers() {
        let t: Ticket = serde_json::from_str(
            r#"{"id": 48213, "subject": "Urgent", "requester_id": 9100000000101, "tags": null,
                "via": {"channel": 4, "source": {"from": {"address": "a@b.example", "name": "A"}, "to": {}, "rel": null}},
                "unknown": {"x": 1},
                "comments": [
                  {"id": 9100000011001, "author_id": 9100000000101, "public": true, "plain_body": "Hi",
                   "via": {"channel": "email", "source": {"from": {"address": "a@b.example"}}},
                   "metadata": {"system": {"ip_address": "203.0.113.45", "message_id": "<m@b.example>"}, "flags": [2], "flags_options": {"2": {"trusted": false}}}},
                  {"id": 9100000011002, "author_id": 9100000000999, "public": true, "plain_body": "Also me",
                   "via": {"channel": "email", "source": {"from": {"address": "c@d.example"}}}},
                  {"id": 9100000011003, "author_id": 9100000000002, "public": true, "plain_body": "Agent reply", "via": {"channel": "web"}},
                  {"id": 9100000011004, "author_id": 9100000000002, "public": false, "plain_body": "note", "via": "Mail"}
                ]}"#,
        )
        .unwrap();
        let triaged = t.triaged(&[]);
        assert_eq!(triaged.len(), 2);
        assert_eq!(triaged[0].0, Role::First);
        assert_eq!(triaged[1].1.id, 9100000011002);
        let p = t.parts(&triaged[0].1);
        assert_eq!(p.from.unwrap().address.as_deref(), Some("a@b.example"));
        assert_eq!(p.flags, [2]);
        // The IP of an email comment is not the sender's (ZENDESK.md §2a).
        assert_eq!(p.client_ip, None);
    }
}
