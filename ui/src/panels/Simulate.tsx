//! Simulate a breach: pick the origin and the assumption; the canvas lights up hop by hop; this
//! panel lists the attack paths (crown jewels first, each hop explained), the blast radius
//! against a flat network and the choke points. Clicking a path highlights it on the canvas.
//! Every edit re-runs the simulation (debounced) while it is on.

import { useMemo, useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { Assumption, Hop, Simulation } from "../analysis";
import type { Credential } from "../generated/bulkhead";
import { displayName } from "../model/design";
import { setSimulation } from "../actions/setSimulation";
import { select } from "../actions/select";
import { attackPaths } from "../canvas/simulation";
import { explainDecision } from "./explain";

export function credentialText(c: Credential): string {
  return c.type === "api_key" ? `API key \`${c.key}\`` : `JWT from ${c.issuer}${c.scopes?.length ? ` [${c.scopes.join(", ")}]` : ""}`;
}

/** One hop in words: why the call is open, with which stolen credentials, and what fell. */
export function hopText(h: Hop): string {
  const parts = [explainDecision(h.decision)];
  if (h.stolen.length) parts.push(`using stolen ${h.stolen.map(credentialText).join(", ")}`);
  parts.push(h.exploited ? "taken over" : "called, not taken over");
  return parts.join("; ");
}

export function reduction(sim: Simulation): string {
  const flat = sim.flat.blast_radius;
  if (flat.score === 0) return "no reach on a flat network either";
  return `${Math.round(sim.flat.reduction_pct)}% less than on a flat network (${flat.services} services, score ${flat.score})`;
}

/** How many attack paths the panel renders at first and adds per "show more": on a 2,000-service
 *  design the full list (thousands of rows) took most of the second between a simulation click
 *  and the frame that draws its highlight, because it renders in the same task. */
export const PATH_PAGE = 50;

/** The paths to render: the first `shown` (crown jewels come first), plus the highlighted path
 *  wherever it is, so a path highlighted from elsewhere is never hidden. `hidden` is exact. */
export function pathWindow<T extends { target: string }>(paths: T[], shown: number, highlighted: string | null): { visible: T[]; hidden: number } {
  const visible = [...firstOf(paths, shown).visible];
  if (highlighted !== null && !visible.some((p) => p.target === highlighted)) {
    const h = paths.find((p) => p.target === highlighted);
    if (h) visible.push(h);
  }
  return { visible, hidden: paths.length - visible.length };
}

/** How many stolen credentials the panel lists at first: the internet's breach of a 2,000-service
 *  estate steals hundreds, which pushed the attack paths and choke points far down the panel. */
export const STOLEN_PAGE = 20;

/** The first `shown` of `items`, and how many are left out. */
export function firstOf<T>(items: readonly T[], shown: number): { visible: readonly T[]; hidden: number } {
  const visible = items.slice(0, Math.max(0, shown));
  return { visible, hidden: items.length - visible.length };
}

/** How many rows of a list to show of `sim`: what the user asked for on this run, else the first
 *  `page` (the attack paths' by default). */
export function shownFor<S>(paging: { sim: S; shown: number }, sim: S, page = PATH_PAGE): number {
  return paging.sim === sim ? paging.shown : page;
}

export function Simulate({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const s = state.simulation;
  const sim = s.active ? view.simulation : null;
  const services = state.design.services ?? [];
  const byId = useMemo(() => new Map(services.map((x) => [x.id, x])), [services]);
  const name = (id: string) => (id === "internet" ? "Internet" : displayName(byId.get(id) ?? { id }));
  const paths = useMemo(() => (sim ? attackPaths(sim) : []), [sim]);
  // How many paths are shown belongs to one run: a new run starts again at the first page.
  const [paging, setPaging] = useState<{ sim: Simulation | null; shown: number }>({ sim, shown: PATH_PAGE });
  const shown = shownFor(paging, sim);
  const setShown = (n: number) => setPaging({ sim, shown: n });
  const { visible, hidden } = pathWindow(paths, shown, s.highlightedPath);
  // The stolen credentials likewise: the first page of each run, all of them on request.
  const [stolenPaging, setStolenPaging] = useState<{ sim: Simulation | null; shown: number }>({ sim, shown: STOLEN_PAGE });
  const stolen = firstOf(sim?.stolen_credentials ?? [], shownFor(stolenPaging, sim, STOLEN_PAGE));
  // The same elements while the services are the same: Preact then skips them, and a click
  // (which renders this panel while the shell simulates) does not diff 2,000 options again.
  const originOptions = useMemo(
    () =>
      services.map((x) => (
        <option key={x.id} value={x.id}>
          {displayName(x)} (breached)
        </option>
      )),
    [services],
  );
  return (
    <div class="simulate">
      <div class="row">
        <label class="field">
          <span class="field-label">Attacker starts at</span>
          <select data-testid="sim-origin" value={s.origin} onChange={(e) => app.runSimulation({ origin: (e.target as HTMLSelectElement).value })}>
            <option value="internet">the internet</option>
            {originOptions}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Assumption</span>
          <select data-testid="sim-assume" value={s.assumption} onChange={(e) => app.runSimulation({ assumption: (e.target as HTMLSelectElement).value as Assumption })}>
            <option value="worst">worst case (every reachable service falls)</option>
            <option value="known">known weaknesses only</option>
            <option value="probabilistic">probabilistic (most likely path)</option>
          </select>
        </label>
      </div>
      <div class="row">
        <button class="primary" data-testid="sim-run" onClick={() => app.runSimulation({})}>
          {s.active ? "Run again" : "Simulate breach"}
        </button>
        {s.active ? (
          <button data-testid="sim-stop" onClick={() => app.dispatch(setSimulation, { active: false })}>
            Clear
          </button>
        ) : null}
        <label class="check">
          <input type="checkbox" data-testid="sim-animate" checked={s.animate} onChange={(e) => app.dispatch(setSimulation, { animate: (e.target as HTMLInputElement).checked })} /> animate hops
        </label>
      </div>
      {s.active && !sim ? <p class="muted">{view.simulating ? "Simulating…" : view.error?.command === "simulate" ? `Simulation failed: ${view.error.message}` : "No result."}</p> : null}
      {sim ? (
        <div class="sim-results" data-testid="sim-results">
          {sim.notes.map((n, i) => (
            <p key={i} class="muted small">
              {n}
            </p>
          ))}
          <div class="stats">
            <div class="stat">
              <div class="stat-value" data-testid="sim-compromised-count">
                {sim.compromised.length}
              </div>
              <div class="stat-label">compromised</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-reached-count">
                {sim.blast_radius.services}
              </div>
              <div class="stat-label">reached</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-blast">
                {sim.blast_radius.score}
              </div>
              <div class="stat-label">blast score</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-flat-blast">
                {sim.flat.blast_radius.score}
              </div>
              <div class="stat-label">flat network</div>
            </div>
          </div>
          <p class="small" data-testid="sim-reduction">
            Segmentation: {reduction(sim)}.
          </p>
          <h3>Exposed data</h3>
          <div class="chips" data-testid="sim-exposed">
            {sim.exposed_data.length === 0 ? <span class="muted">none</span> : null}
            {sim.exposed_data.map((x) => (
              <span key={x.data_class} class={`chip sens-${x.sensitivity}`} title={`at ${x.at.join(", ")}`}>
                {x.crown_jewel ? "★ " : ""}
                {x.data_class}
              </span>
            ))}
          </div>
          {sim.stolen_credentials.length ? (
            <>
              <h3>
                Stolen credentials <span class="muted small" data-testid="sim-stolen-count">({sim.stolen_credentials.length})</span>
              </h3>
              <ul class="plain small" data-testid="sim-stolen">
                {stolen.visible.map((c, i) => (
                  <li key={i}>
                    {credentialText(c.credential)} from {name(c.from)}
                  </li>
                ))}
              </ul>
              {stolen.hidden > 0 ? (
                <div class="row">
                  <span class="muted small" data-testid="sim-stolen-hidden">
                    {stolen.hidden} more not shown.
                  </span>
                  <button data-testid="sim-stolen-all" onClick={() => setStolenPaging({ sim, shown: sim.stolen_credentials.length })}>
                    Show all {sim.stolen_credentials.length}
                  </button>
                </div>
              ) : null}
            </>
          ) : null}
          <h3>
            Attack paths <span class="muted small" data-testid="sim-path-count">({paths.length})</span>
          </h3>
          {paths.length === 0 ? <p class="muted">No path: the attacker stays where they started.</p> : null}
          <ol class="paths">
            {visible.map((p) => {
              const active = s.highlightedPath === p.target;
              return (
                <li
                  key={p.target}
                  data-testid="sim-path"
                  data-target={p.target}
                  data-crown-jewel={p.crownJewel ? "true" : "false"}
                  class={`path${active ? " active" : ""}${p.crownJewel ? " crown" : ""}`}
                  onClick={() => app.dispatch(setSimulation, { highlightedPath: active ? null : p.target })}
                >
                  <div class="path-title">
                    {p.crownJewel ? "★ " : ""}
                    {name(p.target)}{" "}
                    <span class="muted">
                      · {p.hops.length} hop{p.hops.length === 1 ? "" : "s"}
                      {p.reached.compromised ? " · taken" : " · called"}
                      {p.probability !== null ? ` · p=${p.probability.toFixed(2)}` : ""}
                      {p.reached.exposed.length ? ` · ${p.reached.exposed.join(", ")}` : ""}
                    </span>
                  </div>
                  {active ? (
                    <ol class="hops">
                      {p.hops.map((h, i) => (
                        <li key={i} data-testid="sim-path-hop">
                          <b>{name(h.from)}</b> → <b>{name(h.to)}</b> {h.exploited ? <span class="tag danger">taken</span> : <span class="tag">called</span>}
                          <div class="muted small">{hopText(h)}</div>
                        </li>
                      ))}
                    </ol>
                  ) : null}
                </li>
              );
            })}
          </ol>
          {hidden > 0 ? (
            <div class="row">
              <span class="muted small" data-testid="sim-path-hidden">
                {hidden} more path{hidden === 1 ? "" : "s"} not shown.
              </span>
              <button data-testid="sim-path-more" onClick={() => setShown(shown + PATH_PAGE)}>
                Show {Math.min(PATH_PAGE, hidden)} more
              </button>
              <button data-testid="sim-path-all" onClick={() => setShown(paths.length)}>
                Show all {paths.length}
              </button>
            </div>
          ) : null}
          <h3>Choke points</h3>
          {sim.choke_points.cut.length === 0 ? <p class="muted">None: no crown jewel is reached.</p> : <p class="small muted">Removing these {sim.choke_points.cut.length} allowed call{sim.choke_points.cut.length === 1 ? "" : "s"} cuts the attacker off from every crown jewel{sim.choke_points.verified ? " (verified by re-running)" : ""}.</p>}
          <ul class="plain" data-testid="sim-choke">
            {sim.choke_points.cut.map((c, i) => (
              <li key={i}>
                {name(c.from)} → {name(c.to)}{" "}
                <span class="muted small">
                  via{" "}
                  {c.by.map((b, j) => (
                    <a
                      key={j}
                      href="#"
                      onClick={(e) => {
                        e.preventDefault();
                        if (b.by === "rule") app.dispatch(select, { kind: "rule", ids: [b.rule] });
                        else app.dispatch(select, { kind: "segment", ids: [b.segment] });
                        app.run("panelInspector");
                      }}
                    >
                      {b.by === "rule" ? `rule ${b.rule}` : `intra-segment ${b.segment}`}{" "}
                    </a>
                  ))}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
