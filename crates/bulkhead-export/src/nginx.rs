//! An NGINX gateway: one `server` per segment whose services have inventoried endpoints.
//!
//! - Each server listens on its own port (from [`Options::nginx_listen_base`], segments sorted
//!   by id) and has one regex `location` per (service, port, path template); a service is
//!   reached under `/<service>` (its first port) or `/<service>-<port>` (other ports), and the
//!   prefix is stripped before proxying.
//! - The caller is identified by a client certificate (its subject CN is the caller's workload
//!   identity) or else by the `X-Api-Key` header, looked up in `callers.map` (the keys are
//!   secrets, so the export writes that file with instructions only). Anyone else is the
//!   internet.
//! - One `map` holds the evaluator's verdict for every (location, caller, method): `200`
//!   (allowed), `401` (a credential the caller does not hold is required) or `403` (the default).
//!   Every other path is 403.
//! - `limit_req` zones, keyed by caller, carry the design's rate limits (per rule, or per the
//!   segment that sets it); over the limit the answer is 429.
//! - `upstreams.conf` points each service at its in-cluster DNS name; replace it to deploy
//!   elsewhere.
//!
//! The staged variant computes and logs the same verdicts (`verdict=` in the access log) and
//! runs the rate limits in dry-run mode, but proxies every routable request.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use bulkhead_core::eval::{AllowedByRef, DenyKind, Request, Verdict};
use bulkhead_core::model::{Auth, Endpoint, Period, RateLimit};

use crate::access::{Access, CallerRef, allowed_by_ref_str, allowed_by_str};
use crate::gaps::{Gaps, describe_auth, describe_rate};
use crate::names::dns_label;
use crate::yaml::push_int;
use crate::{ExportError, Gap, Header, Options, OutputFile, paths};

/// The header callers put their API key in.
pub const KEY_HEADER: &str = "X-Api-Key";
/// The caller name of requests that present no known key or certificate.
pub const ANONYMOUS: &str = "internet";

/// Where one service port is reached through the gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Segment id of the server.
    pub segment: String,
    /// The server's listen port.
    pub listen: u16,
    pub service: String,
    pub port: Option<u32>,
    /// Path prefix on the gateway (`/orders`).
    pub prefix: String,
    /// Upstream block name.
    pub upstream: String,
}

/// The gateway's routing table for a design: which server, prefix and upstream each service
/// port gets. The proofs use it to address requests.
pub fn routes(access: &Access<'_>, options: &Options) -> Result<Vec<Route>, ExportError> {
    let mut by_segment: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &access.order {
        let s = access.service(i);
        if s.endpoints.is_empty() {
            continue;
        }
        if let Some(seg) = access.eval.segment_of(&s.id) {
            by_segment.entry(seg).or_default().push(i);
        }
    }
    let needed = by_segment.len();
    if options.nginx_listen_base as usize + needed > 65536 {
        return Err(ExportError::PortsExhausted {
            base: options.nginx_listen_base,
            needed,
        });
    }
    let mut out = Vec::new();
    for (n, (seg, members)) in by_segment.into_iter().enumerate() {
        let listen = options.nginx_listen_base + n as u16;
        for i in members {
            let s = access.service(i);
            let mut ports: Vec<Option<u32>> = s.ports.iter().map(|p| Some(p.port)).collect();
            ports.sort();
            ports.dedup();
            if ports.is_empty() {
                ports.push(None);
            }
            let label = access.label(i);
            for (k, port) in ports.iter().enumerate() {
                let prefix = if k == 0 {
                    format!("/{label}")
                } else {
                    format!("/{label}-{}", port.unwrap_or(80))
                };
                out.push(Route {
                    segment: seg.to_string(),
                    listen,
                    service: s.id.clone(),
                    port: *port,
                    prefix,
                    upstream: format!("bh_{}_{}", label.replace('-', "_"), port.unwrap_or(80)),
                });
            }
        }
    }
    Ok(out)
}

/// The name a caller has in the gateway's maps.
pub fn caller_name(access: &Access<'_>, c: CallerRef) -> String {
    match c {
        CallerRef::Internet => ANONYMOUS.to_string(),
        CallerRef::Service(i) => access.label(i).to_string(),
    }
}

struct Zone {
    name: String,
    rate: String,
    burst: u32,
}

/// The rate-limit zones met so far, by the name of what sets them (`rule-<rule>` or
/// `segment-<segment>`), each with its map entries: a verdict with a rate limit names its zone
/// by position, instead of copying the name into ordered maps and sets per verdict.
#[derive(Default)]
struct Zones {
    /// Name, zone, map entries (`<key>" "<value>`), in the order first met.
    list: Vec<(String, Zone, Vec<String>)>,
    by_name: std::collections::HashMap<String, usize, foldhash::fast::FixedState>,
}

impl Zones {
    /// The position of the zone named `name`, added as `zone` if it is new (the first zone
    /// of a name is kept).
    fn add(&mut self, name: String, zone: Zone) -> usize {
        match self.by_name.get(&name) {
            Some(&i) => i,
            None => {
                self.by_name.insert(name.clone(), self.list.len());
                self.list.push((name, zone, Vec::new()));
                self.list.len() - 1
            }
        }
    }

    /// Positions sorted by name, without repeats.
    fn sort_by_name(&self, ids: &mut Vec<usize>) {
        ids.sort_unstable_by(|&a, &b| self.list[a].0.cmp(&self.list[b].0));
        ids.dedup();
    }
}

pub fn render(
    access: &Access<'_>,
    header: &Header<'_>,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    let staged = options.staged;
    let design = access.design;
    let mut gaps = Gaps::new(access);
    let routes = routes(access, options)?;
    let callers: Vec<CallerRef> = std::iter::once(CallerRef::Internet)
        .chain(access.order.iter().map(|&i| CallerRef::Service(i)))
        .collect();

    for &t in &access.order {
        let s = access.service(t);
        let inbound = &access.inbound[t];
        if !inbound.is_empty()
            && (s.endpoints.is_empty() || access.eval.segment_of(&s.id).is_none())
        {
            // One message for every rule that allows a call to it, formatted once.
            let message = if s.endpoints.is_empty() {
                format!(
                    "`{}` has no inventoried endpoints, so the gateway has no locations for it; the calls this rule allows to it are not expressed here (import its API spec)",
                    s.id
                )
            } else {
                format!(
                    "`{}` is in no segment, so no gateway server fronts it; the calls this rule allows to it are not expressed here",
                    s.id
                )
            };
            for g in inbound {
                for p in &g.ports {
                    gaps.add(allowed_by_str(&p.by), &message);
                }
            }
        }
    }

    // The verdict map's entries, per location: its number as text, and its `(key, verdict)`
    // pairs in the order they were decided.
    let mut verdicts: Vec<(String, Vec<(String, &'static str)>)> = Vec::new();
    let mut zones = Zones::default();
    let mut servers: BTreeMap<(u16, String), String> = BTreeMap::new();
    let mut upstreams = String::new();
    let mut loc_id = 0usize;

    for route in &routes {
        let Some(t) = access.eval.service_index(&route.service) else {
            continue;
        };
        let svc = access.service(t);
        let server = servers
            .entry((route.listen, route.segment.clone()))
            .or_default();
        let upstream_host = match &svc.namespace {
            Some(ns) => format!("{}.{ns}.svc.cluster.local", dns_label(&svc.id)),
            None => dns_label(&svc.id),
        };
        let _ = writeln!(
            upstreams,
            "upstream {} {{ server {upstream_host}:{}; }}",
            route.upstream,
            route.port.unwrap_or(80)
        );
        // One location per path template; methods are told apart in the verdict map.
        let mut by_path: BTreeMap<&str, Vec<&Endpoint>> = BTreeMap::new();
        for e in &svc.endpoints {
            by_path.entry(&e.path).or_default().push(e);
        }
        // INVARIANT (the evaluator's contract for unset request fields): a caller that the L4
        // answer denies on this port is denied every request on it, with any credentials, so its
        // verdict is the map's default (403) and it need not be asked per endpoint.
        // The matrix leaves out a service calling itself; through the gateway that is a call
        // like any other, so the service itself is always asked.
        let mut l4_callers: Vec<CallerRef> = access.inbound[t]
            .iter()
            .filter(|g| g.ports.iter().any(|p| p.port.map(|p| p.port) == route.port))
            .map(|g| g.caller)
            .collect();
        if !l4_callers.contains(&CallerRef::Service(t)) {
            l4_callers.push(CallerRef::Service(t));
        }
        let mut templates: Vec<(&str, &Vec<&Endpoint>)> =
            by_path.iter().map(|(p, e)| (*p, e)).collect();
        // nginx tries regex locations in order: more specific templates first (a stable sort;
        // each key computed once).
        templates.sort_by_cached_key(|(p, _)| specificity(p));
        // The zone of each (rule, rate limit) met on this service, computed once.
        let mut zone_cache: Vec<(AllowedByRef<'_>, &RateLimit, usize)> = Vec::new();
        // One request, its method and path copied over per endpoint into the same buffers.
        let mut req = Request {
            port: route.port,
            method: None,
            path: None,
        };
        let mut method = String::new();
        for (template, eps) in templates {
            loc_id += 1;
            let mut loc_verdicts: Vec<(String, &'static str)> = Vec::new();
            let mut loc_zones: Vec<usize> = Vec::new();
            for e in eps {
                method.clone_from(&e.method);
                method.make_ascii_uppercase();
                req.method.get_or_insert_default().clone_from(&e.method);
                req.path.get_or_insert_default().clone_from(&e.path);
                for &c in &l4_callers {
                    let verdict = access.decide_as_caller(c, t, &req);
                    let name = match c {
                        CallerRef::Internet => ANONYMOUS,
                        CallerRef::Service(i) => access.label(i),
                    };
                    let code = match &verdict {
                        Verdict::Allow { by, auth, .. } => {
                            // The rule is named only for a gap (an intra-segment allow's name
                            // is formatted, and most allows need no gap).
                            if auth.iter().any(Option::is_some) {
                                let rule = allowed_by_ref_str(*by);
                                for a in auth.iter().flatten() {
                                    note_auth(&mut gaps, &rule, a);
                                }
                            }
                            "200"
                        }
                        Verdict::Deny(DenyKind::MissingCredential) => "401",
                        Verdict::Deny(_) => continue,
                    };
                    // `<location> <caller> <METHOD>`, or a regex for any method.
                    let mut key = String::with_capacity(name.len() + method.len() + 24);
                    if method == "*" {
                        key.push_str("~^");
                    }
                    push_int(&mut key, loc_id as u64);
                    key.push(' ');
                    key.push_str(name);
                    key.push(' ');
                    if method != "*" {
                        key.push_str(&method);
                    }
                    if let Verdict::Allow {
                        by,
                        rate_limit: Some(rl),
                        ..
                    } = verdict
                    {
                        let zone = match zone_cache.iter().find(|(b, r, _)| *b == by && *r == rl) {
                            Some(&(_, _, zone)) => zone,
                            None => {
                                let rule = allowed_by_ref_str(by);
                                let (name, z) = zone_for(access, t, by, rl, &mut gaps, &rule);
                                let zone = zones.add(name, z);
                                zone_cache.push((by, rl, zone));
                                zone
                            }
                        };
                        let key_value = match c {
                            CallerRef::Internet => "internet:$remote_addr",
                            CallerRef::Service(_) => name,
                        };
                        let mut entry = String::with_capacity(key.len() + key_value.len() + 3);
                        entry.push_str(&key);
                        entry.push_str("\" \"");
                        entry.push_str(key_value);
                        zones.list[zone].2.push(entry);
                        loc_zones.push(zone);
                    }
                    loc_verdicts.push((key, code));
                }
            }
            let mut number = String::new();
            push_int(&mut number, loc_id as u64);
            // Each location's lines written piece by piece: `writeln!` goes through the
            // formatting machinery per argument, for tens of thousands of locations.
            let inner = paths::regex(template);
            let inner = &inner[1..inner.len() - 1];
            for part in [
                "        # ",
                &svc.id,
                " ",
                template,
                " (",
                &route.prefix,
                ")\n        location ~ \"^",
                &route.prefix,
                "(",
                inner,
                ")$\" {\n            set $bh_loc ",
                &number,
                ";\n",
            ] {
                server.push_str(part);
            }
            if !staged {
                server.push_str("            if ($bh_verdict = 401) { return 401; }\n");
                server.push_str("            if ($bh_verdict = 403) { return 403; }\n");
            }
            zones.sort_by_name(&mut loc_zones);
            for &z in &loc_zones {
                let zone = &zones.list[z].1;
                server.push_str("            limit_req zone=");
                server.push_str(&zone.name);
                server.push_str(" burst=");
                push_int(server, u64::from(zone.burst));
                server.push_str(" nodelay;\n");
            }
            for part in [
                "            proxy_pass http://",
                &route.upstream,
                "$1$is_args$args;\n        }\n",
            ] {
                server.push_str(part);
            }
            verdicts.push((number, loc_verdicts));
        }
    }

    // Deny rules between callers and services the gateway does not front are out of its reach;
    // every other decision is in the verdict map.
    let _ = design;

    // Exact keys first (order does not matter for them), regex keys after (nginx tries them in
    // order), each in byte order, the first of equal keys kept. Every key of a location starts
    // with the location's number (after `~^` for a regex) and a space, which sorts before any
    // digit, so byte order is the locations' numbers in byte order, then each location's keys:
    // sorting each location's few keys and then the locations gives the order of one sort of
    // all keys without comparing keys across locations.
    verdicts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (_, keys) in &mut verdicts {
        keys.sort_by(|a, b| (a.0.starts_with('~'), &a.0).cmp(&(b.0.starts_with('~'), &b.0)));
        keys.dedup_by(|a, b| a.0 == b.0);
    }
    for (_, _, entries) in &mut zones.list {
        entries.sort();
        entries.dedup();
    }
    // Zones in name order.
    let mut zone_order: Vec<usize> = (0..zones.list.len()).collect();
    zones.sort_by_name(&mut zone_order);

    let gaps = gaps.into_vec();
    // The file in one buffer, sized for what follows the header (a generous guess; a low one
    // only costs growing it): grown by doubling from the header, tens of megabytes went
    // through fresh memory several times, each page a kernel page fault.
    let room = 8192
        + routes
            .iter()
            .map(|r| 64 + r.prefix.len() + r.service.len() + r.segment.len())
            .sum::<usize>()
        + callers
            .iter()
            .map(|&c| match c {
                CallerRef::Service(i) => {
                    let s = access.service(i);
                    64 + 2 * s.identity.as_deref().map_or(0, str::len) + access.label(i).len()
                }
                CallerRef::Internet => 0,
            })
            .sum::<usize>()
        + verdicts
            .iter()
            .flat_map(|(_, keys)| keys.iter().map(|(k, _)| 16 + k.len()))
            .sum::<usize>()
        + zones
            .list
            .iter()
            .map(|(z, _, entries)| {
                256 + 3 * z.len() + entries.iter().map(|e| 16 + e.len()).sum::<usize>()
            })
            .sum::<usize>()
        + servers
            .iter()
            .map(|((_, segment), body)| 512 + 3 * segment.len() + body.len())
            .sum::<usize>();
    let mut conf = header.render_with_room("#", &gaps, room);
    conf.push_str("#\n# Routing (server port, path prefix -> service port):\n");
    for r in &routes {
        let _ = writeln!(
            conf,
            "#   :{} {} -> `{}`{} (segment `{}`)",
            r.listen,
            r.prefix,
            r.service,
            r.port.map(|p| format!(":{p}")).unwrap_or_default(),
            r.segment
        );
    }
    conf.push_str(&format!(
        "#\n# Callers: a client certificate whose subject CN is the caller's workload identity, or the\n# `{KEY_HEADER}` header looked up in callers.map. Anyone else is `{ANONYMOUS}`.\n\n"
    ));
    conf.push_str("worker_processes 1;\n\nevents {\n    worker_connections 1024;\n}\n\nhttp {\n");
    let verdict_count: usize = verdicts.iter().map(|(_, v)| v.len()).sum();
    let map_size = (verdict_count * 2).next_power_of_two().max(4096);
    let _ = writeln!(
        conf,
        "    map_hash_max_size {map_size};\n    map_hash_bucket_size 256;"
    );
    conf.push_str("    server_tokens off;\n    limit_req_status 429;\n");
    if staged {
        conf.push_str("    limit_req_dry_run on;\n");
    }
    conf.push_str("    log_format bulkhead '$remote_addr caller=$bh_caller \"$request\" $status verdict=$bh_verdict';\n");
    conf.push_str("    access_log logs/bulkhead-access.log bulkhead;\n\n");
    conf.push_str("    include upstreams.conf;\n\n");
    conf.push_str("    # Caller identity: certificate first, then API key.\n");
    conf.push_str("    map $ssl_client_s_dn $bh_cert_caller {\n        default \"\";\n");
    for &c in &callers {
        if let CallerRef::Service(i) = c
            && let Some(id) = &access.service(i).identity
        {
            let _ = writeln!(
                conf,
                "        \"~(^|,)CN={}(,|$)\" {};",
                regex_escape(id),
                caller_name(access, c)
            );
        }
    }
    conf.push_str("    }\n");
    let _ = writeln!(
        conf,
        "    map $http_{} $bh_key_caller {{\n        default {ANONYMOUS};\n        include callers.map;\n    }}",
        KEY_HEADER.to_ascii_lowercase().replace('-', "_")
    );
    conf.push_str("    map $bh_cert_caller $bh_caller {\n        \"\" $bh_key_caller;\n        default $bh_cert_caller;\n    }\n\n");
    conf.push_str("    # The evaluator's verdict per (location, caller, method): 200 allowed, 401 missing credential.\n");
    conf.push_str(
        "    map \"$bh_loc $bh_caller $request_method\" $bh_verdict {\n        default 403;\n",
    );
    for regex in [false, true] {
        for (_, keys) in &verdicts {
            let split = keys.partition_point(|(k, _)| !k.starts_with('~'));
            let keys = if regex {
                &keys[split..]
            } else {
                &keys[..split]
            };
            for (k, v) in keys {
                for part in ["        \"", k, "\" ", v, ";\n"] {
                    conf.push_str(part);
                }
            }
        }
    }
    conf.push_str("    }\n\n");
    for &i in &zone_order {
        let (z, zone, entries) = &zones.list[i];
        let _ = writeln!(
            conf,
            "    map \"$bh_loc $bh_caller $request_method\" $bh_rl_{} {{\n        default \"\";",
            z.replace('-', "_")
        );
        for e in entries {
            for part in ["        \"", e, "\";\n"] {
                conf.push_str(part);
            }
        }
        conf.push_str("    }\n");
        let _ = writeln!(
            conf,
            "    limit_req_zone $bh_rl_{} zone={}:1m rate={};\n",
            z.replace('-', "_"),
            zone.name,
            zone.rate
        );
    }
    for ((listen, segment), body) in &servers {
        let _ = writeln!(
            conf,
            "    # segment `{segment}`\n    server {{\n        listen {listen};\n        server_name _;"
        );
        let _ = writeln!(conf, "        include tls/{}.conf*;", dns_label(segment));
        let _ = writeln!(conf, "        set $bh_loc 0;");
        conf.push_str("        proxy_set_header X-Bulkhead-Caller $bh_caller;\n");
        let _ = writeln!(conf, "        proxy_set_header {KEY_HEADER} \"\";");
        conf.push_str(body);
        conf.push_str("        location / {\n            return 403;\n        }\n    }\n\n");
    }
    conf.push_str("}\n");

    let head_short = header.render("#", &[]);
    let head_short = head_short
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let callers_map = {
        let mut s = head_short.clone();
        let _ = writeln!(
            s,
            "# API keys of the callers: one line per key, `\"<secret key>\" <caller>;`. Keys are secrets and are\n# not part of the design; fill them in when deploying. Callers known to this design:"
        );
        for &c in &callers {
            if let CallerRef::Service(_) = c {
                let _ = writeln!(
                    s,
                    "#   \"<key of {}>\" {};",
                    access.caller_id(c),
                    caller_name(access, c)
                );
            }
        }
        s
    };
    Ok((
        vec![
            OutputFile {
                path: "nginx.conf".into(),
                contents: conf,
            },
            OutputFile {
                path: "callers.map".into(),
                contents: callers_map,
            },
            OutputFile {
                path: "upstreams.conf".into(),
                contents: format!(
                    "{head_short}# Upstreams by in-cluster DNS name; replace to deploy elsewhere.\n{upstreams}"
                ),
            },
        ],
        gaps,
    ))
}

/// Sort key for path templates: literal segments before parameters, longer before shorter,
/// suffix wildcards last.
fn specificity(template: &str) -> (bool, Vec<(bool, &str)>) {
    let trimmed = template.trim_matches('/');
    let suffix = trimmed.ends_with("**");
    let segs = trimmed
        .split('/')
        .map(|s| (s.starts_with('{') || s == "*" || s == "**", s))
        .collect();
    (suffix, segs)
}

/// The zone a rate limit is counted in: the rule that sets it, or the segment that sets it.
fn zone_for(
    access: &Access<'_>,
    target: usize,
    by: AllowedByRef<'_>,
    rl: &RateLimit,
    gaps: &mut Gaps,
    rule: &str,
) -> (String, Zone) {
    let from_rule = match by {
        AllowedByRef::Rule(rule) => access
            .rule(rule)
            .filter(|r| r.rate_limit.is_some())
            .map(|r| format!("rule-{}", dns_label(&r.id))),
        AllowedByRef::IntraSegment(_) => None,
    };
    let origin = from_rule.unwrap_or_else(|| {
        let svc = &access.service(target).id;
        let seg = access
            .eval
            .segment_chain(svc)
            .into_iter()
            .find(|s| {
                access
                    .segment(s)
                    .is_some_and(|seg| seg.policy.rate_limit.is_some())
            })
            .unwrap_or_default();
        format!("segment-{}", dns_label(seg))
    });
    let rate = match rl.per {
        Period::Second => format!("{}r/s", rl.requests.max(1)),
        Period::Minute => format!("{}r/m", rl.requests.max(1)),
        Period::Hour => {
            let per_minute = rl.requests.div_ceil(60).max(1);
            if rl.requests % 60 != 0 {
                gaps.add(
                    rule,
                    format!(
                        "rate limit {} is rounded up to {per_minute}/minute: nginx counts per second or minute",
                        describe_rate(rl)
                    ),
                );
            }
            format!("{per_minute}r/m")
        }
    };
    // Without an explicit burst a limit of N per period admits N requests at once.
    let burst = rl.burst.unwrap_or(rl.requests.saturating_sub(1));
    let name = format!("bh_{}", origin.replace('-', "_"));
    (origin, Zone { name, rate, burst })
}

fn note_auth(gaps: &mut Gaps, rule: &str, a: &Auth) {
    if !gaps.once((rule, "gateway-auth", a)) {
        return;
    }
    match a {
        Auth::None | Auth::ApiKey { .. } => {}
        Auth::Jwt { .. } => gaps.add(
            rule,
            format!(
                "it requires {}; the gateway identifies callers (certificate or API key) and admits those the design says hold that token, but does not verify the token",
                describe_auth(a)
            ),
        ),
        Auth::Mtls { .. } => gaps.add(
            rule,
            format!(
                "it requires {}; a caller identified by API key instead of its client certificate is admitted by name, so serve these servers over TLS with `ssl_verify_client on` (tls/<segment>.conf) to enforce it",
                describe_auth(a)
            ),
        ),
    }
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if ".^$|?*+()[]{}\\\"".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
