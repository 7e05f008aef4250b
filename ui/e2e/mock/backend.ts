//! A stand-in for the Tauri shell for the Chromium UI flows, bundled to an IIFE and installed
//! with `page.addInitScript` before the app loads. It answers every command of docs/ipc.md with
//! data shaped by the generated types, from the real example designs.
//!
//! Its "evaluator" is deliberately coarse (rule peers and segment nesting only, no ports or
//! auth): these tests check that the UI renders and edits what the backend says, not the
//! semantics, which the Rust tests own. It never stands in for the real evaluator anywhere else.

import { mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { Design, Peer, Segment } from "../../src/generated/bulkhead";
import type { Decision, Finding, RuleDoc, SegmentMatrix, SegmentMatrixEntry, Simulation, ReachedService, Hop } from "../../src/generated/analysis";
import type { SimulationTree, TreePath } from "../../src/analysis";
import type { DesignOp, Diagnostic, DriftReport, ExportFile, FlowVerdict, ImportDiagnostic, ObservedCall, Proposal, ImportPreview, ImportPreviewItem, ImportSource, Opened, Recovery } from "../../src/analysis";
import fintechJson from "../../../examples/fintech.bulkhead.json";
import { generateDesign } from "../../src/fixtures/generate";
import { spreadOf } from "../../src/fixtures/spread";
import { applyDesignPatch } from "../../src/model/patch";

export interface MockConfig {
  /** What `initial_design` returns: an example, a generated estate, a broken file, or nothing. */
  initial: "fintech" | "broken" | "none" | { generated: number } | { design: Design; path: string };
  /** A recovery file to offer. */
  recovery: boolean;
  /** Answers of the dialogs. */
  openPath: string | string[] | null;
  savePath: string | null;
  askAnswer: boolean;
  /** How long `flow_verdicts` takes to answer (a slow shell), in ms; 0 answers at once. */
  verdictsDelayMs: number;
}

export interface MockCall {
  cmd: string;
  args: unknown;
}

declare global {
  interface Window {
    __mockConfig?: Partial<MockConfig>;
    __mock: { calls: MockCall[]; emit: (event: string, payload?: unknown) => Promise<void>; config: MockConfig; saved: Record<string, Design> };
  }
}

const fintech = fintechJson as unknown as Design;
const clone = <T,>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

export const BROKEN_DIAGNOSTICS: Diagnostic[] = [
  { severity: "error", code: "unknown-id", message: "rule `edge-to-core` names unknown segment `core-sevices`", pointer: "/rules/0/to/segment", location: { line: 41, column: 22, offset: 0, length: 1 }, help: "did you mean `core-services`?" },
  { severity: "error", code: "duplicate-id", message: "service id `payments-api` is used twice", pointer: "/services/7/id", location: { line: 118, column: 13, offset: 0, length: 1 }, help: null },
  { severity: "error", code: "invalid-port", message: "port `70000` is not in 1..=65535", pointer: "/services/2/ports/0/port", location: { line: 63, column: 19, offset: 0, length: 1 }, help: null },
];

// ---- the coarse fake evaluator -------------------------------------------------------------

function leafOf(d: Design): Map<string, string> {
  const depth = (id: string): number => {
    let n = 0;
    let cur = d.segments?.find((s) => s.id === id);
    while (cur?.parent && n < 32) {
      n++;
      cur = d.segments?.find((s) => s.id === cur?.parent);
    }
    return n;
  };
  const best = new Map<string, [string, number]>();
  for (const s of d.segments ?? []) {
    const dep = depth(s.id);
    for (const m of s.members ?? []) if ((best.get(m)?.[1] ?? -1) < dep) best.set(m, [s.id, dep]);
  }
  return new Map([...best].map(([k, [v]]) => [k, v]));
}

function chain(d: Design, seg: string | undefined): string[] {
  const out: string[] = [];
  let cur = seg;
  while (cur && !out.includes(cur) && out.length < 32) {
    out.push(cur);
    cur = d.segments?.find((s) => s.id === cur)?.parent ?? undefined;
  }
  return out;
}

function covers(p: Peer, id: string, segs: string[], isInternet: boolean): boolean {
  if (p === "any") return true;
  if (p === "internet") return isInternet;
  if ("segment" in p) return segs.includes(p.segment);
  return p.service === id;
}

export function decide(d: Design, from: string, to: string, leaf = leafOf(d)): Decision {
  const target = d.services?.find((s) => s.id === to);
  if (!target) return { decision: "deny", reason: "unknown_target", service: to };
  const internet = from === "internet";
  if (internet && target.exposure !== "internet") return { decision: "deny", reason: "not_internet_facing" };
  const fromSegs = internet ? [] : chain(d, leaf.get(from));
  const toSegs = chain(d, leaf.get(to));
  const matching = (d.rules ?? []).filter((r) => covers(r.from, from, fromSegs, internet) && covers(r.to, to, toSegs, false));
  const deny = matching.find((r) => r.action === "deny");
  if (deny) return { decision: "deny", reason: "deny_rule", rule: deny.id };
  const allow = matching.find((r) => (r.action ?? "allow") === "allow");
  if (allow) return { decision: "allow", by: { by: "rule", rule: allow.id }, auth: allow.auth && allow.auth.type !== "none" ? [allow.auth] : [], rate_limit: allow.rate_limit ?? null };
  const seg = leaf.get(from);
  if (seg && seg === leaf.get(to) && (d.segments?.find((s) => s.id === seg)?.policy?.intra ?? "allow") === "allow") {
    return { decision: "allow", by: { by: "intra_segment", segment: seg }, auth: [] };
  }
  return { decision: "deny", reason: "default" };
}

function verdicts(d: Design): FlowVerdict[] {
  const leaf = leafOf(d);
  return (d.flows ?? []).map((f) => ({ flow: f.id, decision: decide(d, f.from, f.to, leaf) }));
}

const WEIGHT: Record<string, number> = { public: 1, internal: 2, confidential: 5, restricted: 10 };

/**
 * `simulate`'s answer as the shell sends it (`bulkhead_core::simulate::tree::to_tree`): a path
 * that is the path of the service its last hop comes from plus that hop names that service's
 * index (`via`) and carries only the hop; `reached[i].path` is sent empty. The mock's paths are
 * always built that way.
 */
function asTree(sim: Simulation): SimulationTree {
  const index = new Map(sim.reached.map((r, i) => [r.service, i]));
  const paths = sim.reached.map((r, i): TreePath => {
    const last = r.path.at(-1);
    const j = last ? index.get(last.from) : undefined;
    const prefix = j !== undefined && j < i ? sim.reached[j]!.path : null;
    const extends_ = prefix !== null && prefix.length === r.path.length - 1 && prefix.every((h, k) => h === r.path[k]);
    return extends_ ? { via: j, path: [last!] } : { path: r.path };
  });
  return { ...sim, reached: sim.reached.map((r) => ({ ...r, path: [] })), paths };
}

function simulate(d: Design, origin: string, assume: string): Simulation {
  const leaf = leafOf(d);
  const svc = new Map((d.services ?? []).map((s) => [s.id, s]));
  const classes = new Map((d.data_classes ?? []).map((c) => [c.id, c]));
  const exploitable = (id: string) => assume === "worst" || (svc.get(id)?.weaknesses ?? []).some((w) => w.exploitable);
  const reached = new Map<string, ReachedService>();
  const queue: string[] = [];
  if (origin !== "internet") {
    reached.set(origin, { service: origin, compromised: true, hops: 0, exposed: svc.get(origin)?.data_held ?? [], path: [] });
    queue.push(origin);
  }
  const open = (from: string, path: Hop[], hops: number) => {
    for (const f of d.flows ?? []) {
      if (f.from !== from || reached.has(f.to)) continue;
      const dec = decide(d, from, f.to, leaf);
      if (dec.decision !== "allow") continue;
      const taken = exploitable(f.to);
      const hop: Hop = { from, to: f.to, decision: dec, stolen: [], exploited: taken };
      reached.set(f.to, { service: f.to, compromised: taken, hops: hops + 1, exposed: taken ? svc.get(f.to)?.data_held ?? [] : [], path: [...path, hop] });
      if (taken) queue.push(f.to);
    }
  };
  if (origin === "internet") open("internet", [], 0);
  for (let i = 0; i < queue.length && i < 100_000; i++) {
    const cur = queue[i]!;
    open(cur, reached.get(cur)?.path ?? [], reached.get(cur)?.hops ?? 0);
  }
  const list = [...reached.values()].sort((a, b) => a.hops - b.hops || a.service.localeCompare(b.service));
  const exposed = new Map<string, string[]>();
  for (const r of list) for (const c of r.exposed) exposed.set(c, [...(exposed.get(c) ?? []), r.service]);
  const exposedData = [...exposed].map(([id, at]) => ({ data_class: id, sensitivity: classes.get(id)?.sensitivity ?? "internal", crown_jewel: !!classes.get(id)?.crown_jewel, at })).sort((a, b) => WEIGHT[b.sensitivity]! - WEIGHT[a.sensitivity]!);
  const score = list.filter((r) => r.hops > 0).reduce((a, r) => a + Math.max(1, ...r.exposed.map((c) => WEIGHT[classes.get(c)?.sensitivity ?? "public"] ?? 1)), 0);
  const jewels = exposedData.filter((x) => x.crown_jewel).map((x) => x.data_class);
  const targets = list.filter((r) => r.hops > 0 && r.exposed.some((c) => jewels.includes(c))).map((r) => r.service);
  const firstHops = new Map<string, Hop>();
  for (const t of targets) {
    const h = reached.get(t)?.path[origin === "internet" ? 1 : 0] ?? reached.get(t)?.path[0];
    if (h) firstHops.set(`${h.from}>${h.to}`, h);
  }
  const n = d.services?.length ?? 0;
  const flatScore = (d.services ?? []).reduce((a, s) => a + Math.max(1, ...(s.data_held ?? []).map((c) => WEIGHT[classes.get(c)?.sensitivity ?? "public"] ?? 1)), 0);
  return {
    origin,
    assumption: assume as Simulation["assumption"],
    flat_estate: (d.segments ?? []).length === 0,
    notes: [],
    reached: list,
    compromised: list.filter((r) => r.compromised).map((r) => r.service),
    // A stand-in for the shell's list: every credential a taken service holds, in the order
    // the services fell.
    stolen_credentials: list.filter((r) => r.compromised).flatMap((r) => (svc.get(r.service)?.credentials ?? []).map((credential) => ({ credential, from: r.service }))),
    exposed_data: exposedData,
    blast_radius: { services: list.filter((r) => r.hops > 0).length, compromised: list.filter((r) => r.compromised && r.hops > 0).length, score, crown_jewels: jewels },
    choke_points: { targets, cut: [...firstHops.values()].map((h) => ({ from: h.from, to: h.to, by: h.decision.decision === "allow" ? [h.decision.by] : [] })), verified: true },
    flat: { blast_radius: { services: n, compromised: n, score: flatScore, crown_jewels: (d.data_classes ?? []).filter((c) => c.crown_jewel).map((c) => c.id) }, reduction_pct: flatScore ? Math.round((1 - score / flatScore) * 100) : 0 },
  };
}

function matrix(d: Design): SegmentMatrix {
  // Pair enumeration is quadratic: fine for the examples, not for the 2,000-service estate,
  // where the mock answers from the segment rules alone.
  if ((d.services ?? []).length > 300) return { entries: coarseMatrix(d) };
  const leaf = leafOf(d);
  const members = (seg: string) => (d.services ?? []).filter((s) => chain(d, leaf.get(s.id)).includes(seg)).map((s) => s.id);
  const entries: SegmentMatrixEntry[] = [];
  const keys = ["internet", ...(d.segments ?? []).map((s) => s.id)];
  for (const f of keys) {
    for (const t of (d.segments ?? []).map((s) => s.id)) {
      const callers = f === "internet" ? ["internet"] : members(f);
      const callees = members(t);
      let pairs = 0;
      const by = new Map<string, Decision & { decision: "allow" }>();
      for (const a of callers) for (const b of callees) {
        if (a === b) continue;
        const dec = decide(d, a, b, leaf);
        if (dec.decision === "allow") {
          pairs++;
          by.set(JSON.stringify(dec.by), dec);
        }
      }
      if (pairs === 0) continue;
      const decs = [...by.values()];
      entries.push({
        from: f === "internet" ? "internet" : { segment: f },
        to: { segment: t },
        pairs,
        possible_pairs: callers.length * callees.length - callers.filter((c) => callees.includes(c)).length,
        ports: [null],
        auth: decs.flatMap((x) => x.auth),
        unauthenticated: decs.some((x) => x.auth.length === 0),
        by: decs.map((x) => x.by),
      });
    }
  }
  return { entries };
}

function coarseMatrix(d: Design): SegmentMatrixEntry[] {
  return (d.rules ?? [])
    .filter((r) => (r.action ?? "allow") === "allow" && typeof r.to === "object" && "segment" in r.to && (r.from === "internet" || (typeof r.from === "object" && "segment" in r.from)))
    .map((r) => ({
      from: r.from === "internet" ? ("internet" as const) : { segment: (r.from as { segment: string }).segment },
      to: { segment: (r.to as { segment: string }).segment },
      pairs: 1,
      possible_pairs: 1,
      ports: [null],
      auth: r.auth ? [r.auth] : [],
      unauthenticated: !r.auth,
      by: [{ by: "rule" as const, rule: r.id }],
    }));
}

const DOCS: RuleDoc[] = [
  { id: "BH020", name: "exploitable-internet-entry", severity: "critical", what: "Finds internet-facing services with a known exploitable weakness.", why: "They are the attacker's first foothold: every breach simulation from the internet starts there.", fix: "Patch the weakness, or take the service off the internet and put a gateway in front of it.", example: "" },
  { id: "BH001", name: "missing-auth-across-boundary", severity: "high", what: "Finds allow rules into a high-trust segment that require no authentication.", why: "A trust boundary that asks for no credential is only a network boundary: any compromised caller crosses it.", fix: "Require mTLS identities, a JWT or an API key on the rule or on the target segment's policy.", example: "rules: [{ from: {segment: edge}, to: {segment: core}, action: allow }] with core.trust = high" },
  { id: "BH009", name: "unsegmented-service", severity: "medium", what: "Finds services that belong to no segment.", why: "An unsegmented service has no boundary: nothing limits who calls it or what it reaches.", fix: "Drag the service into the segment it belongs to, or make a segment around it.", example: "services: [{ id: orphan }] with no segment listing `orphan`" },
  { id: "BH004", name: "internet-endpoint-without-rate-limit", severity: "high", what: "Finds internet-facing services whose segment sets no rate limit.", why: "Without a rate limit, credential stuffing and scraping run at line speed.", fix: "Set a rate limit on the segment's policy or on the rule from the internet.", example: "" },
];

function findings(d: Design): Finding[] {
  const leaf = leafOf(d);
  const triage = new Map((d.triage ?? []).map((t) => [t.finding, t]));
  const out: Finding[] = [];
  (d.services ?? []).forEach((s, i) => {
    if (!leaf.has(s.id)) out.push({ id: "BH009", rule: "unsegmented-service", key: `BH009:${s.id}`, severity: "medium", message: `service \`${s.id}\` is in no segment`, subjects: [s.id], pointer: `/services/${i}`, path: [] });
    if (s.exposure === "internet" && (s.weaknesses ?? []).some((w) => w.exploitable)) {
      out.push({ id: "BH020", rule: "exploitable-internet-entry", key: `BH020:${s.id}`, severity: "critical", message: `internet-facing \`${s.id}\` has an exploitable weakness`, subjects: [s.id], pointer: `/services/${i}/weaknesses`, path: ["internet", s.id] });
    }
    if (s.exposure === "internet") {
      const segs = chain(d, leaf.get(s.id)).map((id) => d.segments?.find((x) => x.id === id));
      if (!segs.some((x) => x?.policy?.rate_limit)) out.push({ id: "BH004", rule: "internet-endpoint-without-rate-limit", key: `BH004:${s.id}`, severity: "high", message: `internet-facing \`${s.id}\` has no rate limit`, subjects: [s.id], pointer: `/services/${i}`, path: ["internet", s.id] });
    }
  });
  (d.rules ?? []).forEach((r, i) => {
    if ((r.action ?? "allow") !== "allow" || (r.auth && r.auth.type !== "none") || typeof r.to !== "object" || !("segment" in r.to)) return;
    const to = r.to.segment;
    const seg = d.segments?.find((x) => x.id === to);
    if (seg?.trust === "high" && (seg.policy?.auth?.type ?? "none") === "none") {
      out.push({ id: "BH001", rule: "missing-auth-across-boundary", key: `BH001:${r.id}`, severity: "high", message: `rule \`${r.id}\` lets callers into high-trust \`${to}\` without authentication`, subjects: [to, r.id], pointer: `/rules/${i}`, path: [] });
    }
  });
  return out.map((f) => ({ ...f, triage: triage.has(f.key) ? { status: triage.get(f.key)!.status, reason: triage.get(f.key)!.reason } : null }));
}

function validate(d: Design): Diagnostic[] {
  const ids = new Set((d.services ?? []).map((s) => s.id));
  const out: Diagnostic[] = [];
  (d.flows ?? []).forEach((f, i) => {
    if (f.from !== "internet" && !ids.has(f.from)) out.push({ severity: "error", code: "unknown-id", message: `flow \`${f.id}\` calls from unknown service \`${f.from}\``, pointer: `/flows/${i}/from` });
  });
  (d.services ?? []).forEach((s, i) => {
    if (s.name === "") out.push({ severity: "warning", code: "empty-name", message: `service \`${s.id}\` has an empty name`, pointer: `/services/${i}/name` });
  });
  return out;
}

function exportFiles(d: Design, targets: string[]): ExportFile[] {
  const leaf = leafOf(d);
  const out: ExportFile[] = [];
  for (const t of targets) {
    for (const seg of d.segments ?? []) {
      if (!(seg.members ?? []).length) continue;
      const ns = "default";
      const from = (d.rules ?? []).filter((r) => typeof r.to === "object" && "segment" in r.to && r.to.segment === seg.id && (r.action ?? "allow") === "allow");
      const contents = [
        `# ${t} for segment ${seg.id}, generated by bulkhead (mock)`,
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata:",
        `  name: bulkhead-${seg.id}`,
        `  namespace: ${ns}`,
        "spec:",
        "  podSelector:",
        "    matchExpressions:",
        "      - key: app",
        "        operator: In",
        `        values: [${(seg.members ?? []).join(", ")}]`,
        "  policyTypes: [Ingress]",
        "  ingress:",
        ...from.map((r) => `    - from: # rule ${r.id}\n        - podSelector: {matchLabels: {bulkhead.dev/segment: ${typeof r.from === "object" && "segment" in r.from ? r.from.segment : "internet"}}}\n      ports: [{port: ${r.ports?.[0] ?? 8080}, protocol: TCP}]`),
      ].join("\n");
      out.push({ target: t, path: `${t}/${seg.id}.yaml`, contents, gaps: [] });
    }
  }
  void leaf;
  return out;
}

// The shapes of src-tauri/src/commands/import.rs. A source whose path contains "broken" fails to
// parse, a URL on port 9 is unreachable; every other source yields the `catalog-search` service.
const IMPORT_PROPOSAL: Segment = { id: "imported-catalog", name: "Catalog (proposed)", level: "application", trust: "medium", members: ["catalog-search"], policy: { auth: { type: "mtls", identities: ["*"] }, intra: "allow", default_action: "deny" } };

function importPreview(d: Design, sources: ImportSource[]): ImportPreview {
  const label = (s: ImportSource) => (s.kind === "url" ? s.url : s.path);
  const diagnostics: ImportDiagnostic[] = [];
  const reports: ImportPreview["sources"] = [];
  let good = 0;
  for (const s of sources) {
    if (s.kind === "url" && s.url.includes(":9/")) {
      diagnostics.push({ severity: "error", code: "fetch", source: s.url, message: `\`${s.url}\`: cannot connect: tcp connect error: Connection refused (os error 111)` });
      reports.push({ source: s.url, format: "error", detail: "cannot connect" });
    } else if (label(s).includes("broken")) {
      diagnostics.push({ severity: "error", code: "yaml", source: label(s), line: 8, column: 1, message: "invalid YAML: while parsing a flow sequence, expected ',' or ']'" });
      reports.push({ source: label(s), format: "error", detail: "invalid YAML" });
    } else {
      good += 1;
      reports.push({ source: label(s), format: "openapi 3.0.3", detail: "service `catalog-search`: 2 endpoints, 0 data classes" });
    }
  }
  const first = (d.services ?? [])[0]?.id ?? "x";
  const has = (d.services ?? []).some((x) => x.id === "catalog-search");
  const items: ImportPreviewItem[] = good
    ? [
        { kind: "service", id: "catalog-search", change: has ? "unchanged" : "added" },
        { kind: "service", id: first, change: "updated", fields: ["endpoints"] },
      ]
    : [];
  const count = (c: string) => items.filter((i) => i.change === c).length;
  const taken = (d.segments ?? []).some((x) => x.id === IMPORT_PROPOSAL.id);
  return {
    imported: { services: good ? 2 : 0, endpoints: good ? 2 : 0, flows: 0, declared_flows: 0, observed_flows: 0, data_classes: 0, live_policies: 0 },
    preview: { added: count("added"), updated: count("updated"), unchanged: count("unchanged"), skipped: 0, items },
    proposal: { segments: good ? [{ segment: IMPORT_PROPOSAL, reasons: { "catalog-search": "namespace `catalog`" } }] : [] },
    proposal_preview: good ? [taken ? { kind: "segment", id: IMPORT_PROPOSAL.id, change: "skipped", reason: "a segment with this id already exists; it is kept" } : { kind: "segment", id: IMPORT_PROPOSAL.id, change: "added" }] : [],
    sources: reports,
    diagnostics,
  };
}

function importApply(d: Design, sources: ImportSource[], accept: boolean, skip: string[]): Design {
  const merged: Design = clone(d);
  const p = importPreview(d, sources);
  if (p.preview.items.some((i) => i.id === "catalog-search" && i.change === "added") && !skip.includes("service:catalog-search")) {
    merged.services = [...(merged.services ?? []), { id: "catalog-search", name: "Catalog search", kind: "api", tags: ["imported"] }];
  }
  if (accept && p.proposal_preview.some((i) => i.change === "added")) merged.segments = [...(merged.segments ?? []), clone(IMPORT_PROPOSAL)];
  return merged;
}

// ---- drift and least privilege (shapes of src-tauri/src/commands/{drift,propose}.rs) ----------

/** The design's observed flows, plus two calls per log file: one the design denies and one from a shadow service. */
function observedCalls(d: Design, logs: string[]): ObservedCall[] {
  const leaf = leafOf(d);
  const known = (id: string) => id === "internet" || (d.services ?? []).some((s) => s.id === id);
  const raw: { from: string; to: string; port?: number | null; calls: number; flow: string }[] = (d.flows ?? [])
    .filter((f) => f.kind === "observed")
    .map((f) => ({ from: f.from, to: f.to, port: f.port ?? null, calls: f.count ?? 1, flow: f.id }));
  for (const l of logs) {
    raw.push({ from: "web-bff", to: "ledger-service", port: 8443, calls: 37, flow: `observed:web-bff->ledger-service:8443 (${l})` });
    raw.push({ from: "prometheus", to: "payments-api", port: 9090, calls: 12, flow: `observed:prometheus->payments-api:9090 (${l})` });
  }
  return raw
    .map((c) => {
      const decision = known(c.from) && known(c.to) && c.from !== c.to ? decide(d, c.from, c.to, leaf) : null;
      const explanation = decision && decision.decision === "deny" ? (decision.reason === "default" ? "no rule allows it (default deny)" : `denied (${decision.reason})`) : null;
      return { from: c.from, to: c.to, port: c.port, calls: c.calls, decision, explanation, flows: [c.flow] };
    })
    .sort((a, b) => b.calls - a.calls);
}

function driftCheck(d: Design, logs: string[], live: string[], window: string | null): DriftReport {
  for (const l of live) if (l.includes("broken")) throw { code: "invalid_input", message: `the live manifests cannot be used (1 problem):\n- \`${l}\`:5:16: invalid YAML: while parsing a flow sequence` };
  for (const l of logs) if (l.includes("missing")) throw { code: "not_found", message: `cannot read \`${l}\`: No such file or directory (os error 2)` };
  const calls = observedCalls(d, logs);
  const violations = calls
    .filter((c) => c.decision && c.decision.decision === "deny")
    .map((c) => ({ from: c.from, to: c.to, port: c.port, calls: c.calls, decision: c.decision!, explanation: c.explanation!, flows: c.flows }));
  const shadow = calls.filter((c) => !c.decision && c.from === "prometheus");
  const summary = { violations: violations.length, violating_calls: violations.reduce((n, v) => n + v.calls, 0), unused_grants: 1, unused_entries: 2, shadow_services: shadow.length ? 1 : 0, shadow_endpoints: 0, zombie_services: 1, zombie_endpoints: 0, live_differences: 0 };
  return {
    drift: {
      design: d.name ?? "",
      traffic: { flows: calls.length, calls: calls.reduce((n, c) => n + c.calls, 0), first_seen: "2026-11-01T00:00:00Z", last_seen: "2026-11-27T23:59:00Z", lines: logs.length * 50, unparsed_lines: logs.length ? 1 : 0, unparsed_examples: logs.map((l) => `${l}:17: not a CSV row: expected 2 or more fields`), skipped_lines: 0, window },
      violations,
      unused: [{ by: { by: "rule", rule: (d.rules ?? [])[0]?.id ?? "r" }, allowed: 3, used: 1, entries: [{ from: "web-bff", to: "accounts-api", port: 8443, declared: false }, { from: "mobile-api", to: "accounts-api", port: 8443, declared: true }], entirely_unused: false }],
      shadow_services: shadow.length ? [{ name: "prometheus", calls_in: 0, calls_out: shadow.reduce((n, c) => n + c.calls, 0), peers: ["payments-api"], ports: [] }] : [],
      shadow_endpoints: [],
      zombie_services: [{ service: "sms-gateway", calls_out: 0, declared_callers: ["notifications-service"] }],
      zombie_endpoints: [],
      live: live.length
        ? {
            source: live.join(", "),
            policies: 13,
            pairs_compared: 156,
            differences: [
              {
                from: "web-bff",
                to: "ledger-service",
                design: { allowed: false, ports: [], by: [] },
                live: { allowed: true, ports: [8443], by: [], connections: "all traffic" },
                kind: "live-only",
                ports: [{ port: 8443, protocol: "TCP", design: false, live: "allowed" }],
                live_why: ["`ledger-service`: no NetworkPolicy selects it, so ingress is open"],
              },
            ],
            unmapped_services: [],
            unmapped_workloads: [],
          }
        : null,
      summary: { ...summary, live_differences: live.length ? 1 : 0 },
      notes: [],
    },
    calls,
    calls_left_out: 0,
  };
}

/** One add per denied observed call between known services, and the removal of an unused rule. */
function proposeRules(d: Design, logs: string[]): Proposal {
  const changes: Proposal["changes"] = [];
  for (const c of observedCalls(d, logs)) {
    if (!c.decision || c.decision.decision !== "deny" || c.decision.reason !== "default") continue;
    const id = `${c.from}-to-${c.to}`;
    if ((d.rules ?? []).some((r) => r.id === id)) continue;
    changes.push({ id: `add:${id}`, summary: `add \`${id}\`: \`${c.from}\` → \`${c.to}\`${c.port ? `, port ${c.port}` : ""}`, evidence: c.flows, change: { kind: "add_rule", rule: { id, from: { service: c.from }, to: { service: c.to }, ports: c.port ? [c.port] : [] } } });
  }
  const unused = (d.rules ?? []).find((r) => r.id === "settlement-reconciliation-exception");
  if (unused) changes.push({ id: `remove:${unused.id}`, summary: `remove \`${unused.id}\`: no evidence needs it`, evidence: [], change: { kind: "remove_rule", rule: unused.id, before: unused } });
  return { design: d.name ?? "", evidence: { declared: (d.flows ?? []).filter((f) => f.kind !== "observed").length, observed: (d.flows ?? []).filter((f) => f.kind === "observed").length, calls: 0 }, changes, unchanged: [], blocked: [], notes: [] };
}

function proposeApply(d: Design, logs: string[], accept: string[]): Design {
  const p = proposeRules(d, logs);
  const out = clone(d);
  for (const id of accept) {
    const c = p.changes.find((x) => x.id === id);
    if (!c) throw { code: "invalid_input", message: `no change \`${id}\` in the proposal` };
    if (c.change.kind === "add_rule") out.rules = [...(out.rules ?? []), c.change.rule];
    if (c.change.kind === "remove_rule") out.rules = (out.rules ?? []).filter((r) => r.id !== (c.change as { rule: string }).rule);
  }
  return out;
}

// ---- files ---------------------------------------------------------------------------------

function initial(config: MockConfig, hold: (d: Design) => number): Opened | null {
  if (config.initial === "none") return null;
  if (config.initial === "broken") throw { code: "invalid_design", message: "`/work/designs/broken.bulkhead.json` is not a valid design (3 problems)", diagnostics: BROKEN_DIAGNOSTICS, path: "/work/designs/broken.bulkhead.json" };
  const opened = (path: string, design: Design): Opened => ({ path, revision: hold(design), design, diagnostics: [] });
  if (config.initial === "fintech") return opened("/work/examples/fintech.bulkhead.json", clone(fintech));
  if ("design" in config.initial) return opened(config.initial.path, clone(config.initial.design));
  return opened(`/tmp/generated-${config.initial.generated}.bulkhead.json`, generateDesign(config.initial.generated, 7));
}

export function install(): void {
  const config: MockConfig = { initial: "fintech", recovery: false, openPath: null, savePath: null, askAnswer: true, verdictsDelayMs: 0, ...(window.__mockConfig ?? {}) };
  const calls: MockCall[] = [];
  const saved: Record<string, Design> = {};
  let recent = ["/work/examples/fintech.bulkhead.json", "/work/examples/online-boutique.bulkhead.json"];
  let recovery: Recovery | null = config.recovery ? { format: "bulkhead-recovery/1", path: "/work/examples/fintech.bulkhead.json", saved_at: 1_764_300_000, design: { ...clone(fintech), name: "Northwind Bank (recovered)" } } : null;
  // The designs the shell holds for the analysis commands, by revision (as the shell does: a
  // new number for each design sent or opened, the two last held or asked about kept).
  const held = new Map<number, Design>();
  let lastRevision = 0;
  const hold = (d: Design): number => {
    held.set(++lastRevision, clone(d));
    for (const r of held.keys()) if (held.size > 2) held.delete(r);
    return lastRevision;
  };
  const heldDesign = (revision: unknown): Design => {
    const d = held.get(Number(revision));
    if (!d) throw { code: "stale_revision", message: `the shell does not hold revision ${String(revision)} of the design; send the design again with \`set_design\`` };
    // Used now: the last to be dropped.
    held.delete(Number(revision));
    held.set(Number(revision), d);
    return d;
  };
  mockWindows("main");
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const design = "revision" in args ? heldDesign(args.revision) : (args.design as Design);
      switch (cmd) {
        case "initial_design": return initial(config, hold);
        case "open_design": {
          const path = String(args.path);
          if (path.includes("broken")) throw { code: "invalid_design", message: `\`${path}\` is not a valid design (3 problems)`, diagnostics: BROKEN_DIAGNOSTICS, path };
          recent = [path, ...recent.filter((p) => p !== path)];
          const opened = saved[path] ?? clone(fintech);
          return { path, revision: hold(opened), design: opened, diagnostics: [] } satisfies Opened;
        }
        case "save_design": {
          const path = String(args.path);
          if (!path.endsWith(".json")) throw { code: "invalid_input", message: `\`${path}\` must end in \`.json\`` };
          saved[path] = clone(design);
          recent = [path, ...recent.filter((p) => p !== path)];
          recovery = null;
          return { path };
        }
        case "new_design": return { $schema: "https://bulkhead.dev/schema/bulkhead.schema.json", format: "bulkhead/1", name: "Untitled", data_classes: [], services: [], segments: [], rules: [], flows: [], layout: { positions: {} } } satisfies Design;
        case "recent_files": return recent;
        case "autosave": return null;
        case "take_recovery": return recovery;
        case "discard_recovery": recovery = null; return null;
        case "document_state": {
          const path = args.path as string | null;
          const broken = args.broken as string | null | undefined;
          if (broken) return `${broken.split("/").pop()} (not loaded) — Bulkhead`;
          return `${args.dirty ? "• " : ""}${path ? path.split("/").pop() : "Untitled"} — Bulkhead`;
        }
        case "set_design": return hold(design);
        case "patch_design": return hold(applyDesignPatch(heldDesign(args.base), args.ops as DesignOp[]));
        case "confirm_close": return null;
        case "validate": return validate(design);
        case "flow_verdicts": {
          const answer = verdicts(design);
          if (!config.verdictsDelayMs) return answer;
          return new Promise<FlowVerdict[]>((resolve) => setTimeout(() => resolve(answer), config.verdictsDelayMs));
        }
        case "simulate": return asTree(simulate(design, String(args.origin), String(args.assume)));
        case "simulate_spread": return spreadOf(simulate(design, String(args.origin), String(args.assume)));
        case "findings": return findings(design);
        case "rule_docs": return DOCS;
        case "matrix": return matrix(design);
        case "export_targets": return ["networkpolicy", "networkpolicy-egress", "cilium"];
        case "export_preview": return exportFiles(design, args.targets as string[]);
        case "export_write": {
          const dir = String(args.dir);
          if (!dir.startsWith("/")) throw { code: "invalid_input", message: `\`${dir}\` is not an absolute folder` };
          return exportFiles(design, args.targets as string[]).map((f) => `${dir}/${f.path}`);
        }
        case "import_preview": return importPreview(design, args.sources as ImportSource[]);
        case "import_apply": return importApply(design, args.sources as ImportSource[], !!args.accept_proposal, (args.skip as string[]) ?? []);
        case "drift_check": return driftCheck(design, args.traffic as string[], (args.live as string[]) ?? [], (args.window as string | null) ?? null);
        case "propose_rules": return proposeRules(design, args.traffic as string[]);
        case "propose_apply": return proposeApply(design, args.traffic as string[], args.accept as string[]);
        case "plugin:dialog|open": return config.openPath;
        case "plugin:dialog|save": return config.savePath;
        case "plugin:dialog|ask":
        case "plugin:dialog|confirm": return config.askAnswer;
        case "plugin:dialog|message": return null;
        default: throw { code: "internal", message: `mock: unknown command \`${cmd}\`` };
      }
    },
    { shouldMockEvents: true },
  );
  window.__mock = { calls, emit: (event, payload) => emit(event, payload), config, saved };
}

install();
