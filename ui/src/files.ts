//! File commands: new, open, save, save as, recent, recovery, the unsaved-changes prompt and the
//! window title. They talk to the shell (`ipc.ts`) and the dialog plugin, and change state only
//! through actions.

import { ask, open as openDialog, save as saveDialog } from "@tauri-apps/plugin-dialog";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { call, type CommandError } from "./ipc";
import { loadDesign } from "./actions/loadDesign";
import { markSaved } from "./actions/markSaved";
import { isDirty, type AppState } from "./state";
import type { Store } from "./store";
import type { Recovery } from "./analysis";

export const DESIGN_FILTERS = [{ name: "Bulkhead design", extensions: ["json", "yaml", "yml"] }];
export const AUTOSAVE_MS = 2000;

/** `Name — file.bulkhead.json •` (the dot marks unsaved changes). */
export function windowTitle(s: AppState): string {
  const file = s.file.path ? s.file.path.split(/[\\/]/).pop() : "not saved";
  return `${s.design.name || "Untitled"} — ${file}${isDirty(s) ? " •" : ""} — Bulkhead`;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

export class Files {
  recent: string[] = [];
  recovery: Recovery | null = null;
  /** Last error of a file command, for the status bar. */
  error: CommandError | null = null;
  private onChange = new Set<() => void>();
  private autosaveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private store: Store) {
    store.subscribe((s, prev) => {
      if (windowTitle(s) !== windowTitle(prev)) this.setTitle(s);
      if (s.design !== prev.design && isDirty(s)) this.scheduleAutosave();
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

  setTitle(s: AppState = this.store.get()): void {
    const t = windowTitle(s);
    document.title = t;
    getCurrentWindow().setTitle(t).catch(() => undefined);
  }

  /** Called once at startup: recent files, then a file from the URL, a crash recovery, or a new design. */
  async start(openPath: string | null): Promise<void> {
    await this.refreshRecent();
    if (openPath) return this.open(openPath);
    try {
      this.recovery = await call("recovery_check", {});
    } catch (e) {
      this.report(e);
    }
    this.changed();
    if (!this.recovery) await this.newDesign(false);
    this.setTitle();
    try {
      await getCurrentWindow().onCloseRequested(async (ev) => {
        if (isDirty(this.store.get()) && !(await this.confirmDiscard("close the window"))) ev.preventDefault();
        else await call("recovery_clear", {}).catch(() => undefined);
      });
    } catch {
      // Outside Tauri (plain browser) there is no window to guard.
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

  async confirmDiscard(what: string): Promise<boolean> {
    if (!isDirty(this.store.get())) return true;
    return ask(`The design has unsaved changes. Discard them and ${what}?`, { title: "Unsaved changes", kind: "warning", okLabel: "Discard", cancelLabel: "Cancel" });
  }

  async newDesign(confirm = true): Promise<void> {
    if (confirm && !(await this.confirmDiscard("start a new design"))) return;
    try {
      const design = await call("design_new", {});
      this.store.dispatch(loadDesign, { design, path: null });
    } catch (e) {
      this.report(e);
    }
  }

  async open(path?: string): Promise<void> {
    if (!(await this.confirmDiscard("open another file"))) return;
    let target = path ?? null;
    if (!target) {
      const picked = await openDialog({ multiple: false, directory: false, filters: DESIGN_FILTERS, title: "Open a design" });
      if (typeof picked !== "string") return;
      target = picked;
    }
    try {
      const opened = await call("design_open", { path: target });
      this.store.dispatch(loadDesign, { design: opened.design, path: opened.path, diagnostics: opened.diagnostics });
      this.error = null;
    } catch (e) {
      const err = e as CommandError;
      // An unreadable file shows its diagnostics (or the reason) instead of a blank canvas.
      this.store.dispatch(loadDesign, {
        design: null,
        path: target,
        diagnostics: err.diagnostics ?? [{ severity: "error", code: err.code, message: err.message, pointer: "" }],
      });
    }
    await this.refreshRecent();
  }

  async save(): Promise<boolean> {
    const s = this.store.get();
    if (!s.file.path) return this.saveAs();
    return this.writeTo(s.file.path);
  }

  async saveAs(): Promise<boolean> {
    const s = this.store.get();
    const suggested = s.file.path ?? `${(s.design.name || "design").toLowerCase().replace(/[^a-z0-9]+/g, "-")}.bulkhead.json`;
    const path = await saveDialog({ defaultPath: suggested, filters: DESIGN_FILTERS, title: "Save the design as" });
    if (!path) return false;
    return this.writeTo(path);
  }

  private async writeTo(path: string): Promise<boolean> {
    const s = this.store.get();
    try {
      const written = await call("design_save", { path, design: s.design });
      // Only mark saved if nothing changed while the save was in flight.
      if (this.store.get().revision === s.revision) this.store.dispatch(markSaved, { path: written });
      await call("recovery_clear", {}).catch(() => undefined);
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
      if (isDirty(s)) call("recovery_save", { path: s.file.path, design: s.design }).catch((e) => this.report(e));
    }, AUTOSAVE_MS);
  }

  async recover(): Promise<void> {
    const r = this.recovery;
    if (!r) return;
    this.recovery = null;
    this.store.dispatch(loadDesign, { design: r.design, path: r.path, unsaved: true });
    this.changed();
  }

  async discardRecovery(): Promise<void> {
    this.recovery = null;
    await call("recovery_clear", {}).catch((e) => this.report(e));
    if (this.store.get().design.services === undefined || this.store.get().revision === 0) await this.newDesign(false);
    this.changed();
  }
}
