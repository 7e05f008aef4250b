// Ports for the `vite preview` servers of the Chromium flows and bench. A fixed port let two runs
// at once (two checkouts, or CI beside a developer's run) both "find" the first run's server and
// test the wrong build, so each run takes a port the kernel says is free unless one is named.
import net from "node:net";
import { spawn } from "node:child_process";
import path from "node:path";

/** The port named by `BULKHEAD_UI_PORT`, else one nothing listens on now (127.0.0.1). */
export function previewPort() {
  if (process.env.BULKHEAD_UI_PORT) return Promise.resolve(Number(process.env.BULKHEAD_UI_PORT));
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `vite preview` of `uiRoot`'s dist/ on `port` and resolves once *this* server answers:
 * `--strictPort` makes it exit if the port is taken, and only it prints its own URL, so an answer
 * from another run's server on the same port is never taken for ours.
 */
export async function startPreview(uiRoot, port) {
  const base = `http://127.0.0.1:${port}/`;
  const preview = spawn(process.execPath, [path.join(uiRoot, "node_modules/vite/bin/vite.js"), "preview", "--port", String(port), "--strictPort", "--host", "127.0.0.1"], { cwd: uiRoot, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  preview.stdout.on("data", (d) => (log += d));
  preview.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (preview.exitCode !== null) {
      throw new Error(`vite preview exited (code ${preview.exitCode}) before answering on ${base}:\n${log}`);
    }
    if (log.replace(/\x1b\[[0-9;]*m/g, "").includes(base)) {
      try {
        if ((await fetch(base)).ok) return preview;
      } catch {
        /* not up yet */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  preview.kill();
  throw new Error(`vite preview did not answer on ${base} within 30 s:\n${log}`);
}
