import { describe, expect, it } from "vitest";
import { helpRows, matchShortcut, SHORTCUTS } from "./keys";

const k = (key: string, o: Partial<{ ctrl: boolean; shift: boolean; field: boolean; text: boolean }> = {}) => ({
  key,
  ctrlKey: !!o.ctrl,
  metaKey: false,
  shiftKey: !!o.shift,
  altKey: false,
  inField: !!o.field || !!o.text,
  inText: !!o.text,
});

describe("matchShortcut", () => {
  it("maps modifier shortcuts", () => {
    expect(matchShortcut(k("s", { ctrl: true }))).toBe("save");
    expect(matchShortcut(k("S", { ctrl: true, shift: true }))).toBe("saveAs");
    expect(matchShortcut(k("z", { ctrl: true }))).toBe("undo");
    expect(matchShortcut(k("Z", { ctrl: true, shift: true }))).toBe("redo");
    expect(matchShortcut(k("y", { ctrl: true }))).toBe("redo");
  });
  it("maps single keys outside text fields only", () => {
    expect(matchShortcut(k("?", { shift: true }))).toBe("help");
    expect(matchShortcut(k("Delete"))).toBe("delete");
    expect(matchShortcut(k("a", { field: true }))).toBeNull();
    expect(matchShortcut(k("Escape", { field: true }))).toBe("escape");
  });
  it("leaves undo and redo to a text field that has the focus, and keeps Save", () => {
    expect(matchShortcut(k("z", { ctrl: true, text: true }))).toBeNull();
    expect(matchShortcut(k("Z", { ctrl: true, shift: true, text: true }))).toBeNull();
    expect(matchShortcut(k("y", { ctrl: true, text: true }))).toBeNull();
    expect(matchShortcut(k("s", { ctrl: true, text: true }))).toBe("save");
    // A checkbox or a select has no typing to undo: the app's undo applies.
    expect(matchShortcut(k("z", { ctrl: true, field: true }))).toBe("undo");
  });
  it("every listed shortcut triggers its own command", () => {
    for (const s of SHORTCUTS) {
      for (const key of s.key) expect(matchShortcut(k(key, { ctrl: !!s.mod, shift: !!s.shift }))).toBe(s.command);
    }
  });
  it("help lists each command once", () => {
    const rows = helpRows();
    expect(rows.filter((r) => r.label === "Redo")).toHaveLength(1);
    expect(rows.length).toBe(new Set(SHORTCUTS.map((s) => s.command)).size);
  });
});
