//! The canvas stylesheet, per theme. Shape by service kind, fill by the highest sensitivity of
//! data held, badges for internet exposure and known weaknesses, segments styled by level and
//! trust, flows by kind (declared solid, observed dashed and thicker with volume) and verdict.

import type { StylesheetJson } from "cytoscape";
import { trafficStyle } from "./traffic";

export type Theme = "light" | "dark";

export const SENSITIVITY_COLOURS: Record<string, string> = {
  none: "#8c959f",
  public: "#2da44e",
  internal: "#0969da",
  confidential: "#e16f24",
  restricted: "#cf222e",
};

export const KIND_SHAPES: Record<string, string> = {
  api: "round-rectangle",
  web: "ellipse",
  gateway: "diamond",
  worker: "hexagon",
  datastore: "barrel",
  queue: "rhomboid",
  external: "octagon",
  client: "tag",
};

interface Palette {
  text: string;
  textBg: string;
  segBorder: string;
  trust: Record<string, string>;
  allow: string;
  deny: string;
  pending: string;
  accent: string;
}

const PALETTES: Record<Theme, Palette> = {
  light: {
    text: "#1f2328",
    textBg: "#ffffff",
    segBorder: "#6e7781",
    trust: { untrusted: "#ffebe9", low: "#fff1e5", medium: "#ddf4ff", high: "#dafbe1" },
    allow: "#1a7f37",
    deny: "#cf222e",
    pending: "#8c959f",
    accent: "#8250df",
  },
  dark: {
    text: "#e6edf3",
    textBg: "#0d1117",
    segBorder: "#8b949e",
    trust: { untrusted: "#3c1618", low: "#3d2611", medium: "#0c2d4a", high: "#0f3320" },
    allow: "#3fb950",
    deny: "#f85149",
    pending: "#6e7681",
    accent: "#a371f7",
  },
};

/** How a simulation looks on the canvas: a ring (a glow around the service, drawn under it). */
export interface SimRing {
  colour: string;
  /** Model units around the service's shape. */
  padding: number;
  alpha: number;
}

/** A stroke (the attacker's calls, the chosen path, a compromised service's border). */
export interface SimStroke {
  colour: string;
  /** Model units. */
  width: number;
}

/**
 * The simulation's look (drawn by ./simlayer.ts over Cytoscape's canvas, never as classes on its
 * elements): everything the run does not involve is dimmed under a veil of the canvas's own
 * background colour (`veilAlpha` 0.7 shows it at 30%, as an element at opacity 0.3 would be),
 * segments keep their boundaries. When a service has several rings the last in
 * `SIM_RING_ORDER` wins.
 */
export interface SimulationPalette {
  veil: string;
  veilAlpha: number;
  rings: { reached: SimRing; compromised: SimRing; origin: SimRing; "on-path": SimRing };
  compromisedBorder: SimStroke;
  attack: SimStroke;
  onPath: SimStroke;
}

export const SIM_RING_ORDER = ["reached", "compromised", "origin", "on-path"] as const;

export function simulationPalette(theme: Theme): SimulationPalette {
  const p = PALETTES[theme];
  return {
    veil: p.textBg,
    veilAlpha: 0.7,
    rings: {
      reached: { colour: "#e16f24", padding: 7, alpha: 0.45 },
      compromised: { colour: "#ff0000", padding: 9, alpha: 0.6 },
      origin: { colour: p.accent, padding: 11, alpha: 0.7 },
      "on-path": { colour: p.accent, padding: 12, alpha: 0.8 },
    },
    compromisedBorder: { colour: "#ff0000", width: 3 },
    attack: { colour: "#ff4d4f", width: 3 },
    onPath: { colour: p.accent, width: 6 },
  };
}

const svg = (body: string) => `data:image/svg+xml;utf8,${encodeURIComponent(`<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" viewBox="0 0 40 40">${body}</svg>`)}`;

// Badges are drawn as shapes (no fonts), top-right for internet, top-left for weaknesses.
const GLOBE = `<circle cx="31" cy="9" r="8" fill="#0969da" stroke="white" stroke-width="1.5"/><ellipse cx="31" cy="9" rx="3.2" ry="7" fill="none" stroke="white" stroke-width="1.2"/><line x1="23.5" y1="9" x2="38.5" y2="9" stroke="white" stroke-width="1.2"/>`;
const WARN = `<path d="M9 1.5 L17 16 L1 16 Z" fill="#bf3989" stroke="white" stroke-width="1.3"/><rect x="8.1" y="6" width="1.8" height="5.5" fill="white"/><rect x="8.1" y="12.6" width="1.8" height="1.8" fill="white"/>`;
export const BADGES = {
  internet: svg(GLOBE),
  weak: svg(WARN),
  both: svg(GLOBE + WARN),
};

/**
 * `large`: cheap edges for big estates. Haystack lines (no path computation, no bundling), the
 * direction kept by one arrow at the middle of the line instead of one clipped to the target's
 * border, and no per-flow labels (thousands of them are unreadable anyway; the inspector shows
 * them). Small designs keep bezier edges, end arrows and labels.
 */
export function stylesheet(theme: Theme, large = false): StylesheetJson {
  const p = PALETTES[theme];
  const s: StylesheetJson = [
    {
      selector: "node",
      style: {
        label: "data(label)",
        color: p.text,
        "font-size": 15,
        "font-family": "Inter, system-ui, sans-serif",
        "min-zoomed-font-size": 6,
        "text-wrap": "ellipsis",
        "text-max-width": "150px",
      },
    },
    {
      selector: 'node[type = "service"]',
      style: {
        width: 46,
        height: 46,
        shape: "round-rectangle",
        "background-color": SENSITIVITY_COLOURS.none!,
        "border-width": 1.5,
        "border-color": p.textBg,
        "text-valign": "bottom",
        "text-margin-y": 4,
        "text-background-color": p.textBg,
        "text-background-opacity": 0.75,
        "text-background-padding": "1px",
      },
    },
    // Shape and fill by data-field selectors, not style functions: a function runs for every
    // element on every restyle, a selector is matched once per element.
    ...Object.entries(KIND_SHAPES).map(([kind, shape]) => ({ selector: `node[type = "service"][kind = "${kind}"]`, style: { shape: shape as "ellipse" } })),
    ...Object.entries(SENSITIVITY_COLOURS).map(([level, colour]) => ({ selector: `node[type = "service"][sensitivity = "${level}"]`, style: { "background-color": colour } })),
    { selector: 'node[type = "service"][?internet][!weak]', style: { "background-image": BADGES.internet, "background-fit": "contain", "background-clip": "none", "background-image-containment": "over", "bounds-expansion": 6 } },
    { selector: 'node[type = "service"][?weak][!internet]', style: { "background-image": BADGES.weak, "background-fit": "contain", "background-clip": "none", "background-image-containment": "over", "bounds-expansion": 6 } },
    { selector: 'node[type = "service"][?weak][?internet]', style: { "background-image": BADGES.both, "background-fit": "contain", "background-clip": "none", "background-image-containment": "over", "bounds-expansion": 6 } },
    {
      selector: 'node[type = "internet"]',
      style: { shape: "ellipse", width: 56, height: 56, "background-color": "#0969da", "background-opacity": 0.15, "border-width": 2, "border-color": "#0969da", "border-style": "dashed", "text-valign": "center", "font-weight": "bold" },
    },
    {
      selector: 'node[type = "segment"]',
      style: {
        shape: "round-rectangle",
        "background-color": p.trust.medium!,
        "background-opacity": 0.7,
        "border-color": p.segBorder,
        "border-width": 2,
        "text-valign": "top",
        "text-halign": "center",
        "text-margin-y": -4,
        "font-size": 17,
        "font-weight": "bold",
        padding: "26px",
        "text-max-width": "400px",
        "min-zoomed-font-size": 5,
      },
    },
    ...Object.entries(p.trust).map(([trust, colour]) => ({ selector: `node[type = "segment"][trust = "${trust}"]`, style: { "background-color": colour } })),
    { selector: 'node[type = "segment"][level = "network"]', style: { "border-width": 3 } },
    { selector: 'node[type = "segment"][level = "identity"]', style: { "border-style": "dashed" } },
    { selector: 'node[type = "segment"][level = "data"]', style: { "border-style": "double", "border-width": 5 } },
    ...(large ? largeEdges(p) : edges(p)),
    { selector: ":selected", style: { "border-color": p.accent, "border-width": 4, "line-color": p.accent, "target-arrow-color": p.accent, opacity: 1 } },
    { selector: 'node[type = "segment"]:selected', style: { "border-color": p.accent, "border-width": 4 } },
    { selector: ".faded", style: { opacity: 0.12 } },
    { selector: "node.focus", style: { "underlay-color": "#d4a72c", "underlay-padding": 14, "underlay-opacity": 0.8 } },
    { selector: "node.draw-source", style: { "border-color": p.accent, "border-width": 4, "border-style": "dashed" } },
  ];
  return [...s, ...trafficStyle(p), ...(large ? largeEdgeAccents(p) : [])];
}

/** Flows on a small design: bezier curves, an arrow at the target, a label (volume and port). */
function edges(p: Palette): StylesheetJson {
  return [
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "curve-style": "bezier",
        "target-arrow-shape": "triangle",
        "arrow-scale": 0.9,
        "line-color": p.pending,
        "target-arrow-color": p.pending,
        label: "data(label)",
        "font-size": 11,
        color: p.text,
        "text-background-color": p.textBg,
        "text-background-opacity": 0.8,
        "text-rotation": "autorotate",
        "min-zoomed-font-size": 8,
        opacity: 0.85,
      },
    },
    { selector: 'edge[flowKind = "observed"]', style: { "line-style": "dashed", "line-dash-pattern": [7, 4] } },
    { selector: 'edge[verdict = "allow"]', style: { "line-color": p.allow, "target-arrow-color": p.allow } },
    { selector: 'edge[verdict = "deny"]', style: { "line-color": p.deny, "target-arrow-color": p.deny, "target-arrow-shape": "tee" } },
  ];
}

/**
 * Flows on a large design: the same colours, widths, dashes and opacity, as haystack lines with
 * the arrow (or the deny's tee) at the middle, and only the properties they draw with: no label
 * and none of a label's font properties, no target arrow. Cytoscape applies and hashes every
 * property of every flow on each open (5,226 flows on 2,000 services), so properties set only
 * to be overridden or never drawn cost time for nothing.
 */
function largeEdges(p: Palette): StylesheetJson {
  return [
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "curve-style": "haystack",
        "haystack-radius": 0,
        "mid-target-arrow-shape": "triangle",
        "mid-target-arrow-color": p.pending,
        "arrow-scale": 1.2,
        "line-color": p.pending,
        opacity: 0.85,
      },
    },
    { selector: 'edge[flowKind = "observed"]', style: { "line-style": "dashed", "line-dash-pattern": [7, 4] } },
    { selector: 'edge[verdict = "allow"]', style: { "line-color": p.allow, "mid-target-arrow-color": p.allow } },
    { selector: 'edge[verdict = "deny"]', style: { "line-color": p.deny, "mid-target-arrow-color": p.deny, "mid-target-arrow-shape": "tee" } },
  ];
}

/** The selection rule above colours `target-arrow-color`; a large graph's arrow is the middle one. */
function largeEdgeAccents(p: Palette): StylesheetJson {
  return [
    { selector: "edge:selected", style: { "mid-target-arrow-color": p.accent } },
  ];
}
