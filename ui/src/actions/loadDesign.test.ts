import { describe, expect, it } from "vitest";
import { smallDesign, smallState } from "../fixtures/small";
import { isDirty } from "../state";
import { loadDesign } from "./loadDesign";

describe("loadDesign", () => {
  it("loads a design as saved", () => {
    const s = loadDesign.perform(smallState(), { design: smallDesign(), path: "/tmp/a.bulkhead.json" });
    expect(s.file.path).toBe("/tmp/a.bulkhead.json");
    expect(isDirty(s)).toBe(false);
  });
  it("replaces a saved layout that draws sibling segments on top of each other", () => {
    const overlapping = { ...smallDesign(), layout: { positions: { web: { x: 0, y: 0 }, api: { x: 60, y: 0 }, db: { x: 0, y: 100 }, pay: { x: 60, y: 100 } } } };
    const s = loadDesign.perform(smallState(), { design: overlapping, path: "/tmp/a.bulkhead.json" });
    expect(s.design.layout?.positions?.web).not.toEqual({ x: 0, y: 0 });
    expect({ ...s.design, layout: null }).toEqual({ ...overlapping, layout: null });
    expect(isDirty(s)).toBe(false);
  });
  it("a recovered design is unsaved", () => {
    const s = loadDesign.perform(smallState(), { design: smallDesign(), path: null, unsaved: true });
    expect(isDirty(s)).toBe(true);
  });
  it("a broken file keeps the design and shows the diagnostics", () => {
    const st = smallState();
    const diag = { severity: "error" as const, code: "unknown-id", message: "unknown segment `pcii`", pointer: "/rules/0/to/segment", location: { line: 12, column: 20, offset: 300, length: 6 }, help: "did you mean `pci`?" };
    const s = loadDesign.perform(st, { design: null, path: "/tmp/bad.json", diagnostics: [diag], via: "recent" });
    expect(s.design).toBe(st.design);
    expect(s.file.path).toBe(st.file.path);
    expect(s.file.broken).toEqual({ path: "/tmp/bad.json", via: "recent", diagnostics: [diag] });
    // Opening a good file afterwards clears the broken-file screen.
    const t = loadDesign.perform(s, { design: smallDesign(), path: "/tmp/a.bulkhead.json" });
    expect(t.file.broken).toBeNull();
  });
});
