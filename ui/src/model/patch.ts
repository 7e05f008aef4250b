//! An edit as the few operations that turn one design into the next (`patch_design`), so the
//! shell, which holds the design before the edit, is not sent all of the edited one (5 MB at
//! 2,000 services) for a change to one rule.
//!
//! Designs are immutable values and actions copy only what they change, so what an edit
//! changed is found by identity: a top-level field that is another object is replaced, and in a
//! list the entries between the unchanged start and the unchanged end are spliced. An action
//! that rebuilds more than it changes only makes the patch bigger, never wrong. The shell reads
//! every part with the design's own deserializer (`src-tauri/src/patch.rs`).

import type { Design } from "../generated/bulkhead";
import type { DesignField, DesignList, DesignOp } from "../analysis";

const LISTS: ReadonlySet<string> = new Set<DesignList>(["data_classes", "services", "segments", "rules", "flows", "triage"]);

/** The operations that turn `from` into `to`, at most one per top-level field. */
export function designPatch(from: Design, to: Design): DesignOp[] {
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const ops: DesignOp[] = [];
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[field];
    const y = b[field];
    if (x === y) continue;
    // JSON drops a field whose value is undefined: the shell then reads it as absent.
    if (y === undefined) ops.push({ op: "remove", field: field as DesignField });
    else if (LISTS.has(field) && Array.isArray(x) && Array.isArray(y)) ops.push(splice(field as DesignList, x, y));
    else ops.push({ op: "set", field: field as DesignField, value: y });
  }
  return ops;
}

/** One splice replacing what lies between the entries `x` and `y` share at both ends. */
function splice(list: DesignList, x: readonly unknown[], y: readonly unknown[]): DesignOp {
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let end = 0;
  while (end < x.length - start && end < y.length - start && x[x.length - 1 - end] === y[y.length - 1 - end]) end++;
  return { op: "splice", list, start, delete: x.length - start - end, insert: y.slice(start, y.length - end) };
}

/**
 * `ops` applied to `design` as the shell applies them (a new design; `design` is unchanged).
 * The mocked shell of the Chromium flows and the tests use it; the app itself only sends patches.
 */
export function applyDesignPatch(design: Design, ops: readonly DesignOp[]): Design {
  const d = { ...design } as unknown as Record<string, unknown>;
  for (const op of ops) {
    if (op.op === "set") d[op.field] = op.value;
    else if (op.op === "remove") delete d[op.field];
    else {
      const list = [...((d[op.list] as unknown[] | undefined) ?? [])];
      if (op.start + op.delete > list.length) throw new Error(`splice of ${op.delete} entries at ${op.start} is outside ${op.list} (${list.length} entries)`);
      list.splice(op.start, op.delete, ...op.insert);
      d[op.list] = list;
    }
  }
  return d as unknown as Design;
}
