//! File commands: new, open, save, save as, recent, recovery, the unsaved-changes prompt and the
//! window title. They talk to the shell (`ipc.ts`) and the dialog plugin, and change state only
//! through actions.

import { open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { listen } from "@tauri-apps/api/event";
import { call, HeldDesigns, type CommandError } from "./ipc";
import { loadDesign } from "./actions/loadDesign";
import { markSaved } from "./actions/markSaved";
import { isDirty, type AppState, type OpenedVia } from "./state";
import type { Store } from "./store";
import type { Diagnostic, Recovery } from "./analysis";
import type { Design } from "./generated/bulkhead";

export const DESIGN_FILTERS = [{ name: "Bulkhead design", extensions: ["json", "yaml", "yml"] }];
export const AUTOSAVE_MS = 2000;

/** The title the UI shows until the shell answers `document_state` (same shape as the shell's). */
export function windowTitle(s: AppState): string {
  // A broken file shown instead of the design is what the window is about: name it.
  if (s.file.broken?.path) return `${baseName(s.file.broken.path)} (not loaded) — Bulkhead`;
  const file = s.file.path ? baseName(s.file.path) : "Untitled";
  return `${isDirty(s) ? "• " : ""}${file} — Bulkhead`;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** How a file was opened, as the broken-file screen says it. */
export function openedHow(via: OpenedVia): string {
  switch (via) {
    case "command-line":
      return "named on the command line";
    case "dialog":
      return "chosen in the Open dialog";
    case "recent":
      return "opened from the recent files";
  }
}

/** `3 errors and 1 warning`, `1 error`, `no problems`: how many diagnostics of each severity. */
export function problemCount(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts = [errors ? `${errors} error${errors === 1 ? "" : "s"}` : "", warnings ? `${warnings} warning${warnings === 1 ? "" : "s"}` : ""].filter(Boolean);
  return parts.length ? parts.join(" and ") : "no problems";
}

/** A save path must end in `.json` (the shell refuses anything else). */
export function withJsonExtension(path: string): string {
  return /\.json$/i.test(path) ? path : `${path.replace(/\.(ya?ml)$/i, "")}.bulkhead.json`;
}

/** The file name to suggest in "Save as": `<design name>.bulkhead.json`. */
export function suggestedName(design: Design): string {
  const base = (design.name || "design").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "design";
  return `${base}.bulkhead.json`;
}

export class Files {
  recent: string[] = [];
  recovery: Recovery | null = null;
  /** The title the shell set (shown in the toolbar). */
  title = "Bulkhead";
  /** Last error of a file command, for the status bar. */
  error: CommandError | null = null;
  /** The unsaved-changes question being asked (an in-app modal: Save / Discard / Cancel). */
  prompt: { what: string; answer: (choice: "save" | "discard" | "cancel") => void } | null = null;
  private onChange = new Set<() => void>();
  private autosaveTimer: ReturnType<typeof setTimeout> | null = null;
  /** An autosave of this run may be on disk (written or in flight), not yet dropped by a save or a discard. */
  private recoveryWritten = false;

  constructor(
    private store: Store,
    private held: HeldDesigns = new HeldDesigns(),
  ) {
    store.subscribe((s, prev) => {
      if (s.file.path !== prev.file.path || s.file.broken?.path !== prev.file.broken?.path || isDirty(s) !== isDirty(prev)) void this.documentState(s);
      if (s.design !== prev.design && isDirty(s)) this.scheduleAutosave();
      // Back to the saved design without a save (undone to it): a recovery file written
      // meanwhile holds work the user took back, and a crash now must not offer it.
      else if (isDirty(prev) && !isDirty(s)) this.dropStaleRecovery();
    });
  }

  subscribe(f: () => void): () => void {
    this.onChange.add(f);
    return () => this.onChange.delete(f);
  }

  private changed(): void {
    for (const f of this.onChange) f();
  }

  private report(e: unknown): void {
    this.error = e as CommandError;
    this.changed();
  }

  /** Tell the shell which file is open and whether it is dirty; it titles the window. */
  async documentState(s: AppState = this.store.get()): Promise<void> {
    this.title = windowTitle(s);
    document.title = this.title;
    try {
      this.title = await call("document_state", { path: s.file.path, dirty: isDirty(s), broken: s.file.broken?.path ?? null });
      document.title = this.title;
    } catch (e) {
      this.report(e);
    }
    this.changed();
  }

  /** Startup: the file from the command line (or its errors), a crash recovery offer, or a new design. */
  async start(): Promise<void> {
    // Asked first and loaded as soon as it comes: the window waits for the design (the shell
    // starts reading it when the app starts, so it can be ready before the other answers). The
    // other startup questions go at the same time and need not wait for it, nor it for them.
    const initialDesign = call("initial_design", {});
    initialDesign.catch(() => undefined); // handled below; this only keeps it from being "unhandled" meanwhile
    const others = Promise.all([
      listen("bulkhead://close-requested", () => void this.closeRequested()).catch(() => undefined),
      this.refreshRecent(),
      call("take_recovery", {}).then(
        (recovery) => void (this.recovery = recovery),
        (e: unknown) => this.report(e),
      ),
    ]);
    let opened = false;
    try {
      const initial = await initialDesign;
      if (initial) {
        // Before loading: loading asks the backend about the design, which the shell holds already.
        this.held.holds(initial.design, initial.revision, initial.verdicts);
        this.store.dispatch(loadDesign, { design: initial.design, path: initial.path, diagnostics: initial.diagnostics });
        opened = true;
      }
    } catch (e) {
      this.showBroken(null, "command-line", e);
      opened = true;
    }
    await others;
    if (!opened) await this.newDesign(false);
    await this.documentState();
  }

  private async closeRequested(): Promise<void> {
    if (!isDirty(this.store.get()) || (await this.confirmDiscard("close the window"))) {
      await call("confirm_close", {}).catch((e) => this.report(e));
    }
  }

  async refreshRecent(): Promise<void> {
    try {
      this.recent = await call("recent_files", {});
    } catch (e) {
      this.report(e);
    }
    this.changed();
  }

  /** Ask before losing unsaved changes; true when it is fine to go on (saved or discarded). */
  async confirmDiscard(what: string): Promise<boolean> {
    if (!isDirty(this.store.get())) return true;
    const choice = await new Promise<"save" | "discard" | "cancel">((resolve) => {
      this.prompt?.answer("cancel");
      this.prompt = { what, answer: resolve };
      this.changed();
    });
    this.prompt = null;
    this.changed();
    if (choice === "save") return this.save();
    return choice === "discard";
  }

  async newDesign(confirm = true): Promise<void> {
    if (confirm && !(await this.confirmDiscard("start a new design"))) return;
    try {
      const design = await call("new_design", {});
      this.store.dispatch(loadDesign, { design, path: null });
    } catch (e) {
      this.report(e);
    }
  }

  /** Shows why a file could not be opened; `path` is what the UI asked for, if it chose it. */
  private showBroken(path: string | null, via: OpenedVia, e: unknown): void {
    const err = e as CommandError;
    const diagnostics: Diagnostic[] = err.diagnostics?.length ? err.diagnostics : [{ severity: "error", code: err.code ?? "error", message: err.message ?? String(e), pointer: "" }];
    // The shell names the file it read (canonical, absolute): the only name for a file given
    // on the command line, and the truest for the others.
    this.store.dispatch(loadDesign, { design: null, path: err.path ?? path, diagnostics, via });
  }

  /** Opens `path` (from the recent files, or `via` for a retry), or asks with the Open dialog. */
  async open(path?: string, via: OpenedVia = path ? "recent" : "dialog"): Promise<void> {
    if (!(await this.confirmDiscard("open another file"))) return;
    let target = path ?? null;
    if (!target) {
      const picked = await openDialog({ multiple: false, directory: false, filters: DESIGN_FILTERS, title: "Open a design" });
      if (typeof picked !== "string") return;
      target = picked;
    }
    try {
      const opened = await call("open_design", { path: target });
      this.held.holds(opened.design, opened.revision);
      this.store.dispatch(loadDesign, { design: opened.design, path: opened.path, diagnostics: opened.diagnostics });
      this.error = null;
    } catch (e) {
      // A broken file shows its diagnostics instead of a blank canvas; the current design stays.
      this.showBroken(target, via, e);
    }
    await this.refreshRecent();
  }

  async save(): Promise<boolean> {
    const s = this.store.get();
    if (!s.file.path || !/\.json$/i.test(s.file.path)) return this.saveAs();
    return this.writeTo(s.file.path);
  }

  async saveAs(): Promise<boolean> {
    const s = this.store.get();
    const path = await saveDialog({ defaultPath: s.file.path ? withJsonExtension(s.file.path) : suggestedName(s.design), filters: [{ name: "Bulkhead design", extensions: ["json"] }], title: "Save the design as" });
    if (!path) return false;
    return this.writeTo(withJsonExtension(path));
  }

  private async writeTo(path: string): Promise<boolean> {
    const s = this.store.get();
    try {
      const written = await this.held.ask(s.design, (revision) => call("save_design", { path, revision }));
      // Only mark saved if nothing changed while the save was in flight.
      // The shell removed the recovery file with the save.
      this.recoveryWritten = false;
      if (this.store.get().revision === s.revision) this.store.dispatch(markSaved, { path: written.path });
      this.error = null;
      await this.refreshRecent();
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  private scheduleAutosave(): void {
    if (this.autosaveTimer !== null) clearTimeout(this.autosaveTimer);
    this.autosaveTimer = setTimeout(() => {
      this.autosaveTimer = null;
      const s = this.store.get();
      // By revision: the shell holds the design (the backend asked about it), so autosaving
      // a large design does not send it again.
      if (!isDirty(s)) return;
      this.recoveryWritten = true;
      this.held
        .ask(s.design, (revision) => call("autosave", { revision, path: s.file.path }))
        // Saved, or undone to the saved design, while this was on its way: what it wrote
        // (perhaps after the save's or the undo's removal of the file) is stale.
        .then(() => {
          if (isDirty(this.store.get())) return;
          this.recoveryWritten = true;
          this.dropStaleRecovery();
        })
        .catch((e) => this.report(e));
    }, AUTOSAVE_MS);
  }

  /** No unsaved work any more: cancel a pending autosave and remove the recovery file this run wrote. */
  private dropStaleRecovery(): void {
    if (this.autosaveTimer !== null) clearTimeout(this.autosaveTimer);
    this.autosaveTimer = null;
    if (!this.recoveryWritten) return;
    this.recoveryWritten = false;
    call("discard_recovery", {}).catch((e) => this.report(e));
  }

  async recover(): Promise<void> {
    const r = this.recovery;
    if (!r) return;
    this.recovery = null;
    this.store.dispatch(loadDesign, { design: r.design, path: r.path ?? null, unsaved: true });
    await call("discard_recovery", {}).catch((e) => this.report(e));
    // Autosave the recovered work again under this run, so a second crash keeps it too.
    this.scheduleAutosave();
    this.changed();
  }

  async discardRecovery(): Promise<void> {
    this.recovery = null;
    await call("discard_recovery", {}).catch((e) => this.report(e));
    this.changed();
  }
}
