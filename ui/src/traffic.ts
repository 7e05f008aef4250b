//! What the backend says about the design against its traffic: the drift check (and the calls
//! the canvas overlay draws) and the least-privilege proposal. Both follow the design: once the
//! user has asked, every edit re-asks (debounced), so the overlay's allowed/denied and the
//! proposal always describe the current policy. Answers for an older design are dropped.
//!
//! The logs and the window are the user's choice for this session, not part of the design.

import { call, type CommandError, type HeldDesigns } from "./ipc";
import type { DriftReport, Proposal } from "./analysis";
import type { Store } from "./store";

export interface TrafficView {
  /** Absolute paths of the traffic logs (NGINX, Hubble JSON, Zeek, CSV). */
  logs: string[];
  /** Live Kubernetes manifests (files or folders) whose NetworkPolicies are compared with the design. */
  live: string[];
  /** `7d`, `12h`…, or "" for all of it. */
  window: string;
  /** The last drift check; null until asked. */
  report: DriftReport | null;
  checking: boolean;
  checkError: CommandError | null;
  /** Draw observed calls on the canvas. */
  overlay: boolean;
  proposal: Proposal | null;
  proposing: boolean;
  proposalError: CommandError | null;
}

export const TRAFFIC_DEBOUNCE_MS = 300;

export class Traffic {
  view: TrafficView = { logs: [], live: [], window: "", report: null, checking: false, checkError: null, overlay: true, proposal: null, proposing: false, proposalError: null };
  private listeners = new Set<(v: TrafficView) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private checkSeq = 0;
  private proposeSeq = 0;
  /** Set once the user asked; edits re-ask only then. */
  private wantCheck = false;
  private wantProposal = false;

  constructor(
    private store: Store,
    /** Which designs the shell holds: the check and the proposal name the design by revision. */
    private held: Pick<HeldDesigns, "ask">,
  ) {
    store.subscribe((s, prev) => {
      if (s.design !== prev.design && (this.wantCheck || this.wantProposal)) this.schedule();
    });
  }

  subscribe(f: (v: TrafficView) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(patch: Partial<TrafficView>): void {
    this.view = { ...this.view, ...patch };
    for (const f of this.listeners) f(this.view);
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wantCheck) void this.check();
      if (this.wantProposal) void this.propose();
    }, TRAFFIC_DEBOUNCE_MS);
  }

  /** Choose the logs (and window); re-asks whatever was asked before. */
  setSources(logs: string[], window: string = this.view.window): void {
    this.set({ logs, window });
    if (this.wantCheck) void this.check();
    if (this.wantProposal) void this.propose();
  }

  /** Choose the live manifests; re-checks if a check was asked before. */
  setLive(live: string[]): void {
    this.set({ live });
    if (this.wantCheck) void this.check();
  }

  setOverlay(overlay: boolean): void {
    this.set({ overlay });
  }

  /** Run the drift check on the current design. */
  async check(): Promise<void> {
    this.wantCheck = true;
    const seq = ++this.checkSeq;
    const design = this.store.get().design;
    this.set({ checking: true });
    try {
      const { logs, live, window } = this.view;
      const report = await this.held.ask(design, (revision) => call("drift_check", { revision, traffic: logs, live, window: window.trim() || null }));
      if (seq === this.checkSeq) this.set({ report, checking: false, checkError: null });
    } catch (e) {
      if (seq === this.checkSeq) this.set({ checking: false, checkError: e as CommandError });
    }
  }

  /** Ask for the least-privilege proposal of the current design. */
  async propose(): Promise<void> {
    this.wantProposal = true;
    const seq = ++this.proposeSeq;
    const design = this.store.get().design;
    this.set({ proposing: true });
    try {
      const logs = this.view.logs;
      const proposal = await this.held.ask(design, (revision) => call("propose_rules", { revision, traffic: logs }));
      if (seq === this.proposeSeq) this.set({ proposal, proposing: false, proposalError: null });
    } catch (e) {
      if (seq === this.proposeSeq) this.set({ proposing: false, proposalError: e as CommandError });
    }
  }

  /** Stop following the design and forget the answers (a different file was opened). */
  reset(): void {
    this.wantCheck = false;
    this.wantProposal = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.checkSeq++;
    this.proposeSeq++;
    this.set({ report: null, checking: false, checkError: null, proposal: null, proposing: false, proposalError: null });
  }
}
