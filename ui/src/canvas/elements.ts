//! The design as Cytoscape element definitions: a pure function, tested without a browser.
//! Canvas ids are prefixed by kind (`s:` service, `g:` segment, `f:` flow) because the model
//! only keeps ids unique within a kind.

import type { Design, Service } from "../generated/bulkhead";
import type { FlowVerdict } from "../analysis";
import { displayName, highestSensitivity, leafSegments } from "../model/design";

export const INTERNET_NODE = "internet";

export interface NodeData {
  id: string;
  /** The model id (without prefix). */
  ref: string;
  type: "service" | "segment" | "internet";
  label: string;
  parent?: string;
  /** Services: kind, highest sensitivity held, badges. */
  kind?: string;
  sensitivity?: string;
  internet?: boolean;
  weak?: boolean;
  /** Segments: level and trust. */
  level?: string;
  trust?: string;
  /** Text searched by the filter (name, id, tags). */
  search?: string;
}

export interface EdgeData {
  id: string;
  ref: string;
  type: "flow";
  source: string;
  target: string;
  flowKind: "declared" | "observed";
  /** `allow`/`deny` from the backend's evaluator; `pending` until it has answered. */
  verdict: "allow" | "deny" | "pending";
  label: string;
  /** Line width, from the observed volume. */
  width: number;
}

export interface ElementDef {
  group: "nodes" | "edges";
  data: NodeData | EdgeData;
  position?: { x: number; y: number };
}

export const svcId = (id: string) => `s:${id}`;
export const segId = (id: string) => `g:${id}`;
export const flowId = (id: string) => `f:${id}`;

/** Canvas id of a flow endpoint: a service, or the internet pseudo-node. */
export const endpointId = (id: string) => (id === "internet" ? INTERNET_NODE : svcId(id));

export function serviceLabel(s: Service): string {
  return displayName(s);
}

/** `Name · level · trust`, as the issue asks segments to be labelled. */
export function segmentLabel(s: { id: string; name?: string; level?: string; trust?: string }): string {
  return `${displayName(s)} · ${s.level ?? "application"} · ${s.trust ?? "medium"} trust`;
}

/** Observed volume as a readable count: 1200 → `1.2k`. */
export function volume(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M`;
  if (n >= 1_000) return `${(n / 1_000).toFixed(n >= 10_000 ? 0 : 1)}k`;
  return String(n);
}

export function toElements(design: Design, verdicts: ReadonlyMap<string, FlowVerdict> | null): ElementDef[] {
  const out: ElementDef[] = [];
  const positions = design.layout?.positions ?? {};
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  for (const seg of design.segments ?? []) {
    const parent = seg.parent && segIds.has(seg.parent) && seg.parent !== seg.id ? segId(seg.parent) : undefined;
    out.push({
      group: "nodes",
      data: { id: segId(seg.id), ref: seg.id, type: "segment", label: segmentLabel(seg), level: seg.level ?? "application", trust: seg.trust ?? "medium", ...(parent ? { parent } : {}) },
    });
  }
  // One pass to find each service's leaf segment (deepest listing it).
  const leaf = leafSegments(design);
  for (const s of design.services ?? []) {
    const parent = leaf.get(s.id);
    const p = positions[s.id];
    out.push({
      group: "nodes",
      data: {
        id: svcId(s.id),
        ref: s.id,
        type: "service",
        label: serviceLabel(s),
        kind: s.kind ?? "api",
        sensitivity: highestSensitivity(design, s) ?? "none",
        internet: s.exposure === "internet",
        weak: (s.weaknesses ?? []).length > 0,
        search: [s.id, s.name ?? "", ...(s.tags ?? [])].join(" ").toLowerCase(),
        ...(parent ? { parent: segId(parent) } : {}),
      },
      ...(p ? { position: { x: p.x, y: p.y } } : {}),
    });
  }
  const services = new Set((design.services ?? []).map((s) => s.id));
  let needsInternet = false;
  for (const f of design.flows ?? []) {
    const fromOk = f.from === "internet" || services.has(f.from);
    if (!fromOk || !services.has(f.to)) continue; // the validator reports dangling flows
    if (f.from === "internet") needsInternet = true;
    const count = f.count ?? 0;
    const bits = [f.kind === "observed" && count > 0 ? `${volume(count)} calls` : "", f.port ? `:${f.port}` : ""].filter(Boolean);
    out.push({
      group: "edges",
      data: {
        id: flowId(f.id),
        ref: f.id,
        type: "flow",
        source: endpointId(f.from),
        target: svcId(f.to),
        flowKind: f.kind ?? "declared",
        verdict: verdictOf(verdicts, f.id),
        label: bits.join(" "),
        width: f.kind === "observed" && count > 0 ? Math.min(8, 1.5 + Math.log10(count + 1)) : 2,
      },
    });
  }
  if (needsInternet) {
    const p = positions[INTERNET_NODE];
    out.push({ group: "nodes", data: { id: INTERNET_NODE, ref: INTERNET_NODE, type: "internet", label: "Internet" }, ...(p ? { position: p } : {}) });
  }
  return out;
}

/** How a flow is drawn for the evaluator's verdict on it: `pending` until there is one. */
function verdictOf(verdicts: ReadonlyMap<string, FlowVerdict> | null, flow: string): EdgeData["verdict"] {
  return verdicts?.get(flow)?.decision.decision ?? "pending";
}

/**
 * `defs` made by `toElements(design, null)`, with each flow styled by its verdict: what
 * `toElements(design, verdicts)` gives, without working out the rest again (the canvas makes
 * the elements of an opened design while it waits for the verdicts).
 */
export function withVerdicts(defs: readonly ElementDef[], verdicts: ReadonlyMap<string, FlowVerdict> | null): ElementDef[] {
  return defs.map((d) => {
    if (d.group !== "edges") return d;
    const data = d.data as EdgeData;
    const verdict = verdictOf(verdicts, data.ref);
    return verdict === data.verdict ? d : { ...d, data: { ...data, verdict } };
  });
}

/** A stable string of what an element shows, to skip updates when nothing changed. */
export function signature(d: NodeData | EdgeData): string {
  return JSON.stringify(d);
}
