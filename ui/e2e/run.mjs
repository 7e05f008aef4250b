// UI flows in Debian's Chromium with the Tauri backend mocked (e2e/mock/backend.ts, bundled to an
// IIFE and injected before the app loads). Serves the built UI with `vite preview`, runs every
// flow in a fresh page, writes screenshots to e2e/out/, and prints "N passed, N failed".
//
//   node e2e/run.mjs            all flows
//   node e2e/run.mjs matrix     flows whose name contains "matrix"
import { chromium } from "playwright-core";
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { previewPort, startPreview } from "./port.mjs";
import { mkdtempSync, mkdirSync, rmSync, existsSync, statSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = path.dirname(fileURLToPath(import.meta.url));
const uiRoot = path.resolve(here, "..");
const outDir = path.join(here, "out");
const PORT = await previewPort();
const BASE = `http://127.0.0.1:${PORT}/`;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const only = process.argv[2] ?? "";

function newestMtime(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

// The UI must be built from the current sources (`vite preview` serves dist/).
const distIndex = path.join(uiRoot, "dist", "index.html");
if (!existsSync(distIndex) || statSync(distIndex).mtimeMs < newestMtime(path.join(uiRoot, "src"))) {
  console.log("building ui/dist …");
  execFileSync(process.execPath, [path.join(uiRoot, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: uiRoot, stdio: "inherit" });
}

const mock = await build({
  entryPoints: [path.join(here, "mock", "backend.ts")],
  bundle: true,
  format: "iife",
  write: false,
  target: "es2022",
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
const mockScript = mock.outputFiles[0].text;

mkdirSync(outDir, { recursive: true });
const preview = await startPreview(uiRoot, PORT);
const userDataDir = mkdtempSync(path.join(tmpdir(), "bulkhead-chromium-"));
let context;
const results = [];
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });

  /** A fresh page with the mock configured, the app loaded and ready. */
  async function open(config = {}, { theme = "light" } = {}) {
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.addInitScript(
      ([cfg, th]) => {
        window.__mockConfig = cfg;
        localStorage.setItem("bulkhead.theme", th);
      },
      [config, theme],
    );
    await page.addInitScript(() => {
      /** WCAG contrast of an element's text colour against its own background colour. */
      window.__contrast = (el) => {
        const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = (c) => {
          const [r, g, b] = rgb(c).map((v) => {
            const x = v / 255;
            return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const s = getComputedStyle(el);
        const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
      };
    });
    await page.addInitScript({ content: mockScript });
    await page.goto(BASE);
    try {
      await page.waitForSelector('[data-testid="app"][data-ready="true"]', { timeout: 60_000 });
    } catch (e) {
      const state = await page.evaluate(() => ({ calls: window.__mock?.calls.map((c) => c.cmd), ready: window.__bulkhead?.app.ready, nodes: window.__bulkhead?.nodeCount() })).catch((x) => String(x));
      throw new Error(`app not ready: ${JSON.stringify(state)}; page errors: ${errors.join(" | ")}`, { cause: e });
    }
    page.errors = errors;
    return page;
  }
  const text = (page, sel) => page.locator(sel).first().innerText();
  const calls = (page, cmd) => page.evaluate((c) => window.__mock.calls.filter((x) => x.cmd === c).length, cmd);
  /** Every call of `cmds` named the design by revision instead of sending it; how many there were. */
  const byRevision = async (page, cmds) => {
    const args = await page.evaluate((cs) => window.__mock.calls.filter((x) => cs.includes(x.cmd)).map((x) => ({ cmd: x.cmd, revision: typeof x.args.revision, design: "design" in x.args })), cmds);
    for (const a of args) assert.deepEqual(a, { cmd: a.cmd, revision: "number", design: false });
    return args.length;
  };
  const design = (page) => page.evaluate(() => window.__bulkhead.app.store.get().design);
  const shot = (page, name) => page.screenshot({ path: path.join(outDir, `${name}.png`) });
  /** Wait until the backend answered for the current design (debounced refresh). */
  const settle = (page) => page.waitForFunction(() => window.__bulkhead.app.backend.view.revision === window.__bulkhead.app.store.get().revision, null, { timeout: 10_000 });

  const flows = {
    async "opens the fintech example on a readable canvas"() {
      const page = await open();
      assert.deepEqual(await page.evaluate(() => window.__bulkhead.nodeCount()), { services: 34, segments: 16 });
      assert.equal(await text(page, '[data-testid="doc-title"]'), "fintech.bulkhead.json — Bulkhead");
      assert.equal(await page.locator('[data-testid="unsaved-marker"]').count(), 0);
      await settle(page);
      // flow verdicts came from the backend and styled the edges
      const verdicts = await page.evaluate(() => window.__bulkhead.app.canvas.cy.edges().map((e) => e.data("verdict")));
      assert.ok(verdicts.includes("allow") && verdicts.includes("deny"), `edge verdicts: ${[...new Set(verdicts)]}`);
      assert.ok(!verdicts.includes("pending"));
      const mark = await page.evaluate(() => performance.getEntriesByName("bulkhead:first-render").length);
      assert.equal(mark, 1);
      // drawn once, with the verdicts: the open drew the flows styled by them instead of grey
      // and then restyled (`analysis:sync`)
      const drawn = await page.evaluate(() => ({
        waited: performance.getEntriesByName("bulkhead:render:await-verdicts").length,
        restyled: performance.getEntriesByName("bulkhead:analysis:sync").length,
        graph: performance.getEntriesByName("bulkhead:graph-drawn")[0]?.startTime,
        complete: performance.getEntriesByName("bulkhead:first-render")[0]?.startTime,
      }));
      // (the mock answers before the canvas is mounted, so there may have been nothing to wait for)
      assert.ok(drawn.waited <= 1, `waited ${drawn.waited} times`);
      assert.equal(drawn.restyled, 0, "no restyle after the first draw");
      // the same frame (two callbacks of it, so a fraction of a millisecond apart)
      assert.ok(Math.abs(drawn.complete - drawn.graph) < 8, `graph drawn at ${drawn.graph} ms, complete at ${drawn.complete} ms`);
      await shot(page, "canvas-light");
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "slow verdicts do not hold the canvas back: drawn grey at the deadline, styled when they come"() {
      const page = await open({ verdictsDelayMs: 2500 });
      await settle(page);
      const seen = await page.evaluate(() => ({
        wait: performance.getEntriesByName("bulkhead:render:await-verdicts")[0]?.duration,
        verdicts: performance.getEntriesByName("bulkhead:ipc:flow_verdicts")[0],
        graph: performance.getEntriesByName("bulkhead:graph-drawn")[0]?.startTime,
        complete: performance.getEntriesByName("bulkhead:first-render")[0]?.startTime,
        restyled: performance.getEntriesByName("bulkhead:analysis:sync").length,
        edges: window.__bulkhead.app.canvas.cy.edges().map((e) => e.data("verdict")),
      }));
      // fintech has 57 flows: the wait's deadline is its minimum, 100 ms
      assert.ok(seen.wait >= 90 && seen.wait < 1000, `waited ${seen.wait} ms for the verdicts`);
      const answered = seen.verdicts.startTime + seen.verdicts.duration;
      assert.ok(seen.graph < answered, `graph drawn at ${seen.graph} ms, before the verdicts at ${answered} ms`);
      assert.ok(seen.complete >= answered, `complete at ${seen.complete} ms, after the verdicts at ${answered} ms`);
      assert.equal(seen.restyled, 1, "the late verdicts restyled the flows once");
      assert.ok(seen.edges.includes("allow") && seen.edges.includes("deny") && !seen.edges.includes("pending"), `edge verdicts: ${[...new Set(seen.edges)]}`);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "rehearses a simulation click once the canvas is warm, leaving no trace"() {
      const page = await open();
      await settle(page);
      // The layer runs a click's page work 8 times on made-up breaches (look to batches, paint)...
      await page.waitForFunction(() => performance.getEntriesByName("bulkhead:rehearsal:paint").length === 8, null, { timeout: 10_000 });
      const after = await page.evaluate(() => {
        const layer = document.querySelector('[data-testid="sim-layer"]');
        const px = layer.getContext("2d").getImageData(0, 0, layer.width, layer.height).data;
        let lit = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) lit++;
        const app = window.__bulkhead.app;
        return {
          looks: ["scene", "paint"].map((p) => performance.getEntriesByName(`bulkhead:rehearsal:${p}`).length),
          size: [layer.width, layer.height],
          display: layer.style.display,
          lit,
          painted: window.__bulkhead.simulationPainted(),
          simulation: app.store.get().simulation.active,
          undo: app.store.canUndo(),
          asked: window.__mock.calls.filter((c) => c.cmd.startsWith("simulate")).length,
        };
      });
      assert.deepEqual(after.looks, [8, 8]);
      // ...into its own canvas, sized to the graph's, hidden and cleared after: nothing shown,
      // nothing kept for the tests, no simulation, no edit, and the shell never asked.
      assert.ok(after.size[0] > 300 && after.size[1] > 150, `sized ${after.size}`);
      assert.equal(after.display, "none");
      assert.equal(after.lit, 0);
      assert.deepEqual(after.painted, { veil: false, nodes: {}, edges: {}, segments: 0 });
      assert.equal(after.simulation, false);
      assert.equal(after.undo, false);
      assert.equal(await page.locator('[data-testid="unsaved-marker"]').count(), 0);
      assert.equal(after.asked, 0);
      // Once per graph: a restyle (the verdicts of a run, a filter) warms the layer up again but
      // does not rehearse again; a real click then paints its simulation.
      await page.fill('[data-testid="search-input"]', "payments");
      await page.waitForTimeout(400);
      await page.fill('[data-testid="search-input"]', "");
      await page.click('[data-testid="tab-simulate"]');
      await page.click('[data-testid="sim-run"]');
      await page.waitForSelector('[data-testid="sim-compromised-count"]');
      await page.waitForFunction(() => window.__bulkhead.simulationPainted().veil);
      await page.waitForTimeout(400);
      assert.equal(await page.evaluate(() => performance.getEntriesByName("bulkhead:rehearsal:paint").length), 8);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "simulates a breach from the internet, hop by hop, with crown-jewel paths"() {
      const page = await open();
      await page.click('[data-testid="tab-simulate"]');
      await page.selectOption('[data-testid="sim-assume"]', "worst");
      await page.click('[data-testid="sim-run"]');
      await page.waitForSelector('[data-testid="sim-compromised-count"]');
      const n = Number(await text(page, '[data-testid="sim-compromised-count"]'));
      assert.ok(n > 0, `compromised ${n}`);
      const jewel = page.locator('[data-testid="sim-path"][data-crown-jewel="true"]').first();
      assert.ok((await page.locator('[data-testid="sim-path"][data-crown-jewel="true"]').count()) > 0, "a crown-jewel path");
      await jewel.click();
      const hops = await page.locator('[data-testid="sim-path-hop"]').count();
      assert.ok(hops >= 1);
      assert.match(await text(page, '[data-testid="sim-path-hop"]'), /allowed by rule `internet-to-edge`|allowed/);
      // What the simulation layer painted equals the simulation (after the hop-by-hop animation):
      // the compromised services with their border, every involved service undimmed and
      // nothing else, the chosen path's services and calls.
      await page.waitForFunction((k) => Object.values(window.__bulkhead.simulationPainted()?.nodes ?? {}).filter((x) => x.compromised).length === k, n, { timeout: 10_000 });
      const { layer, sim, target } = await page.evaluate(() => ({ layer: window.__bulkhead.simulationPainted(), sim: window.__bulkhead.app.backend.view.simulation, target: window.__bulkhead.app.store.get().simulation.highlightedPath }));
      assert.ok(layer.veil);
      assert.deepEqual(Object.keys(layer.nodes).filter((id) => layer.nodes[id].compromised).sort(), [...sim.compromised].sort());
      assert.deepEqual(Object.keys(layer.nodes).sort(), [...new Set(["internet", sim.origin, ...sim.reached.map((r) => r.service)])].sort());
      const path = sim.reached.find((r) => r.service === target).path;
      assert.deepEqual(Object.keys(layer.nodes).filter((id) => layer.nodes[id].ring === "on-path").sort(), [...new Set([path[0].from, ...path.map((h) => h.to)])].sort());
      assert.ok(Object.values(layer.edges).filter((k) => k === "on-path").length >= path.length, `on-path calls ${JSON.stringify(layer.edges)}`);
      assert.ok(Object.values(layer.edges).filter((k) => k === "attack").length > 0);
      const marks = await page.evaluate(() => ["bulkhead:sim-click", "bulkhead:sim-highlight"].map((m) => performance.getEntriesByName(m).length));
      assert.ok(marks[0] >= 1 && marks[1] >= 1, `marks ${marks}`);
      await shot(page, "simulation");
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "dragging a service into another segment moves it and re-runs the simulation; undo restores"() {
      const page = await open();
      await page.click('[data-testid="tab-simulate"]');
      await page.click('[data-testid="sim-run"]');
      await page.waitForSelector('[data-testid="sim-compromised-count"]');
      await settle(page);
      const before = await text(page, '[data-testid="sim-compromised-count"]');
      const simCalls = await calls(page, "simulate");
      const victim = "web-bff";
      const from = await page.evaluate((id) => window.__bulkhead.segmentOf(id), victim);
      const target = "payments-domain";
      const a = await page.evaluate((id) => window.__bulkhead.nodeCenter(id), victim);
      // drop onto a member of the target segment (inside its box)
      const member = (await design(page)).segments.find((s) => s.id === target).members[0];
      const b = await page.evaluate((id) => window.__bulkhead.nodeCenter(id), member);
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      for (let i = 1; i <= 12; i++) await page.mouse.move(a.x + ((b.x + 12 - a.x) * i) / 12, a.y + ((b.y + 8 - a.y) * i) / 12);
      await page.mouse.up();
      await page.waitForFunction(([id, seg]) => window.__bulkhead.segmentOf(id) === seg, [victim, target], { timeout: 5000 });
      assert.notEqual(from, target);
      await page.waitForSelector('[data-testid="unsaved-marker"]');
      await page.waitForFunction((n) => window.__mock.calls.filter((x) => x.cmd === "simulate").length > n, simCalls, { timeout: 10_000 });
      await settle(page);
      // The panel renders the answer after the canvas frame that shows it: wait until it shows
      // the latest simulation's count.
      await page.waitForFunction(() => {
        const v = window.__bulkhead.app.backend.view;
        return !v.simulating && v.simulation && document.querySelector('[data-testid="sim-compromised-count"]')?.textContent === String(v.simulation.compromised.length);
      }, null, { timeout: 10_000 });
      const after = await text(page, '[data-testid="sim-compromised-count"]');
      assert.notEqual(after, before, `simulation should change after the move (${before} → ${after})`);
      await page.click('[data-testid="undo"]');
      assert.equal(await page.evaluate((id) => window.__bulkhead.segmentOf(id), victim), from);
      await settle(page);
      await page.waitForFunction((b) => document.querySelector('[data-testid="sim-compromised-count"]')?.textContent === b, before, { timeout: 10_000 });
      await page.keyboard.press("Control+Shift+Z");
      assert.equal(await page.evaluate((id) => window.__bulkhead.segmentOf(id), victim), target);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "edits a rule in the segment matrix and undoes it"() {
      const page = await open();
      await page.click('[data-testid="tab-matrix"]');
      await page.waitForSelector('[data-testid="matrix"]');
      const cell = page.locator('[data-testid="matrix-cell"][data-from="messaging"][data-to="pci-cde"]');
      assert.equal(await cell.getAttribute("data-allowed"), "none");
      const rules = (await design(page)).rules.length;
      await cell.click();
      await page.click('[data-testid="matrix-allow-toggle"]');
      assert.equal((await design(page)).rules.length, rules + 1);
      await page.waitForFunction(() => document.querySelector('[data-testid="matrix-cell"][data-from="messaging"][data-to="pci-cde"]')?.getAttribute("data-allowed") !== "none", null, { timeout: 10_000 });
      await shot(page, "matrix");
      // Ctrl+Z outside a text field undoes the rule
      await page.click('[data-testid="matrix"] th.corner');
      await page.keyboard.press("Control+z");
      assert.equal((await design(page)).rules.length, rules);
      await page.waitForFunction(() => document.querySelector('[data-testid="matrix-cell"][data-from="messaging"][data-to="pci-cde"]')?.getAttribute("data-allowed") === "none", null, { timeout: 10_000 });
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "a rule's ports refuse a typo with a message instead of widening the rule to every port"() {
      const page = await open();
      const ports = async (id) => (await design(page)).rules.find((r) => r.id === id).ports;
      await page.click('[data-testid="rule-link"]:text-is("internet-to-edge")');
      const field = '[data-testid="field-rule-ports"]';
      assert.equal(await page.inputValue(field), "8443");
      await page.fill(field, "8443, 84x3");
      await page.press(field, "Enter");
      assert.match(await text(page, '[data-testid="field-rule-ports-error"]'), /^`84x3` is not a port number/);
      assert.deepEqual(await ports("internet-to-edge"), [8443], "the rule keeps its port");
      assert.equal(await page.inputValue(field), "8443, 84x3", "the typed text stays, to fix");
      await page.press(field, "Escape");
      assert.equal(await page.inputValue(field), "8443");
      assert.equal(await page.locator('[data-testid="field-rule-ports-error"]').count(), 0);
      await page.fill(field, "8443, 9443");
      await page.press(field, "Enter");
      assert.deepEqual(await ports("internet-to-edge"), [8443, 9443]);
      // A rate is neither rounded nor clamped: refused with a message, or kept as typed.
      const rule = async () => (await design(page)).rules.find((r) => r.id === "internet-to-edge");
      const before = (await rule()).rate_limit;
      const rate = '[data-testid="field-rule-rate-requests"]';
      await page.fill(rate, "1.5");
      await page.press(rate, "Enter");
      assert.equal(await text(page, '[data-testid="field-rule-rate-requests-error"]'), "`1.5` is not a whole number");
      assert.deepEqual((await rule()).rate_limit, before);
      await page.fill(rate, "50");
      await page.press(rate, "Enter");
      assert.equal((await rule()).rate_limit.requests, 50);
      assert.equal(await page.locator('[data-testid="field-rule-rate-requests-error"]').count(), 0);
      // The same field in the matrix's cell editor.
      await page.click('[data-testid="tab-matrix"]');
      await page.click('[data-testid="matrix-cell"][data-from="internet"][data-to="edge-public"]');
      const cellField = '[data-testid="cell-rule-row"][data-rule="internet-to-edge"] [data-testid="cell-rule-ports"]';
      await page.fill(cellField, "");
      await page.type(cellField, "443;8443");
      await page.press(cellField, "Enter");
      await page.waitForSelector('[data-testid="cell-rule-ports-error"]');
      assert.deepEqual(await ports("internet-to-edge"), [8443, 9443]);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "primary buttons and the findings badge are readable in both themes, at rest and under the pointer"() {
      for (const theme of ["light", "dark"]) {
        const page = await open({}, { theme });
        await page.click('[data-testid="tab-simulate"]');
        const run = '[data-testid="sim-run"]';
        assert.match(await page.getAttribute(run, "class"), /primary/);
        const atRest = await page.evaluate((sel) => window.__contrast(document.querySelector(sel)), run);
        await page.hover(run);
        const hovered = await page.evaluate((sel) => window.__contrast(document.querySelector(sel)), run);
        const badge = await page.evaluate(() => window.__contrast(document.querySelector('[data-testid="tab-findings"] .badge')));
        // WCAG AA for text: 4.5:1.
        assert.ok(atRest >= 4.5, `${theme}: a primary button's text at rest is ${atRest.toFixed(2)}:1`);
        assert.ok(hovered >= 4.5, `${theme}: a primary button's text under the pointer is ${hovered.toFixed(2)}:1`);
        assert.ok(badge >= 4.5, `${theme}: the findings badge is ${badge.toFixed(2)}:1`);
        await page.close();
      }
    },

    async "the segment matrix takes the panel's height, and leaves room for the cell editor"() {
      const page = await open();
      await page.click('[data-testid="tab-matrix"]');
      await page.waitForSelector('[data-testid="matrix"]');
      const boxes = () =>
        page.evaluate(() => {
          const r = (sel) => document.querySelector(sel)?.getBoundingClientRect() ?? null;
          const scroller = document.querySelector('[data-testid="matrix-scroll"]');
          return { panel: r('[data-testid="panel-matrix"]'), scroll: r('[data-testid="matrix-scroll"]'), editor: r('[data-testid="cell-editor"]'), overflows: scroller.scrollHeight > scroller.clientHeight };
        });
      const before = await boxes();
      assert.ok(before.overflows, "the fintech matrix is taller than the panel (the test needs it to be)");
      // The grid reaches down to the panel's padding, not to a fixed share of the window.
      assert.ok(before.panel.bottom - before.scroll.bottom < 40, `the grid ends ${Math.round(before.panel.bottom - before.scroll.bottom)} px above the panel's bottom`);
      await page.click('[data-testid="matrix-cell"][data-from="messaging"][data-to="pci-cde"]');
      await page.waitForSelector('[data-testid="cell-editor"]');
      const after = await boxes();
      assert.ok(after.editor.bottom <= after.panel.bottom + 1, `the cell editor is in view (${Math.round(after.editor.bottom)} > ${Math.round(after.panel.bottom)})`);
      assert.ok(after.scroll.height >= 180, `the grid keeps ${Math.round(after.scroll.height)} px`);
      await shot(page, "matrix-fills-panel");
      await page.close();
    },

    async "previews an export with highlighting and writes it to a folder"() {
      const page = await open();
      await page.click('[data-testid="tab-export"]');
      await page.waitForSelector('[data-testid="export-target"][data-target="networkpolicy"]');
      assert.ok(await page.locator('[data-testid="export-target"][data-target="networkpolicy"]').isChecked());
      await page.click('[data-testid="export-preview"]');
      await page.waitForSelector('[data-testid="export-file"]');
      assert.ok((await page.locator('[data-testid="export-file"]').count()) > 3);
      assert.match(await text(page, '[data-testid="export-content"]'), /kind: NetworkPolicy/);
      assert.ok((await page.locator('[data-testid="export-content"] .tok-key').count()) > 5, "highlighted keys");
      await page.locator('[data-testid="export-file"]').nth(1).click();
      await shot(page, "export");
      await page.fill('[data-testid="export-dir"]', "/tmp/bulkhead-export");
      await page.click('[data-testid="export-write"]');
      await page.waitForSelector('[data-testid="export-written"]');
      assert.match(await text(page, '[data-testid="export-written"]'), /\/tmp\/bulkhead-export\/networkpolicy\//);
      // both name the design the shell holds by its revision instead of sending it
      const exportArgs = await page.evaluate(() => window.__mock.calls.filter((c) => c.cmd.startsWith("export_") && c.cmd !== "export_targets").map((c) => ({ cmd: c.cmd, keys: Object.keys(c.args).sort() })));
      assert.deepEqual(exportArgs, [
        { cmd: "export_preview", keys: ["revision", "targets"] },
        { cmd: "export_write", keys: ["dir", "force", "revision", "targets"] },
      ]);
      assert.equal(await calls(page, "set_design"), 0, "the opened design was held already: nothing sent");
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "a broken file shows the validator's messages, not a blank canvas"() {
      const page = await open({ initial: "broken" });
      await page.waitForSelector('[data-testid="diagnostics"]');
      const rows = page.locator('[data-testid="diagnostic"]');
      assert.equal(await rows.count(), 3);
      assert.match(await rows.first().innerText(), /core-sevices[\s\S]*41:22|41:22[\s\S]*core-sevices/);
      assert.equal(await rows.first().getAttribute("data-pointer"), "/rules/0/to/segment");
      assert.match(await text(page, '[data-testid="broken-file"]'), /did you mean `core-services`\?/);
      // It names the file and says how it was opened; the status bar counts its errors.
      assert.match(await text(page, '[data-testid="broken-file-summary"]'), /^broken\.bulkhead\.json, named on the command line, has 3 errors/);
      assert.equal(await text(page, '[data-testid="broken-file-path"]'), "/work/designs/broken.bulkhead.json");
      assert.equal(await text(page, '[data-testid="status-validation"]'), "broken.bulkhead.json: 3 errors, not loaded");
      assert.equal(await text(page, '[data-testid="status-counts"]'), "no design open");
      await shot(page, "broken-file");
      // Opening a good file from there replaces the error view.
      await page.evaluate(() => (window.__mock.config.openPath = "/work/examples/fintech.bulkhead.json"));
      await page.click('[data-testid="diagnostics-open-another"]');
      await page.waitForSelector('[data-testid="broken-file"]', { state: "detached" });
      assert.equal((await page.evaluate(() => window.__bulkhead.nodeCount())).services, 34);
      await page.evaluate(() => (window.__mock.config.openPath = "/home/me/other-broken.bulkhead.json"));
      await page.click('[data-testid="btn-open"]');
      await page.waitForSelector('[data-testid="broken-file"][data-via="dialog"]');
      assert.match(await text(page, '[data-testid="broken-file-summary"]'), /^other-broken\.bulkhead\.json, chosen in the Open dialog, has 3 errors[\s\S]*fintech\.bulkhead\.json is still open behind this/);
      assert.equal(await text(page, '[data-testid="status-validation"]'), "other-broken.bulkhead.json: 3 errors, not loaded");
      assert.match(await text(page, '[data-testid="status-counts"]'), /^fintech\.bulkhead\.json still open: 34 services/);
      await page.click('[data-testid="diagnostics-back"]');
      await page.waitForSelector('[data-testid="broken-file"]', { state: "detached" });
      assert.equal(await text(page, '[data-testid="status-validation"]'), "valid");
      assert.equal((await page.evaluate(() => window.__bulkhead.nodeCount())).services, 34);
      await page.close();
    },

    async "inspector edits a service with inline validation, and the title shows unsaved changes"() {
      const page = await open();
      // In braces: returning the Cytoscape element would make playwright serialize the whole graph (half a minute).
      await page.evaluate(() => {
        window.__bulkhead.app.canvas.cy.getElementById("s:ledger-service").select();
      });
      await page.waitForSelector('[data-testid="inspector-title"]');
      await page.fill('[data-testid="field-name"]', "");
      await page.press('[data-testid="field-name"]', "Enter");
      await page.waitForSelector('[data-testid="inline-diagnostic"]');
      assert.match(await text(page, '[data-testid="inline-diagnostic"]'), /empty name/);
      await page.waitForFunction(() => document.querySelector('[data-testid="doc-title"]')?.textContent?.startsWith("• "));
      await page.selectOption('[data-testid="field-exposure"]', "internet");
      await page.click('[data-testid="weakness-add"]');
      await page.click('[data-testid="credential-add"]');
      await page.fill('[data-testid="field-credential-key"]', "ledger-admin");
      await page.press('[data-testid="field-credential-key"]', "Enter");
      const svc = (await design(page)).services.find((s) => s.id === "ledger-service");
      assert.equal(svc.exposure, "internet");
      assert.equal(svc.weaknesses.at(-1).exploitable, true);
      assert.deepEqual(svc.credentials.at(-1), { type: "api_key", key: "ledger-admin" });
      await shot(page, "inspector");
      // save as: the marker goes, the shell titles the window with the new file
      await page.evaluate(() => (window.__mock.config.savePath = "/tmp/northwind-edit"));
      await page.click('[data-testid="btn-save-as"]');
      await page.waitForFunction(() => document.querySelector('[data-testid="doc-title"]')?.textContent === "northwind-edit.bulkhead.json — Bulkhead");
      assert.equal(await page.locator('[data-testid="unsaved-marker"]').count(), 0);
      assert.ok(await page.evaluate(() => !!window.__mock.saved["/tmp/northwind-edit.bulkhead.json"]));
      await page.close();
    },

    async "findings show their docs, focus the element and take a triage with a reason"() {
      const page = await open();
      await page.click('[data-testid="tab-findings"]');
      await page.waitForSelector('[data-testid="finding"]');
      const first = page.locator('[data-testid="finding"]').first();
      const key = await first.getAttribute("data-key");
      await first.locator('[data-testid="finding-head"]').click();
      assert.match(await text(page, '[data-testid="finding-docs"]'), /How to fix/);
      const selected = await page.evaluate(() => window.__bulkhead.app.store.get().selection);
      assert.ok(selected.ids.length === 1);
      await page.selectOption('[data-testid="triage-status"]', "accepted");
      assert.ok(await page.locator('[data-testid="triage-save"]').isDisabled(), "a reason is required");
      await page.fill('[data-testid="triage-reason"]', "WAF rate-limits at the edge");
      await page.click('[data-testid="triage-save"]');
      const triage = (await design(page)).triage;
      assert.deepEqual(triage, [{ finding: key, status: "accepted", reason: "WAF rate-limits at the edge" }]);
      await page.waitForSelector('[data-testid="finding-triage-status"]');
      await shot(page, "findings");
      // Undo takes the triage back, and the open form says so (it kept the undone decision).
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("Control+z");
      assert.equal((await design(page)).triage, undefined);
      await page.waitForSelector('[data-testid="finding-triage-status"]', { state: "detached" });
      assert.equal(await page.inputValue('[data-testid="triage-status"]'), "");
      assert.equal(await page.inputValue('[data-testid="triage-reason"]'), "");
      await page.close();
    },

    async "imports with a preview and the segmentation proposal"() {
      const page = await open({ openPath: "/work/inventory/catalog.yaml" });
      await page.click('[data-testid="tab-import"]');
      await page.evaluate(() => (window.__mock.config.openPath = ["/work/inventory/catalog.yaml"]));
      await page.click('[data-testid="import-files"]');
      await page.waitForSelector('[data-testid="import-preview"]');
      assert.equal(await page.locator('[data-testid="import-change"]').count(), 2);
      assert.equal(await page.locator('[data-testid="import-change"][data-change="added"]').getAttribute("data-id"), "catalog-search");
      assert.match(await text(page, '[data-testid="import-proposal"]'), /Catalog \(proposed\)/);
      assert.match(await text(page, '[data-testid="import-summary"]'), /2 services, 2 endpoints/);
      assert.ok(await page.isChecked('[data-testid="import-accept-proposal"]'));
      await shot(page, "import");
      await page.click('[data-testid="import-apply"]');
      await page.waitForFunction(() => window.__bulkhead.nodeCount().services === 35);
      const d = await design(page);
      assert.ok(d.segments.some((s) => s.id === "imported-catalog"));
      await page.waitForSelector('[data-testid="import-merged"]');
      await page.keyboard.press("Control+z");
      assert.equal((await design(page)).services.length, 34);
      assert.ok(!(await design(page)).segments.some((s) => s.id === "imported-catalog"));
      assert.ok((await byRevision(page, ["import_preview", "import_apply"])) > 0, "named by revision");
      await page.close();
    },

    async "import: an unreachable URL and a broken file say where and why; items can be left out"() {
      const page = await open({ openPath: ["/work/inventory/broken.yaml", "/work/inventory/catalog.yaml"] });
      await page.click('[data-testid="tab-import"]');
      await page.fill('[data-testid="import-url"]', "http://127.0.0.1:9/openapi.yaml");
      await page.click('[data-testid="import-url-go"]');
      await page.waitForSelector('[data-testid="import-diagnostic"]');
      assert.match(await text(page, '[data-testid="import-diagnostic"][data-code="fetch"]'), /127\.0\.0\.1:9.*cannot connect/s);
      assert.equal(await page.locator('[data-testid="import-change"]').count(), 0);
      assert.ok(await page.isDisabled('[data-testid="import-apply"]'), "nothing to merge");
      // a typed path must be absolute; an absolute one is added as a file-or-folder source
      await page.fill('[data-testid="import-path"]', "inventory/catalog.yaml");
      await page.click('[data-testid="import-path-add"]');
      assert.match(await text(page, '[data-testid="import-error"]'), /`inventory\/catalog\.yaml` is not an absolute path/);
      assert.equal(await page.locator('[data-testid="import-source"]').count(), 1);
      await page.click('[data-testid="import-files"]');
      await page.waitForSelector('[data-testid="import-diagnostic"][data-code="yaml"]');
      assert.match(await text(page, '[data-testid="import-diagnostic"][data-code="yaml"]'), /broken\.yaml:8:1[\s\S]*invalid YAML/);
      assert.equal(await page.locator('[data-testid="import-source"]').count(), 3);
      // leave the new service out and ignore the proposal: only the update is merged
      await page.uncheck('[data-testid="import-change"][data-id="catalog-search"] [data-testid="import-change-include"]');
      await page.uncheck('[data-testid="import-accept-proposal"]');
      await shot(page, "import-errors");
      await page.click('[data-testid="import-apply"]');
      await page.waitForSelector('[data-testid="import-merged"]');
      const last = await page.evaluate(() => window.__mock.calls.filter((c) => c.cmd === "import_apply").at(-1).args);
      assert.deepEqual(last.skip, ["service:catalog-search"]);
      assert.equal(last.accept_proposal, false);
      assert.equal(last.sources.length, 3);
      const d = await design(page);
      assert.equal(d.services.length, 34);
      assert.ok(!d.segments.some((s) => s.id === "imported-catalog"));
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "drift: checks traffic logs, lists the drift, draws the overlay, click focuses"() {
      const page = await open({ openPath: ["/work/logs/hubble-flows.json"] });
      await page.click('[data-testid="tab-drift"]');
      await page.click('[data-testid="drift-logs"]');
      await page.waitForSelector('[data-testid="drift-report"]');
      const last = await page.evaluate(() => window.__mock.calls.filter((c) => c.cmd === "drift_check").at(-1).args);
      assert.deepEqual(last.traffic, ["/work/logs/hubble-flows.json"]);
      const count = (kind) => page.locator(`[data-testid="drift-section"][data-kind="${kind}"]`).getAttribute("data-count").then(Number);
      assert.equal(await count("violations"), 2);
      assert.match(await text(page, '[data-testid="drift-item"][data-kind="violations"]'), /fraud-scoring → customer-profile-api[\s\S]*default deny/);
      assert.match(await text(page, '[data-testid="drift-item"][data-kind="shadow-services"]'), /prometheus/);
      assert.equal(await count("zombie-services"), 1);
      assert.match(await text(page, '[data-testid="drift-unparsed"]'), /hubble-flows\.json:17/);
      // the overlay: observed calls between services on the canvas, allowed and denied apart
      const overlay = () => page.evaluate(() => window.__bulkhead.app.canvas.cy.edges('[type = "traffic"]').map((e) => ({ from: e.data("from"), to: e.data("to"), verdict: e.data("verdict"), label: e.data("label"), width: e.data("width") })));
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.edges('[type = "traffic"]').length > 0);
      const edges = await overlay();
      const denied = edges.find((e) => e.from === "fraud-scoring" && e.to === "customer-profile-api");
      assert.equal(denied?.verdict, "deny");
      assert.match(denied.label, /^412 · denied: default deny$/);
      const allowed = edges.find((e) => e.from === "internet" && e.to === "partner-webhook-api");
      assert.equal(allowed?.verdict, "allow");
      assert.match(allowed.label, /rule `partners-to-webhooks`/);
      assert.ok(denied.width > 1.5, "wider with volume");
      // A shadow service is a ghost node (dashed, in no segment), with its calls drawn to it.
      const ghost = await page.evaluate(() => {
        const n = window.__bulkhead.app.canvas.cy.getElementById("shadow:prometheus");
        return n.empty() ? null : { parent: n.data("parent") ?? null, ghost: n.hasClass("ghost"), border: n.style("border-style"), selectable: n.selectable() };
      });
      assert.deepEqual(ghost, { parent: null, ghost: true, border: "dashed", selectable: false });
      const shadowEdge = edges.find((e) => e.from === "prometheus");
      assert.equal(shadowEdge?.verdict, "unknown", "its calls end at the ghost, undecided");
      // clicking a violation focuses the call on the canvas
      await page.click('[data-testid="drift-item"][data-kind="violations"]');
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("s:customer-profile-api").hasClass("focus"));
      await shot(page, "drift-overlay");
      // the overlay follows the design: allow the call and it turns green, the violation goes
      await page.evaluate(() => {
        const app = window.__bulkhead.app;
        const d = app.store.get().design;
        app.store.dispatch({ name: "testAddRule", perform: (s) => ({ ...s, design: { ...d, rules: [...d.rules, { id: "fraud-reads-profile", from: { service: "fraud-scoring" }, to: { service: "customer-profile-api" } }] } }) }, {});
      });
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.edges('[type = "traffic"][verdict = "allow"][from = "fraud-scoring"]').length === 1);
      await page.waitForFunction(() => document.querySelector('[data-testid="drift-section"][data-kind="violations"]')?.getAttribute("data-count") === "1");
      // clicking the shadow service focuses its ghost; adopting it is one undoable edit
      await page.click('[data-testid="drift-item"][data-kind="shadow-services"] span');
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("shadow:prometheus").hasClass("focus"));
      // ...and brings it into view (the camera animates there).
      await page.waitForFunction(() => {
        const cy = window.__bulkhead.app.canvas.cy;
        const p = cy.getElementById("shadow:prometheus").renderedPosition();
        return !cy.animated() && p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height();
      });
      await shot(page, "drift-shadow");
      const where = await page.evaluate(() => window.__bulkhead.app.canvas.cy.getElementById("shadow:prometheus").position());
      await page.click('[data-testid="drift-item"][data-kind="shadow-services"] [data-testid="drift-adopt"]');
      await page.waitForFunction(() => window.__bulkhead.app.store.get().design.services.some((s) => s.id === "prometheus"));
      const adopted = await page.evaluate(() => window.__bulkhead.app.store.get().design);
      assert.deepEqual(adopted.layout.positions.prometheus, where, "the service appears where its ghost was");
      assert.equal(await page.evaluate(() => window.__bulkhead.segmentOf("prometheus")), null);
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("shadow:prometheus").empty() && !window.__bulkhead.app.canvas.cy.getElementById("s:prometheus").empty());
      await page.waitForFunction(() => document.querySelector('[data-testid="drift-section"][data-kind="shadow-services"]')?.getAttribute("data-count") === "0");
      await page.keyboard.press("Escape");
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press("Control+z");
      await page.waitForFunction(() => !window.__bulkhead.app.store.get().design.services.some((s) => s.id === "prometheus"));
      await page.waitForFunction(() => !window.__bulkhead.app.canvas.cy.getElementById("shadow:prometheus").empty());
      await page.uncheck('[data-testid="drift-overlay"]');
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.edges('[type = "traffic"]').length === 0);
      assert.deepEqual(page.errors, []);
      assert.ok((await byRevision(page, ["drift_check"])) > 0, "named by revision");
      await page.close();
    },

    async "drift: an unreadable log says which and why"() {
      const page = await open({ openPath: ["/work/logs/missing.log"] });
      await page.click('[data-testid="tab-drift"]');
      await page.click('[data-testid="drift-logs"]');
      await page.waitForSelector('[data-testid="drift-error"]');
      assert.match(await text(page, '[data-testid="drift-error"]'), /cannot read `\/work\/logs\/missing\.log`/);
      await page.click('[data-testid="drift-log-remove"]');
      await page.click('[data-testid="drift-run"]');
      await page.waitForSelector('[data-testid="drift-report"]');
      assert.equal(await page.locator('[data-testid="drift-error"]').count(), 0);
      await page.close();
    },

    async "drift: live manifests are compared pair by pair; broken ones say where"() {
      const page = await open({ openPath: ["/work/live/broken-np.yaml"] });
      await page.click('[data-testid="tab-drift"]');
      await page.click('[data-testid="drift-live"]');
      await page.waitForSelector('[data-testid="drift-error"]');
      assert.match(await text(page, '[data-testid="drift-error"]'), /live manifests cannot be used[\s\S]*broken-np\.yaml`:5:16/);
      await page.click('[data-testid="drift-live-remove"]');
      await page.evaluate(() => (window.__mock.config.openPath = "/work/live/online-boutique"));
      await page.click('[data-testid="drift-live-folder"]');
      await page.waitForSelector('[data-testid="drift-section"][data-kind="live"]');
      const args = await page.evaluate(() => window.__mock.calls.filter((c) => c.cmd === "drift_check").at(-1).args);
      assert.deepEqual(args.live, ["/work/live/online-boutique"]);
      assert.match(await text(page, '[data-testid="drift-item"][data-kind="live"]'), /web-bff → ledger-service · live-only[\s\S]*8443: design denies, live allows/);
      await page.click('[data-testid="drift-item"][data-kind="live"]');
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("s:ledger-service").hasClass("focus"));
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "least privilege: reviews the proposal as a diff, accepts some or all as one undoable edit"() {
      const page = await open();
      await page.click('[data-testid="tab-propose"]');
      await page.click('[data-testid="propose-run"]');
      await page.waitForSelector('[data-testid="propose-change"]');
      const ids = await page.locator('[data-testid="propose-change"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      assert.deepEqual(ids, ["add:fraud-scoring-to-customer-profile-api", "remove:settlement-reconciliation-exception"]);
      assert.match(await text(page, '[data-testid="propose-change"][data-id^="add:"] [data-testid="propose-diff"]'), /^\+ fraud-scoring-to-customer-profile-api: fraud-scoring → customer-profile-api/);
      assert.match(await text(page, '[data-testid="propose-change"][data-id^="remove:"] [data-testid="propose-diff"]'), /^- settlement-reconciliation-exception:/);
      assert.ok(await page.isDisabled('[data-testid="propose-accept"]'), "nothing ticked yet");
      await shot(page, "propose");
      const rules = async () => (await design(page)).rules.map((r) => r.id);
      const before = await rules();
      // tick one
      await page.check('[data-testid="propose-change"][data-id^="add:"] [data-testid="propose-change-tick"]');
      await page.click('[data-testid="propose-accept"]');
      await page.waitForSelector('[data-testid="propose-applied"]');
      const args = await page.evaluate(() => window.__mock.calls.filter((c) => c.cmd === "propose_apply").at(-1).args);
      assert.deepEqual(args.accept, ["add:fraud-scoring-to-customer-profile-api"]);
      assert.ok((await rules()).includes("fraud-scoring-to-customer-profile-api"));
      assert.ok((await rules()).includes("settlement-reconciliation-exception"));
      // the proposal follows: only the removal is left
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="propose-change"]').length === 1);
      await page.keyboard.press("Control+z");
      assert.deepEqual(await rules(), before);
      // all of it, as one edit
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="propose-change"]').length === 2);
      await page.click('[data-testid="propose-accept-all"]');
      await page.waitForSelector('[data-testid="propose-applied"]');
      const after = await rules();
      assert.ok(after.includes("fraud-scoring-to-customer-profile-api") && !after.includes("settlement-reconciliation-exception"));
      await page.waitForSelector('[data-testid="propose-nothing"]');
      await page.keyboard.press("Control+z");
      assert.deepEqual(await rules(), before);
      assert.deepEqual(page.errors, []);
      assert.ok((await byRevision(page, ["propose_rules", "propose_apply"])) > 0, "named by revision");
      await page.close();
    },

    async "offers to recover unsaved work after a crash"() {
      const page = await open({ recovery: true });
      await page.waitForSelector('[data-testid="recovery-banner"]');
      await page.click('[data-testid="recovery-restore"]');
      assert.equal(await text(page, '[data-testid="design-title"]'), "Northwind Bank (recovered)");
      await page.waitForSelector('[data-testid="unsaved-marker"]');
      assert.equal(await calls(page, "discard_recovery"), 1);
      await page.close();
    },

    async "asks before closing with unsaved changes: cancel keeps the window, discard closes"() {
      const page = await open();
      // In braces: returning the Cytoscape element would make playwright serialize the whole graph (half a minute).
      await page.evaluate(() => {
        window.__bulkhead.app.canvas.cy.getElementById("s:ledger-service").select();
      });
      await page.waitForSelector('[data-testid="field-exposure"]');
      await page.selectOption('[data-testid="field-exposure"]', "internet");
      await page.evaluate(() => window.__mock.emit("bulkhead://close-requested"));
      await page.waitForSelector('[data-testid="unsaved-prompt"]');
      await shot(page, "unsaved-prompt");
      await page.click('[data-testid="confirm-cancel"]');
      await page.waitForSelector('[data-testid="unsaved-prompt"]', { state: "detached" });
      assert.equal(await calls(page, "confirm_close"), 0, "cancelled: the window stays");
      await page.evaluate(() => window.__mock.emit("bulkhead://close-requested"));
      await page.click('[data-testid="confirm-discard"]');
      await page.waitForFunction(() => window.__mock.calls.some((c) => c.cmd === "confirm_close"));
      await page.close();
    },

    async "draws a flow, makes a segment around a selection, searches and filters"() {
      const page = await open();
      const flows = (await design(page)).flows.length;
      await page.click('[data-testid="canvas"]', { position: { x: 5, y: 300 } });
      await page.keyboard.press("f");
      await page.waitForSelector('[data-testid="draw-flow-hint"]');
      for (const id of ["admin-console", "ledger-service"]) {
        const p = await page.evaluate((x) => window.__bulkhead.nodeCenter(x), id);
        await page.mouse.click(p.x, p.y);
      }
      assert.equal((await design(page)).flows.length, flows + 1);
      assert.deepEqual((await design(page)).flows.at(-1).from, "admin-console");
      // select two services and press G
      await page.evaluate(() => {
        const cy = window.__bulkhead.app.canvas.cy;
        cy.$(":selected").unselect();
        cy.getElementById("s:ledger-service").select();
        cy.getElementById("s:card-vault").select();
      });
      await page.waitForFunction(() => window.__bulkhead.app.store.get().selection.ids.length === 2);
      await page.click('[data-testid="btn-make-segment"]');
      const seg = (await design(page)).segments.at(-1);
      assert.deepEqual([...seg.members].sort(), ["card-vault", "ledger-service"]);
      assert.equal((await page.evaluate(() => window.__bulkhead.nodeCount())).segments, 17);
      // search + filter
      await page.fill('[data-testid="search-input"]', "card");
      assert.match(await text(page, '[data-testid="filter-count"]'), /\d+ match/);
      const faded = await page.evaluate(() => window.__bulkhead.app.canvas.cy.nodes('.faded[type = "service"]').length);
      assert.ok(faded > 20, `faded ${faded}`);
      await page.selectOption('[data-testid="filter-data-class"]', "payment-card");
      await page.click('[data-testid="filter-clear"]');
      assert.equal(await page.evaluate(() => window.__bulkhead.app.canvas.cy.$(".faded").length), 0);
      // auto-layout (fcose, a chunk loaded on first use): every service moves, as one undoable edit
      const placed = JSON.stringify((await design(page)).layout?.positions ?? {});
      await page.click('[data-testid="btn-layout"]');
      await page.waitForFunction((p) => JSON.stringify(window.__bulkhead.app.store.get().design.layout?.positions ?? {}) !== p, placed, { timeout: 60_000 });
      const laidOut = await design(page);
      assert.deepEqual(Object.keys(laidOut.layout.positions).sort(), laidOut.services.map((s) => s.id).sort());
      await page.keyboard.press("Control+z");
      assert.equal(JSON.stringify((await design(page)).layout?.positions ?? {}), placed);
      await page.close();
    },

    async "a segment made around services from two segments holds them on the canvas, over no other segment; undo puts them back"() {
      const page = await open();
      const parents = () => page.evaluate(() => ["web-bff", "ledger-service"].map((id) => window.__bulkhead.app.canvas.cy.getElementById(`s:${id}`).parent().id()));
      assert.deepEqual(await parents(), ["g:edge-public", "g:payments-domain"]);
      await page.evaluate(() => {
        const cy = window.__bulkhead.app.canvas.cy;
        cy.$(":selected").unselect();
        cy.getElementById("s:web-bff").select();
        cy.getElementById("s:ledger-service").select();
      });
      await page.waitForFunction(() => window.__bulkhead.app.store.get().selection.ids.length === 2);
      await page.keyboard.press("g");
      await page.waitForFunction(() => window.__bulkhead.app.store.get().design.segments.some((s) => s.id === "new-segment"));
      // The canvas shows what the design says: both services inside the new segment's box...
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("g:new-segment").children().length === 2, null, { timeout: 10_000 });
      assert.deepEqual(await parents(), ["g:new-segment", "g:new-segment"]);
      // ...and that box, made of services from opposite sides, was laid out clear of the others.
      assert.deepEqual(await page.evaluate(() => window.__bulkhead.segmentOverlaps()), []);
      await shot(page, "segment-around-selection");
      await page.keyboard.press("Control+z");
      await page.waitForFunction(() => window.__bulkhead.app.canvas.cy.getElementById("g:new-segment").empty());
      assert.deepEqual(await parents(), ["g:edge-public", "g:payments-domain"]);
      assert.deepEqual(await page.evaluate(() => window.__bulkhead.segmentOverlaps()), []);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "auto-layout keeps every segment clear of its siblings, and the result in view; undo restores"() {
      const page = await open();
      const before = (await design(page)).layout;
      // fcose alone drew sibling segments over each other on this design, on every run tried.
      for (let run = 0; run < 2; run++) {
        const rev = await page.evaluate(() => window.__bulkhead.app.store.get().revision);
        await page.keyboard.press("l");
        // Done when the positions are in and the busy state is down (a press before that is ignored).
        await page.waitForFunction((r) => window.__bulkhead.app.store.get().revision > r && window.__bulkhead.app.layout.running === null, rev, { timeout: 60_000 });
        assert.deepEqual(await page.evaluate(() => window.__bulkhead.segmentOverlaps()), [], `run ${run + 1}: no two sibling boxes overlap`);
      }
      // In view once the fit's animation ends (waited for, not timed: a loaded machine is slow).
      const frame = () =>
        page.evaluate(() => {
          const cy = window.__bulkhead.app.canvas.cy;
          const bb = cy.elements().renderedBoundingBox();
          return { w: cy.width(), h: cy.height(), x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
        });
      const inView = (f) => f.x1 > -2 && f.y1 > -2 && f.x2 < f.w + 2 && f.y2 < f.h + 2;
      await page.waitForFunction(() => !window.__bulkhead.app.canvas.cy.animated(), null, { timeout: 30_000 });
      const f = await frame();
      assert.ok(inView(f), `the laid-out graph is in view: ${JSON.stringify(f)}`);
      await shot(page, "auto-layout");
      await page.keyboard.press("Control+z");
      await page.keyboard.press("Control+z");
      assert.deepEqual((await design(page)).layout, before);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "auto-layout of 2,000 services shows that it is working first, keeps the window drawing while fcose runs, ignores a second press, and a failure clears it with a message"() {
      const page = await open({ initial: { generated: 2000 } });
      const busy = '[data-testid="layout-busy"]';
      const button = '[data-testid="btn-layout"]';
      // What the page looked like when the layout began, and how many layouts were started: the
      // canvas's autoLayout is wrapped, not replaced.
      await page.evaluate(([busy, button]) => {
        const canvas = window.__bulkhead.app.canvas;
        const real = canvas.autoLayout.bind(canvas);
        // Frames that ran with the busy state in the page: each is followed by a paint.
        window.__framesBusy = 0;
        const count = () => {
          if (document.querySelector(busy)) window.__framesBusy++;
          requestAnimationFrame(count);
        };
        requestAnimationFrame(count);
        window.__layouts = [];
        canvas.autoLayout = () => {
          const el = document.querySelector(busy);
          window.__layouts.push({ text: el?.textContent ?? null, framesBusy: window.__framesBusy, disabled: document.querySelector(button).disabled });
          // Asked again as it starts: ignored.
          window.__bulkhead.app.run("autoLayout");
          // A press made now, while fcose holds the window, is delivered when it thaws: made
          // here (an event's time is when it was made) and dispatched once the layout is done.
          window.__frozenPress = new KeyboardEvent("keydown", { key: "l", bubbles: true });
          return real();
        };
      }, [busy, button]);
      const rev = await page.evaluate(() => window.__bulkhead.app.store.get().revision);
      // Pressed, and a key pressed right after (handled before fcose starts, or queued behind it).
      const at = await page.$eval(button, (b) => {
        const r = b.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      });
      await page.mouse.click(at.x, at.y);
      await page.keyboard.press("l");
      await page.waitForFunction(() => window.__layouts.length > 0 && window.__bulkhead.app.layout.running === null, null, { timeout: 120_000 });
      await page.evaluate(() => window.dispatchEvent(window.__frozenPress));
      const started = await page.evaluate(() => window.__layouts);
      assert.equal(started.length, 1, `one layout ran: ${JSON.stringify(started)}`);
      assert.equal(started[0].text?.trim(), "Laying out 2,000 services…");
      assert.ok(started[0].framesBusy >= 2, `a frame with the busy state was drawn before fcose ran (${started[0].framesBusy})`);
      assert.ok(started[0].disabled, "the Layout button is disabled while it runs");
      assert.equal(await page.evaluate(() => window.__bulkhead.app.store.get().revision), rev + 1, "the layout is one edit");
      assert.deepEqual(await page.evaluate(() => window.__bulkhead.segmentOverlaps()), [], "no two sibling boxes of the 2,000 services overlap");
      assert.ok(!(await page.$eval(button, (b) => b.disabled)), "the Layout button is enabled again");
      // Presses that were queued behind the layout have all been delivered by now: still one.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      assert.equal(await page.evaluate(() => window.__layouts.length), 1);
      assert.equal(await page.$(busy), null);
      // fcose ran in a worker: the page kept drawing frames all the while (on the main thread it
      // held the window, and only the frames before it started and after it ended were drawn).
      const framesBusy = await page.evaluate(() => window.__framesBusy);
      assert.ok(framesBusy - started[0].framesBusy >= 10, `frames drawn while fcose ran: ${framesBusy - started[0].framesBusy}`);

      // A layout that fails (here the worker, where fcose runs, answers with an error) leaves the app usable.
      await page.evaluate(() => {
        window.__realWorker = window.Worker;
        window.Worker = class {
          constructor() {
            setTimeout(() => this.onmessage?.({ data: { ok: false, error: "fcose could not place the graph" } }), 50);
          }
          postMessage() {}
          terminate() {}
        };
      });
      const before = await design(page);
      await page.click(button);
      await page.waitForSelector('[data-testid="layout-error"]', { timeout: 30_000 });
      assert.match(await page.textContent('[data-testid="layout-error"]'), /Auto-layout failed: fcose could not place the graph\. The positions are unchanged\./);
      assert.equal(await page.$(busy), null, "the busy state is cleared");
      assert.ok(!(await page.$eval(button, (b) => b.disabled)), "the Layout button is enabled");
      assert.deepEqual((await design(page)).layout, before.layout, "the positions are unchanged");
      await shot(page, "auto-layout-failed");
      // It works again once the layout does, and the message goes.
      await page.evaluate(() => (window.Worker = window.__realWorker));
      await page.click(button);
      await page.waitForSelector('[data-testid="layout-error"]', { state: "detached", timeout: 10_000 });
      await page.waitForSelector(busy, { state: "detached", timeout: 120_000 });
      assert.equal(await page.evaluate(() => window.__bulkhead.app.store.get().revision), rev + 2);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "every example opens with its saved layout keeping each segment, label and all, clear of its siblings"() {
      // The same measure as the auto-layout flow's (segmentOverlaps: the boxes Cytoscape drew, a
      // segment's with its label), on the positions saved in the file, which are not laid out again.
      const dir = path.resolve(uiRoot, "..", "examples");
      const files = readdirSync(dir).filter((f) => f.endsWith(".bulkhead.json")).sort();
      assert.ok(files.length >= 3, `the examples: ${files}`);
      for (const f of files) {
        const file = path.join(dir, f);
        const saved = JSON.parse(readFileSync(file, "utf8"));
        const page = await open({ initial: { design: saved, path: file } });
        assert.deepEqual((await design(page)).layout, saved.layout, `${f}: opened with its saved positions`);
        assert.deepEqual(await page.evaluate(() => window.__bulkhead.segmentOverlaps()), [], `${f}: no two sibling boxes overlap`);
        await shot(page, `example-${f.replace(/\.bulkhead\.json$/, "")}`);
        assert.deepEqual(page.errors, []);
        await page.close();
      }
    },

    async "a long design name is cut in the toolbar, which stays one row, the unsaved marker in view"() {
      const page = await open();
      const long = "Northwind Bank: retail, cards, lending and partner estate, EU region, architecture review 2026-Q3";
      await page.fill('[data-testid="field-design-name"]', long);
      await page.press('[data-testid="field-design-name"]', "Enter");
      await page.waitForSelector('[data-testid="unsaved-marker"]');
      const m = await page.evaluate(() => {
        const r = (sel) => document.querySelector(sel).getBoundingClientRect();
        const title = document.querySelector('[data-testid="design-title"]');
        return { toolbar: r(".toolbar").height, help: r('[data-testid="btn-help"]').top, newBtn: r('[data-testid="btn-new"]').top, marker: r('[data-testid="unsaved-marker"]'), width: innerWidth, cut: title.scrollWidth > title.clientWidth, hover: title.getAttribute("title") };
      });
      assert.ok(m.toolbar < 50, `the toolbar is one row (${m.toolbar} px high)`);
      assert.equal(m.help, m.newBtn, "the first and last tools are on the same row");
      assert.ok(m.cut, "the name is cut with an ellipsis");
      assert.ok(m.hover.startsWith(long), "the whole name shows on hover");
      assert.ok(m.marker.width > 0 && m.marker.right <= m.width, "the unsaved marker is in view");
      await page.close();
    },

    async "the recent files menu closes on Esc and on a click elsewhere"() {
      const page = await open();
      const menu = '[data-testid="recent-menu"]';
      await page.click('[data-testid="btn-recent"]');
      await page.waitForSelector(menu);
      await page.keyboard.press("Escape");
      await page.waitForSelector(menu, { state: "detached", timeout: 5_000 });
      await page.click('[data-testid="btn-recent"]');
      await page.waitForSelector(menu);
      // Away from the menu, without the pointer ever passing over it (it closed on leaving only).
      await page.click('[data-testid="status-bar"]');
      await page.waitForSelector(menu, { state: "detached", timeout: 5_000 });
      await page.close();
    },

    async "dark theme and the shortcut help"() {
      const page = await open({}, { theme: "dark" });
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
      await page.click('[data-testid="tab-simulate"]');
      await page.click('[data-testid="sim-run"]');
      await page.waitForSelector('[data-testid="sim-path"]');
      await page.locator('[data-testid="sim-path"][data-crown-jewel="true"]').first().click();
      await page.waitForTimeout(1500);
      await shot(page, "simulation-dark");
      await page.click('[data-testid="canvas"]', { position: { x: 5, y: 300 } });
      await page.keyboard.press("Shift+?");
      await page.waitForSelector('[data-testid="help-panel"]');
      assert.ok((await page.locator('[data-testid="help-row"]').count()) >= 20);
      await shot(page, "help-dark");
      await page.keyboard.press("Escape");
      await page.waitForSelector('[data-testid="help-panel"]', { state: "detached" });
      await page.keyboard.press("t");
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
      await page.close();
    },

    async "after \"show all\" attack paths or stolen credentials, a new run shows the first page again"() {
      // Regression: the panel kept rendering every path for later runs until it was remounted.
      // A gateway on the internet that calls 80 services in one flat segment: 81 attack paths.
      const ids = Array.from({ length: 80 }, (_, i) => `s${i}`);
      const fan = {
        format: "bulkhead/1",
        name: "Fan",
        data_classes: [],
        services: [{ id: "gw", name: "Gateway", kind: "gateway", exposure: "internet" }, ...ids.map((id) => ({ id, name: `Service ${id}`, kind: "api", exposure: "internal", credentials: [{ type: "api_key", key: `key-${id}` }] }))],
        segments: [{ id: "flat", name: "Flat", level: "network", trust: "low", members: ["gw", ...ids], policy: { auth: { type: "none" }, intra: "allow", default_action: "deny" } }],
        rules: [{ id: "in", from: "internet", to: { service: "gw" }, action: "allow" }],
        flows: [{ id: "in", from: "internet", to: "gw", kind: "declared" }, ...ids.map((id) => ({ id: `f-${id}`, from: "gw", to: id, kind: "declared" }))],
        layout: { positions: {} },
      };
      const page = await open({ initial: { design: fan, path: "/tmp/fan.bulkhead.json" } });
      await settle(page);
      await page.click('[data-testid="tab-simulate"]');
      await page.click('[data-testid="sim-run"]');
      await page.waitForSelector('[data-testid="sim-path-all"]', { timeout: 10_000 });
      const paths = () => page.evaluate(() => ({ rendered: document.querySelectorAll('[data-testid="sim-path"]').length, total: Number(document.querySelector('[data-testid="sim-path-count"]').textContent.replace(/\D/g, "")) }));
      assert.deepEqual(await paths(), { rendered: 50, total: 81 });
      // Each of the 80 services holds a key: the list shows the first 20 and counts the rest.
      const stolen = () => page.evaluate(() => ({ rendered: document.querySelectorAll('[data-testid="sim-stolen"] li').length, total: document.querySelector('[data-testid="sim-stolen-count"]').textContent, hidden: document.querySelector('[data-testid="sim-stolen-hidden"]')?.textContent ?? null }));
      assert.deepEqual(await stolen(), { rendered: 20, total: "(80)", hidden: "60 more not shown." });
      await page.click('[data-testid="sim-stolen-all"]');
      assert.deepEqual(await stolen(), { rendered: 80, total: "(80)", hidden: null });
      await page.click('[data-testid="sim-path-all"]');
      assert.deepEqual(await paths(), { rendered: 81, total: 81 });
      // Run again: the same settings, a new run.
      await page.evaluate(() => (window.__before = window.__bulkhead.app.backend.view.simulation));
      await page.click('[data-testid="sim-run"]');
      await page.waitForFunction(() => window.__bulkhead.app.backend.view.simulation !== window.__before && document.querySelector('[data-testid="sim-path-count"]'), null, { timeout: 10_000 });
      await page.waitForFunction(() => performance.getEntriesByName("bulkhead:sim-highlight").length >= 2, null, { timeout: 10_000 });
      assert.deepEqual(await paths(), { rendered: 50, total: 81 });
      assert.deepEqual(await stolen(), { rendered: 20, total: "(80)", hidden: "60 more not shown." });
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "stays responsive with 2,000 services (reports first render and highlight times)"() {
      const page = await open({ initial: { generated: 2000 } });
      const counts = await page.evaluate(() => window.__bulkhead.nodeCount());
      assert.equal(counts.services, 2000);
      const firstRender = await page.evaluate(() => performance.getEntriesByName("bulkhead:first-render")[0].startTime);
      await settle(page);
      await page.click('[data-testid="tab-simulate"]');
      await page.evaluate(() => window.__bulkhead.app.store.get().simulation.animate && document.querySelector('[data-testid="sim-animate"]').click());
      await page.click('[data-testid="sim-run"]');
      await page.waitForFunction(() => performance.getEntriesByName("bulkhead:sim-highlight").length > 0, null, { timeout: 30_000 });
      const sim = await page.evaluate(() => performance.getEntriesByName("bulkhead:sim-highlight")[0].startTime - performance.getEntriesByName("bulkhead:sim-click")[0].startTime);
      // an edit on the big design is a diff, not a rebuild
      const t0 = Date.now();
      await page.evaluate(() => window.__bulkhead.app.run("addService"));
      await page.waitForFunction(() => window.__bulkhead.nodeCount().services === 2001);
      const edit = Date.now() - t0;
      await shot(page, "canvas-2000");
      console.log(`    2,000 services (Chromium, mocked backend): first render ${Math.round(firstRender)} ms after navigation start, simulation click → highlight ${Math.round(sim)} ms, add-service edit → canvas ${edit} ms`);
      assert.deepEqual(page.errors, []);
      await page.close();
    },

    async "the matrix on 2,000 services renders only the scrolled window; a far cell is editable and undoable"() {
      const page = await open({ initial: { generated: 2000 } });
      await settle(page);
      const t0 = Date.now();
      await page.click('[data-testid="tab-matrix"]');
      await page.waitForSelector('[data-testid="matrix-cell"]', { timeout: 60_000 });
      const opened = Date.now() - t0;
      const size = () => page.evaluate(() => ({ rows: Number(document.querySelector('[data-testid="matrix"]').dataset.rows), cols: Number(document.querySelector('[data-testid="matrix"]').dataset.cols), cells: document.querySelectorAll('[data-testid="matrix-cell"]').length }));
      const first = await size();
      assert.ok(first.rows * first.cols > 2500, `a large matrix (${first.rows} × ${first.cols})`);
      assert.ok(first.cells > 0 && first.cells < 2000, `${first.cells} of ${first.rows * first.cols} cells rendered`);
      await page.waitForSelector('[data-testid="matrix-window"]');
      // Scrolled to the far corner, the last row and the last column are rendered.
      await page.evaluate(() => {
        const s = document.querySelector('[data-testid="matrix-scroll"]');
        s.scrollTop = s.scrollHeight;
        s.scrollLeft = s.scrollWidth;
      });
      await page.waitForFunction(() => /rows \d+–(\d+) and columns \d+–(\d+)/.test(document.querySelector('[data-testid="matrix-window"]').textContent) && (() => {
        const [, r, c] = document.querySelector('[data-testid="matrix-window"]').textContent.match(/rows \d+–(\d+) and columns \d+–(\d+)/);
        const t = document.querySelector('[data-testid="matrix"]');
        return Number(r) === Number(t.dataset.rows) && Number(c) === Number(t.dataset.cols);
      })(), null, { timeout: 10_000 });
      const far = await page.evaluate(() => {
        const cells = [...document.querySelectorAll('[data-testid="matrix-cell"]')].map((c) => ({ from: c.dataset.from, to: c.dataset.to, allowed: c.dataset.allowed }));
        return cells.reverse().find((c) => c.allowed === "none" && c.from !== c.to && c.from !== "internet" && c.from !== "unsegmented" && c.to !== "unsegmented") ?? null;
      });
      assert.ok(far, "a closed pair near the far corner");
      assert.ok((await size()).cells < 2000, "the window stays bounded after scrolling");
      const sel = `[data-testid="matrix-cell"][data-from="${far.from}"][data-to="${far.to}"]`;
      const rules = (await design(page)).rules.length;
      await page.click(sel);
      await page.click('[data-testid="matrix-allow-toggle"]');
      assert.equal((await design(page)).rules.length, rules + 1);
      await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("data-allowed") !== "none", sel, { timeout: 30_000 });
      await page.click('[data-testid="matrix"] th.corner');
      await page.keyboard.press("Control+z");
      assert.equal((await design(page)).rules.length, rules);
      await page.waitForFunction((s) => document.querySelector(s)?.getAttribute("data-allowed") === "none", sel, { timeout: 30_000 });
      await shot(page, "matrix-2000");
      console.log(`    2,000 services (Chromium, mocked backend): matrix ${first.rows} × ${first.cols}, ${first.cells} cells rendered, tab click → first cell ${opened} ms`);
      assert.deepEqual(page.errors, []);
      await page.close();
    },
  };

  for (const [name, flow] of Object.entries(flows)) {
    if (only && !name.includes(only)) continue;
    const t = Date.now();
    try {
      await flow();
      results.push([name, true]);
      console.log(`  ok   ${name} (${Date.now() - t} ms)`);
    } catch (e) {
      results.push([name, false]);
      console.log(`  FAIL ${name}\n       ${String(e?.stack ?? e).split("\n").slice(0, 6).join("\n       ")}`);
    }
  }
} finally {
  await context?.close().catch(() => undefined);
  preview.kill("SIGTERM");
  rmSync(userDataDir, { recursive: true, force: true });
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`screenshots: ${outDir}`);
console.log(`ui flows: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
