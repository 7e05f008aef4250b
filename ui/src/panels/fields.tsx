//! Small form controls shared by the panels. Each commits on change (not on every keystroke),
//! so one edit is one undo step.

import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { Diagnostic } from "../analysis";

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint ? <span class="field-hint">{props.hint}</span> : null}
    </label>
  );
}

/** A text input that commits on blur or Enter. */
export function TextInput(props: { value: string; onCommit: (v: string) => void; testid: string; placeholder?: string; type?: string }) {
  const [v, setV] = useState(props.value);
  useEffect(() => setV(props.value), [props.value]);
  const commit = () => {
    if (v !== props.value) props.onCommit(v);
  };
  return (
    <input
      data-testid={props.testid}
      type={props.type ?? "text"}
      value={v}
      placeholder={props.placeholder}
      onInput={(e) => setV((e.target as HTMLInputElement).value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
        if (e.key === "Escape") setV(props.value);
      }}
    />
  );
}

/** Comma-separated list, e.g. scopes or tags. */
export function ListInput(props: { value: string[]; onCommit: (v: string[]) => void; testid: string; placeholder?: string }) {
  return (
    <TextInput
      testid={props.testid}
      value={props.value.join(", ")}
      placeholder={props.placeholder}
      onCommit={(v) =>
        props.onCommit(
          v
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean),
        )
      }
    />
  );
}

export function NumberInput(props: { value: number | null | undefined; onCommit: (v: number | null) => void; testid: string; min?: number; max?: number; placeholder?: string }) {
  return (
    <TextInput
      testid={props.testid}
      type="number"
      value={props.value === null || props.value === undefined ? "" : String(props.value)}
      placeholder={props.placeholder}
      onCommit={(v) => {
        if (v.trim() === "") return props.onCommit(null);
        const n = Number(v);
        if (!Number.isFinite(n)) return;
        const clamped = Math.min(props.max ?? Infinity, Math.max(props.min ?? -Infinity, n));
        props.onCommit(clamped);
      }}
    />
  );
}

export function Select<T extends string>(props: { value: T; options: readonly (T | [T, string])[]; onChange: (v: T) => void; testid: string }) {
  return (
    <select data-testid={props.testid} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as T)}>
      {props.options.map((o) => {
        const [v, label] = Array.isArray(o) ? o : [o, o];
        return (
          <option key={v} value={v}>
            {label}
          </option>
        );
      })}
    </select>
  );
}

/** Validation messages for an element (pointer prefix), shown inline. */
export function InlineDiagnostics(props: { diagnostics: Diagnostic[]; pointer: string | undefined }) {
  const { pointer } = props;
  if (!pointer) return null;
  const mine = props.diagnostics.filter((d) => d.pointer === pointer || d.pointer.startsWith(`${pointer}/`));
  if (mine.length === 0) return null;
  return (
    <ul class="inline-diagnostics">
      {mine.map((d, i) => (
        <li key={i} data-testid="inline-diagnostic" class={`diag diag-${d.severity}`}>
          <code>{d.pointer.slice(pointer.length) || "/"}</code> {d.message}
          {d.help ? <span class="diag-help"> {d.help}</span> : null}
        </li>
      ))}
    </ul>
  );
}
