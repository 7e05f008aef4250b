#!/usr/bin/env python3
"""Validate exported Cilium and Istio objects against the vendored CRD schemas (strict).

    python3 tests/verify/validate_objects.py FILE_OR_DIR...

Every YAML document of kind CiliumNetworkPolicy, AuthorizationPolicy, PeerAuthentication or
RequestAuthentication is validated with `jsonschema` against tests/data/crds/, and in strict mode:
a field the schema does not declare is an error (what `kubectl apply --validate=strict` does with a
CRD). Object metadata is checked as Kubernetes checks it: the name is a DNS-1123 subdomain (and a
label for the names Bulkhead writes), the namespace a DNS-1123 label, labels and annotations are
string maps with valid keys. `Kustomization` documents must list files that exist. Any other kind
is an error: this checker is for the Cilium and Istio outputs only.

Every such object is also validated by the published validators of the npm packages
`@kubernetes-models/cilium` and `@kubernetes-models/istio` (tests/verify/crds-published/: JSON Schema
validators generated from the projects' CRDs; types, enums, patterns and required fields as
published, but no unknown-field check, which the vendored schemas above provide). `scripts/setup.sh`
installs them; without them this layer is skipped with a warning, except under CI, where that fails.

Exit status 0 when everything is valid; 1 with one line per problem (file, document, JSON path).
"""

import json
import os
import re
import shutil
import subprocess
import sys

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
CRDS = os.path.join(HERE, "..", "data", "crds")
PUBLISHED = os.path.join(HERE, "crds-published")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def load_schemas():
    with open(os.path.join(CRDS, "cilium.io_v2_ciliumnetworkpolicy.schema.json")) as f:
        cilium = json.load(f)
    with open(os.path.join(CRDS, "security.istio.io_v1.schema.json")) as f:
        istio = json.load(f)["kinds"]
    return {"CiliumNetworkPolicy": cilium, **istio}


def unknown_fields(schema, value, path):
    """Fields in `value` that `schema` does not declare (strict decoding)."""
    out = []
    if isinstance(value, dict) and isinstance(schema, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if props is not None and k in props:
                out += unknown_fields(props[k], v, f"{path}.{k}")
            elif isinstance(extra, dict):
                out += unknown_fields(extra, v, f"{path}.{k}")
            elif props is not None and extra is None and path != "$.metadata":
                out.append(f"{path}: unknown field `{k}`")
    elif isinstance(value, list) and isinstance(schema, dict) and "items" in schema:
        for i, v in enumerate(value):
            out += unknown_fields(schema["items"], v, f"{path}[{i}]")
    return out


def check_label_map(m, path, values=True):
    out = []
    if not isinstance(m, dict):
        return [f"{path}: must be a map of strings"]
    for k, v in m.items():
        name = k.split("/")[-1]
        prefix = k[: -len(name) - 1] if "/" in k else ""
        if not LABEL_NAME.match(name) or len(name) > 63 or (prefix and not DNS_SUBDOMAIN.match(prefix)):
            out.append(f"{path}: invalid key `{k}`")
        if not isinstance(v, str):
            out.append(f"{path}.{k}: value must be a string")
        elif values and (len(v) > 63 or not LABEL_VALUE.match(v)):
            out.append(f"{path}.{k}: invalid label value `{v}`")
    return out


def check_metadata(md):
    out = []
    if not isinstance(md, dict):
        return ["$.metadata: missing"]
    allowed = {"name", "namespace", "labels", "annotations"}
    for k in md:
        if k not in allowed:
            out.append(f"$.metadata: unexpected field `{k}` in generated output")
    name = md.get("name", "")
    if not isinstance(name, str) or len(name) > 63 or not DNS_LABEL.match(name):
        out.append(f"$.metadata.name: `{name}` is not a DNS-1123 label")
    ns = md.get("namespace", "")
    if not isinstance(ns, str) or len(ns) > 63 or not DNS_LABEL.match(ns):
        out.append(f"$.metadata.namespace: `{ns}` is not a DNS-1123 label")
    if "labels" in md:
        out += check_label_map(md["labels"], "$.metadata.labels")
    if "annotations" in md:
        out += check_label_map(md["annotations"], "$.metadata.annotations", values=False)
    return out


def files_of(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, names in os.walk(a):
                for n in sorted(names):
                    if n.endswith((".yaml", ".yml")):
                        yield os.path.join(root, n)
        else:
            yield a


def published_problems(objects):
    """Problems the published CRD validators find in `objects` ([(where, doc)]), or None when
    they are not installed (outside CI)."""
    node = shutil.which("node")
    installed = os.path.isdir(os.path.join(PUBLISHED, "node_modules", "@kubernetes-models"))
    if not node or not installed:
        why = "node is not installed" if not node else f"{PUBLISHED}/node_modules is missing"
        if os.environ.get("CI"):
            return [f"published CRD validators: {why} (run scripts/setup.sh)"]
        print(f"validate_objects: WARNING: published CRD validators skipped: {why} (run scripts/setup.sh)",
              file=sys.stderr)
        return None
    lines = "".join(json.dumps({"where": w, "doc": d}) + "\n" for w, d in objects)
    r = subprocess.run([node, os.path.join(PUBLISHED, "validate.mjs")], input=lines,
                       capture_output=True, text=True, cwd=PUBLISHED, timeout=600)
    out = [l for l in r.stdout.splitlines() if l.strip()]
    if r.returncode != 0 and not out:
        out = [f"published CRD validators failed: {r.stderr.strip()}"]
    return out


def main(argv):
    schemas = load_schemas()
    problems = []
    counts = {}
    objects = []
    for path in files_of(argv):
        with open(path) as f:
            docs = list(yaml.safe_load_all(f))
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            where = f"{path} (document {i + 1})"
            kind = doc.get("kind")
            if kind == "Kustomization":
                for r in doc.get("resources", []):
                    if not os.path.exists(os.path.join(os.path.dirname(path), r)):
                        problems.append(f"{where}: resource `{r}` does not exist")
                continue
            schema = schemas.get(kind)
            if schema is None:
                problems.append(f"{where}: unexpected kind `{kind}`")
                continue
            counts[kind] = counts.get(kind, 0) + 1
            objects.append((where, doc))
            v = jsonschema.Draft7Validator(schema)
            for e in v.iter_errors(doc):
                problems.append(f"{where}: {e.json_path}: {e.message}")
            problems += [f"{where}: {p}" for p in unknown_fields(schema, doc, "$")]
            problems += [f"{where}: {p}" for p in check_metadata(doc.get("metadata"))]
    published = published_problems(objects) if objects else []
    problems += published or []
    for p in problems:
        print(p)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no objects"
    layers = "vendored schemas (strict)" + ("" if published is None else " + published CRD validators")
    print(f"validate_objects: {summary}; {layers}; {len(problems)} problem(s)", file=sys.stderr)
    if not counts:
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
