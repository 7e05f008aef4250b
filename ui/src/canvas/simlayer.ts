//! The simulation layer: a `<canvas>` over Cytoscape's that draws a breach's look
//! (`spreadLook` in ./simulation.ts) instead of putting classes on Cytoscape's elements.
//! A restyle of thousands of elements and the full Cytoscape frame it forces cost hundreds of
//! milliseconds on 2,000 services in WebKitGTK; this layer leaves Cytoscape's canvas as it is
//! and paints over it:
//!
//! 1. a veil in the canvas's own background colour dims everything (as opacity 0.3 would);
//! 2. segment borders are stroked again over the veil (segments' fills are dimmed, their
//!    boundaries are not);
//! 3. holes are cut in the veil (`destination-out`) where the involved services and their rings
//!    are, and where Cytoscape draws the labels of those services and of the segments, so
//!    Cytoscape's own drawing of them shows through undimmed;
//! 4. the attacker's calls and the chosen path are stroked, the rings (reached, compromised,
//!    origin, on the path) filled around the services, holes cut again for the services'
//!    bodies (so a ring and a call stay under the service, as Cytoscape draws them), and the
//!    compromised services' borders stroked.
//!
//! Everything is in model coordinates under Cytoscape's pan and zoom, batched into a few paths
//! (`Chunks`), and kept until Cytoscape recalculates an element (style, position, data); a pan
//! or zoom only repaints it, in the same frame as Cytoscape's (its `render` event). A look is
//! built once with every hop step in its own batches, so the hop-by-hop animation only repaints
//! with one more step (`reveal`): building it again per hop kept WebKit's main thread busy for
//! most of the animation on a 2,000-service breach. A step's batches are filled when it is first
//! shown, so a click batches only what its first frame shows. The scene is batched from each element's
//! record (its shapes, built once and kept until it moves or changes shape, warmed in the
//! background) and found through an index of the canvas, so a click, even one whose breach
//! reaches every service, reads no style and draws no shape. Shapes,
//! edge geometry and arrows are Cytoscape's own (`./overview.ts` helpers); the colours come from
//! `simulationPalette` in ./style.ts. What it painted is kept for the tests (`painted`).

import type { Core } from "cytoscape";
import { boxOf, edgeArrows, edgeLine, shapeAt, shapeInto, type NodeBox, type OverviewEle, type OverviewRenderer } from "./overview";
import { SIM_RING_ORDER, simulationPalette, type SimRing, type SimStroke, type SimulationPalette, type Theme } from "./style";
import type { SimClass } from "./simulation";
import { measureSince, timed } from "../perf";

/** What the layer reads of an element (Cytoscape internals, typed in ./overview.ts). */
export interface LayerEle extends OverviewEle {
  id(): string;
  /** `labelBounds.main`: where Cytoscape draws the label, in model coordinates. */
  _private: OverviewEle["_private"] & { labelBounds?: { main?: { x1: number; y1: number; x2: number; y2: number } | null } };
}

/** The renderer functions the layer uses (Cytoscape internals). */
export type LayerRenderer = Pick<OverviewRenderer, "nodeShapes" | "arrowShapes" | "getNodeShape" | "getArrowWidth" | "eleTextBiggerThanMin">;

export type RingClass = (typeof SIM_RING_ORDER)[number];

/**
 * A simulation's look resolved against the canvas: the elements it involves, with their classes
 * once every hop is shown, and the hop step (`spreadLook`'s `step`) that lights each up; -1 for
 * what is lit from the start (the internet). The hop-by-hop animation shows the steps one by
 * one without building anything again.
 */
export interface LayerInput {
  /** Involved services (and the internet) by model id; every other node is dimmed. */
  nodes: { id: string; ele: LayerEle; classes: ReadonlySet<SimClass>; step: number }[];
  /** The attacker's calls (`attack`) and the chosen path's (`on-path`). */
  edges: { ele: LayerEle; classes: ReadonlySet<SimClass>; step: number }[];
}

/**
 * The segments' part of every look: their borders, drawn over the veil, and their labels. It
 * does not depend on the simulation, so the layer keeps it from one look to the next until
 * Cytoscape recalculates an element.
 */
export interface SegmentPart {
  strokes: SegmentStroke[];
  labelled: LayerEle[];
  count: number;
}

export function buildSegmentPart(r: LayerRenderer, segments: Iterable<LayerEle>): SegmentPart {
  const strokes = new Map<string, SegmentStroke>();
  const part: SegmentPart = { strokes: [], labelled: [], count: 0 };
  for (const seg of segments) {
    if (!seg.visible()) continue;
    const width = seg.pstyle("border-width").pfValue;
    const alpha = (seg.pstyle("border-opacity").value as number) * seg.effectiveOpacity();
    if (hasLabel(seg)) part.labelled.push(seg);
    if (!(width > 0 && alpha > 0)) continue;
    const style = seg.pstyle("border-style").value;
    const dash = style === "dashed" ? (seg.pstyle("border-dash-pattern").pfValue as unknown as number[]) : style === "dotted" ? [1, 2] : null;
    const colour = rgb(seg.pstyle("border-color").value);
    const key = `${colour}|${alpha}|${width}|${dash ? dash.join(",") : ""}`;
    let stroke = strokes.get(key);
    if (!stroke) strokes.set(key, (stroke = { colour, alpha, width, dash, paths: new Chunks() }));
    shapeInto(r, stroke.paths.next(), seg, r.getNodeShape(seg), radiusOf(seg), 0);
    part.count++;
  }
  part.strokes = [...strokes.values()];
  return part;
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

  /** Add shapes built beforehand (a call's arrows, kept in its record). */
  add(shape: Path2D): void {
    this.next().addPath(shape);
  }
}

interface SegmentStroke {
  colour: string;
  alpha: number;
  width: number;
  dash: number[] | null;
  paths: Chunks;
}

/** What lights up at one hop step (or from the start). */
export interface LayerStage {
  /** Rings around services, by class in `SIM_RING_ORDER`; their areas are cut out of the veil. */
  rings: Chunks[];
  /** Compromised services' borders. */
  borders: Chunks;
  /** The attacker's calls. */
  attack: { lines: Chunks; arrows: Chunks };
}

/** Everything the layer draws for one look, in model coordinates. */
export interface LayerScene {
  segments: SegmentStroke[];
  /** Lit from the start (the origin, the chosen path's services), and at each hop step. */
  always: LayerStage;
  /**
   * Each hop step's stage. A step not shown yet may still be unbatched (see `batchSteps`): on a
   * breach that reaches every service the click shows one step of six, and batching the rings,
   * borders and calls of the other five was most of the click's batch.
   */
  steps: LayerStage[];
  /** Batches the shapes of step `step` into `steps[step]` once; set while any step is unbatched. */
  batchStep: ((step: number) => void) | null;
  /** The chosen path's calls (always shown). */
  onPath: { lines: Chunks; arrows: Chunks };
  /** Bodies (with their border) of the involved services: cut out of the veil, and again over rings and calls. */
  bodies: Chunks;
  /** Elements whose labels are cut out of the veil (where and when Cytoscape draws them). */
  labelled: LayerEle[];
  /** Per service and call drawn: what it shows before and once its step is shown (see `paintedAt`). */
  nodes: { id: string; step: number; before: RingClass | null; after: RingClass | null; compromised: boolean }[];
  edges: { id: string; step: number; kind: "attack" | "on-path" }[];
  segmentCount: number;
}

function stage(): LayerStage {
  return { rings: SIM_RING_ORDER.map(() => new Chunks()), borders: new Chunks(), attack: { lines: new Chunks(), arrows: new Chunks() } };
}

/** The stages shown with the first `shown` hop steps (batched now where they were not yet). */
function stagesShown(scene: LayerScene, shown: number): LayerStage[] {
  batchSteps(scene, shown);
  return [scene.always, ...scene.steps.slice(0, Math.max(0, shown))];
}

/** Batch the shapes of the first `shown` hop steps where they are not yet (see `LayerScene.steps`). */
export function batchSteps(scene: LayerScene, shown: number): void {
  const batch = scene.batchStep;
  if (!batch) return;
  for (let i = 0; i < Math.min(shown, scene.steps.length); i++) batch(i);
}

/** What a paint of `scene` with the first `shown` hop steps shows (for the tests). */
export function paintedAt(scene: LayerScene, shown: number): PaintedSimulation {
  const painted: PaintedSimulation = { veil: true, nodes: {}, edges: {}, segments: scene.segmentCount };
  for (const n of scene.nodes) {
    const lit = n.step < shown;
    painted.nodes[n.id] = { ring: lit ? n.after : n.before, compromised: n.compromised && lit };
  }
  for (const e of scene.edges) if (e.kind === "on-path" || e.step < shown) painted.edges[e.id] = e.kind;
  return painted;
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

/**
 * What the layer reads of one service (or the internet) to shape it: read once, then reused by
 * every look until the element moves or its geometry changes (`SimulationLayer` drops the
 * record then). A full-reach breach involves every service, and reading their styles again per
 * click was a large part of the scene. (The shapes themselves are drawn into the batches per
 * look: adding a kept `Path2D` to a batch cost more than drawing the shape again.)
 */
export interface NodeRecord {
  labelled: boolean;
  box: NodeBox;
  shape: string;
  radius: unknown;
  borderWidth: number;
}

/** What the layer keeps of one call: whether it is labelled and, per stroke width, its arrows (null: none). */
export interface EdgeRecord {
  labelled: boolean;
  arrows: Map<number, Path2D | null>;
}

/** Records by element (see `NodeRecord`); the owner deletes those of elements that moved or changed shape. */
export interface LayerRecords {
  nodes: WeakMap<LayerEle, NodeRecord>;
  edges: WeakMap<LayerEle, EdgeRecord>;
}

export function layerRecords(): LayerRecords {
  return { nodes: new WeakMap(), edges: new WeakMap() };
}

export function nodeRecord(r: LayerRenderer, records: LayerRecords, ele: LayerEle): NodeRecord {
  let rec = records.nodes.get(ele);
  if (!rec) {
    rec = { labelled: hasLabel(ele), box: boxOf(ele), shape: r.getNodeShape(ele), radius: radiusOf(ele), borderWidth: ele.pstyle("border-width").pfValue };
    records.nodes.set(ele, rec);
  }
  return rec;
}

/** The record of a call Cytoscape draws a line for, or null (hidden, or no line computed). */
export function edgeRecord(records: LayerRecords, ele: LayerEle): EdgeRecord | null {
  const rs = ele._private.rscratch;
  if (!ele.visible() || rs.badLine || !rs.allpts || rs.allpts.length < 4 || Number.isNaN(rs.allpts[0])) return null;
  let rec = records.edges.get(ele);
  if (!rec) {
    rec = { labelled: hasLabel(ele), arrows: new Map() };
    records.edges.set(ele, rec);
  }
  return rec;
}

/** `ele`'s arrows sized for a line of `width`, as one path (null when it has none). */
export function arrowsOf(r: LayerRenderer, ele: LayerEle, rec: EdgeRecord, width: number): Path2D | null {
  let path = rec.arrows.get(width);
  if (path === undefined) {
    const into = new Path2D();
    let count = 0;
    edgeArrows(r, ele, width, () => (count++, into));
    path = count ? into : null;
    rec.arrows.set(width, path);
  }
  return path;
}

/**
 * Cytoscape's corner radius of a round rectangle `w` × `h` (its `drawRoundRectanglePath`: "auto"
 * is `getRoundRectangleRadius`, a number is capped at half a side).
 */
export function roundRectRadius(radius: unknown, w: number, h: number): number {
  const r = radius === "auto" || typeof radius !== "number" || Number.isNaN(radius) ? Math.min(w / 4, h / 4, 8) : Math.min(radius, w / 2, h / 2);
  return Math.max(0, r);
}

/**
 * `shapeAt` for the layer's batches: a round rectangle (most services) is the path's native
 * `roundRect` where the runtime has it (WebKitGTK 2.50 and Chromium do), one call instead of
 * the eight of Cytoscape's `drawRoundRectanglePath` (a move, four `arcTo`s, a line, a close):
 * on a full-reach breach that is about 3,000 shapes, and each call crosses into the engine.
 * The same outline: corners are circular arcs of the same radius tangent to both sides, drawn
 * clockwise like Cytoscape's, so fills (non-zero) and strokes (closed, no caps) are unchanged.
 * A ring's ellipse skips Cytoscape's closing `closePath` (rings are only filled, and a full
 * ellipse ends where it starts). Every other shape is Cytoscape's own.
 */
function layerShape(r: LayerRenderer, path: Path2D, shape: string, box: NodeBox, radius: unknown, pad: number, rs?: Parameters<typeof shapeAt>[6]): void {
  if (shape === "round-rectangle" && typeof path.roundRect === "function") {
    const w = box.w + 2 * pad;
    const h = box.h + 2 * pad;
    path.roundRect(box.x - w / 2, box.y - h / 2, w, h, roundRectRadius(radius, w, h));
    return;
  }
  shapeAt(r, path, shape, box, radius, pad, rs);
}

/** A ring (an ellipse around `box`, `pad` each side) added to `path`, for filling only. */
function ringShape(r: LayerRenderer, path: Path2D, box: NodeBox, pad: number): void {
  if (typeof path.ellipse !== "function") return shapeAt(r, path, "ellipse", box, undefined, pad);
  const rx = box.w / 2 + pad;
  const ry = box.h / 2 + pad;
  // A subpath of its own (an ellipse would otherwise be joined to the previous shape by a line).
  path.moveTo(box.x + rx, box.y);
  path.ellipse(box.x, box.y, rx, ry, 0, 0, 2 * Math.PI);
}

/** The margin a service's body is cut out with: half its border (drawn on the outline) and a pixel of antialiasing. */
function marginOf(rec: NodeRecord, compromised: boolean, palette: SimulationPalette): number {
  return Math.max(rec.borderWidth, compromised ? palette.compromisedBorder.width : 0) / 2 + 1;
}

/**
 * Batch what `input` involves into the paths one paint draws, from the elements' records
 * (`records`: built here where missing, kept by the caller across looks). The rings, borders
 * and calls of hop steps from `batched` on are left for when they are first shown
 * (`batchSteps`, which the paint calls): each step's shapes go into its own paths in the same
 * order either way, so what is painted does not depend on when they were batched. What is lit
 * from the start, the bodies and the records of what each paint shows are built here.
 */
export function buildLayerScene(r: LayerRenderer, input: LayerInput, palette: SimulationPalette, segments: SegmentPart, records: LayerRecords = layerRecords(), batched = Infinity): LayerScene {
  const scene: LayerScene = {
    segments: segments.strokes,
    always: stage(),
    steps: [],
    batchStep: null,
    onPath: { lines: new Chunks(), arrows: new Chunks() },
    bodies: new Chunks(),
    labelled: [...segments.labelled],
    nodes: [],
    edges: [],
    segmentCount: segments.count,
  };
  const at = (step: number): LayerStage => {
    if (step < 0) return scene.always;
    while (scene.steps.length <= step) scene.steps.push(stage());
    return scene.steps[step]!;
  };
  // Per hop step from `batched` on: what `batchStep` batches when the step is first shown, in
  // input order, with the records read here (the scene is dropped when one is).
  const later: (Unbatched | null)[] = [];
  const defer = (step: number): Unbatched => {
    at(step);
    while (later.length <= step) later.push({ calls: [], rings: [], borders: [] });
    return later[step]!;
  };
  for (const { ele, classes, step } of input.edges) {
    const kind = classes.has("on-path") ? "on-path" : classes.has("attack") ? "attack" : null;
    if (!kind) continue;
    const rec = edgeRecord(records, ele);
    if (!rec) continue;
    if (kind === "on-path") callShape(r, scene.onPath, palette.onPath, ele, rec);
    else if (step < batched) callShape(r, at(step).attack, palette.attack, ele, rec);
    else defer(step).calls.push({ ele, rec });
    scene.edges.push({ id: ele.id(), step, kind });
    if (rec.labelled) scene.labelled.push(ele);
  }
  for (const { id, ele, classes, step } of input.nodes) {
    if (!ele.visible()) continue;
    const rec = nodeRecord(r, records, ele);
    // Its ring before its hop is shown (origin and chosen path are marked from the start), and after.
    const before = classes.has("on-path") ? "on-path" : classes.has("origin") ? "origin" : null;
    const ring = ringOf(classes);
    const compromised = classes.has("compromised");
    const lit = before !== null ? -1 : step;
    const litStage = at(lit);
    const rs = ele._private.rscratch;
    if (ring && lit < batched) ringShape(r, litStage.rings[SIM_RING_ORDER.indexOf(ring)]!.next(), rec.box, palette.rings[ring].padding);
    else if (ring) defer(lit).rings.push({ rec, ring });
    layerShape(r, scene.bodies.next(), rec.shape, rec.box, rec.radius, marginOf(rec, compromised, palette), rs);
    if (compromised && step < batched) layerShape(r, at(step).borders.next(), rec.shape, rec.box, rec.radius, 0, rs);
    else if (compromised) defer(step).borders.push({ rec, rs });
    scene.nodes.push({ id, step, before, after: ring, compromised });
    if (rec.labelled) scene.labelled.push(ele);
  }
  if (later.length === 0) return scene;
  // The same shapes into the same step's paths, in the same order, as they would have been above.
  scene.batchStep = (step) => {
    const todo = later[step];
    if (!todo) return;
    later[step] = null;
    const st = scene.steps[step]!;
    for (const { ele, rec } of todo.calls) callShape(r, st.attack, palette.attack, ele, rec);
    for (const { rec, ring } of todo.rings) ringShape(r, st.rings[SIM_RING_ORDER.indexOf(ring)]!.next(), rec.box, palette.rings[ring].padding);
    for (const { rec, rs } of todo.borders) layerShape(r, st.borders.next(), rec.shape, rec.box, rec.radius, 0, rs);
    if (later.every((l) => l === null)) scene.batchStep = null;
  };
  return scene;
}

/** A hop step's shapes left for when it is first shown (see `buildLayerScene`). */
interface Unbatched {
  calls: { ele: LayerEle; rec: EdgeRecord }[];
  rings: { rec: NodeRecord; ring: RingClass }[];
  borders: { rec: NodeRecord; rs: Parameters<typeof shapeAt>[6] }[];
}

/** A call's line and arrows (sized for `stroke`) into `into`. */
function callShape(r: LayerRenderer, into: { lines: Chunks; arrows: Chunks }, stroke: SimStroke, ele: LayerEle, rec: EdgeRecord): void {
  edgeLine(into.lines.next(), ele._private.rscratch);
  const arrows = arrowsOf(r, ele, rec, stroke.width);
  if (arrows) into.arrows.add(arrows);
}

/**
 * Build the records a look would build (and the attacker's arrows), for `eles`, until
 * `deadline` (a `performance.now()` time); returns how many it got through. The layer does this while the page is idle, so that a
 * click finds them built (a full-reach breach involves every service and most calls).
 */
export function warmRecords(r: LayerRenderer, records: LayerRecords, palette: SimulationPalette, eles: readonly LayerEle[], from: number, deadline: number): number {
  let i = from;
  for (; i < eles.length; i++) {
    if ((i & 15) === 0 && performance.now() > deadline) break;
    const ele = eles[i]!;
    if (!ele.isNode()) {
      const rec = edgeRecord(records, ele);
      if (rec) arrowsOf(r, ele, rec, palette.attack.width);
    } else if (!ele.isParent() && ele.visible()) nodeRecord(r, records, ele);
  }
  return i - from;
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
  "setTransform" | "clearRect" | "fillRect" | "fill" | "stroke" | "setLineDash" | "globalAlpha" | "globalCompositeOperation" | "fillStyle" | "strokeStyle" | "lineWidth" | "lineCap" | "lineJoin"
>;

/** The part of the model the canvas shows at `view`. */
function visibleModelBox(view: LayerViewport): { x1: number; y1: number; x2: number; y2: number } {
  const k = view.pixelRatio * view.zoom;
  return { x1: -view.pan.x / view.zoom, y1: -view.pan.y / view.zoom, x2: (view.width - view.pixelRatio * view.pan.x) / k, y2: (view.height - view.pixelRatio * view.pan.y) / k };
}

/**
 * Whether an element's label can be in `box`: its node box (or an edge's middle) widened by the
 * most a label reaches beyond it (the stylesheet's widest `text-max-width` is 400px, and labels
 * sit above or below the shape).
 */
export function labelMayShow(ele: LayerEle, box: { x1: number; y1: number; x2: number; y2: number }): boolean {
  const LABEL_REACH = 220;
  const rs = ele._private.rscratch;
  const node = ele.isNode();
  const x = node ? ele.position().x : rs.midX;
  const y = node ? ele.position().y : rs.midY;
  if (x == null || y == null) return true;
  const hw = (node ? ele.width() / 2 + ele.padding() : 0) + LABEL_REACH;
  const hh = (node ? ele.height() / 2 + ele.padding() : 0) + LABEL_REACH;
  return x + hw >= box.x1 && x - hw <= box.x2 && y + hh >= box.y1 && y - hh <= box.y2;
}

/** Paint `scene` with its first `shown` hop steps over Cytoscape's frame at `view` (see the module doc for the order). */
export function paintLayer(r: LayerRenderer, ctx: LayerContext, scene: LayerScene, palette: SimulationPalette, view: LayerViewport, shown: number): void {
  const stages = stagesShown(scene, shown);
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
  for (const st of stages) for (const ring of st.rings) for (const p of ring.paths) ctx.fill(p);
  for (const p of scene.bodies.paths) ctx.fill(p);
  // And where Cytoscape draws the labels of what stays bright (every label it draws at this
  // zoom that can be in view): its own text shows through. (Drawing the text again here cost
  // more than the rest of a pan's frame in WebKit.) Segment and call labels go under the calls
  // and rings drawn next; a service's label (with its own background box) over its ring, last,
  // as Cytoscape draws a label over its node's underlay.
  const [under, over] = labelHoles(r, scene, visibleModelBox(view));
  if (under) ctx.fill(under);
  ctx.globalCompositeOperation = "source-over";
  ctx.lineCap = "round";
  for (const [calls, stroke] of [...stages.map((st) => [st.attack, palette.attack] as const), [scene.onPath, palette.onPath] as const]) {
    ctx.strokeStyle = stroke.colour;
    ctx.fillStyle = stroke.colour;
    ctx.lineWidth = stroke.width;
    for (const p of calls.lines.paths) ctx.stroke(p);
    for (const p of calls.arrows.paths) ctx.fill(p);
  }
  ctx.lineCap = "butt";
  SIM_RING_ORDER.forEach((c, i) => {
    const ring: SimRing = palette.rings[c];
    ctx.globalAlpha = ring.alpha;
    ctx.fillStyle = ring.colour;
    for (const st of stages) for (const p of st.rings[i]!.paths) ctx.fill(p);
  });
  ctx.globalAlpha = 1;
  ctx.globalCompositeOperation = "destination-out";
  ctx.fillStyle = "#000";
  for (const p of scene.bodies.paths) ctx.fill(p);
  ctx.globalCompositeOperation = "source-over";
  ctx.strokeStyle = palette.compromisedBorder.colour;
  ctx.lineWidth = palette.compromisedBorder.width;
  for (const st of stages) for (const p of st.borders.paths) ctx.stroke(p);
  if (over) {
    ctx.globalCompositeOperation = "destination-out";
    ctx.fillStyle = "#000";
    ctx.fill(over);
    ctx.globalCompositeOperation = "source-over";
  }
}

/** The label boxes to cut out: of segments and calls, and of services (null where there are none). */
function labelHoles(r: LayerRenderer, scene: LayerScene, inView: { x1: number; y1: number; x2: number; y2: number }): [Path2D | null, Path2D | null] {
  let under: Path2D | null = null;
  let over: Path2D | null = null;
  for (const ele of scene.labelled) {
    const bb = ele._private.labelBounds?.main;
    // The size first: at the zoom that fits a large estate no label is drawn, and the size is
    // two style reads where `labelMayShow` asks Cytoscape for the position, size and padding.
    if (!bb || !r.eleTextBiggerThanMin(ele) || !labelMayShow(ele, inView)) continue;
    const path = ele.isNode() && !ele.isParent() ? (over ??= new Path2D()) : (under ??= new Path2D());
    path.rect(bb.x1, bb.y1, bb.x2 - bb.x1, bb.y2 - bb.y1);
  }
  return [under, over];
}

/** What the index reads of an element (Cytoscape internals). */
interface IndexedEle {
  _private: { group: string; data: { id: string; source?: string; target?: string } };
}

/**
 * The canvas's nodes by id and its calls by their ends (canvas ids), built once per graph: the
 * layer drops it when elements are added, removed or moved. Finding a breach's 2,000 calls with
 * a Cytoscape query each (`edgesTo`, a collection per call) was a third of a full-reach scene.
 */
export class CanvasIndex {
  private readonly byId = new Map<string, LayerEle>();
  private readonly calls = new Map<string, LayerEle[]>();
  /** Every element, for the warm-up. */
  readonly eles: LayerEle[];

  constructor(eles: ArrayLike<LayerEle>) {
    this.eles = Array.from(eles);
    for (const ele of this.eles) {
      const p = (ele as unknown as IndexedEle)._private;
      if (p.group === "nodes") this.byId.set(p.data.id, ele);
      else {
        const key = `${p.data.source}\u0000${p.data.target}`;
        const list = this.calls.get(key);
        if (list) list.push(ele);
        else this.calls.set(key, [ele]);
      }
    }
  }

  node(id: string): LayerEle | undefined {
    return this.byId.get(id);
  }

  /** The calls drawn from the node `source` to the node `target` (canvas ids). */
  edges(source: string, target: string): readonly LayerEle[] {
    return this.calls.get(`${source}\u0000${target}`) ?? NONE;
  }
}

const NONE: readonly LayerEle[] = [];

/** A node's calls (Cytoscape internals); absent on an edge. */
interface MovedEle {
  _private: { edges?: readonly LayerEle[] };
}

/**
 * How long the canvas must stay unchanged before the layer builds records in the background,
 * and one slice of that work (ms). Short: the records must be there for a click that follows a
 * filter or a selection at once; a drag (a change every frame) still holds it off, and a slice
 * delays a frame by no more than one slice.
 */
const WARM_DELAY = 50;
const WARM_SLICE = 8;

/**
 * How many looks the layer rehearses a click on, how many services each has at most, and how
 * long a run waits for the canvas to be quiet (ms; see `SimulationLayer.rehearse`): about as many
 * runs of each loop as two full-reach clicks on 2,000 services (where the second click ran warm),
 * in tasks of 10–25 ms.
 */
const REHEARSALS = 8;
const REHEARSAL_ENTRIES = 384;
const REHEARSAL_PATIENCE = 200;

const NOTHING: PaintedSimulation = { veil: false, nodes: {}, edges: {}, segments: 0 };

interface Hooks {
  onUpdateEleCalcs(fn: (willDraw: boolean, eles: ArrayLike<unknown> | null) => void): void;
}

/**
 * The layer's canvas over Cytoscape's, in `container` (Cytoscape's). `show` gives it a
 * simulation to draw (as a function that resolves the look against the current graph through
 * its index, called again whenever Cytoscape recalculates an element), `show(null)` hides it.
 *
 * What the scenes are built from is kept per graph: the index (until elements are added,
 * removed or moved), each element's record (until it moves or its geometry changes) and the
 * segments' part (until any element changes). Once the canvas has been unchanged for
 * `WARM_DELAY` they are built in the background, in slices, so that a click, the first one
 * included, only batches them.
 */
export class SimulationLayer {
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly r: (LayerRenderer & Hooks) | undefined;
  private resolve: ((index: CanvasIndex) => LayerInput) | null = null;
  private scene: LayerScene | null = null;
  /** Kept from one look to the next; dropped with the scene when an element changes. */
  private segmentPart: SegmentPart | null = null;
  private index: CanvasIndex | null = null;
  private records = layerRecords();
  /** Elements whose geometry changed since the last recalculation (see the constructor). */
  private readonly moved = new Set<LayerEle>();
  private warm: { timer: number | null; settled: boolean; at: number } = { timer: null, settled: false, at: 0 };
  private palette: SimulationPalette;
  /** How many hop steps are shown (the animation raises it). */
  private shown = 0;
  /** The scene and step count of the last paint, for `painted`. */
  private last: { scene: LayerScene; shown: number } | null = null;
  /** What to rehearse on (see `rehearseWith`), the elements of the largest graph rehearsed on, and the next step's timer. */
  private rehearsal: { look: ((entries: number) => ((index: CanvasIndex) => LayerInput) | null) | null; size: number; timer: number | null } = { look: null, size: 0, timer: null };
  /** When Cytoscape last drew a frame (a zoom, a pan, a drag): the rehearsal waits for a quiet canvas. */
  private drawnAt = 0;

  constructor(
    private readonly cy: Core,
    container: HTMLElement,
    theme: Theme,
    /** The segments on the canvas. */
    private readonly segments: () => Iterable<LayerEle>,
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
    // What moved or changed shape (Cytoscape's `bounds` event, which every style property
    // that changes an element's geometry raises, and `position`); a node's calls with it.
    // Their records are dropped at the next recalculation below, not here: until then
    // Cytoscape's own geometry of them (an edge's points) may still be the old one. A style
    // change that leaves the geometry alone (a filter fading elements, a verdict's colour)
    // keeps the records.
    cy.on("position bounds", (e) => void this.moved.add(e.target as unknown as LayerEle));
    // The same hook Cytoscape's texture caches are invalidated by: an element's style,
    // position or geometry changed, so the scene is stale.
    this.r?.onUpdateEleCalcs((_willDraw, eles) => {
      if (!eles || !eles.length) return;
      for (const ele of this.moved) {
        this.records.nodes.delete(ele);
        this.records.edges.delete(ele);
        for (const edge of (ele as unknown as MovedEle)._private.edges ?? NONE) this.records.edges.delete(edge);
      }
      this.moved.clear();
      this.dirty();
    });
    cy.on("add remove move", () => {
      this.index = null;
      this.dirty();
    });
    // Each Cytoscape frame (a pan, a zoom, a drag) is followed by the layer's, in the same task.
    cy.on("render", () => {
      this.drawnAt = performance.now();
      this.paint();
    });
    cy.on("resize", () => this.paint());
  }

  /** The graph changed: build the scene again, segments included, and warm up again once it is quiet. */
  private dirty(): void {
    this.scene = null;
    this.segmentPart = null;
    this.warm.settled = false;
    this.warm.at = 0;
    this.warm.timer ??= window.setTimeout(() => this.warmUp(), WARM_DELAY);
  }

  /**
   * Build the index, the segments' part and every element's record (a slice per task) once no
   * element has changed for `WARM_DELAY`.
   */
  private warmUp(): void {
    const warm = this.warm;
    warm.timer = null;
    const r = this.r;
    if (!r) return;
    if (!warm.settled) {
      // Something changed since this was scheduled: wait for the canvas to be quiet.
      warm.settled = true;
      warm.timer = window.setTimeout(() => this.warmUp(), WARM_DELAY);
      return;
    }
    const deadline = performance.now() + WARM_SLICE;
    const index = this.canvasIndex();
    this.segmentPart ??= buildSegmentPart(r, this.segments());
    warm.at += warmRecords(r, this.records, this.palette, index.eles, warm.at, deadline);
    if (warm.at < index.eles.length) warm.timer = window.setTimeout(() => this.warmUp(), 0);
    else this.rehearse();
  }

  /**
   * What the layer rehearses on once the canvas is warm (see `rehearse`): `look` makes a look of
   * at most `entries` services and gives what resolves it against the canvas, as `show`'s
   * argument, or null for nothing.
   */
  rehearseWith(look: (entries: number) => ((index: CanvasIndex) => LayerInput) | null): void {
    this.rehearsal.look = look;
  }

  /**
   * Run a click's page work on looks nobody sees, so that the first real click runs warm code.
   * Measured on 2,000 services (session 13): the first click's look, resolve, batch and paint
   * took about 30 ms more than the same click's second run, JavaScriptCore's tiers and inline
   * caches being cold; the layer's records (`warmUp`) were already built for both. This does
   * what a click does for its first frame, on the canvas's own elements, `REHEARSALS` times on
   * a look of at most `REHEARSAL_ENTRIES` services (the owner's), a task each: the look, its
   * resolution against the canvas, the scene's batches of the first hop step, and their paint
   * into this canvas while it is hidden, cleared after. Small looks keep each task short, since
   * a user may be zooming or filtering meanwhile: the code warms by how often it runs, not by
   * how much each run covers. A task waits while Cytoscape draws frames (a zoom, a pan), for
   * `REHEARSAL_PATIENCE` at most, so that a long gesture delays the rehearsal but cannot starve
   * it. It runs once per graph at least twice the size of the last one rehearsed on (the code
   * stays warm for the page's life), and stops once a simulation is shown (the click runs the
   * code itself). Nothing of it is kept: no scene, no `painted`, no pixel.
   */
  private rehearse(): void {
    const r = this.r;
    const ctx = this.ctx;
    const look = this.rehearsal.look;
    if (!r || !ctx || !look || this.resolve || this.rehearsal.timer !== null) return;
    const size = this.canvasIndex().eles.length;
    if (size <= 2 * this.rehearsal.size) return;
    let runs = 0;
    let waited = 0;
    const next = () => {
      this.rehearsal.timer = null;
      if (this.resolve) {
        // A simulation is shown: its click ran the code, which is warm now.
        this.rehearsal.size = size;
        return;
      }
      if (performance.now() - this.drawnAt < WARM_DELAY && waited < REHEARSAL_PATIENCE) {
        waited += WARM_DELAY;
        this.rehearsal.timer = window.setTimeout(next, WARM_DELAY);
        return;
      }
      waited = 0;
      const scene = timed("rehearsal:scene", () => {
        const resolve = look(REHEARSAL_ENTRIES);
        if (!resolve) return null;
        const input = resolve(this.canvasIndex());
        const part = (this.segmentPart ??= buildSegmentPart(r, this.segments()));
        return buildLayerScene(r, input, this.palette, part, this.records, 1);
      });
      if (!scene) return;
      const view = this.sizeCanvas();
      timed("rehearsal:paint", () => paintLayer(r, ctx, scene, this.palette, view, 1));
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.globalCompositeOperation = "source-over";
      ctx.clearRect(0, 0, view.width, view.height);
      if (++runs === REHEARSALS) this.rehearsal.size = size;
      else this.rehearsal.timer = window.setTimeout(next, 0);
    };
    this.rehearsal.timer = window.setTimeout(next, 0);
  }

  private canvasIndex(): CanvasIndex {
    return (this.index ??= new CanvasIndex(this.cy.elements() as unknown as ArrayLike<LayerEle>));
  }

  setTheme(theme: Theme): void {
    this.palette = simulationPalette(theme);
    this.records = layerRecords();
    this.dirty();
    this.paint();
  }

  /**
   * Draw a simulation (`resolve` gives its elements on the current graph) with its first
   * `shown` hop steps, or nothing.
   */
  show(resolve: ((index: CanvasIndex) => LayerInput) | null, shown = 0): void {
    this.resolve = resolve;
    this.shown = shown;
    this.scene = null;
    this.paint(true);
  }

  /** Show the first `shown` hop steps of the simulation drawn (a repaint, nothing is built). */
  reveal(shown: number): void {
    this.shown = shown;
    this.paint();
  }

  /** What the last paint showed (see `PaintedSimulation`). */
  painted(): PaintedSimulation {
    return this.last ? paintedAt(this.last.scene, this.last.shown) : NOTHING;
  }

  /**
   * `measured`: a new look (a simulation's answer, a hop), timed as `sim:scene` (of which
   * `sim:resolve` finds its elements on the canvas and `sim:batch` batches their records) and
   * `sim:paint`.
   */
  private paint(measured = false): void {
    const ctx = this.ctx;
    const r = this.r;
    if (!this.resolve || !ctx || !r) {
      if (this.canvas.style.display !== "none") this.canvas.style.display = "none";
      this.last = null;
      return;
    }
    const view = this.sizeCanvas();
    const start = performance.now();
    if (!this.scene) {
      const resolve = this.resolve;
      const input = measured ? timed("sim:resolve", () => resolve(this.canvasIndex())) : resolve(this.canvasIndex());
      this.segmentPart ??= buildSegmentPart(r, this.segments());
      const part = this.segmentPart;
      // Only the hop steps shown now are batched; the animation's later ones when they are revealed.
      const build = () => buildLayerScene(r, input, this.palette, part, this.records, this.shown);
      this.scene = measured ? timed("sim:batch", build) : build();
      if (measured) measureSince("sim:scene", start);
    }
    const scene = this.scene;
    const shown = this.shown;
    if (measured) timed("sim:paint", () => paintLayer(r, ctx, scene, this.palette, view, shown));
    else paintLayer(r, ctx, scene, this.palette, view, shown);
    if (this.canvas.style.display === "none") this.canvas.style.display = "";
    this.last = { scene, shown };
  }

  /** Size the canvas to Cytoscape's, in device pixels; the viewport to paint at. */
  private sizeCanvas(): LayerViewport {
    const pixelRatio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.cy.width() * pixelRatio));
    const height = Math.max(1, Math.round(this.cy.height() * pixelRatio));
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    return { zoom: this.cy.zoom(), pan: this.cy.pan(), pixelRatio, width, height };
  }

  destroy(): void {
    if (this.warm.timer !== null) window.clearTimeout(this.warm.timer);
    if (this.rehearsal.timer !== null) window.clearTimeout(this.rehearsal.timer);
    this.canvas.remove();
  }
}
