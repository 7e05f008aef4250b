//! Performance marks for the benchmarks (`e2e/bench.mjs`, `tests/e2e/bench.mjs`): each phase of
//! opening and drawing a design is a `bulkhead:<phase>` measure in the page's performance
//! timeline, so a benchmark can say where the time goes, not only how much there is.

/** Run `fn` and record its duration as the measure `bulkhead:<name>`. */
export function timed<T>(name: string, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    measureSince(name, start);
  }
}

/** Record `bulkhead:<name>` from `start` (a `performance.now()` value) until now. */
export function measureSince(name: string, start: number): void {
  try {
    performance.measure(`bulkhead:${name}`, { start, end: performance.now() });
  } catch {
    // No user timing (very old webviews): the benchmarks then only see the marks.
  }
}
