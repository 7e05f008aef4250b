//! Kubernetes label selectors (`matchLabels` + `matchExpressions`), as NetworkPolicies use them.
//!
//! Semantics follow the Kubernetes docs, "Labels and Selectors" → "Resources that support
//! set-based requirements": all requirements are ANDed; `matchLabels: {k: v}` equals
//! `{key: k, operator: In, values: [v]}`; `NotIn` and `DoesNotExist` also match objects
//! without the key; an empty selector `{}` matches everything.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

/// A `metav1.LabelSelector`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_expressions: Option<Vec<Requirement>>,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
}

/// A set-based operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelSelector {
    /// A selector with only `matchLabels`.
    pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            match_labels: Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            match_expressions: None,
        }
    }

    /// Whether the selector has no requirement at all (and so selects everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
            && self.match_expressions.as_ref().is_none_or(Vec::is_empty)
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        if let Some(ml) = &self.match_labels
            && !ml.iter().all(|(k, v)| labels.get(k) == Some(v))
        {
            return false;
        }
        self.match_expressions
            .iter()
            .flatten()
            .all(|r| r.matches(labels))
    }

    /// Problems Kubernetes validation would reject, as (JSON pointer suffix, message).
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (i, r) in self.match_expressions.iter().flatten().enumerate() {
            let n = r.values.as_ref().map_or(0, Vec::len);
            match r.operator {
                Operator::In | Operator::NotIn if n == 0 => out.push((
                    format!("/matchExpressions/{i}/values"),
                    format!("operator `{:?}` needs at least one value", r.operator),
                )),
                Operator::Exists | Operator::DoesNotExist if n > 0 => out.push((
                    format!("/matchExpressions/{i}/values"),
                    format!("operator `{:?}` takes no values", r.operator),
                )),
                _ => {}
            }
            if r.key.is_empty() {
                out.push((
                    format!("/matchExpressions/{i}/key"),
                    "the key is empty".to_string(),
                ));
            }
        }
        out
    }
}

impl Requirement {
    pub fn matches(&self, labels: &Labels) -> bool {
        let values = self.values.as_deref().unwrap_or(&[]);
        match self.operator {
            Operator::In => labels.get(&self.key).is_some_and(|v| values.contains(v)),
            Operator::NotIn => labels.get(&self.key).is_none_or(|v| !values.contains(v)),
            Operator::Exists => labels.contains_key(&self.key),
            Operator::DoesNotExist => !labels.contains_key(&self.key),
        }
    }
}

impl std::fmt::Display for LabelSelector {
    /// kubectl's rendering: `app=web,tier in (a,b),!legacy`; `<all>` for the empty selector.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        for (k, v) in self.match_labels.iter().flatten() {
            parts.push(format!("{k}={v}"));
        }
        for r in self.match_expressions.iter().flatten() {
            let vals = r.values.as_deref().unwrap_or(&[]).join(",");
            parts.push(match r.operator {
                Operator::In => format!("{} in ({vals})", r.key),
                Operator::NotIn => format!("{} notin ({vals})", r.key),
                Operator::Exists => r.key.clone(),
                Operator::DoesNotExist => format!("!{}", r.key),
            });
        }
        if parts.is_empty() {
            f.write_str("<all>")
        } else {
            f.write_str(&parts.join(","))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[(&str, &str)]) -> Labels {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn sel(json: serde_json::Value) -> LabelSelector {
        serde_json::from_value(json).unwrap()
    }

    // Kubernetes docs, Labels and Selectors: "An empty label selector ... selects every object".
    #[test]
    fn empty_selector_matches_everything() {
        assert!(sel(serde_json::json!({})).matches(&labels(&[])));
        assert!(sel(serde_json::json!({"matchLabels": {}})).matches(&labels(&[("a", "b")])));
    }

    // Kubernetes docs, Labels and Selectors, "Set-based requirement": `In`, `NotIn`, `Exists`,
    // `DoesNotExist`; `NotIn` and `!key` select objects that lack the key.
    #[test]
    fn every_operator() {
        let with = labels(&[("tier", "web")]);
        let other = labels(&[("tier", "db")]);
        let without = labels(&[]);
        let e = |op: &str, vals: &[&str]| {
            sel(
                serde_json::json!({"matchExpressions": [{"key": "tier", "operator": op, "values": vals}]}),
            )
        };
        let cases = [
            (e("In", &["web", "x"]), [true, false, false]),
            (e("NotIn", &["web"]), [false, true, true]),
            (e("Exists", &[]), [true, true, false]),
            (e("DoesNotExist", &[]), [false, false, true]),
        ];
        for (s, want) in cases {
            assert_eq!(
                [s.matches(&with), s.matches(&other), s.matches(&without)],
                want,
                "{s}"
            );
        }
    }

    // Kubernetes docs, Labels and Selectors: "All of the requirements, from both matchLabels
    // and matchExpressions are ANDed together".
    #[test]
    fn match_labels_and_expressions_are_anded() {
        let s = sel(serde_json::json!({"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["prod"]}]}));
        assert!(s.matches(&labels(&[("app", "web")])));
        assert!(s.matches(&labels(&[("app", "web"), ("env", "dev")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("env", "prod")])));
        assert!(!s.matches(&labels(&[("env", "dev")])));
        assert_eq!(s.to_string(), "app=web,env notin (prod)");
    }

    #[test]
    fn invalid_operator_values_are_reported() {
        let s = sel(serde_json::json!({"matchExpressions": [
            {"key": "a", "operator": "In", "values": []},
            {"key": "b", "operator": "Exists", "values": ["x"]}]}));
        let p = s.problems();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, "/matchExpressions/0/values");
        assert!(p[1].1.contains("takes no values"));
        assert!(
            serde_json::from_value::<LabelSelector>(serde_json::json!({"matchLabel": {}})).is_err()
        );
    }
}
