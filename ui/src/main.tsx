//! Entry point: build the controller, mount the UI, open what the URL or the shell asks for.

import { render } from "preact";
import { App } from "./App";
import { Controller } from "./controller";
import { testHooks, type TestHooks } from "./hooks";
import "./styles.css";

const app = new Controller();
render(<App app={app} />, document.getElementById("root")!);
void app.files.start();
// Read-only hooks for the E2E tests and the benchmark (docs/ipc.md, "Test hooks").
(window as unknown as { __bulkhead: TestHooks }).__bulkhead = testHooks(app);
