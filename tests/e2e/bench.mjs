// Benchmark of the real app on generated designs of different sizes (run through
// scripts/bench-app.sh, which passes a small baseline design and the big one, so both are
// measured in the same run on the same machine):
//   - time to the first complete render (the UI's `bulkhead:first-render` mark, measured from
//     the page's time origin, i.e. from when the webview began loading the UI: the frame after
//     the one showing every service, segment and flow, each flow styled by the evaluator's
//     verdict; `bulkhead:graph-drawn`, the frame after the graph was first drawn (the same
//     frame when the verdicts came in time, else with its flows grey), is printed too; so is
//     the wall time from asking tauri-driver for a
//     session to the app reporting ready, and the same mark from the session request by the
//     page's clock (`performance.timeOrigin`), split at the page's start);
//   - time from a simulation click to the highlight (`bulkhead:sim-click` → `bulkhead:sim-highlight`),
//     and to the Simulate panel's last change after it (it shows the run's whole answer);
//   - zoom, pan, select (until the inspector shows the service) and filter (until the canvas
//     fades the rest), each until the frame that shows the result (tests/e2e/measure.mjs);
//   - with the internet's breach shown, an edit → the re-run simulation's highlight: a rule
//     toggled in the segment matrix, then undone, alternately (`bulkhead:sim-highlight` after
//     the click; the edit is asked about after the backend's debounce, `DEBOUNCE_MS`).
//
//   node bench.mjs SMALL.bulkhead.json BIG.bulkhead.json
//   BENCH_INTERACTIONS=0: the first complete render only; =edits: the render and the edits only

import { close, launch, ready, shown, tid, until } from "./harness.mjs";
import { measureInPage, median } from "./measure.mjs";

const designs = process.argv.slice(2);
const launches = Number(process.env.BENCH_LAUNCHES ?? 2);
const samples = Number(process.env.BENCH_SAMPLES ?? 8);
if (designs.length === 0) {
  console.error("usage: node bench.mjs DESIGN.bulkhead.json...");
  process.exit(2);
}
const ms = (x) => `${Math.round(x)} ms`;

/** Time from the last `mark` to the `bulkhead:sim-highlight` mark after it, once there is one. */
function highlightAfter(browser, mark) {
  return until(
    browser,
    `the sim-highlight mark after ${mark}`,
    () =>
      browser.execute((name) => {
        const a = performance.getEntriesByName(name).at(-1);
        const b = performance.getEntriesByName("bulkhead:sim-highlight").at(-1);
        return a && b && b.startTime >= a.startTime ? b.startTime - a.startTime : null;
      }, mark),
    120_000,
  );
}

async function simulationClicks(browser, clicks) {
  await (await shown(browser, tid("tab-simulate"))).click();
  const origins = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="sim-origin"] option')].map((o) => o.value),
  );
  // The internet, then services spread over the estate.
  const step = Math.max(1, Math.floor(origins.length / clicks));
  const picks = ["internet", ...origins.filter((o, k) => o !== "internet" && k % step === 0)].slice(0, clicks);
  const out = [];
  const panelTimes = [];
  for (const origin of picks) {
    // Picking an origin runs the simulation (that is the click); the first pick, the origin
    // already selected, is a click on Run.
    await browser.execute(() => performance.clearMarks());
    // When the Simulate panel last changed (its DOM, as Preact commits it): after the click it
    // shows the run's whole answer last.
    await browser.execute(() => {
      window.__benchPanel?.disconnect();
      window.__benchPanelAt = null;
      window.__benchPanel = new MutationObserver(() => (window.__benchPanelAt = performance.now()));
      window.__benchPanel.observe(document.querySelector('[data-testid="panel-simulate"]'), { subtree: true, childList: true, characterData: true, attributes: true });
    });
    const select = await shown(browser, tid("sim-origin"));
    if ((await select.getValue()) === origin) await (await shown(browser, tid("sim-run"))).click();
    else await select.selectByAttribute("value", origin);
    const d = await highlightAfter(browser, "bulkhead:sim-click");
    out.push(d);
    await until(browser, "the simulation to settle", () => browser.execute(() => !window.__bulkhead.app.backend.view.simulating), 120_000);
    // The panel's last change: once it has been still for a while after the answer settled.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const panel = await browser.execute(() => {
      window.__benchPanel.disconnect();
      const click = performance.getEntriesByName("bulkhead:sim-click").at(-1).startTime;
      return window.__benchPanelAt === null ? null : window.__benchPanelAt - click;
    });
    if (panel !== null) panelTimes.push(panel);
    if (process.env.BENCH_PHASES === "1") {
      const phases = await browser.execute(() => performance.getEntriesByType("measure").filter((m) => m.startTime >= performance.getEntriesByName("bulkhead:sim-click").at(-1).startTime && (m.name.startsWith("bulkhead:ipc:simulate") || m.name.startsWith("bulkhead:sim:"))).map((m) => `${m.name.slice(9)} ${Math.round(m.duration)} ms`));
      console.log(`  simulation from ${origin}: click → highlight ${ms(d)}, → panel updated ${panel === null ? "—" : ms(panel)} (${phases.join(", ")})`);
    }
  }
  await (await shown(browser, tid("tab-inspector"))).click();
  return { highlight: out, panel: panelTimes };
}

/**
 * Edits with the internet's breach shown, each until the frame that shows the simulation run
 * again on the edited design: a matrix cell between two segments allowed, then undone.
 */
async function editsToHighlight(browser, edits) {
  await (await shown(browser, tid("tab-simulate"))).click();
  const select = await shown(browser, tid("sim-origin"));
  if ((await select.getValue()) !== "internet") await select.selectByAttribute("value", "internet");
  // No simulation clicked before (BENCH_INTERACTIONS=edits): run the internet's.
  if (!(await browser.execute(() => window.__bulkhead.app.store.get().simulation.active))) await (await shown(browser, tid("sim-run"))).click();
  await until(browser, "the internet's breach", () => browser.execute(() => !window.__bulkhead.app.backend.view.simulating && window.__bulkhead.app.store.get().simulation.origin === "internet"), 120_000);
  await (await shown(browser, tid("tab-matrix"))).click();
  await shown(browser, tid("matrix"));
  // A closed cell between two distinct segments.
  const picked = await browser.execute(() => {
    const cell = [...document.querySelectorAll('[data-testid="matrix-cell"]')].find((c) => c.getAttribute("data-allowed") === "none" && c.getAttribute("data-from") !== c.getAttribute("data-to"));
    if (!cell) return false;
    cell.click();
    return true;
  });
  if (!picked) throw new Error("the matrix has no closed cell between two segments");
  await shown(browser, tid("matrix-allow-toggle"));
  const out = [];
  for (let k = 0; k < edits; k++) {
    const button = k % 2 === 0 ? "matrix-allow-toggle" : "undo";
    // The mark and the click in one task, as a person's click is.
    await browser.execute((id) => {
      performance.mark("bench:edit");
      document.querySelector(`[data-testid="${id}"]`).click();
    }, button);
    const d = await highlightAfter(browser, "bench:edit");
    out.push(d);
    await until(browser, "the analysis to settle", () => browser.execute(() => !window.__bulkhead.app.backend.view.simulating && window.__bulkhead.app.backend.view.revision === window.__bulkhead.app.store.get().revision), 120_000);
    if (process.env.BENCH_PHASES === "1") {
      const phases = await browser.execute(() => performance.getEntriesByType("measure").filter((m) => m.startTime >= performance.getEntriesByName("bench:edit").at(-1).startTime && m.name.startsWith("bulkhead:")).map((m) => `${m.name.slice(9)} +${Math.round(m.startTime - performance.getEntriesByName("bench:edit").at(-1).startTime)} ${Math.round(m.duration)} ms`));
      console.log(`  edit (${button}): edit → re-simulated highlight ${ms(d)} (${phases.join(", ")})`);
    }
  }
  await (await shown(browser, tid("tab-inspector"))).click();
  return out;
}

const results = [];
for (const design of designs) {
  const r = { design, services: null, first_render_ms: [], graph_drawn_ms: [], wall_session_to_ready_ms: [], launch_to_render_ms: [], launch_to_page_ms: [], sim_click_to_highlight_ms: [], sim_click_to_panel_ms: [], edit_to_highlight_ms: [], zoom_ms: [], pan_ms: [], zoom_sim_ms: [], pan_sim_ms: [], select_ms: [], filter_ms: [] };
  for (let i = 0; i < launches; i++) {
    const t0 = performance.now();
    const t0Epoch = Date.now();
    const browser = await launch([design]);
    // A big design may keep the page busy for longer than the tests' 30 s script timeout.
    await browser.setTimeout({ script: 300_000 });
    try {
      await ready(browser, 300_000);
      r.wall_session_to_ready_ms.push(performance.now() - t0);
      const fr = await browser.execute(() => performance.getEntriesByName("bulkhead:first-render").at(-1)?.startTime ?? null);
      if (fr === null) throw new Error("the UI did not set the `bulkhead:first-render` mark");
      r.first_render_ms.push(fr);
      // The same moment by the page's clock, from the session request: without the 200 ms
      // polling of `ready` that the wall time above carries. Split at the page's time origin
      // (the web view starting to load the UI): what the process, GTK and WebKit took before it.
      const origin = await browser.execute(() => performance.timeOrigin);
      r.launch_to_page_ms.push(origin - t0Epoch);
      r.launch_to_render_ms.push(origin + fr - t0Epoch);
      const drawn = await browser.execute(() => performance.getEntriesByName("bulkhead:graph-drawn").at(-1)?.startTime ?? null);
      if (drawn !== null) r.graph_drawn_ms.push(drawn);
      r.services = (await browser.execute(() => window.__bulkhead.nodeCount())).services;
      if (process.env.BENCH_PHASES === "1" && (i === 0 || process.env.BENCH_INTERACTIONS === "0")) {
        // Where the time went (ui/src/perf.ts): each phase of the open, as measured in the page.
        const phases = await browser.execute(() => performance.getEntriesByType("measure").filter((m) => m.name.startsWith("bulkhead:")).map((m) => [m.name.slice(9), Math.round(m.startTime), Math.round(m.duration)]));
        for (const [name, start, d] of phases) console.log(`  ${String(start).padStart(7)} +${String(d).padStart(6)} ms  ${name}`);
      }
      // BENCH_INTERACTIONS=0: the first complete render only (quicker runs while working on the open).
      // BENCH_INTERACTIONS=edits: the edits only (quicker runs while working on them).
      const editsOnly = process.env.BENCH_INTERACTIONS === "edits";
      if (i === 0 && process.env.BENCH_INTERACTIONS !== "0") {
        // Let the first analysis answers (verdicts, findings) land before timing interactions.
        await until(browser, "the backend's first answers", () => browser.execute(() => window.__bulkhead.app.backend.view.revision === window.__bulkhead.app.store.get().revision), 300_000);
        for (const what of editsOnly ? [] : ["zoom", "pan", "select", "filter"]) {
          const from = await browser.execute(() => performance.now());
          r[`${what}_ms`] = await browser.execute(measureInPage, { what, samples });
          if (process.env.BENCH_PHASES === "1" && (what === "select" || what === "filter")) {
            // The page's measured phases during these samples (a filter's restyle: `bulk:*`), per sample.
            const phases = await browser.execute((t) => {
              const sum = {};
              for (const m of performance.getEntriesByType("measure")) if (m.startTime >= t && m.name.startsWith("bulkhead:")) sum[m.name.slice(9)] = (sum[m.name.slice(9)] ?? 0) + m.duration;
              return sum;
            }, from);
            console.log(`  ${what}: phases measured in the page, per sample (the change and its undo together): ${Object.entries(phases).map(([k, v]) => `${k} ${Math.round(v / samples)} ms`).join(", ") || "no measured phase"}`);
          }
        }
        if (!editsOnly) ({ highlight: r.sim_click_to_highlight_ms, panel: r.sim_click_to_panel_ms } = await simulationClicks(browser, 5));
        // The last simulation stays shown: its layer is repainted with every frame.
        for (const what of editsOnly ? [] : ["zoom", "pan"]) r[`${what}_sim_ms`] = await browser.execute(measureInPage, { what, samples });
        if (process.env.BENCH_EDITS !== "0") r.edit_to_highlight_ms = await editsToHighlight(browser, Number(process.env.BENCH_EDITS ?? 4));
      }
    } finally {
      await close(browser);
    }
    console.log(`${r.services} services, launch ${i + 1}: first complete render ${ms(r.first_render_ms.at(-1))} (wall, session → ready: ${ms(r.wall_session_to_ready_ms.at(-1))}; session → page start ${ms(r.launch_to_page_ms.at(-1))}, → first complete render ${ms(r.launch_to_render_ms.at(-1))})`);
  }
  results.push(r);
}

const row = (label, key) => {
  const cells = results.map((r) => {
    const xs = r[key];
    return xs.length ? `${ms(median(xs)).padStart(8)} (max ${ms(Math.max(...xs))})` : "—";
  });
  console.log(`${label.padEnd(34)}${cells.map((c) => c.padEnd(26)).join("")}`);
};
console.log();
console.log(`${"median (max) per interaction".padEnd(34)}${results.map((r) => `${r.services} services`.padEnd(26)).join("")}`);
row("graph drawn (grey if verdicts late)", "graph_drawn_ms");
row("first complete render", "first_render_ms");
row("session → ready (wall)", "wall_session_to_ready_ms");
row("session → page start", "launch_to_page_ms");
row("session → first complete render", "launch_to_render_ms");
row("simulation click → highlight", "sim_click_to_highlight_ms");
row("simulation click → panel updated", "sim_click_to_panel_ms");
row("edit → re-simulated highlight", "edit_to_highlight_ms");
row("zoom step → frame", "zoom_ms");
row("pan step → frame", "pan_ms");
row("zoom step, simulation shown", "zoom_sim_ms");
row("pan step, simulation shown", "pan_sim_ms");
row("select → inspector + frame", "select_ms");
row("filter → canvas faded + frame", "filter_ms");
console.log(JSON.stringify({ bench: "app", launches, samples, results }));
