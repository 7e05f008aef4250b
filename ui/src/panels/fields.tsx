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

/**
 * A text input that commits on blur or Enter. With `check`, a text it calls wrong (its message)
 * is not committed: the message shows under the field (`<testid>-error`) and the text stays, to
 * fix or to drop with Escape. Escape over typed text only drops the typing, keeping the selection.
 */
export function TextInput(props: { value: string; onCommit: (v: string) => void; testid: string; placeholder?: string; type?: string; check?: (v: string) => string | null }) {
  const [v, setV] = useState(props.value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => (setV(props.value), setError(null)), [props.value]);
  const commit = () => {
    if (v === props.value) return setError(null);
    const wrong = props.check?.(v) ?? null;
    setError(wrong);
    if (wrong === null) props.onCommit(v);
  };
  const input = (
    <input
      data-testid={props.testid}
      type={props.type ?? "text"}
      value={v}
      placeholder={props.placeholder}
      class={error ? "invalid" : undefined}
      aria-invalid={error ? "true" : undefined}
      onInput={(e) => setV((e.target as HTMLInputElement).value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
        if (e.key === "Escape" && (v !== props.value || error)) {
          // Esc drops the typing first; only a second Esc reaches the app (and clears the selection).
          e.stopPropagation();
          setV(props.value);
          setError(null);
        }
      }}
    />
  );
  if (!error) return input;
  return (
    <>
      {input}
      <span class="field-error" role="alert" data-testid={`${props.testid}-error`}>
        {error}
      </span>
    </>
  );
}

/**
 * Reads a comma-separated list of ports. Any whole number is taken as written (the validator
 * says inline which are out of range); anything else is refused: dropping it would leave the
 * list empty, and no ports means every port.
 */
export function parsePorts(text: string): { ports: number[] } | { error: string } {
  const items = splitList(text);
  const bad = items.filter((x) => !/^\d{1,5}$/.test(x));
  if (bad.length === 0) return { ports: items.map(Number) };
  const what = bad.map((x) => `\`${x}\``).join(", ");
  return { error: `${what} ${bad.length === 1 ? "is not a port number" : "are not port numbers"}: write ports 1 to 65535 separated by commas, or nothing for any port` };
}

/** Ports of a rule: a list that only commits when every entry is a number (see `parsePorts`). */
export function PortsInput(props: { value: number[]; onCommit: (ports: number[]) => void; testid: string; placeholder?: string }) {
  return (
    <TextInput
      testid={props.testid}
      value={props.value.join(", ")}
      placeholder={props.placeholder}
      check={(v) => {
        const p = parsePorts(v);
        return "error" in p ? p.error : null;
      }}
      onCommit={(v) => {
        const p = parsePorts(v);
        if ("ports" in p) props.onCommit(p.ports);
      }}
    />
  );
}

/** The items of a comma-separated list, trimmed, empty ones left out. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** Comma-separated list, e.g. scopes or tags. */
export function ListInput(props: { value: string[]; onCommit: (v: string[]) => void; testid: string; placeholder?: string }) {
  return (
    <TextInput
      testid={props.testid}
      value={props.value.join(", ")}
      placeholder={props.placeholder}
      onCommit={(v) => props.onCommit(splitList(v))}
    />
  );
}

/**
 * Why `text` is not a number this field takes (a whole number with `integer`, from `min` to
 * `max`), or null. Said under the field instead of clamping or rounding what was typed, which
 * stored another value than the one the user meant (a rate of 0 became 1, 1.5 became 2).
 */
export function numberProblem(text: string, o: { min?: number; max?: number; integer?: boolean }): string | null {
  const v = text.trim();
  if (v === "") return null;
  const n = Number(v);
  if (!Number.isFinite(n)) return `\`${v}\` is not a number`;
  if (o.integer && !Number.isInteger(n)) return `\`${v}\` is not a whole number`;
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    const range = o.max === undefined ? `${o.min} or more` : o.min === undefined ? `${o.max} or less` : `from ${o.min} to ${o.max}`;
    return `\`${v}\` is out of range: ${range}`;
  }
  return null;
}

export function NumberInput(props: { value: number | null | undefined; onCommit: (v: number | null) => void; testid: string; min?: number; max?: number; integer?: boolean; placeholder?: string }) {
  return (
    <TextInput
      testid={props.testid}
      type="number"
      value={props.value === null || props.value === undefined ? "" : String(props.value)}
      placeholder={props.placeholder}
      check={(v) => numberProblem(v, props)}
      onCommit={(v) => props.onCommit(v.trim() === "" ? null : Number(v))}
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
