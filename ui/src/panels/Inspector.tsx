//! The inspector: edit the selected service, segment, flow or rule (or the design itself when
//! nothing is selected), with the validator's messages for that element inline.

import { useState } from "preact/hooks";
import type { Controller } from "../controller";
import type { AppState } from "../state";
import type { BackendView } from "../backend";
import type { Credential, Design, Flow, FlowKind, Peer, Rule, Segment, SegmentLevel, Sensitivity, Service, ServiceKind, TrustLevel, Weakness } from "../generated/bulkhead";
import { displayName, leafSegments, pointerOf, SENSITIVITY_ORDER } from "../model/design";
import { updateService } from "../actions/updateService";
import { updateSegment } from "../actions/updateSegment";
import { updateFlow } from "../actions/updateFlow";
import { setRule } from "../actions/setRule";
import { moveToSegment } from "../actions/moveToSegment";
import { deleteElements } from "../actions/deleteElements";
import { setDesignInfo } from "../actions/setDesignInfo";
import { select } from "../actions/select";
import { Field, InlineDiagnostics, ListInput, NumberInput, PortsInput, Select, TextInput } from "./fields";
import { AuthEditor, RateLimitEditor } from "./policy";
import { explainDecision } from "./explain";

const KINDS: ServiceKind[] = ["api", "web", "gateway", "worker", "datastore", "queue", "external", "client"];
const LEVELS: SegmentLevel[] = ["network", "identity", "application", "data"];
const TRUSTS: TrustLevel[] = ["untrusted", "low", "medium", "high"];

interface Props {
  app: Controller;
  state: AppState;
  view: BackendView;
}

export function Inspector({ app, state, view }: Props) {
  const sel = state.selection;
  const d = state.design;
  if (sel.kind === "service" && sel.ids.length > 1) return <MultiServices app={app} state={state} />;
  const id = sel.ids[0];
  if (sel.kind === "service" && id) {
    const s = d.services?.find((x) => x.id === id);
    if (s) return <ServiceInspector app={app} design={d} service={s} view={view} />;
  }
  if (sel.kind === "segment" && id) {
    const s = d.segments?.find((x) => x.id === id);
    if (s) return <SegmentInspector app={app} design={d} segment={s} view={view} />;
  }
  if (sel.kind === "flow" && id) {
    const f = d.flows?.find((x) => x.id === id);
    if (f) return <FlowInspector app={app} design={d} flow={f} view={view} />;
  }
  if (sel.kind === "rule" && id) {
    const r = d.rules?.find((x) => x.id === id);
    if (r) return <RuleInspector app={app} design={d} rule={r} view={view} />;
  }
  return <DesignInspector app={app} design={d} view={view} />;
}

function Header(props: { kind: string; title: string; id: string; onDelete?: () => void }) {
  return (
    <div class="inspector-header">
      <div>
        <div class="eyebrow">{props.kind}</div>
        <h2 data-testid="inspector-title">{props.title}</h2>
        <code class="muted">{props.id}</code>
      </div>
      {props.onDelete ? (
        <button class="danger" data-testid="inspector-delete" onClick={props.onDelete} title="Delete (Del)">
          Delete
        </button>
      ) : null}
    </div>
  );
}

/** Rules listed before "show all": a generated estate has thousands, and the panel re-renders on every change. */
export const RULES_SHOWN = 150;

function DesignInspector({ app, design, view }: { app: Controller; design: Design; view: BackendView }) {
  const errors = view.diagnostics.filter((x) => x.severity === "error").length;
  const [allRules, setAllRules] = useState(false);
  const rules = design.rules ?? [];
  return (
    <div class="inspector" data-testid="inspector">
      <div class="eyebrow">Design</div>
      <Field label="Name">
        <TextInput testid="field-design-name" value={design.name ?? ""} onCommit={(name) => app.dispatch(setDesignInfo, { name })} />
      </Field>
      <p class="muted" data-testid="inspector-empty">
        {design.services?.length ?? 0} services · {design.segments?.length ?? 0} segments · {design.rules?.length ?? 0} rules · {design.flows?.length ?? 0} flows
        {errors ? ` · ${errors} validation errors` : ""}. Select an element on the canvas to edit it; double-click the canvas to add a service.
      </p>
      <h3>Data classes</h3>
      <table class="compact" data-testid="data-classes">
        <tbody>
          {(design.data_classes ?? []).map((dc) => (
            <tr key={dc.id}>
              <td>
                <span class={`sens-dot sens-${dc.sensitivity}`} /> {displayName(dc)}
              </td>
              <td>
                <Select<Sensitivity> testid={`field-dc-${dc.id}-sensitivity`} value={dc.sensitivity} options={SENSITIVITY_ORDER} onChange={(sensitivity) => app.dispatch(setDesignInfo, { dataClass: { ...dc, sensitivity } })} />
              </td>
              <td>
                <label class="check">
                  <input type="checkbox" data-testid={`field-dc-${dc.id}-crown`} checked={!!dc.crown_jewel} onChange={(e) => app.dispatch(setDesignInfo, { dataClass: { ...dc, crown_jewel: (e.target as HTMLInputElement).checked } })} /> crown jewel
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddDataClass app={app} />
      {rules.length ? (
        <>
          <h3>Rules</h3>
          <ul class="plain">
            {(allRules ? rules : rules.slice(0, RULES_SHOWN)).map((r) => (
              <li key={r.id}>
                <a href="#" data-testid="rule-link" onClick={(e) => (e.preventDefault(), app.dispatch(select, { kind: "rule", ids: [r.id] }))}>
                  {r.id}
                </a>{" "}
                <span class="muted">
                  {peerText(r.from)} → {peerText(r.to)} · {r.action ?? "allow"}
                </span>
              </li>
            ))}
          </ul>
          {!allRules && rules.length > RULES_SHOWN ? (
            <button class="link" data-testid="rules-show-all" onClick={() => setAllRules(true)}>
              show all {rules.length} rules
            </button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function AddDataClass({ app }: { app: Controller }) {
  return (
    <div class="row">
      <TextInput testid="field-dc-new" value="" placeholder="add a data class id, e.g. health" onCommit={(id) => id.trim() && app.dispatch(setDesignInfo, { dataClass: { id: id.trim(), sensitivity: "confidential" } })} />
    </div>
  );
}

export function peerText(p: Peer): string {
  if (typeof p === "string") return p;
  return "segment" in p ? `segment ${p.segment}` : `service ${p.service}`;
}

function MultiServices({ app, state }: { app: Controller; state: AppState }) {
  const ids = state.selection.ids;
  return (
    <div class="inspector" data-testid="inspector">
      <div class="eyebrow">{ids.length} services selected</div>
      <p class="muted">{ids.slice(0, 12).join(", ")}{ids.length > 12 ? ", …" : ""}</p>
      <div class="row">
        <button data-testid="btn-make-segment-inspector" onClick={() => app.run("makeSegment")}>
          Make a segment around them (G)
        </button>
        <button class="danger" onClick={() => app.run("delete")}>
          Delete
        </button>
      </div>
      <Field label="Move all to segment">
        <SegmentSelect design={state.design} value={null} testid="field-multi-segment" onChange={(segment) => app.dispatch(moveToSegment, { services: ids, segment })} />
      </Field>
    </div>
  );
}

function SegmentSelect(props: { design: Design; value: string | null; testid: string; onChange: (s: string | null) => void; exclude?: string }) {
  const opts: [string, string][] = [["", "(none)"], ...(props.design.segments ?? []).filter((s) => s.id !== props.exclude).map((s): [string, string] => [s.id, displayName(s)])];
  return <Select testid={props.testid} value={props.value ?? ""} options={opts} onChange={(v) => props.onChange(v === "" ? null : v)} />;
}

function ServiceInspector({ app, design, service: s, view }: { app: Controller; design: Design; service: Service; view: BackendView }) {
  const up = (patch: Partial<Service>) => app.dispatch(updateService, { id: s.id, patch });
  const seg = leafSegments(design).get(s.id) ?? null;
  const weaknesses = s.weaknesses ?? [];
  const creds = s.credentials ?? [];
  const setWeak = (i: number, w: Weakness | null) => up({ weaknesses: w ? weaknesses.map((x, j) => (i === j ? w : x)) : weaknesses.filter((_, j) => j !== i) });
  const setCred = (i: number, c: Credential | null) => up({ credentials: c ? creds.map((x, j) => (i === j ? c : x)) : creds.filter((_, j) => j !== i) });
  return (
    <div class="inspector" data-testid="inspector">
      <Header kind={`Service · ${s.kind ?? "api"}`} title={displayName(s)} id={s.id} onDelete={() => app.dispatch(deleteElements, { kind: "service", ids: [s.id] })} />
      <InlineDiagnostics diagnostics={view.diagnostics} pointer={pointerOf(design, "service", s.id)} />
      <Field label="Name">
        <TextInput testid="field-name" value={s.name ?? ""} onCommit={(name) => up({ name })} />
      </Field>
      <div class="row">
        <Field label="Kind">
          <Select<ServiceKind> testid="field-kind" value={s.kind ?? "api"} options={KINDS} onChange={(kind) => up({ kind })} />
        </Field>
        <Field label="Exposure">
          <Select testid="field-exposure" value={s.exposure ?? "internal"} options={[["internal", "internal"], ["internet", "internet-facing"]]} onChange={(exposure) => up({ exposure })} />
        </Field>
      </div>
      <Field label="Segment">
        <SegmentSelect design={design} value={seg} testid="field-segment" onChange={(segment) => app.dispatch(moveToSegment, { services: [s.id], segment })} />
      </Field>
      <div class="row">
        <Field label="Namespace">
          <TextInput testid="field-namespace" value={s.namespace ?? ""} onCommit={(v) => up({ namespace: v || null })} />
        </Field>
        <Field label="Workload identity">
          <TextInput testid="field-identity" value={s.identity ?? ""} placeholder="ns/serviceaccount" onCommit={(v) => up({ identity: v || null })} />
        </Field>
      </div>
      <Field label="Data held (sets the colour: highest sensitivity)">
        <div class="checks">
          {(design.data_classes ?? []).map((dc) => (
            <label class="check" key={dc.id}>
              <input
                type="checkbox"
                data-testid={`field-data-held-${dc.id}`}
                checked={(s.data_held ?? []).includes(dc.id)}
                onChange={(e) => {
                  const on = (e.target as HTMLInputElement).checked;
                  const held = (s.data_held ?? []).filter((x) => x !== dc.id);
                  up({ data_held: on ? [...held, dc.id] : held });
                }}
              />
              <span class={`sens-dot sens-${dc.sensitivity}`} /> {displayName(dc)}
              {dc.crown_jewel ? " ★" : ""}
            </label>
          ))}
        </div>
      </Field>
      <Field label="Tags (comma-separated)">
        <ListInput testid="field-tags" value={s.tags ?? []} onCommit={(tags) => up({ tags })} />
      </Field>
      <h3>Known weaknesses</h3>
      {weaknesses.map((w, i) => (
        <div class="card" data-testid="weakness-row" key={i}>
          <div class="row">
            <Field label="Id">
              <TextInput testid="field-weakness-id" value={w.id ?? ""} placeholder="CVE-…" onCommit={(id) => setWeak(i, { ...w, id: id || null })} />
            </Field>
            <Field label="Probability">
              <NumberInput testid="field-weakness-probability" value={w.probability} min={0} max={1} placeholder="0..1" onCommit={(p) => setWeak(i, { ...w, probability: p })} />
            </Field>
          </div>
          <Field label="Description">
            <TextInput testid="field-weakness-description" value={w.description ?? ""} onCommit={(description) => setWeak(i, { ...w, description })} />
          </Field>
          <div class="row">
            <label class="check">
              <input type="checkbox" data-testid="field-weakness-exploitable" checked={!!w.exploitable} onChange={(e) => setWeak(i, { ...w, exploitable: (e.target as HTMLInputElement).checked })} /> exploitable
            </label>
            <button class="link danger" onClick={() => setWeak(i, null)}>
              remove
            </button>
          </div>
        </div>
      ))}
      <button data-testid="weakness-add" onClick={() => up({ weaknesses: [...weaknesses, { description: "", exploitable: true }] })}>
        + weakness
      </button>
      <h3>Credentials held</h3>
      {creds.map((c, i) => (
        <div class="card row" data-testid="credential-row" key={i}>
          <Select testid="field-credential-type" value={c.type} options={[["api_key", "API key"], ["jwt", "JWT"]]} onChange={(t) => setCred(i, t === "api_key" ? { type: "api_key", key: "" } : { type: "jwt", issuer: "", scopes: [] })} />
          {c.type === "api_key" ? (
            <TextInput testid="field-credential-key" value={c.key} placeholder="key name" onCommit={(key) => setCred(i, { ...c, key })} />
          ) : (
            <>
              <TextInput testid="field-credential-issuer" value={c.issuer} placeholder="issuer" onCommit={(issuer) => setCred(i, { ...c, issuer })} />
              <ListInput testid="field-credential-scopes" value={c.scopes ?? []} placeholder="scopes" onCommit={(scopes) => setCred(i, { ...c, scopes })} />
            </>
          )}
          <button class="link danger" onClick={() => setCred(i, null)}>
            remove
          </button>
        </div>
      ))}
      <button data-testid="credential-add" onClick={() => up({ credentials: [...creds, { type: "api_key", key: "" }] })}>
        + credential
      </button>
      {(s.endpoints ?? []).length ? (
        <>
          <h3>Endpoints</h3>
          <table class="compact">
            <tbody>
              {(s.endpoints ?? []).slice(0, 200).map((e, i) => (
                <tr key={i}>
                  <td>
                    <code>{e.method}</code>
                  </td>
                  <td>
                    <code>{e.path}</code>
                  </td>
                  <td class="muted">{(e.data_classes ?? []).join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      {(s.provenance ?? []).length ? (
        <p class="muted small">
          Imported from {(s.provenance ?? []).map((p) => `${p.source}${p.element ? ` (${p.element})` : ""}`).join("; ")}
        </p>
      ) : null}
    </div>
  );
}

function SegmentInspector({ app, design, segment: g, view }: { app: Controller; design: Design; segment: Segment; view: BackendView }) {
  const up = (patch: Partial<Segment>) => app.dispatch(updateSegment, { id: g.id, patch });
  const policy = g.policy ?? { auth: { type: "none" as const }, intra: "allow" as const, default_action: "deny" as const };
  return (
    <div class="inspector" data-testid="inspector">
      <Header kind="Segment" title={displayName(g)} id={g.id} onDelete={() => app.dispatch(deleteElements, { kind: "segment", ids: [g.id] })} />
      <InlineDiagnostics diagnostics={view.diagnostics} pointer={pointerOf(design, "segment", g.id)} />
      <Field label="Name">
        <TextInput testid="field-name" value={g.name ?? ""} onCommit={(name) => up({ name })} />
      </Field>
      <div class="row">
        <Field label="Level">
          <Select<SegmentLevel> testid="field-level" value={g.level ?? "application"} options={LEVELS} onChange={(level) => up({ level })} />
        </Field>
        <Field label="Trust">
          <Select<TrustLevel> testid="field-trust" value={g.trust ?? "medium"} options={TRUSTS} onChange={(trust) => up({ trust })} />
        </Field>
      </div>
      <div class="row">
        <Field label="Sensitivity">
          <Select testid="field-sensitivity" value={g.sensitivity ?? ""} options={[["", "(unset)"], ...SENSITIVITY_ORDER.map((x): [string, string] => [x, x])]} onChange={(v) => up({ sensitivity: v === "" ? null : (v as Sensitivity) })} />
        </Field>
        <Field label="Function">
          <TextInput testid="field-function" value={g.function ?? ""} placeholder="e.g. payments" onCommit={(v) => up({ function: v || null })} />
        </Field>
      </div>
      <Field label="Inside segment">
        <SegmentSelect design={design} value={g.parent ?? null} exclude={g.id} testid="field-parent" onChange={(parent) => up({ parent })} />
      </Field>
      <h3>Inbound policy</h3>
      <AuthEditor value={policy.auth} onChange={(auth) => up({ policy: { ...policy, auth } })} />
      <RateLimitEditor value={policy.rate_limit} onChange={(rate_limit) => up({ policy: { ...policy, rate_limit } })} />
      <Field label="Members calling each other">
        <Select testid="field-intra" value={policy.intra ?? "allow"} options={[["allow", "allowed (intra-segment allow)"], ["deny", "need a rule"]]} onChange={(intra) => up({ policy: { ...policy, intra } })} />
      </Field>
      <p class="muted small">Default action: deny. Anything no rule allows is denied.</p>
      <p class="muted small">{(g.members ?? []).length} member services.</p>
    </div>
  );
}

function FlowInspector({ app, design, flow: f, view }: { app: Controller; design: Design; flow: Flow; view: BackendView }) {
  const up = (patch: Partial<Flow>) => app.dispatch(updateFlow, { id: f.id, patch });
  const verdict = view.verdicts?.get(f.id);
  return (
    <div class="inspector" data-testid="inspector">
      <Header kind={`Flow · ${f.kind ?? "declared"}`} title={`${f.from} → ${f.to}`} id={f.id} onDelete={() => app.dispatch(deleteElements, { kind: "flow", ids: [f.id] })} />
      <div data-testid="flow-verdict" class={`verdict verdict-${verdict?.decision.decision ?? "pending"}`}>
        {verdict ? explainDecision(verdict.decision) : "asking the evaluator…"}
      </div>
      <InlineDiagnostics diagnostics={view.diagnostics} pointer={pointerOf(design, "flow", f.id)} />
      <div class="row">
        <Field label="Kind">
          <Select<FlowKind> testid="field-flow-kind" value={f.kind ?? "declared"} options={["declared", "observed"]} onChange={(kind) => up({ kind })} />
        </Field>
        <Field label="Port">
          <NumberInput testid="field-flow-port" value={f.port} min={1} max={65535} integer placeholder="any" onCommit={(port) => up({ port })} />
        </Field>
      </div>
      <div class="row">
        <Field label="Method">
          <TextInput testid="field-flow-method" value={f.method ?? ""} placeholder="GET" onCommit={(m) => up({ method: m ? m.toUpperCase() : null })} />
        </Field>
        <Field label="Path">
          <TextInput testid="field-flow-path" value={f.path ?? ""} placeholder="/accounts/{id}" onCommit={(p) => up({ path: p || null })} />
        </Field>
      </div>
      {f.kind === "observed" ? (
        <Field label="Calls observed">
          <NumberInput testid="field-flow-count" value={f.count} min={0} integer onCommit={(count) => up({ count })} />
        </Field>
      ) : null}
      {f.first_seen || f.last_seen ? (
        <p class="muted small">
          Seen {f.first_seen ?? "?"} … {f.last_seen ?? "?"}
        </p>
      ) : null}
    </div>
  );
}

function PeerEditor(props: { design: Design; value: Peer; testid: string; onChange: (p: Peer) => void; allowInternet: boolean }) {
  const d = props.design;
  const key = typeof props.value === "string" ? props.value : "segment" in props.value ? `segment:${props.value.segment}` : `service:${props.value.service}`;
  const opts: [string, string][] = [
    ...(props.allowInternet ? [["internet", "the internet"] as [string, string], ["any", "any caller"] as [string, string]] : []),
    ...(d.segments ?? []).map((s): [string, string] => [`segment:${s.id}`, `segment ${displayName(s)}`]),
    ...(d.services ?? []).slice(0, 3000).map((s): [string, string] => [`service:${s.id}`, `service ${displayName(s)}`]),
  ];
  return (
    <Select
      testid={props.testid}
      value={key}
      options={opts}
      onChange={(v) => {
        if (v === "internet" || v === "any") return props.onChange(v);
        const [kind, id] = [v.slice(0, v.indexOf(":")), v.slice(v.indexOf(":") + 1)];
        props.onChange(kind === "segment" ? { segment: id } : { service: id });
      }}
    />
  );
}

export function RuleInspector({ app, design, rule: r, view }: { app: Controller; design: Design; rule: Rule; view: BackendView }) {
  const up = (patch: Partial<Rule>) => app.dispatch(setRule, { id: r.id, patch });
  return (
    <div class="inspector" data-testid="inspector">
      <Header kind="Rule" title={`${peerText(r.from)} → ${peerText(r.to)}`} id={r.id} onDelete={() => app.dispatch(deleteElements, { kind: "rule", ids: [r.id] })} />
      <InlineDiagnostics diagnostics={view.diagnostics} pointer={pointerOf(design, "rule", r.id)} />
      <div class="row">
        <Field label="From">
          <PeerEditor design={design} value={r.from} allowInternet testid="field-rule-from" onChange={(from) => up({ from })} />
        </Field>
        <Field label="To">
          <PeerEditor design={design} value={r.to} allowInternet={false} testid="field-rule-to" onChange={(to) => up({ to })} />
        </Field>
      </div>
      <Field label="Action">
        <Select testid="field-rule-action" value={r.action ?? "allow"} options={[["allow", "allow"], ["deny", "deny (overrides allows)"]]} onChange={(action) => up({ action })} />
      </Field>
      <div class="row">
        <Field label="Ports">
          <PortsInput testid="field-rule-ports" value={r.ports ?? []} placeholder="any" onCommit={(ports) => up({ ports })} />
        </Field>
        <Field label="Methods">
          <ListInput testid="field-rule-methods" value={r.methods ?? []} placeholder="any" onCommit={(v) => up({ methods: v.map((m) => m.toUpperCase()) })} />
        </Field>
      </div>
      <Field label="Paths">
        <ListInput testid="field-rule-paths" value={r.paths ?? []} placeholder="any, e.g. /accounts/**" onCommit={(paths) => up({ paths })} />
      </Field>
      <AuthEditor prefix="field-rule-auth" value={r.auth} onChange={(auth) => up({ auth: auth.type === "none" ? null : auth })} />
      <RateLimitEditor prefix="field-rule-rate" value={r.rate_limit} onChange={(rate_limit) => up({ rate_limit })} />
      <Field label="Justification">
        <TextInput testid="field-rule-justification" value={r.justification ?? ""} placeholder="why this exception exists" onCommit={(v) => up({ justification: v || null })} />
      </Field>
      <Field label="Expires (YYYY-MM-DD)">
        <TextInput testid="field-rule-expires" type="date" value={r.expires ?? ""} onCommit={(v) => up({ expires: v || null })} />
      </Field>
    </div>
  );
}
