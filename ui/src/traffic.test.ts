import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Design } from "./generated/bulkhead";

type Pending = { cmd: string; args: Record<string, unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };
const pending: Pending[] = [];
vi.mock("./ipc", () => ({
  call: (cmd: string, args: Record<string, unknown>) => new Promise((resolve, reject) => pending.push({ cmd, args, resolve, reject })),
}));

const { Traffic, TRAFFIC_DEBOUNCE_MS } = await import("./traffic");
const { Store } = await import("./store");
const { smallState } = await import("./fixtures/small");
const { updateService } = await import("./actions/updateService");

const report = (design: string) => ({ drift: { design } as never, calls: [], calls_left_out: 0 });
/** A stand-in for `HeldDesigns`: each design object gets a revision, which names it in the calls. */
function fakeHeld() {
  const designs: Design[] = [];
  return {
    designOf: (revision: unknown) => designs[Number(revision) - 1],
    ask<T>(design: Design, question: (revision: number) => Promise<T>): Promise<T> {
      if (!designs.includes(design)) designs.push(design);
      return question(designs.indexOf(design) + 1);
    },
  };
}
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe("Traffic (drift check and proposal following the design)", () => {
  beforeEach(() => {
    pending.length = 0;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => vi.useRealTimers());

  it("asks only when told, then re-asks after each edit (debounced), dropping stale answers", async () => {
    const store = new Store(smallState());
    const held = fakeHeld();
    const t = new Traffic(store, held);
    store.dispatch(updateService, { id: "web", patch: { name: "Shop" } });
    vi.advanceTimersByTime(TRAFFIC_DEBOUNCE_MS * 2);
    expect(pending).toHaveLength(0);

    t.setSources(["/logs/a.csv"], "7d");
    const first = t.check();
    expect(pending.map((p) => [p.cmd, p.args.traffic, p.args.window])).toEqual([["drift_check", ["/logs/a.csv"], "7d"]]);
    // Two quick edits: one re-check, for the newest design.
    store.dispatch(updateService, { id: "web", patch: { name: "Shop 2" } });
    store.dispatch(updateService, { id: "web", patch: { name: "Shop 3" } });
    vi.advanceTimersByTime(TRAFFIC_DEBOUNCE_MS);
    expect(pending).toHaveLength(2);
    expect(held.designOf(pending[1]!.args.revision)?.services?.[0]?.name).toBe("Shop 3");
    // The newer answer lands first; the older one is dropped when it arrives.
    pending[1]!.resolve(report("new"));
    await flush();
    pending[0]!.resolve(report("old"));
    await first;
    expect(t.view.report?.drift.design).toBe("new");
    expect(t.view.checking).toBe(false);
  });

  it("keeps the error of a failed check, and a reset forgets everything", async () => {
    const store = new Store(smallState());
    const t = new Traffic(store, fakeHeld());
    const run = t.propose();
    pending[0]!.reject({ code: "io", message: "cannot read `/logs/x.log`" });
    await run;
    expect(t.view.proposalError?.message).toBe("cannot read `/logs/x.log`");
    t.reset();
    expect(t.view.proposalError).toBeNull();
    store.dispatch(updateService, { id: "web", patch: { name: "x" } });
    vi.advanceTimersByTime(TRAFFIC_DEBOUNCE_MS * 2);
    expect(pending).toHaveLength(1);
  });
});
