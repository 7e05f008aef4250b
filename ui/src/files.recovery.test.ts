import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Design } from "./generated/bulkhead";

type Pending = { cmd: string; args: Record<string, unknown>; resolve: (v: unknown) => void };
const pending: Pending[] = [];
vi.mock("./ipc", () => ({
  call: (cmd: string, args: Record<string, unknown>) => new Promise((resolve) => pending.push({ cmd, args, resolve })),
  HeldDesigns: class {
    ask<T>(_design: Design, question: (revision: number) => Promise<T>): Promise<T> {
      return question(1);
    }
  },
}));

// The window title is set through `document` (no DOM in these tests).
vi.stubGlobal("document", { title: "" });

const { Files, AUTOSAVE_MS } = await import("./files");
const { Store } = await import("./store");
const { smallState } = await import("./fixtures/small");
const { setDesignInfo } = await import("./actions/setDesignInfo");

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};
/** The commands asked so far, in order (`document_state` is the title's, not the recovery's). */
const asked = () => pending.map((p) => p.cmd).filter((c) => c !== "document_state");
const answer = (cmd: string) => {
  const p = pending.find((q) => q.cmd === cmd);
  if (!p) throw new Error(`${cmd} was not asked`);
  p.resolve(null);
};

describe("the recovery file follows whether there is unsaved work", () => {
  beforeEach(() => {
    pending.length = 0;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => vi.useRealTimers());

  function edited() {
    const store = new Store(smallState());
    const files = new Files(store);
    store.dispatch(setDesignInfo, { name: "edited" });
    return { store, files };
  }

  it("an edit is autosaved; undoing back to the saved design removes the recovery file", async () => {
    const { store } = edited();
    vi.advanceTimersByTime(AUTOSAVE_MS);
    expect(asked()).toEqual(["autosave"]);
    answer("autosave");
    await flush();
    store.undo();
    await flush();
    expect(asked()).toEqual(["autosave", "discard_recovery"]);
  });

  it("undone before the autosave: nothing is written and nothing to remove", async () => {
    const { store } = edited();
    vi.advanceTimersByTime(AUTOSAVE_MS / 2);
    store.undo();
    vi.advanceTimersByTime(AUTOSAVE_MS * 2);
    await flush();
    expect(asked()).toEqual([]);
  });

  it("an autosave still on its way when the edit is undone is removed once it lands", async () => {
    const { store } = edited();
    vi.advanceTimersByTime(AUTOSAVE_MS);
    store.undo();
    await flush();
    expect(asked()).toEqual(["autosave", "discard_recovery"]);
    // The shell may write the autosave after that removal: it is removed again.
    answer("autosave");
    await flush();
    expect(asked()).toEqual(["autosave", "discard_recovery", "discard_recovery"]);
  });

  it("still unsaved work (another edit after the autosave) keeps the file", async () => {
    const { store } = edited();
    vi.advanceTimersByTime(AUTOSAVE_MS);
    answer("autosave");
    await flush();
    store.dispatch(setDesignInfo, { name: "edited again" });
    store.undo();
    await flush();
    expect(asked()).toEqual(["autosave"]);
  });
});
