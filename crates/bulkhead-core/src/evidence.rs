//! Evidence of calls: flows (declared or observed) turned into the requests the evaluator
//! decides, with paths resolved against the called service's endpoints.
//!
//! Traffic records concrete calls (`GET /reviews/0?x=1`, sometimes a whole URL); designs speak
//! in endpoint templates (`/reviews/{id}`). Both the least-privilege proposal and the drift
//! check need the same reading of a flow, so it lives here once:
//! - a URL's scheme and authority, the query string and the fragment are dropped;
//! - a path that one of the target's endpoints matches is replaced by that endpoint's template,
//!   so a thousand ids are one allowance and one "endpoint used";
//! - methods are upper-cased; an empty method or path means "not recorded" (`None`).

use crate::eval::{Request, path_matches};
use crate::model::{Flow, Service};

/// The path part of a recorded request target: no scheme, authority, query or fragment,
/// always starting with `/`. Returns `None` for an empty target.
pub fn clean_path(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    // `http://host:port/p` → `/p`
    let without_authority = match raw.find("://") {
        Some(i) => {
            let rest = &raw[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "/",
            }
        }
        None => raw,
    };
    let end = without_authority
        .find(['?', '#'])
        .unwrap_or(without_authority.len());
    let p = &without_authority[..end];
    if p.is_empty() {
        return Some("/".into());
    }
    if p.starts_with('/') {
        Some(p.to_string())
    } else {
        Some(format!("/{p}"))
    }
}

/// The endpoint of `service` a call matches, if any (first match in declaration order, with
/// exact-text templates preferred over parameterised ones so `/accounts/me` beats
/// `/accounts/{id}`).
pub fn matching_endpoint<'s>(
    service: &'s Service,
    method: Option<&str>,
    path: &str,
) -> Option<&'s crate::model::Endpoint> {
    let method_ok = |e: &crate::model::Endpoint| match method {
        None => true,
        Some(m) => crate::eval::method_matches(&e.method, m),
    };
    service
        .endpoints
        .iter()
        .filter(|e| method_ok(e))
        .find(|e| e.path == path)
        .or_else(|| {
            service
                .endpoints
                .iter()
                .filter(|e| method_ok(e))
                .find(|e| path_matches(&e.path, path))
        })
}

/// The request a flow stands for, with its path resolved to the target's endpoint template
/// when one matches. `target` is the called service, if it is in the inventory.
pub fn request_of(flow: &Flow, target: Option<&Service>) -> Request {
    let method = flow
        .method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_ascii_uppercase);
    let path = flow.path.as_deref().and_then(clean_path).map(|p| {
        target
            .and_then(|t| matching_endpoint(t, method.as_deref(), &p))
            .map(|e| e.path.clone())
            .unwrap_or(p)
    });
    Request {
        port: flow.port,
        method,
        path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Endpoint;

    #[test]
    fn urls_queries_and_fragments_are_dropped() {
        assert_eq!(
            clean_path("http://10.0.0.1:9090/metrics?x=1").as_deref(),
            Some("/metrics")
        );
        assert_eq!(clean_path("https://h").as_deref(), Some("/"));
        assert_eq!(clean_path("/a/b#frag").as_deref(), Some("/a/b"));
        assert_eq!(clean_path("a/b").as_deref(), Some("/a/b"));
        assert_eq!(clean_path("  ").as_deref(), None);
    }

    #[test]
    fn paths_resolve_to_templates_exact_text_first() {
        let s = Service {
            id: "reviews".into(),
            endpoints: vec![
                Endpoint {
                    method: "GET".into(),
                    path: "/reviews/{id}".into(),
                    ..Endpoint::default()
                },
                Endpoint {
                    method: "GET".into(),
                    path: "/reviews/top".into(),
                    ..Endpoint::default()
                },
            ],
            ..Service::default()
        };
        let flow = |m: &str, p: &str| Flow {
            id: "f".into(),
            from: "a".into(),
            to: "reviews".into(),
            method: Some(m.into()),
            path: Some(p.into()),
            ..Flow::default()
        };
        let r = request_of(&flow("get", "/reviews/0?u=normal"), Some(&s));
        assert_eq!(r.method.as_deref(), Some("GET"));
        assert_eq!(r.path.as_deref(), Some("/reviews/{id}"));
        let r = request_of(&flow("GET", "/reviews/top"), Some(&s));
        assert_eq!(r.path.as_deref(), Some("/reviews/top"));
        // No endpoint for POST: the concrete path stays.
        let r = request_of(&flow("POST", "/reviews/0"), Some(&s));
        assert_eq!(r.path.as_deref(), Some("/reviews/0"));
    }
}
