//! Findings with their documentation. Click one to focus its element; triage it (accepted,
//! mitigated, false positive) with a reason, which writes `design.triage`.

import { useEffect, useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState, ElementKind } from "../state";
import type { BackendView } from "../backend";
import type { Finding, RuleDoc, Severity } from "../analysis";
import type { Design, TriageStatus } from "../generated/bulkhead";
import { setTriage } from "../actions/setTriage";
import { select } from "../actions/select";

const ORDER: Severity[] = ["critical", "high", "medium", "low", "info"];

/** Open findings first, by severity, then triaged ones. */
export function sortFindings(fs: Finding[], triaged: ReadonlyMap<string, unknown>): Finding[] {
  return [...fs].sort((a, b) => Number(triaged.has(a.key)) - Number(triaged.has(b.key)) || ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity) || a.key.localeCompare(b.key));
}

/** What kind of element a finding's subject id names (services first: the canvas can show them). */
export function subjectKind(design: Design, id: string): ElementKind | null {
  if ((design.services ?? []).some((s) => s.id === id)) return "service";
  if ((design.segments ?? []).some((s) => s.id === id)) return "segment";
  if ((design.flows ?? []).some((s) => s.id === id)) return "flow";
  if ((design.rules ?? []).some((s) => s.id === id)) return "rule";
  return null;
}

export function Findings({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const [open, setOpen] = useState<string | null>(null);
  const [showTriaged, setShowTriaged] = useState(true);
  if (!view.findings) return <div class="panel-empty">{view.error?.command === "findings" ? `Findings are not available: ${view.error.message}` : "Asking for findings…"}</div>;
  const triage = new Map((state.design.triage ?? []).map((t) => [t.finding, t]));
  const all = view.findings;
  const list = sortFindings(all, triage).filter((f) => showTriaged || !triage.has(f.key));
  const openCount = all.filter((f) => !triage.has(f.key)).length;
  const counts = ORDER.map((s) => [s, all.filter((f) => f.severity === s && !triage.has(f.key)).length] as const).filter(([, n]) => n > 0);
  const focus = (id: string) => {
    const kind = subjectKind(state.design, id);
    if (!kind) return;
    app.dispatch(select, { kind, ids: [id] });
    if (kind !== "rule") app.canvas?.focus(kind, id);
  };
  return (
    <div class="findings">
      <div class="row">
        <span data-testid="findings-count">{openCount} open</span>
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
          const doc = view.docs?.get(f.id);
          return (
            <li key={f.key} data-testid="finding" data-key={f.key} data-severity={f.severity} class={`finding${t ? " triaged" : ""}`}>
              <div
                class="finding-head"
                data-testid="finding-head"
                onClick={() => {
                  setOpen(expanded ? null : f.key);
                  const first = f.subjects[0];
                  if (first) focus(first);
                }}
              >
                <span class={`sev sev-${f.severity}`}>{f.severity}</span> <code>{f.id}</code> <b>{f.rule}</b>
                {t ? (
                  <span class="tag" data-testid="finding-triage-status">
                    {t.status.replace("_", " ")}
                  </span>
                ) : null}
                <div class="small">{f.message}</div>
              </div>
              {expanded ? <FindingDetail app={app} finding={f} doc={doc} current={t ?? null} focus={focus} /> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function FindingDetail({ app, finding: f, doc, current, focus }: { app: Controller; finding: Finding; doc: RuleDoc | undefined; current: { status: TriageStatus; reason: string } | null; focus: (id: string) => void }) {
  const [status, setStatus] = useState<TriageStatus | "">(current?.status ?? "");
  const [reason, setReason] = useState(current?.reason ?? "");
  // The design's triage changed under the form (undo, redo, another file): show it, not the old form.
  useEffect(() => {
    setStatus(current?.status ?? "");
    setReason(current?.reason ?? "");
  }, [current?.status, current?.reason]);
  const needsReason = status !== "" && reason.trim() === "";
  return (
    <div class="finding-detail" data-testid="finding-docs">
      {doc ? (
        <>
          <h4>What it checks</h4>
          <p>{doc.what}</p>
          <h4>Why it matters</h4>
          <p>{doc.why}</p>
          <h4>How to fix</h4>
          <p>{doc.fix}</p>
          {doc.example ? <pre class="code">{doc.example}</pre> : null}
        </>
      ) : (
        <p class="muted small">No documentation for rule {f.id} from the backend.</p>
      )}
      {f.path.length ? (
        <p class="small" data-testid="finding-path">
          Path: {f.path.join(" → ")}
        </p>
      ) : null}
      <div class="small muted">
        About:{" "}
        {f.subjects.map((id) => (
          <a
            key={id}
            href="#"
            data-testid="finding-focus"
            onClick={(ev) => {
              ev.preventDefault();
              focus(id);
            }}
          >
            {id}{" "}
          </a>
        ))}
        {f.pointer ? <code>{f.pointer}</code> : null}
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
