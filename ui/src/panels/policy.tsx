//! Editors for an auth requirement and a rate limit (segment policies and rules share them).

import type { Auth, Period, RateLimit } from "../generated/bulkhead";
import { Field, ListInput, NumberInput, Select, TextInput } from "./fields";

export const AUTH_TYPES = ["none", "api_key", "jwt", "mtls"] as const;

export function authSummary(a: Auth | null | undefined): string {
  if (!a || a.type === "none") return "no auth";
  if (a.type === "api_key") return `API key \`${a.key}\``;
  if (a.type === "jwt") return `JWT from ${a.issuer}${a.scopes?.length ? ` [${a.scopes.join(", ")}]` : ""}`;
  return `mTLS ${a.identities?.length ? a.identities.join(", ") : "(no identity allowed)"}`;
}

export function defaultAuth(type: Auth["type"]): Auth {
  switch (type) {
    case "none": return { type: "none" };
    case "api_key": return { type: "api_key", key: "" };
    case "jwt": return { type: "jwt", issuer: "", scopes: [] };
    case "mtls": return { type: "mtls", identities: ["*"] };
  }
}

export function AuthEditor(props: { value: Auth | null | undefined; onChange: (a: Auth) => void; prefix?: string }) {
  const a = props.value ?? { type: "none" as const };
  const p = props.prefix ?? "field-auth";
  return (
    <div class="group">
      <Field label="Auth required">
        <Select testid={`${p}-type`} value={a.type} options={[["none", "none"], ["api_key", "API key"], ["jwt", "JWT"], ["mtls", "mTLS"]]} onChange={(t) => props.onChange(defaultAuth(t))} />
      </Field>
      {a.type === "api_key" ? (
        <Field label="Key name">
          <TextInput testid={`${p}-key`} value={a.key} onCommit={(key) => props.onChange({ ...a, key })} placeholder="e.g. partner-key" />
        </Field>
      ) : null}
      {a.type === "jwt" ? (
        <>
          <Field label="Issuer">
            <TextInput testid={`${p}-issuer`} value={a.issuer} onCommit={(issuer) => props.onChange({ ...a, issuer })} placeholder="https://idp.example" />
          </Field>
          <Field label="Scopes (comma-separated)">
            <ListInput testid={`${p}-scopes`} value={a.scopes ?? []} onCommit={(scopes) => props.onChange({ ...a, scopes })} />
          </Field>
        </>
      ) : null}
      {a.type === "mtls" ? (
        <Field label="Allowed identities (comma-separated, * = any)">
          <ListInput testid={`${p}-identities`} value={a.identities ?? []} onCommit={(identities) => props.onChange({ ...a, identities })} />
        </Field>
      ) : null}
    </div>
  );
}

export function RateLimitEditor(props: { value: RateLimit | null | undefined; onChange: (r: RateLimit | null) => void; prefix?: string }) {
  const r = props.value;
  const p = props.prefix ?? "field-rate";
  return (
    <div class="group row">
      <Field label="Rate limit (requests)">
        <NumberInput testid={`${p}-requests`} value={r?.requests} min={0} max={4294967295} integer placeholder="none" onCommit={(n) => props.onChange(n === null ? null : { requests: n, per: r?.per ?? "second", ...(r?.burst ? { burst: r.burst } : {}) })} />
      </Field>
      <Field label="per">
        <Select<Period> testid={`${p}-per`} value={r?.per ?? "second"} options={["second", "minute", "hour"]} onChange={(per) => r && props.onChange({ ...r, per })} />
      </Field>
      <Field label="burst">
        <NumberInput testid={`${p}-burst`} value={r?.burst} min={0} max={4294967295} integer placeholder="-" onCommit={(n) => r && props.onChange(n === null ? { requests: r.requests, per: r.per ?? "second" } : { ...r, burst: n })} />
      </Field>
    </div>
  );
}
