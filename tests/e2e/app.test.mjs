// End-to-end tests of the real Bulkhead app (see scripts/test.d/60-app-e2e.sh for the setup).
//
// Each test asserts on the DOM through the data-testids listed in docs/ipc.md, and checks the
// numbers the app shows against an oracle: the `bulkhead` CLI run on the same design (the same
// core crates, reached without the app). Screenshots of the real window go to
// $BULKHEAD_SHOTS_DIR.

import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  ROOT,
  cliJson,
  close,
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

/** Sets a `<select>`'s value the way a user picking an option does. */
async function choose(browser, selector, value) {
  const el = await shown(browser, selector);
  await el.selectByAttribute("value", value);
}

async function text(browser, selector) {
  return (await shown(browser, selector)).getText();
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

describe("the fintech example in the real app", () => {
  let browser;
  const work = tempDir("fintech");
  // The app edits and may autosave; give it a private copy.
  const design = join(work, "fintech.bulkhead.json");

  before(async () => {
    copyFileSync(FINTECH, design);
    browser = await launch([design]);
    await ready(browser);
  });
  after(async () => close(browser));

  test("opens the design from the command line and titles the window with it", async () => {
    const title = await text(browser, tid("doc-title"));
    assert.match(title, /fintech\.bulkhead\.json/);
    assert.doesNotMatch(title, /•/, "a freshly opened design has no unsaved marker");
    const nodes = await browser.execute(() => window.__bulkhead.nodeCount());
    const expected = JSON.parse(readFileSync(design, "utf8"));
    assert.equal(nodes.services, expected.services.length);
    assert.equal(nodes.segments, expected.segments.length);
    screenshot(join(SHOTS, "canvas.png"));
  });

  test("a breach from the internet shows the compromised count and a crown-jewel path", async () => {
    await press(browser, tid("tab-simulate"));
    await choose(browser, tid("sim-origin"), "internet");
    await choose(browser, tid("sim-assume"), "worst");
    await press(browser, tid("sim-run"));
    const shownCount = await compromisedCount(browser);
    const oracle = cliSimulation(design, "internet");
    assert.equal(shownCount, oracle.compromised.length, "the app shows the engine's compromised count");
    const jewel = await until(browser, "a crown-jewel attack path", async () => {
      const paths = await browser.$$(tid("sim-path", { "crown-jewel": "true" }));
      return paths.length > 0 ? paths[0] : null;
    });
    const target = await jewel.getAttribute("data-target");
    const crownJewels = new Set(
      JSON.parse(readFileSync(design, "utf8")).data_classes.filter((c) => c.crown_jewel).map((c) => c.id),
    );
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
    screenshot(join(SHOTS, "simulation.png"));
  });

  test("dragging a service into another segment re-runs the simulation", async () => {
    const before = await compromisedCount(browser);
    const move = findMoveThatChangesTheBreach(design, before);
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

  test("editing a rule in the matrix changes the cell, and undo restores it", async () => {
    await press(browser, tid("tab-matrix"));
    await shown(browser, tid("matrix"));
    const segments = new Set(JSON.parse(readFileSync(design, "utf8")).segments.map((g) => g.id));
    const cells = await browser.$$(`${tid("matrix-cell")}[data-allowed="none"]`);
    let cell = null;
    for (const c of cells) {
      const [f, t] = [await c.getAttribute("data-from"), await c.getAttribute("data-to")];
      if (f !== t && segments.has(f) && segments.has(t)) {
        cell = c;
        break;
      }
    }
    assert.ok(cell, "the matrix has a closed pair of two distinct segments");
    const fromSeg = await cell.getAttribute("data-from");
    const toSeg = await cell.getAttribute("data-to");
    const sel = `${tid("matrix-cell", { from: fromSeg, to: toSeg })}`;
    await press(browser, tid("matrix-cell", { from: fromSeg, to: toSeg }));
    await press(browser, tid("matrix-allow-toggle"));
    await until(browser, `${fromSeg} → ${toSeg} allowed`, async () =>
      (await (await browser.$(sel)).getAttribute("data-allowed")) !== "none",
    );
    assert.match(await text(browser, tid("doc-title")), /•/, "an edit marks the document unsaved");
    screenshot(join(SHOTS, "matrix.png"));
    await press(browser, tid("undo"));
    await until(browser, `${fromSeg} → ${toSeg} closed again`, async () =>
      (await (await browser.$(sel)).getAttribute("data-allowed")) === "none",
    );
  });

  test("exports NetworkPolicies into a folder and the files are there", async () => {
    const out = tempDir("export");
    await press(browser, tid("tab-export"));
    const box = await shown(browser, tid("export-target", { target: "networkpolicy" }));
    if (!(await box.isSelected())) await press(browser, tid("export-target", { target: "networkpolicy" }));
    await press(browser, tid("export-preview"));
    const previewed = await until(browser, "previewed files", async () => {
      const els = await browser.$$(tid("export-file"));
      if (els.length === 0) return null;
      const paths = [];
      for (const e of els) paths.push(await e.getAttribute("data-path"));
      return paths;
    });
    screenshot(join(SHOTS, "export.png"));
    const dirField = await shown(browser, tid("export-dir"));
    await dirField.setValue(out);
    await press(browser, tid("export-write"));
    await shown(browser, tid("export-written"));
    const written = files(out);
    assert.ok(written.length > 0, "files were written");
    assert.deepEqual(written, [...previewed].sort(), "exactly the previewed files were written");
    for (const f of written) assert.ok(statSync(join(out, f)).size > 0, `${f} is not empty`);
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
    const texts = [];
    for (const e of items) texts.push(await e.getText());
    const all = texts.join("\n");
    assert.match(all, /payment-crad/);
    assert.match(all, /no-such-segment/);
    assert.match(all, /\d+:\d+/, "messages carry line:column");
    screenshot(join(SHOTS, "broken-file.png"));
  });
});

test("sanity: the example exists", () => {
  assert.ok(existsSync(FINTECH), `${FINTECH} exists`);
});
