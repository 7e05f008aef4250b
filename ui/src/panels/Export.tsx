//! Export: choose targets, preview the files (highlighted), write them to a folder.

import { useEffect, useState } from "preact/hooks";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { ExportFile } from "../analysis";
import { call, type CommandError } from "../ipc";
import { highlight, languageOf } from "../highlight";

/** Human names for the targets the backend lists (`export_targets`); unknown ones show as-is. */
export const TARGET_TITLES: Record<string, string> = {
  networkpolicy: "Kubernetes NetworkPolicy (ingress)",
  "networkpolicy-egress": "Kubernetes NetworkPolicy (ingress + egress)",
  cilium: "Cilium (L7 HTTP)",
  istio: "Istio AuthorizationPolicy",
  kong: "Kong declarative config",
  nginx: "NGINX gateway",
};

export function Code({ file }: { file: ExportFile }) {
  return (
    <pre class="code" data-testid="export-content">
      {highlight(file.contents, languageOf(file.path)).map((t, i) => (t.cls === "plain" ? t.text : <span key={i} class={`tok-${t.cls}`}>{t.text}</span>))}
    </pre>
  );
}

export function Export({ app, state }: { app: Controller; state: AppState }) {
  const [available, setAvailable] = useState<string[] | null>(null);
  const [targets, setTargets] = useState<Set<string>>(new Set(["networkpolicy"]));
  const [files, setFiles] = useState<ExportFile[] | null>(null);
  const [shown, setShown] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [dir, setDir] = useState("");
  const [force, setForce] = useState(false);
  const [written, setWritten] = useState<{ dir: string; paths: string[] } | null>(null);
  useEffect(() => {
    call("export_targets", {})
      .then((t) => {
        setAvailable(t);
        setTargets((cur) => new Set([...cur].filter((x) => t.includes(x)).concat(cur.size ? [] : t.slice(0, 1))));
      })
      .catch((e) => {
        setAvailable([]);
        setError(e as CommandError);
      });
  }, []);
  const chosen = (available ?? []).filter((t) => targets.has(t));
  const preview = async () => {
    setBusy(true);
    setError(null);
    setWritten(null);
    try {
      setFiles(await app.held.ask(state.design, (revision) => call("export_preview", { revision, targets: chosen })));
      setShown(0);
    } catch (e) {
      setError(e as CommandError);
      setFiles(null);
    } finally {
      setBusy(false);
    }
  };
  const pickDir = async () => {
    const picked = await openDialog({ directory: true, multiple: false, title: "Write the export into…" });
    if (typeof picked === "string") setDir(picked);
  };
  const write = async () => {
    setBusy(true);
    setError(null);
    try {
      setWritten({ dir, paths: await app.held.ask(state.design, (revision) => call("export_write", { revision, targets: chosen, dir, force })) });
    } catch (e) {
      setError(e as CommandError);
    } finally {
      setBusy(false);
    }
  };
  const file = files?.[shown];
  return (
    <div class="export">
      {available === null ? <p class="muted">Asking which targets exist…</p> : null}
      <div class="checks">
        {(available ?? []).map((t) => (
          <label class="check" key={t}>
            <input
              type="checkbox"
              data-testid="export-target"
              data-target={t}
              checked={targets.has(t)}
              onChange={(e) => {
                const next = new Set(targets);
                if ((e.target as HTMLInputElement).checked) next.add(t);
                else next.delete(t);
                setTargets(next);
                setFiles(null);
              }}
            />{" "}
            {TARGET_TITLES[t] ?? t}
          </label>
        ))}
      </div>
      <div class="row">
        <button class="primary" data-testid="export-preview" disabled={busy || chosen.length === 0} onClick={preview}>
          Preview
        </button>
      </div>
      <div class="row">
        <input data-testid="export-dir" placeholder="/absolute/output/folder" value={dir} onInput={(e) => setDir((e.target as HTMLInputElement).value)} />
        <button data-testid="export-pick-dir" onClick={pickDir}>
          Choose…
        </button>
      </div>
      <div class="row">
        <label class="check">
          <input type="checkbox" data-testid="export-force" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} /> overwrite existing files
        </label>
        <button data-testid="export-write" disabled={busy || chosen.length === 0 || dir.trim() === ""} onClick={write}>
          Write files
        </button>
      </div>
      {error ? (
        <p class="error" data-testid="export-error">
          {error.code === "exists" ? `${error.message} (tick "overwrite existing files" to replace them)` : error.message}
        </p>
      ) : null}
      {written ? (
        <div class="ok" data-testid="export-written">
          Wrote {written.paths.length} files to <code>{written.dir}</code>
          <ul class="plain small">
            {written.paths.slice(0, 100).map((p) => (
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
              <li key={f.path} data-testid="export-file" data-path={f.path} class={i === shown ? "active" : ""} onClick={() => setShown(i)}>
                <code>{f.path}</code> <span class="muted small">{f.target}</span>
              </li>
            ))}
          </ul>
          {file?.gaps?.length ? (
            <ul class="inline-diagnostics">
              {file.gaps.map((g, i) => (
                <li key={i} class="diag">
                  {g}
                </li>
              ))}
            </ul>
          ) : null}
          {file ? <Code file={file} /> : <p class="muted">No files for these targets.</p>}
        </div>
      ) : null}
    </div>
  );
}
