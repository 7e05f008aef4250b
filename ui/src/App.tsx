//! The app's layout: toolbar, canvas (with search, filters and minimap), the side panel with
//! its tabs, the status bar, and the overlays (recovery offer, broken file, help).

import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Controller } from "./controller";
import type { AppState, BrokenFile as Broken, PanelName } from "./state";
import { isDirty } from "./state";
import type { BackendView } from "./backend";
import type { Diagnostic } from "./analysis";
import { helpRows, matchShortcut } from "./keys";
import { setFilter } from "./actions/setFilter";
import { setView } from "./actions/setView";
import { allTags, isFilterActive, matchesFilter } from "./canvas/filter";
import { displayName } from "./model/design";
import { baseName, openedHow, problemCount } from "./files";
import { dismissBroken } from "./actions/dismissBroken";
import { Inspector } from "./panels/Inspector";
import { Matrix } from "./panels/Matrix";
import { Simulate } from "./panels/Simulate";
import { Findings } from "./panels/Findings";
import { Export } from "./panels/Export";
import { Import } from "./panels/Import";
import { Drift } from "./panels/Drift";
import { Propose } from "./panels/Propose";

function useController(app: Controller): [AppState, BackendView, boolean] {
  const [state, setState] = useState(app.store.get());
  const [view, setViewState] = useState(app.backend.view);
  const [, setFilesTick] = useState(0);
  const [ready, setReady] = useState(app.ready);
  useEffect(() => {
    // Both held from a simulation click until its highlight is drawn, so the canvas paints before the panels.
    const a = app.subscribeState((s) => setState(s));
    const b = app.subscribeView((v) => setViewState(v));
    const c = app.files.subscribe(() => setFilesTick((n) => n + 1));
    const d = app.onReady(() => setReady(true));
    // The auto-layout's busy state and failure live on the controller, not in the store.
    const e = app.onLayout(() => setFilesTick((n) => n + 1));
    // Anything that happened before this effect ran (startup is asynchronous) is picked up now.
    setState(app.store.get());
    setViewState(app.backend.view);
    setReady(app.ready);
    return () => (a(), b(), c(), d(), e());
  }, [app]);
  return [state, view, ready];
}

/** Inputs nothing is typed into (their keys are not the text's). */
const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

const TABS: [PanelName, string][] = [
  ["inspector", "Inspector"],
  ["matrix", "Matrix"],
  ["simulate", "Simulate"],
  ["findings", "Findings"],
  ["export", "Export"],
  ["import", "Import"],
  ["drift", "Drift"],
  ["propose", "Least privilege"],
];

export function App({ app }: { app: Controller }) {
  const [state, view, ready] = useController(app);
  const [showDiagnostics, setShowDiagnostics] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const inField = !!t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
      const inText = !!t && ((t.tagName === "INPUT" && !NOT_TEXT.has((t as HTMLInputElement).type)) || t.tagName === "TEXTAREA" || t.isContentEditable);
      const cmd = matchShortcut({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, shiftKey: e.shiftKey, altKey: e.altKey, inField, inText });
      if (!cmd) return;
      e.preventDefault();
      app.run(cmd, e.timeStamp);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [app]);
  const broken = state.file.broken;
  return (
    <div class="app" data-testid="app" data-ready={ready ? "true" : "false"}>
      <Toolbar app={app} state={state} />
      {app.files.recovery ? <RecoveryBanner app={app} /> : null}
      <div class={`main${state.panel === "matrix" || state.panel === "export" || state.panel === "propose" ? " wide-panel" : ""}`}>
        <div class="canvas-area">
          <SearchBar app={app} state={state} />
          <CanvasHost app={app} />
          {broken ? <BrokenFile app={app} state={state} broken={broken} /> : null}
          {!broken && showDiagnostics ? <DesignDiagnostics diagnostics={view.diagnostics} onClose={() => setShowDiagnostics(false)} /> : null}
          <LayoutStatus app={app} />
          {state.drawingFlow ? (
            <div class="mode-hint" data-testid="draw-flow-hint">
              {state.drawFlowFrom ? `From ${state.drawFlowFrom}: click the called service` : "Click the calling service"} · Esc to cancel
            </div>
          ) : null}
          <Legend />
        </div>
        <aside class="side">
          <nav class="tabs">
            {TABS.map(([p, label], i) => (
              <button key={p} data-testid={`tab-${p}`} class={state.panel === p ? "active" : ""} title={`${label} (${i + 1})`} onClick={() => app.dispatch(setView, { panel: p })}>
                {label}
                {p === "findings" && view.findings && view.findings.some((f) => !(state.design.triage ?? []).some((t) => t.finding === f.key)) ? <span class="badge">{view.findings.filter((f) => !(state.design.triage ?? []).some((t) => t.finding === f.key)).length}</span> : null}
              </button>
            ))}
          </nav>
          <div class="panel" data-testid={`panel-${state.panel}`}>
            {state.panel === "inspector" ? <Inspector app={app} state={state} view={view} /> : null}
            {state.panel === "matrix" ? <Matrix app={app} state={state} view={view} /> : null}
            {state.panel === "simulate" ? <Simulate app={app} state={state} view={view} /> : null}
            {state.panel === "findings" ? <Findings app={app} state={state} view={view} /> : null}
            {state.panel === "export" ? <Export app={app} state={state} /> : null}
            {state.panel === "import" ? <Import app={app} state={state} /> : null}
            {state.panel === "drift" ? <Drift app={app} state={state} /> : null}
            {state.panel === "propose" ? <Propose app={app} state={state} /> : null}
          </div>
        </aside>
      </div>
      <StatusBar app={app} state={state} view={view} onDiagnostics={() => setShowDiagnostics(!showDiagnostics)} />
      {state.helpOpen ? <Help app={app} /> : null}
      {app.files.prompt ? <UnsavedPrompt app={app} what={app.files.prompt.what} answer={app.files.prompt.answer} /> : null}
    </div>
  );
}

function Toolbar({ app, state }: { app: Controller; state: AppState }) {
  const [recentOpen, setRecentOpen] = useState(false);
  const recentRef = useRef<HTMLDivElement>(null);
  // The open menu closes on Esc or a press anywhere outside it, not only when the pointer leaves.
  useEffect(() => {
    if (!recentOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setRecentOpen(false);
    const onDown = (e: PointerEvent) => !recentRef.current?.contains(e.target as Node) && setRecentOpen(false);
    window.addEventListener("keydown", onKey);
    window.addEventListener("pointerdown", onDown, true);
    return () => (window.removeEventListener("keydown", onKey), window.removeEventListener("pointerdown", onDown, true));
  }, [recentOpen]);
  const dirty = isDirty(state);
  const sel = state.selection;
  return (
    <header class="toolbar">
      <div class="brand">
        <span class="logo">▦</span>
        <span data-testid="design-title" class="design-title" title={`${state.design.name || "Untitled"} (${state.file.path ?? "not saved"})`}>
          {state.design.name || "Untitled"}
        </span>
        <span class="muted small doc-title" data-testid="doc-title" title={state.file.path ?? ""}>
          {app.files.title}
        </span>
        {dirty ? (
          <span class="unsaved" data-testid="unsaved-marker" title="unsaved changes">
            ●
          </span>
        ) : null}
      </div>
      <div class="tools">
        <button data-testid="btn-new" title="New (Ctrl+N)" onClick={() => app.run("new")}>New</button>
        <button data-testid="btn-open" title="Open (Ctrl+O)" onClick={() => app.run("open")}>Open</button>
        <div class="dropdown" ref={recentRef}>
          <button data-testid="btn-recent" title="Recent files" onClick={() => setRecentOpen(!recentOpen)}>Recent ▾</button>
          {recentOpen ? (
            <ul class="menu" data-testid="recent-menu" onMouseLeave={() => setRecentOpen(false)}>
              {app.files.recent.length === 0 ? <li class="muted">no recent files</li> : null}
              {app.files.recent.map((p) => (
                <li key={p} data-testid="recent-item" title={p} onClick={() => (setRecentOpen(false), void app.files.open(p))}>
                  {baseName(p)} <span class="muted small">{p}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <button data-testid="btn-save" title="Save (Ctrl+S)" onClick={() => app.run("save")}>Save</button>
        <button data-testid="btn-save-as" title="Save as (Ctrl+Shift+S)" onClick={() => app.run("saveAs")}>Save as</button>
        <span class="sep" />
        <button data-testid="undo" title="Undo (Ctrl+Z)" disabled={!app.store.canUndo()} onClick={() => app.run("undo")}>↶</button>
        <button data-testid="redo" title="Redo (Ctrl+Shift+Z)" disabled={!app.store.canRedo()} onClick={() => app.run("redo")}>↷</button>
        <span class="sep" />
        <button data-testid="btn-add-service" title="Add a service (A)" onClick={() => app.run("addService")}>+ Service</button>
        <button data-testid="btn-draw-flow" class={state.drawingFlow ? "active" : ""} title="Draw a flow (F)" onClick={() => app.run("drawFlow")}>→ Flow</button>
        <button data-testid="btn-make-segment" title="Segment around selection (G)" disabled={sel.kind !== "service" || sel.ids.length === 0} onClick={() => app.run("makeSegment")}>▭ Segment</button>
        <button data-testid="btn-delete" title="Delete (Del)" disabled={!sel.kind} onClick={() => app.run("delete")}>Delete</button>
        <span class="sep" />
        <button data-testid="btn-layout" title="Auto-layout (L)" disabled={app.layout.running !== null} onClick={(e) => app.run("autoLayout", e.timeStamp)}>Layout</button>
        <button data-testid="btn-fit" title="Fit (0)" onClick={() => app.run("fit")}>Fit</button>
        <button data-testid="btn-zoom-in" title="Zoom in (+)" onClick={() => app.run("zoomIn")}>+</button>
        <button data-testid="btn-zoom-out" title="Zoom out (-)" onClick={() => app.run("zoomOut")}>−</button>
        <span class="sep" />
        <button data-testid="btn-theme" title="Theme (T)" onClick={() => app.run("toggleTheme")}>{state.theme === "dark" ? "☀" : "☾"}</button>
        <button data-testid="btn-help" title="Shortcuts (?)" onClick={() => app.run("help")}>?</button>
      </div>
    </header>
  );
}

function SearchBar({ app, state }: { app: Controller; state: AppState }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    app.focusSearch = () => input.current?.focus();
  }, [app]);
  const f = state.filter;
  const d = state.design;
  const count = isFilterActive(f) ? matchesFilter(f, d)?.size ?? 0 : null;
  // The same option elements while their lists are the same: Preact then skips them. The app
  // renders on every store change (a simulation click among them), and a 2,000-service design
  // has hundreds of segments and a tag list made from every service.
  const tagOptions = useMemo(() => allTags(d).map((t) => <option key={t} value={t}>{t}</option>), [d.services]);
  const segmentOptions = useMemo(() => (d.segments ?? []).map((s) => <option key={s.id} value={s.id}>{displayName(s)}</option>), [d.segments]);
  const classOptions = useMemo(() => (d.data_classes ?? []).map((c) => <option key={c.id} value={c.id}>{displayName(c)}</option>), [d.data_classes]);
  return (
    <div class="searchbar">
      <input
        ref={input}
        data-testid="search-input"
        placeholder="Search services (/)"
        value={f.text}
        onInput={(e) => app.dispatch(setFilter, { text: (e.target as HTMLInputElement).value })}
        onKeyDown={(e) => {
          if (e.key === "Enter") app.focusMatches();
          if (e.key === "Escape") (e.target as HTMLInputElement).blur();
        }}
      />
      <select data-testid="filter-tag" value={f.tag ?? ""} onChange={(e) => app.dispatch(setFilter, { tag: (e.target as HTMLSelectElement).value || null })}>
        <option value="">any tag</option>
        {tagOptions}
      </select>
      <select data-testid="filter-segment" value={f.segment ?? ""} onChange={(e) => app.dispatch(setFilter, { segment: (e.target as HTMLSelectElement).value || null })}>
        <option value="">any segment</option>
        {segmentOptions}
      </select>
      <select data-testid="filter-data-class" value={f.dataClass ?? ""} onChange={(e) => app.dispatch(setFilter, { dataClass: (e.target as HTMLSelectElement).value || null })}>
        <option value="">any data</option>
        {classOptions}
      </select>
      {count !== null ? (
        <>
          <span class="small" data-testid="filter-count">{count} match{count === 1 ? "" : "es"}</span>
          <button class="link" data-testid="filter-clear" onClick={() => app.dispatch(setFilter, { text: "", tag: null, segment: null, dataClass: null })}>clear</button>
        </>
      ) : null}
    </div>
  );
}

function CanvasHost({ app }: { app: Controller }) {
  const el = useRef<HTMLDivElement>(null);
  const mini = useRef<HTMLCanvasElement>(null);
  // Mounted as soon as the page is rendered (a layout effect), not after its first paint (an
  // effect): at startup that is while the shell's answer with the design is still on its way,
  // so the canvas (Cytoscape, its renderer and layers) is ready when the design comes. Mounted
  // after the first paint, it was made after the design had come, about 60 ms before the open
  // could start drawing.
  useLayoutEffect(() => {
    if (el.current && mini.current) app.mountCanvas(el.current, mini.current);
    return () => app.unmountCanvas();
  }, [app]);
  return (
    <>
      <div class="canvas" data-testid="canvas" ref={el} />
      <canvas class="minimap" data-testid="minimap" width={200} height={130} ref={mini} />
    </>
  );
}

function Legend() {
  return (
    <div class="legend small" data-testid="legend">
      <span><i class="sens-dot sens-restricted" /> restricted</span>
      <span><i class="sens-dot sens-confidential" /> confidential</span>
      <span><i class="sens-dot sens-internal" /> internal</span>
      <span><i class="sens-dot sens-public" /> public</span>
      <span class="edge-allow">━ allowed</span>
      <span class="edge-deny">━┫ denied</span>
      <span>┅ observed</span>
    </div>
  );
}

/** The name of what the window still holds behind a broken file, or null when nothing is open. */
function stillOpen(state: AppState): string | null {
  if (state.revision === 0) return null;
  return state.file.path ? baseName(state.file.path) : "the untitled design";
}

function BrokenFile({ app, state, broken }: { app: Controller; state: AppState; broken: Broken }) {
  const { path, via, diagnostics } = broken;
  const kept = stillOpen(state);
  return (
    <div class="broken" data-testid="broken-file" data-via={via}>
      <h2>This file is not a valid design</h2>
      <p data-testid="broken-file-summary">
        <code title={path ?? undefined}>{path ? baseName(path) : "The file"}</code>, {openedHow(via)}, has {problemCount(diagnostics)}, listed below with where they are. Nothing was loaded from it
        {kept ? `; ${kept} is still open behind this` : ""}. Fix the file and open it again, or open another.
      </p>
      {path ? (
        <p class="muted small" data-testid="broken-file-path">
          {path}
        </p>
      ) : null}
      <DiagnosticsTable diagnostics={diagnostics} />
      <div class="row">
        {path ? (
          <button class="primary" data-testid="diagnostics-reopen" title="read the file again, e.g. after fixing it" onClick={() => app.files.open(path, via)}>
            Open it again
          </button>
        ) : null}
        <button data-testid="diagnostics-open-another" onClick={() => app.run("open")}>Open another file…</button>
        <button data-testid="diagnostics-new" onClick={() => app.files.newDesign(false)}>New design</button>
        {kept ? (
          <button data-testid="diagnostics-back" onClick={() => app.dispatch(dismissBroken, {})}>
            Back to {kept}
          </button>
        ) : null}
      </div>
    </div>
  );
}

export function lineCol(d: Diagnostic): string {
  return d.location ? `${d.location.line}:${d.location.column}` : "—";
}

function DiagnosticsTable({ diagnostics }: { diagnostics: Diagnostic[] }) {
  return (
    <table class="diagnostics" data-testid="diagnostics">
      <thead>
        <tr><th>where</th><th>line:col</th><th>problem</th></tr>
      </thead>
      <tbody>
        {diagnostics.map((d, i) => (
          <tr key={i} data-testid="diagnostic" data-severity={d.severity} data-pointer={d.pointer} class={`diag-${d.severity}`}>
            <td><code>{d.pointer || "/"}</code></td>
            <td><code>{lineCol(d)}</code></td>
            <td>
              <span class={`sev sev-${d.severity === "error" ? "high" : "low"}`}>{d.severity}</span> {d.message}
              {d.help ? <div class="muted small">{d.help}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DesignDiagnostics({ diagnostics, onClose }: { diagnostics: Diagnostic[]; onClose: () => void }) {
  return (
    <div class="broken">
      <h2>Validation</h2>
      {diagnostics.length === 0 ? <p>The design is valid.</p> : <DiagnosticsTable diagnostics={diagnostics} />}
      <button onClick={onClose}>Close</button>
    </div>
  );
}

/**
 * Auto-layout at work (the window may not answer until it ends: the spinner turns on the
 * compositor meanwhile), or why it failed.
 */
function LayoutStatus({ app }: { app: Controller }) {
  const { running, error } = app.layout;
  if (running !== null) {
    return (
      <div class="layout-busy" role="status" data-testid="layout-busy">
        <span class="msg">
          <span class="spinner" aria-hidden="true" />
          Laying out {running.toLocaleString("en-US")} service{running === 1 ? "" : "s"}…
        </span>
      </div>
    );
  }
  if (error === null) return null;
  return (
    <div class="layout-error" role="alert" data-testid="layout-error">
      <span>{error}</span>
      <button class="link" data-testid="layout-error-dismiss" onClick={() => app.dismissLayoutError()}>dismiss</button>
    </div>
  );
}

function RecoveryBanner({ app }: { app: Controller }) {
  const r = app.files.recovery;
  if (!r) return null;
  return (
    <div class="banner" data-testid="recovery-banner">
      Unsaved work from {new Date(r.saved_at * 1000).toLocaleString()} ({r.path ? baseName(r.path) : "a new design"}, {r.design.services?.length ?? 0} services) was recovered after an unclean exit.
      <button class="primary" data-testid="recovery-restore" onClick={() => app.files.recover()}>Restore it</button>
      <button data-testid="recovery-discard" onClick={() => app.files.discardRecovery()}>Discard</button>
    </div>
  );
}

function StatusBar({ app, state, view, onDiagnostics }: { app: Controller; state: AppState; view: BackendView; onDiagnostics: () => void }) {
  const errors = view.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = view.diagnostics.length - errors;
  const err = view.error ?? app.files.error;
  const broken = state.file.broken;
  const kept = stillOpen(state);
  const counts = `${state.design.services?.length ?? 0} services · ${state.design.segments?.length ?? 0} segments · ${state.design.flows?.length ?? 0} flows`;
  return (
    <footer class="statusbar" data-testid="status-bar">
      {broken ? (
        // The validator's verdict on the file that failed to open, not on what is still held.
        <span data-testid="status-validation" data-errors={broken.diagnostics.filter((d) => d.severity === "error").length} class="bad">
          {broken.path ? baseName(broken.path) : "the file"}: {problemCount(broken.diagnostics)}, not loaded
        </span>
      ) : (
        <span data-testid="status-validation" data-errors={errors} class={`clickable ${errors ? "bad" : "good"}`} title="show the validator's messages" onClick={onDiagnostics}>
          {errors ? `${errors} error${errors === 1 ? "" : "s"}` : "valid"}
          {warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}
        </span>
      )}
      <span data-testid="status-counts">{broken ? (kept ? `${kept} still open: ${counts}` : "no design open") : counts}</span>
      {state.selection.ids.length ? <span>{state.selection.ids.length} selected</span> : null}
      {err ? <span class="bad" data-testid="status-error" title={err.code}>{err.message}</span> : null}
      <span class="spacer" />
      <span class="muted">? for shortcuts</span>
    </footer>
  );
}

function UnsavedPrompt({ app, what, answer }: { app: Controller; what: string; answer: (c: "save" | "discard" | "cancel") => void }) {
  return (
    <div class="overlay">
      <div class="help" role="alertdialog" data-testid="unsaved-prompt">
        <h2>Unsaved changes</h2>
        <p>
          {app.store.get().design.name || "The design"} has changes that are not saved. Save them before you {what}?
        </p>
        <div class="row">
          <button class="primary" data-testid="confirm-save" onClick={() => answer("save")}>Save</button>
          <button class="danger" data-testid="confirm-discard" onClick={() => answer("discard")}>Discard changes</button>
          <button data-testid="confirm-cancel" onClick={() => answer("cancel")}>Cancel</button>
        </div>
      </div>
    </div>
  );
}

function Help({ app }: { app: Controller }) {
  return (
    <div class="overlay" onClick={() => app.run("help")}>
      <div class="help" data-testid="help-panel" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {helpRows().map((r) => (
              <tr key={r.label} data-testid="help-row">
                <td><kbd>{r.keys}</kbd></td>
                <td>{r.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted small">Canvas: drag a service into a segment to move it; shift-drag to box-select; double-click empty space to add a service; scroll to zoom.</p>
        <p class="muted small" data-testid="help-fields">In a text field, undo and redo take back the typing; to take back design edits, click the canvas (or anywhere outside the field) first.</p>
        <button data-testid="help-close" onClick={() => app.run("help")}>Close</button>
      </div>
    </div>
  );
}
