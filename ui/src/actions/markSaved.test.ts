import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { isDirty } from "../state";
import { markSaved } from "./markSaved";

describe("markSaved", () => {
  it("clears the unsaved marker and remembers the path", () => {
    const base = smallState();
    const st = { ...base, design: { ...base.design, name: "edited" }, revision: 7 };
    expect(isDirty(st)).toBe(true);
    const s = markSaved.perform(st, { path: "/x.bulkhead.json" });
    expect(isDirty(s)).toBe(false);
    expect(s.file.path).toBe("/x.bulkhead.json");
  });
});
