//! Entry point: build the controller, mount the UI, open what the URL or the shell asks for.

import { render } from "preact";
import { listen } from "@tauri-apps/api/event";
import { App } from "./App";
import { Controller } from "./controller";
import "./styles.css";

const app = new Controller();
render(<App app={app} />, document.getElementById("root")!);
const open = new URLSearchParams(location.search).get("open");
void app.files.start(open);
// The shell may ask to open a file (e.g. from the command line) at any time.
listen<string>("bulkhead://open", (e) => void app.files.open(e.payload)).catch(() => undefined);
// For tests and the benchmark: the controller, read-only use.
(window as unknown as { __bulkhead: Controller }).__bulkhead = app;
