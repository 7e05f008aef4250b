//! The observed-traffic overlay: one edge per caller → target and verdict, as wide as its volume,
//! allowed (solid, the allow colour) or denied (thick dashes, the deny colour, a tee) by the
//! current policy, labelled with the call count and the rule that decides. Verdicts come from
//! the backend (`drift_check`'s calls, decided by the evaluator); nothing is decided here.
//!
//! Overlay elements have `type = "traffic"`: the canvas's design sync leaves them alone, and
//! they are not selectable (they are not part of the design).

import type { Core, ElementDefinition, StylesheetJson } from "cytoscape";
import type { Decision, ObservedCall } from "../analysis";
import { endpointId, volume } from "./elements";
import { ghostId, ghostStyle } from "./ghosts";

export type TrafficVerdict = "allow" | "deny" | "unknown";

export interface TrafficEdgeData {
  id: string;
  type: "traffic";
  source: string;
  target: string;
  from: string;
  to: string;
  verdict: TrafficVerdict;
  calls: number;
  width: number;
  label: string;
  /** What decides: rule ids, intra-segment allows or the denial's reason. */
  decidedBy: string;
}

/** Who decided a call, in a few words: "rule `a`", "intra-segment `core`", "deny rule `x`", "default deny". */
export function decidedBy(d: Decision | null | undefined): string {
  if (!d) return "not in the inventory";
  if (d.decision === "allow") return d.by.by === "rule" ? `rule \`${d.by.rule}\`` : `intra-segment \`${d.by.segment}\``;
  switch (d.reason) {
    case "deny_rule":
      return `deny rule \`${d.rule}\``;
    case "missing_credential":
      return `\`${d.rule}\` needs a credential the caller lacks`;
    case "no_matching_rule":
      return d.near_misses.length ? `no rule matches (near: ${d.near_misses.map((n) => `\`${n.rule}\``).join(", ")})` : "no rule matches";
    case "not_internet_facing":
      return "not internet-facing";
    case "unknown_caller":
    case "unknown_target":
      return `\`${d.service}\` is not in the design`;
    case "expired_rule":
      return `rule \`${d.rule}\` expired on ${d.expires}`;
    case "default":
      return "default deny";
  }
}

export function verdictOf(c: ObservedCall): TrafficVerdict {
  if (!c.decision) return "unknown";
  return c.decision.decision === "allow" ? "allow" : "deny";
}

/** Edge width from volume: 1.5 px for one call, +1.5 px per factor of ten, at most 12. */
export function trafficWidth(calls: number): number {
  return Math.min(12, 1.5 + 1.5 * Math.log10(Math.max(1, calls)));
}

export const trafficId = (from: string, to: string, verdict: TrafficVerdict) => `t:${verdict}:${from}\u0000${to}`;

/**
 * Overlay edges for `calls`, one per (caller, target, verdict), only where both ends are on the
 * canvas (`hasNode` takes canvas ids). A peer not in the inventory ends at its ghost node
 * (`./ghosts.ts`) when it has one.
 */
export function trafficEdges(calls: readonly ObservedCall[], hasNode: (canvasId: string) => boolean): ElementDefinition[] {
  const groups = new Map<string, { from: string; to: string; verdict: TrafficVerdict; calls: number; by: Map<string, number> }>();
  for (const c of calls) {
    if (c.from === c.to) continue;
    const verdict = verdictOf(c);
    const key = trafficId(c.from, c.to, verdict);
    let g = groups.get(key);
    if (!g) {
      g = { from: c.from, to: c.to, verdict, calls: 0, by: new Map() };
      groups.set(key, g);
    }
    g.calls += c.calls;
    const by = decidedBy(c.decision);
    g.by.set(by, (g.by.get(by) ?? 0) + c.calls);
  }
  const out: ElementDefinition[] = [];
  for (const [id, g] of groups) {
    const end = (id: string) => [endpointId(id), ghostId(id)].find(hasNode);
    const source = end(g.from);
    const target = end(g.to);
    if (!source || !target) continue;
    // Busiest deciding rule first; a pair decided by several rules (per endpoint) names them all.
    const by = [...g.by.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    const decided = by.length > 2 ? `${by.slice(0, 2).join(", ")} +${by.length - 2}` : by.join(", ");
    const data: TrafficEdgeData = {
      id,
      type: "traffic",
      source,
      target,
      from: g.from,
      to: g.to,
      verdict: g.verdict,
      calls: g.calls,
      width: trafficWidth(g.calls),
      label: `${volume(g.calls)} · ${g.verdict === "deny" ? "denied: " : ""}${decided}`,
      decidedBy: by.join("; "),
    };
    out.push({ group: "edges", data: data as unknown as ElementDefinition["data"], selectable: false });
  }
  return out;
}

/** Replace the overlay on `cy` with `defs` (none to hide it); design edges are dimmed meanwhile. */
export function applyTraffic(cy: Core, defs: ElementDefinition[] | null): void {
  cy.batch(() => {
    cy.edges('[type = "traffic"]').remove();
    const on = !!defs && defs.length > 0;
    if (on) cy.add(defs);
    const design = cy.edges('[type = "flow"]');
    if (on) design.addClass("under-traffic");
    // Only the flows that have the class: Cytoscape counts removing a class an element does not
    // have as a change and restyles it, and this runs when the canvas is mounted, with the
    // overlay off (on a large design just opened, a restyle of every flow in its first frame).
    else design.filter(".under-traffic").removeClass("under-traffic");
  });
}

/** Centre on the given canvas elements (nodes and overlay edges) and flash them. */
export function focusElements(cy: Core, ids: string[]): boolean {
  let eles = cy.collection();
  for (const id of ids) eles = eles.union(cy.getElementById(id));
  if (eles.empty()) return false;
  cy.animate({ center: { eles }, zoom: Math.max(cy.zoom(), 1) }, { duration: 250 });
  eles.addClass("focus");
  window.setTimeout(() => eles.removeClass("focus"), 1600);
  return true;
}

/** The overlay's styles (added after the design's, so they win). */
export function trafficStyle(colours: { allow: string; deny: string; pending: string; text: string; textBg: string }): StylesheetJson {
  return [
    { selector: "edge.under-traffic", style: { opacity: 0.18 } },
    {
      selector: 'edge[type = "traffic"]',
      style: {
        width: "data(width)",
        "curve-style": "bezier",
        "control-point-step-size": 28,
        label: "data(label)",
        "font-size": 11,
        color: colours.text,
        "text-background-color": colours.textBg,
        "text-background-opacity": 0.85,
        "text-rotation": "autorotate",
        "min-zoomed-font-size": 7,
        "target-arrow-shape": "triangle",
        "line-cap": "round",
        opacity: 0.9,
        "z-index": 20,
      },
    },
    { selector: 'edge[type = "traffic"][verdict = "allow"]', style: { "line-color": colours.allow, "target-arrow-color": colours.allow } },
    { selector: 'edge[type = "traffic"][verdict = "deny"]', style: { "line-color": colours.deny, "target-arrow-color": colours.deny, "target-arrow-shape": "tee", "line-style": "dashed", "line-dash-pattern": [10, 5] } },
    { selector: 'edge[type = "traffic"][verdict = "unknown"]', style: { "line-color": colours.pending, "target-arrow-color": colours.pending, "line-style": "dotted" } },
    { selector: "edge.focus", style: { "underlay-color": "#d4a72c", "underlay-padding": 6, "underlay-opacity": 0.8 } },
    ...ghostStyle(colours),
  ];
}
