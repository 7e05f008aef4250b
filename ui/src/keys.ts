//! Keyboard shortcuts: one table, used both by the key handler and by the help panel (`?`), so
//! the help can never list a shortcut that does not work.

export type CommandId =
  | "new" | "open" | "save" | "saveAs" | "undo" | "redo"
  | "addService" | "drawFlow" | "makeSegment" | "delete"
  | "autoLayout" | "fit" | "zoomIn" | "zoomOut" | "search"
  | "panelInspector" | "panelMatrix" | "panelSimulate" | "panelFindings" | "panelExport" | "panelImport" | "panelDrift" | "panelPropose"
  | "toggleTheme" | "help" | "escape";

export interface Shortcut {
  /** Display form, `Mod` is Ctrl (Cmd on macOS). */
  keys: string;
  command: CommandId;
  label: string;
  mod?: boolean;
  shift?: boolean;
  /** `KeyboardEvent.key` values (lowercased) that trigger it. */
  key: string[];
}

export const SHORTCUTS: Shortcut[] = [
  { keys: "Mod+N", command: "new", label: "New design", mod: true, key: ["n"] },
  { keys: "Mod+O", command: "open", label: "Open a design", mod: true, key: ["o"] },
  { keys: "Mod+S", command: "save", label: "Save", mod: true, key: ["s"] },
  { keys: "Mod+Shift+S", command: "saveAs", label: "Save as", mod: true, shift: true, key: ["s"] },
  { keys: "Mod+Z", command: "undo", label: "Undo", mod: true, key: ["z"] },
  { keys: "Mod+Shift+Z / Mod+Y", command: "redo", label: "Redo", mod: true, shift: true, key: ["z"] },
  { keys: "Mod+Y", command: "redo", label: "Redo", mod: true, key: ["y"] },
  { keys: "A", command: "addService", label: "Add a service", key: ["a"] },
  { keys: "F", command: "drawFlow", label: "Draw a flow (click caller, then callee)", key: ["f"] },
  { keys: "G", command: "makeSegment", label: "Make a segment around the selected services", key: ["g"] },
  { keys: "Delete / Backspace", command: "delete", label: "Delete the selection", key: ["delete", "backspace"] },
  { keys: "L", command: "autoLayout", label: "Auto-layout (fcose, keeps segments)", key: ["l"] },
  { keys: "0", command: "fit", label: "Fit the design in view", key: ["0"] },
  { keys: "+", command: "zoomIn", label: "Zoom in", key: ["+", "="] },
  { keys: "-", command: "zoomOut", label: "Zoom out", key: ["-"] },
  { keys: "/", command: "search", label: "Search services", key: ["/"] },
  { keys: "1", command: "panelInspector", label: "Inspector", key: ["1"] },
  { keys: "2", command: "panelMatrix", label: "Segment matrix", key: ["2"] },
  { keys: "3", command: "panelSimulate", label: "Simulate a breach", key: ["3"] },
  { keys: "4", command: "panelFindings", label: "Findings", key: ["4"] },
  { keys: "5", command: "panelExport", label: "Export", key: ["5"] },
  { keys: "6", command: "panelImport", label: "Import", key: ["6"] },
  { keys: "7", command: "panelDrift", label: "Drift against traffic (and the overlay)", key: ["7"] },
  { keys: "8", command: "panelPropose", label: "Least-privilege proposal", key: ["8"] },
  { keys: "T", command: "toggleTheme", label: "Light / dark theme", key: ["t"] },
  { keys: "?", command: "help", label: "This help", key: ["?"] },
  { keys: "Esc", command: "escape", label: "Cancel drawing, close help, clear selection", key: ["escape"] },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** Whether focus is in a form field (then single-key shortcuts are off). */
  inField: boolean;
  /** Whether focus is where text is typed (then undo and redo are the field's). */
  inText?: boolean;
}

export function matchShortcut(e: KeyLike): CommandId | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (e.altKey) return null;
  for (const s of SHORTCUTS) {
    if (!s.key.includes(key)) continue;
    if (!!s.mod !== mod) continue;
    // Shift matters for Mod shortcuts; for plain keys `?` and `+` need Shift on most layouts.
    if (s.mod && !!s.shift !== e.shiftKey) continue;
    if (!s.mod && e.inField && s.command !== "escape") continue;
    // In a text field undo and redo are the field's own (the typing): the app's would take back
    // an earlier, unrelated design edit while the typed text stayed.
    if (e.inText && (s.command === "undo" || s.command === "redo")) continue;
    return s.command;
  }
  return null;
}

/** The help panel's rows: one per command, in table order. */
export function helpRows(): { keys: string; label: string }[] {
  const seen = new Set<CommandId>();
  return SHORTCUTS.filter((s) => (seen.has(s.command) ? false : (seen.add(s.command), true))).map((s) => ({ keys: s.keys, label: s.label }));
}
