// Validates Cilium and Istio objects with the validators that the npm packages
// @kubernetes-models/cilium and @kubernetes-models/istio publish: JSON Schema validators (ajv,
// compiled) generated from the projects' CRDs, so types, enums, patterns and required fields are
// the published ones, not a transcription. They do not reject unknown fields (CRD schemas do not
// say `additionalProperties: false`); validate_objects.py checks those against tests/data/crds/.
//
//   node validate.mjs < objects.jsonl     one {"where": "...", "doc": {...}} per line
//   node validate.mjs --self-test         a valid and an invalid object of every kind
//
// Prints one line per problem ("<where>: <path> <message>") and exits 1 when there is any.
import { createInterface } from "node:readline";
import { CiliumNetworkPolicy } from "@kubernetes-models/cilium/cilium.io/v2/CiliumNetworkPolicy";
import { AuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import { PeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import { RequestAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/RequestAuthentication";

const MODELS = {
  "cilium.io/v2 CiliumNetworkPolicy": CiliumNetworkPolicy,
  "security.istio.io/v1 AuthorizationPolicy": AuthorizationPolicy,
  "security.istio.io/v1 PeerAuthentication": PeerAuthentication,
  "security.istio.io/v1 RequestAuthentication": RequestAuthentication,
};

/** The problems of one object: [] when the published validator accepts it. */
function problems(doc) {
  const Model = MODELS[`${doc.apiVersion} ${doc.kind}`];
  if (!Model) return [`no published validator for ${doc.apiVersion} ${doc.kind}`];
  try {
    new Model(doc).validate();
    return [];
  } catch (e) {
    // ValidationError lists every failed keyword: "data/spec/x must be string, data/...".
    return String(e.message).split(/, (?=data)/);
  }
}

function selfTest() {
  const meta = { name: "x", namespace: "y" };
  const cases = [
    [true, { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: meta,
      spec: { endpointSelector: { matchLabels: { app: "a" } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: "b" } }],
        toPorts: [{ ports: [{ port: "80", protocol: "TCP" }], rules: { http: [{ method: "GET", path: "/x" }] } }] }] } }],
    [false, { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: meta,
      spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 80, protocol: "TCPX" }] }] }] } }],
    [true, { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta,
      spec: { action: "ALLOW", rules: [{ from: [{ source: { principals: ["a"] } }], to: [{ operation: { ports: ["80"] } }] }] } }],
    [false, { apiVersion: "security.istio.io/v1", kind: "AuthorizationPolicy", metadata: meta, spec: { action: "PERMIT" } }],
    [true, { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta, spec: { mtls: { mode: "STRICT" } } }],
    [false, { apiVersion: "security.istio.io/v1", kind: "PeerAuthentication", metadata: meta, spec: { mtls: { mode: "ON" } } }],
    [true, { apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", metadata: meta, spec: { jwtRules: [{ issuer: "https://i" }] } }],
    [false, { apiVersion: "security.istio.io/v1", kind: "RequestAuthentication", metadata: meta, spec: { jwtRules: [{ issuer: "https://i", forwardOriginalToken: "yes" }] } }],
  ];
  let bad = 0;
  for (const [valid, doc] of cases) {
    const p = problems(doc);
    if ((p.length === 0) !== valid) {
      console.log(`self-test: ${doc.kind} expected ${valid ? "valid" : "invalid"}, got ${p.join("; ") || "valid"}`);
      bad++;
    }
  }
  console.error(`crds-published self-test: ${cases.length - bad}/${cases.length} verdicts as expected`);
  process.exit(bad ? 1 : 0);
}

async function main() {
  if (process.argv.includes("--self-test")) return selfTest();
  let count = 0;
  let failed = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { where, doc } = JSON.parse(line);
    count++;
    for (const p of problems(doc)) {
      console.log(`${where}: published CRD schema: ${p}`);
      failed++;
    }
  }
  console.error(`crds-published: ${count} object(s), ${failed} problem(s)`);
  process.exit(failed ? 1 : 0);
}

main();
