//! What an export checks before it trusts a design.
//!
//! The design must be valid: [`check`] runs the validator ([`bulkhead_core::validate`]) and
//! refuses on its errors, with its own codes, messages, JSON pointers and "did you mean"s.
//! Nothing the validator checks is checked again here.
//!
//! On top of that, only what the validator cannot know because it depends on the target:
//! - `export-namespace` (Kubernetes targets: NetworkPolicy, Cilium, Istio): a service's
//!   namespace must be a DNS-1123 label (RFC 1123, at most 63 characters of `a-z`, `0-9`,
//!   `-`). The design model takes any string (a namespace means nothing to NGINX or Kong),
//!   but these targets write it into `metadata.namespace` and name a file after it, so an
//!   invalid one would give objects the API server rejects, or a file outside the output
//!   folder (`../x`).
//! - `export-label` (the same targets): pod label keys and values must be valid Kubernetes
//!   labels, since they become `matchLabels` selectors (key: optional DNS-subdomain prefix and
//!   `/`, then a name of at most 63 characters; value: empty or such a name).
//!
//! Expired exceptions are not checked (the library never reads the clock); `bulkhead export`
//! validates with today's date before it gets here.

use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::model::Design;
use bulkhead_core::validate::{self, Options};

use crate::Target;

/// Every error that makes `design` unsafe to export to `target`, validator errors first;
/// empty when it may be exported. Warnings are not returned: they do not block an export.
pub fn check(design: &Design, target: Target) -> Vec<Diagnostic> {
    check_all(design, &[target])
}

/// [`check`] for several targets at once: the validator runs once, and the Kubernetes name
/// checks once, for the first Kubernetes target (they are the same for all of them).
pub fn check_all(design: &Design, targets: &[Target]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = validate::validate(design, &Options::default())
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    target_checks_into(design, targets, &mut out);
    out
}

/// Only the target-specific checks of [`check_all`], for a design the caller has already run
/// the validator on and found without errors (`bulkhead export` validates while it loads, with
/// locations for its messages; a second validator pass over a large design cost as much as
/// rendering a target).
pub fn target_checks(design: &Design, targets: &[Target]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    target_checks_into(design, targets, &mut out);
    out
}

fn target_checks_into(design: &Design, targets: &[Target], out: &mut Vec<Diagnostic>) {
    if let Some(&target) = targets.iter().find(|t| kubernetes(**t)) {
        kubernetes_names(design, target, out);
    }
}

/// Targets whose output is Kubernetes objects selected by namespace and pod labels.
fn kubernetes(target: Target) -> bool {
    matches!(
        target,
        Target::NetworkPolicy | Target::NetworkPolicyEgress | Target::Cilium | Target::Istio
    )
}

fn kubernetes_names(design: &Design, target: Target, out: &mut Vec<Diagnostic>) {
    for (i, s) in design.services.iter().enumerate() {
        if let Some(ns) = &s.namespace
            && !is_dns_label(ns)
        {
            out.push(
                Diagnostic::error(
                    "export-namespace",
                    format!("/services/{i}/namespace"),
                    format!(
                        "namespace `{ns}` of service `{}` is not a Kubernetes namespace name, which `{target}` needs",
                        s.id
                    ),
                )
                .with_help(format!(
                    "use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit{}",
                    suggestion(ns)
                )),
            );
        }
        for (k, v) in &s.labels {
            let pointer = format!("/services/{i}/labels/{}", escape(k));
            if let Some(why) = label_key_problem(k) {
                out.push(
                    Diagnostic::error(
                        "export-label",
                        pointer.clone(),
                        format!(
                            "label key `{k}` of service `{}` is not a Kubernetes label key ({why}), which `{target}` selects pods by",
                            s.id
                        ),
                    )
                    .with_help("a key is `name` or `prefix/name`: a name has at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit; a prefix is a DNS subdomain"),
                );
            }
            if !v.is_empty() && !is_label_name(v) {
                out.push(
                    Diagnostic::error(
                        "export-label",
                        pointer,
                        format!(
                            "label value `{v}` of service `{}` is not a Kubernetes label value, which `{target}` selects pods by",
                            s.id
                        ),
                    )
                    .with_help("a value is empty or at most 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit"),
                );
            }
        }
    }
}

/// RFC 1123 label: what Kubernetes requires of a namespace name.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label name, or a label value that is not empty: at most 63 characters of alphanumerics,
/// `-`, `_`, `.`, beginning and ending with an alphanumeric.
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

fn label_key_problem(k: &str) -> Option<&'static str> {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix
        && !is_dns_subdomain(p)
    {
        return Some("its prefix is not a DNS subdomain");
    }
    if !is_label_name(name) {
        return Some("its name part is not a label name");
    }
    None
}

/// A JSON pointer token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `; for example `x`` with the name lowercased and cleaned, when that gives a valid one.
fn suggestion(ns: &str) -> String {
    let mut out = String::new();
    for c in ns.chars().take(63) {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if is_dns_label(out) && out != ns {
        format!("; for example `{out}`")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::model::{Peer, Rule, Segment, Service};

    fn design() -> Design {
        let mut d = Design::new("t");
        d.services = vec![
            Service {
                id: "web".into(),
                namespace: Some("shop".into()),
                labels: [("app".to_string(), "web".to_string())].into(),
                ..Service::default()
            },
            Service {
                id: "db".into(),
                ..Service::default()
            },
        ];
        d
    }

    #[test]
    fn a_valid_design_passes_for_every_target() {
        for t in Target::ALL {
            assert!(check(&design(), t).is_empty(), "{t}");
        }
    }

    #[test]
    fn validator_errors_come_with_the_validators_codes_and_pointers() {
        let mut d = design();
        d.segments = vec![Segment {
            id: "core".into(),
            members: vec!["web".into(), "nope".into()],
            ..Segment::default()
        }];
        d.rules = vec![Rule {
            id: "r".into(),
            from: Peer::Service("web".into()),
            to: Peer::Segment("coer".into()),
            ..Rule::default()
        }];
        let got = check(&d, Target::Kong);
        let direct: Vec<Diagnostic> = validate::validate(&d, &Options::default())
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        assert_eq!(got, direct);
        let pointers: Vec<&str> = got.iter().map(|x| x.pointer.as_str()).collect();
        assert!(pointers.contains(&"/segments/0/members/1"), "{pointers:?}");
        assert!(pointers.contains(&"/rules/0/to/segment"), "{pointers:?}");
        assert!(got.iter().all(|x| x.code == "unknown-id"), "{got:?}");
    }

    #[test]
    fn namespaces_must_be_dns_labels_for_kubernetes_targets_only() {
        let mut d = design();
        d.services[0].namespace = Some("../Shop_Front".into());
        let got = check(&d, Target::NetworkPolicy);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].code, "export-namespace");
        assert_eq!(got[0].pointer, "/services/0/namespace");
        assert!(
            got[0].message.contains("`../Shop_Front`"),
            "{}",
            got[0].message
        );
        assert!(
            got[0]
                .help
                .as_deref()
                .unwrap()
                .ends_with("for example `shop-front`"),
            "{:?}",
            got[0].help
        );
        for t in [Target::NetworkPolicyEgress, Target::Cilium, Target::Istio] {
            assert_eq!(check(&d, t).len(), 1, "{t}");
        }
        for t in [Target::Kong, Target::Nginx] {
            assert!(check(&d, t).is_empty(), "{t}");
        }
    }

    #[test]
    fn label_keys_and_values_follow_kubernetes_syntax() {
        let mut d = design();
        d.services[0].labels = [
            ("app.kubernetes.io/name".to_string(), "web".to_string()),
            ("tier".to_string(), String::new()),
            ("bad key".to_string(), "x".to_string()),
            ("Example.com/x".to_string(), "y".to_string()),
            ("ok".to_string(), "-bad-".to_string()),
        ]
        .into();
        let got = check(&d, Target::Cilium);
        let pointers: Vec<&str> = got.iter().map(|x| x.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/services/0/labels/Example.com~1x",
                "/services/0/labels/bad key",
                "/services/0/labels/ok",
            ]
        );
        assert!(got.iter().all(|x| x.code == "export-label"));
        assert!(got[0].message.contains("prefix"), "{}", got[0].message);
        assert!(
            got[2].message.contains("value `-bad-`"),
            "{}",
            got[2].message
        );
        assert!(check(&d, Target::Nginx).is_empty());
    }

    #[test]
    fn target_checks_are_check_all_without_the_validator() {
        // A dangling segment member (a validator error) beside a bad namespace (a target
        // check): the CLI, which has validated already, asks only for the second.
        let mut d = design();
        d.services[0].namespace = Some("Shop".into());
        d.segments = vec![Segment {
            id: "core".into(),
            members: vec!["nope".into()],
            ..Segment::default()
        }];
        let all = check_all(&d, &Target::ALL);
        let codes: Vec<&str> = all.iter().map(|x| x.code).collect();
        assert_eq!(codes, ["unknown-id", "export-namespace"]);
        assert_eq!(target_checks(&d, &Target::ALL), all[1..]);
        assert!(target_checks(&d, &[Target::Kong, Target::Nginx]).is_empty());
    }

    #[test]
    fn names() {
        assert!(is_dns_label("a-1"));
        assert!(!is_dns_label("A"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_label_name("Web_1.x"));
        assert!(!is_label_name("_x"));
        assert!(is_dns_subdomain("example.com"));
        assert!(!is_dns_subdomain("example..com"));
    }
}
