import { describe, expect, it } from "vitest";
import { smallDesign, smallState } from "../fixtures/small";
import { isDirty } from "../state";
import { dismissBroken } from "./dismissBroken";
import { loadDesign } from "./loadDesign";

describe("dismissBroken", () => {
  it("goes back to the design that was open, unchanged and as saved as it was", () => {
    const open = loadDesign.perform(smallState(), { design: smallDesign(), path: "/tmp/a.bulkhead.json" });
    const broken = loadDesign.perform(open, { design: null, path: "/tmp/bad.json", via: "dialog", diagnostics: [] });
    const back = dismissBroken.perform(broken, {});
    expect(back.file.broken).toBeNull();
    expect(back.design).toBe(open.design);
    expect(back.file.path).toBe("/tmp/a.bulkhead.json");
    expect(isDirty(back)).toBe(false);
  });
  it("is a no-op without a broken file", () => {
    const s = smallState();
    expect(dismissBroken.perform(s, {})).toBe(s);
  });
});
