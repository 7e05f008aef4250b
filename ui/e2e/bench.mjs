// The canvas benchmark in Debian's Chromium with the backend mocked (no Rust, no Tauri): the UI's
// own cost on designs of several sizes, measured in the same run. Designs are the CLI's
// `bulkhead generate` estates when the CLI is built (target/debug/bulkhead), else the UI's
// generator. For each size: first complete render (the `bulkhead:first-render` mark, from
// navigation start: the frame after the one showing every node and edge with its verdict),
// then zoom, pan, select and filter until the frame that shows the result
// (../../tests/e2e/measure.mjs, the same code the real-window benchmark runs), then simulation
// click → highlight. The mocked backend runs in the page, so its JavaScript (verdicts,
// simulation) is counted here; in the app Rust does that work in another process.
//
//   node e2e/bench.mjs [SIZES...]         default: 200 2000
//   BENCH_PROFILE=1 node e2e/bench.mjs 2000   also prints the top functions of a CPU profile of the first render
//   BENCH_PROFILE=sim node e2e/bench.mjs 2000 the same for the first simulation click (from the internet)
//   BENCH_PROFILE=select (or filter) node e2e/bench.mjs 2000   the same for every select (filter) sample
import { chromium } from "playwright-core";
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { previewPort, startPreview } from "./port.mjs";
import { measureInPage, median } from "../../tests/e2e/measure.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const uiRoot = path.resolve(here, "..");
const cliBin = path.resolve(uiRoot, "../target/debug/bulkhead");
const PORT = await previewPort();
const BASE = `http://127.0.0.1:${PORT}/`;
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(200, 2000);
const samples = Number(process.env.BENCH_SAMPLES ?? 8);
const profile = process.env.BENCH_PROFILE === "1";
const profileSim = process.env.BENCH_PROFILE === "sim";

if (!existsSync(path.join(uiRoot, "dist", "index.html"))) {
  execFileSync(process.execPath, [path.join(uiRoot, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: uiRoot, stdio: "inherit" });
}
const mock = await build({ entryPoints: [path.join(here, "mock", "backend.ts")], bundle: true, format: "iife", write: false, target: "es2022", jsx: "automatic", jsxImportSource: "preact", logLevel: "warning" });
const mockScript = mock.outputFiles[0].text;

function designOf(n) {
  if (!existsSync(cliBin)) return null;
  const text = execFileSync(cliBin, ["generate", "--services", String(n), "--peers", "10", "--seed", "7"], { encoding: "utf8", maxBuffer: 256 << 20 });
  return JSON.parse(text);
}

const preview = await startPreview(uiRoot, PORT);
const userDataDir = mkdtempSync(path.join(tmpdir(), "bulkhead-chromium-bench-"));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const rows = [];
  for (const n of sizes) {
    const design = designOf(n);
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.addInitScript((cfg) => (window.__mockConfig = cfg), { initial: design ? { design, path: `/tmp/generated-${n}.bulkhead.json` } : { generated: n } });
    await page.addInitScript({ content: mockScript });
    let cdp = null;
    if (profile) {
      cdp = await context.newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    await page.goto(BASE);
    await page.waitForSelector('[data-testid="app"][data-ready="true"]', { timeout: 300_000 });
    const firstRender = await page.evaluate(() => performance.getEntriesByName("bulkhead:first-render")[0].startTime);
    if (cdp) {
      const { profile: p } = await cdp.send("Profiler.stop");
      // BENCH_PROFILE_OUT=file.cpuprofile: also keep the whole profile (Chromium's DevTools opens it).
      if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(p));
      printTop(p, 25);
    }
    await page.waitForFunction(() => window.__bulkhead.app.backend.view.revision === window.__bulkhead.app.store.get().revision, null, { timeout: 300_000 });
    const phases = await page.evaluate(() => performance.getEntriesByType("measure").filter((m) => m.name.startsWith("bulkhead:")).map((m) => ({ name: m.name.slice(9), start: Math.round(m.startTime), ms: Math.round(m.duration) })));
    if (process.env.BENCH_PHASES === "1") for (const m of phases) console.log(`  ${String(m.start).padStart(7)} +${String(m.ms).padStart(6)} ms  ${m.name}`);
    const graphDrawn = await page.evaluate(() => performance.getEntriesByName("bulkhead:graph-drawn")[0]?.startTime ?? null);
    const r = { services: n, source: design ? "bulkhead generate" : "ui generator", graph_drawn_ms: graphDrawn, first_render_ms: firstRender };
    for (const what of ["zoom", "pan", "select", "filter"]) {
      // BENCH_PROFILE=select or =filter: a CPU profile of that interaction's samples.
      const prof = process.env.BENCH_PROFILE === what ? await context.newCDPSession(page) : null;
      if (prof) {
        await prof.send("Profiler.enable");
        await prof.send("Profiler.setSamplingInterval", { interval: 200 });
        await prof.send("Profiler.start");
      }
      r[`${what}_ms`] = await page.evaluate(measureInPage, { what, samples });
      if (prof) {
        const { profile: p } = await prof.send("Profiler.stop");
        // BENCH_PROFILE_OUT=file.cpuprofile: also keep the whole profile.
        if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(p));
        printTop(p, 30);
      }
    }
    r.sim_ms = await simulationClicks(page, Math.min(samples, 5), profileSim ? await context.newCDPSession(page) : null);
    if (errors.length) throw new Error(`page errors: ${errors.join(" | ")}`);
    rows.push(r);
    console.log(`${n} services (${r.source}): graph drawn ${Math.round(graphDrawn ?? NaN)} ms, first complete render ${Math.round(firstRender)} ms; ` + ["zoom", "pan", "select", "filter", "sim"].map((w) => `${w} median ${Math.round(median(r[`${w}_ms`]))} / max ${Math.round(Math.max(...r[`${w}_ms`]))} ms`).join(", "));
    await page.close();
  }
  console.log(JSON.stringify({ bench: "ui-chromium-mocked", samples, rows }));
} finally {
  await context?.close();
  preview.kill();
  rmSync(userDataDir, { recursive: true, force: true });
}

/**
 * Simulation click → highlight (the `bulkhead:sim-click` and `bulkhead:sim-highlight` marks), from
 * the internet and then from services spread over the estate, without the hop-by-hop animation.
 * With the mocked backend the simulation itself runs in the page (JavaScript), so it is counted.
 */
async function simulationClicks(page, clicks, cdp) {
  await page.click('[data-testid="tab-simulate"]');
  await page.evaluate(() => window.__bulkhead.app.store.get().simulation.animate && document.querySelector('[data-testid="sim-animate"]').click());
  const origins = await page.evaluate(() => [...document.querySelectorAll('[data-testid="sim-origin"] option')].map((o) => o.value));
  const step = Math.max(1, Math.floor(origins.length / clicks));
  const picks = ["internet", ...origins.filter((o, k) => o !== "internet" && k % step === 0)].slice(0, clicks);
  const out = [];
  for (const origin of picks) {
    // Picking an origin runs the simulation (that is the click); the first pick, the origin
    // already selected, is a click on Run.
    await page.evaluate(() => performance.clearMarks());
    const profiled = cdp && out.length === 0;
    if (profiled) {
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
      await cdp.send("Profiler.start");
    }
    if ((await page.inputValue('[data-testid="sim-origin"]')) === origin) await page.click('[data-testid="sim-run"]');
    else await page.selectOption('[data-testid="sim-origin"]', origin);
    await page.waitForFunction(() => {
      const a = performance.getEntriesByName("bulkhead:sim-click").at(-1);
      const b = performance.getEntriesByName("bulkhead:sim-highlight").at(-1);
      return a && b && b.startTime >= a.startTime;
    }, null, { timeout: 120_000 });
    const d = await page.evaluate(() => performance.getEntriesByName("bulkhead:sim-highlight").at(-1).startTime - performance.getEntriesByName("bulkhead:sim-click").at(-1).startTime);
    const phases = await page.evaluate(() => performance.getEntriesByType("measure").filter((m) => m.startTime >= performance.getEntriesByName("bulkhead:sim-click").at(-1).startTime && (m.name === "bulkhead:ipc:simulate" || m.name.startsWith("bulkhead:sim:"))).map((m) => `${m.name.slice(9)} ${Math.round(m.duration)} ms`));
    if (process.env.BENCH_PHASES === "1") console.log(`  simulation from ${origin}: click → highlight ${Math.round(d)} ms (${phases.join(", ")})`);
    out.push(d);
    if (profiled) printTop((await cdp.send("Profiler.stop")).profile, 25);
    await page.waitForFunction(() => !window.__bulkhead.app.backend.view.simulating, null, { timeout: 120_000 });
  }
  await page.click('[data-testid="tab-inspector"]');
  return out;
}

/** Self time per function (name @ file:line) from a V8 CPU profile, top `k`. */
function printTop(p, k) {
  const self = new Map();
  const dt = new Map();
  for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
  let total = 0;
  for (const node of p.nodes) {
    const t = (dt.get(node.id) ?? 0) / 1000;
    total += t;
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} @ ${f.url.split("/").pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + t);
  }
  console.log(`CPU profile: ${Math.round(total)} ms sampled; top self time:`);
  for (const [key, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, k)) console.log(`  ${Math.round(t).toString().padStart(7)} ms  ${key}`);
  // Inclusive time of the app's own functions (not Cytoscape's), to see which caller pays.
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const n of p.nodes) {
    const t = (dt.get(n.id) ?? 0) / 1000;
    if (!t) continue;
    const seen = new Set();
    for (let cur = n.id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      const key = `${f.functionName || "(anonymous)"} @ ${f.url.split("/").pop()}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      incl.set(key, (incl.get(key) ?? 0) + t);
    }
  }
  console.log("top inclusive time:");
  for (const [key, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP ?? 40))) console.log(`  ${Math.round(t).toString().padStart(7)} ms  ${key}`);
}
