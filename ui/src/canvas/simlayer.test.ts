import { beforeAll, describe, expect, it } from "vitest";
import { FakePath, installFakePath } from "../fixtures/path";
import { CanvasIndex, buildLayerScene, buildSegmentPart, layerRecords, paintLayer, paintedAt, ringOf, roundRectRadius, warmRecords, type LayerContext, type LayerEle, type LayerInput, type LayerRenderer, type LayerStage } from "./simlayer";
import { SIM_RING_ORDER, simulationPalette, type SimulationPalette } from "./style";
import type { SimClass } from "./simulation";

beforeAll(installFakePath);

type Styles = Record<string, unknown>;
const DEFAULTS: Styles = {
  "border-width": 1.5,
  "border-opacity": 1,
  "border-style": "solid",
  "border-color": [110, 119, 129],
  "corner-radius": "auto",
  label: "",
  "arrow-scale": 1,
  "source-arrow-shape": "none",
  "target-arrow-shape": "none",
  "mid-source-arrow-shape": "none",
  "mid-target-arrow-shape": "triangle",
};

function ele(id: string, opts: { styles?: Styles; pos?: [number, number]; size?: number; visible?: boolean; allpts?: number[]; reads?: { count: number } } = {}): LayerEle {
  const [x, y] = opts.pos ?? [0, 0];
  const size = opts.size ?? 40;
  return {
    id: () => id,
    isNode: () => !opts.allpts,
    isParent: () => false,
    visible: () => opts.visible ?? true,
    pstyle: (name: string) => {
      if (opts.reads) opts.reads.count++;
      const v = opts.styles && name in opts.styles ? opts.styles[name] : DEFAULTS[name];
      return { value: v, pfValue: v as number, strValue: String(v ?? "") };
    },
    position: () => ({ x, y }),
    width: () => size,
    height: () => size,
    padding: () => 0,
    effectiveOpacity: () => 1,
    _private: {
      parent: null,
      // Where Cytoscape draws a label: under the node.
      labelBounds: opts.styles?.label ? { main: { x1: x - 10, y1: y + 20, x2: x + 10, y2: y + 30 } } : {},
      rscratch: opts.allpts ? { allpts: opts.allpts, edgeType: "haystack", midX: (opts.allpts[0]! + opts.allpts[2]!) / 2, midY: (opts.allpts[1]! + opts.allpts[3]!) / 2, midtgtArrowAngle: 0 } : {},
    },
  };
}

/** A renderer whose shapes are rectangles `R<shape>:x,y,w,h`; labels are big enough to draw or not. */
function renderer(bigEnough = true) {
  /** Shapes and arrows drawn (to tell a record built from one reused). */
  const drawn = { count: 0 };
  const shape = (name: string) => ({
    draw(path: FakePath, x: number, y: number, w: number, h: number) {
      drawn.count++;
      path.ops.push(`R${name}:${x},${y},${w},${h}`);
      path.closePath();
    },
  });
  const r: LayerRenderer = {
    nodeShapes: { "round-rectangle": shape("round-rectangle"), ellipse: shape("ellipse"), rectangle: shape("rectangle") } as unknown as LayerRenderer["nodeShapes"],
    arrowShapes: { triangle: { draw: (path: FakePath, size: number) => void (drawn.count++, path.ops.push(`A${size}`)) } } as unknown as LayerRenderer["arrowShapes"],
    getNodeShape: () => "round-rectangle",
    getArrowWidth: (width: number, scale: number) => width * scale * 3,
    eleTextBiggerThanMin: () => bigEnough,
  };
  return { r, drawn };
}

const shapes = (chunks: { paths: Path2D[] }) => chunks.paths.flatMap((p) => (p as unknown as FakePath).ops.filter((o) => o.startsWith("R")));
const set = (...c: SimClass[]) => new Set<SimClass>(c);

/** A look with the segments on the canvas, built as the layer builds it (segments apart). */
type TestInput = LayerInput & { segments: LayerEle[] };
const sceneOf = (r: LayerRenderer, input: TestInput, palette: SimulationPalette) => buildLayerScene(r, input, palette, buildSegmentPart(r, input.segments));

describe("ringOf", () => {
  it("takes the ring the stylesheet cascade gave: on the path over origin over compromised over reached", () => {
    expect(ringOf(set())).toBeNull();
    expect(ringOf(set("reached"))).toBe("reached");
    expect(ringOf(set("compromised", "origin"))).toBe("origin");
    expect(ringOf(set("compromised", "on-path"))).toBe("on-path");
  });
});

describe("buildLayerScene", () => {
  const palette = simulationPalette("light");
  const input = (): TestInput => ({
    nodes: [
      { id: "internet", ele: ele("internet", { pos: [0, 0] }), classes: set("origin"), step: -1 },
      { id: "web", ele: ele("svc:web", { pos: [100, 0], styles: { label: "Web" } }), classes: set("compromised"), step: 0 },
      { id: "pay", ele: ele("svc:pay", { pos: [200, 0] }), classes: set("reached"), step: 1 },
      { id: "db", ele: ele("svc:db", { pos: [300, 0] }), classes: set("compromised"), step: 2 },
      { id: "hidden", ele: ele("svc:hidden", { visible: false }), classes: set("compromised"), step: 0 },
    ],
    edges: [
      { ele: ele("flow:a", { allpts: [0, 0, 100, 0] }), classes: set("attack", "sim-dim"), step: 0 },
      { ele: ele("flow:b", { allpts: [100, 0, 200, 0] }), classes: set("attack", "on-path"), step: 1 },
      { ele: ele("flow:c", { allpts: [100, 0, 300, 0] }), classes: set("attack", "sim-dim"), step: 2 },
    ],
    segments: [ele("seg:core", { pos: [150, 0], size: 400, styles: { "border-width": 3, label: "Core" } }), ele("seg:edge", { pos: [0, 0], size: 100, styles: { "border-width": 3, "border-style": "dashed", "border-dash-pattern": [6, 3] } })],
  });

  it("records what it paints: each visible involved service with its ring and border, each call, each segment", () => {
    const { r } = renderer();
    const scene = sceneOf(r, input(), palette);
    expect(paintedAt(scene, 3)).toEqual({
      veil: true,
      nodes: {
        internet: { ring: "origin", compromised: false },
        web: { ring: "compromised", compromised: true },
        pay: { ring: "reached", compromised: false },
        db: { ring: "compromised", compromised: true },
      },
      edges: { "flow:a": "attack", "flow:b": "on-path", "flow:c": "attack" },
      segments: 2,
    });
  });

  it("hop by hop: a later step's services are undimmed without their ring and border, its calls not drawn; the chosen path is drawn from the start", () => {
    const { r } = renderer();
    const scene = sceneOf(r, input(), palette);
    expect(paintedAt(scene, 1)).toEqual({
      veil: true,
      nodes: {
        internet: { ring: "origin", compromised: false },
        web: { ring: "compromised", compromised: true },
        pay: { ring: null, compromised: false },
        db: { ring: null, compromised: false },
      },
      edges: { "flow:a": "attack", "flow:b": "on-path" },
      segments: 2,
    });
    expect(paintedAt(scene, 0).nodes.web).toEqual({ ring: null, compromised: false });
    expect(paintedAt(scene, 0).edges).toEqual({ "flow:b": "on-path" });
  });

  it("shapes each service's ring (by class) and body, and a border only for the compromised", () => {
    const { r } = renderer();
    const scene = sceneOf(r, input(), palette);
    // Each stage's rings by class (in SIM_RING_ORDER: reached, compromised, origin, on-path).
    const rings = (st: LayerStage) => st.rings.map(shapes);
    const ellipse = (x: number, c: keyof typeof palette.rings) => `Rellipse:${x},0,${40 + 2 * palette.rings[c].padding},${40 + 2 * palette.rings[c].padding}`;
    expect(rings(scene.always)).toEqual([[], [], [ellipse(0, "origin")], []]);
    expect(scene.steps.map(rings)).toEqual([
      [[], [ellipse(100, "compromised")], [], []],
      [[ellipse(200, "reached")], [], [], []],
      [[], [ellipse(300, "compromised")], [], []],
    ]);
    // Half the border and a pixel of antialiasing on each side: 1.5 wide, or 3 when compromised.
    expect(shapes(scene.bodies)).toEqual(["Rround-rectangle:0,0,43.5,43.5", "Rround-rectangle:100,0,45,45", "Rround-rectangle:200,0,43.5,43.5", "Rround-rectangle:300,0,45,45"]);
    expect(scene.steps.map((st) => shapes(st.borders))).toEqual([["Rround-rectangle:100,0,40,40"], [], ["Rround-rectangle:300,0,40,40"]]);
  });

  it("draws the attacker's calls and the chosen path apart, with their arrows sized for their width", () => {
    const { r } = renderer();
    const scene = sceneOf(r, input(), palette);
    const ops = (c: { paths: Path2D[] }) => c.paths.flatMap((p) => (p as unknown as FakePath).ops);
    expect(scene.steps.map((st) => ops(st.attack.lines))).toEqual([["M0,0", "L100,0"], [], ["M100,0", "L300,0"]]);
    expect(ops(scene.onPath.lines)).toEqual(["M100,0", "L200,0"]);
    expect(ops(scene.steps[0]!.attack.arrows)).toEqual(["M50,0", `A${palette.attack.width * 3}`, "Z"]);
    expect(ops(scene.onPath.arrows)).toEqual(["M150,0", `A${palette.onPath.width * 3}`, "Z"]);
  });

  it("strokes segment borders again, one batch per look, and lists the labels of what stays bright", () => {
    const { r } = renderer();
    const scene = sceneOf(r, input(), palette);
    expect(scene.segments.map((s) => [s.colour, s.width, s.dash, shapes(s.paths).length])).toEqual([
      ["rgb(110,119,129)", 3, null, 1],
      ["rgb(110,119,129)", 3, [6, 3], 1],
    ]);
    expect(scene.labelled.map((e) => e.id())).toEqual(["seg:core", "svc:web"]);
  });

  it("leaves the rings, borders and calls of hop steps not shown yet for when they are first painted, and paints the same", () => {
    const { r } = renderer();
    const ops = (c: { paths: Path2D[] }) => c.paths.flatMap((p) => (p as unknown as FakePath).ops);
    const stageOps = (st: LayerStage) => [st.rings.map(ops), ops(st.borders), ops(st.attack.lines), ops(st.attack.arrows)];
    const inp = input();
    const part = buildSegmentPart(r, inp.segments);
    const whole = buildLayerScene(r, inp, palette, part);
    const lazy = buildLayerScene(r, inp, palette, part, layerRecords(), 1);
    // The first step is batched, the later ones are not yet; everything else is.
    expect(stageOps(lazy.steps[0]!)).toEqual(stageOps(whole.steps[0]!));
    expect(lazy.steps.slice(1).map(stageOps)).toEqual([1, 2].map(() => [[[], [], [], []], [], [], []]));
    expect([ops(lazy.bodies), stageOps(lazy.always), ops(lazy.onPath.lines), lazy.labelled]).toEqual([ops(whole.bodies), stageOps(whole.always), ops(whole.onPath.lines), whole.labelled]);
    expect(paintedAt(lazy, 3)).toEqual(paintedAt(whole, 3));
    // Painted hop by hop, as the animation does: the same calls as the scene batched at once.
    const view = { zoom: 1, pan: { x: 0, y: 0 }, pixelRatio: 1, width: 400, height: 300 };
    for (const shown of [1, 2, 3]) {
      const a = recorder();
      const b = recorder();
      paintLayer(r, a.ctx, whole, palette, view, shown);
      paintLayer(r, b.ctx, lazy, palette, view, shown);
      expect(b.calls).toEqual(a.calls);
    }
    expect(lazy.steps.map(stageOps)).toEqual(whole.steps.map(stageOps));
    expect(lazy.batchStep).toBeNull();
  });

  it("batches shapes into paths of at most 64", () => {
    const { r } = renderer();
    const nodes = Array.from({ length: 130 }, (_, i) => ({ id: `s${i}`, ele: ele(`svc:s${i}`, { pos: [i, 0] }), classes: set(), step: 0 }));
    const scene = sceneOf(r, { nodes, edges: [], segments: [] }, palette);
    expect(scene.bodies.paths).toHaveLength(3);
    expect(shapes(scene.bodies)).toHaveLength(130);
  });
});

describe("records", () => {
  const palette = simulationPalette("light");
  const reads = { count: 0 };
  const web = ele("svc:web", { pos: [100, 0], styles: { label: "Web" }, reads });
  const db = ele("svc:db", { pos: [300, 0], reads });
  const call = ele("flow:a", { allpts: [100, 0, 300, 0], reads });
  const input: TestInput = {
    nodes: [
      { id: "web", ele: web, classes: set("compromised"), step: 0 },
      { id: "db", ele: db, classes: set("reached"), step: 1 },
    ],
    edges: [{ ele: call, classes: set("attack"), step: 1 }],
    segments: [],
  };
  const ops = (c: { paths: Path2D[] }) => c.paths.flatMap((p) => (p as unknown as FakePath).ops);

  it("a second look over the same elements reads no style and draws no arrow again, and batches the same shapes", () => {
    const { r, drawn } = renderer();
    const records = layerRecords();
    const part = buildSegmentPart(r, []);
    const first = buildLayerScene(r, input, palette, part, records);
    const nodeShapes = drawn.count - 1; // the call's one arrow
    reads.count = 0;
    drawn.count = 0;
    const again = buildLayerScene(r, input, palette, part, records);
    // The shapes are drawn into the new batches again; nothing is read, the arrow is kept.
    expect([reads.count, drawn.count]).toEqual([0, nodeShapes]);
    expect(ops(again.bodies)).toEqual(ops(first.bodies));
    expect(again.steps.map((st) => [st.rings.map(ops), ops(st.borders), ops(st.attack.lines), ops(st.attack.arrows)])).toEqual(first.steps.map((st) => [st.rings.map(ops), ops(st.borders), ops(st.attack.lines), ops(st.attack.arrows)]));
    expect(paintedAt(again, 2)).toEqual(paintedAt(first, 2));
  });

  it("a record the owner dropped (the element was recalculated) is read again from the element", () => {
    const { r } = renderer();
    const records = layerRecords();
    const part = buildSegmentPart(r, []);
    buildLayerScene(r, input, palette, part, records);
    const moved = ele("svc:web", { pos: [150, 0], styles: { label: "Web" } });
    records.nodes.set(moved, records.nodes.get(web)!);
    // Still the record of where it was until dropped, then where it is.
    const stale = buildLayerScene(r, { ...input, nodes: [{ id: "web", ele: moved, classes: set("reached"), step: 0 }] }, palette, part, records);
    expect(shapes(stale.bodies)).toEqual(["Rround-rectangle:100,0,43.5,43.5"]);
    records.nodes.delete(moved);
    const fresh = buildLayerScene(r, { ...input, nodes: [{ id: "web", ele: moved, classes: set("reached"), step: 0 }] }, palette, part, records);
    expect(shapes(fresh.bodies)).toEqual(["Rround-rectangle:150,0,43.5,43.5"]);
  });

  it("warming reads what a look needs of services and calls (not segments), and the attacker's arrows, up to its deadline", () => {
    const { r } = renderer();
    const segment = Object.assign(ele("seg:core", { size: 400 }), { isParent: () => true });
    const hidden = ele("svc:hidden", { visible: false });
    const records = layerRecords();
    expect(warmRecords(r, records, palette, [web, db, call, segment, hidden], 0, -Infinity)).toBe(0);
    expect(warmRecords(r, records, palette, [web, db, call, segment, hidden], 0, Infinity)).toBe(5);
    expect([records.nodes.has(web), records.nodes.has(db), records.edges.has(call), records.nodes.has(segment), records.nodes.has(hidden)]).toEqual([true, true, true, false, false]);
    reads.count = 0;
    const scene = buildLayerScene(r, input, palette, buildSegmentPart(r, []), records);
    expect(reads.count).toBe(0);
    expect(ops(scene.steps[1]!.attack.arrows)).toEqual(["M200,0", `A${palette.attack.width * 3}`, "Z"]);
  });
});

describe("CanvasIndex", () => {
  const indexed = (id: string, group: "nodes" | "edges", source?: string, target?: string): LayerEle => {
    const e = ele(id);
    (e._private as unknown as { group: string; data: object }).group = group;
    (e._private as unknown as { group: string; data: object }).data = { id, source, target };
    return e;
  };
  it("finds nodes by id and the calls from one node to another (both flows of a pair, not the reverse)", () => {
    const a = indexed("svc:a", "nodes");
    const b = indexed("svc:b", "nodes");
    const ab1 = indexed("flow:1", "edges", "svc:a", "svc:b");
    const ab2 = indexed("flow:2", "edges", "svc:a", "svc:b");
    const ba = indexed("flow:3", "edges", "svc:b", "svc:a");
    const index = new CanvasIndex([a, b, ab1, ab2, ba]);
    expect(index.node("svc:a")).toBe(a);
    expect(index.node("svc:c")).toBeUndefined();
    expect(index.edges("svc:a", "svc:b")).toEqual([ab1, ab2]);
    expect(index.edges("svc:b", "svc:a")).toEqual([ba]);
    expect(index.edges("svc:a", "svc:c")).toEqual([]);
    expect(index.eles).toHaveLength(5);
  });
});

/** A 2D context that records what is drawn, with the state each call was made in. */
function recorder() {
  const calls: string[] = [];
  const ctx = {
    globalAlpha: 1,
    globalCompositeOperation: "source-over",
    fillStyle: "",
    strokeStyle: "",
    lineWidth: 1,
    lineCap: "butt",
    lineJoin: "miter",
    setTransform: (...m: number[]) => void calls.push(`transform ${m.join(",")}`),
    clearRect: () => void calls.push("clear"),
    fillRect: (x: number, y: number, w: number, h: number) => void calls.push(`fillRect ${x},${y},${w},${h} ${ctx.fillStyle} ${ctx.globalAlpha} ${ctx.globalCompositeOperation}`),
    // Shapes, or rectangles (label holes) as `B`.
    fill: (p: FakePath) => void calls.push(`fill ${p.ops.filter((o) => o.startsWith("R")).length || p.ops.filter((o) => o.startsWith("B")).join(" ") || 0} ${ctx.fillStyle} ${ctx.globalAlpha} ${ctx.globalCompositeOperation}`),
    // Shapes (nodes, segments), or for lines their subpaths.
    stroke: (p: FakePath) => void calls.push(`stroke ${p.ops.filter((o) => o.startsWith("R")).length || p.ops.filter((o) => o.startsWith("M")).length} ${ctx.strokeStyle} ${ctx.lineWidth} ${ctx.globalAlpha} ${ctx.globalCompositeOperation}`),
    setLineDash: () => undefined,
    save: () => undefined,
    restore: () => undefined,
  };
  return { ctx: ctx as unknown as LayerContext, calls };
}

describe("paintLayer", () => {
  const palette = simulationPalette("dark");
  const view = { zoom: 0.5, pan: { x: 10, y: 20 }, pixelRatio: 2, width: 800, height: 600 };
  const input: TestInput = {
    nodes: [
      { id: "web", ele: ele("svc:web", { styles: { label: "Web" } }), classes: set("compromised"), step: 0 },
      { id: "db", ele: ele("svc:db"), classes: set("on-path"), step: 1 },
    ],
    edges: [{ ele: ele("flow:a", { allpts: [0, 0, 100, 0] }), classes: set("attack"), step: 0 }],
    segments: [ele("seg:core", { size: 400, styles: { "border-width": 2 } })],
  };

  it("veils the frame, keeps segment borders, cuts the involved services out and draws rings, calls and borders in order", () => {
    const { r } = renderer();
    const { ctx, calls } = recorder();
    paintLayer(r, ctx, sceneOf(r, input, palette), palette, view, 2);
    expect(calls).toEqual([
      "transform 1,0,0,1,0,0",
      "clear",
      // The veil: the canvas background colour at 70%, over the whole frame in device pixels.
      `fillRect 0,0,800,600 ${palette.veil} 0.7 source-over`,
      // Model coordinates: Cytoscape's zoom and pan at the device pixel ratio.
      "transform 1,0,0,1,20,40",
      "stroke 1 rgb(110,119,129) 2 1 source-over",
      // Holes: the rings, the services' bodies.
      "fill 1 #000 1 destination-out",
      "fill 1 #000 1 destination-out",
      "fill 2 #000 1 destination-out",
      `stroke 1 ${palette.attack.colour} ${palette.attack.width} 1 source-over`,
      `fill 0 ${palette.attack.colour} 1 source-over`,
      `fill 1 ${palette.rings.compromised.colour} ${palette.rings.compromised.alpha} source-over`,
      `fill 1 ${palette.rings["on-path"].colour} ${palette.rings["on-path"].alpha} source-over`,
      "fill 2 #000 1 destination-out",
      `stroke 1 ${palette.compromisedBorder.colour} ${palette.compromisedBorder.width} 1 source-over`,
      // Where Cytoscape draws the web service's label (over its ring).
      "fill B-10,20,20,10 #000 1 destination-out",
    ]);
  });

  it("before the first hop is shown, draws only what is lit from the start", () => {
    const { r } = renderer();
    const { ctx, calls } = recorder();
    paintLayer(r, ctx, sceneOf(r, input, palette), palette, view, 0);
    expect(calls.slice(4)).toEqual([
      "stroke 1 rgb(110,119,129) 2 1 source-over",
      // The chosen path's service: its ring and (with every involved service) its body.
      "fill 1 #000 1 destination-out",
      "fill 2 #000 1 destination-out",
      `fill 1 ${palette.rings["on-path"].colour} ${palette.rings["on-path"].alpha} source-over`,
      "fill 2 #000 1 destination-out",
      // Every involved service is undimmed from the start, its label too.
      "fill B-10,20,20,10 #000 1 destination-out",
    ]);
  });

  it("cuts holes where Cytoscape draws the labels of what stays bright, in view and at a readable size only", () => {
    const labelHoles = (r: LayerRenderer, inp: TestInput) => {
      const { ctx, calls } = recorder();
      paintLayer(r, ctx, sceneOf(r, inp, palette), palette, view, 2);
      return calls.filter((c) => c.startsWith("fill B"));
    };
    // The web service's label box (under it, see `ele`).
    expect(labelHoles(renderer(true).r, input)).toEqual(["fill B-10,20,20,10 #000 1 destination-out"]);
    // A label far out of view is left alone (the view shows the model from -20,-40 to 780,560).
    const withFar: TestInput = { ...input, nodes: [...input.nodes, { id: "far", ele: ele("svc:far", { pos: [2000, 0], styles: { label: "Far" } }), classes: set("reached"), step: 0 }] };
    expect(labelHoles(renderer(true).r, withFar)).toEqual(["fill B-10,20,20,10 #000 1 destination-out"]);
    // Below their minimum size Cytoscape draws no label: no hole.
    expect(labelHoles(renderer(false).r, input)).toEqual([]);
  });
});

/** A path with the native shapes (`roundRect`, `ellipse`) the browsers have and Node lacks. */
class NativePath extends FakePath {
  roundRect(x: number, y: number, w: number, h: number, radius: number) {
    this.ops.push(`RR${x},${y},${w},${h},${radius}`);
  }
  ellipse(x: number, y: number, rx: number, ry: number, rotation: number, start: number, end: number) {
    this.ops.push(`E${x},${y},${rx},${ry},${rotation},${start},${end}`);
  }
}

describe("native shapes", () => {
  it("gives round rectangles Cytoscape's corner radius: auto is min(w/4, h/4, 8), a number at most half a side", () => {
    expect(roundRectRadius("auto", 46, 46)).toBe(8);
    expect(roundRectRadius("auto", 20, 30)).toBe(5);
    expect(roundRectRadius(4, 46, 46)).toBe(4);
    expect(roundRectRadius(100, 46, 30)).toBe(15);
    expect(roundRectRadius(undefined, 46, 46)).toBe(8);
  });

  it("draws round-rectangle bodies and borders with roundRect and rings with one ellipse; other shapes are Cytoscape's", () => {
    const palette = simulationPalette("light");
    const global = globalThis as unknown as { Path2D: unknown };
    const saved = global.Path2D;
    global.Path2D = NativePath;
    try {
      const { r, drawn } = renderer();
      r.getNodeShape = (e) => ((e as LayerEle).id() === "svc:sq" ? "rectangle" : "round-rectangle");
      const scene = buildLayerScene(
        r,
        {
          nodes: [
            { id: "web", ele: ele("svc:web", { pos: [100, 50], size: 46 }), classes: set("compromised"), step: 0 },
            { id: "sq", ele: ele("svc:sq", { pos: [300, 0] }), classes: set("reached"), step: 0 },
          ],
          edges: [],
        },
        palette,
        buildSegmentPart(r, []),
      );
      const ops = (c: { paths: Path2D[] }) => c.paths.flatMap((p) => (p as unknown as FakePath).ops);
      // The body is cut out with half the wider border and a pixel around it; the border is the shape itself.
      const m = Math.max(1.5, palette.compromisedBorder.width) / 2 + 1;
      const w = 46 + 2 * m;
      expect(ops(scene.bodies)).toEqual([`RR${100 - w / 2},${50 - w / 2},${w},${w},8`, `M${300 + 20 + 1.75},0`, `Rrectangle:300,0,${40 + 3.5},${40 + 3.5}`, "Z"]);
      expect(ops(scene.steps[0]!.borders)).toEqual(["RR77,27,46,46,8"]);
      const ring = (c: "compromised" | "reached") => ops(scene.steps[0]!.rings[SIM_RING_ORDER.indexOf(c)]!);
      const pc = palette.rings.compromised.padding;
      const pr = palette.rings.reached.padding;
      expect(ring("compromised")).toEqual([`M${100 + 23 + pc},50`, `E100,50,${23 + pc},${23 + pc},0,0,${2 * Math.PI}`]);
      expect(ring("reached")).toEqual([`M${300 + 20 + pr},0`, `E300,0,${20 + pr},${20 + pr},0,0,${2 * Math.PI}`]);
      // Only the rectangle went through the renderer's shapes.
      expect(drawn.count).toBe(1);
    } finally {
      global.Path2D = saved;
    }
  });
});
