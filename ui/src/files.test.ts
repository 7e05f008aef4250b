import { describe, expect, it } from "vitest";
import { smallState } from "./fixtures/small";
import { baseName, windowTitle } from "./files";

describe("windowTitle", () => {
  it("shows the design, the file and an unsaved marker", () => {
    const s = { ...smallState(), file: { path: "/home/a/shop.bulkhead.json", savedRevision: 0, broken: null } };
    expect(windowTitle(s)).toBe("Small shop — shop.bulkhead.json — Bulkhead");
    expect(windowTitle({ ...s, revision: 3 })).toBe("Small shop — shop.bulkhead.json • — Bulkhead");
    expect(windowTitle({ ...s, file: { ...s.file, path: null } })).toBe("Small shop — not saved — Bulkhead");
  });
  it("takes base names of Windows and Unix paths", () => {
    expect(baseName("C:\\x\\y.json")).toBe("y.json");
    expect(baseName("/x/y.json")).toBe("y.json");
  });
});
