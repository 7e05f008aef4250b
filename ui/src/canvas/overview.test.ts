import { beforeAll, describe, expect, it } from "vitest";
import { FakePath, installFakePath } from "../fixtures/path";
import cytoscape from "cytoscape";
import { buildScene, paintScene, Visibility, type OverviewEle, type OverviewRenderer, type VisibleEle } from "./overview";

beforeAll(installFakePath);

type Styles = Record<string, unknown>;
const DEFAULTS: Styles = {
  opacity: 1,
  "line-opacity": 1,
  "background-opacity": 1,
  "background-color": [140, 149, 159],
  "background-image": ["none"],
  "border-width": 0,
  "border-opacity": 1,
  "border-style": "solid",
  "border-color": [255, 255, 255],
  "corner-radius": "auto",
  "underlay-opacity": 0,
  "overlay-opacity": 0,
  label: "",
  width: 2,
  "line-color": [140, 149, 159],
  "line-style": "solid",
  "arrow-scale": 1,
  "source-arrow-shape": "none",
  "target-arrow-shape": "none",
  "mid-source-arrow-shape": "none",
  "mid-target-arrow-shape": "none",
  "mid-target-arrow-color": [140, 149, 159],
  display: "element",
  visibility: "visible",
};

/** Where the fake flows start and end: a visible node outside any segment. */
let endpoint: OverviewEle | null = null;

function ele(kind: "node" | "edge", opts: { styles?: Styles; parent?: OverviewEle; pos?: [number, number]; parentOf?: boolean; visible?: boolean; allpts?: number[] } = {}): OverviewEle {
  // Read at each call, so a test can change a style between two builds.
  // `visible: false` is Cytoscape's `visibility: hidden` (what the overview asks, as Cytoscape's `visible()` does).
  const styleOf = (name: string) => (name === "visibility" && opts.visible === false ? "hidden" : opts.styles && name in opts.styles ? opts.styles[name] : DEFAULTS[name]);
  const [x, y] = opts.pos ?? [0, 0];
  return {
    isNode: () => kind === "node",
    isParent: () => !!opts.parentOf,
    visible: () => opts.visible ?? true,
    pstyle: (name: string) => {
      const v = styleOf(name);
      return { value: v, pfValue: v as number, strValue: String(v ?? "") };
    },
    position: () => ({ x, y }),
    width: () => 40,
    height: () => 40,
    padding: () => 0,
    effectiveOpacity: () => 1,
    _private: {
      parent: opts.parent ?? null,
      ...(kind === "edge" ? { source: (endpoint ??= ele("node")), target: endpoint } : {}),
      rscratch: opts.allpts ? { allpts: opts.allpts, edgeType: "haystack", midX: (opts.allpts[0]! + opts.allpts[2]!) / 2, midY: (opts.allpts[1]! + opts.allpts[3]!) / 2, midtgtArrowAngle: 0 } : {},
    },
  };
}

/** Closed shapes in a path, or for open ones (flows) their subpaths. */
const shapesIn = (path: FakePath) => path.ops.filter((o) => o === "Z").length || path.ops.filter((o) => o.startsWith("M")).length;

/** A renderer whose shapes are squares, and a context that records each paint. */
function fakes(labelsReadable = false) {
  const painted: { op: "fill" | "stroke"; style: string; alpha: number; width: number; dash: number[]; shapes: number }[] = [];
  const labels: OverviewEle[] = [];
  const square = {
    draw(path: FakePath, x: number, y: number, w: number, h: number) {
      path.moveTo(x - w / 2, y - h / 2);
      path.lineTo(x + w / 2, y + h / 2);
      path.closePath();
    },
  };
  const r = {
    nodeShapes: { "round-rectangle": square, rectangle: square, ellipse: square },
    arrowShapes: { triangle: { draw: (path: FakePath, _s: number, _a: number, at: { x: number; y: number }) => path.lineTo(at.x, at.y) } },
    getNodeShape: () => "round-rectangle",
    getArrowWidth: (w: number, scale: number) => w * 10 * scale,
    getCachedImage: () => ({ complete: false }) as HTMLImageElement,
    drawInscribedImage: () => undefined,
    eleTextBiggerThanMin: () => labelsReadable,
    drawElementText: (_ctx: unknown, e: OverviewEle) => void labels.push(e),
  } as unknown as OverviewRenderer;
  let dash: number[] = [];
  const ctx: { globalAlpha: number; fillStyle: string; strokeStyle: string; lineWidth: number; [k: string]: unknown } = {
    globalAlpha: 1,
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    setLineDash(d: number[]) {
      dash = d;
    },
    fill(path: FakePath) {
      painted.push({ op: "fill", style: this.fillStyle, alpha: this.globalAlpha, width: 0, dash, shapes: shapesIn(path) });
    },
    stroke(path: FakePath) {
      painted.push({ op: "stroke", style: this.strokeStyle, alpha: this.globalAlpha, width: this.lineWidth, dash, shapes: shapesIn(path) });
    },
    save() {},
    restore() {},
  };
  return { r, ctx: ctx as unknown as CanvasRenderingContext2D, painted, labels };
}

describe("overview drawing", () => {
  it("paints every visible service, segment and flow, each with its computed colour", () => {
    const seg = ele("node", { parentOf: true, styles: { "background-color": [221, 244, 255], "background-opacity": 0.7, "border-width": 2, "border-color": [110, 119, 129] } });
    const a = ele("node", { parent: seg, pos: [0, 0], styles: { "background-color": [207, 34, 46] } });
    const b = ele("node", { parent: seg, pos: [100, 0], styles: { "background-color": [9, 105, 218] } });
    const hidden = ele("node", { visible: false, styles: { "background-color": [1, 2, 3] } });
    const allow = ele("edge", { allpts: [0, 0, 100, 0], styles: { "line-color": [26, 127, 55], "mid-target-arrow-shape": "triangle", "mid-target-arrow-color": [26, 127, 55] } });
    const deny = ele("edge", { allpts: [100, 0, 0, 0], styles: { "line-color": [207, 34, 46] } });
    const { r, ctx, painted } = fakes();
    paintScene(r, ctx, buildScene(r, [seg, a, b, hidden, allow, deny], true));
    expect(painted).toEqual([
      { op: "fill", style: "rgb(221,244,255)", alpha: 0.7, width: 0, dash: [], shapes: 1 },
      { op: "stroke", style: "rgb(110,119,129)", alpha: 1, width: 2, dash: [], shapes: 1 },
      { op: "stroke", style: "rgb(26,127,55)", alpha: 1, width: 2, dash: [], shapes: 1 },
      { op: "stroke", style: "rgb(207,34,46)", alpha: 1, width: 2, dash: [], shapes: 1 },
      { op: "fill", style: "rgb(26,127,55)", alpha: 1, width: 0, dash: [], shapes: 1 },
      { op: "fill", style: "rgb(207,34,46)", alpha: 1, width: 0, dash: [], shapes: 1 },
      { op: "fill", style: "rgb(9,105,218)", alpha: 1, width: 0, dash: [], shapes: 1 },
    ]);
  });

  it("nested segments are painted after their parents; opacity multiplies down the nesting", () => {
    const outer = ele("node", { parentOf: true, styles: { "background-color": [1, 1, 1], opacity: 0.5 } });
    const inner = ele("node", { parentOf: true, parent: outer, styles: { "background-color": [2, 2, 2] } });
    const svc = ele("node", { parent: inner, styles: { "background-color": [3, 3, 3] } });
    const { r, ctx, painted } = fakes();
    // Listed children first: the order of the paint still follows the nesting.
    paintScene(r, ctx, buildScene(r, [svc, inner, outer], true));
    expect(painted.map((p) => [p.style, p.alpha])).toEqual([
      ["rgb(1,1,1)", 0.5],
      ["rgb(2,2,2)", 0.5],
      ["rgb(3,3,3)", 0.5],
    ]);
  });

  it("dimmed and dashed flows are batched apart from the rest", () => {
    const edges = [
      ele("edge", { allpts: [0, 0, 1, 1] }),
      ele("edge", { allpts: [0, 0, 2, 2], styles: { opacity: 0.3 } }),
      ele("edge", { allpts: [0, 0, 3, 3], styles: { "line-style": "dashed", "line-dash-pattern": [7, 4] } }),
      ele("edge", { allpts: [0, 0, 4, 4] }),
      ele("edge", { allpts: [0, 0, 5, 5] }),
    ];
    const { r, ctx, painted } = fakes();
    paintScene(r, ctx, buildScene(r, edges, true));
    expect(painted.map((p) => [p.alpha, p.dash, p.shapes])).toEqual([
      [1, [], 3],
      [0.3, [], 1],
      [1, [7, 4], 1],
    ]);
  });

  it("without edges (the viewport is moving) only nodes are painted", () => {
    const { r, ctx, painted } = fakes();
    paintScene(r, ctx, buildScene(r, [ele("node"), ele("edge", { allpts: [0, 0, 1, 1] })], false));
    expect(painted.map((p) => p.op)).toEqual(["fill"]);
  });

  it("a thousand services of one colour are filled in paths of at most 64 shapes", () => {
    const nodes = Array.from({ length: 1000 }, (_, i) => ele("node", { pos: [i, 0] }));
    const { r, ctx, painted } = fakes();
    paintScene(r, ctx, buildScene(r, nodes, true));
    expect(painted.length).toBe(Math.ceil(1000 / 64));
    expect(painted.reduce((n, p) => n + p.shapes, 0)).toBe(1000);
  });

  it("labels are left to Cytoscape, and only when it would show them", () => {
    const labelled = [ele("node", { styles: { label: "orders-api" } }), ele("node", { styles: { label: "" } })];
    const small = fakes(false);
    paintScene(small.r, small.ctx, buildScene(small.r, labelled, true));
    expect(small.labels).toEqual([]);
    const readable = fakes(true);
    paintScene(readable.r, readable.ctx, buildScene(readable.r, labelled, true));
    expect(readable.labels).toEqual([labelled[0]]);
  });

  it("underlays (the simulation's glow) are painted under the services", () => {
    const lit = ele("node", { styles: { "underlay-opacity": 0.6, "underlay-color": [255, 0, 0], "underlay-shape": "ellipse", "underlay-padding": 9, "underlay-corner-radius": "auto" } });
    const { r, ctx, painted } = fakes();
    paintScene(r, ctx, buildScene(r, [lit], true));
    expect(painted.map((p) => [p.style, p.alpha])).toEqual([
      ["rgb(255,0,0)", 0.6],
      ["rgb(140,149,159)", 1],
    ]);
  });

  it("a service or flow is looked at again only when its record is dropped (Cytoscape recalculated it)", () => {
    const styles: Styles = { "background-color": [1, 1, 1] };
    const svc = ele("node", { styles });
    const { r, ctx, painted } = fakes();
    const records = new WeakMap();
    buildScene(r, [svc], true, records);
    styles["background-color"] = [2, 2, 2];
    paintScene(r, ctx, buildScene(r, [svc], true, records));
    records.delete(svc);
    paintScene(r, ctx, buildScene(r, [svc], true, records));
    expect(painted.map((p) => p.style)).toEqual(["rgb(1,1,1)", "rgb(2,2,2)"]);
  });

  it("a change builds again only the run of services and flows that holds it; the others are reused", () => {
    const styles: Styles = { "background-color": [1, 1, 1] };
    const nodes = Array.from({ length: 1200 }, (_, i) => ele("node", { pos: [i, 0], ...(i === 700 ? { styles } : {}) }));
    const { r, ctx, painted } = fakes();
    const records = new WeakMap();
    const first = buildScene(r, nodes, true, records);
    expect(first.runs.length).toBe(3);
    styles["background-color"] = [2, 2, 2];
    records.delete(nodes[700]!);
    const second = buildScene(r, nodes, true, records, first);
    expect(second.runs.map((run, i) => run === first.runs[i])).toEqual([true, false, true]);
    paintScene(r, ctx, second);
    expect(painted.filter((p) => p.style === "rgb(2,2,2)").map((p) => p.shapes)).toEqual([1]);
    expect(painted.reduce((n, p) => n + p.shapes, 0)).toBe(1200);
    // Another list (Cytoscape sorted the elements again) builds every run.
    const third = buildScene(r, [...nodes], true, records, null);
    expect(third.runs.some((run, i) => run === second.runs[i])).toBe(false);
  });

  it("a segment is shaped again when its box changes (its members moved) or its record is dropped; otherwise its batches are reused", () => {
    const styles: Styles = { "background-color": [1, 1, 1] };
    const seg = ele("node", { parentOf: true, styles });
    let x = 0;
    seg.position = () => ({ x, y: 0 });
    const { r, ctx, painted } = fakes();
    const records = new WeakMap();
    const first = buildScene(r, [seg], true, records);
    // Unchanged: the same batches. (A style change always comes with Cytoscape naming the segment.)
    styles["background-color"] = [2, 2, 2];
    const second = buildScene(r, [seg], true, records, first);
    expect(second.segments).toBe(first.segments);
    paintScene(r, ctx, second);
    // Named by Cytoscape: shaped again, with its new colour.
    records.delete(seg);
    const third = buildScene(r, [seg], true, records, second);
    expect(third.segments).not.toBe(second.segments);
    paintScene(r, ctx, third);
    // Its members moved it: shaped again where it now is.
    styles["background-color"] = [3, 3, 3];
    x = 50;
    paintScene(r, ctx, buildScene(r, [seg], true, records, third));
    expect(painted.map((p) => p.style)).toEqual(["rgb(1,1,1)", "rgb(2,2,2)", "rgb(3,3,3)"]);
  });

  it("a faded service or flow is painted at its new opacity from the shapes it had (a filter's fade shapes nothing again)", () => {
    const svcStyles: Styles = { "background-color": [3, 3, 3], "border-width": 2, "border-color": [4, 4, 4], "underlay-opacity": 0.8, "underlay-color": [5, 5, 5], "underlay-shape": "round-rectangle", "underlay-padding": 4 };
    const flowStyles: Styles = { "line-color": [6, 6, 6], opacity: 0.85, "line-opacity": 0.5, "mid-target-arrow-shape": "triangle", "mid-target-arrow-color": [7, 7, 7] };
    const svc = ele("node", { styles: svcStyles });
    const flow = ele("edge", { allpts: [0, 0, 100, 0], styles: flowStyles });
    const { r, ctx, painted } = fakes();
    let shaped = 0;
    const square = (r.nodeShapes as Record<string, { draw: (...a: unknown[]) => void }>)["round-rectangle"]!;
    const draw = square.draw;
    square.draw = (...args: unknown[]) => void (shaped++, draw(...args));
    const records = new WeakMap();
    buildScene(r, [flow, svc], true, records);
    const first = shaped;
    svcStyles.opacity = 0.12;
    flowStyles.opacity = 0.12;
    paintScene(r, ctx, buildScene(r, [flow, svc], true, records));
    expect(shaped).toBe(first);
    // The underlay is not dimmed by the element's opacity (Cytoscape draws it at its own).
    expect(painted.map((p) => [p.op, p.style, +p.alpha.toFixed(4)])).toEqual([
      ["stroke", "rgb(6,6,6)", 0.06],
      ["fill", "rgb(7,7,7)", 0.06],
      ["fill", "rgb(5,5,5)", 0.8],
      ["fill", "rgb(3,3,3)", 0.12],
      ["stroke", "rgb(4,4,4)", 0.12],
    ]);
  });

  it("a member is looked at again when what its segment passes down (opacity) changes", () => {
    const segStyles: Styles = { opacity: 1 };
    const seg = ele("node", { parentOf: true, styles: segStyles });
    const svc = ele("node", { parent: seg, styles: { "background-color": [3, 3, 3] } });
    const { r, ctx, painted } = fakes();
    const records = new WeakMap();
    buildScene(r, [seg, svc], true, records);
    segStyles.opacity = 0.5;
    paintScene(r, ctx, buildScene(r, [seg, svc], true, records));
    expect(painted.map((p) => [p.style, p.alpha])).toEqual([
      ["rgb(140,149,159)", 0.5],
      ["rgb(3,3,3)", 0.5],
    ]);
  });
});

describe("Visibility: Cytoscape's visible(), each segment worked out once", () => {
  it("answers as Cytoscape does for every element: hidden, transparent, collapsed, undisplayed segments and their members and flows", () => {
    const cy = cytoscape({
      headless: true,
      styleEnabled: true,
      style: [
        { selector: "node", style: { width: 20, height: 20 } },
        { selector: ".hidden", style: { visibility: "hidden" } },
        { selector: ".clear", style: { opacity: 0 } },
        { selector: ".gone", style: { display: "none" } },
        { selector: ".flat", style: { height: 0 } },
        { selector: ".thin", style: { width: 0 } },
      ],
      elements: [
        { data: { id: "outer" } },
        { data: { id: "inner", parent: "outer" } },
        { data: { id: "hid" }, classes: "hidden" },
        { data: { id: "hidInner", parent: "hid" } },
        { data: { id: "clear" }, classes: "clear" },
        { data: { id: "gone" }, classes: "gone" },
        { data: { id: "a", parent: "inner" }, position: { x: 0, y: 0 } },
        { data: { id: "b", parent: "outer" }, position: { x: 40, y: 0 } },
        { data: { id: "c" }, position: { x: 80, y: 0 } },
        { data: { id: "d", parent: "hidInner" }, position: { x: 120, y: 0 } },
        { data: { id: "e", parent: "clear" }, position: { x: 160, y: 0 } },
        { data: { id: "f", parent: "gone" }, position: { x: 200, y: 0 } },
        { data: { id: "flat" }, classes: "flat", position: { x: 240, y: 0 } },
        { data: { id: "self", parent: "inner" }, classes: "clear", position: { x: 280, y: 0 } },
        ...[["a", "b"], ["b", "c"], ["c", "d"], ["d", "a"], ["c", "e"], ["c", "f"], ["c", "flat"], ["a", "a"], ["c", "self"]].map(([s, t]) => ({ data: { id: `${s}-${t}`, source: s!, target: t! } })),
        { data: { id: "hiddenFlow", source: "a", target: "c" }, classes: "hidden" },
        { data: { id: "thinFlow", source: "a", target: "c" }, classes: "thin" },
      ],
    });
    const eles = cy.elements().toArray() as unknown as (VisibleEle & { id(): string; visible(): boolean })[];
    const v = new Visibility();
    const ours = eles.map((e) => [e.id(), v.visible(e)]);
    expect(ours).toEqual(eles.map((e) => [e.id(), e.visible()]));
    // Both answers occur, for nodes and for flows.
    expect(ours.filter(([, x]) => x).length).toBeGreaterThan(4);
    expect(ours.filter(([, x]) => !x).length).toBeGreaterThan(4);
  });
});
