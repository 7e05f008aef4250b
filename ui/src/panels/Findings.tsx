//! Findings with their documentation. Click one to focus its element; triage it (accepted,
//! mitigated, false positive) with a reason, which writes `design.triage`.

import { useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { Finding, Severity } from "../analysis";
import type { TriageStatus } from "../generated/bulkhead";
import { setTriage } from "../actions/setTriage";
import { select } from "../actions/select";

const ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

/** Open findings first, by severity, then triaged ones. */
export function sortFindings(fs: Finding[], triaged: ReadonlyMap<string, unknown>): Finding[] {
  return [...fs].sort((a, b) => Number(triaged.has(a.key)) - Number(triaged.has(b.key)) || ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.key.localeCompare(b.key));
}

export function Findings({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const [open, setOpen] = useState<string | null>(null);
  const [showTriaged, setShowTriaged] = useState(true);
  if (!view.findings) return <div class="panel-empty">Asking for findings…</div>;
  const triage = new Map((state.design.triage ?? []).map((t) => [t.finding, t]));
  const list = sortFindings(view.findings, triage).filter((f) => showTriaged || !triage.has(f.key));
  const counts = ORDER.map((s) => [s, view.findings!.filter((f) => f.severity === s && !triage.has(f.key)).length] as const).filter(([, n]) => n > 0);
  return (
    <div class="findings">
      <div class="row">
        <span data-testid="findings-count">
          {view.findings.length - [...triage.keys()].filter((k) => view.findings!.some((f) => f.key === k)).length} open
        </span>
        {counts.map(([s, n]) => (
          <span key={s} class={`sev sev-${s}`}>
            {n} {s}
          </span>
        ))}
        <label class="check">
          <input type="checkbox" checked={showTriaged} onChange={(e) => setShowTriaged((e.target as HTMLInputElement).checked)} /> show triaged
        </label>
      </div>
      {list.length === 0 ? <p class="muted">No findings.</p> : null}
      <ul class="finding-list">
        {list.map((f) => {
          const t = triage.get(f.key);
          const expanded = open === f.key;
          return (
            <li key={f.key} data-testid="finding" data-key={f.key} class={`finding${t ? " triaged" : ""}`}>
              <div
                class="finding-head"
                onClick={() => {
                  setOpen(expanded ? null : f.key);
                  const el = f.elements[0];
                  if (el) {
                    app.dispatch(select, { kind: el.kind, ids: f.elements.filter((x) => x.kind === el.kind).map((x) => x.id) });
                    if (el.kind === "service" || el.kind === "segment" || el.kind === "flow") app.canvas?.focus(el.kind, el.id);
                  }
                }}
              >
                <span class={`sev sev-${f.severity}`}>{f.severity}</span> <code>{f.rule}</code> <b>{f.title}</b>
                {t ? <span class="tag" data-testid="finding-triage-status">{t.status.replace("_", " ")}</span> : null}
                <div class="small">{f.message}</div>
              </div>
              {expanded ? <FindingDetail app={app} finding={f} current={t ?? null} /> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function FindingDetail({ app, finding: f, current }: { app: Controller; finding: Finding; current: { status: TriageStatus; reason: string } | null }) {
  const [status, setStatus] = useState<TriageStatus | "">(current?.status ?? "");
  const [reason, setReason] = useState(current?.reason ?? "");
  const needsReason = status !== "" && reason.trim() === "";
  return (
    <div class="finding-detail" data-testid="finding-docs">
      <h4>What it checks</h4>
      <p>{f.docs.what}</p>
      <h4>Why it matters</h4>
      <p>{f.docs.why}</p>
      <h4>How to fix</h4>
      <p>{f.docs.fix}</p>
      {f.docs.example ? <pre class="code">{f.docs.example}</pre> : null}
      <div class="small muted">
        Elements:{" "}
        {f.elements.map((e, i) => (
          <a
            key={i}
            href="#"
            data-testid="finding-focus"
            onClick={(ev) => {
              ev.preventDefault();
              app.dispatch(select, { kind: e.kind, ids: [e.id] });
              if (e.kind !== "rule") app.canvas?.focus(e.kind, e.id);
            }}
          >
            {e.kind} {e.id}{" "}
          </a>
        ))}
      </div>
      <div class="triage row">
        <select data-testid="triage-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as TriageStatus | "")}>
          <option value="">open</option>
          <option value="accepted">accepted risk</option>
          <option value="mitigated">mitigated</option>
          <option value="false_positive">false positive</option>
        </select>
        <input data-testid="triage-reason" placeholder="reason (required)" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <button
          data-testid="triage-save"
          disabled={needsReason}
          title={needsReason ? "a triage decision needs a reason" : ""}
          onClick={() => app.dispatch(setTriage, { finding: f.key, status: status === "" ? null : status, reason })}
        >
          Save
        </button>
      </div>
    </div>
  );
}
