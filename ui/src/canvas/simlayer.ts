//! The simulation layer: a `<canvas>` over Cytoscape's that draws a breach's look
//! (`simulationLook` in ./simulation.ts) instead of putting classes on Cytoscape's elements.
//! A restyle of thousands of elements and the full Cytoscape frame it forces cost hundreds of
//! milliseconds on 2,000 services in WebKitGTK; this layer leaves Cytoscape's canvas as it is
//! and paints over it:
//!
//! 1. a veil in the canvas's own background colour dims everything (as opacity 0.3 would);
//! 2. segment borders are stroked again over the veil (segments are never dimmed);
//! 3. holes are cut in the veil (`destination-out`) where the involved services and their rings
//!    are, so Cytoscape's own drawing of them shows through undimmed;
//! 4. the attacker's calls and the chosen path are stroked, the rings (reached, compromised,
//!    origin, on the path) filled around the services, holes cut again for the services'
//!    bodies (so a ring and a call stay under the service, as Cytoscape draws them), the
//!    compromised services' borders stroked, and the labels of what stays bright drawn again.
//!
//! Everything is in model coordinates under Cytoscape's pan and zoom, batched into a few paths
//! (`Chunks`), and kept until Cytoscape recalculates an element (style, position, data); a pan
//! or zoom only repaints it, in the same frame as Cytoscape's (its `render` event). Shapes,
//! edge geometry and arrows are Cytoscape's own (`./overview.ts` helpers); the colours come from
//! `simulationPalette` in ./style.ts. What it painted is kept for the tests (`painted`).

import type { Core } from "cytoscape";
import { boxOf, edgeArrows, edgeLine, shapeAt, shapeInto, type OverviewEle, type OverviewRenderer } from "./overview";
import { SIM_RING_ORDER, simulationPalette, type SimRing, type SimStroke, type SimulationPalette, type Theme } from "./style";
import type { SimClass } from "./simulation";
import { measureSince, timed } from "../perf";

/** What the layer reads of an element (Cytoscape internals, typed in ./overview.ts). */
export interface LayerEle extends OverviewEle {
  id(): string;
}

/** The renderer functions the layer uses (Cytoscape internals). */
export type LayerRenderer = Pick<OverviewRenderer, "nodeShapes" | "arrowShapes" | "getNodeShape" | "getArrowWidth" | "drawElementText" | "eleTextBiggerThanMin">;

export type RingClass = (typeof SIM_RING_ORDER)[number];

/** A simulation's look resolved against the canvas: the elements it involves, with their classes. */
export interface LayerInput {
  /** Involved services (and the internet) by model id; every other node is dimmed. */
  nodes: { id: string; ele: LayerEle; classes: ReadonlySet<SimClass> }[];
  /** The attacker's calls (`attack`) and the chosen path's (`on-path`). */
  edges: { ele: LayerEle; classes: ReadonlySet<SimClass> }[];
  /** Every segment: its border is drawn over the veil. */
  segments: LayerEle[];
}

/** What the layer painted last, for the tests: they compare it with the simulation. */
export interface PaintedSimulation {
  /** True while the veil dims everything the simulation does not involve. */
  veil: boolean;
  /** Every service (model id, or `internet`) shown undimmed: its ring and whether its border is the compromised one. */
  nodes: Record<string, { ring: RingClass | null; compromised: boolean }>;
  /** Canvas edge id → how the call is drawn. */
  edges: Record<string, "attack" | "on-path">;
  /** Segments whose border is drawn over the veil. */
  segments: number;
}

/** Shapes per path: Skia's cost of adding a subpath grows with the path (see ./overview.ts). */
const CHUNK = 64;

/** Paths of at most `CHUNK` shapes each, filled or stroked with one paint. */
class Chunks {
  readonly paths: Path2D[] = [];
  private count = CHUNK;

  /** The path the next shape goes into. */
  next(): Path2D {
    if (this.count === CHUNK) {
      this.paths.push(new Path2D());
      this.count = 0;
    }
    this.count++;
    return this.paths[this.paths.length - 1]!;
  }
}

interface SegmentStroke {
  colour: string;
  alpha: number;
  width: number;
  dash: number[] | null;
  paths: Chunks;
}

/** Everything one paint of the layer draws, in model coordinates. */
export interface LayerScene {
  segments: SegmentStroke[];
  attack: { lines: Chunks; arrows: Chunks };
  onPath: { lines: Chunks; arrows: Chunks };
  /** The rings around the involved services, by class; their areas are cut out of the veil. */
  rings: { ring: SimRing; paths: Chunks }[];
  /** Bodies (with their border) of the involved services: cut out of the veil, and again over rings and calls. */
  bodies: Chunks;
  borders: Chunks;
  /** Elements whose labels are drawn again over the veil (when Cytoscape would draw them). */
  labelled: LayerEle[];
  painted: PaintedSimulation;
}

const rgb = (v: unknown): string => {
  const c = v as number[];
  return `rgb(${c[0]},${c[1]},${c[2]})`;
};

function radiusOf(ele: LayerEle): unknown {
  return ele.pstyle("corner-radius").value === "auto" ? "auto" : ele.pstyle("corner-radius").pfValue;
}

function hasLabel(ele: LayerEle): boolean {
  const label = ele.pstyle("label");
  return !!(label && label.strValue);
}

/** The ring a service shows: the last of `SIM_RING_ORDER` it has (as the stylesheet cascade did). */
export function ringOf(classes: ReadonlySet<SimClass>): RingClass | null {
  let ring: RingClass | null = null;
  for (const c of SIM_RING_ORDER) if (classes.has(c)) ring = c;
  return ring;
}

/** Batch what `input` involves into the paths one paint draws. */
export function buildLayerScene(r: LayerRenderer, input: LayerInput, palette: SimulationPalette): LayerScene {
  const scene: LayerScene = {
    segments: [],
    attack: { lines: new Chunks(), arrows: new Chunks() },
    onPath: { lines: new Chunks(), arrows: new Chunks() },
    rings: SIM_RING_ORDER.map((c) => ({ ring: palette.rings[c], paths: new Chunks() })),
    bodies: new Chunks(),
    borders: new Chunks(),
    labelled: [],
    painted: { veil: true, nodes: {}, edges: {}, segments: 0 },
  };
  const strokes = new Map<string, SegmentStroke>();
  for (const seg of input.segments) {
    if (!seg.visible()) continue;
    const width = seg.pstyle("border-width").pfValue;
    const alpha = (seg.pstyle("border-opacity").value as number) * seg.effectiveOpacity();
    if (hasLabel(seg)) scene.labelled.push(seg);
    if (!(width > 0 && alpha > 0)) continue;
    const style = seg.pstyle("border-style").value;
    const dash = style === "dashed" ? (seg.pstyle("border-dash-pattern").pfValue as unknown as number[]) : style === "dotted" ? [1, 2] : null;
    const colour = rgb(seg.pstyle("border-color").value);
    const key = `${colour}|${alpha}|${width}|${dash ? dash.join(",") : ""}`;
    let stroke = strokes.get(key);
    if (!stroke) strokes.set(key, (stroke = { colour, alpha, width, dash, paths: new Chunks() }));
    shapeInto(r, stroke.paths.next(), seg, r.getNodeShape(seg), radiusOf(seg), 0);
    scene.painted.segments++;
  }
  scene.segments = [...strokes.values()];
  for (const { ele, classes } of input.edges) {
    const rs = ele._private.rscratch;
    if (!ele.visible() || rs.badLine || !rs.allpts || rs.allpts.length < 4 || Number.isNaN(rs.allpts[0])) continue;
    const kind = classes.has("on-path") ? "on-path" : classes.has("attack") ? "attack" : null;
    if (!kind) continue;
    const into = kind === "on-path" ? scene.onPath : scene.attack;
    const stroke: SimStroke = kind === "on-path" ? palette.onPath : palette.attack;
    edgeLine(into.lines.next(), rs);
    edgeArrows(r, ele, stroke.width, () => into.arrows.next());
    scene.painted.edges[ele.id()] = kind;
    if (hasLabel(ele)) scene.labelled.push(ele);
  }
  for (const { id, ele, classes } of input.nodes) {
    if (!ele.visible()) continue;
    // Read once: a thousand services are involved in a breach of a large estate.
    const box = boxOf(ele);
    const rs = ele._private.rscratch;
    const shape = r.getNodeShape(ele);
    const radius = radiusOf(ele);
    const ring = ringOf(classes);
    const compromised = classes.has("compromised");
    // Half the border (drawn on the outline) and a pixel of antialiasing.
    const margin = Math.max(ele.pstyle("border-width").pfValue, compromised ? palette.compromisedBorder.width : 0) / 2 + 1;
    if (ring) shapeAt(r, scene.rings[SIM_RING_ORDER.indexOf(ring)]!.paths.next(), "ellipse", box, undefined, palette.rings[ring].padding);
    shapeAt(r, scene.bodies.next(), shape, box, radius, margin, rs);
    if (compromised) shapeAt(r, scene.borders.next(), shape, box, radius, 0, rs);
    scene.painted.nodes[id] = { ring, compromised };
    if (hasLabel(ele)) scene.labelled.push(ele);
  }
  return scene;
}

/** Where the layer is drawn: Cytoscape's viewport and the canvas's size in device pixels. */
export interface LayerViewport {
  zoom: number;
  pan: { x: number; y: number };
  pixelRatio: number;
  width: number;
  height: number;
}

/** The subset of a 2D context the layer paints with (a recording context in the unit tests). */
export type LayerContext = Pick<
  CanvasRenderingContext2D,
  "setTransform" | "clearRect" | "fillRect" | "fill" | "stroke" | "setLineDash" | "save" | "restore" | "globalAlpha" | "globalCompositeOperation" | "fillStyle" | "strokeStyle" | "lineWidth" | "lineCap" | "lineJoin"
>;

/** Paint `scene` over Cytoscape's frame at `view` (see the module doc for the order). */
export function paintLayer(r: LayerRenderer, ctx: LayerContext, scene: LayerScene, palette: SimulationPalette, view: LayerViewport): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = "source-over";
  ctx.clearRect(0, 0, view.width, view.height);
  ctx.globalAlpha = palette.veilAlpha;
  ctx.fillStyle = palette.veil;
  ctx.fillRect(0, 0, view.width, view.height);
  const k = view.pixelRatio * view.zoom;
  ctx.setTransform(k, 0, 0, k, view.pixelRatio * view.pan.x, view.pixelRatio * view.pan.y);
  ctx.lineJoin = "round";
  for (const s of scene.segments) {
    ctx.globalAlpha = s.alpha;
    ctx.strokeStyle = s.colour;
    ctx.lineWidth = s.width;
    ctx.setLineDash(s.dash ?? []);
    for (const p of s.paths.paths) ctx.stroke(p);
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  // Holes where the rings and the services are: Cytoscape's drawing shows through.
  ctx.globalCompositeOperation = "destination-out";
  ctx.fillStyle = "#000";
  for (const { paths } of scene.rings) for (const p of paths.paths) ctx.fill(p);
  for (const p of scene.bodies.paths) ctx.fill(p);
  ctx.globalCompositeOperation = "source-over";
  ctx.lineCap = "round";
  for (const [calls, stroke] of [
    [scene.attack, palette.attack],
    [scene.onPath, palette.onPath],
  ] as const) {
    ctx.strokeStyle = stroke.colour;
    ctx.fillStyle = stroke.colour;
    ctx.lineWidth = stroke.width;
    for (const p of calls.lines.paths) ctx.stroke(p);
    for (const p of calls.arrows.paths) ctx.fill(p);
  }
  ctx.lineCap = "butt";
  for (const { ring, paths } of scene.rings) {
    ctx.globalAlpha = ring.alpha;
    ctx.fillStyle = ring.colour;
    for (const p of paths.paths) ctx.fill(p);
  }
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = "destination-out";
  ctx.fillStyle = "#000";
  for (const p of scene.bodies.paths) ctx.fill(p);
  ctx.globalCompositeOperation = "source-over";
  ctx.strokeStyle = palette.compromisedBorder.colour;
  ctx.lineWidth = palette.compromisedBorder.width;
  for (const p of scene.borders.paths) ctx.stroke(p);
  // Cytoscape's own label drawing, for every label it would draw at this zoom.
  for (const ele of scene.labelled) {
    if (!r.eleTextBiggerThanMin(ele)) continue;
    ctx.save();
    r.drawElementText(ctx as CanvasRenderingContext2D, ele);
    ctx.restore();
  }
}

const NOTHING: PaintedSimulation = { veil: false, nodes: {}, edges: {}, segments: 0 };

interface Hooks {
  onUpdateEleCalcs(fn: (willDraw: boolean, eles: ArrayLike<unknown> | null) => void): void;
}

/**
 * The layer's canvas over Cytoscape's, in `container` (Cytoscape's). `show` gives it a
 * simulation to draw (as a function that resolves the look against the current graph, called
 * again whenever Cytoscape recalculates an element), `show(null)` hides it.
 */
export class SimulationLayer {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly r: (LayerRenderer & Hooks) | undefined;
  private resolve: (() => LayerInput) | null = null;
  private scene: LayerScene | null = null;
  private palette: SimulationPalette;
  private last: PaintedSimulation = NOTHING;

  constructor(
    private readonly cy: Core,
    container: HTMLElement,
    theme: Theme,
  ) {
    this.palette = simulationPalette(theme);
    this.canvas = document.createElement("canvas");
    this.canvas.dataset.testid = "sim-layer";
    const st = this.canvas.style;
    st.position = "absolute";
    st.left = "0";
    st.top = "0";
    st.width = "100%";
    st.height = "100%";
    // Over Cytoscape's canvases, under what floats over the canvas (z-index 5 and up).
    st.zIndex = "1";
    st.pointerEvents = "none";
    st.display = "none";
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d");
    this.r = (cy as unknown as { renderer(): (LayerRenderer & Hooks) | undefined }).renderer?.();
    // The same hook Cytoscape's texture caches are invalidated by: an element's style,
    // position or geometry changed, so the shapes built from them are stale.
    this.r?.onUpdateEleCalcs((_willDraw, eles) => {
      if (eles && eles.length) this.scene = null;
    });
    cy.on("add remove", () => void (this.scene = null));
    // Each Cytoscape frame (a pan, a zoom, a drag) is followed by the layer's, in the same task.
    cy.on("render", () => this.paint());
    cy.on("resize", () => this.paint());
  }

  setTheme(theme: Theme): void {
    this.palette = simulationPalette(theme);
    this.scene = null;
    this.paint();
  }

  /** Draw a simulation (`resolve` gives its elements on the current graph), or nothing. */
  show(resolve: (() => LayerInput) | null): void {
    this.resolve = resolve;
    this.scene = null;
    this.paint(true);
  }

  /** What the last paint showed (see `PaintedSimulation`). */
  painted(): PaintedSimulation {
    return this.last;
  }

  /**
   * `measured`: a new look (a simulation's answer, a hop), timed as `sim:scene` (of which
   * `sim:resolve` finds its elements on the canvas) and `sim:paint`.
   */
  private paint(measured = false): void {
    const ctx = this.ctx;
    const r = this.r;
    if (!this.resolve || !ctx || !r) {
      if (this.canvas.style.display !== "none") this.canvas.style.display = "none";
      this.last = NOTHING;
      return;
    }
    const pixelRatio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.cy.width() * pixelRatio));
    const height = Math.max(1, Math.round(this.cy.height() * pixelRatio));
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    const start = performance.now();
    if (!this.scene) {
      const resolve = this.resolve;
      const input = measured ? timed("sim:resolve", resolve) : resolve();
      this.scene = buildLayerScene(r, input, this.palette);
      if (measured) measureSince("sim:scene", start);
    }
    const scene = this.scene;
    const view = { zoom: this.cy.zoom(), pan: this.cy.pan(), pixelRatio, width, height };
    if (measured) timed("sim:paint", () => paintLayer(r, ctx, scene, this.palette, view));
    else paintLayer(r, ctx, scene, this.palette, view);
    if (this.canvas.style.display === "none") this.canvas.style.display = "";
    this.last = scene.painted;
  }

  destroy(): void {
    this.canvas.remove();
  }
}
