// Ports for the `vite preview` servers of the Chromium flows and bench. A fixed port let two runs
// at once (two checkouts, or CI beside a developer's run) both "find" the first run's server and
// test the wrong build, so each run takes a port the kernel says is free unless one is named.
import net from "node:net";

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
