import { describe, expect, it } from "vitest";
import { smallState } from "./fixtures/small";
import { baseName, openedHow, problemCount, suggestedName, windowTitle, withJsonExtension } from "./files";

describe("file helpers", () => {
  it("titles like the shell: file, unsaved marker", () => {
    const base = smallState();
    const s = { ...base, file: { path: "/home/a/shop.bulkhead.json", saved: base.design, broken: null } };
    expect(windowTitle(s)).toBe("shop.bulkhead.json — Bulkhead");
    expect(windowTitle({ ...s, design: { ...s.design, name: "edited" } })).toBe("• shop.bulkhead.json — Bulkhead");
    expect(windowTitle({ ...s, file: { ...s.file, path: null } })).toBe("Untitled — Bulkhead");
  });
  it("names a broken file shown instead of the design, as the shell does", () => {
    const s = smallState();
    const broken = { path: "/home/a/broken.bulkhead.json", via: "command-line" as const, diagnostics: [] };
    expect(windowTitle({ ...s, file: { path: null, saved: s.design, broken } })).toBe("broken.bulkhead.json (not loaded) — Bulkhead");
    expect(windowTitle({ ...s, revision: 3, file: { path: "/home/a/shop.bulkhead.json", saved: null, broken } })).toBe("broken.bulkhead.json (not loaded) — Bulkhead");
  });
  it("takes base names of Windows and Unix paths", () => {
    expect(baseName("C:\\x\\y.json")).toBe("y.json");
    expect(baseName("/x/y.json")).toBe("y.json");
  });
  it("saves as JSON only", () => {
    expect(withJsonExtension("/a/b.json")).toBe("/a/b.json");
    expect(withJsonExtension("/a/b.yaml")).toBe("/a/b.bulkhead.json");
    expect(withJsonExtension("/a/b")).toBe("/a/b.bulkhead.json");
    expect(suggestedName(smallState().design)).toBe("small-shop.bulkhead.json");
  });
});

describe("the broken-file screen's words", () => {
  it("says how the file was opened", () => {
    expect(openedHow("command-line")).toBe("named on the command line");
    expect(openedHow("dialog")).toBe("chosen in the Open dialog");
    expect(openedHow("recent")).toBe("opened from the recent files");
  });
  it("counts errors and warnings", () => {
    const d = (severity: "error" | "warning") => ({ severity, code: "x", message: "m", pointer: "" });
    expect(problemCount([d("error"), d("error"), d("warning")])).toBe("2 errors and 1 warning");
    expect(problemCount([d("error")])).toBe("1 error");
    expect(problemCount([d("warning"), d("warning")])).toBe("2 warnings");
    expect(problemCount([])).toBe("no problems");
  });
});
