import { describe, expect, it } from "vitest";
import { highlight, languageOf } from "./highlight";

const show = (src: string, lang: Parameters<typeof highlight>[1]) =>
  highlight(src, lang)
    .filter((t) => t.cls !== "plain" && t.cls !== "punct")
    .map((t) => `${t.cls}:${t.text.trim()}`);

describe("highlight", () => {
  it("yaml keys, scalars and comments", () => {
    expect(show("kind: NetworkPolicy # default deny\nspec:\n  podSelector: {}\n  ports:\n    - port: 8080\n      enabled: true", "yaml")).toEqual([
      "key:kind",
      "string:NetworkPolicy",
      "comment:# default deny",
      "key:spec",
      "key:podSelector",
      "string:{}",
      "key:ports",
      "key:port",
      "number:8080",
      "key:enabled",
      "literal:true",
    ]);
  });
  it("json keys, strings, numbers and literals", () => {
    expect(show('{"a": "x", "n": 3, "ok": false}', "json")).toEqual(["key:\"a\"", "string:\"x\"", "key:\"n\"", "number:3", "key:\"ok\"", "literal:false"]);
  });
  it("nginx directives, variables and comments", () => {
    expect(show("location /api { # edge\n  limit_req zone=$binary_remote_addr burst=10;\n}", "nginx")).toEqual([
      "directive:location",
      "comment:# edge",
      "directive:limit_req",
      "variable:$binary_remote_addr",
      "number:10",
    ]);
  });
  it("round-trips the source text exactly", () => {
    const src = 'a: "b" # c\n- x\n{"k": [1, 2]}\nserver { listen 80; }';
    for (const lang of ["yaml", "json", "nginx", "text"] as const) expect(highlight(src, lang).map((t) => t.text).join("")).toBe(src);
  });
  it("picks the language from the path", () => {
    expect([languageOf("np/a.yaml"), languageOf("kong.json"), languageOf("nginx/bulkhead.conf"), languageOf("README")]).toEqual(["yaml", "json", "nginx", "text"]);
  });
});
