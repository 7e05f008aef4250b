import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { PATH_PAGE, STOLEN_PAGE, credentialText, firstOf, hopText, pathWindow, reduction, shownFor } from "./Simulate";

describe("simulate panel helpers", () => {
  it("explains a hop", () => {
    const db = smallSimulation().reached[2]!;
    expect(hopText(db.path[2]!)).toBe("allowed inside segment `core`; taken over");
    expect(hopText({ ...db.path[1]!, stolen: [{ type: "api_key", key: "billing" }], exploited: false })).toBe("allowed by rule `r-edge-core`; using stolen API key `billing`; called, not taken over");
  });
  it("describes credentials and the reduction against a flat network", () => {
    expect(credentialText({ type: "jwt", issuer: "idp", scopes: ["a"] })).toBe("JWT from idp [a]");
    expect(reduction(smallSimulation())).toBe("30% less than on a flat network (5 services, score 37)");
  });
  it("renders a bounded window of paths and keeps every path reachable", () => {
    const paths = Array.from({ length: 2 * PATH_PAGE + 7 }, (_, i) => ({ target: `s${i}` }));
    const first = pathWindow(paths, PATH_PAGE, null);
    expect(first.visible.map((p) => p.target)).toEqual(paths.slice(0, PATH_PAGE).map((p) => p.target));
    expect(first.hidden).toBe(PATH_PAGE + 7);
    // A highlighted path beyond the window is shown too, and the hidden count stays exact.
    const withHighlight = pathWindow(paths, PATH_PAGE, "s90");
    expect(withHighlight.visible.at(-1)).toEqual({ target: "s90" });
    expect(withHighlight.hidden).toBe(PATH_PAGE + 6);
    // A highlight inside the window is not repeated.
    expect(pathWindow(paths, PATH_PAGE, "s3").visible).toHaveLength(PATH_PAGE);
    // Showing more pages reaches the end; nothing is left hidden.
    expect(pathWindow(paths, 3 * PATH_PAGE, null)).toEqual({ visible: paths, hidden: 0 });
    expect(pathWindow(paths, 0, "gone")).toEqual({ visible: [], hidden: paths.length });
  });
  it("shows all paths of the run the user asked on, and the first page of a new run", () => {
    // Regression: after "show all", later simulations kept rendering every path.
    const run = smallSimulation();
    const paging = { sim: run, shown: 500 };
    expect(shownFor(paging, run)).toBe(500);
    expect(shownFor(paging, smallSimulation())).toBe(PATH_PAGE);
    expect(shownFor(paging, null)).toBe(PATH_PAGE);
    // The stolen credentials' list pages the same way, from its own first page.
    expect(shownFor({ sim: run, shown: 300 }, smallSimulation(), STOLEN_PAGE)).toBe(STOLEN_PAGE);
    expect(shownFor({ sim: run, shown: 300 }, run, STOLEN_PAGE)).toBe(300);
  });
  it("lists the first page of stolen credentials and counts the rest exactly", () => {
    const items = Array.from({ length: STOLEN_PAGE + 3 }, (_, i) => i);
    expect(firstOf(items, STOLEN_PAGE)).toEqual({ visible: items.slice(0, STOLEN_PAGE), hidden: 3 });
    expect(firstOf(items, items.length)).toEqual({ visible: items, hidden: 0 });
    expect(firstOf(items.slice(0, 5), STOLEN_PAGE)).toEqual({ visible: items.slice(0, 5), hidden: 0 });
    expect(firstOf(items, -1)).toEqual({ visible: [], hidden: items.length });
  });
});
