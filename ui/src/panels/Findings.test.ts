import { describe, expect, it } from "vitest";
import type { Finding } from "../analysis";
import { smallDesign } from "../fixtures/small";
import { sortFindings, subjectKind } from "./Findings";

const f = (key: string, severity: Finding["severity"]): Finding => ({
  id: key.split(":")[0]!,
  rule: "some-rule",
  key,
  severity,
  message: "",
  subjects: [],
  path: [],
});

describe("findings helpers", () => {
  it("sorts open before triaged, then by severity", () => {
    const out = sortFindings([f("A:1", "low"), f("B:1", "critical"), f("C:1", "high")], new Map([["B:1", {}]]));
    expect(out.map((x) => x.key)).toEqual(["C:1", "A:1", "B:1"]);
  });
  it("resolves what a subject id names", () => {
    const d = smallDesign();
    expect(["web", "pci", "f2", "r-edge-core", "nope"].map((id) => subjectKind(d, id))).toEqual(["service", "segment", "flow", "rule", null]);
  });
});
