import { describe, expect, it } from "vitest";
import { ELLIPSIS, ellipsize } from "./labels";

/** Cytoscape 3.35's `getLabelText` for `text-wrap: ellipsis`, as it is written (linear). */
function cytoscapeEllipsis(text: string, maxW: number, width: (t: string) => number): string {
  if (!text) return "";
  if (width(text) < maxW) return text;
  let ellipsized = "";
  let incLastCh = false;
  for (let i = 0; i < text.length; i++) {
    if (width(ellipsized + text[i] + ELLIPSIS) > maxW) break;
    ellipsized += text[i];
    if (i === text.length - 1) incLastCh = true;
  }
  if (!incLastCh) ellipsized += ELLIPSIS;
  return ellipsized;
}

/** A proportional font: each character its own advance, the ellipsis 9 units. */
function fontOf(seed: number): (t: string) => number {
  const advance = (c: string) => (c === ELLIPSIS ? 9 : 3 + ((c.charCodeAt(0) * 7 + seed) % 11));
  return (t) => [...t].reduce((w, c) => w + advance(c), 0);
}

describe("ellipsize", () => {
  it("cuts every label where Cytoscape's linear search cuts it", () => {
    const names = ["payments-gateway", "payments-api-1", "identity-verification-worker-12", "a", "", "ww", "x".repeat(60), "segment · application · medium trust"];
    let cut = 0;
    for (let seed = 0; seed < 12; seed++) {
      const width = fontOf(seed);
      for (const name of names) {
        for (const maxW of [1, 5, 12, 20, 40, 75, 150, 400]) {
          const want = cytoscapeEllipsis(name, maxW, width);
          expect(ellipsize(name, maxW, width)).toBe(want);
          if (want !== name) cut++;
        }
      }
    }
    // The cases above do exercise the cutting, not only whole labels.
    expect(cut).toBeGreaterThan(100);
  });

  it("measures a cut label a logarithmic number of times", () => {
    const calls: string[] = [];
    const width = (t: string) => (calls.push(t), t.length * 8);
    expect(ellipsize("identity-verification-worker-12", 150, width)).toBe(`identity-verifica${ELLIPSIS}`);
    expect(calls.length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2(32)) + 1);
  });

  it("keeps a label that fits, and gives the ellipsis alone when no character fits", () => {
    const width = (t: string) => t.length * 8;
    expect(ellipsize("api", 150, width)).toBe("api");
    expect(ellipsize("api", 10, width)).toBe(ELLIPSIS);
  });
});
