//! Traffic logs → observed flows, streamed with bounded memory.
//!
//! Formats (detected from the first lines, see [`sniff`]):
//! - **NGINX combined** access logs (`$remote_addr - $remote_user [$time_local] "$request"
//!   $status $body_bytes_sent "$http_referer" "$http_user_agent"`): callers call the service that
//!   wrote the log ([`TrafficOptions::log_service`], default `nginx`);
//! - **ingress-nginx** access logs (combined plus `$request_length $request_time
//!   [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr …`): callers call the
//!   upstream Service (`namespace-service-port`) or, failing that, the upstream pod address;
//! - **Cilium Hubble** flows (`hubble observe -o json`, one JSON object per line);
//!   replies are folded onto the call they answer;
//! - **Zeek `conn.log`** (TSV with `#fields`, or JSON lines);
//! - **CSV** with a header naming at least `src,dst` and optionally `port,method,path,count,
//!   first_seen,last_seen` (times in RFC 3339, NGINX or epoch seconds).
//!
//! Each line is read with a length cap ([`MAX_LINE`]); flows are aggregated as they stream by
//! `(from, to, port, method, path template)` with counts and first/last seen. Peers are mapped to
//! services by Service name, DNS name, pod name/labels or IP through [`PeerIndex`]; peers that
//! map to nothing become `external-…` (public addresses and names) or `unknown-…` services, or
//! `internet` as a caller, and are never dropped. Unparseable lines are counted and reported with
//! `file:line` examples.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, BufRead};
use std::net::IpAddr;

use bulkhead_core::model::{
    Endpoint, Exposure, Flow, FlowKind, INTERNET, Provenance, Service, ServiceKind,
};
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::timefmt;

/// Longest line read; longer lines are counted as unparseable and skipped.
pub const MAX_LINE: usize = 64 * 1024;
/// Most distinct unmapped peers turned into services per kind; the rest share one service.
const MAX_UNMAPPED: usize = 256;
/// Most distinct flows kept; past it, new flows lose their path (bounded memory).
const MAX_FLOWS: usize = 200_000;
/// Unparseable line examples kept per file.
const EXAMPLES: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogFormat {
    /// NGINX combined, or ingress-nginx (detected per line).
    Nginx,
    Hubble,
    ZeekTsv,
    ZeekJson,
    Csv,
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Nginx => "nginx access log",
            LogFormat::Hubble => "hubble flows",
            LogFormat::ZeekTsv | LogFormat::ZeekJson => "zeek conn.log",
            LogFormat::Csv => "flow csv",
        }
    }
}

/// Options for traffic import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrafficOptions {
    /// The service that wrote plain NGINX access logs (default `nginx`).
    pub log_service: Option<String>,
}

/// Recognise a log format from the start of a file.
pub fn sniff(head: &str) -> Option<LogFormat> {
    let line = head.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.starts_with("#separator") || line.starts_with("#fields") {
        return Some(LogFormat::ZeekTsv);
    }
    if line.starts_with('{') {
        if let Ok(v) = serde_json::from_str::<Value>(line) {
            if v.get("flow").is_some_and(Value::is_object)
                || (v.get("source").is_some()
                    && v.get("destination").is_some()
                    && v.get("l4").is_some())
            {
                return Some(LogFormat::Hubble);
            }
            if v.get("id.orig_h").is_some() {
                return Some(LogFormat::ZeekJson);
            }
        }
        return None;
    }
    let header: Vec<String> = split_csv(line)
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header.iter().any(|h| h == "src") && header.iter().any(|h| h == "dst") {
        return Some(LogFormat::Csv);
    }
    if parse_nginx(line).is_some() {
        return Some(LogFormat::Nginx);
    }
    None
}

/// One side of an observed call, before mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PeerRef {
    Ip(IpAddr),
    Name(String),
    Pod {
        namespace: String,
        pod: String,
        labels: Vec<(String, String)>,
        ip: Option<IpAddr>,
    },
    /// ingress-nginx upstream `namespace-service-port`.
    Upstream {
        name: String,
        addr: Option<IpAddr>,
    },
    Reserved(String, Option<IpAddr>),
    /// The service that wrote a plain access log.
    LogWriter(String),
}

struct Observation {
    src: PeerRef,
    dst: PeerRef,
    port: Option<u32>,
    method: Option<String>,
    path: Option<String>,
    time: Option<i64>,
    /// A later sighting than `time` (CSV `last_seen`).
    until: Option<i64>,
    count: u64,
}

/// Maps peers to the services of the design being imported.
#[derive(Default)]
pub struct PeerIndex {
    by_ip: HashMap<IpAddr, String>,
    by_name: HashMap<String, String>,
    /// (namespace, labels) of each service with labels, for pod label matching.
    by_labels: Vec<(String, BTreeMap<String, String>, String)>,
    endpoints: HashMap<String, Vec<Endpoint>>,
}

impl PeerIndex {
    /// Index the services (and extra `(alias, id)` pairs and `(ip, id)` pairs) known so far.
    pub fn new(
        services: &[Service],
        aliases: &[(String, String)],
        ips: &[(IpAddr, String)],
    ) -> Self {
        let mut idx = PeerIndex::default();
        for s in services {
            let id = s.id.clone();
            let mut names = vec![s.id.clone(), s.name.clone()];
            for t in &s.tags {
                if let Some(h) = t.strip_prefix("host:") {
                    names.push(h.to_string());
                } else if let Some(ip) = t.strip_prefix("ip:") {
                    if let Ok(ip) = ip.parse() {
                        idx.by_ip.entry(ip).or_insert_with(|| id.clone());
                    }
                } else if let Some(k) = t.strip_prefix("k8s-service:") {
                    if let Some((ns, name)) = k.split_once('/') {
                        names.push(format!("{name}.{ns}"));
                        names.push(format!("{name}.{ns}.svc"));
                        names.push(format!("{name}.{ns}.svc.cluster.local"));
                        names.push(format!("{ns}/{name}"));
                        names.push(name.to_string());
                    }
                }
            }
            if let Some(ns) = &s.namespace {
                names.push(format!("{}.{ns}", s.name));
                names.push(format!("{ns}/{}", s.name));
            }
            for n in names {
                if !n.is_empty() {
                    idx.by_name
                        .entry(n.to_ascii_lowercase())
                        .or_insert_with(|| id.clone());
                }
            }
            if !s.labels.is_empty() {
                idx.by_labels.push((
                    s.namespace.clone().unwrap_or_default(),
                    s.labels.clone(),
                    id.clone(),
                ));
            }
            if !s.endpoints.is_empty() {
                idx.endpoints.insert(id, s.endpoints.clone());
            }
        }
        for (alias, id) in aliases {
            idx.by_name
                .entry(alias.to_ascii_lowercase())
                .or_insert_with(|| id.clone());
        }
        for (ip, id) in ips {
            idx.by_ip.entry(*ip).or_insert_with(|| id.clone());
        }
        // Most specific label sets first, so `app=reviews,version=v1` wins over `app=reviews`.
        idx.by_labels
            .sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.2.cmp(&b.2)));
        idx
    }

    fn name(&self, n: &str) -> Option<&String> {
        let n = n.trim_end_matches('.').to_ascii_lowercase();
        self.by_name.get(&n)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct FlowKey {
    from: String,
    to: String,
    port: Option<u32>,
    method: Option<String>,
    path: Option<String>,
}

#[derive(Default)]
struct FlowAgg {
    count: u64,
    first: Option<i64>,
    last: Option<i64>,
    sources: BTreeSet<String>,
}

/// Per-file reading statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogStats {
    pub lines: u64,
    pub calls: u64,
    pub skipped: u64,
    pub unparsed: u64,
}

/// Observed flows of one import, across all its logs.
#[derive(Default)]
pub struct TrafficImport {
    flows: BTreeMap<FlowKey, FlowAgg>,
    /// Services created for peers not in the inventory.
    pub unmapped: BTreeMap<String, Service>,
    unmapped_count: BTreeMap<&'static str, usize>,
    /// The service each unmapped address was given, by (address, is caller): logs repeat the
    /// same few addresses millions of times, and naming one costs several allocations.
    unmapped_ips: HashMap<(IpAddr, bool), String>,
    pub options: TrafficOptions,
    pub lines_total: u64,
}

/// Most addresses remembered in [`TrafficImport::unmapped_ips`] (beyond, they are named again).
const MAX_CACHED_IPS: usize = 65_536;

impl TrafficImport {
    pub fn new(options: TrafficOptions) -> Self {
        TrafficImport {
            options,
            ..TrafficImport::default()
        }
    }

    /// Stream one log. `source` is the displayed file name.
    pub fn read<R: BufRead>(
        &mut self,
        reader: R,
        format: LogFormat,
        source: &str,
        index: &PeerIndex,
        diags: &mut Vec<Diagnostic>,
    ) -> io::Result<LogStats> {
        let mut stats = LogStats::default();
        let mut lines = BoundedLines::new(reader, MAX_LINE);
        let mut examples: Vec<(usize, String)> = Vec::new();
        let mut zeek_fields: Option<Vec<String>> = None;
        let mut zeek_sep = '\t';
        let mut csv_header: Option<Vec<String>> = None;
        let mut nginx_kind: BTreeSet<&'static str> = BTreeSet::new();
        while let Some(line) = lines.next_line()? {
            let (no, text) = line;
            stats.lines += 1;
            let text = match text {
                Ok(t) => t,
                Err(reason) => {
                    stats.unparsed += 1;
                    if examples.len() < EXAMPLES {
                        examples.push((no, reason.to_string()));
                    }
                    continue;
                }
            };
            let trimmed = text.trim();
            if trimmed.is_empty() {
                stats.skipped += 1;
                continue;
            }
            let parsed: Result<Option<Observation>, String> = match format {
                LogFormat::Nginx => match parse_nginx(trimmed) {
                    Some(n) => {
                        nginx_kind.insert(if n.upstream.is_some() {
                            "ingress"
                        } else {
                            "combined"
                        });
                        Ok(Some(self.nginx_observation(n)))
                    }
                    None => Err("not an NGINX combined or ingress-nginx line".into()),
                },
                LogFormat::Hubble => parse_hubble(trimmed),
                LogFormat::ZeekJson => parse_zeek_json(trimmed),
                LogFormat::ZeekTsv => {
                    if let Some(rest) = trimmed.strip_prefix('#') {
                        if let Some(sep) = rest.strip_prefix("separator ") {
                            zeek_sep = if sep.trim() == "\\x09" {
                                '\t'
                            } else {
                                sep.chars().next().unwrap_or('\t')
                            };
                        } else if let Some(f) = rest.strip_prefix("fields") {
                            zeek_fields = Some(
                                f.trim_start_matches(zeek_sep)
                                    .split(zeek_sep)
                                    .map(str::to_string)
                                    .collect(),
                            );
                        }
                        stats.skipped += 1;
                        continue;
                    }
                    match &zeek_fields {
                        Some(fields) => {
                            parse_zeek_tsv(text.trim_end_matches(['\r', '\n']), zeek_sep, fields)
                        }
                        None => Err("data line before the `#fields` header".into()),
                    }
                }
                LogFormat::Csv => match &csv_header {
                    None => {
                        csv_header = Some(
                            split_csv(trimmed)
                                .into_iter()
                                .map(|h| h.trim().to_ascii_lowercase())
                                .collect(),
                        );
                        stats.skipped += 1;
                        continue;
                    }
                    Some(h) => parse_csv(trimmed, h),
                },
            };
            match parsed {
                Ok(Some(obs)) => {
                    stats.calls += obs.count;
                    self.add(obs, source, index);
                }
                Ok(None) => stats.skipped += 1,
                Err(reason) => {
                    stats.unparsed += 1;
                    if examples.len() < EXAMPLES {
                        examples.push((no, reason));
                    }
                }
            }
        }
        self.lines_total += stats.lines;
        if stats.unparsed > 0 {
            let ex: Vec<String> = examples
                .iter()
                .map(|(l, r)| format!("{source}:{l}: {r}"))
                .collect();
            diags.push(
                Diagnostic::warning(
                    "unparsed-lines",
                    source,
                    format!(
                        "{} of {} lines could not be read as {} (e.g. {})",
                        stats.unparsed,
                        stats.lines,
                        format.name(),
                        ex.join("; ")
                    ),
                )
                .at_line(examples.first().map(|e| e.0)),
            );
        }
        if format == LogFormat::Nginx
            && nginx_kind.contains("combined")
            && self.options.log_service.is_none()
        {
            diags.push(Diagnostic::info(
                "log-service",
                source,
                "a plain access log does not say which service wrote it: its calls are attributed to `nginx` (name the service with `--log-service`)",
            ));
        }
        Ok(stats)
    }

    fn nginx_observation(&self, n: NginxLine) -> Observation {
        let src = match n.remote.parse::<IpAddr>() {
            Ok(ip) => PeerRef::Ip(ip),
            Err(_) => PeerRef::Name(n.remote.to_string()),
        };
        let upstream_ip = n
            .upstream_addr
            .as_deref()
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(h, _)| h.trim_matches(['[', ']']).parse().ok());
        let port = n
            .upstream_addr
            .as_deref()
            .and_then(|a| a.rsplit_once(':'))
            .and_then(|(_, p)| p.parse().ok());
        let dst = match n.upstream {
            Some(name) if !name.is_empty() && name != "upstream-default-backend" => {
                PeerRef::Upstream {
                    name: name.to_string(),
                    addr: upstream_ip,
                }
            }
            Some(_) => match upstream_ip {
                Some(ip) => PeerRef::Ip(ip),
                None => PeerRef::Name("ingress-default-backend".into()),
            },
            None => PeerRef::LogWriter(
                self.options
                    .log_service
                    .clone()
                    .unwrap_or_else(|| "nginx".to_string()),
            ),
        };
        Observation {
            src,
            dst,
            port,
            method: n.method.map(str::to_string),
            path: n.path.map(str::to_string),
            time: timefmt::parse_nginx(n.time),
            until: None,
            count: 1,
        }
    }

    fn add(&mut self, obs: Observation, source: &str, index: &PeerIndex) {
        let port = obs.port;
        let from = self.map(&obs.src, index, true);
        let to = self.map(&obs.dst, index, false);
        let method = obs.method.map(|m| m.to_ascii_uppercase());
        let path = obs
            .path
            .map(|p| template_path(&p, index.endpoints.get(&to), method.as_deref()));
        let mut key = FlowKey {
            from,
            to,
            port,
            method,
            path,
        };
        if self.flows.len() >= MAX_FLOWS && !self.flows.contains_key(&key) {
            key.path = None;
            key.method = None;
        }
        let agg = self.flows.entry(key).or_default();
        agg.count += obs.count;
        if let Some(t) = obs.time {
            agg.first = Some(agg.first.map_or(t, |f| f.min(t)));
            let until = obs.until.unwrap_or(t).max(t);
            agg.last = Some(agg.last.map_or(until, |l| l.max(until)));
        }
        if !agg.sources.contains(source) {
            agg.sources.insert(source.to_string());
        }
    }

    /// Map a peer to a service id, creating an unmapped service when nothing matches.
    fn map(&mut self, peer: &PeerRef, index: &PeerIndex, is_caller: bool) -> String {
        match peer {
            PeerRef::Ip(ip) => self.map_ip(*ip, index, is_caller),
            PeerRef::Name(n) => {
                if let Some(id) = index.name(n) {
                    return id.clone();
                }
                if let Ok(ip) = n.parse::<IpAddr>() {
                    return self.map_ip(ip, index, is_caller);
                }
                let public = crate::openapi::is_public_host(n);
                if public && is_caller {
                    return INTERNET.to_string();
                }
                let (prefix, kind) = if public {
                    ("external", ServiceKind::External)
                } else {
                    ("unknown", ServiceKind::Api)
                };
                self.unmapped_service(
                    prefix,
                    &crate::slug(n),
                    kind,
                    vec![format!("host:{n}")],
                    None,
                    BTreeMap::new(),
                )
            }
            PeerRef::Pod {
                namespace,
                pod,
                labels,
                ip,
            } => {
                let matches = |want: &BTreeMap<String, String>| {
                    want.iter()
                        .all(|(k, v)| labels.iter().any(|(a, b)| a == k && b == v))
                };
                for (ns, want, id) in &index.by_labels {
                    if ns == namespace && matches(want) {
                        return id.clone();
                    }
                }
                // Manifests often omit the namespace and are applied with `-n`: accept a
                // label match in another namespace, most specific first.
                for (_, want, id) in &index.by_labels {
                    if matches(want) {
                        return id.clone();
                    }
                }
                let workload = workload_of_pod(pod);
                for alias in [
                    format!("{namespace}/{workload}"),
                    format!("{namespace}/{pod}"),
                ] {
                    if let Some(id) = index.name(&alias) {
                        return id.clone();
                    }
                }
                if let Some(id) = ip.and_then(|ip| index.by_ip.get(&ip)) {
                    return id.clone();
                }
                let labels: BTreeMap<String, String> = labels.iter().cloned().collect();
                let id = if index.name(&workload).is_some() {
                    format!("{workload}.{namespace}")
                } else {
                    workload.clone()
                };
                self.unmapped_service(
                    "",
                    &id,
                    ServiceKind::Api,
                    vec!["unmapped".into()],
                    Some(namespace.clone()),
                    labels,
                )
            }
            PeerRef::Upstream { name, addr } => {
                // `namespace-service-port`: try every split, since both may contain dashes.
                let parts: Vec<&str> = name.split('-').collect();
                if parts.len() >= 3 {
                    for i in 1..parts.len() - 1 {
                        let ns = parts[..i].join("-");
                        let svc = parts[i..parts.len() - 1].join("-");
                        if let Some(id) = index.name(&format!("{ns}/{svc}")) {
                            return id.clone();
                        }
                    }
                }
                if let Some(id) = addr.and_then(|ip| index.by_ip.get(&ip)) {
                    return id.clone();
                }
                let guess = if parts.len() >= 3 {
                    parts[1..parts.len() - 1].join("-")
                } else {
                    name.clone()
                };
                self.unmapped_service(
                    "unknown",
                    &guess,
                    ServiceKind::Api,
                    vec![format!("ingress-upstream:{name}")],
                    None,
                    BTreeMap::new(),
                )
            }
            PeerRef::LogWriter(name) => {
                if let Some(id) = index.name(name) {
                    return id.clone();
                }
                let id = crate::slug(name);
                self.unmapped.entry(id.clone()).or_insert_with(|| Service {
                    id: id.clone(),
                    name: name.clone(),
                    kind: ServiceKind::Web,
                    tags: vec!["access-log".into()],
                    ..Service::default()
                });
                id
            }
            PeerRef::Reserved(r, ip) => match r.as_str() {
                "world" => match ip {
                    Some(ip) if !is_caller => self.map_ip(*ip, index, false),
                    _ if is_caller => INTERNET.to_string(),
                    _ => self.unmapped_service(
                        "external",
                        "world",
                        ServiceKind::External,
                        vec!["reserved:world".into()],
                        None,
                        BTreeMap::new(),
                    ),
                },
                other => self.unmapped_service(
                    "",
                    &format!("cluster-{other}"),
                    ServiceKind::External,
                    vec![format!("reserved:{other}")],
                    None,
                    BTreeMap::new(),
                ),
            },
        }
    }

    fn map_ip(&mut self, ip: IpAddr, index: &PeerIndex, is_caller: bool) -> String {
        if let Some(id) = index.by_ip.get(&ip) {
            return id.clone();
        }
        if let Some(id) = self.unmapped_ips.get(&(ip, is_caller)) {
            return id.clone();
        }
        let id = self.name_unmapped_ip(ip, is_caller);
        if self.unmapped_ips.len() < MAX_CACHED_IPS {
            self.unmapped_ips.insert((ip, is_caller), id.clone());
        }
        id
    }

    fn name_unmapped_ip(&mut self, ip: IpAddr, is_caller: bool) -> String {
        let public = crate::openapi::is_public_host(&ip.to_string());
        if public && is_caller {
            return INTERNET.to_string();
        }
        let (prefix, kind) = if public {
            ("external", ServiceKind::External)
        } else {
            ("unknown", ServiceKind::Api)
        };
        self.unmapped_service(
            prefix,
            &ip.to_string().replace([':', '.'], "-"),
            kind,
            vec![format!("ip:{ip}")],
            None,
            BTreeMap::new(),
        )
    }

    fn unmapped_service(
        &mut self,
        prefix: &'static str,
        name: &str,
        kind: ServiceKind,
        tags: Vec<String>,
        namespace: Option<String>,
        labels: BTreeMap<String, String>,
    ) -> String {
        let id = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}-{name}")
        };
        if self.unmapped.contains_key(&id) {
            return id;
        }
        let n = self
            .unmapped_count
            .entry(if prefix.is_empty() { "pod" } else { prefix })
            .or_default();
        if *n >= MAX_UNMAPPED {
            let other = format!(
                "{}-other",
                if prefix.is_empty() { "unknown" } else { prefix }
            );
            self.unmapped
                .entry(other.clone())
                .or_insert_with(|| Service {
                    id: other.clone(),
                    name: other.clone(),
                    kind,
                    tags: vec!["unmapped".into()],
                    ..Service::default()
                });
            return other;
        }
        *n += 1;
        let mut tags = tags;
        if !tags.iter().any(|t| t == "unmapped") {
            tags.insert(0, "unmapped".into());
        }
        self.unmapped.insert(
            id.clone(),
            Service {
                id: id.clone(),
                name: name.to_string(),
                kind,
                namespace,
                labels,
                exposure: if kind == ServiceKind::External {
                    Exposure::Internet
                } else {
                    Exposure::Internal
                },
                tags,
                ..Service::default()
            },
        );
        id
    }

    /// The observed flows, sorted, with stable ids and provenance.
    pub fn flows(&self) -> Vec<Flow> {
        self.flows
            .iter()
            .map(|(k, a)| Flow {
                id: crate::flow_id(
                    FlowKind::Observed,
                    &k.from,
                    &k.to,
                    k.port,
                    k.method.as_deref(),
                    k.path.as_deref(),
                ),
                from: k.from.clone(),
                to: k.to.clone(),
                kind: FlowKind::Observed,
                port: k.port,
                method: k.method.clone(),
                path: k.path.clone(),
                count: Some(a.count),
                first_seen: a.first.map(timefmt::format_epoch),
                last_seen: a.last.map(timefmt::format_epoch),
                provenance: a
                    .sources
                    .iter()
                    .map(|s| Provenance {
                        source: s.clone(),
                        element: None,
                    })
                    .collect(),
            })
            .collect()
    }
}

/// `reviews-v1-545db77b95-s6jb8` → `reviews-v1`; `node-local-dns-r99x7` → `node-local-dns`.
fn workload_of_pod(pod: &str) -> String {
    let parts: Vec<&str> = pod.split('-').collect();
    let is_hash = |s: &str, min: usize| {
        s.len() >= min
            && s.len() <= 10
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && s.bytes()
                .any(|b| b.is_ascii_digit() || !b"aeiou".contains(&b))
    };
    let mut n = parts.len();
    // Pod suffix (5 chars), then a ReplicaSet hash (6–10 chars) for Deployments.
    if n > 1 && parts[n - 1].len() == 5 && is_hash(parts[n - 1], 5) {
        n -= 1;
        if n > 1 && is_hash(parts[n - 1], 6) && parts[n - 1].bytes().any(|b| b.is_ascii_digit()) {
            n -= 1;
        }
    } else if n > 1 && parts[n - 1].bytes().all(|b| b.is_ascii_digit()) {
        n -= 1; // StatefulSet ordinal
    }
    parts[..n].join("-")
}

/// A concrete path → the endpoint template it matches, else numbers/uuids/hashes → `{id}`.
fn template_path(path: &str, endpoints: Option<&Vec<Endpoint>>, method: Option<&str>) -> String {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    if let Some(eps) = endpoints {
        let segs: Vec<&str> = path.split('/').collect();
        let mut best: Option<&Endpoint> = None;
        for ep in eps {
            let tsegs: Vec<&str> = ep.path.split('/').collect();
            let matches = tsegs.len() == segs.len()
                && tsegs.iter().zip(&segs).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                });
            if matches
                && (method.is_none() || ep.method == "*" || Some(ep.method.as_str()) == method)
            {
                // Prefer literal segments over parameters (`/users/me` over `/users/{id}`).
                let literal =
                    |e: &Endpoint| e.path.split('/').filter(|t| !t.starts_with('{')).count();
                if best.is_none_or(|b| literal(ep) > literal(b)) {
                    best = Some(ep);
                }
            }
        }
        if let Some(ep) = best {
            return ep.path.clone();
        }
    }
    path.split('/')
        .map(|s| {
            let id_like = (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                || (s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
            if id_like { "{id}" } else { s }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct NginxLine<'a> {
    remote: &'a str,
    time: &'a str,
    method: Option<&'a str>,
    path: Option<&'a str>,
    upstream: Option<&'a str>,
    upstream_addr: Option<String>,
}

/// Parse a combined or ingress-nginx line without regexes or allocation on the hot path.
fn parse_nginx(line: &str) -> Option<NginxLine<'_>> {
    let (remote, rest) = line.split_once(' ')?;
    let (_ident, rest) = rest.split_once(' ')?;
    let rest = skip_user(rest)?;
    let rest = rest.strip_prefix('[')?;
    let (time, rest) = rest.split_once("] ")?;
    let (request, rest) = quoted(rest)?;
    let mut it = rest.trim_start().splitn(3, ' ');
    let status = it.next()?;
    if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let _bytes = it.next()?;
    let rest = it.next().unwrap_or("");
    let (_referer, rest) = quoted(rest.trim_start()).unwrap_or(("", rest));
    let (_agent, rest) = quoted(rest.trim_start()).unwrap_or(("", rest));
    let mut req = request.split(' ');
    let method = req
        .next()
        .filter(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_uppercase()));
    let path = method
        .and(req.next())
        .filter(|p| p.starts_with('/') || p.contains("://"));
    let path = path.map(|p| match p.split_once("://") {
        Some((_, r)) => r.find('/').map_or("/", |i| &r[i..]),
        None => p,
    });
    // ingress-nginx tail: request_length request_time [upstream] [alt] upstream_addr …
    let mut upstream = None;
    let mut upstream_addr = None;
    if let Some(open) = rest.find(" [") {
        let tail = &rest[open + 2..];
        if let Some((name, after)) = tail.split_once(']') {
            upstream = Some(name);
            let after = after.trim_start();
            let after = after
                .strip_prefix('[')
                .and_then(|a| a.split_once(']'))
                .map_or(after, |(_, r)| r);
            upstream_addr = after
                .split_whitespace()
                .next()
                .map(|a| a.split(',').next().unwrap_or(a).to_string())
                .filter(|a| a != "-");
        }
    }
    Some(NginxLine {
        remote,
        time,
        method,
        path,
        upstream,
        upstream_addr,
    })
}

/// `$remote_user` is `-` or a name; names may contain spaces only when quoted (rare).
fn skip_user(s: &str) -> Option<&str> {
    let i = s.find(" [")?;
    Some(&s[i + 1..])
}

/// A `"…"` field with `\"` escapes; the content and what follows.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('"')?;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some((&s[..i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

// Hubble flows are parsed into these borrowing structs, not a `serde_json::Value`: a flow line is
// ~1.5 KB of which we read a dozen fields, and building (and cloning) the whole tree made Hubble
// import the slowest log format (61k lines/s against NGINX's 558k). Unknown fields are skipped.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HubbleFlow<'a> {
    /// `hubble observe -o json` wraps the flow in `{"flow": {...}, "time": ...}`; exports of
    /// the flow alone are the object itself.
    #[serde(borrow)]
    flow: Option<Box<HubbleFlow<'a>>>,
    #[serde(borrow)]
    source: Option<HubbleEndpoint<'a>>,
    #[serde(borrow)]
    destination: Option<HubbleEndpoint<'a>>,
    #[serde(rename = "IP", borrow)]
    ip: Option<HubbleIp<'a>>,
    l4: Option<HubbleL4>,
    is_reply: Option<bool>,
    #[serde(borrow)]
    l7: Option<HubbleL7<'a>>,
    #[serde(borrow)]
    time: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HubbleEndpoint<'a> {
    #[serde(borrow)]
    labels: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    namespace: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pod_name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    names: Option<Vec<Cow<'a, str>>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HubbleIp<'a> {
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    destination: Option<Cow<'a, str>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
#[allow(clippy::upper_case_acronyms, non_snake_case)]
struct HubbleL4 {
    TCP: Option<HubblePorts>,
    UDP: Option<HubblePorts>,
    SCTP: Option<HubblePorts>,
}

#[derive(serde::Deserialize, Default, Clone, Copy)]
#[serde(default)]
struct HubblePorts {
    source_port: Option<u32>,
    destination_port: Option<u32>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HubbleL7<'a> {
    #[serde(borrow)]
    http: Option<HubbleHttp<'a>>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct HubbleHttp<'a> {
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<Cow<'a, str>>,
}

fn hubble_endpoint(e: Option<&HubbleEndpoint>, ip: Option<IpAddr>) -> PeerRef {
    let empty = HubbleEndpoint::default();
    let e = e.unwrap_or(&empty);
    let labels: &[Cow<str>] = e.labels.as_deref().unwrap_or_default();
    if let (Some(ns), Some(pod)) = (e.namespace.as_deref(), e.pod_name.as_deref()) {
        let labels = labels
            .iter()
            .filter_map(|l| l.strip_prefix("k8s:"))
            .filter(|l| !l.starts_with("io.cilium.") && !l.starts_with("io.kubernetes."))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        return PeerRef::Pod {
            namespace: ns.to_string(),
            pod: pod.to_string(),
            labels,
            ip,
        };
    }
    if let Some(r) = labels.iter().find_map(|l| l.strip_prefix("reserved:")) {
        return PeerRef::Reserved(r.to_string(), ip);
    }
    if let Some(name) = e.names.as_ref().and_then(|n| n.first()) {
        return PeerRef::Name(name.to_string());
    }
    match ip {
        Some(ip) => PeerRef::Ip(ip),
        None => PeerRef::Reserved("unknown".into(), None),
    }
}

fn parse_hubble(line: &str) -> Result<Option<Observation>, String> {
    let outer: HubbleFlow = serde_json::from_str(line).map_err(|e| {
        // Valid JSON of the wrong shape is "not a flow"; anything else is a JSON error.
        if serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() {
            format!(
                "not a Hubble flow ({})",
                crate::manifests::strip_position(&e.to_string())
            )
        } else {
            format!(
                "invalid JSON: {}",
                crate::manifests::strip_position(&e.to_string())
            )
        }
    })?;
    let f = outer.flow.as_deref().unwrap_or(&outer);
    if f.source.is_none() && f.ip.is_none() {
        return Err("not a Hubble flow (no `flow.source`/`flow.IP`)".into());
    }
    let ip = |v: Option<&Cow<str>>| v.and_then(|s| s.parse().ok());
    let (ip_src, ip_dst) = match &f.ip {
        Some(i) => (ip(i.source.as_ref()), ip(i.destination.as_ref())),
        None => (None, None),
    };
    let l4 = f.l4.as_ref().and_then(|l| l.TCP.or(l.UDP).or(l.SCTP));
    let sport = l4.and_then(|l| l.source_port);
    let dport = l4.and_then(|l| l.destination_port);
    let mut src = hubble_endpoint(f.source.as_ref(), ip_src);
    let mut dst = hubble_endpoint(f.destination.as_ref(), ip_dst);
    let mut port = dport;
    // A reply travels from the callee back to the caller: fold it onto the call.
    let reply = match f.is_reply {
        Some(r) => r,
        None => matches!((sport, dport), (Some(s), Some(d)) if s < 32768 && d >= 32768),
    };
    if reply {
        std::mem::swap(&mut src, &mut dst);
        port = sport;
    }
    let http = f.l7.as_ref().and_then(|l| l.http.as_ref());
    let method = http.and_then(|h| h.method.as_deref()).map(str::to_string);
    let path = http
        .and_then(|h| h.url.as_deref())
        .map(|u| match u.split_once("://") {
            Some((_, r)) => r.find('/').map_or("/".to_string(), |i| r[i..].to_string()),
            None => u.to_string(),
        });
    let time = f
        .time
        .as_deref()
        .or(outer.time.as_deref())
        .and_then(timefmt::parse_rfc3339);
    Ok(Some(Observation {
        src,
        dst,
        port,
        method: if reply { None } else { method },
        path: if reply { None } else { path },
        time,
        until: None,
        count: 1,
    }))
}

fn zeek_observation(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<Observation>, String> {
    let orig = get("id.orig_h").ok_or("no `id.orig_h`")?;
    let resp = get("id.resp_h").ok_or("no `id.resp_h`")?;
    let parse_ip = |s: &str| {
        s.parse::<IpAddr>()
            .map_err(|_| format!("`{s}` is not an IP address"))
    };
    let port = get("id.resp_p").and_then(|p| p.parse().ok());
    Ok(Some(Observation {
        src: PeerRef::Ip(parse_ip(&orig)?),
        dst: PeerRef::Ip(parse_ip(&resp)?),
        port,
        method: None,
        path: None,
        time: get("ts")
            .and_then(|t| timefmt::parse_epoch_float(&t).or_else(|| timefmt::parse_rfc3339(&t))),
        until: None,
        count: 1,
    }))
}

fn parse_zeek_tsv(line: &str, sep: char, fields: &[String]) -> Result<Option<Observation>, String> {
    let values: Vec<&str> = line.split(sep).collect();
    if values.len() != fields.len() {
        return Err(format!(
            "{} fields where `#fields` names {}",
            values.len(),
            fields.len()
        ));
    }
    let get = |k: &str| {
        fields
            .iter()
            .position(|f| f == k)
            .map(|i| values[i])
            .filter(|v| *v != "-")
            .map(str::to_string)
    };
    zeek_observation(&get)
}

fn parse_zeek_json(line: &str) -> Result<Option<Observation>, String> {
    let v: Value = serde_json::from_str(line).map_err(|e| {
        format!(
            "invalid JSON: {}",
            crate::manifests::strip_position(&e.to_string())
        )
    })?;
    let get = |k: &str| match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    zeek_observation(&get)
}

/// Split one CSV line (RFC 4180 quotes; no embedded newlines).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn parse_csv(line: &str, header: &[String]) -> Result<Option<Observation>, String> {
    let values = split_csv(line);
    if values.len() != header.len() {
        return Err(format!(
            "{} columns where the header has {}",
            values.len(),
            header.len()
        ));
    }
    let get = |k: &str| {
        header
            .iter()
            .position(|h| h == k)
            .map(|i| values[i].trim())
            .filter(|v| !v.is_empty() && *v != "-")
    };
    let peer = |k: &str| -> Result<PeerRef, String> {
        let v = get(k).ok_or_else(|| format!("empty `{k}`"))?;
        Ok(match v.parse::<IpAddr>() {
            Ok(ip) => PeerRef::Ip(ip),
            Err(_) if v.eq_ignore_ascii_case(INTERNET) => PeerRef::Reserved("world".into(), None),
            Err(_) => PeerRef::Name(v.to_string()),
        })
    };
    let port = match get("port") {
        Some(p) => Some(
            p.parse::<u32>()
                .ok()
                .filter(|p| *p > 0 && *p < 65536)
                .ok_or_else(|| format!("`{p}` is not a port"))?,
        ),
        None => None,
    };
    let count = match get("count") {
        Some(c) => c
            .parse::<u64>()
            .map_err(|_| format!("`{c}` is not a count"))?,
        None => 1,
    };
    let first = get("first_seen").and_then(timefmt::parse_any);
    let last = get("last_seen").and_then(timefmt::parse_any).or(first);
    let method = get("method").map(str::to_string);
    let path = get("path").map(str::to_string);
    if let Some(p) = &path {
        if !p.starts_with('/') {
            return Err(format!("path `{p}` does not start with `/`"));
        }
    }
    Ok(Some(Observation {
        src: peer("src")?,
        dst: peer("dst")?,
        port,
        method,
        path,
        time: first.or(last),
        until: last,
        count,
    }))
}

/// Lines of at most `max` bytes from a reader, never holding more than that in memory.
struct BoundedLines<R> {
    reader: R,
    buf: Vec<u8>,
    max: usize,
    line: usize,
    done: bool,
}

impl<R: BufRead> BoundedLines<R> {
    fn new(reader: R, max: usize) -> Self {
        BoundedLines {
            reader,
            buf: Vec::new(),
            max,
            line: 0,
            done: false,
        }
    }

    /// The next line: its 1-based number and the text, or why it cannot be used.
    fn next_line(&mut self) -> io::Result<Option<(usize, Result<&str, &'static str>)>> {
        if self.done {
            return Ok(None);
        }
        self.buf.clear();
        let mut overflow = false;
        let mut any = false;
        loop {
            let avail = self.reader.fill_buf()?;
            if avail.is_empty() {
                self.done = true;
                if !any {
                    return Ok(None);
                }
                break;
            }
            any = true;
            let (chunk, found) = match avail.iter().position(|b| *b == b'\n') {
                Some(i) => (&avail[..i], Some(i)),
                None => (avail, None),
            };
            if !overflow {
                if self.buf.len() + chunk.len() > self.max {
                    overflow = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
            let used = found.map_or(avail.len(), |i| i + 1);
            self.reader.consume(used);
            if found.is_some() {
                break;
            }
        }
        self.line += 1;
        if overflow {
            return Ok(Some((self.line, Err("line longer than 64 KiB"))));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.buf.contains(&0) {
            return Ok(Some((self.line, Err("binary data (NUL byte)"))));
        }
        match std::str::from_utf8(&self.buf) {
            Ok(s) => Ok(Some((self.line, Ok(s)))),
            Err(_) => Ok(Some((self.line, Err("not valid UTF-8")))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubble_wrapped_bare_reply_and_errors() {
        let wrapped = r#"{"flow":{"time":"2021-09-21T10:00:00Z","source":{"namespace":"shop","pod_name":"web-1","labels":["k8s:app=web","k8s:io.kubernetes.pod.namespace=shop"]},"destination":{"labels":["reserved:world"],"names":["api.example.com"]},"IP":{"source":"10.0.0.1","destination":"1.2.3.4"},"l4":{"TCP":{"source_port":40000,"destination_port":443}},"l7":{"http":{"method":"GET","url":"https://api.example.com/v1/a\u002fb?x=1"}},"extra":[1,{"deep":null}]},"node_name":"n1"}"#;
        let o = parse_hubble(wrapped).unwrap().unwrap();
        assert_eq!(
            o.src,
            PeerRef::Pod {
                namespace: "shop".into(),
                pod: "web-1".into(),
                labels: vec![("app".into(), "web".into())],
                ip: Some("10.0.0.1".parse().unwrap()),
            }
        );
        assert_eq!(
            o.dst,
            PeerRef::Reserved("world".into(), Some("1.2.3.4".parse().unwrap()))
        );
        assert_eq!((o.port, o.method.as_deref()), (Some(443), Some("GET")));
        // The escaped `\u002f` is decoded (an owned string behind the borrowed struct).
        assert_eq!(o.path.as_deref(), Some("/v1/a/b?x=1"));
        assert!(o.time.is_some());

        // The flow alone, a reply (ports say so): folded back onto the call, no L7.
        let bare = r#"{"source":{"names":["db"]},"destination":{"names":["app"]},"l4":{"UDP":{"source_port":5432,"destination_port":50000}}}"#;
        let o = parse_hubble(bare).unwrap().unwrap();
        assert_eq!(
            (o.src, o.dst),
            (PeerRef::Name("app".into()), PeerRef::Name("db".into()))
        );
        assert_eq!(o.port, Some(5432));

        let err = parse_hubble("{not json").err().unwrap();
        assert!(err.starts_with("invalid JSON"), "{err}");
        let err = parse_hubble(r#"{"flow":{"node_name":"n1"}}"#)
            .err()
            .unwrap();
        assert!(err.contains("no `flow.source`/`flow.IP`"), "{err}");
        let err = parse_hubble(r#"{"source":"web","IP":{}}"#).err().unwrap();
        assert!(err.starts_with("not a Hubble flow"), "{err}");
        let err = parse_hubble("[1,2]").err().unwrap();
        assert!(err.starts_with("not a Hubble flow"), "{err}");
    }

    #[test]
    fn nginx_combined_and_ingress_lines() {
        let l = parse_nginx(r#"77.179.66.156 - - [25/Oct/2016:14:49:34 +0200] "GET /favicon.ico?x=1 HTTP/1.1" 404 571 "http://localhost:8080/" "Mozilla/5.0 (X) \"q\"""#).unwrap();
        assert_eq!(
            (l.remote, l.method, l.path, l.upstream),
            ("77.179.66.156", Some("GET"), Some("/favicon.ico?x=1"), None)
        );
        let l = parse_nginx(r#"192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a"#).unwrap();
        assert_eq!(
            (l.upstream, l.upstream_addr.as_deref()),
            (Some("default-web-8080"), Some("172.17.0.5:8080"))
        );
        assert!(parse_nginx("garbage line").is_none());
    }

    #[test]
    fn pods_to_workloads() {
        assert_eq!(workload_of_pod("reviews-v1-545db77b95-s6jb8"), "reviews-v1");
        assert_eq!(workload_of_pod("node-local-dns-r99x7"), "node-local-dns");
        assert_eq!(workload_of_pod("web-0"), "web");
        assert_eq!(workload_of_pod("frontend"), "frontend");
    }

    #[test]
    fn paths_follow_endpoint_templates() {
        let eps = vec![
            Endpoint {
                method: "GET".into(),
                path: "/users/{id}".into(),
                ..Endpoint::default()
            },
            Endpoint {
                method: "GET".into(),
                path: "/users/me".into(),
                ..Endpoint::default()
            },
        ];
        assert_eq!(
            template_path("/users/42", Some(&eps), Some("GET")),
            "/users/{id}"
        );
        assert_eq!(
            template_path("/users/me", Some(&eps), Some("GET")),
            "/users/me"
        );
        assert_eq!(template_path("/orders/42?x", None, None), "/orders/{id}");
    }

    #[test]
    fn bounded_lines_cap_memory_and_count_lines() {
        let data = format!("a\r\n{}\nb", "x".repeat(100));
        let mut r = BoundedLines::new(io::Cursor::new(data.into_bytes()), 10);
        let mut got = Vec::new();
        while let Some((n, l)) = r.next_line().unwrap() {
            got.push((n, l.map(str::to_string)));
        }
        assert_eq!(
            got,
            vec![
                (1, Ok("a".into())),
                (2, Err("line longer than 64 KiB")),
                (3, Ok("b".into()))
            ]
        );
    }

    #[test]
    fn sniffing() {
        assert_eq!(
            sniff("#separator \\x09\n#fields\tts"),
            Some(LogFormat::ZeekTsv)
        );
        assert_eq!(
            sniff("src,dst,port,method,path,count\n"),
            Some(LogFormat::Csv)
        );
        assert_eq!(
            sniff("{\"flow\":{\"source\":{}}}\n"),
            Some(LogFormat::Hubble)
        );
        assert_eq!(sniff("{\"openapi\":\"3.0.0\"}"), None);
        assert_eq!(
            sniff(
                "1.2.3.4 - - [25/Oct/2016:14:49:33 +0200] \"GET / HTTP/1.1\" 200 612 \"-\" \"x\""
            ),
            Some(LogFormat::Nginx)
        );
    }
}
