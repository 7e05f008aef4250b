// Drift test: the generated TS types must match schema/*.schema.json (STYLE.md point 8).
//
// The check runs the generator in a child process, which compiles every schema (a few seconds of
// CPU, much more wall time on a loaded machine): it runs asynchronously with a bound far above
// that, instead of vitest's 5 s default, which made it fail whenever the machine was busy.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "gen-types.mjs");
/** Generous: the point is staleness, not speed; a hung generator still fails. */
const BOUND_MS = 120_000;

describe("generated types", () => {
  it(
    "are fresh (run `npm run gen:types` after a schema change)",
    async () => {
      let out = "";
      let code = 0;
      try {
        const r = await promisify(execFile)(process.execPath, [script, "--check"], { encoding: "utf8", timeout: BOUND_MS - 5_000 });
        out = `${r.stdout}${r.stderr}`;
      } catch (e) {
        const err = e as { code?: number; stdout?: string; stderr?: string; message?: string };
        code = typeof err.code === "number" ? err.code : -1;
        out = `${err.stdout ?? ""}${err.stderr ?? ""}${err.message ?? ""}`;
      }
      expect(out).not.toContain("stale:");
      expect(code).toBe(0);
      expect(out).toContain("fresh: src/generated/bulkhead.ts");
      expect(out).toContain("fresh: src/generated/analysis.ts");
      expect(out).toContain("fresh: src/generated/ipc.ts");
    },
    BOUND_MS,
  );
});

describe("each definition", () => {
  // Regression: a field's doc comment (or default) beside its `$ref` made the compiler declare
  // the definition twice, `SimulationTree` and `SimulationTree1` among 22 such twins; the
  // generator now refers to the definition by name there. `DenyReason1` stays: `Decision`'s deny
  // variant adds a property to `DenyReason`, so it is another type.
  it("is declared once, under its own name", () => {
    const generated = path.join(path.dirname(script), "..", "src", "generated");
    const twins = ["bulkhead.ts", "analysis.ts", "ipc.ts"].flatMap((file) =>
      [...readFileSync(path.join(generated, file), "utf8").matchAll(/^export (?:interface|type) ([A-Za-z]+)\d+\b/gm)].map(
        (m) => `${file}: ${m[0]}`,
      ),
    );
    expect(twins).toEqual(["analysis.ts: export type DenyReason1"]);
  });
});
