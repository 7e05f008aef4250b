//! The Cytoscape canvas. It renders state and reports user gestures; it never changes the
//! design itself. Updates are diffs against the current graph (add, remove, update data, move
//! parent), never a rebuild, so editing a 2,000-service design stays smooth.

import cytoscape, { type Core, type NodeSingular, type ElementDefinition, type EventObject } from "cytoscape";
import type { Design } from "../generated/bulkhead";
import type { FlowVerdict, SimulationSpread } from "../analysis";
import type { Filter, Selection, SimulationSettings, ElementKind } from "../state";
import { toElements, withVerdicts, signature, svcId, segId, flowId, endpointId, INTERNET_NODE, type ElementDef } from "./elements";
import { packLayout, type Box2, type Drawn } from "./pack";
import { stylesheet, type Theme } from "./style";
import { fadeChanges, matchesFilter } from "./filter";
import { setClass, type ClassEle } from "./classstyle";
import { rehearsalSpread, spreadLook, type SpreadLook } from "./simulation";
import { SimulationLayer, type CanvasIndex, type LayerEle, type LayerInput, type PaintedSimulation } from "./simlayer";
import { timed, measureSince } from "../perf";
import { installOverview } from "./overview";
import { installZOrder } from "./zorder";
import { installSpaceMemo } from "./space";
import { ellipsize } from "./labels";
import { layoutJob, runLayoutJob, type LayoutAnswer, type LayoutJob } from "./layoutjob";
import { installStyleCacheInvalidation, changesDerivedState, shownValues, unchanged } from "./stylecache";
import { installStyleHints } from "./stylehints";
import { withRememberedMatches, type CxtStyle } from "./cxtkey";

/**
 * Auto-layout's fcose runs in a Web Worker (`layout.worker.ts`, a chunk of its own with fcose,
 * cose-base and layout-base, loaded when auto-layout first runs): on thousands of services it
 * takes seconds, which on the main thread froze the window. Where no worker can be made, the
 * same job runs here, with fcose loaded on demand.
 */
function layoutOffThread(job: LayoutJob): Promise<Record<string, { x: number; y: number }>> {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
  } catch {
    return import("cytoscape-fcose").then(({ default: fcose }) => runLayoutJob(job, fcose));
  }
  return new Promise((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<LayoutAnswer>) => {
      worker.terminate();
      if (e.data.ok) resolve(e.data.positions);
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      worker.terminate();
      reject(new Error(e.message || "the layout worker could not run"));
    };
    worker.postMessage(job);
  });
}

export interface CanvasEvents {
  select(kind: ElementKind | null, ids: string[]): void;
  /** A drag ended: positions of the moved services, and a segment change if dropped elsewhere. */
  dragged(positions: Record<string, { x: number; y: number }>, move?: { services: string[]; segment: string | null }): void;
  /** A service was tapped (the draw-flow mode uses it). */
  tapService(id: string): void;
  /** Double-click on empty canvas: add a service there. */
  dblclickBackground(pos: { x: number; y: number }): void;
}

/** What floats over the canvas (search bar on top, legend at the bottom), in pixels. */
const FRAME_INSET = { top: 64, bottom: 44, side: 24 };

/** Large designs get the renderer's cheap paths (textures while panning, no edges while zooming). */
const LARGE = 600;

export class CanvasView {
  readonly cy: Core;
  private sigs = new Map<string, string>();
  private applyingSelection = false;
  private selectTimer: number | null = null;
  private grabBoxes: { id: string; depth: number; x1: number; y1: number; x2: number; y2: number }[] = [];
  private simTimers: number[] = [];
  private firstRender = true;

  constructor(
    container: HTMLElement,
    private events: CanvasEvents,
    theme: Theme,
  ) {
    this.cy = cytoscape({
      container,
      style: stylesheet(theme),
      // Rendering at device pixel ratio 1 halves the fill cost on HiDPI screens for big estates.
      pixelRatio: "auto",
      minZoom: 0.02,
      maxZoom: 4,
      boxSelectionEnabled: true,
      selectionType: "single",
    });
    this.theme = theme;
    memoizeLabelDimensions(this.cy);
    installSpaceMemo(this.cy);
    installStyleCacheInvalidation(this.cy);
    installStyleHints(this.cy);
    // Zoomed out on a large design, draw in batches instead of element by element (./overview.ts).
    installOverview(this.cy, () => this.isLarge);
    installZOrder(this.cy);
    this.simLayer = new SimulationLayer(this.cy, container, theme, () => this.cy.nodes('[type = "segment"]').toArray() as unknown as LayerEle[]);
    // A made-up breach of the design on the canvas, its last service's path chosen: the layer
    // rehearses clicks on such looks once the canvas is warm (see `SimulationLayer.rehearse`).
    // The breach is made once per design and size: only the look, a click's own work, is made
    // again for each of the rehearsal's runs.
    let made: { design: Design; entries: number; spread: SimulationSpread | null } | null = null;
    this.simLayer.rehearseWith((entries) => {
      const design = this.synced;
      if (!design) return null;
      if (made?.design !== design || made.entries !== entries) made = { design, entries, spread: rehearsalSpread(design, entries) };
      const spread = made.spread;
      if (!spread) return null;
      const look = spreadLook(spread, spread.reached.at(-1)!.service);
      return (index) => resolveLook(index, look);
    });
    this.wire();
    // Cytoscape measures its container once; the container changes size with the window and
    // the side panel, so tell it (and refit the first frame if it was measured too early).
    this.resizeObserver = new ResizeObserver(() => {
      this.cy.resize();
      if (this.fitPending) this.frame(false);
    });
    this.resizeObserver.observe(container);
  }

  private resizeObserver: ResizeObserver;

  /** Draws the simulation over Cytoscape's canvas (./simlayer.ts). */
  private readonly simLayer: SimulationLayer;
  /** The design the canvas was last brought in line with (what the layer rehearses on). */
  private synced: Design | null = null;

  /** What the simulation layer painted last (for the tests, through `window.__bulkhead`). */
  simulationPainted(): PaintedSimulation {
    return this.simLayer.painted();
  }
  /**
   * True while the view is framed the way the app framed it (on open, or by Fit): a resize of the
   * canvas (the side panel widening for the matrix, the window) then frames it again. Cleared when
   * the user pans or zooms.
   */
  private fitPending = false;

  private wire(): void {
    const cy = this.cy;
    const reportSelection = () => {
      if (this.applyingSelection) return;
      if (this.selectTimer !== null) return;
      // Batch the select/unselect storm of a box selection into one report.
      this.selectTimer = window.setTimeout(() => {
        this.selectTimer = null;
        const sel = cy.$(":selected");
        const services = sel.filter('node[type = "service"]');
        if (services.length) return this.events.select("service", services.map((n) => n.data("ref") as string));
        const segs = sel.filter('node[type = "segment"]');
        if (segs.length) return this.events.select("segment", segs.map((n) => n.data("ref") as string));
        const flows = sel.filter("edge");
        if (flows.length) return this.events.select("flow", flows.map((n) => n.data("ref") as string));
        this.events.select(null, []);
      }, 0);
    };
    cy.on("select unselect", reportSelection);
    cy.on("tap", 'node[type = "service"]', (e: EventObject) => this.events.tapService(e.target.data("ref") as string));
    cy.on("dbltap", (e: EventObject) => {
      if (e.target === cy) this.events.dblclickBackground({ x: e.position.x, y: e.position.y });
    });
    cy.on("grab", "node", (e: EventObject) => {
      const dragged = e.target as NodeSingular;
      const exclude = new Set<string>([dragged.id(), ...dragged.descendants().map((d) => d.id())]);
      this.grabBoxes = cy
        .nodes('[type = "segment"]')
        .filter((n) => !exclude.has(n.id()))
        .map((n: NodeSingular) => {
          const bb = n.boundingBox({ includeLabels: false });
          return { id: n.data("ref") as string, depth: n.ancestors().length, x1: bb.x1, y1: bb.y1, x2: bb.x2, y2: bb.y2 };
        });
    });
    cy.on("dragfree", "node", (e: EventObject) => this.onDragFree(e.target as NodeSingular));
    // The user framed the view themselves: leave it alone on resize.
    cy.on("scrollzoom dragpan pinchzoom", () => (this.fitPending = false));
  }

  private onDragFree(node: NodeSingular): void {
    // Cytoscape drags the whole selection only when the grabbed node is part of it; a grabbed
    // node outside the selection moves alone (and so must its membership).
    const moved = node.isParent() ? node.descendants('[type = "service"]') : node.selected() ? this.cy.$(':selected[type = "service"]').union(node) : node;
    const positions: Record<string, { x: number; y: number }> = {};
    moved.forEach((n) => {
      // Services only: the internet node is not in the model (the validator warns about a
      // position for it), so the canvas keeps wherever it was dragged to for this session.
      if (n.data("type") === "service") positions[n.data("ref") as string] = { ...n.position() };
    });
    if (node.data("type") !== "service") return this.events.dragged(positions);
    // The drop target is the deepest segment whose box (as it was when the drag started)
    // contains the drop point; outside every segment means "unsegmented".
    const p = node.position();
    const hit = this.grabBoxes.filter((b) => p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2).sort((a, b) => b.depth - a.depth)[0];
    const target = hit?.id ?? null;
    const current = (node.parent().first().data("ref") as string | undefined) ?? null;
    const services = moved.filter('[type = "service"]').map((n) => n.data("ref") as string);
    this.events.dragged(positions, target !== current ? { services, segment: target } : undefined);
  }

  private theme: Theme = "light";

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.cy.style(stylesheet(theme, this.isLarge));
    this.simLayer.setTheme(theme);
  }

  /** What `prepare` worked out for one design: its elements without verdicts, its packed layout. */
  private prepared: { design: Design; defs: ElementDef[]; packed: Map<string, { x: number; y: number }> | null } | null = null;

  /**
   * Work out what drawing `design` needs that does not depend on the evaluator's verdicts (its
   * elements, and the packed layout if a service has no saved position), so that the `sync` of
   * it only adds the verdicts. Called while an opened design waits for its verdicts, when the
   * page would otherwise be idle.
   */
  prepare(design: Design): void {
    const defs = timed("sync:elements", () => toElements(design, null));
    const positions = design.layout?.positions ?? {};
    const unplaced = (design.services ?? []).some((s) => !positions[s.id]);
    const packed = unplaced ? timed("sync:pack", () => packLayout(design)) : null;
    this.prepared = { design, defs, packed };
  }

  /** Bring the graph in line with the design and the evaluator's verdicts. */
  sync(design: Design, verdicts: ReadonlyMap<string, FlowVerdict> | null): void {
    this.synced = design;
    const prep = this.prepared?.design === design ? this.prepared : null;
    this.prepared = null;
    const defs = prep ? timed("sync:verdicts", () => withVerdicts(prep.defs, verdicts)) : timed("sync:elements", () => toElements(design, verdicts));
    const cy = this.cy;
    const large = defs.length > LARGE;
    // Only services without a saved position (and not already on the canvas) need the packed
    // layout; the internet pseudo-node is placed on its own below.
    const missing = defs.some((d) => d.group === "nodes" && !d.position && (d.data as { type: string }).type === "service" && cy.getElementById(d.data.id).empty());
    const packed = missing ? (prep?.packed ?? timed("sync:pack", () => packLayout(design))) : new Map<string, { x: number; y: number }>();
    // The internet pseudo-node has no saved position in most files: put it left of the estate.
    const internet = defs.find((d) => d.data.id === INTERNET_NODE);
    if (internet && !internet.position && cy.getElementById(INTERNET_NODE).empty()) {
      let minX = Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      for (const d of defs) {
        if (d.group !== "nodes" || d.data.id === INTERNET_NODE) continue;
        const p = d.position ?? packed.get(d.data.ref);
        if (!p) continue;
        minX = Math.min(minX, p.x);
        minY = Math.min(minY, p.y);
        maxY = Math.max(maxY, p.y);
      }
      if (minX !== Infinity) packed.set(INTERNET_NODE, { x: minX - 220, y: (minY + maxY) / 2 });
    }
    const fallback = this.viewportCentre();
    const wanted = new Set(defs.map((d) => d.data.id));
    const t0 = performance.now();
    // The stylesheet and renderer first, outside the batch (a renderer swap must not be queued
    // behind it): switching the stylesheet restyles every element on the canvas, so do it
    // while the new ones are not there yet.
    if (large !== this.isLarge) this.setLarge(large);
    // Into an empty canvas that is framed right after (the first render of an opened design),
    // every element is new and the framing measures all of them: see `fresh` in `bulk`.
    const allNew = this.firstRender && defs.length > 0 && cy.elements().empty();
    bulk(cy, () => {
      // Remove first, so an element re-added under a new parent never collides.
      cy.elements().forEach((el) => {
        // The traffic overlay (./traffic.ts) is not part of the design: it has its own updates.
        if (!wanted.has(el.id()) && el.data("type") !== "traffic") {
          this.sigs.delete(el.id());
          el.remove();
        }
      });
      // New elements before the changed ones: a service moved into a segment made by the same
      // edit (a segment around a selection, an accepted import proposal) needs that segment on
      // the canvas to move into (moving to a missing parent leaves the node where it was).
      const toAdd: ElementDefinition[] = [];
      for (const def of defs) {
        if (!cy.getElementById(def.data.id).empty()) continue;
        toAdd.push(this.definition(def, packed, fallback));
        this.sigs.set(def.data.id, signature(def.data));
      }
      if (toAdd.length) {
        // Parents before children: segments by depth, then services, then flows.
        const parents = new Map(defs.filter((x) => x.group === "nodes").map((x) => [x.data.id, (x.data as { parent?: string }).parent]));
        const rank = (d: ElementDefinition) => (d.group === "edges" ? 1e6 : d.data.type === "segment" ? depthOf(d, parents) : 1e5);
        cy.add(toAdd.sort((a, b) => rank(a) - rank(b)));
      }
      const added = new Set(toAdd.map((d) => d.data.id));
      for (const def of defs) {
        if (added.has(def.data.id)) continue;
        const el = cy.getElementById(def.data.id);
        const sig = signature(def.data);
        if (this.sigs.get(def.data.id) !== sig) {
          const oldParent = el.isNode() ? (el.data("parent") as string | undefined) : undefined;
          const newParent = (def.data as { parent?: string }).parent;
          if (el.isNode() && oldParent !== newParent) (el as NodeSingular).move({ parent: newParent ?? null });
          const fresh = cy.getElementById(def.data.id);
          fresh.data(def.data);
          this.sigs.set(def.data.id, sig);
        }
        if (def.position) {
          const n = cy.getElementById(def.data.id);
          const cur = n.position();
          if (Math.abs(cur.x - def.position.x) > 0.5 || Math.abs(cur.y - def.position.y) > 0.5) n.position(def.position);
        }
      }
    }, allNew);
    measureSince("sync:graph", t0);
    if (this.firstRender && defs.length) {
      this.firstRender = false;
      cy.resize();
      timed("sync:frame", () => this.frame(false));
    }
  }

  private isLarge = false;
  private setLarge(large: boolean): void {
    this.isLarge = large;
    this.cy.style(stylesheet(this.theme, large));
    // The renderer copies these options when it starts; changing `options` later does nothing.
    const r = (this.cy as unknown as { renderer(): { textureOnViewport?: boolean; hideEdgesOnViewport?: boolean } | undefined }).renderer?.();
    if (r) {
      r.textureOnViewport = large;
      r.hideEdgesOnViewport = large;
    }
  }

  /** Forget the first-render fit so the next opened design is framed. */
  resetFraming(): void {
    this.firstRender = true;
  }

  private definition(def: ElementDef, packed: ReadonlyMap<string, { x: number; y: number }>, fallback: { x: number; y: number }): ElementDefinition {
    const out: ElementDefinition = { group: def.group, data: { ...def.data } };
    if (def.group === "nodes" && (def.data as { type: string }).type !== "segment") {
      out.position = def.position ?? packed.get(def.data.ref) ?? fallback;
    }
    return out;
  }

  private viewportCentre(): { x: number; y: number } {
    const e = this.cy.extent();
    return { x: (e.x1 + e.x2) / 2, y: (e.y1 + e.y2) / 2 };
  }

  /** Model coordinates of the viewport centre, for placing new services. */
  centre(): { x: number; y: number } {
    return this.viewportCentre();
  }

  applySelection(sel: Selection): void {
    const cy = this.cy;
    const want = new Set(sel.ids.map((id) => (sel.kind === "service" ? svcId(id) : sel.kind === "segment" ? segId(id) : sel.kind === "flow" ? flowId(id) : "")));
    const cur = cy.$(":selected");
    if (cur.length === want.size && cur.map((e) => e.id()).every((id) => want.has(id))) return;
    this.applyingSelection = true;
    bulk(cy, () => {
      cur.unselect();
      for (const id of want) cy.getElementById(id).select();
    });
    this.applyingSelection = false;
  }

  /**
   * Fade what the filter does not match (`fadeChanges` in ./filter.ts). Only the elements whose
   * fading changes are touched, and the class is set with only the style it changes
   * (`setClass` in ./classstyle.ts): Cytoscape's own restyle of thousands of faded elements was
   * most of a filter on a large estate.
   */
  applyFilter(filter: Filter, design: Design): void {
    const m = matchesFilter(filter, design);
    const cy = this.cy;
    type Ele = ClassEle & { _private: { data: { ref?: string } } };
    const eles = (cy.nodes('[type = "service"]').toArray() as unknown as Ele[]).concat(cy.edges().toArray() as unknown as Ele[]);
    const { fade, show } = timed("filter:match", () =>
      fadeChanges(m, eles, (ele) => {
        const p = ele._private as Ele["_private"] & { group: string; source?: Ele; target?: Ele };
        const faded = p.classes.has("faded");
        if (p.group === "nodes") return { service: p.data.ref ?? "", faded };
        return { from: p.source?._private.data.ref, to: p.target?._private.data.ref, faded };
      }),
    );
    if (!fade.length && !show.length) return;
    timed("filter:fade", () => {
      if (fade.length) setClass(cy, fade, "faded", true);
      if (show.length) setClass(cy, show, "faded", false);
    });
  }

  /**
   * Light up a breach's spread: compromised and reached services hop by hop, then the chosen path.
   * Drawn by the simulation layer over Cytoscape's canvas (./simlayer.ts), not as classes on
   * the elements: a restyle of thousands of elements and the full Cytoscape frame it forces
   * were most of a click on a large estate. Cytoscape's canvas is left as it is. `onPainted`
   * runs once the highlight is painted (the frame that shows it is the next one).
   */
  applySimulation(spread: SimulationSpread | null, settings: SimulationSettings, onPainted?: () => void): void {
    for (const t of this.simTimers) window.clearTimeout(t);
    this.simTimers = [];
    if (!spread || !settings.active) {
      this.simLayer.show(null);
      onPainted?.();
      return;
    }
    const look = timed("sim:look", () => spreadLook(spread, settings.highlightedPath));
    // Animated: the first hop now, the others one by one below (the layer only repaints).
    const shown = settings.animate ? Math.min(1, look.steps) : look.steps;
    timed("sim:layer", () => this.simLayer.show((index) => resolveLook(index, look), shown));
    onPainted?.();
    for (let i = shown; i < look.steps; i++) this.simTimers.push(window.setTimeout(() => this.simLayer.reveal(i + 1), i * 260));
  }

  /** Centre on an element and flash it (findings, search results). */
  focus(kind: ElementKind, id: string): void {
    const el = this.cy.getElementById(kind === "service" ? svcId(id) : kind === "segment" ? segId(id) : kind === "flow" ? flowId(id) : id);
    if (el.empty()) return;
    this.fitPending = false;
    this.cy.animate({ center: { eles: el }, zoom: Math.max(this.cy.zoom(), 1) }, { duration: 250 });
    el.addClass("focus");
    window.setTimeout(() => el.removeClass("focus"), 1600);
  }

  markDrawSource(id: string | null): void {
    this.cy.nodes(".draw-source").removeClass("draw-source");
    if (id) this.cy.getElementById(svcId(id)).addClass("draw-source");
  }

  fit(): void {
    this.frame(true);
  }

  /**
   * Zoom and pan so the whole graph fills the canvas, clear of what floats over it: the search
   * bar at the top and the legend at the bottom (cy.fit only knows one padding for every side).
   */
  private frame(animate: boolean): void {
    const cy = this.cy;
    const els = cy.elements();
    if (els.empty()) return;
    const bb = boundsKeepingGeometry(cy, els);
    const w = cy.width();
    const h = cy.height();
    const inset = { top: FRAME_INSET.top, bottom: FRAME_INSET.bottom, side: FRAME_INSET.side };
    const room = { w: Math.max(40, w - 2 * inset.side), h: Math.max(40, h - inset.top - inset.bottom) };
    const zoom = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), Math.min(room.w / Math.max(1, bb.w), room.h / Math.max(1, bb.h))));
    const pan = {
      x: inset.side + (room.w - bb.w * zoom) / 2 - bb.x1 * zoom,
      y: inset.top + (room.h - bb.h * zoom) / 2 - bb.y1 * zoom,
    };
    this.fitPending = true;
    if (animate) cy.animate({ zoom, pan }, { duration: 200 });
    else cy.viewport({ zoom, pan });
  }

  zoomBy(factor: number): void {
    this.fitPending = false;
    const c = this.cy;
    c.zoom({ level: c.zoom() * factor, renderedPosition: { x: c.width() / 2, y: c.height() / 2 } });
  }

  /** Where every service is drawn, by service id. */
  servicePositions(): Record<string, { x: number; y: number }> {
    const out: Record<string, { x: number; y: number }> = {};
    this.cy.nodes('[type = "service"]').forEach((node) => {
      out[node.data("ref") as string] = { ...node.position() };
    });
    return out;
  }

  /**
   * How far each service and segment is drawn around its position (see `Drawn`), measured with
   * the same bounding boxes the canvas draws and hit-tests, for `separateSiblings` to move boxes
   * apart by what is on screen rather than by estimates of it.
   */
  drawnExtents(): Drawn {
    const services = new Map<string, Box2>();
    const segments = new Map<string, { pad: Box2; label: Box2 | null }>();
    // The options Cytoscape sizes compounds with (overlays out, underlays in), so a pad matches.
    const noOverlays = { includeOverlays: false } as const;
    this.cy.nodes('[type = "service"]').forEach((n) => {
      const p = n.position();
      const b = n.boundingBox({ includeLabels: true, ...noOverlays });
      services.set(n.data("ref") as string, { x1: b.x1 - p.x, y1: b.y1 - p.y, x2: b.x2 - p.x, y2: b.y2 - p.y });
    });
    this.cy.nodes('[type = "segment"]').forEach((n) => {
      const kids = n.children();
      if (kids.empty()) return;
      // Cytoscape sizes a compound from its children's boxes with their labels (the default
      // `compound-sizing-wrt-labels`), so the padding and border are what is left around those.
      const inner = kids.boundingBox({ includeLabels: true, ...noOverlays });
      const body = n.boundingBox({ includeLabels: false, ...noOverlays });
      const pad = { x1: Math.max(0, inner.x1 - body.x1), y1: Math.max(0, inner.y1 - body.y1), x2: Math.max(0, body.x2 - inner.x2), y2: Math.max(0, body.y2 - inner.y2) };
      const text = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, ...noOverlays });
      const cx = (body.x1 + body.x2) / 2;
      const label = text.w > 0 && text.h > 0 ? { x1: text.x1 - cx, y1: text.y1 - body.y1, x2: text.x2 - cx, y2: text.y2 - body.y1 } : null;
      segments.set(n.data("ref") as string, { pad, label });
    });
    return { services, segments };
  }

  /**
   * Run fcose (respects compound segments) off the main thread on the sizes the canvas draws,
   * move the nodes there (animated on small designs) and resolve with every service's new
   * position.
   */
  async autoLayout(): Promise<Record<string, { x: number; y: number }>> {
    const n = this.cy.nodes().length;
    const job = timed("layout:job", () => layoutJob(this.cy));
    const start = performance.now();
    const positions = await layoutOffThread(job);
    measureSince("layout:fcose", start);
    const applied = performance.now();
    await new Promise<void>((resolve) => {
      const leaves = this.cy.nodes().filter((node) => !node.isParent());
      const layout = leaves.layout({
        name: "preset",
        positions: (node: NodeSingular) => positions[node.id()] ?? node.position(),
        animate: n < 400,
        animationDuration: 400,
        fit: true,
        padding: 40,
      } as cytoscape.LayoutOptions);
      layout.one("layoutstop", () => resolve());
      layout.run();
    });
    measureSince("layout:apply", applied);
    return this.servicePositions();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const t of this.simTimers) window.clearTimeout(t);
    this.simLayer.destroy();
    this.cy.destroy();
  }
}

/**
 * `cy.batch(fn)`, without Cytoscape's neighbourhood cache invalidation. In a graph with compound
 * nodes Cytoscape, for every style property it sets on an element, clears the style caches of the
 * element's ancestors, descendants and all of their edges (`dirtyStyleCache`). When thousands of
 * elements get their styles at once (the first render, a filter, a simulation lighting up) that
 * is quadratic: 2,000 services in 670 segments spent seconds there. Inside `bulk`, only the
 * element's own cache is cleared as each property is set, the styles of everything the batch
 * touched are applied, and then Cytoscape's neighbourhood invalidation runs once, on every
 * element whose change can reach its relatives (`changesDerivedState` in ./stylecache.ts: a
 * fade from opacity 1 to 0.12 cannot, a display change can). Synchronous, so no other code runs
 * while the prototypes are patched.
 */
/** What `bulk` uses of Cytoscape's style object and elements (internal, so typed here). */
type TriggerCheck = (from: unknown, to: unknown, ele: TriggerEle) => boolean;
interface StyleProto {
  getDefaultProperty(name: string): { value: unknown; pfValue?: unknown } | undefined;
  properties: Record<string, { triggersZOrder?: TriggerCheck; triggersBounds?: TriggerCheck; triggersBoundsOfConnectedEdges?: TriggerCheck; triggersBoundsOfParallelEdges?: TriggerCheck } | undefined>;
  checkTriggers(this: StyleProto, ele: TriggerEle, name: string, from: unknown, to: unknown): void;
}
interface TriggerEle {
  _private: { styleCache: unknown };
  removed(): boolean;
}
interface Dirtyable {
  dirtyBoundingBoxCache(): void;
}

export function bulk(cy: Core, fn: () => void, fresh = false): void {
  type Cached = { _private: { styleCache: unknown } };
  type Proto = {
    dirtyStyleCache(this: ArrayLike<Cached>): unknown;
    emitAndNotify(this: ArrayLike<Cached> & { cy(): { notify(event: string, eles: unknown): void } }, event: string, extra?: unknown): unknown;
    emit(this: unknown, events: unknown, extra?: unknown): unknown;
  };
  const proto = Object.getPrototypeOf(cy.collection()) as Proto;
  const original = proto.dirtyStyleCache;
  const originalEmit = proto.emitAndNotify;
  const originalPlainEmit = proto.emit;
  // A class change emits a `class` event per element, each bubbling up through its segments to
  // the core; nothing listens to it (the renderer learns of the change from the `style` events
  // that follow), and a filter changes the classes of thousands of elements at once.
  proto.emit = function emitButClass(this: unknown, events: unknown, extra?: unknown) {
    if (events === "class") return this;
    return originalPlainEmit.call(this, events, extra);
  };
  // The elements whose relatives' caches Cytoscape would have cleared: cleared once at the end.
  const related = new Set<Cached>();
  proto.dirtyStyleCache = function dirtyOwnStyleCache(this: ArrayLike<Cached>) {
    for (let i = 0; i < this.length; i++) {
      this[i]!._private.styleCache = null;
      related.add(this[i]!);
    }
    return this;
  };
  // Adding thousands of elements emits an `add` event per element, each bubbling up through
  // its segments to the core. Nothing listens to them per element (the renderer is told through
  // `notify`, which still happens; the minimap redraws after the sync), so they are skipped.
  // `fresh`: the canvas was empty, so every element here is new, and the caller measures all of
  // them before the first frame (`frame` after the first sync). Then their `bounds` and `style`
  // events, one per element and property change, each bubbling up through the segments, are
  // skipped too: what listens to them keeps state derived from an element drawn before (the
  // renderer's queue of rendered styles to recalculate and textures to drop, the overview's and
  // the simulation layer's records), and none of these elements was; the renderer's redraw is
  // asked for by the `add` notification. On 2,000 services that is 7,900 elements, and their
  // queue also made the first frame drop the textures of every one of them.
  proto.emitAndNotify = function notifyAdded(event, extra) {
    if (this.length === 0) return originalEmit.call(this, event, extra);
    if (fresh && (event === "bounds" || event === "style")) return this;
    if (event !== "add") return originalEmit.call(this, event, extra);
    this.cy().notify(event, this);
    return this;
  };
  // Every style property set on an element checks its triggers: a property that changes the
  // element's size dirties its bounds and, in a compound graph, walks up through every ancestor
  // segment emitting a `bounds` event at each, once per property. Here the elements are only
  // collected, and each is dirtied once at the end, the ancestors shared by many once in all.
  const style = Object.getPrototypeOf(cy.style()) as StyleProto;
  const originalTriggers = style.checkTriggers;
  const triggered = { zOrder: new Set<TriggerEle>(), bounds: new Set<TriggerEle>(), connected: new Set<TriggerEle>(), parallel: new Set<TriggerEle>() };
  style.checkTriggers = function collectTriggers(this: StyleProto, ele: TriggerEle, name: string, rawFrom: unknown, rawTo: unknown) {
    if (ele.removed()) return;
    const [from, to] = shownValues(this, name, rawFrom, rawTo);
    if (unchanged(from, to)) return;
    if (changesDerivedState(name, from, to)) {
      ele._private.styleCache = null;
      related.add(ele);
    }
    const prop = this.properties[name];
    if (!prop) return;
    if (prop.triggersZOrder?.(from, to, ele)) triggered.zOrder.add(ele);
    if (prop.triggersBounds?.(from, to, ele)) triggered.bounds.add(ele);
    if (prop.triggersBoundsOfConnectedEdges?.(from, to, ele)) triggered.connected.add(ele);
    if (prop.triggersBoundsOfParallelEdges?.(from, to, ele)) triggered.parallel.add(ele);
  };
  try {
    timed("bulk:batch", () => cy.batch(fn));
    // Styles are applied lazily (at the next frame, or when a bounding box is asked for); apply
    // them now, while the cheap invalidation is in place.
    // A fresh fill styles thousands of new elements of a few kinds: each kind's matching rules
    // are worked out once (./cxtkey.ts).
    const cleanStyle = () => (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
    timed("bulk:style", () => (fresh ? withRememberedMatches(cy.style() as unknown as CxtStyle, cleanStyle) : cleanStyle()));
    style.checkTriggers = originalTriggers;
    timed("bulk:triggers", () => {
      const pick = (set: Set<TriggerEle>) => cy.collection([...set].filter((e) => !e.removed()) as unknown as string);
      if (triggered.zOrder.size) (cy as unknown as { notify(event: string, eles: unknown): void }).notify("zorder", pick(triggered.zOrder));
      if (triggered.bounds.size) {
        const eles = pick(triggered.bounds) as unknown as { dirtyCompoundBoundsCache(): { dirtyBoundingBoxCache(): void } };
        eles.dirtyCompoundBoundsCache().dirtyBoundingBoxCache();
      }
      if (triggered.connected.size) (pick(triggered.connected) as unknown as cytoscape.NodeCollection).connectedEdges().forEach((e) => void (e as unknown as Dirtyable).dirtyBoundingBoxCache());
      if (triggered.parallel.size) (pick(triggered.parallel) as unknown as cytoscape.EdgeCollection).parallelEdges().forEach((e) => void (e as unknown as Dirtyable).dirtyBoundingBoxCache());
    });
  } finally {
    style.checkTriggers = originalTriggers;
    proto.dirtyStyleCache = original;
    proto.emitAndNotify = originalEmit;
    proto.emit = originalPlainEmit;
    const reached = [...related].filter((e) => !(e as unknown as TriggerEle).removed());
    if (reached.length) original.call(cy.collection(reached as unknown as string) as unknown as ArrayLike<Cached>);
  }
}

/** What `boundsKeepingGeometry` uses of Cytoscape's collections and elements (internal, so typed here). */
interface BoundsEle {
  isParent(): boolean;
  isNode(): boolean;
  _private: { rstyle: { clean?: boolean; cleanConnected?: boolean } };
}
interface BoundsProto {
  dirtyBoundingBoxCache(this: ArrayLike<BoundsEle>): unknown;
  emitAndNotify(this: unknown, event: string, extra?: unknown): unknown;
}

/**
 * `eles.boundingBox()`, without throwing away the geometry it worked out. Cytoscape's bounds of a
 * collection recalculate the rendered style of every element not yet measured (label sizes and
 * places, edge end points and arrows), then the compound bounds, then clear the bounding-box
 * cache of each element that was not measured, which emits `bounds` for each; the renderer takes
 * that event to mean the element's rendered style is stale, and a node's `cleanConnected` still
 * says its flows were never told of it. So the frame after the framing of a just-opened design
 * recalculated all of it a second time (on 2,000 services 7,900 elements: every label and every
 * flow's geometry again), and 7,200 `bounds` events bubbled up through the segments. Here the
 * event is kept for the segments, which the compound bounds did move and resize after their
 * labels were placed, and skipped for every other element, whose rendered style was made in this
 * very call from where it is; and every node's flows, part of `eles` when it is the whole graph,
 * were recalculated in it too. Synchronous, so no other code runs while the prototype is patched.
 */
function boundsKeepingGeometry(cy: Core, eles: cytoscape.CollectionReturnValue): cytoscape.BoundingBox12 & cytoscape.BoundingBoxWH {
  const proto = Object.getPrototypeOf(cy.collection()) as BoundsProto;
  const original = proto.dirtyBoundingBoxCache;
  const originalEmit = proto.emitAndNotify;
  let quiet = false;
  proto.emitAndNotify = function emitUnlessQuiet(this: unknown, event: string, extra?: unknown) {
    if (quiet && event === "bounds") return this;
    return originalEmit.call(this, event, extra);
  };
  proto.dirtyBoundingBoxCache = function dirtyQuietly(this: ArrayLike<BoundsEle>) {
    quiet = this.length === 1 && !this[0]!.isParent();
    try {
      return original.call(this);
    } finally {
      quiet = false;
    }
  };
  let bb;
  try {
    bb = eles.boundingBox();
  } finally {
    proto.dirtyBoundingBoxCache = original;
    proto.emitAndNotify = originalEmit;
  }
  // Only the whole graph holds every flow of every node, so only then are they all up to date.
  if (eles.length === cy.elements().length) {
    const all = eles as unknown as ArrayLike<BoundsEle>;
    for (let i = 0; i < all.length; i++) {
      const e = all[i]!;
      if (e.isNode() && !e.isParent() && e._private.rstyle.clean) e._private.rstyle.cleanConnected = true;
    }
  }
  return bb;
}

/**
 * Cytoscape measures a label's text with a canvas `measureText` after setting the canvas font,
 * every time it needs the label's size: once for the ellipsis check and once more for the label
 * box, per element, and again after every restyle or compound-bounds update. Setting the font
 * string is the slow part. The size of a text in a font never changes, so remember it (bounded:
 * cleared when it grows past what a large estate needs). The font is named by the hash Cytoscape
 * keeps of each element's label-dimension style (`labelDimsKey`: font family, style, weight,
 * size, wrap, maximum width), so a hit reads one style property instead of building the font
 * string from five.
 */
function memoizeLabelDimensions(cy: Core): void {
  type Style = { strValue: string; pfValue: number };
  type Ele = { pstyle(name: string): Style; _private: { labelDimsKey?: number | null } };
  type Dims = { width: number; height: number };
  const r = (cy as unknown as { renderer(): { calculateLabelDimensions?: (ele: Ele, text: string) => Dims } | undefined }).renderer?.();
  const measure = r?.calculateLabelDimensions;
  if (!r || !measure) return;
  const fontKey = (ele: Ele) => ele._private.labelDimsKey ?? `${ele.pstyle("font-style").strValue} ${ele.pstyle("font-weight").strValue} ${ele.pstyle("font-size").pfValue}px ${ele.pstyle("font-family").strValue}`;
  const known = new Map<number | string, Map<string, Dims>>();
  let count = 0;
  r.calculateLabelDimensions = function measureOnce(ele: Ele, text: string): Dims {
    // `text-metrics` (read by the measurement) is not part of Cytoscape's hash: it goes with the text.
    const metrics = ele.pstyle("text-metrics").strValue;
    const font = fontKey(ele);
    let texts = known.get(font);
    if (!texts) known.set(font, (texts = new Map()));
    const key = `${metrics}\n${text}`;
    let dims = texts.get(key);
    if (!dims) {
      dims = measure.call(this, ele, text);
      if (++count > 100_000) {
        known.clear();
        count = 0;
        known.set(font, texts);
        texts.clear();
      }
      texts.set(key, dims);
    }
    return dims;
  };
  // Labels cut with an ellipsis are cut by halving (./labels.ts) instead of one measurement per
  // character, and the cut is remembered per label and font, like the sizes above: Cytoscape
  // cuts the label again whenever it places or draws it. Other labels stay Cytoscape's.
  const labelText = (r as unknown as { getLabelText?: (ele: Ele, prefix?: string) => string }).getLabelText;
  if (!labelText) return;
  const cut = new Map<string, string>();
  (r as unknown as { getLabelText: (ele: Ele, prefix?: string) => string }).getLabelText = function cutOnce(ele: Ele, prefix?: string): string {
    if (prefix || ele.pstyle("text-wrap").strValue !== "ellipsis" || ele.pstyle("text-transform").strValue !== "none") return labelText.call(this, ele, prefix);
    const text = ele.pstyle("label").strValue;
    if (!text) return "";
    const maxWidth = ele.pstyle("text-max-width").pfValue;
    const key = `${fontKey(ele)}|${maxWidth}|${ele.pstyle("text-metrics").strValue}\n${text}`;
    let shown = cut.get(key);
    if (shown === undefined) {
      shown = ellipsize(text, maxWidth, (t) => r.calculateLabelDimensions!(ele, t).width);
      if (cut.size > 50_000) cut.clear();
      cut.set(key, shown);
    }
    return shown;
  };
}

function depthOf(d: ElementDefinition, parents: ReadonlyMap<string, string | undefined>): number {
  let depth = 0;
  let cur = (d.data as { parent?: string }).parent;
  while (cur && depth < 64) {
    depth++;
    cur = parents.get(cur);
  }
  return depth;
}

/**
 * The canvas elements of a simulation's look (asked again whenever the graph changes): each
 * service (or the internet) by its node, each call by the flows drawn from its caller to it.
 */
function resolveLook(index: CanvasIndex, look: SpreadLook): LayerInput {
  const input: LayerInput = { nodes: [], edges: [] };
  for (const { id, classes, step } of look.nodes) {
    const ele = index.node(endpointId(id));
    if (ele) input.nodes.push({ id, ele, classes, step });
  }
  for (const { from, to, classes, step } of look.edges) {
    for (const ele of index.edges(endpointId(from), svcId(to))) input.edges.push({ ele, classes, step });
  }
  return input;
}
