//! Shapes of what the backend answers about a design: validation diagnostics, the evaluator's
//! decisions, simulations, findings, the segment matrix, exports and import previews.
//!
//! PROVISIONAL: these mirror the serde output of `bulkhead-core` (`eval::Decision` is copied
//! from its `Serialize` derive) and are proposed to the shell and engine engineers in
//! `ui/IPC-NOTES.md`. When `schema/analysis.schema.json` lands on main, `npm run gen:types`
//! writes `./generated/analysis.ts` and this file becomes re-exports of it.

import type { Auth, Design, RateLimit, Segment, Sensitivity, Service } from "./generated/bulkhead";

/** One validation problem, pointing into the file. */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable code, e.g. `unknown-id`. */
  code: string;
  /** Lowercase message, user input in backticks. */
  message: string;
  /** JSON pointer into the design, e.g. `/services/3/data_held/0`. */
  pointer: string;
  /** 1-based line and column in the source file, when the source has them. */
  line?: number | null;
  column?: number | null;
  /** "did you mean `x`?" and similar. */
  help?: string | null;
}

/** `design_open`'s answer. `design` is null when the file could not be read into a design. */
export interface OpenedDesign {
  path: string;
  design: Design | null;
  diagnostics: Diagnostic[];
}

export interface Recovery {
  /** The file the unsaved design belongs to, or null for a never-saved design. */
  path: string | null;
  /** RFC 3339 time of the autosave. */
  saved_at: string;
  design: Design;
}

/** Why a call was allowed (`eval::AllowedBy`). */
export type AllowedBy = { by: "rule"; rule: string } | { by: "intra_segment"; segment: string };

export interface NearMiss {
  rule: string;
  mismatch: "port" | "method" | "path";
}

/** Why a call was denied (`eval::DenyReason`, flattened into the decision). */
export type DenyReason =
  | { reason: "unknown_target"; service: string }
  | { reason: "unknown_caller"; service: string }
  | { reason: "not_internet_facing" }
  | { reason: "deny_rule"; rule: string }
  | { reason: "no_matching_rule"; near_misses: NearMiss[] }
  | { reason: "missing_credential"; rule: string; required: Auth }
  | { reason: "default" };

/** The evaluator's answer (`eval::Decision`), always with its explanation. */
export type Decision =
  | { decision: "allow"; by: AllowedBy; auth: Auth[]; rate_limit?: RateLimit | null }
  | ({ decision: "deny" } & DenyReason);

export interface FlowVerdict {
  /** Flow id. */
  flow: string;
  decision: Decision;
}

/** A cell of the segment matrix: what the policy allows from one segment into another. */
export interface MatrixCell {
  /** Segment id, `internet`, or `unsegmented`. */
  from: string;
  to: string;
  /** `none` (nothing allowed), `some` (some service pairs or ports), `all`. */
  allowed: "none" | "some" | "all";
  /** Ports allowed (empty with `allowed != none` means any port). */
  ports: number[];
  /** Auth the allowed calls must present. */
  auth: Auth[];
  /** Rules that decide this cell. */
  rules: string[];
}

export interface SegmentMatrix {
  /** Row and column keys, in display order: segment ids, then `internet`/`unsegmented` if used. */
  segments: string[];
  cells: MatrixCell[];
}

export type Origin = "internet" | { service: string };
export type Assumption = "worst" | "known" | "probabilistic";

/** One hop of an attack path. */
export interface Hop {
  /** Caller id (`internet` for the first hop from outside). */
  from: string;
  to: string;
  /** The evaluator's explanation of why this call is open. */
  decision: Decision;
  /** Human explanation, e.g. "allowed by rule `r-edge-api`; stolen key `billing`". */
  explanation: string;
  /** Whether `to` was taken over (exploitable under the assumption) or only called. */
  compromised: boolean;
  /** Data classes exposed by this call. */
  data: string[];
  /** Probability of this hop succeeding (probabilistic assumption). */
  probability?: number | null;
}

export interface AttackPath {
  /** The service reached. */
  target: string;
  /** Whether the target holds crown-jewel data. */
  crown_jewel: boolean;
  hops: Hop[];
  probability?: number | null;
}

export interface BlastRadius {
  /** Compromised services. */
  count: number;
  /** Sensitivity-weighted score of the exposed data. */
  score: number;
}

export interface ChokePoint {
  /** An allowed call whose removal cuts paths to the crown jewels. */
  from: string;
  to: string;
  /** Rule (or intra-segment allowance) that opens it. */
  by: AllowedBy;
  /** How many crown-jewel paths it cuts. */
  cuts: number;
}

export interface Simulation {
  origin: Origin;
  assumption: Assumption;
  /** Compromised services with the hop (0 = origin) at which each fell. */
  compromised: { service: string; hop: number }[];
  /** Services the attacker could call but not take over, with their first hop. */
  reached: { service: string; hop: number }[];
  exposed_data: { data_class: string; sensitivity: Sensitivity; crown_jewel: boolean }[];
  paths: AttackPath[];
  blast_radius: BlastRadius;
  /** The same run on a network where everything may call everything. */
  flat_blast_radius: BlastRadius;
  choke_points: ChokePoint[];
}

export type Severity = "critical" | "high" | "medium" | "low" | "info";

/** The documentation of one finding rule, Ruff-style. */
export interface FindingDocs {
  what: string;
  why: string;
  fix: string;
  example?: string | null;
}

export interface Finding {
  /** Rule id, e.g. `BH001`. */
  rule: string;
  /** Stable key used by triage, e.g. `BH001:payments-api`. */
  key: string;
  severity: Severity;
  title: string;
  message: string;
  /** Elements involved: service, segment, rule or flow ids. */
  elements: { kind: "service" | "segment" | "rule" | "flow"; id: string }[];
  docs: FindingDocs;
  /** From `design.triage`, if triaged. */
  triage?: { status: "accepted" | "mitigated" | "false_positive"; reason: string } | null;
}

export type ExportTarget = "networkpolicy" | "cilium" | "istio" | "kong" | "nginx";

export interface ExportFile {
  target: ExportTarget;
  /** Relative path inside the export folder. */
  path: string;
  /** For highlighting. */
  language: "yaml" | "json" | "nginx" | "text";
  content: string;
}

export type ImportSource =
  | { kind: "file"; path: string }
  | { kind: "folder"; path: string }
  | { kind: "url"; url: string };

export interface ImportChange {
  kind: "service" | "flow" | "data_class";
  id: string;
  /** `added` or `updated`, with the fields that change for updates. */
  change: "added" | "updated";
  fields: string[];
  source: string;
}

export interface ImportPreview {
  changes: ImportChange[];
  /** The design with the import merged, without the proposal. */
  merged: Design;
  /** Proposed segmentation for the merged design (segments with members), to accept or ignore. */
  proposal: Segment[];
  /** Problems reading the sources (unreadable file, unknown format), with locations. */
  diagnostics: Diagnostic[];
}

/** Services are referenced by id everywhere in results; this helps panels resolve names. */
export type ServiceLookup = (id: string) => Service | undefined;
