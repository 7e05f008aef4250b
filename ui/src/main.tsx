//! Entry point: build the controller, mount the UI, open what the URL or the shell asks for.

import { render } from "preact";
import { App } from "./App";
import { Controller } from "./controller";
import { testHooks, type TestHooks } from "./hooks";
import "./styles.css";

const app = new Controller();
// Started before the first render, so that the request for the design leaves first: the shell's
// answer (5 MB on a large estate) travels while the page renders its panels.
const started = app.files.start();
render(<App app={app} />, document.getElementById("root")!);
void started;
// Read-only hooks for the E2E tests and the benchmark (docs/ipc.md, "Test hooks").
(window as unknown as { __bulkhead: TestHooks }).__bulkhead = testHooks(app);
