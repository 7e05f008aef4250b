// Interaction timings measured inside the app's page. `measureInPage` is serialized and run in
// the page by WebDriver (`browser.execute`, the real window) or playwright (`page.evaluate`,
// Chromium with the mocked backend), so it must not use anything from this module's scope.
//
// Each sample does one interaction the way the UI does it and times it up to the second
// animation frame after the result is in the DOM or on the canvas: that frame is the one that
// shows it, so a slow render or a slow panel update is counted, not only the JavaScript.

/**
 * @param {{ what: "zoom" | "pan" | "select" | "filter", samples: number }} arg
 * @returns {Promise<number[]>} milliseconds per sample
 */
export async function measureInPage(arg) {
  const app = window.__bulkhead.app;
  const cy = app.canvas.cy;
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  /** Frames until `done()` holds (bounded), then the frame that shows it. */
  const settle = async (done, what) => {
    const t0 = performance.now();
    while (!done()) {
      if (performance.now() - t0 > 60_000) throw new Error(`${what}: not done within 60 s`);
      await frame();
    }
    await frame();
    await frame();
  };
  const out = [];
  const centre = { x: cy.width() / 2, y: cy.height() / 2 };
  if (arg.what === "zoom") {
    // In, in, out, out, … around the centre, as the mouse wheel does.
    for (let i = 0; i < arg.samples; i++) {
      const t = performance.now();
      cy.zoom({ level: cy.zoom() * (i % 4 < 2 ? 1.5 : 1 / 1.5), renderedPosition: centre });
      await frame();
      await frame();
      out.push(performance.now() - t);
    }
  } else if (arg.what === "pan") {
    for (let i = 0; i < arg.samples; i++) {
      const t = performance.now();
      cy.panBy({ x: i % 2 ? -180 : 180, y: i % 4 < 2 ? 90 : -90 });
      await frame();
      await frame();
      out.push(performance.now() - t);
    }
  } else if (arg.what === "select") {
    // Services spread over the estate; each selected as a click on the canvas does (Cytoscape's
    // select event), timed until the inspector shows it.
    const services = cy.nodes('[type = "service"]');
    for (let i = 0; i < arg.samples; i++) {
      const node = services[Math.floor(((i + 0.5) * services.length) / arg.samples)];
      cy.$(":selected").unselect();
      await settle(() => app.store.get().selection.kind === null, "unselect");
      const name = app.store.get().design.services.find((s) => s.id === node.data("ref")).name ?? node.data("ref");
      const t = performance.now();
      node.select();
      await settle(() => document.querySelector('[data-testid="inspector-title"]')?.textContent === name, "select");
      out.push(performance.now() - t);
    }
    cy.$(":selected").unselect();
  } else if (arg.what === "filter") {
    // Typing a search: the canvas fades what does not match; clearing it shows everything again.
    const input = document.querySelector('[data-testid="search-input"]');
    const type = (text) => {
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
    };
    const words = ["api", "db", "worker", "gateway", "queue", "web"];
    for (let i = 0; i < arg.samples; i++) {
      const t = performance.now();
      type(words[i % words.length]);
      await settle(() => !!document.querySelector('[data-testid="filter-count"]') && cy.$("node.faded").length > 0, "filter");
      out.push(performance.now() - t);
      type("");
      await settle(() => cy.$(".faded").length === 0, "clear filter");
    }
  } else {
    throw new Error(`unknown measurement ${arg.what}`);
  }
  return out;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
