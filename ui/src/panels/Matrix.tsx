//! The segment matrix: from-segment × to-segment, what the policy allows and with which auth
//! (the backend's `matrix`), like a firewall zone matrix. Click a cell to add, edit or remove the
//! rules between the two segments.

import { useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { MatrixCell } from "../analysis";
import type { Auth, Peer, Rule } from "../generated/bulkhead";
import { displayName } from "../model/design";
import { setRule } from "../actions/setRule";
import { deleteElements } from "../actions/deleteElements";
import { select } from "../actions/select";
import { authSummary, defaultAuth } from "./policy";
import { ListInput, Select } from "./fields";

/** The model peer for a matrix key. */
export function peerOf(key: string): Peer {
  if (key === "internet") return "internet";
  if (key === "any") return "any";
  return { segment: key };
}

/** Rules written directly between two matrix keys (the ones the cell editor edits). */
export function rulesBetween(rules: Rule[], from: string, to: string): Rule[] {
  const same = (p: Peer, key: string) => (typeof p === "string" ? p === key : "segment" in p && p.segment === key);
  return rules.filter((r) => same(r.from, from) && same(r.to, to));
}

export function cellText(c: MatrixCell | undefined): string {
  if (!c || c.allowed === "none") return "—";
  const ports = c.ports.length ? c.ports.join(",") : "any";
  return `${c.allowed === "all" ? "✓" : "◐"} ${ports}`;
}

export function Matrix({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const [cell, setCell] = useState<{ from: string; to: string } | null>(null);
  const m = view.matrix;
  if (!m) return <div class="panel-empty" data-testid="matrix-loading">Asking the evaluator for the matrix…</div>;
  const names = new Map((state.design.segments ?? []).map((s) => [s.id, displayName(s)]));
  const label = (k: string) => (k === "internet" ? "Internet" : k === "unsegmented" ? "(unsegmented)" : names.get(k) ?? k);
  const cells = new Map(m.cells.map((c) => [`${c.from}\u0000${c.to}`, c]));
  const targets = m.segments.filter((k) => k !== "internet");
  const rules = state.design.rules ?? [];
  return (
    <div class="matrix-panel">
      <p class="muted small">Rows call columns. ✓ everything allowed, ◐ some services or ports, — nothing (default deny). Click a cell to edit its rules.</p>
      <div class="matrix-scroll">
        <table class="matrix" data-testid="matrix">
          <thead>
            <tr>
              <th class="corner">from ↓ / to →</th>
              {targets.map((t) => (
                <th key={t} title={t}>
                  {label(t)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.segments.map((f) => (
              <tr key={f}>
                <th title={f}>{label(f)}</th>
                {targets.map((t) => {
                  const c = cells.get(`${f}\u0000${t}`);
                  const active = cell?.from === f && cell.to === t;
                  return (
                    <td
                      key={t}
                      data-testid={`matrix-cell-${f}-${t}`}
                      data-allowed={c?.allowed ?? "none"}
                      class={`cell cell-${c?.allowed ?? "none"}${active ? " active" : ""}`}
                      title={c ? `${c.allowed}; ${c.auth.map(authSummary).join(", ") || "no auth"}; rules: ${c.rules.join(", ") || "none"}` : "nothing allowed"}
                      onClick={() => setCell({ from: f, to: t })}
                    >
                      <div>{cellText(c)}</div>
                      {c && c.allowed !== "none" && c.auth.length ? <div class="cell-auth">{c.auth.map((a) => a.type).join("+")}</div> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cell && cell.to !== "unsegmented" ? (
        <CellEditor app={app} from={cell.from} to={cell.to} label={label} rules={rulesBetween(rules, cell.from, cell.to)} verdict={cells.get(`${cell.from}\u0000${cell.to}`)} />
      ) : null}
    </div>
  );
}

function CellEditor(props: { app: Controller; from: string; to: string; label: (k: string) => string; rules: Rule[]; verdict: MatrixCell | undefined }) {
  const { app, from, to } = props;
  const add = (action: "allow" | "deny") => app.dispatch(setRule, { rule: { from: peerOf(from), to: peerOf(to), action, justification: null } as Omit<Rule, "id"> });
  return (
    <div class="cell-editor" data-testid="cell-editor">
      <h3>
        {props.label(from)} → {props.label(to)}
      </h3>
      <p class="muted small" data-testid="cell-verdict">
        Evaluator: {props.verdict ? `${props.verdict.allowed}${props.verdict.rules.length ? ` via ${props.verdict.rules.join(", ")}` : ""}` : "nothing allowed"}
      </p>
      {props.rules.length === 0 ? <p class="muted">No rule between these segments.</p> : null}
      {props.rules.map((r) => (
        <div class="card" key={r.id} data-testid="cell-rule-row" data-rule={r.id}>
          <div class="row">
            <Select testid="cell-rule-action" value={r.action ?? "allow"} options={["allow", "deny"]} onChange={(action) => app.dispatch(setRule, { id: r.id, patch: { action } })} />
            <ListInput testid="cell-rule-ports" value={(r.ports ?? []).map(String)} placeholder="any port" onCommit={(v) => app.dispatch(setRule, { id: r.id, patch: { ports: v.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n < 65536) } })} />
            <Select<Auth["type"]> testid="cell-rule-auth-type" value={r.auth?.type ?? "none"} options={["none", "api_key", "jwt", "mtls"]} onChange={(t) => app.dispatch(setRule, { id: r.id, patch: { auth: t === "none" ? null : defaultAuth(t) } })} />
          </div>
          <div class="row">
            <code>{r.id}</code>
            <span class="muted small">{authSummary(r.auth)}</span>
            <button class="link" data-testid="cell-rule-edit" onClick={() => { app.dispatch(select, { kind: "rule", ids: [r.id] }); app.run("panelInspector"); }}>
              edit all fields
            </button>
            <button class="link danger" data-testid="cell-delete-rule" onClick={() => app.dispatch(deleteElements, { kind: "rule", ids: [r.id] })}>
              remove
            </button>
          </div>
        </div>
      ))}
      <div class="row">
        <button data-testid="cell-add-allow" onClick={() => add("allow")}>
          + allow rule
        </button>
        <button data-testid="cell-add-deny" onClick={() => add("deny")}>
          + deny rule
        </button>
      </div>
    </div>
  );
}
