//! Drift: the design held against its traffic (`bulkhead check`): observed calls the design
//! denies, allowances nobody used, shadow services and endpoints, zombies and live-policy
//! differences. Click an item to focus it on the canvas; the overlay draws every observed call
//! by volume, allowed or denied by the current policy and by which rule. Follows every edit.

import { open as openDialog } from "@tauri-apps/plugin-dialog";
import { useEffect, useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { DriftReport } from "../analysis";
import type { AllowedBy } from "../generated/analysis";
import type { TrafficView } from "../traffic";
import { select } from "../actions/select";
import { adoptShadow } from "../actions/adoptShadow";
import { ghostId } from "../canvas/ghosts";
import { endpointId, segId, volume } from "../canvas/elements";
import { focusElements, trafficId } from "../canvas/traffic";
import { isAbsolutePath } from "./Import";

/** What clicking an item shows. */
export type FocusTarget =
  | { kind: "pair"; from: string; to: string; verdict: "allow" | "deny" | "unknown" }
  | { kind: "services"; ids: string[] }
  /** A shadow service: its ghost node (and the known peers it talked to). */
  | { kind: "shadow"; name: string; peers: string[] }
  /** A grant: select it (the Inspector shows rules) and flash the services of its unused pairs. */
  | { kind: "rule"; id: string; services: string[] }
  | { kind: "segment"; id: string; services: string[] };

export interface DriftItem {
  key: string;
  label: string;
  detail?: string;
  focus: FocusTarget | null;
  /** A shadow service the user may adopt into the design. */
  adopt?: { name: string; ports: number[] };
}

export type SectionKind = "violations" | "unused" | "shadow-services" | "shadow-endpoints" | "zombie-services" | "zombie-endpoints" | "live";

export interface DriftSection {
  kind: SectionKind;
  title: string;
  /** Whether a non-empty section is a problem (red) or a candidate (amber). */
  bad: boolean;
  items: DriftItem[];
}

/** How many items a section draws; the rest are counted. */
export const MAX_ITEMS = 300;

const port = (p?: number | null) => (p ? `:${p}` : "");
const l7 = (m?: string | null, p?: string | null) => (m || p ? ` ${m ?? "*"} ${p ?? ""}`.trimEnd() : "");
const grantLabel = (by: AllowedBy) => (by.by === "rule" ? `rule \`${by.rule}\`` : `intra-segment allow of \`${by.segment}\``);
const grantFocus = (by: AllowedBy, services: string[]): FocusTarget => (by.by === "rule" ? { kind: "rule", id: by.rule, services } : { kind: "segment", id: by.segment, services });

/** The check's results as the panel lists them, each item with what clicking it focuses. */
export function driftSections(r: DriftReport): DriftSection[] {
  const d = r.drift;
  const sections: DriftSection[] = [
    {
      kind: "violations",
      title: "Violations: observed calls the design denies",
      bad: true,
      items: d.violations.map((v) => ({
        key: `v:${v.from}>${v.to}${port(v.port)}${l7(v.method, v.path)}`,
        label: `${v.from} → ${v.to}${port(v.port)}${l7(v.method, v.path)} · ${volume(v.calls)} call${v.calls === 1 ? "" : "s"}`,
        detail: v.explanation,
        focus: { kind: "pair", from: v.from, to: v.to, verdict: "deny" },
      })),
    },
    {
      kind: "unused",
      title: "Unused allowances: candidates to tighten",
      bad: false,
      items: d.unused.map((u) => ({
        key: `u:${u.by.by}:${u.by.by === "rule" ? u.by.rule : u.by.segment}`,
        label: `${grantLabel(u.by)}: ${u.allowed - u.used} of ${u.allowed} allowed pair-port${u.allowed === 1 ? "" : "s"} unused${u.entirely_unused ? " (never used)" : ""}`,
        detail: u.entries
          .slice(0, 5)
          .map((e) => `${e.from} → ${e.to}${port(e.port)}${e.declared ? " (declared)" : ""}`)
          .join("; ") + (u.entries.length > 5 ? `; … ${u.allowed - u.used - 5} more` : ""),
        focus: grantFocus(u.by, [...new Set(u.entries.flatMap((e) => [e.from, e.to]))]),
      })),
    },
    {
      kind: "shadow-services",
      title: "Shadow services: seen in traffic, not in the inventory",
      bad: true,
      items: d.shadow_services.map((s) => ({
        key: `ss:${s.name}`,
        label: `${s.name} · in ${volume(s.calls_in)} / out ${volume(s.calls_out)} calls${s.ports.length ? ` · ports ${s.ports.join(", ")}` : ""}`,
        detail: s.peers.length ? `talks to ${s.peers.join(", ")}` : "no peer in the inventory",
        focus: { kind: "shadow", name: s.name, peers: s.peers },
        adopt: { name: s.name, ports: s.ports },
      })),
    },
    {
      kind: "shadow-endpoints",
      title: "Shadow endpoints: called, not declared",
      bad: false,
      items: d.shadow_endpoints.map((e) => ({
        key: `se:${e.service}:${e.method ?? "*"}:${e.path}`,
        label: `${e.service} ${e.method ?? "*"} ${e.path} · ${volume(e.calls)} calls`,
        detail: `from ${e.callers.join(", ")}`,
        focus: { kind: "services", ids: [e.service] },
      })),
    },
    {
      kind: "zombie-services",
      title: "Zombie services: in the inventory, never called",
      bad: false,
      items: d.zombie_services.map((z) => ({
        key: `zs:${z.service}`,
        label: z.service,
        detail: [z.calls_out ? `makes ${volume(z.calls_out)} calls itself` : "", z.declared_callers.length ? `declared callers: ${z.declared_callers.join(", ")}` : ""].filter(Boolean).join("; ") || undefined,
        focus: { kind: "services", ids: [z.service] },
      })),
    },
    {
      kind: "zombie-endpoints",
      title: "Zombie endpoints: declared, never called",
      bad: false,
      items: d.zombie_endpoints.map((z) => ({
        key: `ze:${z.service}:${z.method}:${z.path}`,
        label: `${z.service} ${z.method} ${z.path}`,
        focus: { kind: "services", ids: [z.service] },
      })),
    },
  ];
  if (d.live) {
    sections.push({
      kind: "live",
      title: `Live policies differ from the design (${d.live.source})`,
      bad: true,
      items: d.live.differences.map((x) => {
        const ports = x.ports.map((p) => `${p.port ?? "any port"}: design ${p.design ? "allows" : "denies"}, live ${p.live === "allowed" ? "allows" : p.live === "denied" ? "denies" : "allows for some pods"}`);
        const by = x.design.by.length ? ` (design: ${x.design.by.map(grantLabel).join(", ")})` : "";
        const why = x.live_why?.length ? ` · live: ${x.live_why.join("; ")}` : "";
        return {
          key: `l:${x.from}>${x.to}`,
          label: `${x.from} → ${x.to} · ${x.kind}`,
          detail: `${ports.join("; ") || `design ${x.design.allowed ? "allows" : "denies"}, live ${x.live.allowed ? "allows" : "denies"}`}${by}${x.live.connections ? ` · live allows ${x.live.connections}` : ""}${why}`,
          focus: { kind: "pair" as const, from: x.from, to: x.to, verdict: x.design.allowed ? ("allow" as const) : ("deny" as const) },
        };
      }),
    });
  }
  return sections;
}

/** The canvas ids to focus for a target (overlay edges where they exist, else the nodes). */
export function focusIds(t: FocusTarget): string[] {
  switch (t.kind) {
    case "pair":
      return [trafficId(t.from, t.to, t.verdict), endpointId(t.from), endpointId(t.to)];
    case "services":
      return t.ids.map(endpointId);
    case "shadow":
      return [ghostId(t.name)];
    case "segment":
      return [segId(t.id), ...t.services.map(endpointId)];
    case "rule":
      return t.services.map(endpointId);
  }
}

export function Drift({ app, state }: { app: Controller; state: AppState }) {
  const [v, setV] = useState<TrafficView>(app.traffic.view);
  useEffect(() => app.traffic.subscribe(setV), [app]);
  const [windowText, setWindowText] = useState(v.window);
  const [typed, setTyped] = useState("");
  const [typedError, setTypedError] = useState<string | null>(null);
  /** Adds the typed path as a traffic log or as live manifests (a file or a folder). */
  const addTyped = (as: "log" | "live") => {
    const p = typed.trim();
    if (!p) return;
    if (!isAbsolutePath(p)) return setTypedError(`\`${p}\` is not an absolute path: give the full path of ${as === "log" ? "a log file" : "a manifest file or folder"}`);
    setTypedError(null);
    setTyped("");
    if (as === "log" && !v.logs.includes(p)) app.traffic.setSources([...v.logs, p]);
    if (as === "live" && !v.live.includes(p)) app.traffic.setLive([...v.live, p]);
  };
  const pickLogs = async () => {
    const picked = await openDialog({ multiple: true, directory: false, title: "Traffic logs", filters: [{ name: "Traffic logs", extensions: ["log", "json", "csv", "txt", "gz"] }, { name: "All files", extensions: ["*"] }] });
    const paths = Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    if (paths.length) {
      app.traffic.setSources([...v.logs, ...paths.filter((p) => !v.logs.includes(p))]);
      if (!v.report) void app.traffic.check();
    }
  };
  const pickLive = async (directory: boolean) => {
    const picked = await openDialog(directory ? { directory: true, multiple: false, title: "Live manifests folder" } : { multiple: true, directory: false, title: "Live manifests", filters: [{ name: "Kubernetes manifests", extensions: ["yaml", "yml", "json"] }] });
    const paths = Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    if (paths.length) {
      app.traffic.setLive([...v.live, ...paths.filter((p) => !v.live.includes(p))]);
      if (!v.report) void app.traffic.check();
    }
  };
  const focus = (t: FocusTarget | null) => {
    if (!t) return;
    if (t.kind === "rule") app.dispatch(select, { kind: "rule", ids: [t.id] });
    if (t.kind === "segment") app.dispatch(select, { kind: "segment", ids: [t.id] });
    if (t.kind === "services") app.dispatch(select, { kind: "service", ids: t.ids.filter((id) => id !== "internet") });
    const cy = app.canvas?.cy;
    if (cy) focusElements(cy, focusIds(t).filter((id) => !cy.getElementById(id).empty()));
  };
  const adopt = (a: { name: string; ports: number[] }) => {
    const ghost = app.canvas?.cy.getElementById(ghostId(a.name));
    const position = ghost && !ghost.empty() ? { ...ghost.position() } : undefined;
    app.dispatch(adoptShadow, { name: a.name, ports: a.ports, position, logs: v.logs });
  };
  const r = v.report;
  const t = r?.drift.traffic;
  const sections = r ? driftSections(r) : [];
  const overlaid = r ? r.calls.filter((c) => c.decision).length : 0;
  return (
    <div class="drift">
      <h3>Drift against traffic</h3>
      <p class="muted small">Holds the design against observed calls and live policies, as <code>bulkhead check</code> does: the design's own observed flows, plus the logs you add (NGINX, ingress-nginx, Hubble JSON, Zeek conn.log, CSV), plus live Kubernetes manifests.</p>
      <div class="row">
        <button data-testid="drift-logs" disabled={v.checking} onClick={pickLogs}>
          Add logs…
        </button>
        <label class="small">
          window{" "}
          <input
            data-testid="drift-window"
            size={6}
            placeholder="all"
            title="only flows last seen within this long of the newest call: 30m, 12h, 7d"
            value={windowText}
            onInput={(e) => setWindowText((e.target as HTMLInputElement).value)}
            onChange={() => app.traffic.setSources(v.logs, windowText)}
          />
        </label>
        <button class="primary" data-testid="drift-run" disabled={v.checking} onClick={() => (app.traffic.setSources(v.logs, windowText), void app.traffic.check())}>
          {r ? "Check again" : "Run check"}
        </button>
        <label class="check">
          <input type="checkbox" data-testid="drift-overlay" checked={v.overlay} onChange={(e) => app.traffic.setOverlay((e.target as HTMLInputElement).checked)} /> traffic on the canvas
        </label>
      </div>
      {v.logs.length ? (
        <ul class="plain small" data-testid="drift-log-list">
          {v.logs.map((p) => (
            <li key={p} data-testid="drift-log">
              <code>{p}</code>{" "}
              <button class="link" data-testid="drift-log-remove" disabled={v.checking} onClick={() => app.traffic.setSources(v.logs.filter((x) => x !== p))}>
                remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="row small">
        <span>Live policies:</span>
        <button data-testid="drift-live" disabled={v.checking} onClick={() => pickLive(false)}>
          Manifests…
        </button>
        <button data-testid="drift-live-folder" disabled={v.checking} onClick={() => pickLive(true)}>
          Folder…
        </button>
        <span class="muted">NetworkPolicies with the workloads they select, compared pair by pair</span>
      </div>
      <div class="row small">
        <input data-testid="drift-path" placeholder="/absolute/path" title="the absolute path of a log file, or of live manifests (a file or a folder)" value={typed} onInput={(e) => setTyped((e.target as HTMLInputElement).value)} />
        <button data-testid="drift-path-log" disabled={v.checking || !typed.trim()} onClick={() => addTyped("log")}>
          Add as log
        </button>
        <button data-testid="drift-path-live" disabled={v.checking || !typed.trim()} onClick={() => addTyped("live")}>
          Add as live
        </button>
      </div>
      {typedError ? (
        <p class="error small" data-testid="drift-path-error">
          {typedError}
        </p>
      ) : null}
      {v.live.length ? (
        <ul class="plain small" data-testid="drift-live-list">
          {v.live.map((p) => (
            <li key={p} data-testid="drift-live-path">
              live: <code>{p}</code>{" "}
              <button class="link" data-testid="drift-live-remove" disabled={v.checking} onClick={() => app.traffic.setLive(v.live.filter((x) => x !== p))}>
                remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {v.checking ? <p class="muted" data-testid="drift-busy">Checking…</p> : null}
      {v.checkError ? (
        <p class="error pre-line" data-testid="drift-error" data-code={v.checkError.code}>
          {v.checkError.message}
        </p>
      ) : null}
      {r && t ? (
        <div data-testid="drift-report">
          <p class="small" data-testid="drift-summary">
            {volume(t.calls)} observed call{t.calls === 1 ? "" : "s"} in {t.flows} flow{t.flows === 1 ? "" : "s"}
            {t.first_seen && t.last_seen ? `, ${t.first_seen} .. ${t.last_seen}` : ""}
            {t.window ? ` (window ${t.window})` : ""}
            {t.lines || t.unparsed_lines ? ` · ${t.lines} log line${t.lines === 1 ? "" : "s"} read, ${t.skipped_lines} skipped, ${t.unparsed_lines} unparsed` : ""}
            {v.overlay ? ` · ${overlaid} decided call${overlaid === 1 ? "" : "s"} drawn` : ""}
          </p>
          {t.unparsed_examples.length ? (
            <ul class="inline-diagnostics" data-testid="drift-unparsed">
              {t.unparsed_examples.slice(0, 20).map((e, i) => (
                <li key={i} class="diag">
                  {e}
                </li>
              ))}
            </ul>
          ) : null}
          {r.calls_left_out ? <p class="muted small">The overlay shows the {r.calls.length} busiest calls; {r.calls_left_out} smaller ones are left out.</p> : null}
          {sections.map((s) => (
            <section key={s.kind} class="drift-section" data-testid="drift-section" data-kind={s.kind} data-count={s.items.length}>
              <h4 class={s.items.length && s.bad ? "error" : ""}>
                {s.title} ({s.items.length})
              </h4>
              <ul class="plain small">
                {s.items.slice(0, MAX_ITEMS).map((i) => (
                  <li key={i.key} data-testid="drift-item" data-kind={s.kind} data-key={i.key} data-name={i.adopt?.name} class={i.focus ? "clickable drift-item" : "drift-item"} title={i.focus ? "show on the canvas" : undefined} onClick={() => focus(i.focus)}>
                    <span>{i.label}</span>
                    {i.adopt ? (
                      <button
                        class="link"
                        data-testid="drift-adopt"
                        title="add it to the design as a service (undo with Ctrl+Z)"
                        onClick={(e) => {
                          e.stopPropagation();
                          adopt(i.adopt!);
                        }}
                      >
                        adopt
                      </button>
                    ) : null}
                    {i.detail ? <div class="muted">{i.detail}</div> : null}
                  </li>
                ))}
                {s.items.length > MAX_ITEMS ? <li class="muted">… and {s.items.length - MAX_ITEMS} more</li> : null}
              </ul>
            </section>
          ))}
          {r.drift.notes.map((n, i) => (
            <p key={i} class="muted small">
              note: {n}
            </p>
          ))}
        </div>
      ) : !v.checking && !v.checkError ? (
        <p class="muted small">
          {(state.design.flows ?? []).some((f) => f.kind === "observed") ? "Run the check to compare the design's observed flows with its policy, or add logs first." : "This design has no observed flows yet: add traffic logs, then run the check."}
        </p>
      ) : null}
    </div>
  );
}
