import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setView } from "./setView";

describe("setView", () => {
  it("switches panel, theme and help without touching the design", () => {
    const st = smallState();
    const s = setView.perform(st, { panel: "matrix", theme: "dark", helpOpen: true });
    expect([s.panel, s.theme, s.helpOpen]).toEqual(["matrix", "dark", true]);
    expect(s.design).toBe(st.design);
    expect(setView.perform(s, { helpOpen: false }).theme).toBe("dark");
  });
});
