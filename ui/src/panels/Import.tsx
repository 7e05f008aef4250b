//! Import: from files, a folder or a URL. Shows what the sources gave, what merging would add or
//! update (each item can be left out), every problem with its file and line, and the proposed
//! segmentation (accept or ignore) before anything is merged. Merging is one undoable edit.

import { useState } from "preact/hooks";
import { open as openDialog } from "@tauri-apps/plugin-dialog";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { ImportDiagnostic, ImportPreview, ImportPreviewItem, ImportSource } from "../analysis";
import { call, type CommandError } from "../ipc";
import { applyImport } from "../actions/applyImport";
import { displayName } from "../model/design";

/** How many change rows are drawn; the rest are counted. */
export const MAX_ROWS = 500;

/** The key `import_apply`'s `skip` takes for an item (`service:<id>`). */
export function itemKey(i: Pick<ImportPreviewItem, "kind" | "id">): string {
  return `${i.kind}:${i.id}`;
}

/** The items merging would change (added first, then updated), which the user may leave out. */
export function changeRows(p: ImportPreview): ImportPreviewItem[] {
  const rank = { added: 0, updated: 1, unchanged: 2, skipped: 3 } as const;
  return p.preview.items.filter((i) => i.change === "added" || i.change === "updated").sort((a, b) => rank[a.change] - rank[b.change]);
}

/** The `skip` list for `import_apply`: the excluded keys that name an item of this preview. */
export function skipList(p: ImportPreview, excluded: ReadonlySet<string>): string[] {
  return changeRows(p)
    .map(itemKey)
    .filter((k) => excluded.has(k));
}

/** Where a problem is: `file:line:col`, `file:line` or the file alone. */
export function diagnosticWhere(d: ImportDiagnostic): string {
  if (d.line && d.column) return `${d.source}:${d.line}:${d.column}`;
  if (d.line) return `${d.source}:${d.line}`;
  if (d.pointer) return `${d.source}#${d.pointer}`;
  return d.source;
}

/** One line on what the sources gave. */
export function importedSummary(p: ImportPreview): string {
  const n = p.imported;
  const plural = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`;
  const parts = [plural(n.services, "service"), plural(n.endpoints, "endpoint"), `${plural(n.flows, "flow")} (${n.declared_flows} declared, ${n.observed_flows} observed)`, plural(n.data_classes, "data class", "data classes")];
  if (n.live_policies) parts.push(plural(n.live_policies, "live policy", "live policies"));
  const read = p.sources.filter((s) => s.format !== "$ref target").length;
  return `${parts.join(", ")} from ${plural(read, "source")}`;
}

/** Whether merging would change the design at all with these choices. */
export function wouldChange(p: ImportPreview, excluded: ReadonlySet<string>, acceptProposal: boolean): boolean {
  if (changeRows(p).some((i) => !excluded.has(itemKey(i)))) return true;
  return acceptProposal && p.proposal_preview.some((i) => i.change === "added");
}

function sourceLabel(s: ImportSource): string {
  return s.kind === "url" ? s.url : s.path;
}

/** Whether `text` is an absolute path (Unix, or Windows `C:\…` / `\\server\…`). */
export function isAbsolutePath(text: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(text);
}

/**
 * A typed or pasted path as a source (a file or a folder: the shell tells which). Several may
 * be given on separate lines; one already chosen is not added twice.
 */
export function typedSources(text: string, chosen: readonly ImportSource[]): { add: ImportSource[]; bad: string[] } {
  const seen = new Set(chosen.map(sourceLabel));
  const add: ImportSource[] = [];
  const bad: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const p = line.trim();
    if (!p || seen.has(p)) continue;
    if (!isAbsolutePath(p)) bad.push(p);
    else {
      seen.add(p);
      add.push({ kind: "path", path: p });
    }
  }
  return { add, bad };
}

export function Import({ app, state }: { app: Controller; state: AppState }) {
  const [sources, setSources] = useState<ImportSource[]>([]);
  const [url, setUrl] = useState("");
  const [typed, setTyped] = useState("");
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [acceptProposal, setAcceptProposal] = useState(false);
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [merged, setMerged] = useState<string | null>(null);

  const ask = async (next: ImportSource[]) => {
    setSources(next);
    setMerged(null);
    setError(null);
    setExcluded(new Set());
    if (!next.length) return setPreview(null);
    setBusy(true);
    try {
      const p = await app.held.ask(state.design, (revision) => call("import_preview", { revision, sources: next }));
      setPreview(p);
      setAcceptProposal(p.proposal_preview.some((i) => i.change === "added"));
    } catch (e) {
      setError(e as CommandError);
      setPreview(null);
    } finally {
      setBusy(false);
    }
  };
  const pickFiles = async () => {
    const picked = await openDialog({ multiple: true, directory: false, title: "Import files", filters: [{ name: "Inventories and logs", extensions: ["json", "yaml", "yml", "log", "csv", "txt"] }, { name: "All files", extensions: ["*"] }] });
    const paths = Array.isArray(picked) ? picked : typeof picked === "string" ? [picked] : [];
    if (paths.length) await ask([...sources, ...paths.map((path): ImportSource => ({ kind: "file", path }))]);
  };
  const pickFolder = async () => {
    const dir = await openDialog({ directory: true, multiple: false, title: "Import a folder" });
    if (typeof dir === "string") await ask([...sources, { kind: "folder", path: dir }]);
  };
  const addUrl = async () => {
    const u = url.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) return setError({ code: "invalid_input", message: `\`${u}\` is not an http(s) URL` });
    setUrl("");
    await ask([...sources, { kind: "url", url: u }]);
  };
  const addTyped = async () => {
    const { add, bad } = typedSources(typed, sources);
    if (bad.length) return setError({ code: "invalid_input", message: `${bad.map((b) => `\`${b}\``).join(", ")} ${bad.length === 1 ? "is not an absolute path" : "are not absolute paths"}: give the full path of a file or folder` });
    setTyped("");
    if (add.length) await ask([...sources, ...add]);
  };
  const apply = async () => {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const design = await app.held.ask(state.design, (revision) => call("import_apply", { revision, sources, accept_proposal: acceptProposal, skip: skipList(preview, excluded) }));
      app.dispatch(applyImport, { merged: design });
      const kept = changeRows(preview).filter((i) => !excluded.has(itemKey(i))).length;
      const segs = acceptProposal ? preview.proposal_preview.filter((i) => i.change === "added").length : 0;
      setMerged(`Merged ${kept} change${kept === 1 ? "" : "s"}${segs ? ` and ${segs} proposed segment${segs === 1 ? "" : "s"}` : ""}. Undo with Ctrl+Z.`);
      setPreview(null);
      setSources([]);
    } catch (e) {
      setError(e as CommandError);
    } finally {
      setBusy(false);
    }
  };
  const toggle = (key: string, include: boolean) => {
    const next = new Set(excluded);
    if (include) next.delete(key);
    else next.add(key);
    setExcluded(next);
  };

  const rows = preview ? changeRows(preview) : [];
  const problems = preview?.diagnostics.filter((d) => d.severity !== "info") ?? [];
  const notes = preview?.diagnostics.filter((d) => d.severity === "info") ?? [];
  const errorCount = problems.filter((d) => d.severity === "error").length;
  return (
    <div class="import">
      <h3>Import an inventory</h3>
      <p class="muted small">OpenAPI/Swagger, Kubernetes manifests, traffic logs (NGINX, Hubble, Zeek, CSV) and Kong configs. Nothing changes until you merge.</p>
      <div class="row">
        <button data-testid="import-files" disabled={busy} onClick={pickFiles}>
          Files…
        </button>
        <button data-testid="import-folder" disabled={busy} onClick={pickFolder}>
          Folder…
        </button>
      </div>
      <div class="row">
        <input
          data-testid="import-path"
          placeholder="/absolute/path/to/file-or-folder"
          title="the absolute path of a file or a folder to import"
          value={typed}
          onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => e.key === "Enter" && !busy && addTyped()}
        />
        <button data-testid="import-path-add" disabled={busy || !typed.trim()} onClick={addTyped}>
          Add
        </button>
      </div>
      <div class="row">
        <input data-testid="import-url" placeholder="https://…/openapi.yaml" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} onKeyDown={(e) => e.key === "Enter" && !busy && addUrl()} />
        <button data-testid="import-url-go" disabled={busy || !url.trim()} onClick={addUrl}>
          Fetch
        </button>
      </div>
      {sources.length ? (
        <ul class="plain small" data-testid="import-sources">
          {sources.map((s, i) => (
            <li key={i} data-testid="import-source">
              {s.kind}: <code>{sourceLabel(s)}</code>{" "}
              <button class="link" title="remove this source" disabled={busy} data-testid="import-source-remove" onClick={() => ask(sources.filter((_, j) => j !== i))}>
                remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {busy ? (
        <p class="muted" data-testid="import-busy">
          Reading{sources.some((s) => s.kind === "url") ? " and fetching" : ""}…
        </p>
      ) : null}
      {error ? (
        <p class="error" data-testid="import-error" data-code={error.code}>
          {error.message}
        </p>
      ) : null}
      {merged ? (
        <p class="good" data-testid="import-merged">
          {merged}
        </p>
      ) : null}
      {preview ? (
        <div data-testid="import-preview">
          <p class="small" data-testid="import-summary">
            Read {importedSummary(preview)}.
          </p>
          {problems.length ? (
            <>
              <h4 class={errorCount ? "error" : ""}>
                {errorCount ? `${errorCount} source${errorCount === 1 ? "" : "s"} could not be imported` : "Warnings"}
                {errorCount ? <span class="muted small"> (the rest was)</span> : null}
              </h4>
              <ul class="inline-diagnostics" data-testid="import-diagnostics">
                {problems.map((d, i) => (
                  <li key={i} class={`diag diag-${d.severity}`} data-testid="import-diagnostic" data-severity={d.severity} data-source={d.source} data-code={d.code}>
                    <code class="small">{diagnosticWhere(d)}</code>
                    <div>{d.message}</div>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <details class="small">
            <summary>
              {preview.sources.length} source{preview.sources.length === 1 ? "" : "s"} read{notes.length ? `, ${notes.length} note${notes.length === 1 ? "" : "s"}` : ""}
            </summary>
            <ul class="plain" data-testid="import-reports">
              {preview.sources
                .filter((s) => s.format !== "$ref target")
                .slice(0, MAX_ROWS)
                .map((s, i) => (
                  <li key={i}>
                    <span class="tag">{s.format}</span> <code>{s.source}</code> <span class="muted">{s.detail}</span>
                  </li>
                ))}
              {notes.map((d, i) => (
                <li key={`n${i}`} class="muted">
                  note: <code>{diagnosticWhere(d)}</code> {d.message}
                </li>
              ))}
            </ul>
          </details>
          <h3 data-testid="import-counts">
            {preview.preview.added} to add, {preview.preview.updated} to update
            <span class="muted small"> · {preview.preview.unchanged} unchanged</span>
          </h3>
          {rows.length ? (
            <ul class="plain small change-list">
              {rows.slice(0, MAX_ROWS).map((c) => {
                const key = itemKey(c);
                return (
                  <li key={key} data-testid="import-change" data-kind={c.kind} data-id={c.id} data-change={c.change} class={`change-${c.change}`}>
                    <label class="check">
                      <input type="checkbox" data-testid="import-change-include" checked={!excluded.has(key)} onChange={(e) => toggle(key, (e.target as HTMLInputElement).checked)} />
                      {c.change === "added" ? "+" : "~"} {c.kind.replace("_", " ")} <code>{c.id}</code>
                    </label>
                    {c.fields?.length ? <span class="muted"> ({c.fields.join(", ")})</span> : null}
                    {c.reason ? <span class="muted"> {c.reason}</span> : null}
                  </li>
                );
              })}
              {rows.length > MAX_ROWS ? <li class="muted">… and {rows.length - MAX_ROWS} more (all merged)</li> : null}
            </ul>
          ) : (
            <p class="muted small" data-testid="import-nothing">
              The design already has everything these sources describe.
            </p>
          )}
          {preview.proposal.segments.length ? (
            <>
              <h3>Proposed segmentation</h3>
              <ul class="plain small" data-testid="import-proposal">
                {preview.proposal.segments.map((p) => {
                  const effect = preview.proposal_preview.find((i) => i.id === p.segment.id);
                  return (
                    <li key={p.segment.id} data-testid="import-proposed-segment" data-id={p.segment.id} data-change={effect?.change ?? "added"}>
                      <b>{displayName(p.segment)}</b>{" "}
                      <span class="muted">
                        {p.segment.level ?? "application"} · {p.segment.trust ?? "medium"} trust · {(p.segment.members ?? []).length} service{(p.segment.members ?? []).length === 1 ? "" : "s"}
                      </span>
                      {effect?.change === "skipped" ? <span class="muted"> — not added: {effect.reason}</span> : null}
                      <ul class="plain">
                        {(p.segment.members ?? []).slice(0, 50).map((m) => (
                          <li key={m} class="muted">
                            <code>{m}</code> {p.reasons[m] ?? ""}
                          </li>
                        ))}
                      </ul>
                    </li>
                  );
                })}
              </ul>
              <label class="check block">
                <input type="checkbox" data-testid="import-accept-proposal" checked={acceptProposal} onChange={(e) => setAcceptProposal((e.target as HTMLInputElement).checked)} /> accept the proposed segments (only services in no segment yet are placed)
              </label>
            </>
          ) : null}
          <div class="row">
            <button class="primary" data-testid="import-apply" disabled={busy || !wouldChange(preview, excluded, acceptProposal)} onClick={apply}>
              Merge into design
            </button>
            <button data-testid="import-cancel" disabled={busy} onClick={() => (setPreview(null), setSources([]), setError(null))}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
