import { describe, expect, it, vi } from "vitest";

/** The shell as `invoke` sees it: each question asked and each answer given, in order. */
const shell = { log: [] as string[], revision: 0 };
vi.mock("@tauri-apps/api/core", () => ({
  invoke: async (cmd: string) => {
    shell.log.push(`ask ${cmd}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    shell.log.push(`answer ${cmd}`);
    switch (cmd) {
      case "set_design":
      case "patch_design":
        return ++shell.revision;
      case "flow_verdicts":
      case "validate":
      case "findings":
      case "rule_docs":
        return [];
      case "matrix":
        return { segments: [], entries: [] };
      case "simulate_spread":
        return { origin: "internet", reached: [] };
      case "simulate":
        return { origin: "internet", assumption: "worst", flat_estate: false, notes: [], reached: [], compromised: [], stolen_credentials: [], exposed_data: [], blast_radius: { services: 0, compromised: 0, score: 0 }, choke_points: { segments: [], rules: [] }, flat: { blast_radius: { services: 0, compromised: 0, score: 0 }, reduction_pct: 0 }, paths: [] };
      default:
        throw { code: "internal", message: `unexpected ${cmd}` };
    }
  },
}));

const { Backend, DEBOUNCE_MS } = await import("./backend");
const { Store } = await import("./store");
const { smallState } = await import("./fixtures/small");
const { moveToSegment } = await import("./actions/moveToSegment");
const { setSimulation } = await import("./actions/setSimulation");

/** A backend over a store with a simulation shown, once its first answers are in. */
async function settled() {
  const store = new Store(smallState());
  const backend = new Backend(store);
  store.dispatch(setSimulation, { active: true });
  await vi.waitFor(() => expect(backend.view.simulation).not.toBeNull());
  shell.log = [];
  return { store, backend };
}

const asked = (cmd: string) => shell.log.filter((l) => l === `ask ${cmd}`).length;

describe("the backend after an edit", () => {
  it("runs the simulation shown at once, beside the verdicts, and asks the other answers after it", async () => {
    const { store, backend } = await settled();
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    await vi.waitFor(() => expect(backend.view.revision).toBe(store.get().revision), { timeout: 2000 });
    const at = (l: string) => shell.log.indexOf(l);
    // Asked before the verdicts were answered, not after them and the frame that draws them.
    // The edit is sent as a patch of the design the shell holds, not whole.
    expect(asked("set_design")).toBe(0);
    // Its spread, then the whole answer once the spread is drawn.
    expect(at("ask simulate_spread")).toBeGreaterThan(at("answer patch_design"));
    expect(at("ask simulate_spread")).toBeLessThan(at("answer flow_verdicts"));
    expect(at("ask simulate")).toBeGreaterThan(at("answer simulate_spread"));
    for (const cmd of ["validate", "findings", "matrix"]) expect(at(`ask ${cmd}`)).toBeGreaterThan(at("answer simulate"));
    expect(asked("simulate_spread")).toBe(1);
    expect(asked("simulate")).toBe(1);
  });

  it("asks about a lone edit at once, and about a burst of edits once, at its end", async () => {
    const { store, backend } = await settled();
    vi.useFakeTimers();
    try {
      store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
      // In the edit's own task: no debounce for a lone edit.
      expect(asked("patch_design")).toBe(1);
      store.dispatch(moveToSegment, { services: ["api"], segment: "core" });
      store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
      expect(asked("patch_design")).toBe(1);
      await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
      expect(asked("patch_design")).toBe(2);
      await vi.advanceTimersByTimeAsync(2000);
      expect(backend.view.revision).toBe(store.get().revision);
    } finally {
      vi.useRealTimers();
    }
  });
});
