//! What a target cannot express, named by the rule it concerns.
//!
//! An export never silently widens or narrows the design. Where a target is coarser than the
//! design (NetworkPolicy sees no methods, paths or credentials) it allows the least that still
//! permits every call the design allows and records here what it left to another enforcement
//! point. Where a target cannot express a caller at all (a pod without labels, a workload
//! without identity) the call is left out, which denies it, and that is recorded too.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use bulkhead_core::model::{Action, Auth, Design, Period, RateLimit};

use crate::access::{Access, PortGrant, allowed_by_str};

/// One thing the output does not enforce, or enforces more strictly, than the design.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gap {
    /// The rule concerned: a rule id, or `intra-segment:<segment>`.
    pub rule: String,
    pub message: String,
}

impl Gap {
    /// The gap as it is shown, "rule `<rule>`: <message>", in pieces: the output headers and
    /// the CLI's notes push them onto a string directly (tens of thousands of lines on a large
    /// design), and [`fmt::Display`] writes the same pieces.
    pub fn parts(&self) -> [&str; 4] {
        ["rule `", &self.rule, "`: ", &self.message]
    }
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.parts().iter().try_for_each(|part| f.write_str(part))
    }
}

/// Text [`Gaps::add`] takes: borrowed (copied only when it is new) or owned (kept as it is).
pub trait Text: AsRef<str> {
    fn into_string(self) -> String;
}

impl<T: AsRef<str> + ?Sized> Text for &T {
    fn into_string(self) -> String {
        self.as_ref().to_string()
    }
}

impl Text for String {
    fn into_string(self) -> String {
        self
    }
}

impl Text for std::borrow::Cow<'_, str> {
    fn into_string(self) -> String {
        self.into_owned()
    }
}

/// A de-duplicated set of gaps, sorted when taken out ([`Gaps::into_vec`]).
#[derive(Clone, Debug, Default)]
pub struct Gaps {
    /// Messages by rule, hashed (foldhash): `add` runs per allowed pair, and ordered sets
    /// compared its long, mostly alike messages byte by byte at every level of the tree.
    /// [`Gaps::into_vec`] sorts once at the end.
    set: HashMap<String, HashSet<String, foldhash::fast::FixedState>, foldhash::fast::FixedState>,
    /// Hashes of (rule, kind, detail) already recorded: the same gap comes up once per allowed
    /// pair, and formatting it again (an mTLS identity list can be long) would make an export
    /// quadratic. Keys hash with foldhash, not the standard SipHash: `once` runs per allowed
    /// pair and port, and its keys hold whole mTLS identity lists, so SipHash's per-write cost
    /// was most of the bookkeeping. The set holds 128 bits per key (two independently seeded
    /// 64-bit hashes), not the key: a collision would skip a gap's `add` and so drop it from the
    /// report, and with 128 bits that needs about 2^64 distinct keys, against a few hundred
    /// thousand on 10,000 services (64 bits would already be a one-in-billions event; the
    /// report is meant to be exact, so the margin is kept astronomical).
    seen: HashSet<u128, foldhash::fast::FixedState>,
}

impl Gaps {
    /// The gaps every export of `access` starts with: the rules left out because they expired
    /// before the date the export is as of (an export never allows what an expired exception
    /// allowed, and an expired deny no longer denies).
    pub fn new(access: &Access<'_>) -> Self {
        // The export's date itself is not written: output stays the same from day to day
        // until another rule expires.
        let mut gaps = Gaps::default();
        for r in access.expired_rules() {
            let expires = r.expires.as_deref().unwrap_or_default();
            let message = match r.action {
                Action::Allow => format!(
                    "expired on {expires} and is left out of this export: nothing it allowed is allowed here; renew its `expires` date or remove the rule"
                ),
                Action::Deny => format!(
                    "expired on {expires} and is left out of this export: it no longer denies what other rules allow; renew its `expires` date or remove the rule"
                ),
            };
            gaps.add(&r.id, message);
        }
        gaps
    }

    pub fn add(&mut self, rule: impl Text, message: impl Text) {
        // The same gap comes up once per allowed pair: look it up before allocating, and keep
        // a message (or rule) that was formatted for the call instead of copying it.
        match self.set.get_mut(rule.as_ref()) {
            Some(messages) => {
                if !messages.contains(message.as_ref()) {
                    messages.insert(message.into_string());
                }
            }
            None => {
                let mut messages = HashSet::default();
                messages.insert(message.into_string());
                self.set.insert(rule.into_string(), messages);
            }
        }
    }

    /// True the first time `key` is seen: guard an expensive [`Gaps::add`] with it.
    pub fn once(&mut self, key: impl Hash) -> bool {
        // A fixed seed: which `add` calls are skipped stays the same from run to run. (Skipping
        // is only a shortcut: `add` de-duplicates by itself.)
        const LOW: foldhash::quality::FixedState =
            foldhash::quality::FixedState::with_seed(0x5eed_0001);
        const HIGH: foldhash::quality::FixedState =
            foldhash::quality::FixedState::with_seed(0x5eed_0002);
        let h = u128::from(HIGH.hash_one(&key)) << 64 | u128::from(LOW.hash_one(&key));
        self.seen.insert(h)
    }

    /// The gaps sorted by rule, then message.
    pub fn into_vec(self) -> Vec<Gap> {
        // Rules sorted among themselves, then each rule's messages: no message is compared
        // with another rule's, and no rule id again per message.
        let mut rules: Vec<_> = self.set.into_iter().collect();
        rules.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut gaps = Vec::with_capacity(rules.iter().map(|(_, m)| m.len()).sum());
        for (rule, messages) in rules {
            let mut messages: Vec<String> = messages.into_iter().collect();
            messages.sort_unstable();
            gaps.extend(messages.into_iter().map(|message| Gap {
                rule: rule.clone(),
                message,
            }));
        }
        gaps
    }

    /// Records what an L4-only target drops from an allowed port: the allowing rule's methods
    /// and paths, the auth the call needs, and its rate limit.
    pub fn l4_grant(&mut self, access: &Access<'_>, target_name: &str, grant: &PortGrant<'_>) {
        let rule = allowed_by_str(&grant.by);
        if !self.once((&rule, "l4", &grant.auth, &grant.rate_limit)) {
            return;
        }
        // The rule's methods and paths are the same whatever the auth: said once per rule.
        if let Some(r) = access.rule(&rule).filter(|_| self.once((&rule, "l4-rule"))) {
            if !r.methods.is_empty() {
                self.add(
                    &rule,
                    format!(
                        "methods {} are not enforced: {target_name} is L4 only; enforce them with cilium, istio, kong or nginx",
                        list(&r.methods)
                    ),
                );
            }
            if !r.paths.is_empty() {
                self.add(
                    &rule,
                    format!(
                        "paths {} are not enforced: {target_name} is L4 only; enforce them with cilium, istio, kong or nginx",
                        list(&r.paths)
                    ),
                );
            }
        }
        for a in &grant.auth {
            self.add(
                &rule,
                format!(
                    "the calls it allows require {}, which {target_name} cannot check; enforce it with istio, kong or nginx",
                    describe_auth(a)
                ),
            );
        }
        if let Some(rl) = &grant.rate_limit {
            self.add(
                &rule,
                format!(
                    "rate limit {} is not enforced: {target_name} has no rate limits; enforce it with kong or nginx",
                    describe_rate(rl)
                ),
            );
        }
    }

    /// Deny rules restricted to methods or paths cannot be expressed at L4: the port stays open
    /// for the calls they do not cover.
    pub fn l4_deny_rules(&mut self, design: &Design, target_name: &str) {
        for r in &design.rules {
            if r.action == Action::Deny && (!r.methods.is_empty() || !r.paths.is_empty()) {
                let mut what = Vec::new();
                if !r.methods.is_empty() {
                    what.push(format!("methods {}", list(&r.methods)));
                }
                if !r.paths.is_empty() {
                    what.push(format!("paths {}", list(&r.paths)));
                }
                self.add(
                    &r.id,
                    format!(
                        "this deny covers only {}: {target_name} is L4 only, so the port stays open for other calls; enforce the deny with cilium, istio, kong or nginx",
                        what.join(" and ")
                    ),
                );
            }
        }
    }
}

/// `a`, `b` as backticked, comma-separated user input.
pub fn list(items: &[String]) -> String {
    let mut out = String::with_capacity(items.iter().map(|s| s.len() + 4).sum());
    push_list(&mut out, items);
    out
}

/// [`list`] appended to `out`: gap messages name every identity of an mTLS requirement, per
/// rule and target.
fn push_list(out: &mut String, items: &[String]) {
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(s);
        out.push('`');
    }
}

pub fn describe_auth(a: &Auth) -> String {
    match a {
        Auth::None => "no auth".into(),
        Auth::ApiKey { key } => ["API key `", key, "`"].concat(),
        Auth::Jwt { issuer, scopes } if scopes.is_empty() => ["a JWT from `", issuer, "`"].concat(),
        Auth::Jwt { issuer, scopes } => {
            let mut out = ["a JWT from `", issuer, "` with scopes "].concat();
            push_list(&mut out, scopes);
            out
        }
        Auth::Mtls { identities } => {
            let mut out =
                String::with_capacity(22 + identities.iter().map(|s| s.len() + 4).sum::<usize>());
            out.push_str("mTLS with identity in ");
            push_list(&mut out, identities);
            out
        }
    }
}

pub fn describe_rate(rl: &RateLimit) -> String {
    let per = match rl.per {
        Period::Second => "second",
        Period::Minute => "minute",
        Period::Hour => "hour",
    };
    match rl.burst {
        Some(b) => format!("{}/{per} (burst {b})", rl.requests),
        None => format!("{}/{per}", rl.requests),
    }
}
