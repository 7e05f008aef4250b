import { describe, expect, it } from "vitest";
import type { Design } from "../generated/bulkhead";
import type { AppState } from "../state";
import { applyDesignPatch, designPatch } from "./patch";
import { generateDesign, rng } from "../fixtures/generate";
import { smallState } from "../fixtures/small";
import { updateService } from "../actions/updateService";
import { setRule } from "../actions/setRule";
import { deleteElements } from "../actions/deleteElements";
import { moveToSegment } from "../actions/moveToSegment";
import { setDesignInfo } from "../actions/setDesignInfo";
import { setPositions } from "../actions/setPositions";

/** The design as the shell reads it: JSON, which drops undefined fields. */
const json = (d: Design): unknown => JSON.parse(JSON.stringify(d));

/** What the shell ends up holding: the patch, as sent, applied to its copy of `from`. */
function shellAfter(from: Design, to: Design): Design {
  const ops = JSON.parse(JSON.stringify(designPatch(from, to)));
  return applyDesignPatch(json(from) as Design, ops);
}

describe("design patches", () => {
  it("carry only what an edit changed", () => {
    const s = smallState();
    const ruled = setRule.perform(s, { rule: { from: { segment: "edge" }, to: { segment: "pci" }, action: "allow" } }).design;
    const ops = designPatch(s.design, ruled);
    expect(ops).toEqual([{ op: "splice", list: "rules", start: 2, delete: 0, insert: [ruled.rules!.at(-1)] }]);
    const renamed = updateService.perform(s, { id: "api", patch: { name: "Orders" } }).design;
    expect(designPatch(s.design, renamed)).toEqual([{ op: "splice", list: "services", start: 1, delete: 1, insert: [renamed.services![1]] }]);
    expect(designPatch(s.design, s.design)).toEqual([]);
    const undescribed = setDesignInfo.perform({ ...s, design: { ...s.design, description: "d" } }, { description: null }).design;
    expect(designPatch({ ...s.design, description: "d" }, undescribed)).toEqual([{ op: "remove", field: "description" }]);
  });

  it("turn the design before an edit into the one after, over random edit sequences", () => {
    for (let seed = 1; seed <= 15; seed++) {
      const r = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
      let s: AppState = { ...smallState(), design: generateDesign(20, seed) };
      for (let step = 0; step < 30; step++) {
        const d = s.design;
        const services = d.services ?? [];
        const segments = d.segments ?? [];
        const edits: (() => AppState)[] = [
          () => updateService.perform(s, { id: pick(services).id, patch: { name: `n${step}`, tags: r() < 0.5 ? [] : ["t"] } }),
          () => setRule.perform(s, { rule: { from: { segment: pick(segments).id }, to: { segment: pick(segments).id }, action: "allow" } }),
          () => (d.rules?.length ? setRule.perform(s, { id: pick(d.rules).id, patch: { ports: [Math.floor(r() * 9000)] } }) : s),
          () => deleteElements.perform(s, { kind: pick(["service", "flow", "rule", "segment"] as const), ids: [pick([...services, ...(d.flows ?? []), ...(d.rules ?? []), ...segments]).id] }),
          () => moveToSegment.perform(s, { services: [pick(services).id], segment: pick(segments).id }),
          () => setDesignInfo.perform(s, r() < 0.5 ? { name: `d${step}`, description: r() < 0.5 ? null : "x" } : { dataClass: { id: `c${step % 3}`, sensitivity: "internal" } }),
          () => setPositions.perform(s, { positions: { [pick(services).id]: { x: r() * 100, y: r() * 100 } } }),
        ];
        const next = pick(edits)();
        if (services.length === 0 || segments.length === 0) break;
        expect(json(shellAfter(d, next.design)), `seed ${seed}, step ${step}`).toEqual(json(next.design));
        // Undo and redo are edits too: back to an earlier design, and forward again.
        expect(json(shellAfter(next.design, d))).toEqual(json(d));
        s = next;
      }
    }
  }, 60_000);

  it("refuse a splice outside the list, as the shell does", () => {
    const d = smallState().design;
    expect(() => applyDesignPatch(d, [{ op: "splice", list: "rules", start: 5, delete: 1, insert: [] }])).toThrow(/outside rules/);
  });
});
