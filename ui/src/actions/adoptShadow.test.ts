import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { Store } from "../store";
import { adoptShadow } from "./adoptShadow";

describe("adoptShadow", () => {
  it("adds the shadow as an internal service named and identified as traffic named it, in no segment, where its ghost was", () => {
    const s = adoptShadow.perform(smallState(), { name: "kube-dns", ports: [53, 10054, 53], position: { x: 900, y: 40 }, logs: ["/var/log/hubble.json"] });
    const added = s.design.services?.at(-1);
    expect(added).toEqual({
      id: "kube-dns",
      name: "kube-dns",
      kind: "api",
      exposure: "internal",
      ports: [{ port: 53 }, { port: 10054 }],
      tags: ["from-traffic"],
      provenance: [{ source: "/var/log/hubble.json", element: "shadow service `kube-dns`" }],
    });
    expect((s.design.segments ?? []).some((g) => (g.members ?? []).includes("kube-dns"))).toBe(false);
    expect(s.design.layout?.positions?.["kube-dns"]).toEqual({ x: 900, y: 40 });
    expect(s.selection).toEqual({ kind: "service", ids: ["kube-dns"] });
  });

  it("does nothing when the design already has that service", () => {
    const st = smallState();
    expect(adoptShadow.perform(st, { name: "api" })).toBe(st);
  });

  it("is one undoable edit", () => {
    const store = new Store(smallState());
    const before = store.get().design;
    store.dispatch(adoptShadow, { name: "prometheus" });
    expect(store.get().design.services?.some((x) => x.id === "prometheus")).toBe(true);
    store.undo();
    expect(store.get().design).toBe(before);
  });
});
