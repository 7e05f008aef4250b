//! Kong declarative config (`_format_version: "3.0"`, DB-less `kong.yml`).
//!
//! - One Kong service per (service, port), routed by host `<service>.<namespace>:<port>`, with a
//!   route per inventoried endpoint (method and an anchored regex path).
//! - Consumers are the calling services (plus `internet`, the anonymous consumer), each
//!   identified by a `key-auth` key held as a Kong vault reference to an environment variable.
//!   Consumer groups are the calling segments.
//! - Each route's `acl` allows exactly the callers that the evaluator allows with what they hold
//!   (a whole calling segment's group when every member is allowed).
//! - `rate-limiting` (limit by consumer) carries the rate limit of each allowed call.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::eval::{Request, Verdict};
use bulkhead_core::model::{Auth, Period, RateLimit};

use crate::access::{Access, CallerRef, allowed_by_ref_str, allowed_by_str};
use crate::gaps::{Gaps, describe_auth};
use crate::names::dns_label;
use crate::yaml::{Node, Writer};
use crate::{ExportError, Gap, Header, Options, OutputFile, Target, paths};
use crate::{obj, seq};

/// The header callers put their key in.
pub const KEY_HEADER: &str = "x-api-key";
/// The anonymous consumer that stands for callers without a key (the internet).
pub const ANONYMOUS: &str = "internet";

pub fn consumer_name(access: &Access<'_>, c: CallerRef) -> String {
    match c {
        CallerRef::Internet => ANONYMOUS.to_string(),
        CallerRef::Service(i) => access.label(i).to_string(),
    }
}

pub fn render(
    access: &Access<'_>,
    header: &Header<'_>,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    if options.staged {
        return Err(ExportError::NoStagedMode {
            target: Target::Kong,
            why: "Kong's acl and rate-limiting plugins have no dry-run mode; stage with `--target nginx --staged` or `--target istio --staged`",
        });
    }
    let mut gaps = Gaps::new(access);
    let groups = AclGroups::new(access);
    let mut callers_used: BTreeSet<CallerRef> = BTreeSet::new();
    let mut scratch = Scratch::default();
    let mut allowed: Vec<(CallerRef, Option<&RateLimit>)> = Vec::new();
    // The items of `services:`, streamed (at the document's top level, as they will stand),
    // in a buffer sized for them up front: grown by doubling from empty, a large design's 17 MB
    // went through fresh memory twice (each page a kernel page fault), and copied once more.
    let mut services = String::with_capacity(services_room(access));
    let mut sw = Writer::doc_seq(&mut services);

    for &t in &access.order {
        let target = access.service(t);
        let grants = &access.inbound[t];
        if grants.is_empty() {
            continue;
        }
        if target.endpoints.is_empty() {
            // One message for every rule that allows a call to it, formatted once.
            let message = format!(
                "`{}` has no inventoried endpoints, so Kong has no routes for it; the calls this rule allows to it are not expressed here (import its API spec)",
                target.id
            );
            for g in grants {
                for p in &g.ports {
                    gaps.add(allowed_by_str(&p.by), &message);
                }
            }
            continue;
        }
        // Ports any caller may use, in order.
        let mut ports: Vec<Option<&bulkhead_core::model::Port>> = Vec::new();
        for g in grants {
            for p in &g.ports {
                if !ports
                    .iter()
                    .any(|q| q.map(|q| q.port) == p.port.map(|p| p.port))
                {
                    ports.push(p.port);
                }
            }
        }
        ports.sort_by_key(|p| p.map(|p| p.port));
        let mut eps: Vec<&bulkhead_core::model::Endpoint> = target.endpoints.iter().collect();
        eps.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        eps.dedup_by(|a, b| a.path == b.path && a.method.eq_ignore_ascii_case(&b.method));
        // Each endpoint's route path, method and the end of its route name (`-<n>-<method>`),
        // once per service: every port routes them all.
        let route_paths: Vec<String> = eps
            .iter()
            .map(|e| format!("~{}", &paths::regex(&e.path)[1..]))
            .collect();
        let methods: Vec<String> = eps.iter().map(|e| e.method.to_ascii_uppercase()).collect();
        let name_ends: Vec<String> = methods
            .iter()
            .enumerate()
            .map(|(n, m)| {
                format!(
                    "-{n}-{}",
                    dns_label(&m.replace('*', "any").to_ascii_lowercase())
                )
            })
            .collect();
        let label = access.label(t);
        for port in ports {
            let port_no = port.map(|p| p.port).unwrap_or(80);
            let svc_name = format!("{label}-{port_no}");
            let route_host = match &target.namespace {
                Some(ns) => format!("{label}.{ns}:{port_no}"),
                None => format!("{label}:{port_no}"),
            };
            // Callers the L4 answer allows on this port (no other caller can be allowed any
            // request on it), plus the service itself, which the matrix leaves out.
            let mut candidates: Vec<CallerRef> = grants
                .iter()
                .filter(|g| {
                    g.ports
                        .iter()
                        .any(|p| p.port.map(|p| p.port) == port.map(|p| p.port))
                })
                .map(|g| g.caller)
                .collect();
            if !candidates.contains(&CallerRef::Service(t)) {
                candidates.push(CallerRef::Service(t));
            }
            // The service is written when its first route is.
            let mut started = false;
            // One request, its method and path copied over per endpoint into the same buffers.
            let mut req = Request {
                port: port.map(|p| p.port),
                method: None,
                path: None,
            };
            for (n, e) in eps.iter().enumerate() {
                req.method.get_or_insert_default().clone_from(&e.method);
                req.path.get_or_insert_default().clone_from(&e.path);
                // Who may call this endpoint with what they hold, and at which rate.
                allowed.clear();
                for &caller in &candidates {
                    match access.decide_as_caller(caller, t, &req) {
                        Verdict::Allow {
                            by,
                            auth,
                            rate_limit,
                        } => {
                            // The rule is named only for a gap (an intra-segment allow's name
                            // is formatted, and most allows need no gap).
                            if auth.iter().any(Option::is_some) || rate_limit.is_some() {
                                let rule = allowed_by_ref_str(by);
                                for a in auth.into_iter().flatten() {
                                    note_auth(&mut gaps, &rule, a);
                                }
                                // Said once per rule (and whether a burst is set), not per call.
                                if let Some(rl) = rate_limit
                                    && gaps.once((&rule, "kong-rate", rl.burst.is_some()))
                                {
                                    if rl.burst.is_some() {
                                        gaps.add(&rule, "Kong's rate-limiting plugin has no burst allowance; the burst is not applied");
                                    }
                                    gaps.add(&rule, "Kong counts the rate limit per consumer and Kong service (one target service and port), not across the whole target segment");
                                }
                            }
                            allowed.push((caller, rate_limit));
                        }
                        Verdict::Deny(_) => {}
                    }
                }
                if allowed.is_empty() {
                    continue;
                }
                for (c, _) in &allowed {
                    callers_used.insert(*c);
                }
                let allow = groups.allow(allowed.iter().map(|(c, _)| *c), &mut scratch);
                if !started {
                    started = true;
                    sw.item_map();
                    sw.str("name", &svc_name);
                    sw.str(
                        "protocol",
                        if matches!(port_no, 443 | 8443) {
                            "https"
                        } else {
                            "http"
                        },
                    );
                    match &target.namespace {
                        Some(ns) => sw.str("host", &format!("{label}.{ns}.svc.cluster.local")),
                        None => sw.str("host", label),
                    }
                    sw.int("port", u64::from(port_no));
                    sw.str_seq("tags", ["bulkhead"]);
                    sw.seq("routes");
                }
                let method = &methods[n];
                sw.item_map();
                let mut name = String::with_capacity(svc_name.len() + name_ends[n].len());
                name.push_str(&svc_name);
                name.push_str(&name_ends[n]);
                sw.str("name", &name);
                sw.str_seq("hosts", [&route_host]);
                sw.str_seq("paths", [&route_paths[n]]);
                sw.bool("strip_path", false);
                sw.bool("preserve_host", true);
                sw.str_seq("protocols", ["http", "https"]);
                sw.str_seq("tags", ["bulkhead"]);
                sw.seq("plugins");
                sw.item_map();
                sw.str("name", "key-auth");
                sw.map("config");
                sw.str_seq("key_names", [KEY_HEADER]);
                sw.bool("hide_credentials", true);
                sw.str("anonymous", ANONYMOUS);
                sw.end();
                sw.end();
                sw.item_map();
                sw.str("name", "acl");
                sw.map("config");
                sw.str_seq("allow", allow);
                sw.bool("hide_groups_header", true);
                sw.end();
                sw.end();
                // Rate limits: one for the route when every caller shares it, else per consumer.
                let shared = allowed
                    .first()
                    .and_then(|(_, r)| *r)
                    .filter(|first| allowed.iter().all(|(_, r)| *r == Some(*first)));
                if let Some(rl) = shared {
                    rate_limiting(&mut sw, rl, None);
                } else {
                    for (c, rl) in &allowed {
                        if let Some(rl) = rl {
                            rate_limiting(&mut sw, rl, Some(&consumer_name(access, *c)));
                        }
                    }
                }
                sw.end();
                if method != "*" {
                    sw.str_seq("methods", [method]);
                }
                sw.end();
            }
            if started {
                sw.end();
                sw.end();
            }
        }
    }
    sw.finish();

    // Consumers: every caller that appears in an ACL, plus the anonymous one.
    callers_used.insert(CallerRef::Internet);
    let mut consumer_groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut consumers = Vec::new();
    for c in &callers_used {
        let name = consumer_name(access, *c);
        let mut acls = vec![obj!({"group": format!("caller-{name}")})];
        let mut entry = obj!({"username": name.clone(), "custom_id": access.caller_id(*c), "tags": seq!["bulkhead"]});
        if let CallerRef::Service(i) = c {
            if let Some(seg) = access.eval.segment_of(&access.service(*i).id) {
                let group = format!("segment-{}", dns_label(seg));
                acls.push(obj!({"group": group.clone()}));
                consumer_groups.entry(group).or_default().push(name.clone());
            }
            entry.insert(
                "keyauth_credentials",
                seq![obj!({"key": format!("{{vault://env/bulkhead-key-{name}}}")})],
            );
        }
        entry.insert("acls", acls);
        consumers.push(entry);
    }
    let consumer_groups: Vec<Node<'_>> = consumer_groups
        .into_iter()
        .map(|(name, members)| {
            obj!({
                "name": name,
                "tags": seq!["bulkhead"],
                "consumers": members.into_iter().map(|m| obj!({"username": m})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let gaps = gaps.into_vec();
    // The keys after `services:`, written first so that the file is allocated once at its
    // final size (the header alone is megabytes on a large design). A top-level key is
    // written the same by a writer that starts there (no indentation at the top level).
    let mut tail = String::with_capacity(256 * consumers.len() + 1024);
    let mut w = Writer::doc_map(&mut tail);
    w.node("consumers", &Node::Seq(consumers));
    w.node("consumer_groups", &Node::Seq(consumer_groups));
    w.finish();
    let note = format!(
        "# Callers identify themselves with the `{KEY_HEADER}` header; each calling service's key is read from the\n# environment variable BULKHEAD_KEY_<SERVICE> (Kong env vault). Requests without a key are the `{ANONYMOUS}` consumer.\n"
    );
    // `_format_version` and the `services:` line fit in 64 bytes.
    let mut contents =
        header.render_with_room("#", &gaps, note.len() + 64 + services.len() + tail.len());
    contents.push_str(&note);
    let mut w = Writer::doc_map(&mut contents);
    w.str("_format_version", "3.0");
    // `services:` holds the items streamed above: a top-level sequence's items are written
    // exactly as the items of a top-level key's sequence (dashes at column 0).
    if services.is_empty() {
        w.seq("services");
        w.end();
    } else {
        w.raw_seq("services", &services);
    }
    w.finish();
    contents.push_str(&tail);
    Ok((
        vec![OutputFile {
            path: "kong.yaml".into(),
            contents,
        }],
        gaps,
    ))
}

/// Room for the `services:` items of a design: about a kilobyte per route that could be
/// written (every endpoint on every port some caller may use; 760 bytes a route on average on
/// generated designs), capped at 64 MiB. A low guess only costs growing the buffer; a high one
/// reserves address space whose pages are never touched.
fn services_room(access: &Access<'_>) -> usize {
    let mut routes = 0usize;
    for (t, grants) in access.inbound.iter().enumerate() {
        let endpoints = access.service(t).endpoints.len();
        if grants.is_empty() || endpoints == 0 {
            continue;
        }
        let mut ports: Vec<Option<u32>> = grants
            .iter()
            .flat_map(|g| g.ports.iter().map(|p| p.port.map(|p| p.port)))
            .collect();
        ports.sort_unstable();
        ports.dedup();
        routes = routes.saturating_add(ports.len().saturating_mul(endpoints));
    }
    routes.saturating_mul(1024).min(64 << 20)
}

/// The ACL groups of a route: a calling segment's (`segment-<segment>`) when every member of it
/// may call, else the caller's own (`caller-<consumer>`), in byte order without repeats.
///
/// Every name is made and ranked once per export: a route's groups are then sorted as ranks,
/// and whether a whole segment may call is a count of its allowed members, instead of ordered
/// sets of names and of callers built, and segments looked up by id, for every route.
struct AclGroups {
    /// Each distinct group name, in byte order.
    names: Vec<String>,
    /// The rank in `names` of each caller's own group: by service index, the internet last.
    caller: Vec<u32>,
    /// Per service index: the segment it is a member of (`Evaluator::segment_of` its id), as
    /// an index into `members` and `segment`.
    member_of: Vec<Option<usize>>,
    /// Per service index: its leaf segment as a caller (`Evaluator::leaf_segment`), the same
    /// index space.
    leaf: Vec<Option<usize>>,
    /// Per segment: how many services are members, and the rank of its group.
    members: Vec<u32>,
    segment: Vec<u32>,
}

/// Buffers [`AclGroups::allow`] reuses from route to route.
#[derive(Default)]
struct Scratch {
    /// Allowed members counted per segment (zero between calls).
    counts: Vec<u32>,
    ranks: Vec<u32>,
}

impl AclGroups {
    fn new(access: &Access<'_>) -> Self {
        let design = access.design;
        // Segments by id (as the design's services name them), in id order.
        let member_ids: Vec<Option<&str>> = design
            .services
            .iter()
            .map(|s| access.eval.segment_of(&s.id))
            .collect();
        let mut ids: Vec<&str> = member_ids.iter().flatten().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let slot = |id: &str| ids.binary_search(&id).ok();
        let member_of: Vec<Option<usize>> = member_ids.iter().map(|m| m.and_then(slot)).collect();
        let leaf: Vec<Option<usize>> = (0..design.services.len())
            .map(|i| access.eval.leaf_segment(i).and_then(slot))
            .collect();
        let mut members = vec![0u32; ids.len()];
        for m in member_of.iter().flatten() {
            members[*m] += 1;
        }
        let segment_names: Vec<String> = ids
            .iter()
            .map(|seg| format!("segment-{}", dns_label(seg)))
            .collect();
        let caller_names: Vec<String> = (0..design.services.len())
            .map(CallerRef::Service)
            .chain([CallerRef::Internet])
            .map(|c| format!("caller-{}", consumer_name(access, c)))
            .collect();
        let mut names: Vec<String> = segment_names.iter().chain(&caller_names).cloned().collect();
        names.sort_unstable();
        names.dedup();
        let rank = |name: &String| {
            names
                .binary_search(name)
                .expect("every group name is listed") as u32
        };
        AclGroups {
            caller: caller_names.iter().map(rank).collect(),
            segment: segment_names.iter().map(rank).collect(),
            names,
            member_of,
            leaf,
            members,
        }
    }

    /// The groups of a route that `allowed` (distinct callers) may call.
    fn allow<'s>(
        &'s self,
        allowed: impl Iterator<Item = CallerRef> + Clone,
        scratch: &'s mut Scratch,
    ) -> impl Iterator<Item = &'s str> {
        let Scratch { counts, ranks } = scratch;
        counts.resize(self.members.len(), 0);
        for c in allowed.clone() {
            if let CallerRef::Service(i) = c
                && let Some(s) = self.member_of[i]
            {
                counts[s] += 1;
            }
        }
        ranks.clear();
        for c in allowed.clone() {
            ranks.push(match c {
                CallerRef::Service(i) => match self.leaf[i] {
                    // Every member is allowed: the callers are distinct, so count them.
                    Some(s) if counts[s] == self.members[s] => self.segment[s],
                    _ => self.caller[i],
                },
                CallerRef::Internet => self.caller[self.caller.len() - 1],
            });
        }
        for c in allowed {
            if let CallerRef::Service(i) = c
                && let Some(s) = self.member_of[i]
            {
                counts[s] = 0;
            }
        }
        ranks.sort_unstable();
        ranks.dedup();
        ranks.iter().map(|&r| self.names[r as usize].as_str())
    }
}

/// A `rate-limiting` plugin item (limit by consumer, counted locally), for one consumer if
/// given.
fn rate_limiting(w: &mut Writer<'_>, rl: &RateLimit, consumer: Option<&str>) {
    let period = match rl.per {
        Period::Second => "second",
        Period::Minute => "minute",
        Period::Hour => "hour",
    };
    w.item_map();
    w.str("name", "rate-limiting");
    w.map("config");
    w.int(period, u64::from(rl.requests));
    w.str("limit_by", "consumer");
    w.str("policy", "local");
    w.end();
    if let Some(c) = consumer {
        w.str("consumer", c);
    }
    w.end();
}

fn note_auth(gaps: &mut Gaps, rule: &str, a: &Auth) {
    if !gaps.once((rule, "gateway-auth", a)) {
        return;
    }
    match a {
        Auth::None => {}
        Auth::ApiKey { .. } => {}
        Auth::Jwt { .. } => gaps.add(
            rule,
            format!(
                "it requires {}; Kong identifies callers by key-auth and allows only those the design says hold that token, but does not verify the token or its scopes (the open-source jwt plugin checks no scopes)",
                describe_auth(a)
            ),
        ),
        Auth::Mtls { .. } => gaps.add(
            rule,
            format!(
                "it requires {}; Kong identifies callers by key-auth and allows only those with that identity, but does not terminate the mTLS itself",
                describe_auth(a)
            ),
        ),
    }
}
