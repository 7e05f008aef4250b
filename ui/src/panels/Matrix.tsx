//! The segment matrix: from-segment × to-segment, what the policy allows and with which auth
//! (the backend's `matrix` by segment), like a firewall zone matrix. Click a cell to allow or
//! stop allowing the pair, or to edit the rules between the two segments.

import { useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { SegmentMatrix, SegmentMatrixEntry, SegmentSide } from "../analysis";
import type { Auth, Design, Peer, Rule } from "../generated/bulkhead";
import { displayName } from "../model/design";
import { setRule } from "../actions/setRule";
import { deleteElements } from "../actions/deleteElements";
import { select } from "../actions/select";
import { authSummary, defaultAuth } from "./policy";
import { ListInput, Select } from "./fields";

export type Allowed = "none" | "some" | "all";

/** Matrix key of a side: `internet`, `unsegmented` or the segment id. */
export function sideKey(s: SegmentSide): string {
  return typeof s === "string" ? s : s.segment;
}

/** The model peer for a matrix key (`unsegmented` has none: no rule can name it). */
export function peerOf(key: string): Peer | null {
  if (key === "internet") return "internet";
  if (key === "unsegmented") return null;
  return { segment: key };
}

export function allowedOf(e: SegmentMatrixEntry | undefined): Allowed {
  if (!e || e.pairs === 0) return "none";
  return e.pairs >= e.possible_pairs ? "all" : "some";
}

/** Rows: the internet, every segment, and `unsegmented` when used; columns: the same minus the internet. */
export function matrixAxes(m: SegmentMatrix, design: Design): { rows: string[]; cols: string[] } {
  const segs = (design.segments ?? []).map((s) => s.id);
  const used = new Set(m.entries.flatMap((e) => [sideKey(e.from), sideKey(e.to)]));
  const unseg = used.has("unsegmented") ? ["unsegmented"] : [];
  return { rows: ["internet", ...segs, ...unseg], cols: [...segs, ...unseg] };
}

/** Rules written directly between two matrix keys (the ones the cell editor edits). */
export function rulesBetween(rules: Rule[], from: string, to: string): Rule[] {
  const same = (p: Peer, key: string) => (typeof p === "string" ? p === key : "segment" in p && p.segment === key);
  return rules.filter((r) => same(r.from, from) && same(r.to, to));
}

export function cellText(e: SegmentMatrixEntry | undefined): string {
  const a = allowedOf(e);
  if (!e || a === "none") return "—";
  const ports = e.ports.some((p) => p === null) || e.ports.length === 0 ? "any" : e.ports.join(",");
  return `${a === "all" ? "✓" : "◐"} ${ports}`;
}

export function Matrix({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const [cell, setCell] = useState<{ from: string; to: string } | null>(null);
  const m = view.matrix;
  if (!m) return <div class="panel-empty" data-testid="matrix-loading">{view.error?.command === "matrix" ? `The matrix is not available: ${view.error.message}` : "Asking the evaluator for the matrix…"}</div>;
  const names = new Map((state.design.segments ?? []).map((s) => [s.id, displayName(s)]));
  const label = (k: string) => (k === "internet" ? "Internet" : k === "unsegmented" ? "(unsegmented)" : names.get(k) ?? k);
  const entries = new Map(m.entries.map((e) => [`${sideKey(e.from)}\u0000${sideKey(e.to)}`, e]));
  const { rows, cols } = matrixAxes(m, state.design);
  const rules = state.design.rules ?? [];
  return (
    <div class="matrix-panel">
      <p class="muted small">Rows call columns. ✓ every service pair allowed, ◐ some pairs or ports, — nothing (default deny). Click a cell to edit it.</p>
      <div class="matrix-scroll">
        <table class="matrix" data-testid="matrix">
          <thead>
            <tr>
              <th class="corner">from ↓ / to →</th>
              {cols.map((t) => (
                <th key={t} title={t}>
                  {/* WebKit ignores writing-mode on table cells: the label turns, not the cell. */}
                  <span class="vlabel">{label(t)}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr key={f}>
                <th title={f}>{label(f)}</th>
                {cols.map((t) => {
                  const e = entries.get(`${f}\u0000${t}`);
                  const a = allowedOf(e);
                  const active = cell !== null && cell.from === f && cell.to === t;
                  return (
                    <td
                      key={t}
                      data-testid="matrix-cell"
                      data-from={f}
                      data-to={t}
                      data-allowed={a}
                      class={`cell cell-${a}${active ? " active" : ""}`}
                      title={e ? `${e.pairs}/${e.possible_pairs} pairs; ${e.unauthenticated ? "some need no auth" : e.auth.map(authSummary).join(", ")}` : "nothing allowed"}
                      onClick={() => setCell({ from: f, to: t })}
                    >
                      <div>{cellText(e)}</div>
                      {e && a !== "none" ? <div class="cell-auth">{e.unauthenticated ? "no auth" : e.auth.map((x) => x.type).join("+")}</div> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cell ? <CellEditor app={app} from={cell.from} to={cell.to} label={label} rules={rulesBetween(rules, cell.from, cell.to)} entry={entries.get(`${cell.from}\u0000${cell.to}`)} /> : null}
    </div>
  );
}

function CellEditor(props: { app: Controller; from: string; to: string; label: (k: string) => string; rules: Rule[]; entry: SegmentMatrixEntry | undefined }) {
  const { app, from, to, rules, entry } = props;
  const fromPeer = peerOf(from);
  const toPeer = peerOf(to);
  const editable = fromPeer !== null && toPeer !== null;
  const allows = rules.filter((r) => (r.action ?? "allow") === "allow");
  const add = (action: "allow" | "deny") => fromPeer && toPeer && app.dispatch(setRule, { rule: { from: fromPeer, to: toPeer, action } });
  const toggle = () => {
    if (allows.length) app.dispatch(deleteElements, { kind: "rule", ids: allows.map((r) => r.id) });
    else add("allow");
  };
  return (
    <div class="cell-editor" data-testid="cell-editor">
      <h3>
        {props.label(from)} → {props.label(to)}
      </h3>
      <p class="muted small" data-testid="cell-verdict">
        Evaluator: {entry && entry.pairs > 0 ? `${entry.pairs} of ${entry.possible_pairs} service pairs allowed, by ${entry.by.map((b) => (b.by === "rule" ? b.rule : `intra-segment ${b.segment}`)).join(", ")}` : "nothing allowed"}
      </p>
      {!editable ? <p class="muted">Unsegmented services cannot be named by a segment rule: put them in a segment first.</p> : null}
      {editable ? (
        <div class="row">
          <button class={allows.length ? "" : "primary"} data-testid="matrix-allow-toggle" onClick={toggle}>
            {allows.length ? `Stop allowing (remove ${allows.length} allow rule${allows.length === 1 ? "" : "s"})` : "Allow this pair"}
          </button>
          <button data-testid="cell-add-deny" onClick={() => add("deny")}>
            + deny rule
          </button>
        </div>
      ) : null}
      {editable && rules.length === 0 ? <p class="muted small">No rule written directly between these two; what the evaluator allows here comes from broader rules.</p> : null}
      {rules.map((r) => (
        <div class="card" key={r.id} data-testid="cell-rule-row" data-rule={r.id}>
          <div class="row">
            <Select testid="cell-rule-action" value={r.action ?? "allow"} options={["allow", "deny"]} onChange={(action) => app.dispatch(setRule, { id: r.id, patch: { action } })} />
            <ListInput testid="cell-rule-ports" value={(r.ports ?? []).map(String)} placeholder="any port" onCommit={(v) => app.dispatch(setRule, { id: r.id, patch: { ports: v.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536) } })} />
            <Select<Auth["type"]> testid="cell-rule-auth-type" value={r.auth?.type ?? "none"} options={["none", "api_key", "jwt", "mtls"]} onChange={(t) => app.dispatch(setRule, { id: r.id, patch: { auth: t === "none" ? null : defaultAuth(t) } })} />
          </div>
          <div class="row">
            <code>{r.id}</code>
            <span class="muted small">{authSummary(r.auth)}</span>
            <button
              class="link"
              data-testid="cell-rule-edit"
              onClick={() => {
                app.dispatch(select, { kind: "rule", ids: [r.id] });
                app.run("panelInspector");
              }}
            >
              edit all fields
            </button>
            <button class="link danger" data-testid="cell-delete-rule" onClick={() => app.dispatch(deleteElements, { kind: "rule", ids: [r.id] })}>
              remove
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
