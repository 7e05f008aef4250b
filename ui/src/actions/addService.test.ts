import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { addService } from "./addService";

describe("addService", () => {
  it("adds a service with a fresh id into the segment and selects it", () => {
    const s = addService.perform(smallState(), { name: "Orders API", kind: "worker", segment: "edge", position: { x: 5, y: 6 } });
    const added = s.design.services?.at(-1);
    expect(added).toEqual({ id: "orders-api", name: "Orders API", kind: "worker", exposure: "internal" });
    expect(s.design.segments?.find((x) => x.id === "edge")?.members).toEqual(["web", "orders-api"]);
    expect(s.design.layout?.positions?.["orders-api"]).toEqual({ x: 5, y: 6 });
    expect(s.selection).toEqual({ kind: "service", ids: ["orders-api"] });
  });
  it("avoids ids already used by any element", () => {
    const s = addService.perform(smallState(), { name: "core" });
    expect(s.design.services?.at(-1)?.id).toBe("core-2");
  });
});
