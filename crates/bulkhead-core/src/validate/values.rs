//! Values that must be well formed: ports, HTTP methods, path templates, dates, probabilities
//! and rate limits; and exceptions whose expiry date has passed.

use crate::date::{Date, is_timestamp};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Design, RateLimit};

use super::Options;

/// The HTTP methods a rule, endpoint or flow may name (RFC 9110 plus PATCH), or `*`.
pub const METHODS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*",
];

pub fn check(design: &Design, options: &Options, out: &mut Vec<Diagnostic>) {
    for (i, s) in design.services.iter().enumerate() {
        for (j, p) in s.ports.iter().enumerate() {
            port(p.port, || format!("/services/{i}/ports/{j}/port"), out);
        }
        for (e, ep) in s.endpoints.iter().enumerate() {
            let base = || format!("/services/{i}/endpoints/{e}");
            method(&ep.method, || format!("{}/method", base()), out);
            path(&ep.path, || format!("{}/path", base()), out);
        }
        for (w, weak) in s.weaknesses.iter().enumerate() {
            if let Some(p) = weak.probability
                && !(0.0..=1.0).contains(&p)
            {
                out.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!("/services/{i}/weaknesses/{w}/probability"),
                        format!("probability `{p}` is not between 0 and 1"),
                    )
                    .with_help("write it as a fraction, e.g. `0.3` for 30%"),
                );
            }
        }
    }
    for (i, seg) in design.segments.iter().enumerate() {
        if let Some(rl) = &seg.policy.rate_limit {
            rate_limit(rl, || format!("/segments/{i}/policy/rate_limit"), out);
        }
    }
    for (i, r) in design.rules.iter().enumerate() {
        let base = || format!("/rules/{i}");
        for (j, p) in r.ports.iter().enumerate() {
            port(*p, || format!("{}/ports/{j}", base()), out);
        }
        for (j, m) in r.methods.iter().enumerate() {
            method(m, || format!("{}/methods/{j}", base()), out);
        }
        for (j, p) in r.paths.iter().enumerate() {
            path(p, || format!("{}/paths/{j}", base()), out);
        }
        if let Some(rl) = &r.rate_limit {
            rate_limit(rl, || format!("{}/rate_limit", base()), out);
        }
        if let Some(exp) = &r.expires {
            match Date::parse(exp) {
                None => out.push(
                    Diagnostic::error(
                        "invalid-date",
                        format!("{}/expires", base()),
                        format!("`{exp}` is not a date"),
                    )
                    .with_help("write it as `YYYY-MM-DD`, e.g. `2027-06-30`"),
                ),
                Some(date) => {
                    if let Some(today) = options.today
                        && date < today
                    {
                        out.push(
                            Diagnostic::warning(
                                "expired-exception",
                                format!("{}/expires", base()),
                                format!(
                                    "exception `{}` expired on {date}; it no longer {}",
                                    r.id,
                                    match r.action {
                                        crate::model::Action::Allow => "allows traffic",
                                        crate::model::Action::Deny => "denies traffic",
                                    }
                                ),
                            )
                            .with_help("remove the rule, or renew `expires` after a review"),
                        );
                    }
                }
            }
        }
    }
    for (i, f) in design.flows.iter().enumerate() {
        let base = || format!("/flows/{i}");
        if let Some(p) = f.port {
            port(p, || format!("{}/port", base()), out);
        }
        if let Some(m) = &f.method {
            method(m, || format!("{}/method", base()), out);
        }
        if let Some(p) = &f.path {
            path(p, || format!("{}/path", base()), out);
        }
        for (field, value) in [("first_seen", &f.first_seen), ("last_seen", &f.last_seen)] {
            if let Some(v) = value
                && !is_timestamp(v)
            {
                out.push(
                    Diagnostic::error(
                        "invalid-date",
                        format!("{}/{field}", base()),
                        format!("`{v}` is not a timestamp"),
                    )
                    .with_help("write it as RFC 3339, e.g. `2026-11-27T23:58:12Z`"),
                );
            }
        }
    }
}

fn port(p: u32, pointer: impl Fn() -> String, out: &mut Vec<Diagnostic>) {
    if p == 0 || p > 65_535 {
        out.push(
            Diagnostic::error(
                "invalid-port",
                pointer(),
                format!("port `{p}` is out of range"),
            )
            .with_help("ports are 1 to 65535"),
        );
    }
}

fn method(m: &str, pointer: impl Fn() -> String, out: &mut Vec<Diagnostic>) {
    if METHODS.contains(&m) {
        return;
    }
    let upper = m.to_ascii_uppercase();
    let help = if METHODS.contains(&upper.as_str()) {
        format!("methods are upper case: did you mean `{upper}`?")
    } else {
        match did_you_mean(&upper, METHODS) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of {}", METHODS.join(", ")),
        }
    };
    out.push(
        Diagnostic::error(
            "invalid-method",
            pointer(),
            format!("`{m}` is not an HTTP method"),
        )
        .with_help(help),
    );
}

/// Why `p` is not a valid path template, if it is not. Templates are absolute paths whose
/// segments are literals, `{name}` parameters, `*` (one segment) or a final `**` (any suffix).
pub fn path_problem(p: &str) -> Option<String> {
    if !p.starts_with('/') {
        return Some("does not start with `/`".into());
    }
    if let Some(c) = p.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Some(format!(
            "contains whitespace or a control character ({c:?})"
        ));
    }
    if p.contains('?') || p.contains('#') {
        return Some("contains a query or fragment (`?`, `#`); templates match paths only".into());
    }
    let segments: Vec<&str> = p[1..].split('/').collect();
    let last = segments.len() - 1;
    for (i, s) in segments.iter().enumerate() {
        if s.is_empty() && i != last {
            return Some("contains an empty segment (`//`)".into());
        }
        if *s == "**" && i != last {
            return Some("has `**` before the last segment".into());
        }
        if s.contains('{') || s.contains('}') {
            let inner = s.strip_prefix('{').and_then(|r| r.strip_suffix('}'));
            let ok = inner.is_some_and(|n| {
                !n.is_empty()
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            });
            if !ok {
                return Some(format!(
                    "segment `{s}` is not a parameter like `{{id}}` (a parameter fills a whole segment)"
                ));
            }
        }
    }
    None
}

fn path(p: &str, pointer: impl Fn() -> String, out: &mut Vec<Diagnostic>) {
    if let Some(problem) = path_problem(p) {
        out.push(
            Diagnostic::error(
                "invalid-path",
                pointer(),
                format!("path template `{p}` {problem}"),
            )
            .with_help("e.g. `/accounts/{id}`, `/static/**`"),
        );
    }
}

fn rate_limit(rl: &RateLimit, pointer: impl Fn() -> String, out: &mut Vec<Diagnostic>) {
    if rl.requests == 0 {
        out.push(
            Diagnostic::error(
                "invalid-value",
                format!("{}/requests", pointer()),
                "a rate limit of 0 requests blocks everything",
            )
            .with_help("deny the traffic with a rule instead, or allow at least 1 request"),
        );
    }
    if let Some(b) = rl.burst
        && b < rl.requests
    {
        out.push(
            Diagnostic::warning(
                "invalid-value",
                format!("{}/burst", pointer()),
                format!("burst `{b}` is below the rate (`{}`)", rl.requests),
            )
            .with_help("a burst is the most requests allowed at once; make it at least the rate"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::path_problem;

    #[test]
    fn path_templates() {
        for ok in [
            "/",
            "/accounts/{id}",
            "/static/**",
            "/a/*/b",
            "/hipstershop.CartService/GetCart",
            "/v1/x/",
        ] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
        for bad in [
            "accounts", "/a//b", "/a/**/b", "/a/{id", "/a/x{id}", "/a/{}", "/a b", "/a?b=1",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
    }
}
