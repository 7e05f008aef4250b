//! The segment matrix: from-segment × to-segment, what the policy allows and with which auth
//! (the backend's `matrix` by segment), like a firewall zone matrix. Click a cell to allow or
//! stop allowing the pair, or to edit the rules between the two segments.
//!
//! On big designs (2,000 services make ~670 segments, ~450,000 cells) rendering every cell took
//! WebKit close to a minute, so a large matrix renders only the rows and columns in the scrolled
//! window (plus a margin), with spacers standing in for the rest so the scrollbars stay true and
//! the headers stay sticky. Small matrices render whole.

import { useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { SegmentMatrix, SegmentMatrixEntry, SegmentSide } from "../analysis";
import type { Auth, Design, Peer, Rule } from "../generated/bulkhead";
import { displayName } from "../model/design";
import { setRule } from "../actions/setRule";
import { deleteElements } from "../actions/deleteElements";
import { select } from "../actions/select";
import { authSummary, defaultAuth } from "./policy";
import { PortsInput, Select } from "./fields";

export type Allowed = "none" | "some" | "all";

/** Matrix key of a side: `internet`, `unsegmented` or the segment id. */
export function sideKey(s: SegmentSide): string {
  return typeof s === "string" ? s : s.segment;
}

/** The model peer for a matrix key (`unsegmented` has none: no rule can name it). */
export function peerOf(key: string): Peer | null {
  if (key === "internet") return "internet";
  if (key === "unsegmented") return null;
  return { segment: key };
}

export function allowedOf(e: SegmentMatrixEntry | undefined): Allowed {
  if (!e || e.pairs === 0) return "none";
  return e.pairs >= e.possible_pairs ? "all" : "some";
}

/** Rows: the internet, every segment, and `unsegmented` when used; columns: the same minus the internet. */
export function matrixAxes(m: SegmentMatrix, design: Design): { rows: string[]; cols: string[] } {
  const segs = (design.segments ?? []).map((s) => s.id);
  const used = new Set(m.entries.flatMap((e) => [sideKey(e.from), sideKey(e.to)]));
  const unseg = used.has("unsegmented") ? ["unsegmented"] : [];
  return { rows: ["internet", ...segs, ...unseg], cols: [...segs, ...unseg] };
}

/** Rules written directly between two matrix keys (the ones the cell editor edits). */
export function rulesBetween(rules: Rule[], from: string, to: string): Rule[] {
  const same = (p: Peer, key: string) => (typeof p === "string" ? p === key : "segment" in p && p.segment === key);
  return rules.filter((r) => same(r.from, from) && same(r.to, to));
}

export function cellText(e: SegmentMatrixEntry | undefined): string {
  const a = allowedOf(e);
  if (!e || a === "none") return "—";
  const ports = e.ports.some((p) => p === null) || e.ports.length === 0 ? "any" : e.ports.join(",");
  return `${a === "all" ? "✓" : "◐"} ${ports}`;
}

/** Fixed cell size of a windowed matrix: the window is computed from it, so cells must not grow. */
export const CELL_W = 64;
export const CELL_H = 40;
/** Width of the row-header column of a windowed matrix (the stylesheet caps row headers at 170px). */
export const HEAD_W = 170;
/** Rows and columns rendered beyond each edge of the scrolled window, so a scroll step shows cells at once. */
export const OVERSCAN = 6;
/** Up to this many cells the matrix renders whole (the fintech example has 272). */
export const WHOLE_LIMIT = 2500;

/** The half-open range [start, end) of the `count` items of `size` px each that intersect the
 *  viewport [offset, offset + viewport), widened by `overscan` items on each side. */
export function axisWindow(count: number, size: number, offset: number, viewport: number, overscan: number): { start: number; end: number } {
  if (count <= 0) return { start: 0, end: 0 };
  // A stale offset past the end (the matrix shrank before the next scroll event) keeps the last items.
  const first = Math.min(count - 1, Math.floor(Math.max(0, offset) / size));
  const last = Math.ceil((Math.max(0, offset) + Math.max(0, viewport)) / size);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end };
}

export type Viewport = { top: number; left: number; width: number; height: number };

/** Which rows and columns to render: all of them for a small matrix, else the scrolled window.
 *  The offsets include the headers' size, which only widens the window (never hides a cell). */
export function matrixWindow(rows: number, cols: number, v: Viewport): { rows: { start: number; end: number }; cols: { start: number; end: number } } {
  if (rows * cols <= WHOLE_LIMIT) return { rows: { start: 0, end: rows }, cols: { start: 0, end: cols } };
  return { rows: axisWindow(rows, CELL_H, v.top, v.height, OVERSCAN), cols: axisWindow(cols, CELL_W, v.left, v.width, OVERSCAN) };
}

export function Matrix({ app, state, view }: { app: Controller; state: AppState; view: BackendView }) {
  const [cell, setCell] = useState<{ from: string; to: string } | null>(null);
  const [vp, setVp] = useState<Viewport>({ top: 0, left: 0, width: 1200, height: 800 });
  const scroller = useRef<HTMLDivElement>(null);
  const frame = useRef(0);
  // Read the scroller's size once it exists (and on resize); scrolling updates at most once a frame.
  const measure = () => {
    const el = scroller.current;
    if (el) setVp((o) => (o.top === el.scrollTop && o.left === el.scrollLeft && o.width === el.clientWidth && o.height === el.clientHeight ? o : { top: el.scrollTop, left: el.scrollLeft, width: el.clientWidth, height: el.clientHeight }));
  };
  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      measure();
    });
  };
  useLayoutEffect(() => {
    measure();
    window.addEventListener("resize", measure);
    // The scroller fills the height the panel leaves it, which shrinks when the cell editor
    // opens: follow its own size too (once a frame, like scrolling).
    const el = scroller.current;
    const resized = el && typeof ResizeObserver !== "undefined" ? new ResizeObserver(onScroll) : null;
    if (el) resized?.observe(el);
    return () => {
      window.removeEventListener("resize", measure);
      resized?.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
    };
  }, [view.matrix !== null]);
  const m = view.matrix;
  // Built once per matrix, not per scroll step: on 2,000 services there are hundreds of thousands of entries.
  const entries = useMemo(() => new Map((m?.entries ?? []).map((e) => [`${sideKey(e.from)}\u0000${sideKey(e.to)}`, e])), [m]);
  const axes = useMemo(() => (m ? matrixAxes(m, state.design) : { rows: [], cols: [] }), [m, state.design.segments]);
  if (!m) return <div class="panel-empty" data-testid="matrix-loading">{view.error?.command === "matrix" ? `The matrix is not available: ${view.error.message}` : "Asking the evaluator for the matrix…"}</div>;
  const names = new Map((state.design.segments ?? []).map((s) => [s.id, displayName(s)]));
  const label = (k: string) => (k === "internet" ? "Internet" : k === "unsegmented" ? "(unsegmented)" : names.get(k) ?? k);
  const { rows, cols } = axes;
  const rules = state.design.rules ?? [];
  const win = matrixWindow(rows.length, cols.length, vp);
  const windowed = win.rows.end - win.rows.start < rows.length || win.cols.end - win.cols.start < cols.length;
  const shownCols = cols.slice(win.cols.start, win.cols.end);
  const before = win.cols.start * CELL_W;
  const after = (cols.length - win.cols.end) * CELL_W;
  const fixed = windowed ? { width: `${CELL_W}px`, minWidth: `${CELL_W}px`, maxWidth: `${CELL_W}px`, height: `${CELL_H}px`, padding: "2px", overflow: "hidden", whiteSpace: "nowrap" } : undefined;
  const spacer = (w: number) => (w > 0 ? <td aria-hidden="true" style={{ width: `${w}px`, minWidth: `${w}px`, padding: 0, border: "none" }} /> : null);
  return (
    <div class="matrix-panel">
      <p class="muted small">Rows call columns. ✓ every service pair allowed, ◐ some pairs or ports, — nothing (default deny). Click a cell to edit it.</p>
      {windowed ? (
        <p class="muted small" data-testid="matrix-window">
          {rows.length} × {cols.length} segments: showing rows {win.rows.start + 1}–{win.rows.end} and columns {win.cols.start + 1}–{win.cols.end}; scroll for the rest.
        </p>
      ) : null}
      <div class="matrix-scroll" ref={scroller} onScroll={onScroll} data-testid="matrix-scroll">
        <table class="matrix" data-testid="matrix" data-rows={rows.length} data-cols={cols.length} style={windowed ? { tableLayout: "fixed", width: `${HEAD_W + cols.length * CELL_W}px` } : undefined}>
          <thead>
            <tr>
              <th class="corner" style={windowed ? { width: `${HEAD_W}px` } : undefined}>
                from ↓ / to →
              </th>
              {before > 0 ? <th aria-hidden="true" style={{ width: `${before}px`, minWidth: `${before}px`, padding: 0 }} /> : null}
              {shownCols.map((t) => (
                <th key={t} title={t} style={fixed ? { width: fixed.width, minWidth: fixed.minWidth, maxWidth: fixed.maxWidth } : undefined}>
                  {/* WebKit ignores writing-mode on table cells: the label turns, not the cell. */}
                  <span class="vlabel">{label(t)}</span>
                </th>
              ))}
              {after > 0 ? <th aria-hidden="true" style={{ width: `${after}px`, minWidth: `${after}px`, padding: 0 }} /> : null}
            </tr>
          </thead>
          <tbody>
            {win.rows.start > 0 ? (
              <tr aria-hidden="true" style={{ height: `${win.rows.start * CELL_H}px` }}>
                <td colSpan={shownCols.length + 3} style={{ padding: 0, border: "none" }} />
              </tr>
            ) : null}
            {rows.slice(win.rows.start, win.rows.end).map((f) => (
              <tr key={f} style={windowed ? { height: `${CELL_H}px` } : undefined}>
                <th title={f}>{label(f)}</th>
                {spacer(before)}
                {shownCols.map((t) => {
                  const e = entries.get(`${f}\u0000${t}`);
                  const a = allowedOf(e);
                  const active = cell !== null && cell.from === f && cell.to === t;
                  return (
                    <td
                      key={t}
                      data-testid="matrix-cell"
                      data-from={f}
                      data-to={t}
                      data-allowed={a}
                      class={`cell cell-${a}${active ? " active" : ""}`}
                      style={fixed}
                      title={e ? `${e.pairs}/${e.possible_pairs} pairs; ${e.unauthenticated ? "some need no auth" : e.auth.map(authSummary).join(", ")}` : "nothing allowed"}
                      onClick={() => setCell({ from: f, to: t })}
                    >
                      <div>{cellText(e)}</div>
                      {e && a !== "none" ? <div class="cell-auth">{e.unauthenticated ? "no auth" : e.auth.map((x) => x.type).join("+")}</div> : null}
                    </td>
                  );
                })}
                {spacer(after)}
              </tr>
            ))}
            {win.rows.end < rows.length ? (
              <tr aria-hidden="true" style={{ height: `${(rows.length - win.rows.end) * CELL_H}px` }}>
                <td colSpan={shownCols.length + 3} style={{ padding: 0, border: "none" }} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {cell ? <CellEditor app={app} from={cell.from} to={cell.to} label={label} rules={rulesBetween(rules, cell.from, cell.to)} entry={entries.get(`${cell.from}\u0000${cell.to}`)} /> : null}
    </div>
  );
}

function CellEditor(props: { app: Controller; from: string; to: string; label: (k: string) => string; rules: Rule[]; entry: SegmentMatrixEntry | undefined }) {
  const { app, from, to, rules, entry } = props;
  const fromPeer = peerOf(from);
  const toPeer = peerOf(to);
  const editable = fromPeer !== null && toPeer !== null;
  const allows = rules.filter((r) => (r.action ?? "allow") === "allow");
  const add = (action: "allow" | "deny") => fromPeer && toPeer && app.dispatch(setRule, { rule: { from: fromPeer, to: toPeer, action } });
  const toggle = () => {
    if (allows.length) app.dispatch(deleteElements, { kind: "rule", ids: allows.map((r) => r.id) });
    else add("allow");
  };
  return (
    <div class="cell-editor" data-testid="cell-editor">
      <h3>
        {props.label(from)} → {props.label(to)}
      </h3>
      <p class="muted small" data-testid="cell-verdict">
        Evaluator: {entry && entry.pairs > 0 ? `${entry.pairs} of ${entry.possible_pairs} service pairs allowed, by ${entry.by.map((b) => (b.by === "rule" ? b.rule : `intra-segment ${b.segment}`)).join(", ")}` : "nothing allowed"}
      </p>
      {!editable ? <p class="muted">Unsegmented services cannot be named by a segment rule: put them in a segment first.</p> : null}
      {editable ? (
        <div class="row">
          <button class={allows.length ? "" : "primary"} data-testid="matrix-allow-toggle" onClick={toggle}>
            {allows.length ? `Stop allowing (remove ${allows.length} allow rule${allows.length === 1 ? "" : "s"})` : "Allow this pair"}
          </button>
          <button data-testid="cell-add-deny" onClick={() => add("deny")}>
            + deny rule
          </button>
        </div>
      ) : null}
      {editable && rules.length === 0 ? <p class="muted small">No rule written directly between these two; what the evaluator allows here comes from broader rules.</p> : null}
      {rules.map((r) => (
        <div class="card" key={r.id} data-testid="cell-rule-row" data-rule={r.id}>
          <div class="row">
            <Select testid="cell-rule-action" value={r.action ?? "allow"} options={["allow", "deny"]} onChange={(action) => app.dispatch(setRule, { id: r.id, patch: { action } })} />
            <PortsInput testid="cell-rule-ports" value={r.ports ?? []} placeholder="any port" onCommit={(ports) => app.dispatch(setRule, { id: r.id, patch: { ports } })} />
            <Select<Auth["type"]> testid="cell-rule-auth-type" value={r.auth?.type ?? "none"} options={["none", "api_key", "jwt", "mtls"]} onChange={(t) => app.dispatch(setRule, { id: r.id, patch: { auth: t === "none" ? null : defaultAuth(t) } })} />
          </div>
          <div class="row">
            <code>{r.id}</code>
            <span class="muted small">{authSummary(r.auth)}</span>
            <button
              class="link"
              data-testid="cell-rule-edit"
              onClick={() => {
                app.dispatch(select, { kind: "rule", ids: [r.id] });
                app.run("panelInspector");
              }}
            >
              edit all fields
            </button>
            <button class="link danger" data-testid="cell-delete-rule" onClick={() => app.dispatch(deleteElements, { kind: "rule", ids: [r.id] })}>
              remove
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
