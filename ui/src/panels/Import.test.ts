import { describe, expect, it } from "vitest";
import type { ImportPreview } from "../analysis";
import { smallDesign, smallState } from "../fixtures/small";
import { Store } from "../store";
import { applyImport } from "../actions/applyImport";
import { changeRows, diagnosticWhere, importedSummary, isAbsolutePath, itemKey, skipList, typedSources, wouldChange } from "./Import";

/** The shape `import_preview` answers (src-tauri/src/commands/import.rs), for a small import. */
const preview = (): ImportPreview => ({
  imported: { services: 2, endpoints: 3, flows: 1, declared_flows: 1, observed_flows: 0, data_classes: 1, live_policies: 0 },
  preview: {
    added: 3,
    updated: 1,
    unchanged: 1,
    skipped: 0,
    items: [
      { kind: "data_class", id: "email", change: "added" },
      { kind: "service", id: "web", change: "updated", fields: ["endpoints", "provenance"] },
      { kind: "service", id: "search", change: "added" },
      { kind: "service", id: "db", change: "unchanged" },
      { kind: "flow", id: "declared:web->search:8080", change: "added" },
    ],
  },
  proposal: { segments: [{ segment: { id: "edge", name: "Edge (proposed)", members: ["search"] }, reasons: { search: "internet-facing" } }] },
  proposal_preview: [{ kind: "segment", id: "edge", change: "added" }],
  sources: [
    { source: "/inv/search.yaml", format: "openapi 3.0.3", detail: "service `search`: 3 endpoints" },
    { source: "/inv/parts/schemas.yaml", format: "$ref target", detail: "" },
    { source: "/inv/broken.yaml", format: "error", detail: "invalid YAML" },
  ],
  diagnostics: [{ severity: "error", code: "yaml", source: "/inv/broken.yaml", line: 8, column: 1, message: "invalid YAML: while parsing a flow sequence" }],
});

describe("import preview helpers", () => {
  it("lists what would be added, then updated, and leaves unchanged items out", () => {
    expect(changeRows(preview()).map(itemKey)).toEqual(["data_class:email", "service:search", "flow:declared:web->search:8080", "service:web"]);
  });

  it("sends only excluded keys of this preview as `skip`", () => {
    const excluded = new Set(["service:search", "service:db", "service:gone"]);
    expect(skipList(preview(), excluded)).toEqual(["service:search"]);
  });

  it("says where a problem is, with line and column when known", () => {
    const d = preview().diagnostics[0]!;
    expect(diagnosticWhere(d)).toBe("/inv/broken.yaml:8:1");
    expect(diagnosticWhere({ ...d, column: null })).toBe("/inv/broken.yaml:8");
    expect(diagnosticWhere({ ...d, line: null, column: null, pointer: "/paths/~1a" })).toBe("/inv/broken.yaml#/paths/~1a");
    expect(diagnosticWhere({ ...d, source: "http://127.0.0.1:9/x", line: null, column: null })).toBe("http://127.0.0.1:9/x");
  });

  it("summarises what the sources gave, not counting $ref parts", () => {
    expect(importedSummary(preview())).toBe("2 services, 3 endpoints, 1 flow (1 declared, 0 observed), 1 data class from 2 sources");
  });

  it("leaves the live policy out with the key the shell documents (`live_policy:live`)", () => {
    const p = preview();
    const live = { kind: "live_policy" as const, id: "live", change: "added" as const, reason: "13 NetworkPolicies allow 10 service pair(s)" };
    const withLive = { ...p, preview: { ...p.preview, items: [...p.preview.items, live] } };
    expect(skipList(withLive, new Set(["live_policy:live"]))).toEqual(["live_policy:live"]);
  });

  it("knows when merging would change nothing", () => {
    const p = preview();
    const all = new Set(changeRows(p).map(itemKey));
    expect(wouldChange(p, new Set(), false)).toBe(true);
    expect(wouldChange(p, all, false)).toBe(false);
    expect(wouldChange(p, all, true)).toBe(true);
    const skippedProposal = { ...p, proposal_preview: [{ kind: "segment" as const, id: "edge", change: "skipped" as const, reason: "a segment with this id already exists; it is kept" }] };
    expect(wouldChange(skippedProposal, all, true)).toBe(false);
  });

  it("merges the backend's design as one undoable edit", () => {
    const store = new Store(smallState());
    const before = store.get().design;
    const merged = { ...smallDesign(), services: [...(smallDesign().services ?? []), { id: "search", name: "Search", kind: "api" as const }] };
    store.dispatch(applyImport, { merged });
    expect(store.get().design.services?.map((s) => s.id)).toContain("search");
    store.undo();
    expect(store.get().design).toBe(before);
  });

  it("takes typed absolute paths (Unix or Windows) as file-or-folder sources, once each", () => {
    expect(isAbsolutePath("/srv/inventory")).toBe(true);
    expect(isAbsolutePath("C:\\inv\\a.yaml")).toBe(true);
    expect(isAbsolutePath("\\\\server\\share")).toBe(true);
    expect(isAbsolutePath("inventory/a.yaml")).toBe(false);
    expect(isAbsolutePath("~/a.yaml")).toBe(false);
    const chosen = [{ kind: "file" as const, path: "/inv/a.yaml" }];
    expect(typedSources("  /inv/b  \n/inv/a.yaml\n\n/inv/b\nrel/c.yaml", chosen)).toEqual({ add: [{ kind: "path", path: "/inv/b" }], bad: ["rel/c.yaml"] });
  });
});
