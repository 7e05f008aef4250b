//! A minimap: a small <canvas> that draws every service as a dot (coloured by sensitivity),
//! top-level segments as outlines and the current viewport as a rectangle. Click or drag on it
//! to pan. Cheaper than a second Cytoscape instance on large designs.

import type { Core } from "cytoscape";
import { SENSITIVITY_COLOURS } from "./style";

export class Minimap {
  private ctx: CanvasRenderingContext2D | null;
  private frame = 0;
  private bounds = { x1: 0, y1: 0, w: 1, h: 1 };
  private scale = 1;

  constructor(
    private canvas: HTMLCanvasElement,
    private cy: Core,
  ) {
    this.ctx = canvas.getContext("2d");
    const schedule = () => this.schedule();
    cy.on("viewport add remove position data resize", schedule);
    let dragging = false;
    const panTo = (ev: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      const mx = (ev.clientX - r.left) / this.scale + this.bounds.x1;
      const my = (ev.clientY - r.top) / this.scale + this.bounds.y1;
      const z = cy.zoom();
      cy.pan({ x: cy.width() / 2 - mx * z, y: cy.height() / 2 - my * z });
    };
    canvas.addEventListener("pointerdown", (ev) => {
      dragging = true;
      canvas.setPointerCapture(ev.pointerId);
      panTo(ev);
    });
    canvas.addEventListener("pointermove", (ev) => dragging && panTo(ev));
    canvas.addEventListener("pointerup", () => (dragging = false));
    this.schedule();
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    const nodes = this.cy.nodes('[type = "service"], [type = "internet"]');
    if (nodes.length === 0) return;
    let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    nodes.forEach((n) => {
      const p = n.position();
      x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y); x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
    });
    const pad = 60;
    x1 -= pad; y1 -= pad; x2 += pad; y2 += pad;
    this.scale = Math.min(width / (x2 - x1), height / (y2 - y1));
    this.bounds = { x1, y1, w: x2 - x1, h: y2 - y1 };
    const tx = (x: number) => (x - x1) * this.scale;
    const ty = (y: number) => (y - y1) * this.scale;
    ctx.lineWidth = 1;
    ctx.strokeStyle = getComputedStyle(this.canvas).getPropertyValue("--muted") || "#888";
    this.cy.nodes('[type = "segment"]').orphans().forEach((s) => {
      const bb = s.boundingBox({ includeLabels: false });
      ctx.strokeRect(tx(bb.x1), ty(bb.y1), bb.w * this.scale, bb.h * this.scale);
    });
    nodes.forEach((n) => {
      const p = n.position();
      ctx.fillStyle = n.hasClass("compromised") ? "#ff0000" : SENSITIVITY_COLOURS[n.data("sensitivity") as string] ?? "#0969da";
      ctx.fillRect(tx(p.x) - 1.5, ty(p.y) - 1.5, 3, 3);
    });
    const e = this.cy.extent();
    ctx.strokeStyle = getComputedStyle(this.canvas).getPropertyValue("--accent") || "#8250df";
    ctx.lineWidth = 2;
    ctx.strokeRect(tx(e.x1), ty(e.y1), e.w * this.scale, e.h * this.scale);
  }
}
