import { describe, expect, it } from "vitest";
import type { Proposal } from "../analysis";
import { acceptedIds, diffLines, ruleLine } from "./Propose";

/** Shaped like `bulkhead propose examples/bookinfo.bulkhead.json --format json`. */
const proposal = (): Proposal => ({
  design: "Bookinfo",
  evidence: { declared: 7, observed: 0, calls: 0 },
  changes: [
    {
      id: "narrow:productpage-to-reviews",
      summary: "narrow `productpage-to-reviews`",
      evidence: ["productpage-reviews"],
      change: {
        kind: "narrow_rule",
        rule: "productpage-to-reviews",
        before: { id: "productpage-to-reviews", from: { service: "productpage-v1" }, to: { segment: "book-data" }, ports: [9080], methods: ["GET"], paths: ["/reviews/{productId}"] },
        after: [{ id: "productpage-to-reviews", from: { service: "productpage-v1" }, to: { service: "reviews-v1" }, ports: [9080], methods: ["GET"], paths: ["/reviews/{productId}"] }],
      },
    },
    { id: "add:web-to-db", summary: "add", evidence: ["f"], change: { kind: "add_rule", rule: { id: "web-to-db", from: { service: "web" }, to: { service: "db" }, ports: [5432], auth: { type: "mtls" }, expires: "2027-01-01" } } },
    { id: "remove:old", summary: "remove", evidence: [], change: { kind: "remove_rule", rule: "old", before: { id: "old", from: "any", to: "internet" } } },
    {
      id: "close-intra:core",
      summary: "close",
      evidence: ["g"],
      change: { kind: "close_intra_segment", segment: "core", member_pairs: 6, evidenced_pairs: 1, replacement: [{ id: "core-api-db", from: { service: "api" }, to: { service: "db" }, rate_limit: { requests: 10, per: "minute" } }] },
    },
  ],
  unchanged: ["productpage-to-details"],
  blocked: [],
  notes: [],
});

describe("least-privilege review", () => {
  it("renders rules on one line", () => {
    const c = proposal().changes[0]!.change;
    if (c.kind !== "narrow_rule") throw new Error("fixture");
    expect(ruleLine(c.before)).toBe("productpage-to-reviews: productpage-v1 → segment book-data · ports 9080 · GET · /reviews/{productId}");
    expect(ruleLine({ id: "x", from: "internet", to: "any", action: "deny" })).toBe("deny x: internet → any · any port");
  });

  it("shows each change as a diff", () => {
    const [narrow, add, remove, close] = proposal().changes.map(diffLines);
    expect(narrow!.map((l) => l.sign)).toEqual(["-", "+"]);
    expect(narrow![1]!.text).toContain("→ reviews-v1");
    expect(add).toEqual([{ sign: "+", text: "web-to-db: web → db · ports 5432 · auth mtls · expires 2027-01-01" }]);
    expect(remove).toEqual([{ sign: "-", text: "old: any → internet · any port" }]);
    expect(close).toEqual([
      { sign: "~", text: "segment core: intra-segment allow → deny (1 of 6 member pairs evidenced)" },
      { sign: "+", text: "core-api-db: api → db · any port · 10/minute" },
    ]);
  });

  it("sends ticked ids in the proposal's order, and only its own", () => {
    expect(acceptedIds(proposal(), new Set(["remove:old", "add:web-to-db", "gone"]))).toEqual(["add:web-to-db", "remove:old"]);
  });
});
