//! Least privilege: the rules that allow exactly what the evidence (the design's declared and
//! observed flows, plus the traffic logs chosen in the Drift tab) needs, as a diff to review
//! (`bulkhead propose`). Accept all, or tick some; either way it is one undoable edit. The
//! backend recomputes the proposal when applying, so nothing broader than the evidence lands.

import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { useEffect, useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { Proposal, ProposalChange } from "../analysis";
import type { Peer, Rule } from "../generated/bulkhead";
import type { TrafficView } from "../traffic";
import { call, type CommandError } from "../ipc";
import { applyProposal } from "../actions/applyProposal";

export function peerLabel(p: Peer): string {
  if (typeof p === "string") return p;
  return "segment" in p ? `segment ${p.segment}` : p.service;
}

/** One rule on one line: `id: from → to · ports · methods · paths · auth · rate · expiry`. */
export function ruleLine(r: Rule): string {
  const parts = [`${r.action === "deny" ? "deny " : ""}${r.id}: ${peerLabel(r.from)} → ${peerLabel(r.to)}`];
  parts.push(r.ports?.length ? `ports ${r.ports.join(", ")}` : "any port");
  if (r.methods?.length) parts.push(r.methods.join(", "));
  if (r.paths?.length) parts.push(r.paths.join(", "));
  if (r.auth && r.auth.type !== "none") parts.push(`auth ${r.auth.type === "api_key" ? `api key ${r.auth.key}` : r.auth.type === "jwt" ? `jwt ${r.auth.issuer}` : "mtls"}`);
  if (r.rate_limit) parts.push(`${r.rate_limit.requests}/${r.rate_limit.per ?? "second"}`);
  if (r.expires) parts.push(`expires ${r.expires}`);
  return parts.join(" · ");
}

export interface DiffLine {
  sign: "+" | "-" | "~";
  text: string;
}

/** A change as diff lines: what goes (`-`), what comes (`+`), what is switched (`~`). */
export function diffLines(c: ProposalChange): DiffLine[] {
  const k = c.change;
  switch (k.kind) {
    case "add_rule":
      return [{ sign: "+", text: ruleLine(k.rule) }];
    case "remove_rule":
      return [{ sign: "-", text: ruleLine(k.before) }];
    case "narrow_rule":
      return [{ sign: "-", text: ruleLine(k.before) }, ...k.after.map((r): DiffLine => ({ sign: "+", text: ruleLine(r) }))];
    case "close_intra_segment":
      return [
        { sign: "~", text: `segment ${k.segment}: intra-segment allow → deny (${k.evidenced_pairs} of ${k.member_pairs} member pairs evidenced)` },
        ...k.replacement.map((r): DiffLine => ({ sign: "+", text: ruleLine(r) })),
      ];
  }
}

export const CHANGE_KIND_LABEL: Record<ProposalChange["change"]["kind"], string> = {
  add_rule: "add",
  narrow_rule: "narrow",
  remove_rule: "remove",
  close_intra_segment: "close",
};

/** Change ids to send: the ticked ones, in the proposal's order, only ids it has. */
export function acceptedIds(p: Proposal, ticked: ReadonlySet<string>): string[] {
  return p.changes.map((c) => c.id).filter((id) => ticked.has(id));
}

export function Propose({ app, state }: { app: Controller; state: AppState }) {
  const [v, setV] = useState<TrafficView>(app.traffic.view);
  useEffect(() => app.traffic.subscribe(setV), [app]);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [applied, setApplied] = useState<string | null>(null);
  const p = v.proposal;
  // A new proposal (after an edit) keeps the ticks that still name a change.
  useEffect(() => {
    if (!p) return;
    setTicked((t) => new Set(p.changes.map((c) => c.id).filter((id) => t.has(id))));
  }, [p]);
  const addLogs = async () => {
    const picked = await openDialog({ multiple: true, directory: false, title: "Traffic logs", filters: [{ name: "Traffic logs", extensions: ["log", "json", "csv", "txt"] }, { name: "All files", extensions: ["*"] }] });
    const paths = Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    if (paths.length) app.traffic.setSources([...v.logs, ...paths.filter((x) => !v.logs.includes(x))]);
    if (paths.length && !p) void app.traffic.propose();
  };
  const accept = async (ids: string[]) => {
    if (!ids.length) return;
    setBusy(true);
    setError(null);
    try {
      const design = await app.held.ask(state.design, (revision) => call("propose_apply", { revision, traffic: v.logs, accept: ids }));
      app.dispatch(applyProposal, { design });
      setApplied(`Applied ${ids.length} change${ids.length === 1 ? "" : "s"} as one edit. Undo with Ctrl+Z.`);
      setTicked(new Set());
      void app.traffic.propose();
    } catch (e) {
      setError(e as CommandError);
    } finally {
      setBusy(false);
    }
  };
  const chosen = p ? acceptedIds(p, ticked) : [];
  return (
    <div class="propose">
      <h3>Least-privilege proposal</h3>
      <p class="muted small">The minimal rules that allow exactly what the evidence needs (declared and observed flows, plus traffic logs): never broader than the evidence. Review the diff; accept all of it or the changes you tick.</p>
      <div class="row">
        <button class="primary" data-testid="propose-run" disabled={v.proposing || busy} onClick={() => (setApplied(null), void app.traffic.propose())}>
          {p ? "Propose again" : "Propose"}
        </button>
        <button data-testid="propose-logs" disabled={v.proposing || busy} onClick={addLogs}>
          Add logs…
        </button>
        <span class="muted small" data-testid="propose-log-count">
          {v.logs.length ? `${v.logs.length} log file${v.logs.length === 1 ? "" : "s"} (shared with the Drift tab)` : "no logs: the design's flows only"}
        </span>
      </div>
      {v.proposing ? <p class="muted">Proposing…</p> : null}
      {v.proposalError ? (
        <p class="error" data-testid="propose-error" data-code={v.proposalError.code}>
          {v.proposalError.message}
        </p>
      ) : null}
      {error ? (
        <p class="error" data-testid="propose-error" data-code={error.code}>
          {error.message}
        </p>
      ) : null}
      {applied ? (
        <p class="good" data-testid="propose-applied">
          {applied}
        </p>
      ) : null}
      {p ? (
        <div data-testid="propose-result">
          <p class="small" data-testid="propose-evidence">
            Evidence: {p.evidence.declared} declared flow{p.evidence.declared === 1 ? "" : "s"}, {p.evidence.observed} observed flow{p.evidence.observed === 1 ? "" : "s"} ({p.evidence.calls} call{p.evidence.calls === 1 ? "" : "s"}).
          </p>
          {p.changes.length === 0 ? (
            <p class="good" data-testid="propose-nothing">
              Nothing to change: every allow rule is exactly its evidence.
            </p>
          ) : (
            <>
              <div class="row">
                <button class="primary" data-testid="propose-accept-all" disabled={busy} onClick={() => accept(p.changes.map((c) => c.id))}>
                  Accept all {p.changes.length}
                </button>
                <button data-testid="propose-accept" disabled={busy || chosen.length === 0} onClick={() => accept(chosen)}>
                  Accept {chosen.length} ticked
                </button>
                <button class="link" data-testid="propose-tick-all" onClick={() => setTicked(new Set(p.changes.map((c) => c.id)))}>
                  tick all
                </button>
                <button class="link" data-testid="propose-tick-none" onClick={() => setTicked(new Set())}>
                  none
                </button>
              </div>
              <ul class="plain proposal-changes">
                {p.changes.map((c) => (
                  <li key={c.id} data-testid="propose-change" data-id={c.id} data-kind={c.change.kind} class="proposal-change">
                    <label class="check">
                      <input
                        type="checkbox"
                        data-testid="propose-change-tick"
                        checked={ticked.has(c.id)}
                        onChange={(e) => {
                          const next = new Set(ticked);
                          if ((e.target as HTMLInputElement).checked) next.add(c.id);
                          else next.delete(c.id);
                          setTicked(next);
                        }}
                      />
                      <span class="tag">{CHANGE_KIND_LABEL[c.change.kind]}</span> <code>{c.id}</code>
                    </label>
                    <div class="small">{c.summary}</div>
                    <pre class="diff small" data-testid="propose-diff">
                      {diffLines(c).map((l, i) => (
                        <div key={i} class={l.sign === "+" ? "diff-add" : l.sign === "-" ? "diff-del" : "diff-mod"}>
                          {l.sign} {l.text}
                        </div>
                      ))}
                    </pre>
                    {c.evidence.length ? (
                      <div class="muted small">
                        evidence: {c.evidence.slice(0, 6).join(", ")}
                        {c.evidence.length > 6 ? ` and ${c.evidence.length - 6} more` : ""}
                      </div>
                    ) : null}
                  </li>
                ))}
              </ul>
            </>
          )}
          {p.unchanged.length ? (
            <p class="muted small" data-testid="propose-unchanged">
              Already least-privilege: {p.unchanged.join(", ")}
            </p>
          ) : null}
          {p.blocked.length ? (
            <>
              <h4>Blocked evidence</h4>
              <p class="muted small">The proposal never overrides a deny rule, changes exposure or invents services:</p>
              <ul class="plain small" data-testid="propose-blocked">
                {p.blocked.map((b) => (
                  <li key={b.flow}>
                    <code>{b.flow}</code> {b.from} → {b.to}
                    {b.port ? `:${b.port}` : ""}: {b.reason.reason === "deny_rule" ? `deny rule \`${b.reason.rule}\`` : b.reason.reason === "unknown_service" ? `\`${b.reason.service}\` is not in the inventory` : "the target is not internet-facing"}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {p.notes.map((n, i) => (
            <p key={i} class="muted small">
              note: {n}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}
