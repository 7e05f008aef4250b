#!/usr/bin/env python3
"""Run network-config-analyzer (NCA) and print its allowed connections as normalized JSON.

Interface (stable; the NetworkPolicy differential test and the exporter checks both use it):

    python3 tests/verify/nca_pairs.py [--nca PATH] [--keep-self] INPUT [INPUT...]
    python3 tests/verify/nca_pairs.py [--nca PATH] [--keep-self] --batch CASE [CASE...]

INPUT is a YAML file or a folder (each is passed to NCA as `-r INPUT`). NCA is found at
`--nca`, else `$NCA`, else `.venv-verify/bin/nca` next to the repository root. NCA runs as
`nca --connectivity -r INPUT... -o txt_no_fw_rules --output_endpoints deployments`.

Output on stdout, one JSON object (keys sorted, lists sorted):

    {
      "pairs": [[SRC, DST, CONN], ...],          # workload -> workload, allowed only
      "ip": [[WORKLOAD, DIR, FIRST, LAST, CONN], ...],
      "messages": ["...", ...]                   # NCA's warnings and info lines, for humans
    }

- Workloads are named as NCA names them: `namespace/name[Kind]`, e.g. `default/frontend[Deployment]`.
- CONN is canonical: `All` (every IP protocol, NCA's "All connections"), or `;`-joined protocol
  entries in the order TCP, UDP, SCTP, each `PROTO:RANGES` with RANGES a `,`-joined list of
  merged, sorted port ranges `N` or `N-M` (the full range is `1-65535`). Example:
  `TCP:80,8080-8090;UDP:53`.
- `ip` lists external address ranges (NCA.md pitfall 4: an ipBlock never matches a pod).
  DIR is `ingress` (from the range to WORKLOAD) or `egress` (from WORKLOAD to the range).
  FIRST and LAST are addresses as strings. NCA splits the address space differently from run
  to run of the input, so the ranges are normalized: per (WORKLOAD, DIR), the address space is
  cut into maximal ranges over which CONN is the same, and only allowed ranges are listed.
  Two engines that allow the same addresses with the same connections give the same list.
- Filtered (NCA.md pitfalls 2, 3, 6): header, Info, warning and "Total run time" lines,
  `livesim` stand-in pods, and a workload's connections to itself (unless `--keep-self`).

With `--batch`, each CASE (a file or folder) is a separate NCA run, all inside one Python
process (NCA's start-up costs about 0.5 s, its run on a small case about 0.1 s), and the output
is one JSON object `{"cases": {CASE: RESULT, ...}}` with RESULT as above, or
`{"error": "..."}` for a case NCA could not run. This needs NCA's Python: the script re-runs
itself with the interpreter next to the `nca` executable when `nca` is not importable.

Exit status: 0 on success; 2 when NCA is missing, did not run (its exit code 4 to 7), or
printed a line this script cannot parse (the line is named on stderr).
"""

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys

PROTOCOLS = ("TCP", "UDP", "SCTP")
WORKLOAD_RE = re.compile(r"^[^/\s]+/[^\[\]\s]+\[[A-Za-z]+\]$")
LINE_RE = re.compile(r"^(\S+) => (\S+) : (.+)$")
CONN_RE = re.compile(r"\{([^{}]*)\}")


class ParseError(Exception):
    pass


def merge_ranges(ranges):
    out = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return out


def parse_ports(text):
    ranges = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            lo, hi = part.split("-", 1)
            ranges.append((int(lo), int(hi)))
        else:
            ranges.append((int(part), int(part)))
    return ranges


def parse_conn(text):
    """Returns either "All" or a dict protocol -> list of (lo, hi)."""
    text = text.strip()
    if text == "All connections":
        return "All"
    groups = CONN_RE.findall(text)
    if not groups:
        raise ParseError(f"unknown connection text `{text}`")
    result = {}
    for g in groups:
        m = re.match(r"^protocols:(.*?)(?:,dst_ports:(.*))?$", g.strip())
        if not m:
            raise ParseError(f"unknown connection group `{{{g}}}`")
        protos = [p.strip() for p in m.group(1).split(",") if p.strip()]
        ports = parse_ports(m.group(2)) if m.group(2) is not None else [(1, 65535)]
        for p in protos:
            if p not in PROTOCOLS:
                raise ParseError(f"unknown protocol `{p}` in `{text}`")
            result.setdefault(p, []).extend(ports)
    return result


def union_conn(a, b):
    if a == "All" or b == "All":
        return "All"
    out = {p: list(v) for p, v in a.items()}
    for p, v in b.items():
        out.setdefault(p, []).extend(v)
    return out


def canonical_conn(conn):
    if conn == "All":
        return "All"
    parts = []
    for p in PROTOCOLS:
        if p in conn and conn[p]:
            rs = merge_ranges(conn[p])
            parts.append(p + ":" + ",".join(f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in rs))
    return ";".join(parts)


def parse_ip_ranges(text):
    """`a-b`, `a-b,c-d`, a CIDR or a single address -> list of (version, first, last) ints."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if "/" in part:
            net = ipaddress.ip_network(part, strict=False)
            out.append((net.version, int(net.network_address), int(net.broadcast_address)))
        elif "-" in part:
            lo, hi = part.split("-", 1)
            a, b = ipaddress.ip_address(lo), ipaddress.ip_address(hi)
            out.append((a.version, int(a), int(b)))
        else:
            a = ipaddress.ip_address(part)
            out.append((a.version, int(a), int(a)))
    return out


def normalize_ip(segments):
    """segments: list of (version, first, last, conn dict|All) -> merged canonical segments."""
    by_version = {}
    for v, lo, hi, conn in segments:
        by_version.setdefault(v, []).append((lo, hi, conn))
    result = []
    for v, segs in sorted(by_version.items()):
        cuts = sorted({lo for lo, _, _ in segs} | {hi + 1 for _, hi, _ in segs})
        pieces = []
        for i in range(len(cuts) - 1):
            lo, hi = cuts[i], cuts[i + 1] - 1
            conn = None
            for slo, shi, c in segs:
                if slo <= lo and hi <= shi:
                    conn = c if conn is None else union_conn(conn, c)
            if conn is None:
                continue
            canon = canonical_conn(conn)
            if pieces and pieces[-1][1] + 1 == lo and pieces[-1][2] == canon:
                pieces[-1][1] = hi
            else:
                pieces.append([lo, hi, canon])
        for lo, hi, canon in pieces:
            result.append((str(ipaddress.ip_address(lo) if v == 6 else ipaddress.IPv4Address(lo)),
                           str(ipaddress.ip_address(hi) if v == 6 else ipaddress.IPv4Address(hi)),
                           canon))
    return result


def normalize(lines, keep_self=False):
    pairs = {}
    ip = {}
    messages = []
    for raw in lines:
        line = raw.rstrip("\n")
        m = LINE_RE.match(line)
        if not m:
            if line.strip():
                messages.append(line.strip())
            continue
        src, dst, conn_text = m.groups()
        if "livesim" in src or "livesim" in dst:
            continue
        conn = parse_conn(conn_text)
        src_w, dst_w = bool(WORKLOAD_RE.match(src)), bool(WORKLOAD_RE.match(dst))
        if src_w and dst_w:
            if src == dst and not keep_self:
                continue
            key = (src, dst)
            pairs[key] = conn if key not in pairs else union_conn(pairs[key], conn)
        elif src_w or dst_w:
            workload, direction, addr = (src, "egress", dst) if src_w else (dst, "ingress", src)
            for v, lo, hi in parse_ip_ranges(addr):
                ip.setdefault((workload, direction), []).append((v, lo, hi, conn))
        else:
            raise ParseError(f"neither side is a workload in `{line}`")
    out_pairs = sorted([s, d, canonical_conn(c)] for (s, d), c in pairs.items())
    out_ip = []
    for (w, d), segs in sorted(ip.items()):
        for first, last, canon in normalize_ip(segs):
            out_ip.append([w, d, first, last, canon])
    return {"pairs": out_pairs, "ip": out_ip, "messages": messages}


def find_nca(explicit):
    if explicit:
        return explicit
    if os.environ.get("NCA"):
        return os.environ["NCA"]
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, ".venv-verify", "bin", "nca")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nca", help="path to the nca executable")
    ap.add_argument("--keep-self", action="store_true", help="keep a workload's connections to itself")
    ap.add_argument("--from-output", metavar="FILE",
                    help="normalize saved NCA txt_no_fw_rules output instead of running NCA")
    ap.add_argument("--batch", action="store_true", help="each INPUT is a separate case, run in-process")
    ap.add_argument("inputs", nargs="*", help="YAML files or folders")
    args = ap.parse_args(argv)
    if args.batch:
        return run_batch(args, argv)
    if args.from_output:
        with open(args.from_output, encoding="utf-8") as f:
            text = f.read()
    else:
        if not args.inputs:
            ap.error("at least one INPUT is required")
        nca = find_nca(args.nca)
        if not os.path.exists(nca):
            print(f"error: nca not found at `{nca}`; run scripts/setup.sh", file=sys.stderr)
            return 2
        cmd = [nca, "--connectivity"]
        for i in args.inputs:
            cmd += ["-r", i]
        cmd += ["-o", "txt_no_fw_rules", "--output_endpoints", "deployments"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode not in (0, 1):
            print(f"error: nca exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}", file=sys.stderr)
            return 2
        text = proc.stdout
    try:
        result = normalize(text.splitlines(), args.keep_self)
    except (ParseError, ValueError) as e:
        print(f"error: cannot parse nca output: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(to_json(result))
    return 0


def run_batch(args, argv):
    try:
        from nca.nca_cli import nca_main  # noqa: F401
    except ImportError:
        nca = find_nca(args.nca)
        python = os.path.join(os.path.dirname(nca), "python3")
        if not os.path.exists(python) or os.environ.get("NCA_PAIRS_REEXEC"):
            print(f"error: cannot import nca (looked for `{python}`); run scripts/setup.sh", file=sys.stderr)
            return 2
        env = dict(os.environ, NCA_PAIRS_REEXEC="1")
        return subprocess.run([python, os.path.abspath(__file__)] + argv, env=env).returncode
    import contextlib
    import io
    from nca.nca_cli import nca_main
    import tempfile
    cases = {}
    for case in args.inputs:
        out, err = io.StringIO(), io.StringIO()
        # NCA's warnings go to the process's stderr through handlers made at import time;
        # silence them at the file-descriptor level (they are per-case noise here).
        saved_fd = os.dup(2)
        try:
            with tempfile.TemporaryFile() as sink:
                os.dup2(sink.fileno(), 2)
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    rc = nca_main(["--connectivity", "-r", case, "-o", "txt_no_fw_rules",
                                   "--output_endpoints", "deployments"])
        except SystemExit as e:  # argparse or NCA exiting
            rc = e.code if isinstance(e.code, int) else 7
        except Exception as e:  # NCA crashed on this case; report it and go on
            cases[case] = {"error": f"nca crashed: {type(e).__name__}: {e}"}
            continue
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
        if rc not in (0, 1):
            cases[case] = {"error": f"nca exited with {rc}: {out.getvalue()}{err.getvalue()}"}
            continue
        try:
            cases[case] = normalize(out.getvalue().splitlines(), args.keep_self)
        except (ParseError, ValueError) as e:
            cases[case] = {"error": f"cannot parse nca output: {e}"}
    json.dump({"cases": cases}, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


def to_json(result):
    """Valid JSON with one pair per line, so that text diffs of two outputs are readable."""
    out = ["{"]
    keys = sorted(result)
    for i, key in enumerate(keys):
        rows = result[key]
        out.append(f"  {json.dumps(key)}: [")
        out.extend("    " + json.dumps(r) + ("," if j + 1 < len(rows) else "") for j, r in enumerate(rows))
        out.append("  ]" + ("," if i + 1 < len(keys) else ""))
    out.append("}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
