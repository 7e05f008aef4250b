import { describe, expect, it } from "vitest";
import { numberProblem, parsePorts } from "./fields";

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

describe("numberProblem", () => {
  it("takes empty text (no value) and numbers in range", () => {
    expect(numberProblem("", { min: 0 })).toBeNull();
    expect(numberProblem(" 20 ", { min: 0, max: 100, integer: true })).toBeNull();
    expect(numberProblem("0.25", { min: 0, max: 1 })).toBeNull();
  });
  it("says what is wrong instead of rounding or clamping", () => {
    expect(numberProblem("1.5", { min: 0, integer: true })).toBe("`1.5` is not a whole number");
    expect(numberProblem("-3", { min: 0, max: 4294967295, integer: true })).toBe("`-3` is out of range: from 0 to 4294967295");
    expect(numberProblem("70000", { min: 1, max: 65535, integer: true })).toBe("`70000` is out of range: from 1 to 65535");
    expect(numberProblem("2", { min: 0 })).toBeNull();
    expect(numberProblem("-1", { min: 0 })).toBe("`-1` is out of range: 0 or more");
    expect(numberProblem("1e999", {})).toBe("`1e999` is not a number");
  });
});
