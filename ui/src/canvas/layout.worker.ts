//! The auto-layout worker: answers one `LayoutJob` with a `LayoutAnswer` (see `layoutjob.ts`).
//! fcose runs here, off the page's main thread, so the window keeps drawing while it works.

import fcose from "cytoscape-fcose";
import { runLayoutJob, type LayoutAnswer, type LayoutJob } from "./layoutjob";

self.onmessage = (e: MessageEvent<LayoutJob>) => {
  let answer: LayoutAnswer;
  try {
    answer = { ok: true, positions: runLayoutJob(e.data, fcose) };
  } catch (err) {
    answer = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  self.postMessage(answer);
};
