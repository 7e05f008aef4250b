//! A small syntax highlighter for export previews (YAML, JSON, nginx). It returns tokens, not
//! HTML, so the preview renders text nodes and an exported file can never inject markup.

export type TokenClass = "key" | "string" | "number" | "literal" | "comment" | "directive" | "variable" | "punct" | "plain";
export interface Token {
  text: string;
  cls: TokenClass;
}
export type Language = "yaml" | "json" | "nginx" | "text";

/** Guard: previews of huge files are highlighted up to this size and shown plain after it. */
export const HIGHLIGHT_LIMIT = 400_000;

function push(out: Token[], text: string, cls: TokenClass): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.cls === cls) last.text += text;
  else out.push({ text, cls });
}

function scalar(v: string): TokenClass {
  if (/^-?\d+(\.\d+)?$/.test(v)) return "number";
  if (/^(true|false|null|~|yes|no)$/i.test(v)) return "literal";
  return "string";
}

function yamlLine(line: string, out: Token[]): void {
  const hash = line.search(/(^|\s)#/);
  const code = hash >= 0 ? line.slice(0, hash) : line;
  const comment = hash >= 0 ? line.slice(hash) : "";
  const m = /^(\s*(?:-\s+)*)([^\s:'"][^:]*?|"[^"]*"|'[^']*')(:)(\s|$)(.*)$/.exec(code);
  if (m) {
    push(out, m[1] ?? "", "punct");
    push(out, m[2] ?? "", "key");
    push(out, (m[3] ?? "") + (m[4] ?? ""), "punct");
    const rest = m[5] ?? "";
    const lead = rest.length - rest.trimStart().length;
    push(out, rest.slice(0, lead), "plain");
    push(out, rest.trimStart(), rest.trim() === "" ? "plain" : scalar(rest.trim().replace(/^["']|["']$/g, "")) === "string" ? "string" : scalar(rest.trim()));
  } else {
    const d = /^(\s*-\s*)?(.*)$/.exec(code);
    push(out, d?.[1] ?? "", "punct");
    const v = d?.[2] ?? "";
    push(out, v, v.trim() === "" || v.trim() === "---" ? "punct" : scalar(v.trim()));
  }
  push(out, comment, "comment");
}

function json(src: string, out: Token[]): void {
  const re = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],])|(\s+)|(.)/gs;
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    if (m[1]) {
      push(out, m[1], m[2] ? "key" : "string");
      if (m[2]) push(out, m[2], "punct");
    } else if (m[3]) push(out, m[3], "number");
    else if (m[4]) push(out, m[4], "literal");
    else if (m[5]) push(out, m[5], "punct");
    else push(out, m[0], "plain");
  }
}

function nginxLine(line: string, out: Token[]): void {
  const m = /^(\s*)([a-z_][a-z0-9_]*)?(.*)$/i.exec(line);
  push(out, m?.[1] ?? "", "plain");
  if (m?.[2]) push(out, m[2], "directive");
  const rest = m?.[3] ?? "";
  const re = /(#.*$)|("(?:[^"\\]|\\.)*"|'[^']*')|(\$[a-z_][a-z0-9_]*)|(\b\d+[kmsdh]?\b)|([{};])|([^#"'$\d{};]+|.)/gi;
  let t: RegExpExecArray | null;
  while ((t = re.exec(rest))) {
    if (t[1]) push(out, t[1], "comment");
    else if (t[2]) push(out, t[2], "string");
    else if (t[3]) push(out, t[3], "variable");
    else if (t[4]) push(out, t[4], "number");
    else if (t[5]) push(out, t[5], "punct");
    else push(out, t[0], "plain");
  }
}

export function highlight(src: string, lang: Language): Token[] {
  const out: Token[] = [];
  const head = src.length > HIGHLIGHT_LIMIT ? src.slice(0, HIGHLIGHT_LIMIT) : src;
  if (lang === "json") json(head, out);
  else if (lang === "text") push(out, head, "plain");
  else {
    const lines = head.split("\n");
    lines.forEach((line, i) => {
      if (lang === "yaml") yamlLine(line, out);
      else nginxLine(line, out);
      if (i < lines.length - 1) push(out, "\n", "plain");
    });
  }
  if (head.length < src.length) push(out, src.slice(HIGHLIGHT_LIMIT), "plain");
  return out;
}

export function languageOf(path: string): Language {
  if (/\.ya?ml$/i.test(path)) return "yaml";
  if (/\.json$/i.test(path)) return "json";
  if (/\.conf$|nginx/i.test(path)) return "nginx";
  return "text";
}
