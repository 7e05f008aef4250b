//! Overview drawing for large designs. Zoomed out on thousands of elements, Cytoscape's canvas
//! renderer draws element by element: each node through its own texture cache, each edge as its
//! own path, stroke and arrow, with the style looked up on every draw. In WebKitGTK's software
//! canvas that is 1–4 s per frame for 2,000 services, and every frame after a pan, a filter or a
//! simulation pays it again.
//!
//! Below `OVERVIEW_ZOOM` (a scale at which our stylesheet shows no label: every font is under its
//! `min-zoomed-font-size`) this module draws the same elements in the same order in a few batched
//! paths instead: every segment (by nesting depth, so nested fills compose as they do one by
//! one), every flow (grouped by colour, width, opacity and dash, with its arrows), every service
//! (its shape from Cytoscape's own shape functions, fill, border, badge images, underlays). What
//! each element looks like still comes from Cytoscape's computed style (`pstyle`), so classes
//! (selection, filter fading, a focused element) show exactly as the stylesheet says;
//! nothing here decides a colour. Labels are drawn through Cytoscape whenever Cytoscape itself
//! would draw them (`drawElementText` checks the minimum size). Picking, dragging and box
//! selection stay Cytoscape's.

import type { Core } from "cytoscape";
import { PAINT_STYLE_EVENT } from "./classstyle";
import { timed } from "../perf";

/** The largest zoom at which a large design is drawn by `drawOverview`. */
export const OVERVIEW_ZOOM = 0.25;

interface Style {
  value: unknown;
  pfValue: number;
  strValue: string;
}

interface Rscratch {
  badLine?: boolean;
  allpts?: number[];
  edgeType?: string;
  midX?: number;
  midY?: number;
  midtgtArrowAngle?: number;
  midsrcArrowAngle?: number;
  arrowStartX?: number;
  arrowStartY?: number;
  srcArrowAngle?: number;
  arrowEndX?: number;
  arrowEndY?: number;
  tgtArrowAngle?: number;
}

/** What the overview reads of a Cytoscape element (internal API, so typed here). */
export interface OverviewEle {
  isNode(): boolean;
  isParent(): boolean;
  visible(): boolean;
  pstyle(name: string): Style;
  position(): { x: number; y: number };
  width(): number;
  height(): number;
  padding(): number;
  effectiveOpacity(): number;
  _private: { rscratch: Rscratch; parent?: OverviewEle | null };
}

export type Sink = Pick<Path2D, "moveTo" | "lineTo" | "closePath">;
interface Shape {
  draw(path: Sink, x: number, y: number, w: number, h: number, radius?: unknown, rs?: Rscratch): void;
}

/** The renderer functions the overview uses and replaces (internal API). */
export interface OverviewRenderer {
  cy: Core;
  nodeShapes: Record<string, Shape>;
  arrowShapes: Record<string, { draw(path: Sink, size: number, angle: number, at: { x: number; y: number }, edgeWidth: number): void }>;
  getNodeShape(node: OverviewEle): string;
  getArrowWidth(edgeWidth: number, scale: number): number;
  getCachedImage(url: string, crossOrigin: string, onLoad: () => void): HTMLImageElement;
  drawInscribedImage(ctx: CanvasRenderingContext2D, img: HTMLImageElement, node: OverviewEle, index: number, opacity: number): void;
  drawElementText(ctx: CanvasRenderingContext2D, ele: OverviewEle): void;
  /** Cytoscape's own test of a label against its `min-zoomed-font-size` at the current zoom. */
  eleTextBiggerThanMin(ele: OverviewEle): boolean;
  drawLayeredElements(ctx: CanvasRenderingContext2D, eles: OverviewEle[], pxRatio: number, extent: unknown): void;
  drawCachedNodes(ctx: CanvasRenderingContext2D, eles: OverviewEle[], pxRatio: number, extent: unknown): void;
}

/** How a part of an element is painted: fill (`width` 0) or stroke, colour, alpha, dash. */
interface Paint {
  key: string;
  colour: string;
  alpha: number;
  width: number;
  dash: number[] | null;
}

function paintOf(colour: string, alpha: number, width: number, dash: number[] | null): Paint {
  return { key: `${colour}|${alpha}|${width}|${dash ? dash.join(",") : ""}`, colour, alpha, width, dash };
}

/** Where a part goes in the painting order. */
type Slot = "under" | "fill" | "border" | "over" | "line" | "arrow";

/** One piece of an element (its fill, its border, its line, an arrow…) in model coordinates. */
interface Part {
  slot: Slot;
  paint: Paint;
  path: Path2D;
  /**
   * Its alpha before the element's opacity (with what its segments pass down) is applied; null
   * for what that opacity does not dim (underlays and overlays, as Cytoscape draws them).
   */
  base: number | null;
}

/**
 * What one element contributes to the overview; kept until Cytoscape recalculates the element.
 * Its opacity is not part of that: a filter's fade changes only it (`PAINT_STYLE_EVENT`), and
 * the parts are then painted again at the new opacity without being shaped again.
 */
interface EleRecord {
  /** The element's opacity times its segments' when its paints were made. */
  opacity: number;
  parts: Part[];
  /** This record at each opacity it was painted at (shared by all of them). */
  versions: Map<number, EleRecord>;
  /** A segment's box when it was shaped: its size follows its members, which Cytoscape does not name. */
  box?: NodeBox;
  image: boolean;
  labelled: boolean;
}

/**
 * Paths batched by paint. Shapes go into paths of at most `CHUNK` shapes each: closing or adding
 * a subpath costs time in proportion to the path's length in Chromium (Skia), so one path of
 * thousands of shapes would be quadratic.
 */
class Batches {
  private map = new Map<string, { paint: Paint; paths: Path2D[]; count: number }>();

  add(paint: Paint, path: Path2D): void {
    let b = this.map.get(paint.key);
    if (!b) this.map.set(paint.key, (b = { paint, paths: [new Path2D()], count: 0 }));
    if (b.count === CHUNK) {
      b.paths.push(new Path2D());
      b.count = 0;
    }
    b.count++;
    b.paths[b.paths.length - 1]!.addPath(path);
  }

  paint(ctx: CanvasRenderingContext2D): void {
    for (const { paint, paths } of this.map.values()) {
      ctx.globalAlpha = paint.alpha;
      if (paint.width > 0) {
        ctx.strokeStyle = paint.colour;
        ctx.lineWidth = paint.width;
        ctx.setLineDash(paint.dash ?? []);
        for (const path of paths) ctx.stroke(path);
      } else {
        ctx.fillStyle = paint.colour;
        for (const path of paths) ctx.fill(path);
      }
    }
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
  }
}

const CHUNK = 64;

const rgb = (s: Style): string => {
  const v = s.value as number[];
  return `rgb(${v[0]},${v[1]},${v[2]})`;
};

/** What `Visibility` reads of an element (Cytoscape's internal API, so typed here). */
export interface VisibleEle {
  isNode(): boolean;
  pstyle(name: string): { value: unknown; pfValue: number };
  width(): number;
  height(): number;
  _private: { parent?: VisibleEle | null; source?: VisibleEle; target?: VisibleEle };
}

/**
 * Cytoscape 3.35's `visible()`, its derived-state rules restated, with each segment's answer
 * worked out once. Cytoscape's walks the ancestors of every node, and of both ends of every
 * flow, through a new collection each time it is first asked (then caches it per element until
 * a style change): on a just-opened design every element is asked once, in its first frame. A
 * node is visible when it and every ancestor is (visibility `visible`, opacity not 0, taking up
 * space: display `element`, width and height not 0); an edge when it is, and each end and every
 * ancestor of each end takes up space. One instance per frame: styles may change between frames.
 */
export class Visibility {
  private nodes = new Map<VisibleEle, boolean>();
  private spaces = new Map<VisibleEle, boolean>();

  visible(ele: VisibleEle): boolean {
    if (ele.isNode()) return this.node(ele);
    if (!seen(ele)) return false;
    const { source, target } = ele._private;
    return !!source && !!target && this.space(source) && (source === target || this.space(target));
  }

  /** A node visible with every ancestor. */
  private node(n: VisibleEle): boolean {
    return this.upwards(this.nodes, n, seen);
  }

  /** A node taking up space with every ancestor. */
  private space(n: VisibleEle): boolean {
    return this.upwards(this.spaces, n, takesUpSpace);
  }

  /** `test` holds for `n` and every ancestor; each answer kept in `memo`. */
  private upwards(memo: Map<VisibleEle, boolean>, n: VisibleEle, test: (ele: VisibleEle) => boolean): boolean {
    let v = memo.get(n);
    if (v === undefined) {
      const parent = n._private.parent;
      v = test(n) && (!parent || this.upwards(memo, parent, test));
      memo.set(n, v);
    }
    return v;
  }
}

/** Cytoscape's `eleTakesUpSpace`: display `element` and a size. */
function takesUpSpace(ele: VisibleEle): boolean {
  return ele.pstyle("display").value === "element" && ele.width() !== 0 && (ele.isNode() ? ele.height() !== 0 : true);
}

/** Cytoscape's `eleVisible`: the element itself, ancestors aside. */
function seen(ele: VisibleEle): boolean {
  return ele.pstyle("visibility").value === "visible" && ele.pstyle("opacity").pfValue !== 0 && takesUpSpace(ele);
}

/** The product of the ancestors' opacities (1 for an element outside any segment). */
function inheritedOpacity(ele: OverviewEle): number {
  let o = 1;
  for (let p = ele._private.parent, d = 0; p && d < 64; p = p._private.parent, d++) o *= p.pstyle("opacity").value as number;
  return o;
}

/** `effectiveOpacity()` without building a collection of the ancestors for every node. */
function opacityOf(ele: OverviewEle): number {
  return (ele.pstyle("opacity").value as number) * inheritedOpacity(ele);
}

function depth(ele: OverviewEle): number {
  let d = 0;
  for (let p = ele._private.parent; p && d < 64; p = p._private.parent) d++;
  return d;
}

function part(parts: Part[], slot: Slot, paint: Paint, base: number | null = null): Path2D {
  const path = new Path2D();
  parts.push({ slot, paint, path, base });
  return path;
}

/**
 * `rec` painted at `opacity` (the same shapes). The versions of a record are kept together, so a
 * filter set and cleared again finds the record it had.
 */
function withOpacity(rec: EleRecord, opacity: number): EleRecord {
  let version = rec.versions.get(opacity);
  if (!version) {
    const parts = rec.parts.map((p) => (p.base === null ? p : { ...p, paint: paintOf(p.paint.colour, p.base * opacity, p.paint.width, p.paint.dash) }));
    version = { ...rec, opacity, parts };
    rec.versions.set(opacity, version);
  }
  return version;
}

/** A node's shape added to `path`, at the size Cytoscape draws it (plus `pad` each side). */
export function shapeInto(r: Pick<OverviewRenderer, "nodeShapes">, path: Path2D, node: OverviewEle, shape: string, radius: unknown, pad: number): void {
  shapeAt(r, path, shape, boxOf(node), radius, pad, node._private.rscratch);
}

/** Where a node is drawn: its centre and its size with its padding (model coordinates). */
export interface NodeBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function boxOf(node: OverviewEle): NodeBox {
  const p = node.position();
  const pad = node.padding();
  return { x: p.x, y: p.y, w: node.width() + 2 * pad, h: node.height() + 2 * pad };
}

/** `shapeInto` for a node whose box is already known (plus `pad` each side). */
export function shapeAt(r: Pick<OverviewRenderer, "nodeShapes">, path: Path2D, shape: string, box: NodeBox, radius: unknown, pad: number, rs?: Rscratch): void {
  const w = box.w + 2 * pad;
  const h = box.h + 2 * pad;
  // Each shape starts a subpath of its own: an ellipse would otherwise join the previous one.
  path.moveTo(box.x + w / 2, box.y);
  // Cytoscape's shape functions close their own subpaths.
  (r.nodeShapes[shape] ?? r.nodeShapes["rectangle"]!).draw(path, box.x, box.y, w, h, radius, rs);
}

/** Underlay or overlay (a focused element's glow, the active/selected overlays). */
function layer(r: OverviewRenderer, parts: Part[], node: OverviewEle, prefix: "underlay" | "overlay"): void {
  const opacity = node.pstyle(`${prefix}-opacity`).value as number;
  if (!(opacity > 0)) return;
  const shape = node.pstyle(`${prefix}-shape`).strValue;
  const path = part(parts, prefix === "underlay" ? "under" : "over", paintOf(rgb(node.pstyle(`${prefix}-color`)), opacity, 0, null));
  shapeInto(r, path, node, shape === "roundrectangle" ? "round-rectangle" : shape, node.pstyle(`${prefix}-corner-radius`).value, node.pstyle(`${prefix}-padding`).pfValue);
}

function body(r: OverviewRenderer, parts: Part[], node: OverviewEle, opacity: number): void {
  const shape = r.getNodeShape(node);
  const radius = node.pstyle("corner-radius").value === "auto" ? "auto" : node.pstyle("corner-radius").pfValue;
  const bgBase = node.pstyle("background-opacity").value as number;
  if (bgBase * opacity > 0) shapeInto(r, part(parts, "fill", paintOf(rgb(node.pstyle("background-color")), bgBase * opacity, 0, null), bgBase), node, shape, radius, 0);
  const bw = node.pstyle("border-width").pfValue;
  const boBase = node.pstyle("border-opacity").value as number;
  if (bw > 0 && boBase * opacity > 0) {
    const style = node.pstyle("border-style").value;
    const dash = style === "dashed" ? (node.pstyle("border-dash-pattern").pfValue as unknown as number[]) : style === "dotted" ? [1, 2] : null;
    shapeInto(r, part(parts, "border", paintOf(rgb(node.pstyle("border-color")), boBase * opacity, bw, dash), boBase), node, shape, radius, 0);
  }
}

/** An edge's line as Cytoscape computed it (`rscratch`), added to `path`. */
export function edgeLine(path: Path2D, rs: Rscratch): void {
  const pts = rs.allpts!;
  path.moveTo(pts[0]!, pts[1]!);
  if (pts.length === 4 || rs.edgeType === "haystack" || rs.edgeType === "straight" || rs.edgeType === "segments") {
    for (let i = 2; i + 1 < pts.length; i += 2) path.lineTo(pts[i]!, pts[i + 1]!);
  } else {
    for (let i = 2; i + 3 < pts.length; i += 4) path.quadraticCurveTo(pts[i]!, pts[i + 1]!, pts[i + 2]!, pts[i + 3]!);
  }
}

const ARROWS: [prefix: string, x: keyof Rscratch, y: keyof Rscratch, angle: keyof Rscratch, haystack: boolean][] = [
  ["source", "arrowStartX", "arrowStartY", "srcArrowAngle", false],
  ["mid-target", "midX", "midY", "midtgtArrowAngle", true],
  ["mid-source", "midX", "midY", "midsrcArrowAngle", true],
  ["target", "arrowEndX", "arrowEndY", "tgtArrowAngle", false],
];

function edge(r: OverviewRenderer, parts: Part[], e: OverviewEle, eleOpacity: number): void {
  const rs = e._private.rscratch;
  if (rs.badLine || !rs.allpts || rs.allpts.length < 4 || Number.isNaN(rs.allpts[0])) return;
  const base = e.pstyle("line-opacity").value as number;
  const opacity = eleOpacity * base;
  if (!(opacity > 0)) return;
  const width = e.pstyle("width").pfValue;
  const style = e.pstyle("line-style").value;
  const dash = style === "dashed" ? (e.pstyle("line-dash-pattern").pfValue as unknown as number[]) : style === "dotted" ? [1, 2] : null;
  edgeLine(part(parts, "line", paintOf(rgb(e.pstyle("line-color")), opacity, width, dash), base), rs);
  edgeArrows(r, e, width, (prefix) => part(parts, "arrow", paintOf(rgb(e.pstyle(`${prefix}-arrow-color`)), opacity, 0, null), base));
}

/**
 * The arrows Cytoscape draws on the edge `e` (a haystack line only has its middle ones), sized
 * for a line of `width`, each added to the path `into` gives for its prefix (`target`,
 * `mid-target`…) as a closed subpath in model coordinates.
 */
export function edgeArrows(r: Pick<OverviewRenderer, "arrowShapes" | "getArrowWidth">, e: OverviewEle, width: number, into: (prefix: string) => Sink): void {
  const rs = e._private.rscratch;
  const haystack = rs.edgeType === "haystack";
  for (const [prefix, kx, ky, ka, onHaystack] of ARROWS) {
    if (haystack && !onHaystack) continue;
    const shape = e.pstyle(`${prefix}-arrow-shape`).value as string;
    if (shape === "none") continue;
    const x = rs[kx] as number | undefined;
    const y = rs[ky] as number | undefined;
    const angle = rs[ka] as number | undefined;
    if (x == null || y == null || angle == null || Number.isNaN(x) || Number.isNaN(y) || Number.isNaN(angle)) continue;
    const impl = r.arrowShapes[shape];
    if (!impl) continue;
    const size = r.getArrowWidth(width, e.pstyle("arrow-scale").value as number);
    const path = into(prefix);
    path.moveTo(x, y);
    impl.draw(path, size, angle, { x, y }, width);
    path.closePath();
  }
}

/** What `ele` contributes at `opacity` (`opacityOf`): its parts in model coordinates, whether it has a badge or a label. */
function recordOf(r: OverviewRenderer, ele: OverviewEle, opacity: number): EleRecord {
  const parts: Part[] = [];
  let image = false;
  if (!ele.isNode()) edge(r, parts, ele, opacity);
  else {
    layer(r, parts, ele, "underlay");
    body(r, parts, ele, opacity);
    layer(r, parts, ele, "overlay");
    const bg = ele.pstyle("background-image").value as string[];
    image = !ele.isParent() && bg.length > 0 && bg.some((u) => !!u && u !== "none");
  }
  const label = ele.pstyle("label");
  const rec: EleRecord = { opacity, parts, image, labelled: !!(label && label.strValue), versions: new Map() };
  rec.versions.set(opacity, rec);
  return rec;
}

/**
 * Services and flows are batched in runs of this many, in drawing order: a change (a selection,
 * a restyled service) builds again only the batches of the runs holding what changed, not the
 * thousands of paths of the rest.
 */
const RUN = 512;

/** The batches of one run of services and flows, with the records they were built from. */
interface Run {
  eles: OverviewEle[];
  recs: EleRecord[];
  lines: Batches;
  arrows: Batches;
  under: Batches;
  fills: Batches;
  borders: Batches;
  over: Batches;
}

/** Everything one overview frame paints, in model coordinates: reused until an element changes. */
export interface Scene {
  segments: { under: Batches; fill: Batches; border: Batches }[];
  /** Segment overlays (painted with the services' overlays). */
  segmentsOver: Batches;
  /** The segments' records and depths in drawing order: while they are the same, so are the batches above. */
  segmentRecs: { rec: EleRecord; depth: number }[];
  runs: Run[];
  images: OverviewEle[];
  labelled: OverviewEle[];
}

/** The slots of a run, in painting order (overlays are painted after the badges). */
const RUN_SLOTS = ["lines", "arrows", "under", "fills", "borders"] as const;

function runOf(eles: OverviewEle[], recs: EleRecord[]): Run {
  const run: Run = { eles, recs, lines: new Batches(), arrows: new Batches(), under: new Batches(), fills: new Batches(), borders: new Batches(), over: new Batches() };
  for (const rec of recs) {
    for (const p of rec.parts) {
      const into = p.slot === "line" ? run.lines : p.slot === "arrow" ? run.arrows : p.slot === "under" ? run.under : p.slot === "fill" ? run.fills : p.slot === "border" ? run.borders : run.over;
      into.add(p.paint, p.path);
    }
  }
  return run;
}

/** The same members with the same records: its batches are still what they would be built as. */
function sameRun(run: Run | undefined, eles: readonly OverviewEle[], recs: readonly EleRecord[]): run is Run {
  if (!run || run.eles.length !== eles.length) return false;
  for (let i = 0; i < eles.length; i++) if (run.eles[i] !== eles[i] || run.recs[i] !== recs[i]) return false;
  return true;
}

/**
 * Batch `eles` (Cytoscape's z-sorted list); `withEdges: false` leaves the flows out. Services and
 * flows found in `records` are not looked at again (the caller drops the records of what
 * Cytoscape recalculates), nor are segments whose box is the one they were shaped with (their
 * size follows their members, which Cytoscape does not name as changed). The runs of
 * `previous` (the last scene of the same list) whose members and records are unchanged are
 * reused as they are, and so are its segment batches when every segment's record is.
 */
export function buildScene(r: OverviewRenderer, eles: readonly OverviewEle[], withEdges: boolean, records: WeakMap<OverviewEle, EleRecord> = new WeakMap(), previous: Scene | null = null): Scene {
  const scene: Scene = { segments: [], segmentsOver: new Batches(), segmentRecs: [], runs: [], images: [], labelled: [] };
  let runEles: OverviewEle[] = [];
  let runRecs: EleRecord[] = [];
  const flush = () => {
    if (!runEles.length) return;
    const old = previous?.runs[scene.runs.length];
    scene.runs.push(sameRun(old, runEles, runRecs) ? old : runOf(runEles, runRecs));
    runEles = [];
    runRecs = [];
  };
  const visibility = new Visibility();
  for (const ele of eles) {
    if (!visibility.visible(ele)) continue;
    const node = ele.isNode();
    if (!node && !withEdges) continue;
    const parent = node && ele.isParent();
    const opacity = opacityOf(ele);
    const box = parent ? boxOf(ele) : undefined;
    let rec = records.get(ele);
    if (!rec || (box && !sameBox(rec.box, box))) {
      rec = recordOf(r, ele, opacity);
      rec.box = box;
      records.set(ele, rec);
    } else if (rec.opacity !== opacity) {
      // Faded, or its segments' opacity changed: the same shapes at the new opacity.
      rec = withOpacity(rec, opacity);
      records.set(ele, rec);
    }
    if (parent) {
      scene.segmentRecs.push({ rec, depth: depth(ele) });
    } else {
      runEles.push(ele);
      runRecs.push(rec);
      if (runEles.length === RUN) flush();
      if (rec.image) scene.images.push(ele);
    }
    if (rec.labelled) scene.labelled.push(ele);
  }
  flush();
  if (previous && sameSegments(previous.segmentRecs, scene.segmentRecs)) {
    scene.segments = previous.segments;
    scene.segmentsOver = previous.segmentsOver;
  } else {
    for (const { rec, depth: d } of scene.segmentRecs) {
      // Segments by depth: a nested segment's fill goes over its parent's, as drawn one by one.
      while (scene.segments.length <= d) scene.segments.push({ under: new Batches(), fill: new Batches(), border: new Batches() });
      const seg = scene.segments[d]!;
      for (const p of rec.parts) (p.slot === "over" ? scene.segmentsOver : seg[p.slot as "under" | "fill" | "border"]).add(p.paint, p.path);
    }
  }
  return scene;
}

function sameBox(a: NodeBox | undefined, b: NodeBox): boolean {
  return !!a && a.x === b.x && a.y === b.y && a.w === b.w && a.h === b.h;
}

function sameSegments(a: readonly { rec: EleRecord; depth: number }[], b: readonly { rec: EleRecord; depth: number }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.rec !== b[i]!.rec || a[i]!.depth !== b[i]!.depth) return false;
  return true;
}

/** Paint `scene` on `ctx`, which Cytoscape has already transformed to model coordinates. */
export function paintScene(r: OverviewRenderer, ctx: CanvasRenderingContext2D, scene: Scene): void {
  for (const s of scene.segments) {
    s.under.paint(ctx);
    s.fill.paint(ctx);
    s.border.paint(ctx);
  }
  // Each slot over all runs before the next: every flow under every service, as before.
  for (const slot of RUN_SLOTS) for (const run of scene.runs) run[slot].paint(ctx);
  for (const node of scene.images) badge(r, ctx, node);
  scene.segmentsOver.paint(ctx);
  for (const run of scene.runs) run.over.paint(ctx);
  // Cytoscape's own label drawing, for every label at or over its minimum readable size.
  for (const ele of scene.labelled) {
    if (!r.eleTextBiggerThanMin(ele)) continue;
    ctx.save();
    r.drawElementText(ctx, ele);
    ctx.restore();
  }
}

function badge(r: OverviewRenderer, ctx: CanvasRenderingContext2D, node: OverviewEle): void {
  const urls = node.pstyle("background-image").value as string[];
  const opacity = opacityOf(node);
  urls.forEach((url, i) => {
    if (!url || url === "none") return;
    // Cached by Cytoscape (the same image its own drawing uses); loaded once, then redrawn.
    const img = r.getCachedImage(url, "anonymous", () => r.cy.forceRender());
    if (!img.complete || !img.naturalWidth) return;
    ctx.save();
    r.drawInscribedImage(ctx, img, node, i, opacity);
    ctx.restore();
  });
}

/**
 * Route the renderer's element drawing through the overview while `active()` says the design is
 * large and the zoom is at or below `OVERVIEW_ZOOM`; otherwise Cytoscape draws as before. The
 * batches are kept between frames (a pan or zoom only repaints them); when Cytoscape
 * recalculates an element (style, position, data) the segments and the runs holding what it
 * recalculated are built again, and everything when it sorts them again (elements added or
 * removed).
 */
export function installOverview(cy: Core, active: () => boolean): void {
  const r = (cy as unknown as { renderer(): (OverviewRenderer & InvalidationHooks) | undefined }).renderer?.();
  if (!r || typeof r.drawLayeredElements !== "function" || !r.nodeShapes || !r.arrowShapes || typeof r.onUpdateEleCalcs !== "function") return;
  const layered = r.drawLayeredElements;
  const nodesOnly = r.drawCachedNodes;
  // `scene` is dropped when an element changes; `last` (the scene last built) is kept, so the
  // next build reuses its runs that hold nothing that changed.
  const cache: { eles: readonly OverviewEle[] | null; withEdges: boolean; scene: Scene | null; last: Scene | null; records: WeakMap<OverviewEle, EleRecord> } = { eles: null, withEdges: true, scene: null, last: null, records: new WeakMap() };
  const invalidate = () => void (cache.scene = null);
  // The hook Cytoscape's own element texture cache is invalidated by: the elements whose style,
  // position or geometry were recalculated (a moved node brings its edges along). What a member
  // inherits from its segments (opacity) is checked at each build instead: a segment's bounds
  // change whenever a member's size does, and that must not drop every record.
  r.onUpdateEleCalcs((_willDraw, eles) => {
    if (!eles || !eles.length) return;
    invalidate();
    const list = eles as ArrayLike<OverviewEle>;
    for (let i = 0; i < list.length; i++) cache.records.delete(list[i]!);
  });
  const zsorted = r.invalidateCachedZSortedEles;
  r.invalidateCachedZSortedEles = function invalidateOverviewToo(this: unknown, ...args: unknown[]) {
    invalidate();
    return zsorted.apply(this, args);
  };
  cy.on("add remove style background", invalidate);
  // Only painted properties changed (a filter's fade, ./classstyle.ts): the records stay, and
  // the next build paints them again at their new opacity.
  cy.on(PAINT_STYLE_EVENT, invalidate);
  const draw = (ctx: CanvasRenderingContext2D, eles: readonly OverviewEle[], withEdges: boolean) => {
    if (!cache.scene || cache.eles !== eles || cache.withEdges !== withEdges) {
      const previous = cache.eles === eles && cache.withEdges === withEdges ? cache.last : null;
      cache.scene = cache.last = timed("overview:scene", () => buildScene(r, eles, withEdges, cache.records, previous));
      cache.eles = eles;
      cache.withEdges = withEdges;
    }
    paintScene(r, ctx, cache.scene);
  };
  const use = () => active() && cy.zoom() <= OVERVIEW_ZOOM;
  r.drawLayeredElements = function overviewOrLayered(ctx, eles, pxRatio, extent) {
    if (use()) return draw(ctx, eles, true);
    return layered.call(this, ctx, eles, pxRatio, extent);
  };
  r.drawCachedNodes = function overviewOrNodes(ctx, eles, pxRatio, extent) {
    if (use()) return draw(ctx, eles, false);
    return nodesOnly.call(this, ctx, eles, pxRatio, extent);
  };
}

interface InvalidationHooks {
  onUpdateEleCalcs(fn: (willDraw: boolean, eles: ArrayLike<unknown> | null) => void): void;
  invalidateCachedZSortedEles(...args: unknown[]): unknown;
}
