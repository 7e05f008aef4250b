//! Endpoint path templates (`/accounts/{id}`, `/admin/**`) in each target's own syntax.
//!
//! The meaning is the evaluator's ([`bulkhead_core::eval::path_matches`]): `{name}` (or `*`)
//! matches one non-empty segment, a trailing `/**` matches any suffix including none, and
//! leading or trailing slashes do not matter.

/// The segments of a template, and whether it ends in `/**`.
fn split(template: &str) -> (Vec<&str>, bool) {
    let mut segs: Vec<&str> = template.trim_matches('/').split('/').collect();
    let any_suffix = segs.last() == Some(&"**");
    if any_suffix {
        segs.pop();
    }
    if segs == [""] {
        segs.clear();
    }
    (segs, any_suffix)
}

fn is_param(s: &str) -> bool {
    s == "*" || (s.starts_with('{') && s.ends_with('}'))
}

/// An anchored extended regular expression (POSIX ERE and RE2 alike), for Cilium, Kong and
/// NGINX.
pub fn regex(template: &str) -> String {
    let (segs, any_suffix) = split(template);
    let mut out = String::from("^");
    for s in &segs {
        out.push('/');
        if is_param(s) {
            out.push_str("[^/]+");
        } else {
            for c in s.chars() {
                if ".^$|?*+()[]{}\\".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
        }
    }
    if any_suffix {
        out.push_str("(/.*)?$");
    } else if segs.is_empty() {
        out.push_str("/$");
    } else {
        out.push_str("/?$");
    }
    out
}

/// Istio AuthorizationPolicy path templates (Istio 1.22+): `{*}` for one segment, `{**}` for
/// the rest. Returns several paths when one template needs them (`/a/**` is `/a` or `/a/{**}`).
pub fn istio(template: &str) -> Vec<String> {
    let (segs, any_suffix) = split(template);
    let base: String = segs
        .iter()
        .map(|s| {
            if is_param(s) {
                "/{*}".to_string()
            } else {
                format!("/{s}")
            }
        })
        .collect();
    if any_suffix {
        let root = if base.is_empty() {
            "/".to_string()
        } else {
            base.clone()
        };
        vec![root, format!("{base}/{{**}}")]
    } else if base.is_empty() {
        vec!["/".into()]
    } else {
        vec![base]
    }
}

/// Does the template need a regular expression (a parameter or a suffix), or is it one exact
/// path?
pub fn is_exact(template: &str) -> bool {
    let (segs, any_suffix) = split(template);
    !any_suffix && !segs.iter().any(|s| is_param(s))
}

/// One concrete path the template matches, for probing a running gateway.
pub fn example(template: &str) -> String {
    let (segs, any_suffix) = split(template);
    let mut out: String = segs
        .iter()
        .map(|s| {
            if is_param(s) {
                "/x1".to_string()
            } else {
                format!("/{s}")
            }
        })
        .collect();
    if any_suffix {
        out.push_str("/more/x1");
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_in_each_syntax() {
        assert_eq!(regex("/accounts/{id}"), "^/accounts/[^/]+/?$");
        assert_eq!(regex("/admin/**"), "^/admin(/.*)?$");
        assert_eq!(regex("/"), "^/$");
        assert_eq!(regex("/v1.Svc/Call"), "^/v1\\.Svc/Call/?$");
        assert_eq!(istio("/accounts/{id}"), ["/accounts/{*}"]);
        assert_eq!(istio("/admin/**"), ["/admin", "/admin/{**}"]);
        for t in ["/accounts/{id}", "/admin/**", "/", "/a/{b}/c"] {
            assert!(bulkhead_core::eval::path_matches(t, &example(t)), "{t}");
        }
    }
}
