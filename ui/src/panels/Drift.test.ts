import { describe, expect, it } from "vitest";
import type { DriftReport } from "../analysis";
import { driftSections, focusIds } from "./Drift";

/** The shape `drift_check` answers (src-tauri/src/commands/drift.rs). */
export const report = (): DriftReport => ({
  drift: {
    design: "Small shop",
    traffic: { flows: 3, calls: 515, first_seen: "2026-01-01T00:00:00Z", last_seen: "2026-01-10T00:00:00Z", lines: 520, unparsed_lines: 1, unparsed_examples: ["/logs/a.csv:7: expected `src,dst`"], skipped_lines: 4 },
    violations: [
      {
        from: "web",
        to: "pay",
        port: 8443,
        method: "GET",
        path: "/cards/{id}",
        calls: 412,
        decision: { decision: "deny", reason: "default" },
        explanation: "no rule allows it (default deny)",
        flows: ["observed:web->pay:8443:GET:/cards/{id}"],
      },
    ],
    unused: [{ by: { by: "rule", rule: "r-edge-core" }, allowed: 3, used: 1, entries: [{ from: "web", to: "db", port: 8080, declared: false }, { from: "web", to: "api", port: 9090, declared: true }], entirely_unused: false }],
    shadow_services: [{ name: "prometheus", calls_in: 0, calls_out: 7, peers: ["api"], ports: [] }],
    shadow_endpoints: [{ service: "api", method: "POST", path: "/admin/reset", calls: 2, callers: ["web"] }],
    zombie_services: [{ service: "mail", calls_out: 0, declared_callers: ["api"] }],
    zombie_endpoints: [{ service: "api", method: "DELETE", path: "/items/{id}" }],
    live: null,
    summary: { violations: 1, violating_calls: 412, unused_grants: 1, unused_entries: 2, shadow_services: 1, shadow_endpoints: 1, zombie_services: 1, zombie_endpoints: 1, live_differences: 0 },
    notes: [],
  },
  calls: [
    { from: "web", to: "pay", port: 8443, method: "GET", path: "/cards/{id}", calls: 412, decision: { decision: "deny", reason: "default" }, explanation: "no rule allows it (default deny)", flows: ["f"] },
    { from: "web", to: "api", port: 8080, calls: 96, decision: { decision: "allow", by: { by: "rule", rule: "r-edge-core" }, auth: [] }, flows: ["g"] },
    { from: "prometheus", to: "api", calls: 7, decision: null, flows: ["h"] },
  ],
  calls_left_out: 0,
});

describe("drift panel", () => {
  it("lists every kind of drift with what clicking focuses", () => {
    const s = driftSections(report());
    expect(s.map((x) => [x.kind, x.items.length])).toEqual([
      ["violations", 1],
      ["unused", 1],
      ["shadow-services", 1],
      ["shadow-endpoints", 1],
      ["zombie-services", 1],
      ["zombie-endpoints", 1],
    ]);
    const v = s[0]!.items[0]!;
    expect(v.label).toBe("web → pay:8443 GET /cards/{id} · 412 calls");
    expect(v.detail).toBe("no rule allows it (default deny)");
    expect(v.focus).toEqual({ kind: "pair", from: "web", to: "pay", verdict: "deny" });
    const u = s[1]!.items[0]!;
    expect(u.label).toBe("rule `r-edge-core`: 2 of 3 allowed pair-ports unused");
    expect(u.detail).toBe("web → db:8080; web → api:9090 (declared)");
    expect(u.focus).toEqual({ kind: "rule", id: "r-edge-core", services: ["web", "db", "api"] });
    expect(s[2]!.items[0]!.focus).toEqual({ kind: "shadow", name: "prometheus", peers: ["api"] });
    expect(s[2]!.items[0]!.adopt).toEqual({ name: "prometheus", ports: [] });
    expect(s[4]!.items[0]!.detail).toBe("declared callers: api");
  });

  it("adds live differences when the check compared live policies", () => {
    const r = report();
    r.drift.live = {
      source: "np.yaml",
      policies: 3,
      pairs_compared: 12,
      differences: [{ from: "web", to: "db", design: { allowed: false, ports: [], by: [] }, live: { allowed: true, ports: [5432], by: [] }, kind: "live-only", ports: [{ port: 5432, design: false, live: "allowed" }], live_why: ["no policy selects `db`"] }],
      unmapped_services: [],
      unmapped_workloads: [],
    };
    const live = driftSections(r).at(-1)!;
    expect(live.kind).toBe("live");
    expect(live.items[0]!.label).toBe("web → db · live-only");
    expect(live.items[0]!.detail).toBe("5432: design denies, live allows · live: no policy selects `db`");
    expect(live.items[0]!.focus).toEqual({ kind: "pair", from: "web", to: "db", verdict: "deny" });
  });

  it("focuses the overlay edge and both ends of a call, or the nodes alone", () => {
    expect(focusIds({ kind: "pair", from: "internet", to: "web", verdict: "deny" })).toEqual(["t:deny:internet\u0000web", "internet", "s:web"]);
    expect(focusIds({ kind: "segment", id: "core", services: ["api"] })).toEqual(["g:core", "s:api"]);
    expect(focusIds({ kind: "rule", id: "r", services: [] })).toEqual([]);
    expect(focusIds({ kind: "shadow", name: "prometheus", peers: ["api"] })).toEqual(["shadow:prometheus"]);
  });
});
