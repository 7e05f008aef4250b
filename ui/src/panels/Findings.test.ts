import { describe, expect, it } from "vitest";
import type { Finding } from "../analysis";
import { sortFindings } from "./Findings";

const f = (key: string, severity: Finding["severity"]): Finding => ({
  rule: key.split(":")[0]!,
  key,
  severity,
  title: key,
  message: "",
  elements: [],
  docs: { what: "", why: "", fix: "" },
});

describe("sortFindings", () => {
  it("open before triaged, then by severity", () => {
    const out = sortFindings([f("A:1", "low"), f("B:1", "critical"), f("C:1", "high")], new Map([["B:1", {}]]));
    expect(out.map((x) => x.key)).toEqual(["C:1", "A:1", "B:1"]);
  });
});
