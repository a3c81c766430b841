//! A strict check of an SPF record's syntax (RFC 7208 §4.6.1 and the ABNF of §12).
//!
//! mail-auth's parser is lenient: it clamps CIDR lengths, skips terms it does not understand,
//! accepts control characters as separators and domains without a valid top label. A record
//! with a syntax error is a `permerror` (§4.6), so impostor checks the record it looks up for
//! the checked domain before handing evaluation to mail-auth.

/// The first syntax error in an SPF record, if any.
pub(crate) fn error(record: &str) -> Option<String> {
    let rest = record
        .get(..6)
        .filter(|v| v.eq_ignore_ascii_case("v=spf1"))
        .map(|_| &record[6..])?;
    if !rest.is_empty() && !rest.starts_with(' ') {
        return Some("the version is not followed by a space".into());
    }
    let mut seen_redirect = false;
    let mut seen_exp = false;
    for term in rest.split(' ').filter(|t| !t.is_empty()) {
        if let Some(problem) = term_error(term, &mut seen_redirect, &mut seen_exp) {
            return Some(format!("term {term:?}: {problem}"));
        }
    }
    None
}

fn term_error(term: &str, seen_redirect: &mut bool, seen_exp: &mut bool) -> Option<String> {
    if !term.is_ascii() || term.bytes().any(|b| b < 0x21 || b == 0x7f) {
        return Some("characters outside printable ASCII".into());
    }
    // A modifier: name "=" macro-string, where name = ALPHA *(ALPHA / DIGIT / "-" / "_" / ".").
    if let Some(eq) = term.find('=') {
        let (name, value) = (&term[..eq], &term[eq + 1..]);
        let is_mechanism_prefix = name.contains(':') || name.contains('/');
        if !is_mechanism_prefix {
            let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !valid_name {
                return Some("invalid modifier name".into());
            }
            return match name.to_ascii_lowercase().as_str() {
                "redirect" => {
                    if std::mem::replace(seen_redirect, true) {
                        return Some("redirect appears twice".into());
                    }
                    domain_spec_error(value)
                }
                "exp" => {
                    if std::mem::replace(seen_exp, true) {
                        return Some("exp appears twice".into());
                    }
                    domain_spec_error(value)
                }
                _ => macro_string_error(value),
            };
        }
    }
    let body = term.strip_prefix(['+', '-', '~', '?']).unwrap_or(term);
    let (name, arg) = match body.find([':', '/']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    match name.to_ascii_lowercase().as_str() {
        "all" => (!arg.is_empty()).then(|| "all takes no argument".into()),
        "include" | "exists" => match arg.strip_prefix(':') {
            Some(d) => domain_spec_error(d),
            None => Some(format!("{name} needs a domain")),
        },
        "a" | "mx" => {
            let (domain, cidr) = split_cidr(arg);
            domain
                .and_then(domain_spec_error)
                .or_else(|| dual_cidr_error(cidr))
        }
        "ptr" => match arg {
            "" => None,
            a => a
                .strip_prefix(':')
                .map_or(Some("ptr takes no CIDR".into()), domain_spec_error),
        },
        "ip4" => {
            let Some(net) = arg.strip_prefix(':') else {
                return Some("ip4 needs an address".into());
            };
            let (addr, len) = net
                .split_once('/')
                .map_or((net, None), |(a, l)| (a, Some(l)));
            if addr.parse::<std::net::Ipv4Addr>().is_err() {
                return Some("not an IPv4 address".into());
            }
            len.and_then(|l| cidr_error(l, 32))
        }
        "ip6" => {
            let Some(net) = arg.strip_prefix(':') else {
                return Some("ip6 needs an address".into());
            };
            let (addr, len) = net
                .split_once('/')
                .map_or((net, None), |(a, l)| (a, Some(l)));
            if addr.parse::<std::net::Ipv6Addr>().is_err() {
                return Some("not an IPv6 address".into());
            }
            len.and_then(|l| cidr_error(l, 128))
        }
        _ => Some("unknown mechanism".into()),
    }
}

/// Splits `:domain/cidr` into the domain and the CIDR part (starting at the first `/` that
/// follows the domain's last label).
fn split_cidr(arg: &str) -> (Option<&str>, &str) {
    match arg.strip_prefix(':') {
        None => (None, arg),
        Some(rest) => match rest.find('/') {
            Some(i) => (Some(&rest[..i]), &rest[i..]),
            None => (Some(rest), ""),
        },
    }
}

/// `[ "/" ip4-cidr-length ] [ "//" ip6-cidr-length ]`.
fn dual_cidr_error(cidr: &str) -> Option<String> {
    if cidr.is_empty() {
        return None;
    }
    let (v4, v6) = match cidr.find("//") {
        Some(i) => (&cidr[..i], Some(&cidr[i + 2..])),
        None => (cidr, None),
    };
    if !v4.is_empty() {
        let Some(len) = v4.strip_prefix('/') else {
            return Some("bad CIDR length".into());
        };
        if let Some(e) = cidr_error(len, 32) {
            return Some(e);
        }
    }
    v6.and_then(|l| cidr_error(l, 128))
}

/// A CIDR length: digits without leading zeros, at most `max`.
fn cidr_error(len: &str, max: u32) -> Option<String> {
    let ok = !len.is_empty()
        && len.bytes().all(|b| b.is_ascii_digit())
        && (len == "0" || !len.starts_with('0'))
        && len.parse::<u32>().is_ok_and(|n| n <= max);
    (!ok).then(|| format!("invalid CIDR length /{len} (0..{max}, no leading zeros)"))
}

/// `macro-string` (RFC 7208 §7.1): literals %x21-24 / %x26-7E and macro expansions.
fn macro_string_error(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            match b.get(i + 1) {
                Some(b'%' | b'_' | b'-') => i += 2,
                Some(b'{') => {
                    let close = s[i..].find('}')?;
                    let inner = &s[i + 2..i + close];
                    let mut chars = inner.chars();
                    let letter = chars.next();
                    if !letter.is_some_and(|c| "slodiphcrtv".contains(c.to_ascii_lowercase())) {
                        return Some(format!("invalid macro %{{{inner}}}"));
                    }
                    let rest: String = chars.collect();
                    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    let delims = digits.strip_prefix(['r', 'R']).unwrap_or(digits);
                    if !delims.chars().all(|c| ".-+,/_=".contains(c)) {
                        return Some(format!("invalid macro %{{{inner}}}"));
                    }
                    i += close + 1;
                }
                _ => return Some("a lone % in a macro string".into()),
            }
        } else if (0x21..=0x7e).contains(&b[i]) {
            i += 1;
        } else {
            return Some("invalid character".into());
        }
    }
    None
}

/// `domain-spec = macro-string domain-end`; `domain-end = ( "." toplabel [ "." ] ) /
/// macro-expand`. A domain-spec that ends in a macro is checked after expansion.
fn domain_spec_error(spec: &str) -> Option<String> {
    if spec.is_empty() {
        return Some("empty domain".into());
    }
    if let Some(e) = macro_string_error(spec) {
        return Some(e);
    }
    if spec.ends_with('}') || spec.ends_with("%%") || spec.ends_with("%_") || spec.ends_with("%-") {
        return None;
    }
    let trimmed = spec.strip_suffix('.').unwrap_or(spec);
    let Some((_, top)) = trimmed.rsplit_once('.') else {
        return Some(format!("{spec:?} is not a fully qualified domain"));
    };
    toplabel_error(top).map(|e| format!("{spec:?}: {e}"))
}

/// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )`.
fn toplabel_error(label: &str) -> Option<String> {
    let b = label.as_bytes();
    if b.is_empty() {
        return Some("empty top label".into());
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
        return Some("invalid top label".into());
    }
    if b.contains(&b'-') {
        let ok = b[0].is_ascii_alphanumeric() && b[b.len() - 1].is_ascii_alphanumeric();
        return (!ok).then(|| "invalid top label".into());
    }
    (!b.iter().any(|c| c.is_ascii_alphabetic())).then(|| "all-numeric top label".into())
}

#[cfg(test)]
mod tests {
    use super::error;

    #[test]
    fn valid_records() {
        for r in [
            "v=spf1",
            "v=spf1 -all",
            "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:mail.example.com/24//64 ~all",
            "v=spf1 include:_spf.example.com redirect=_spf.example.net",
            "v=spf1 exists:%{i}.%{l1r+-}._spf.%{d} -all",
            "v=spf1 a:example.com. ptr ?all exp=explain.%{d}",
            "v=spf1 moo.cow-far_out=man:dog/cat -all",
        ] {
            assert_eq!(error(r), None, "{r}");
        }
    }

    #[test]
    fn syntax_errors() {
        for r in [
            "v=spf1 ip4:1.2.3.4/33",
            "v=spf1 ip4:1.2.3.4/032",
            "v=spf1 ip6:::1/129",
            "v=spf1 a/33",
            "v=spf1 a/24/64",
            "v=spf1 a:abc.123",
            "v=spf1 a:museum",
            "v=spf1 a:example.com:8080",
            "v=spf1 a:example.-com",
            "v=spf1 redirect=-all",
            "v=spf1 exp=-all",
            "v=spf1 1up=foo",
            "v=spf1 =all",
            "v=spf1 a:ctrl.example.com\rptr",
            "v=spf1 foo",
            "v=spf1 redirect=a.example redirect=b.example",
        ] {
            assert!(error(r).is_some(), "{r:?}");
        }
    }
}
