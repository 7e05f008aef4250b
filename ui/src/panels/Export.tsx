//! Export: choose targets, preview the files (highlighted), write them to a folder.

import { useState } from "preact/hooks";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { ExportFile, ExportTarget } from "../analysis";
import { call, type CommandError } from "../ipc";
import { highlight } from "../highlight";

export const TARGETS: [ExportTarget, string][] = [
  ["networkpolicy", "Kubernetes NetworkPolicy"],
  ["cilium", "Cilium (L7)"],
  ["istio", "Istio AuthorizationPolicy"],
  ["kong", "Kong declarative config"],
  ["nginx", "NGINX gateway"],
];

export function Code({ file }: { file: ExportFile }) {
  return (
    <pre class="code" data-testid="export-content">
      {highlight(file.content, file.language).map((t, i) => (t.cls === "plain" ? t.text : <span key={i} class={`tok-${t.cls}`}>{t.text}</span>))}
    </pre>
  );
}

export function Export({ state }: { app: Controller; state: AppState }) {
  const [targets, setTargets] = useState<Set<ExportTarget>>(new Set(["networkpolicy"]));
  const [files, setFiles] = useState<ExportFile[] | null>(null);
  const [shown, setShown] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [written, setWritten] = useState<{ dir: string; paths: string[] } | null>(null);
  const chosen = TARGETS.map(([t]) => t).filter((t) => targets.has(t));
  const preview = async () => {
    setBusy(true);
    setError(null);
    setWritten(null);
    try {
      setFiles(await call("export_preview", { design: state.design, targets: chosen }));
      setShown(0);
    } catch (e) {
      setError(e as CommandError);
      setFiles(null);
    } finally {
      setBusy(false);
    }
  };
  const write = async () => {
    const dir = await openDialog({ directory: true, multiple: false, title: "Write the export into…" });
    if (typeof dir !== "string") return;
    setBusy(true);
    setError(null);
    try {
      setWritten({ dir, paths: await call("export_write", { design: state.design, targets: chosen, dir }) });
    } catch (e) {
      setError(e as CommandError);
    } finally {
      setBusy(false);
    }
  };
  const file = files?.[shown];
  return (
    <div class="export">
      <div class="checks">
        {TARGETS.map(([t, label]) => (
          <label class="check" key={t}>
            <input
              type="checkbox"
              data-testid={`export-target-${t}`}
              checked={targets.has(t)}
              onChange={(e) => {
                const next = new Set(targets);
                if ((e.target as HTMLInputElement).checked) next.add(t);
                else next.delete(t);
                setTargets(next);
                setFiles(null);
              }}
            />{" "}
            {label}
          </label>
        ))}
      </div>
      <div class="row">
        <button class="primary" data-testid="export-preview" disabled={busy || chosen.length === 0} onClick={preview}>
          Preview
        </button>
        <button data-testid="export-write" disabled={busy || chosen.length === 0} onClick={write}>
          Write to folder…
        </button>
      </div>
      {error ? (
        <p class="error" data-testid="export-error">
          {error.message}
        </p>
      ) : null}
      {written ? (
        <div class="ok" data-testid="export-written">
          Wrote {written.paths.length} files to <code>{written.dir}</code>
          <ul class="plain small">
            {written.paths.slice(0, 50).map((p) => (
              <li key={p}>
                <code>{p}</code>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {files ? (
        <div class="export-preview">
          <ul class="file-list" data-testid="export-files">
            {files.map((f, i) => (
              <li key={f.path} data-testid="export-file" class={i === shown ? "active" : ""} onClick={() => setShown(i)}>
                <code>{f.path}</code> <span class="muted small">{f.target}</span>
              </li>
            ))}
          </ul>
          {file ? <Code file={file} /> : <p class="muted">No files for these targets.</p>}
        </div>
      ) : null}
    </div>
  );
}
