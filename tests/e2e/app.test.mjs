// End-to-end tests of the real Bulkhead app (see scripts/app-e2e.sh for the setup).
//
// They drive the window as a person does (pointer clicks and drags on the canvas, typing into
// the inspector, the panel tabs, the toolbar) and assert on the DOM through the data-testids
// listed in docs/ipc.md. Every number the app shows is checked against an oracle: the `bulkhead`
// CLI run on the same design (the same core crates, reached without the app). Screenshots of the
// real window go to $BULKHEAD_SHOTS_DIR.
//
// The tests of one `describe` share one app session and run in order: each leaves the design as
// the next expects it (edits are undone until the drag test, which the save test then saves).

import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  ROOT,
  alive,
  appPid,
  cli,
  cliJson,
  close,
  closeWindow,
  launch,
  press,
  ready,
  screenshot,
  shown,
  tempDir,
  tid,
  until,
} from "./harness.mjs";

const SHOTS = process.env.BULKHEAD_SHOTS_DIR ?? tempDir("shots");
const FINTECH = join(ROOT, "examples/fintech.bulkhead.json");
const BOUTIQUE = join(ROOT, "examples/online-boutique.bulkhead.json");

/**
 * The shared corpus (read-only): `BULKHEAD_CORPUS`, else `shared/corpus` or `../shared/corpus`
 * found walking up from the repository. Missing outside CI: those tests say so and skip; in CI
 * that is a failure.
 */
function findCorpus() {
  if (process.env.BULKHEAD_CORPUS) return process.env.BULKHEAD_CORPUS;
  let dir = ROOT;
  for (let i = 0; i < 8; i++) {
    for (const c of [join(dir, "shared/corpus"), join(dir, "../shared/corpus")]) {
      if (existsSync(join(c, "SOURCES.md"))) return c;
    }
    const up = join(dir, "..");
    if (up === dir) break;
    dir = up;
  }
  if (process.env.CI) throw new Error("the shared corpus is missing in CI (set BULKHEAD_CORPUS)");
  console.error("SKIPPED corpus tests: shared/corpus not found (set BULKHEAD_CORPUS)");
  return null;
}
const CORPUS = findCorpus();
const DEMO = CORPUS && join(CORPUS, "GoogleCloudPlatform__microservices-demo");
/** Online Boutique's manifests and its own NetworkPolicies (a folder of 13). */
const BOUTIQUE_MANIFESTS = DEMO && join(DEMO, "release/kubernetes-manifests.yaml");
const BOUTIQUE_POLICIES = DEMO && join(DEMO, "kustomize/components/network-policies");
/** Hubble flows whose peers the boutique design does not have: shadow services for it. */
const HUBBLE_FLOWS = CORPUS && join(CORPUS, "cilium__hubble-otel/testdata/basic-sample-10-flows.json");

/** A design as the CLI writes it, without the canvas layout (the app places new nodes itself). */
function withoutLayout(d) {
  const { layout, ...rest } = structuredClone(d);
  return rest;
}

/** Types a path into a field and presses the button that adds it. */
async function addPath(browser, field, button, path) {
  const el = await shown(browser, tid(field));
  await el.setValue(path);
  await press(browser, tid(button));
}

/** Sets a `<select>`'s value the way a user picking an option does. */
async function choose(browser, selector, value) {
  const el = await shown(browser, selector);
  await el.selectByAttribute("value", value);
}

async function text(browser, selector) {
  return (await shown(browser, selector)).getText();
}

/** The design the app holds right now (read through the test hooks). */
function appDesign(browser) {
  return browser.execute(() => window.__bulkhead.app.store.get().design);
}

async function isDirty(browser) {
  return (await browser.$$(tid("unsaved-marker"))).length > 0;
}

async function compromisedCount(browser) {
  const t = await until(browser, "a compromised count", async () => {
    const el = await browser.$(tid("sim-compromised-count"));
    if (!(await el.isExisting())) return null;
    const s = (await el.getText()).trim();
    return /^\d+$/.test(s) ? s : null;
  });
  return Number(t);
}

/** The CLI's simulation of `designPath` from `origin`, as JSON. */
function cliSimulation(designPath, origin, assume = "worst") {
  return cliJson(["simulate", designPath, "--from", origin, "--assume", assume, "--format", "json"]);
}

/** Moves `service` into `segment` in a design, as the canvas's drag-and-drop does. */
function moved(d, service, segment) {
  const copy = structuredClone(d);
  for (const seg of copy.segments) seg.members = (seg.members ?? []).filter((m) => m !== service);
  copy.segments.find((s) => s.id === segment).members.push(service);
  return copy;
}

/**
 * A (service, segment) move after which the CLI's breach from the internet compromises a
 * different number of services than `current`, with that number. Looked up with the CLI rather
 * than hard-coded, so the test follows the example as it evolves.
 */
function findMoveThatChangesTheBreach(designPath, current) {
  const d = JSON.parse(readFileSync(designPath, "utf8"));
  const scratch = join(tempDir("move"), "moved.bulkhead.json");
  const segmentOf = (id) => d.segments.find((s) => (s.members ?? []).includes(id))?.id;
  // Internet-facing services first: moving an entry point is what changes a breach the most.
  const services = [...d.services].sort((a, b) => (b.exposure === "internet") - (a.exposure === "internet"));
  let tries = 0;
  for (const svc of services) {
    for (const seg of d.segments) {
      if (seg.id === segmentOf(svc.id) || d.segments.some((c) => c.parent === seg.id)) continue;
      if (++tries > 400) break;
      writeFileSync(scratch, JSON.stringify(moved(d, svc.id, seg.id)));
      const n = cliSimulation(scratch, "internet").compromised.length;
      if (n !== current) return { service: svc.id, segment: seg.id, compromised: n };
    }
  }
  assert.fail("no single move of a service into another leaf segment changes the breach");
}

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** A real pointer click at client coordinates (the canvas is one <canvas>: no element to click). */
async function clickAt(browser, p) {
  await browser
    .action("pointer", { parameters: { pointerType: "mouse" } })
    .move({ x: Math.round(p.x), y: Math.round(p.y) })
    .down()
    .pause(60)
    .up()
    .perform();
}

/** `none` / `some` / `all` for a segment matrix entry, as the app's matrix computes it. */
function allowedOf(e) {
  if (!e || e.pairs === 0) return "none";
  return e.pairs >= e.possible_pairs ? "all" : "some";
}

/** The CLI's segment matrix of a design as `from\u0000to` → none/some/all. */
function cliMatrix(designPath) {
  const key = (s) => (typeof s === "string" ? s : s.segment);
  const out = new Map();
  for (const e of cliJson(["matrix", designPath, "--by", "segment", "--format", "json"]).entries) {
    out.set(`${key(e.from)}\u0000${key(e.to)}`, allowedOf(e));
  }
  return out;
}

/** Every matrix cell the app shows, read in one round trip. */
function appMatrix(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="matrix-cell"]')].map((c) => ({
      from: c.getAttribute("data-from"),
      to: c.getAttribute("data-to"),
      allowed: c.getAttribute("data-allowed"),
    })),
  );
}

describe("the fintech example in the real app", () => {
  let browser;
  const work = tempDir("fintech");
  // The app edits and saves; give it a private copy.
  const design = join(work, "fintech.bulkhead.json");
  const original = readFileSync(FINTECH, "utf8");
  const fileDesign = () => JSON.parse(readFileSync(design, "utf8"));
  /** Set by the drag test for the save-and-reopen test. */
  let move = null;

  before(async () => {
    copyFileSync(FINTECH, design);
    browser = await launch([design]);
    await ready(browser);
  });
  after(async () => close(browser));

  test("opens the design from the command line: title, services and segments on a canvas that fills its area", async () => {
    const title = await text(browser, tid("doc-title"));
    assert.match(title, /fintech\.bulkhead\.json/);
    assert.equal(await isDirty(browser), false, "a freshly opened design has no unsaved marker");
    const nodes = await browser.execute(() => window.__bulkhead.nodeCount());
    const expected = fileDesign();
    assert.equal(nodes.services, expected.services.length);
    assert.equal(nodes.segments, expected.segments.length);
    // The graph is framed: it fits inside the canvas and fills most of it in one direction.
    const frame = await browser.execute(() => {
      const cy = window.__bulkhead.app.canvas.cy;
      const bb = cy.elements().renderedBoundingBox();
      return { w: cy.width(), h: cy.height(), x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
    });
    assert.ok(frame.w > 600 && frame.h > 500, `the canvas is large (${frame.w}×${frame.h})`);
    const fill = Math.max((frame.x2 - frame.x1) / frame.w, (frame.y2 - frame.y1) / frame.h);
    assert.ok(fill > 0.7, `the graph fills the canvas (${Math.round(fill * 100)}%)`);
    assert.ok(frame.x1 > -2 && frame.y1 > -2 && frame.x2 < frame.w + 2 && frame.y2 < frame.h + 2, `the graph is inside the canvas: ${JSON.stringify(frame)}`);
    // Sibling segments (same parent) never overlap: each is a closed boundary of its own.
    const overlaps = await browser.execute(() => window.__bulkhead.segmentOverlaps());
    assert.deepEqual(overlaps, [], "no two sibling segment boxes overlap");
    screenshot(join(SHOTS, "canvas.png"));
  });

  test("selecting a service on the canvas opens it in the inspector; an edit shows on the canvas and undo/redo step it", async () => {
    const service = "loans-api";
    const name = fileDesign().services.find((s) => s.id === service).name;
    const at = await browser.execute((id) => window.__bulkhead.nodeCenter(id), service);
    assert.ok(at, `\`${service}\` is on the canvas`);
    await clickAt(browser, at);
    await until(browser, `\`${service}\` selected`, async () => {
      const sel = await browser.execute(() => window.__bulkhead.app.store.get().selection);
      return sel.kind === "service" && sel.ids.length === 1 && sel.ids[0] === service;
    });
    assert.equal(await text(browser, tid("inspector-title")), name);
    const field = await shown(browser, tid("field-name"));
    assert.equal(await field.getValue(), name);
    const renamed = `${name} v2`;
    await field.setValue(renamed);
    await browser.keys("Enter");
    const label = () => browser.execute((id) => window.__bulkhead.app.canvas.cy.getElementById(`s:${id}`).data("label"), service);
    await until(browser, "the canvas label renamed", async () => (await label()) === renamed);
    assert.equal((await appDesign(browser)).services.find((s) => s.id === service).name, renamed);
    assert.ok(await isDirty(browser), "an edit marks the document unsaved");
    await until(browser, "the title's unsaved marker", async () => (await text(browser, tid("doc-title"))).includes("•"));

    await press(browser, tid("undo"));
    await until(browser, "the name undone on the canvas", async () => (await label()) === name);
    await until(browser, "the inspector showing the old name", async () => (await (await browser.$(tid("field-name"))).getValue()) === name);
    await press(browser, tid("redo"));
    await until(browser, "the name redone on the canvas", async () => (await label()) === renamed);
    await until(browser, "the inspector showing the new name", async () => (await (await browser.$(tid("field-name"))).getValue()) === renamed);
    // Keyboard undo too (Ctrl+Z), with the focus out of the text field.
    await browser.execute(() => document.activeElement?.blur());
    await browser.keys(["Control", "z"]);
    await until(browser, "the name undone by Ctrl+Z", async () => (await label()) === name);
    // Back to the file's design, which the next tests compare with the CLI.
    assert.deepEqual((await appDesign(browser)).services, fileDesign().services);
    await browser.keys("Escape");
  });

  test("a breach from the internet shows the engine's compromised count and a crown-jewel path", async () => {
    await press(browser, tid("tab-simulate"));
    await choose(browser, tid("sim-origin"), "internet");
    await choose(browser, tid("sim-assume"), "worst");
    await press(browser, tid("sim-run"));
    const shownCount = await compromisedCount(browser);
    const oracle = cliSimulation(design, "internet");
    assert.equal(shownCount, oracle.compromised.length, "the app shows the engine's compromised count");
    // The canvas lights up exactly the compromised services (after the hop-by-hop animation):
    // what the simulation layer painted, compared with the engine's answer.
    const painted = () => browser.execute(() => window.__bulkhead.simulationPainted());
    const litOf = (p) => Object.entries(p?.nodes ?? {}).filter(([, n]) => n.compromised).map(([id]) => id).sort();
    await until(browser, "every compromised service lit on the canvas", async () => litOf(await painted()).length === oracle.compromised.length);
    const layer = await painted();
    assert.ok(layer.veil, "everything else is dimmed");
    assert.deepEqual(litOf(layer), [...oracle.compromised].sort());
    // Every service the breach reaches is shown undimmed, and nothing else.
    const involved = new Set(["internet", oracle.origin, ...oracle.reached.map((r) => r.service)]);
    assert.deepEqual(Object.keys(layer.nodes).sort(), [...involved].sort());
    const attackCalls = Object.values(layer.edges).filter((k) => k === "attack").length;
    assert.ok(attackCalls > 0, "the attacker's calls are drawn");
    const jewel = await until(browser, "a crown-jewel attack path", async () => {
      const paths = await browser.$$(tid("sim-path", { "crown-jewel": "true" }));
      return paths.length > 0 ? paths[0] : null;
    });
    const target = await jewel.getAttribute("data-target");
    const crownJewels = new Set(fileDesign().data_classes.filter((c) => c.crown_jewel).map((c) => c.id));
    const reached = oracle.reached.find((r) => r.service === target);
    assert.ok(reached, `the engine reaches the crown-jewel path's target \`${target}\``);
    assert.ok(
      reached.exposed.some((c) => crownJewels.has(c)),
      `the engine exposes a crown jewel at \`${target}\` (exposed: ${reached.exposed.join(", ")})`,
    );
    await press(browser, tid("sim-path", { target }));
    await until(browser, "the clicked path highlighted", async () =>
      (await (await browser.$(tid("sim-path", { target }))).getAttribute("class")).includes("active"),
    );
    // The chosen path's services and calls stand out on the canvas.
    const pathNodes = [...new Set([reached.path[0]?.from ?? target, ...reached.path.map((h) => h.to)])].sort();
    const onPath = (p) => Object.entries(p?.nodes ?? {}).filter(([, n]) => n.ring === "on-path").map(([id]) => id).sort();
    await until(browser, "the path on the canvas", async () => onPath(await painted()).join() === pathNodes.join());
    const pathCalls = Object.values((await painted()).edges).filter((k) => k === "on-path").length;
    assert.ok(pathCalls >= reached.path.length, `the path's ${reached.path.length} calls drawn (${pathCalls})`);
    screenshot(join(SHOTS, "simulation.png"));
  });

  test("the segment matrix shows what the evaluator allows; editing a cell and undo/redo change it", async () => {
    await press(browser, tid("tab-matrix"));
    await shown(browser, tid("matrix"));
    const oracle = cliMatrix(design);
    const cells = await appMatrix(browser);
    assert.ok(cells.length > 100, `the matrix has ${cells.length} cells`);
    for (const c of cells) {
      assert.equal(c.allowed, oracle.get(`${c.from}\u0000${c.to}`) ?? "none", `cell ${c.from} → ${c.to}`);
    }
    // A closed pair of two distinct segments that hold services directly.
    const d = fileDesign();
    const holding = new Set(d.segments.filter((g) => (g.members ?? []).length > 0 && !d.segments.some((c) => c.parent === g.id)).map((g) => g.id));
    const cell = cells.find((c) => c.allowed === "none" && c.from !== c.to && holding.has(c.from) && holding.has(c.to));
    assert.ok(cell, "the matrix has a closed pair of two distinct leaf segments");
    const sel = tid("matrix-cell", { from: cell.from, to: cell.to });
    const allowed = async () => (await (await browser.$(sel)).getAttribute("data-allowed"));
    await press(browser, sel);
    await press(browser, tid("matrix-allow-toggle"));
    await until(browser, `${cell.from} → ${cell.to} allowed`, async () => (await allowed()) === "all");
    assert.ok(await isDirty(browser), "an edit marks the document unsaved");
    const rule = (await appDesign(browser)).rules.find((r) => r.from?.segment === cell.from && r.to?.segment === cell.to);
    assert.ok(rule, "the edit wrote a rule from one segment to the other");
    screenshot(join(SHOTS, "matrix.png"));
    await press(browser, tid("undo"));
    await until(browser, `${cell.from} → ${cell.to} closed again`, async () => (await allowed()) === "none");
    await press(browser, tid("redo"));
    await until(browser, `${cell.from} → ${cell.to} allowed again`, async () => (await allowed()) === "all");
    await press(browser, tid("undo"));
    await until(browser, `${cell.from} → ${cell.to} closed after the second undo`, async () => (await allowed()) === "none");
    assert.deepEqual((await appDesign(browser)).rules, fileDesign().rules);
  });

  test("the findings panel lists the engine's findings; clicking one focuses its element", async () => {
    await press(browser, tid("tab-findings"));
    const oracle = cliJson(["analyze", design, "--format", "json"]).findings;
    const keys = await until(browser, "findings listed", async () => {
      const k = await browser.execute(() => [...document.querySelectorAll('[data-testid="finding"]')].map((f) => f.getAttribute("data-key")));
      return k.length > 0 ? k : null;
    });
    assert.deepEqual([...keys].sort(), oracle.map((f) => f.key).sort(), "the app lists exactly the engine's findings");
    assert.equal(await text(browser, tid("findings-count")), `${oracle.length} open`);
    const first = oracle.find((f) => f.subjects.length > 0 && fileDesign().services.some((s) => s.id === f.subjects[0]));
    assert.ok(first, "a finding about a service");
    await press(browser, `${tid("finding", { key: first.key })} ${tid("finding-head")}`);
    await shown(browser, tid("finding-docs"));
    const focus = await browser.$(tid("finding-focus"));
    if (await focus.isExisting()) await press(browser, tid("finding-focus"));
    await until(browser, `\`${first.subjects[0]}\` selected`, async () => {
      const sel = await browser.execute(() => window.__bulkhead.app.store.get().selection);
      return sel.kind === "service" && sel.ids.includes(first.subjects[0]);
    });
    screenshot(join(SHOTS, "findings.png"));
  });

  test("exports NetworkPolicies into a folder: exactly the previewed files, byte for byte what `bulkhead export` writes", async () => {
    const out = tempDir("export");
    await press(browser, tid("tab-export"));
    const box = await shown(browser, tid("export-target", { target: "networkpolicy" }));
    if (!(await box.isSelected())) await press(browser, tid("export-target", { target: "networkpolicy" }));
    await press(browser, tid("export-preview"));
    const previewed = await until(browser, "previewed files", async () => {
      const paths = await browser.execute(() => [...document.querySelectorAll('[data-testid="export-file"]')].map((e) => e.getAttribute("data-path")));
      return paths.length > 0 ? paths : null;
    });
    // The findings test zoomed in on one service: frame the graph again, and bring the
    // highlighted file into view, for the screenshot.
    await press(browser, tid("btn-fit"));
    await browser.execute(() => document.querySelector('[data-testid="export-content"]')?.scrollIntoView({ block: "start" }));
    await shown(browser, tid("export-content"));
    screenshot(join(SHOTS, "export.png"));
    const dirField = await shown(browser, tid("export-dir"));
    await dirField.setValue(out);
    await press(browser, tid("export-write"));
    await shown(browser, tid("export-written"));
    const written = files(out);
    assert.deepEqual(written, [...previewed].sort(), "exactly the previewed files were written");

    const cliOut = join(tempDir("cli-export"), "np");
    cli(["export", design, "--target", "networkpolicy", "--out", cliOut]);
    const expected = files(cliOut);
    assert.ok(expected.length > 0);
    // The app writes each target into its own subfolder; the CLI writes one target's files directly.
    assert.deepEqual(written, expected.map((f) => `networkpolicy/${f}`));
    for (const f of expected) {
      assert.equal(readFileSync(join(out, "networkpolicy", f), "utf8"), readFileSync(join(cliOut, f), "utf8"), `${f} equals the CLI's`);
    }
  });

  test("dragging a service into another segment re-runs the simulation", async () => {
    await press(browser, tid("tab-simulate"));
    const before = await compromisedCount(browser);
    move = findMoveThatChangesTheBreach(design, before);
    // Earlier tests zoomed in on a finding: frame the whole graph again, as a user would.
    await press(browser, tid("btn-fit"));
    await until(browser, "the graph framed", () => browser.execute(() => {
      const cy = window.__bulkhead.app.canvas.cy;
      const bb = cy.elements().renderedBoundingBox();
      return !cy.animated() && bb.x1 > -2 && bb.y1 > -2 && bb.x2 < cy.width() + 2 && bb.y2 < cy.height() + 2;
    }));
    const from = await browser.execute((id) => window.__bulkhead.nodeCenter(id), move.service);
    const to = await browser.execute((id) => window.__bulkhead.nodeCenter(id), move.segment);
    assert.ok(from && to, `\`${move.service}\` and \`${move.segment}\` are on screen`);
    await browser
      .action("pointer", { parameters: { pointerType: "mouse" } })
      .move({ x: Math.round(from.x), y: Math.round(from.y) })
      .down()
      .move({ x: Math.round((from.x + to.x) / 2), y: Math.round((from.y + to.y) / 2), duration: 250 })
      .move({ x: Math.round(to.x), y: Math.round(to.y), duration: 250 })
      .up()
      .perform();
    await until(
      browser,
      `\`${move.service}\` in segment \`${move.segment}\``,
      async () => (await browser.execute((id) => window.__bulkhead.segmentOf(id), move.service)) === move.segment,
    );
    const after = await until(browser, "the re-run simulation", async () => {
      const n = await compromisedCount(browser);
      return n !== before ? n : null;
    });
    assert.equal(after, move.compromised, "the app shows the engine's count for the moved design");
  });

  test("save writes the edited design; reopening it shows the edit and the same breach", async () => {
    assert.ok(move, "the drag test ran");
    assert.ok(await isDirty(browser));
    await press(browser, tid("btn-save"));
    await until(browser, "the unsaved marker gone", async () => !(await isDirty(browser)));
    await until(browser, "the title without •", async () => !(await text(browser, tid("doc-title"))).includes("•"));
    const saved = readFileSync(design, "utf8");
    assert.ok(saved !== original, "the file changed");
    const d = JSON.parse(saved);
    assert.ok(d.segments.find((g) => g.id === move.segment).members.includes(move.service), "the move is saved");
    assert.deepEqual(cliJson(["validate", design, "--format", "json"]).files[0].valid, true, "the saved file is valid");
    assert.equal(cli(["fmt", "--check", design], { status: true }), 0, "the saved file is in canonical form");
    const count = cliSimulation(design, "internet").compromised.length;
    assert.equal(count, move.compromised);

    await close(browser);
    browser = await launch([design]);
    await ready(browser);
    assert.equal(await isDirty(browser), false);
    assert.match(await text(browser, tid("doc-title")), /fintech\.bulkhead\.json/);
    assert.equal(await browser.execute((id) => window.__bulkhead.segmentOf(id), move.service), move.segment);
    assert.equal((await browser.$$(tid("recovery-banner"))).length, 0, "a saved design leaves nothing to recover");
    await press(browser, tid("tab-simulate"));
    await choose(browser, tid("sim-origin"), "internet");
    await choose(browser, tid("sim-assume"), "worst");
    await press(browser, tid("sim-run"));
    assert.equal(await compromisedCount(browser), count);
  });

  test("least privilege: accepting every proposed change gives the design `bulkhead propose --apply all` writes; one undo restores it", async () => {
    assert.equal(await isDirty(browser), false, "the reopened design is the saved file");
    const before = await appDesign(browser);
    assert.deepEqual(withoutLayout(before), withoutLayout(fileDesign()));
    const oracle = cliJson(["propose", design, "--format", "json"]);
    assert.ok(oracle.changes.length > 0, "the example has something to tighten");
    await press(browser, tid("tab-propose"));
    await press(browser, tid("propose-run"));
    const ids = await until(browser, "the proposed changes", async () => {
      const got = await browser.execute(() => [...document.querySelectorAll('[data-testid="propose-change"]')].map((e) => e.getAttribute("data-id")));
      return got.length > 0 ? got : null;
    });
    assert.deepEqual(ids, oracle.changes.map((c) => c.id), "the app lists the CLI's changes, in its order");
    screenshot(join(SHOTS, "propose.png"));
    await press(browser, tid("propose-accept-all"));
    await shown(browser, tid("propose-applied"));
    const applied = join(tempDir("propose"), "applied.bulkhead.json");
    cli(["propose", design, "--apply", "all", "--out", applied]);
    const want = JSON.parse(readFileSync(applied, "utf8"));
    await until(browser, "the proposal applied", async () => JSON.stringify(withoutLayout(await appDesign(browser))) !== JSON.stringify(withoutLayout(before)));
    assert.deepEqual(withoutLayout(await appDesign(browser)), withoutLayout(want), "the app's design is the CLI's");
    assert.ok(await isDirty(browser));
    // The re-asked proposal of the applied design has nothing left to change.
    await shown(browser, tid("propose-nothing"));

    await press(browser, tid("undo"));
    await until(browser, "the proposal undone", async () => JSON.stringify(withoutLayout(await appDesign(browser))) === JSON.stringify(withoutLayout(before)));
    assert.deepEqual(await appDesign(browser), before, "one undo restores the design, layout and all");
    // Leave the file clean (no recovery offer for the next launch).
    await press(browser, tid("btn-save"));
    await until(browser, "the unsaved marker gone", async () => !(await isDirty(browser)));
  });
});

describe("Online Boutique: import, live policies and shadow services in the real app", { skip: !CORPUS && "the shared corpus is missing" }, () => {
  let browser;
  const work = tempDir("boutique");
  // A fresh design to import into (saved by the app at the end, so nothing is left to recover).
  const shop = join(work, "shop.bulkhead.json");
  // The CLI imports into its own copy of the same starting design.
  const shopForCli = join(work, "cli-shop.bulkhead.json");
  const boutique = join(work, "online-boutique.bulkhead.json");

  before(async () => {
    writeFileSync(shop, `${JSON.stringify({ format: "bulkhead/1", name: "Shop" }, null, 2)}\n`);
    copyFileSync(shop, shopForCli);
    copyFileSync(BOUTIQUE, boutique);
  });
  after(async () => close(browser));

  test("imports the manifests and NetworkPolicies by typed paths: the preview and the merge are what `bulkhead import` gives", async () => {
    browser = await launch([shop]);
    await ready(browser);
    await press(browser, tid("tab-import"));
    await addPath(browser, "import-path", "import-path-add", BOUTIQUE_MANIFESTS);
    await shown(browser, tid("import-preview"), 60_000);
    await addPath(browser, "import-path", "import-path-add", BOUTIQUE_POLICIES);
    await until(browser, "both sources previewed", async () =>
      (await browser.$$(tid("import-source"))).length === 2 && !(await (await browser.$(tid("import-busy"))).isExisting()) && (await (await browser.$(tid("import-preview"))).isExisting()),
    60_000);

    const dry = cliJson(["import", BOUTIQUE_MANIFESTS, BOUTIQUE_POLICIES, "--into", shopForCli, "--accept-segments", "--dry-run", "--format", "json"]);
    const shownChanges = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="import-change"]')].map((e) => `${e.getAttribute("data-kind")}:${e.getAttribute("data-id")}:${e.getAttribute("data-change")}`),
    );
    const expected = dry.preview.items.filter((i) => i.kind !== "segment" && (i.change === "added" || i.change === "updated")).map((i) => `${i.kind}:${i.id}:${i.change}`);
    assert.deepEqual([...shownChanges].sort(), [...expected].sort(), "the preview lists the changes the CLI's dry run reports");
    const proposed = await browser.execute(() => [...document.querySelectorAll('[data-testid="import-proposed-segment"]')].map((e) => e.getAttribute("data-id")));
    assert.deepEqual([...proposed].sort(), dry.proposal.segments.map((p) => p.segment.id).sort(), "the same proposed segments");
    const accept = await shown(browser, tid("import-accept-proposal"));
    if (!(await accept.isSelected())) await press(browser, tid("import-accept-proposal"));
    assert.equal((await browser.$$(tid("import-diagnostic", { severity: "error" }))).length, 0, "no source failed");
    screenshot(join(SHOTS, "import.png"));

    await press(browser, tid("import-apply"));
    await shown(browser, tid("import-merged"), 60_000);
    const merged = join(work, "cli-merged.bulkhead.json");
    cli(["import", BOUTIQUE_MANIFESTS, BOUTIQUE_POLICIES, "--into", shopForCli, "--accept-segments", "--out", merged]);
    const want = JSON.parse(readFileSync(merged, "utf8"));
    assert.deepEqual(withoutLayout(await appDesign(browser)), withoutLayout(want), "the merged design is the CLI's");
    const nodes = await browser.execute(() => window.__bulkhead.nodeCount());
    assert.deepEqual(nodes, { services: want.services.length, segments: want.segments.length }, "every imported service and segment is on the canvas");

    // Merging was one edit: undo empties the design again, redo brings the merge back.
    await press(browser, tid("undo"));
    await until(browser, "the import undone", async () => ((await appDesign(browser)).services ?? []).length === 0);
    await press(browser, tid("redo"));
    await until(browser, "the import redone", async () => ((await appDesign(browser)).services ?? []).length === want.services.length);
    await press(browser, tid("btn-save"));
    await until(browser, "saved", async () => !(await isDirty(browser)));
    assert.deepEqual(withoutLayout(JSON.parse(readFileSync(shop, "utf8"))), withoutLayout(want), "the saved file is the CLI's design");
    await close(browser);
    browser = null;
  });

  test("the Drift panel against the live NetworkPolicies lists what `bulkhead check --live` lists: the ten X → frontend pairs", async () => {
    browser = await launch([boutique]);
    await ready(browser);
    await press(browser, tid("tab-drift"));
    await addPath(browser, "drift-path", "drift-path-live", BOUTIQUE_MANIFESTS);
    await addPath(browser, "drift-path", "drift-path-live", BOUTIQUE_POLICIES);
    assert.equal((await browser.$$(tid("drift-live-path"))).length, 2);
    await press(browser, tid("drift-run"));
    const live = await shown(browser, tid("drift-section", { kind: "live" }), 60_000);
    const oracle = cliJson(["check", boutique, "--live", BOUTIQUE_MANIFESTS, BOUTIQUE_POLICIES, "--fail-on", "none", "--format", "json"]);
    const want = oracle.live.differences.map((d) => `l:${d.from}>${d.to}`).sort();
    const got = await browser.execute(() => [...document.querySelectorAll('[data-testid="drift-item"][data-kind="live"]')].map((e) => e.getAttribute("data-key")).sort());
    assert.deepEqual(got, want, "the app lists the CLI's live differences");
    assert.equal(got.length, 10);
    assert.ok(got.every((k) => k.endsWith(">frontend")), `every difference is a call to frontend: ${got.join(", ")}`);
    assert.equal(await live.getAttribute("data-count"), "10");
    screenshot(join(SHOTS, "drift-live.png"));
  });

  test("shadow services from traffic are ghost nodes the Drift panel focuses; adopting one is one undoable edit", async () => {
    // The same session: add Hubble flows whose peers the boutique design lacks.
    await addPath(browser, "drift-path", "drift-path-log", HUBBLE_FLOWS);
    const oracle = cliJson(["check", boutique, "--traffic", HUBBLE_FLOWS, "--live", BOUTIQUE_MANIFESTS, BOUTIQUE_POLICIES, "--fail-on", "none", "--format", "json"]);
    const names = oracle.shadow_services.map((s) => s.name).sort();
    assert.ok(names.length >= 2, `the flows have shadow peers: ${names.join(", ")}`);
    const ghosts = () => browser.execute(() => window.__bulkhead.app.canvas.cy.nodes('[role = "shadow-service"]').map((n) => n.data("ref")).sort());
    await until(browser, "a ghost node per shadow service", async () => JSON.stringify(await ghosts()) === JSON.stringify(names));
    const shadowItems = await browser.execute(() => [...document.querySelectorAll('[data-testid="drift-item"][data-kind="shadow-services"]')].map((e) => e.getAttribute("data-name")).sort());
    assert.deepEqual(shadowItems, names, "the panel lists the CLI's shadow services");
    // Ghosts are in no segment and not part of the design.
    const ghostInfo = await browser.execute(() => window.__bulkhead.app.canvas.cy.nodes('[role = "shadow-service"]').map((n) => ({ parent: n.data("parent") ?? null, dashed: n.style("border-style"), cls: n.hasClass("ghost") })));
    for (const g of ghostInfo) assert.deepEqual(g, { parent: null, dashed: "dashed", cls: true });
    assert.equal((await appDesign(browser)).services.some((s) => names.includes(s.id)), false);

    const busiest = [...oracle.shadow_services].sort((a, b) => b.calls_in + b.calls_out - (a.calls_in + a.calls_out) || a.name.localeCompare(b.name))[0].name;
    const item = tid("drift-item", { kind: "shadow-services", name: busiest });
    // Clicking the entry (not its adopt link) focuses the ghost on the canvas.
    await browser.execute((sel) => document.querySelector(`${sel} span`).click(), item);
    await until(browser, `the ghost of \`${busiest}\` focused`, () => browser.execute((id) => window.__bulkhead.app.canvas.cy.getElementById(`shadow:${id}`).hasClass("focus"), busiest));
    await until(browser, `the ghost of \`${busiest}\` in view`, () =>
      browser.execute((id) => {
        const cy = window.__bulkhead.app.canvas.cy;
        const p = cy.getElementById(`shadow:${id}`).renderedPosition();
        return !cy.animated() && p.x > 0 && p.y > 0 && p.x < cy.width() && p.y < cy.height();
      }, busiest),
    );
    screenshot(join(SHOTS, "shadow-services.png"));

    const before = await appDesign(browser);
    await press(browser, `${item} ${tid("drift-adopt")}`);
    await until(browser, `\`${busiest}\` in the design`, async () => (await appDesign(browser)).services.some((s) => s.id === busiest));
    const adopted = (await appDesign(browser)).services.find((s) => s.id === busiest);
    assert.equal(await browser.execute((id) => window.__bulkhead.segmentOf(id), busiest), null, "adopted into no segment");
    assert.equal(adopted.exposure, "internal");
    await until(browser, "its ghost replaced by a service node", () =>
      browser.execute((id) => {
        const cy = window.__bulkhead.app.canvas.cy;
        return cy.getElementById(`shadow:${id}`).empty() && !cy.getElementById(`s:${id}`).empty();
      }, busiest),
    );
    // The re-run check agrees with the CLI on the adopted design: no longer a shadow.
    const adoptedFile = join(work, "adopted.bulkhead.json");
    writeFileSync(adoptedFile, JSON.stringify(await appDesign(browser)));
    const after = cliJson(["check", adoptedFile, "--traffic", HUBBLE_FLOWS, "--fail-on", "none", "--format", "json"]);
    assert.ok(!after.shadow_services.some((s) => s.name === busiest), "the CLI no longer calls it a shadow");
    await until(browser, "the panel's shadow list re-checked", async () => {
      const listed = await browser.execute(() => [...document.querySelectorAll('[data-testid="drift-item"][data-kind="shadow-services"]')].map((e) => e.getAttribute("data-name")).sort());
      return JSON.stringify(listed) === JSON.stringify(after.shadow_services.map((s) => s.name).sort());
    });

    await press(browser, tid("undo"));
    await until(browser, "the adoption undone", async () => JSON.stringify(await appDesign(browser)) === JSON.stringify(before));
    await until(browser, "its ghost back", () => browser.execute((id) => !window.__bulkhead.app.canvas.cy.getElementById(`shadow:${id}`).empty(), busiest));
    // Undo leaves the design as the file has it; save so nothing is left to recover.
    await press(browser, tid("btn-save"));
    await until(browser, "saved", async () => !(await isDirty(browser)));
  });
});

describe("auto-layout in the real window", () => {
  let browser;
  const work = tempDir("layout");
  const design = join(work, "fintech.bulkhead.json");

  before(async () => {
    copyFileSync(FINTECH, design);
    browser = await launch([design]);
    await ready(browser);
  });
  after(async () => close(browser));

  test("auto-layout (fcose in WebKitGTK) shows that it is working, places every service with no two sibling segments overlapping, in view; undo restores the file's layout", async () => {
    const before = await appDesign(browser);
    // Whether the busy state was ever in the page: watched from before the press, since on 34
    // services fcose may finish before a poll could see it.
    await browser.execute(() => {
      window.__layoutBusySeen = false;
      const seen = () => {
        if (document.querySelector('[data-testid="layout-busy"]')) window.__layoutBusySeen = true;
      };
      new MutationObserver(seen).observe(document.body, { childList: true, subtree: true });
    });
    const rev = await browser.execute(() => window.__bulkhead.app.store.get().revision);
    await press(browser, tid("btn-layout"));
    await until(browser, "the layout's positions in and its busy state down", () =>
      browser.execute((r) => window.__bulkhead.app.store.get().revision > r && window.__bulkhead.app.layout.running === null, rev), 60_000);
    assert.equal(await browser.execute(() => window.__bulkhead.app.layout.error), null, "the layout did not fail");
    assert.equal(await browser.execute(() => window.__layoutBusySeen), true, "the busy state was shown while it ran");
    assert.equal((await browser.$$(tid("layout-busy"))).length, 0, "and is gone after");

    const after = await appDesign(browser);
    assert.deepEqual(Object.keys(after.layout.positions).sort(), after.services.map((s) => s.id).sort(), "every service placed");
    const movedCount = after.services.filter((s) => JSON.stringify(after.layout.positions[s.id]) !== JSON.stringify(before.layout?.positions?.[s.id])).length;
    assert.ok(movedCount > after.services.length / 2, `most services moved (${movedCount} of ${after.services.length})`);
    assert.deepEqual(withoutLayout(after), withoutLayout(before), "only the layout changed");
    assert.deepEqual(await browser.execute(() => window.__bulkhead.segmentOverlaps()), [], "no two sibling segment boxes overlap");
    // In view once the fit's animation has ended (waited for, not timed).
    await until(browser, "the fit's animation ended", () => browser.execute(() => !window.__bulkhead.app.canvas.cy.animated()));
    const frame = await browser.execute(() => {
      const cy = window.__bulkhead.app.canvas.cy;
      const bb = cy.elements().renderedBoundingBox();
      return { w: cy.width(), h: cy.height(), x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
    });
    assert.ok(frame.x1 > -2 && frame.y1 > -2 && frame.x2 < frame.w + 2 && frame.y2 < frame.h + 2, `the laid-out graph is in view: ${JSON.stringify(frame)}`);
    assert.equal(await isDirty(browser), true, "a layout is an unsaved edit");
    screenshot(join(SHOTS, "auto-layout.png"));

    await press(browser, tid("undo"));
    await until(browser, "the file's layout back", async () => JSON.stringify((await appDesign(browser)).layout) === JSON.stringify(before.layout));
    await until(browser, "no unsaved marker after the undo", async () => !(await isDirty(browser)));
  });
});

describe("a broken design file", () => {
  let browser;
  const work = tempDir("broken");
  const broken = join(work, "broken.bulkhead.json");

  before(async () => {
    // Three distinct problems the validator must all report: an unknown data class, a rule to a
    // missing segment, and a duplicate service id.
    const d = JSON.parse(readFileSync(FINTECH, "utf8"));
    d.services[0].data_held = [...(d.services[0].data_held ?? []), "payment-crad"];
    d.rules.push({ id: "to-nowhere", from: "internet", to: { segment: "no-such-segment" } });
    d.services.push({ ...d.services[1] });
    writeFileSync(broken, JSON.stringify(d, null, 2));
    browser = await launch([broken]);
  });
  after(async () => close(browser));

  test("shows every validator message with its location, not a blank canvas", async () => {
    await shown(browser, tid("diagnostics"), 60_000);
    const items = await until(browser, "diagnostics listed", async () => {
      const els = await browser.$$(tid("diagnostic"));
      return els.length > 0 ? els : null;
    });
    const oracle = cliJson(["validate", broken, "--format", "json"]).files[0];
    assert.equal(oracle.valid, false);
    const expected = oracle.diagnostics.filter((d) => d.severity === "error");
    const errors = [];
    for (const el of items) if ((await el.getAttribute("data-severity")) === "error") errors.push(el);
    assert.equal(errors.length, expected.length, "the app lists every error the validator found");
    const pointers = await browser.execute(() => [...document.querySelectorAll('[data-testid="diagnostic"][data-severity="error"]')].map((e) => e.getAttribute("data-pointer")));
    assert.deepEqual(pointers.sort(), expected.map((d) => d.pointer).sort(), "at the validator's JSON pointers");
    const texts = [];
    for (const e of items) texts.push(await e.getText());
    const all = texts.join("\n");
    assert.match(all, /payment-crad/);
    assert.match(all, /no-such-segment/);
    assert.match(all, /\d+:\d+/, "messages carry line:column");
    // The screen names the file and how it was opened; the status bar counts its problems.
    const warnings = oracle.diagnostics.length - expected.length;
    const count = [`${expected.length} error${expected.length === 1 ? "" : "s"}`, warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean).join(" and ");
    assert.ok((await text(browser, tid("broken-file-summary"))).startsWith(`broken.bulkhead.json, named on the command line, has ${count}`));
    assert.equal(await text(browser, tid("broken-file-path")), realpathSync(broken));
    assert.equal(await text(browser, tid("status-validation")), `broken.bulkhead.json: ${count}, not loaded`);
    assert.equal(await text(browser, tid("status-counts")), "no design open");
    screenshot(join(SHOTS, "broken-file.png"));
  });
});

describe("unsaved work after a crash", () => {
  let browser;
  const work = tempDir("crash");
  const design = join(work, "fintech.bulkhead.json");
  // The private data folder scripts/with-app-driver.sh gives every launch of this run.
  const recoveryFile = join(process.env.BULKHEAD_APP_DATA ?? "", "recovery.json");

  before(async () => {
    copyFileSync(FINTECH, design);
    browser = await launch([design]);
    await ready(browser);
  });
  after(async () => {
    await close(browser);
    // Whatever happened, the launches after this one must not be offered this test's work.
    rmSync(recoveryFile, { force: true });
  });

  test("an edit is autosaved (and the file removed when the edit is undone); after the app is killed, the next launch offers it back and restores it as unsaved work; saving writes it and clears the offer", async () => {
    assert.ok(process.env.BULKHEAD_APP_DATA, "scripts/with-app-driver.sh sets BULKHEAD_APP_DATA");
    assert.equal(existsSync(recoveryFile), false, `no recovery file before the edit: ${existsSync(recoveryFile) ? readFileSync(recoveryFile, "utf8").slice(0, 300) : ""}`);
    const original = readFileSync(design, "utf8");
    const field = await shown(browser, tid("field-design-name"));
    const renamed = "Northwind Bank (crash test)";
    await field.setValue(renamed);
    await browser.keys("Enter");
    await until(browser, "the edit in the design", async () => (await appDesign(browser)).name === renamed);
    // The autosave (2 s after the last edit) writes the recovery file through the shell.
    await until(browser, "the recovery file holding the edit", () => existsSync(recoveryFile) && readFileSync(recoveryFile, "utf8").includes(renamed), 20_000);
    // Undone to the file's design, nothing is left to recover; redone, it is autosaved again.
    await press(browser, tid("undo"));
    await until(browser, "the recovery file removed after the undo", () => !existsSync(recoveryFile), 10_000);
    await press(browser, tid("redo"));
    await until(browser, "the redone edit autosaved", () => existsSync(recoveryFile) && readFileSync(recoveryFile, "utf8").includes(renamed), 20_000);

    // A crash: the app is killed, no close event, no chance to clean up.
    process.kill(appPid(browser), "SIGKILL");
    await close(browser);
    browser = null;
    assert.equal(readFileSync(design, "utf8"), original, "the design file itself was never written");
    assert.ok(existsSync(recoveryFile), "the recovery file survives the crash");

    // The next launch, with no file named, offers the work back.
    browser = await launch([]);
    const banner = await shown(browser, tid("recovery-banner"), 60_000);
    const offer = await banner.getText();
    assert.match(offer, /fintech\.bulkhead\.json, 34 services/, offer);
    await press(browser, tid("recovery-restore"));
    await until(browser, "the recovered design", async () => (await appDesign(browser))?.name === renamed);
    assert.equal((await browser.$$(tid("recovery-banner"))).length, 0, "the offer is gone once taken");
    assert.ok(await isDirty(browser), "recovered work is unsaved until saved");
    assert.match(await text(browser, tid("doc-title")), /fintech\.bulkhead\.json/, "it belongs to the file it was made from");
    const recovered = await appDesign(browser);
    assert.deepEqual({ ...recovered, name: null }, { ...JSON.parse(original), name: null }, "nothing but the edit differs from the file");

    // Saving writes it where it came from; a clean save leaves nothing to offer next time.
    await press(browser, tid("btn-save"));
    await until(browser, "saved", async () => !(await isDirty(browser)));
    assert.equal(JSON.parse(readFileSync(design, "utf8")).name, renamed);
    await until(browser, "the recovery file removed", () => !existsSync(recoveryFile), 10_000);
  });
});

describe("closing the window", () => {
  let browser;
  const work = tempDir("close");
  const design = join(work, "fintech.bulkhead.json");
  const recoveryFile = join(process.env.BULKHEAD_APP_DATA ?? "", "recovery.json");

  before(() => copyFileSync(FINTECH, design));
  after(async () => {
    await close(browser);
    rmSync(recoveryFile, { force: true });
  });

  test("with unsaved changes the window asks first: Cancel keeps the window and the work, Discard closes it and leaves nothing to recover; a clean window closes at once", async () => {
    const original = readFileSync(design, "utf8");
    browser = await launch([design]);
    await ready(browser);
    const pid = appPid(browser);
    await (await shown(browser, tid("field-design-name"))).setValue("Northwind Bank (close test)");
    await browser.keys("Enter");
    await until(browser, "the unsaved marker", () => isDirty(browser));
    await until(browser, "the autosave", () => existsSync(recoveryFile), 20_000);

    // The window manager's close button: the app asks instead of closing.
    closeWindow(pid);
    const prompt = await shown(browser, tid("unsaved-prompt"), 10_000);
    assert.match(await prompt.getText(), /Northwind Bank \(close test\) has changes that are not saved\. Save them before you close the window\?/);
    await press(browser, tid("confirm-cancel"));
    await until(browser, "the prompt gone", async () => (await browser.$$(tid("unsaved-prompt"))).length === 0);
    assert.ok(alive(pid), "Cancel keeps the app running");
    assert.equal((await appDesign(browser)).name, "Northwind Bank (close test)", "and the work");
    assert.ok(await isDirty(browser));

    closeWindow(pid);
    await shown(browser, tid("unsaved-prompt"), 10_000);
    // The click closes the window it was made in: WebKitWebDriver may answer it with "session
    // deleted" (the page went away before the click's reply). That is the outcome asked for.
    await press(browser, tid("confirm-discard")).catch((e) => {
      if (!/session deleted|invalid session id/.test(String(e?.message ?? e))) throw e;
    });
    await until(browser, "the app gone after Discard", () => !alive(pid), 10_000).catch(() => null);
    assert.equal(alive(pid), false, "Discard closes the app");
    await close(browser);
    browser = null;
    assert.equal(readFileSync(design, "utf8"), original, "the file is not written");
    assert.equal(existsSync(recoveryFile), false, "discarding on close leaves nothing to recover");

    // Nothing unsaved: the close button closes at once.
    browser = await launch([design]);
    await ready(browser);
    const clean = appPid(browser);
    closeWindow(clean);
    for (let i = 0; i < 50 && alive(clean); i++) await new Promise((r) => setTimeout(r, 200));
    assert.equal(alive(clean), false, "a clean window closes without asking");
    await close(browser);
    browser = null;
  });
});

test("the example exists", () => {
  assert.ok(existsSync(FINTECH), `${FINTECH} exists`);
});
