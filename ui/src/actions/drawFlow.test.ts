import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { drawFlow } from "./drawFlow";

describe("drawFlow", () => {
  it("two clicks in draw mode add a flow and leave the mode", () => {
    let s = drawFlow.perform(smallState(), { start: true });
    s = drawFlow.perform(s, { click: "mail" });
    expect(s.drawFlowFrom).toBe("mail");
    s = drawFlow.perform(s, { click: "db" });
    expect(s.design.flows?.at(-1)).toMatchObject({ from: "mail", to: "db" });
    expect([s.drawingFlow, s.drawFlowFrom]).toEqual([false, null]);
  });
  it("clicks outside draw mode do nothing; clicking the caller again cancels it", () => {
    const st = smallState();
    expect(drawFlow.perform(st, { click: "api" })).toBe(st);
    let s = drawFlow.perform(drawFlow.perform(st, { start: true }), { click: "api" });
    s = drawFlow.perform(s, { click: "api" });
    expect(s.drawFlowFrom).toBeNull();
    expect(s.design).toBe(st.design);
  });
});
