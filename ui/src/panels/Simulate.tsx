//! Simulate a breach: pick the origin and the assumption; the canvas lights up hop by hop; this
//! panel lists the attack paths to each crown jewel (each hop explained), the blast radius
//! against a flat network and the choke points. Clicking a path highlights it on the canvas.

import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { Assumption, AttackPath, Origin, Simulation } from "../analysis";
import { displayName } from "../model/design";
import { setSimulation } from "../actions/setSimulation";
import { select } from "../actions/select";

export function originKey(o: Origin): string {
  return o === "internet" ? "internet" : `service:${o.service}`;
}

export function parseOrigin(key: string): Origin {
  return key.startsWith("service:") ? { service: key.slice("service:".length) } : "internet";
}

/** Crown-jewel paths first, then by length, so the worst story is on top. */
export function sortedPaths(sim: Simulation): { path: AttackPath; index: number }[] {
  return sim.paths.map((path, index) => ({ path, index })).sort((a, b) => Number(b.path.crown_jewel) - Number(a.path.crown_jewel) || a.path.hops.length - b.path.hops.length || a.path.target.localeCompare(b.path.target));
}

export function reduction(sim: Simulation): string {
  const flat = sim.flat_blast_radius.count;
  if (flat === 0) return "no reach on a flat network either";
  const pct = Math.round((1 - sim.blast_radius.count / flat) * 100);
  return pct >= 0 ? `${pct}% smaller than on a flat network` : `${-pct}% larger than on a flat network`;
}

export function Simulate({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const s = state.simulation;
  const sim = s.active ? view.simulation : null;
  const services = state.design.services ?? [];
  const name = (id: string) => (id === "internet" ? "Internet" : displayName(services.find((x) => x.id === id) ?? { id }));
  return (
    <div class="simulate">
      <div class="row">
        <label class="field">
          <span class="field-label">Attacker starts at</span>
          <select data-testid="sim-origin" value={originKey(s.origin)} onChange={(e) => app.runSimulation({ origin: parseOrigin((e.target as HTMLSelectElement).value) })}>
            <option value="internet">the internet</option>
            {services.map((x) => (
              <option key={x.id} value={`service:${x.id}`}>
                {displayName(x)} (breached)
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Assumption</span>
          <select data-testid="sim-assumption" value={s.assumption} onChange={(e) => app.runSimulation({ assumption: (e.target as HTMLSelectElement).value as Assumption })}>
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
      {s.active && !sim ? <p class="muted">{view.simulating ? "Simulating…" : "No result."}</p> : null}
      {sim ? (
        <div class="sim-results" data-testid="sim-results">
          <div class="stats">
            <div class="stat">
              <div class="stat-value" data-testid="sim-compromised-count">
                {sim.compromised.length}
              </div>
              <div class="stat-label">compromised</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-reached-count">
                {sim.reached.length}
              </div>
              <div class="stat-label">reached, not taken</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-blast">
                {sim.blast_radius.score}
              </div>
              <div class="stat-label">blast score</div>
            </div>
            <div class="stat">
              <div class="stat-value" data-testid="sim-flat-blast">
                {sim.flat_blast_radius.count}
              </div>
              <div class="stat-label">flat network</div>
            </div>
          </div>
          <p class="small" data-testid="sim-reduction">
            Segmentation: {sim.blast_radius.count} services ({reduction(sim)}; flat score {sim.flat_blast_radius.score}).
          </p>
          <h3>Exposed data</h3>
          <div class="chips" data-testid="sim-exposed">
            {sim.exposed_data.length === 0 ? <span class="muted">none</span> : null}
            {sim.exposed_data.map((x) => (
              <span key={x.data_class} class={`chip sens-${x.sensitivity}`}>
                {x.crown_jewel ? "★ " : ""}
                {x.data_class}
              </span>
            ))}
          </div>
          <h3>Attack paths</h3>
          {sim.paths.length === 0 ? <p class="muted">No path: the attacker stays where they started.</p> : null}
          <ol class="paths">
            {sortedPaths(sim).map(({ path, index }) => (
              <li
                key={index}
                data-testid="sim-path"
                data-target={path.target}
                class={`path${s.highlightedPath === index ? " active" : ""}${path.crown_jewel ? " crown" : ""}`}
                onClick={() => app.dispatch(setSimulation, { highlightedPath: s.highlightedPath === index ? null : index })}
              >
                <div class="path-title">
                  {path.crown_jewel ? "★ " : ""}
                  {name(path.target)} <span class="muted">· {path.hops.length} hops{path.probability != null ? ` · p=${path.probability.toFixed(2)}` : ""}</span>
                </div>
                {s.highlightedPath === index ? (
                  <ol class="hops">
                    {path.hops.map((h, i) => (
                      <li key={i} data-testid="sim-path-hop">
                        <b>{name(h.from)}</b> → <b>{name(h.to)}</b> {h.compromised ? <span class="tag danger">taken</span> : <span class="tag">called</span>}
                        <div class="muted small">{h.explanation}</div>
                        {h.data.length ? <div class="small">exposes {h.data.join(", ")}</div> : null}
                      </li>
                    ))}
                  </ol>
                ) : null}
              </li>
            ))}
          </ol>
          <h3>Choke points</h3>
          {sim.choke_points.length === 0 ? <p class="muted">None: no crown jewel is reached.</p> : null}
          <ul class="plain" data-testid="sim-choke">
            {sim.choke_points.map((c, i) => (
              <li key={i}>
                <a
                  href="#"
                  onClick={(e) => {
                    e.preventDefault();
                    if (c.by.by === "rule") app.dispatch(select, { kind: "rule", ids: [c.by.rule] });
                    else app.dispatch(select, { kind: "segment", ids: [c.by.segment] });
                    app.run("panelInspector");
                  }}
                >
                  {name(c.from)} → {name(c.to)}
                </a>{" "}
                <span class="muted small">
                  via {c.by.by === "rule" ? `rule ${c.by.rule}` : `intra-segment ${c.by.segment}`}; cuts {c.cuts} path{c.cuts === 1 ? "" : "s"}
                </span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
