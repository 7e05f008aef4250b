import { describe, expect, it } from "vitest";
import { parsePorts } from "./fields";

describe("parsePorts", () => {
  it("reads a comma-separated list of whole numbers, spaces and empty items ignored", () => {
    expect(parsePorts("8443, 9090 ,,80")).toEqual({ ports: [8443, 9090, 80] });
    expect(parsePorts("  ")).toEqual({ ports: [] });
  });
  it("keeps numbers the validator must judge (out of range) instead of dropping them", () => {
    expect(parsePorts("0, 99999")).toEqual({ ports: [0, 99999] });
  });
  it("refuses a typo instead of dropping it: an emptied list would allow every port", () => {
    const r = parsePorts("84x3");
    expect("error" in r && r.error).toMatch(/^`84x3` is not a port number/);
    const many = parsePorts("8443, http, -1, 1e3, 123456");
    expect("error" in many && many.error).toMatch(/^`http`, `-1`, `1e3`, `123456` are not port numbers/);
  });
});
