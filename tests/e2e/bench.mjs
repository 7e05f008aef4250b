// Benchmark of the real app on a large design: time to the first complete render, and time from
// a simulation click to the highlight on the canvas. Run through scripts/bench-app.sh.
//
// Both numbers come from the UI's own performance marks (docs/ipc.md): `bulkhead:first-render`
// (its startTime is measured from the page's time origin, i.e. from when the webview began
// loading the UI) and the pair `bulkhead:sim-click` → `bulkhead:sim-highlight`. The wall-clock
// time from asking tauri-driver for a session to the app reporting ready is printed too: it adds
// process start, WebKit start-up and the IPC round trip of reading the file.

import { close, launch, ready, shown, tid, until } from "./harness.mjs";

const design = process.argv[2];
const launches = Number(process.env.BENCH_LAUNCHES ?? 3);
const clicks = Number(process.env.BENCH_CLICKS ?? 7);
if (!design) {
  console.error("usage: node bench.mjs DESIGN.bulkhead.json");
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;

const firstRender = [];
const wallReady = [];
const simToHighlight = [];

for (let i = 0; i < launches; i++) {
  const t0 = performance.now();
  const browser = await launch([design]);
  try {
    await ready(browser, 120_000);
    wallReady.push(performance.now() - t0);
    const fr = await browser.execute(
      () => performance.getEntriesByName("bulkhead:first-render").at(-1)?.startTime ?? null,
    );
    if (fr === null) throw new Error("the UI did not set the `bulkhead:first-render` mark");
    firstRender.push(fr);

    if (i === 0) {
      await (await shown(browser, tid("tab-simulate"))).click();
      const origins = await browser.execute(() =>
        [...document.querySelectorAll('[data-testid="sim-origin"] option')].map((o) => o.value),
      );
      // The internet, then services spread over the estate.
      const picks = ["internet", ...origins.filter((o) => o !== "internet")].filter(
        (_, k, all) => k === 0 || k % Math.max(1, Math.floor(all.length / clicks)) === 0,
      );
      for (const origin of picks.slice(0, clicks)) {
        await (await shown(browser, tid("sim-origin"))).selectByAttribute("value", origin);
        await browser.execute(() => performance.clearMarks());
        await (await shown(browser, tid("sim-run"))).click();
        const d = await until(
          browser,
          "the sim-highlight mark",
          () =>
            browser.execute(() => {
              const a = performance.getEntriesByName("bulkhead:sim-click").at(-1);
              const b = performance.getEntriesByName("bulkhead:sim-highlight").at(-1);
              return a && b && b.startTime >= a.startTime ? b.startTime - a.startTime : null;
            }),
          60_000,
        );
        simToHighlight.push(d);
        console.log(`simulate from ${origin}: click → highlight ${ms(d)}`);
      }
    }
  } finally {
    await close(browser);
  }
  console.log(`launch ${i + 1}: first complete render ${ms(firstRender.at(-1))} (wall, session → ready: ${ms(wallReady.at(-1))})`);
}

const summary = {
  design,
  launches,
  first_render_ms: { median: median(firstRender), all: firstRender },
  wall_session_to_ready_ms: { median: median(wallReady), all: wallReady },
  sim_click_to_highlight_ms: { median: median(simToHighlight), max: Math.max(...simToHighlight), all: simToHighlight },
};
console.log(JSON.stringify(summary));
console.log(
  `first complete render: median ${ms(summary.first_render_ms.median)} (target < 2000 ms); ` +
    `simulation click → highlight: median ${ms(summary.sim_click_to_highlight_ms.median)}, ` +
    `max ${ms(summary.sim_click_to_highlight_ms.max)} (target < 100 ms)`,
);
