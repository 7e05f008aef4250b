// Drift test: the generated TS types must match schema/*.schema.json (STYLE.md point 8).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "gen-types.mjs");

describe("generated types", () => {
  it("are fresh (run `npm run gen:types` after a schema change)", () => {
    let out = "";
    let code = 0;
    try {
      out = execFileSync(process.execPath, [script, "--check"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      code = err.status;
      out = `${err.stdout}${err.stderr}`;
    }
    expect(out).not.toContain("stale:");
    expect(code).toBe(0);
    expect(out).toContain("fresh: src/generated/bulkhead.ts");
    expect(out).toContain("fresh: src/generated/analysis.ts");
  });
});
