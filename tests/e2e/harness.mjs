// Drives the real Bulkhead app: one WebDriver session per launch of `bulkhead-app`, through
// tauri-driver (which starts WebKitWebDriver, which starts the app) on an X display that the
// caller (scripts/test.d/60-app-e2e.sh) provides. Every wait is bounded.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { remote } from "webdriverio";

export const ROOT = resolve(import.meta.dirname, "../..");
export const APP = process.env.BULKHEAD_APP_BIN ?? join(ROOT, "target/debug/bulkhead-app");
export const CLI = process.env.BULKHEAD_CLI_BIN ?? join(ROOT, "target/debug/bulkhead");
const DRIVER_PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

/** A fresh, empty folder for the app's data (recent files, recovery) or for exports. */
export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `bulkhead-e2e-${prefix}-`));
}

/** Each launched browser's app process id ([`appPid`]). */
const APP_PIDS = new WeakMap();

/** The running processes' parents: process id → parent process id, read from /proc. */
function parentsOfProcesses() {
  const parents = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // `pid (comm) state ppid ...`: the command name may hold spaces and parentheses, so the
    // fields are read after its last `)`.
    const [, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    parents.set(Number(name), Number(ppid));
  }
  return parents;
}

/**
 * The apps running under this run's tauri-driver (`TAURI_DRIVER_PID`, which
 * scripts/with-app-driver.sh sets): the processes its WebKitWebDriver child started, one per
 * session. Found by their place in the process tree, not by name or command line, so another
 * Bulkhead running on the machine, or the binary under another name, changes nothing. (The app's
 * own children, WebKit's web and network processes, are a level further down.)
 */
function driverApps() {
  const driver = Number(process.env.TAURI_DRIVER_PID);
  if (!driver) return null;
  const parents = parentsOfProcesses();
  const natives = new Set([...parents].filter(([, ppid]) => ppid === driver).map(([pid]) => pid));
  return new Set([...parents].filter(([, ppid]) => natives.has(ppid)).map(([pid]) => pid));
}

/** Starts the app with `args` and returns a WebdriverIO browser driving its window. */
export async function launch(args = []) {
  // The app this launch starts is the one that was not running before it (launches are one at
  // a time; an earlier session's app that exits meanwhile only leaves the set).
  const before = driverApps();
  const browser = await remote({
    hostname: "127.0.0.1",
    port: DRIVER_PORT,
    logLevel: "warn",
    connectionRetryTimeout: 120_000,
    connectionRetryCount: 1,
    capabilities: {
      browserName: "wry",
      "wdio:enforceWebDriverClassic": true,
      "tauri:options": { application: APP, args },
    },
  });
  await browser.setTimeout({ implicit: 0, script: 30_000, pageLoad: 60_000 });
  const after = driverApps();
  if (before && after) APP_PIDS.set(browser, [...after].filter((pid) => !before.has(pid)));
  return browser;
}

/** `[data-testid="id"]` plus optional attribute filters. */
export function tid(id, attrs = {}) {
  let s = `[data-testid="${id}"]`;
  for (const [k, v] of Object.entries(attrs)) s += `[data-${k}="${v}"]`;
  return s;
}

/** Waits until `selector` exists and is displayed; returns the element. */
export async function shown(browser, selector, timeout = 30_000) {
  const el = await browser.$(selector);
  await el.waitForDisplayed({ timeout, timeoutMsg: `${selector} not shown within ${timeout} ms` });
  return el;
}

/**
 * Clicks a control. WebKitWebDriver refuses real clicks on some visible controls (the panel
 * tabs sit in a horizontally scrolling strip and fail its "interactable" check), so after a
 * refused native click this dispatches the click in the page, as a keyboard user's Enter would.
 */
export async function press(browser, selector) {
  const el = await shown(browser, selector);
  try {
    await el.click();
  } catch (e) {
    if (!String(e?.message ?? e).includes("interactable")) throw e;
    await browser.execute((node) => node.click(), el);
  }
  return el;
}

/** Waits until `fn()` resolves to a truthy value; returns it. */
export async function until(browser, what, fn, timeout = 30_000) {
  let value;
  await browser.waitUntil(
    async () => {
      value = await fn();
      return Boolean(value);
    },
    { timeout, interval: 200, timeoutMsg: `timed out after ${timeout} ms waiting for ${what}` },
  );
  return value;
}

/** Waits for the app root to report a loaded design with a finished first render. */
export async function ready(browser, timeout = 60_000) {
  await shown(browser, tid("app"), timeout);
  await until(
    browser,
    "app data-ready=true",
    async () => (await (await browser.$(tid("app"))).getAttribute("data-ready")) === "true",
    timeout,
  );
}

/** Takes a screenshot of the whole X screen (the real window, native title bar and all). */
export function screenshot(path) {
  // Let WebKit paint the last change before grabbing the frame.
  execFileSync("sleep", ["1"]);
  execFileSync("import", ["-window", "root", path]);
}

/**
 * Runs the `bulkhead` CLI with `args`. Returns its stdout, and throws (with its stderr) when it
 * exits non-zero; with `{ status: true }` returns the exit code instead.
 */
export function cli(args, { status = false } = {}) {
  const r = spawnSync(CLI, args, { encoding: "utf8", maxBuffer: 64 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  if (status) return r.status;
  if (r.status !== 0) throw new Error(`\`bulkhead ${args.join(" ")}\` exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs the `bulkhead` CLI with `args` and returns its parsed JSON output (any exit code). */
export function cliJson(args) {
  try {
    return JSON.parse(execFileSync(CLI, args, { encoding: "utf8", maxBuffer: 64 << 20 }));
  } catch (e) {
    if (e.stdout) return JSON.parse(e.stdout);
    throw e;
  }
}

/** Ends the session; tauri-driver then closes the app. */
export async function close(browser) {
  if (browser) await browser.deleteSession().catch(() => {});
}

/**
 * The process id of the app that `launch` started for `browser`: the one process that
 * tauri-driver's WebKitWebDriver started during that launch.
 */
export function appPid(browser) {
  const pids = APP_PIDS.get(browser);
  if (!pids) throw new Error("no app process recorded for this session: TAURI_DRIVER_PID is not set (run through scripts/with-app-driver.sh)");
  if (pids.length !== 1) throw new Error(`expected one app process started by this launch, found ${pids.length}: ${pids.join(", ")}`);
  return pids[0];
}

/** Whether process `pid` is still running. */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks the app's window to close as a window manager's close button does (WM_DELETE_WINDOW,
 * through tests/e2e/close-window.py with the verifiers' venv, which has python-xlib).
 */
export function closeWindow(pid) {
  execFileSync(join(ROOT, ".venv-verify/bin/python"), [join(ROOT, "tests/e2e/close-window.py"), String(pid)], { stdio: ["ignore", "inherit", "inherit"] });
}
