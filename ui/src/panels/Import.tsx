//! Import: from files, a folder or a URL. Shows what would be added or updated and the proposed
//! segmentation (accept all, some or none) before anything is merged.

import { useState } from "preact/hooks";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { ImportPreview, ImportSource } from "../analysis";
import { call, type CommandError } from "../ipc";
import { applyImport } from "../actions/applyImport";
import { displayName } from "../model/design";

export function Import({ app, state }: { app: Controller; state: AppState }) {
  const [sources, setSources] = useState<ImportSource[]>([]);
  const [url, setUrl] = useState("");
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [acceptProposal, setAcceptProposal] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);

  const ask = async (next: ImportSource[]) => {
    setSources(next);
    setBusy(true);
    setError(null);
    try {
      const p = await call("import_preview", { design: state.design, sources: next });
      setPreview(p);
      setAcceptProposal(p.proposal.length > 0);
    } catch (e) {
      setError(e as CommandError);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const pickFiles = async () => {
    const picked = await openDialog({ multiple: true, directory: false, title: "Import files", filters: [{ name: "Inventories", extensions: ["json", "yaml", "yml", "log", "txt", "har"] }] });
    const paths = Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    if (paths.length) await ask([...sources, ...paths.map((path): ImportSource => ({ kind: "file", path }))]);
  };
  const pickFolder = async () => {
    const dir = await openDialog({ directory: true, multiple: false, title: "Import a folder" });
    if (typeof dir === "string") await ask([...sources, { kind: "folder", path: dir }]);
  };
  const addUrl = async () => {
    const u = url.trim();
    if (!/^https?:\/\//i.test(u)) return setError({ code: "invalid_url", message: `\`${u}\` is not an http(s) URL` });
    setUrl("");
    await ask([...sources, { kind: "url", url: u }]);
  };
  const added = preview?.changes.filter((c) => c.change === "added") ?? [];
  const updated = preview?.changes.filter((c) => c.change === "updated") ?? [];
  return (
    <div class="import">
      <div class="row">
        <button data-testid="import-files" disabled={busy} onClick={pickFiles}>
          Files…
        </button>
        <button data-testid="import-folder" disabled={busy} onClick={pickFolder}>
          Folder…
        </button>
      </div>
      <div class="row">
        <input data-testid="import-url" placeholder="https://…/openapi.yaml" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === "Enter" && addUrl()} />
        <button data-testid="import-url-go" disabled={busy || !url.trim()} onClick={addUrl}>
          Fetch
        </button>
      </div>
      {sources.length ? (
        <ul class="plain small" data-testid="import-sources">
          {sources.map((s, i) => (
            <li key={i}>
              {s.kind}: <code>{s.kind === "url" ? s.url : s.path}</code>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted small">OpenAPI/Swagger specs, Kubernetes manifests, traffic logs and gateway configs.</p>
      )}
      {busy ? <p class="muted">Reading…</p> : null}
      {error ? (
        <p class="error" data-testid="import-error">
          {error.message}
        </p>
      ) : null}
      {preview ? (
        <div data-testid="import-preview">
          {preview.diagnostics.length ? (
            <ul class="inline-diagnostics">
              {preview.diagnostics.map((d, i) => (
                <li key={i} class={`diag diag-${d.severity}`}>
                  {d.message} {d.location ? <code>{`${d.location.line}:${d.location.column}`}</code> : null}
                </li>
              ))}
            </ul>
          ) : null}
          <h3>
            {added.length} added, {updated.length} updated
          </h3>
          <ul class="plain small change-list">
            {preview.changes.slice(0, 500).map((c) => (
              <li key={`${c.kind}:${c.id}`} data-testid="import-change" class={`change-${c.change}`}>
                {c.change === "added" ? "+" : "~"} {c.kind} <code>{c.id}</code>
                {c.fields?.length ? <span class="muted"> ({c.fields.join(", ")})</span> : null}
                {c.source ? <span class="muted"> from {c.source}</span> : null}
              </li>
            ))}
          </ul>
          {preview.proposal.length ? (
            <>
              <h3>Proposed segmentation</h3>
              <ul class="plain small" data-testid="import-proposal">
                {preview.proposal.map((s) => (
                  <li key={s.id}>
                    <b>{displayName(s)}</b> <span class="muted">{s.level ?? "application"} · {s.trust ?? "medium"} trust · {(s.members ?? []).length} services</span>
                  </li>
                ))}
              </ul>
              <label class="check block">
                <input type="checkbox" data-testid="import-accept-proposal" checked={acceptProposal} onChange={(e) => setAcceptProposal((e.target as HTMLInputElement).checked)} /> accept the proposed segments
              </label>
            </>
          ) : null}
          <div class="row">
            <button
              class="primary"
              data-testid="import-apply"
              disabled={busy}
              onClick={async () => {
                setBusy(true);
                try {
                  const merged = await call("import_apply", { design: state.design, sources, accept_proposal: acceptProposal });
                  app.dispatch(applyImport, { merged });
                  setPreview(null);
                  setSources([]);
                } catch (e) {
                  setError(e as CommandError);
                } finally {
                  setBusy(false);
                }
              }}
            >
              Merge into design
            </button>
            <button
              data-testid="import-cancel"
              onClick={() => {
                setPreview(null);
                setSources([]);
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
