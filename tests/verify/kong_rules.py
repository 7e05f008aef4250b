#!/usr/bin/env python3
"""Check a Kong declarative config (DB-less kong.yml, `_format_version: "3.0"`) offline.

    python3 tests/verify/kong_rules.py kong.yaml

Kong validates a declarative file against its entity and plugin schemas when it loads it. Without
a Kong binary, this script applies those rules as far as they can be checked offline, for the
entities and plugins Bulkhead writes (field names and types as in Kong 3.x's
`kong/db/schema/entities/{services,routes,consumers,consumer_groups}.lua`, the credential
entities of `key-auth` and `acl`, and the plugin schemas of `key-auth`, `acl` and
`rate-limiting`):

- known top-level keys and `_format_version` "3.0"; no unknown field on any entity or plugin config;
- services: host required, port 0..65535, protocol enum; routes: a name, at least one matcher,
  methods upper-case tokens, hosts valid host[:port] names, paths starting with `/` or `~/` (regex
  paths must compile), protocols enum;
- consumers: username or custom_id, credentials and ACL groups well formed;
- plugins: only on known scopes, with valid configs (acl: exactly one of allow/deny;
  rate-limiting: at least one limit, limits increasing with the period, enums for limit_by and
  policy); a plugin's `consumer` and key-auth's `anonymous` must name an existing consumer;
- unique names: services, routes, consumers (username and custom_id), consumer groups, and at
  most one plugin of a name per scope (service / route / consumer combination);
- every ACL group that a route allows is held by some consumer (else the allow is dead).

Exit status 0 when valid; 1 with one line per problem.
"""

import re
import sys

import yaml

TOP = {"_format_version", "_transform", "_comment", "services", "routes", "consumers",
       "consumer_groups", "plugins", "upstreams", "certificates", "ca_certificates", "vaults"}
SERVICE = {"name", "host", "port", "protocol", "path", "retries", "connect_timeout",
           "write_timeout", "read_timeout", "tags", "client_certificate", "tls_verify",
           "tls_verify_depth", "ca_certificates", "enabled", "url", "routes", "plugins"}
SERVICE_PROTOCOLS = {"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"}
ROUTE = {"name", "protocols", "methods", "hosts", "paths", "headers", "https_redirect_status_code",
         "regex_priority", "strip_path", "path_handling", "preserve_host", "request_buffering",
         "response_buffering", "snis", "sources", "destinations", "tags", "service", "plugins",
         "expression", "priority"}
ROUTE_PROTOCOLS = {"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"}
CONSUMER = {"username", "custom_id", "tags", "keyauth_credentials", "acls", "jwt_secrets",
            "basicauth_credentials", "plugins", "groups"}
CONSUMER_GROUP = {"name", "tags", "consumers", "plugins"}
PLUGIN = {"name", "config", "enabled", "protocols", "tags", "consumer", "route", "service",
          "consumer_group", "instance_name", "ordering"}
PLUGIN_CONFIG = {
    "key-auth": {"key_names", "hide_credentials", "anonymous", "key_in_header", "key_in_query",
                 "key_in_body", "run_on_preflight", "realm"},
    "acl": {"allow", "deny", "hide_groups_header", "include_consumer_groups",
            "always_use_authenticated_groups"},
    "rate-limiting": {"second", "minute", "hour", "day", "month", "year", "limit_by",
                      "header_name", "path", "policy", "fault_tolerant", "redis",
                      "hide_client_headers", "error_code", "error_message", "sync_rate"},
}
PERIODS = ["second", "minute", "hour", "day", "month", "year"]
METHOD = re.compile(r"^[A-Z]+$")
HOST = re.compile(r"^(\*\.)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(\.\*)?(:[0-9]{1,5})?$")
HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")


class Checker:
    def __init__(self):
        self.problems = []
        self.plugin_scopes = set()

    def err(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def fields(self, where, obj, allowed):
        if not isinstance(obj, dict):
            self.err(where, "must be a map")
            return False
        for k in obj:
            if k not in allowed:
                self.err(where, f"unknown field `{k}`")
        return True

    def plugin(self, where, p, scope, consumers):
        if not self.fields(where, p, PLUGIN):
            return
        name = p.get("name")
        if name not in PLUGIN_CONFIG:
            self.err(where, f"plugin `{name}` is not one this checker knows (key-auth, acl, rate-limiting)")
            return
        cfg = p.get("config", {})
        self.fields(f"{where}.config", cfg, PLUGIN_CONFIG[name])
        consumer = p.get("consumer")
        if consumer is not None and consumer not in consumers:
            self.err(where, f"consumer `{consumer}` does not exist")
        key = (name, scope, consumer)
        if key in self.plugin_scopes:
            self.err(where, f"a second `{name}` plugin on the same scope {scope} / consumer {consumer}")
        self.plugin_scopes.add(key)
        if name == "key-auth":
            names = cfg.get("key_names", ["apikey"])
            if not isinstance(names, list) or not names or not all(isinstance(n, str) and HEADER_NAME.match(n) for n in names):
                self.err(f"{where}.config.key_names", "must be a non-empty list of header names")
            if "hide_credentials" in cfg and not isinstance(cfg["hide_credentials"], bool):
                self.err(f"{where}.config.hide_credentials", "must be a boolean")
            anon = cfg.get("anonymous")
            if anon is not None and anon not in consumers:
                self.err(f"{where}.config.anonymous", f"consumer `{anon}` does not exist")
        elif name == "acl":
            has_allow, has_deny = bool(cfg.get("allow")), bool(cfg.get("deny"))
            if has_allow == has_deny:
                self.err(f"{where}.config", "exactly one of `allow` or `deny` must be set")
            for k in ("allow", "deny"):
                if k in cfg and not (isinstance(cfg[k], list) and all(isinstance(g, str) and g for g in cfg[k])):
                    self.err(f"{where}.config.{k}", "must be a list of group names")
        elif name == "rate-limiting":
            limits = [(pname, cfg[pname]) for pname in PERIODS if pname in cfg]
            if not limits:
                self.err(f"{where}.config", "at least one of second, minute, hour, day, month, year is required")
            for pname, v in limits:
                if not isinstance(v, (int, float)) or isinstance(v, bool) or v <= 0:
                    self.err(f"{where}.config.{pname}", "must be a positive number")
            values = [v for _, v in limits if isinstance(v, (int, float))]
            if values != sorted(values):
                self.err(f"{where}.config", "limits must not decrease with a longer period")
            if cfg.get("limit_by", "consumer") not in {"consumer", "credential", "ip", "service", "header", "path", "consumer-group"}:
                self.err(f"{where}.config.limit_by", f"invalid `{cfg.get('limit_by')}`")
            if cfg.get("policy", "local") not in {"local", "cluster", "redis"}:
                self.err(f"{where}.config.policy", f"invalid `{cfg.get('policy')}`")

    def run(self, doc):
        if not isinstance(doc, dict):
            self.err("$", "not a map")
            return
        self.fields("$", doc, TOP)
        if doc.get("_format_version") != "3.0":
            self.err("$._format_version", "must be \"3.0\"")
        consumers = {}
        ids = set()
        for i, c in enumerate(doc.get("consumers", []) or []):
            where = f"$.consumers[{i}]"
            if not self.fields(where, c, CONSUMER):
                continue
            if not c.get("username") and not c.get("custom_id"):
                self.err(where, "username or custom_id is required")
            u = c.get("username")
            if u in consumers:
                self.err(where, f"duplicate username `{u}`")
            consumers[u] = c
            cid = c.get("custom_id")
            if cid is not None:
                if cid in ids:
                    self.err(where, f"duplicate custom_id `{cid}`")
                ids.add(cid)
            for j, k in enumerate(c.get("keyauth_credentials", []) or []):
                self.fields(f"{where}.keyauth_credentials[{j}]", k, {"key", "tags", "ttl"})
                if not isinstance(k.get("key"), str) or not k.get("key"):
                    self.err(f"{where}.keyauth_credentials[{j}]", "key must be a non-empty string")
            for j, a in enumerate(c.get("acls", []) or []):
                self.fields(f"{where}.acls[{j}]", a, {"group", "tags"})
                if not isinstance(a.get("group"), str) or not a.get("group"):
                    self.err(f"{where}.acls[{j}]", "group must be a non-empty string")
        groups_held = {a.get("group") for c in consumers.values() for a in (c.get("acls") or [])}
        names = set()
        for i, g in enumerate(doc.get("consumer_groups", []) or []):
            where = f"$.consumer_groups[{i}]"
            if not self.fields(where, g, CONSUMER_GROUP):
                continue
            if not g.get("name") or g["name"] in names:
                self.err(where, f"missing or duplicate name `{g.get('name')}`")
            names.add(g.get("name"))
            for j, m in enumerate(g.get("consumers", []) or []):
                if not isinstance(m, dict) or m.get("username") not in consumers:
                    self.err(f"{where}.consumers[{j}]", f"unknown consumer `{m}`")
        service_names, route_names = set(), set()
        for i, s in enumerate(doc.get("services", []) or []):
            where = f"$.services[{i}]"
            if not self.fields(where, s, SERVICE):
                continue
            n = s.get("name")
            if not n or n in service_names:
                self.err(where, f"missing or duplicate name `{n}`")
            service_names.add(n)
            if not s.get("host") and not s.get("url"):
                self.err(where, "host is required")
            port = s.get("port", 80)
            if not isinstance(port, int) or not 0 <= port <= 65535:
                self.err(f"{where}.port", f"invalid port `{port}`")
            if s.get("protocol", "http") not in SERVICE_PROTOCOLS:
                self.err(f"{where}.protocol", f"invalid `{s.get('protocol')}`")
            for j, p in enumerate(s.get("plugins", []) or []):
                self.plugin(f"{where}.plugins[{j}]", p, ("service", n), consumers)
            for j, r in enumerate(s.get("routes", []) or []):
                rw = f"{where}.routes[{j}]"
                if not self.fields(rw, r, ROUTE):
                    continue
                rn = r.get("name")
                if not rn or rn in route_names:
                    self.err(rw, f"missing or duplicate name `{rn}`")
                route_names.add(rn)
                protos = r.get("protocols", ["http", "https"])
                if not set(protos) <= ROUTE_PROTOCOLS:
                    self.err(f"{rw}.protocols", f"invalid {protos}")
                if not any(r.get(k) for k in ("methods", "hosts", "paths", "headers", "snis")):
                    self.err(rw, "an http route needs at least one of methods, hosts, headers, paths, snis")
                for m in r.get("methods", []) or []:
                    if not isinstance(m, str) or not METHOD.match(m):
                        self.err(f"{rw}.methods", f"invalid method `{m}`")
                for h in r.get("hosts", []) or []:
                    if not isinstance(h, str) or not HOST.match(h):
                        self.err(f"{rw}.hosts", f"invalid host `{h}`")
                for p in r.get("paths", []) or []:
                    if not isinstance(p, str) or not (p.startswith("/") or p.startswith("~/")):
                        self.err(f"{rw}.paths", f"`{p}` must start with `/` or `~/`")
                    elif p.startswith("~"):
                        try:
                            re.compile(p[1:])
                        except re.error as e:
                            self.err(f"{rw}.paths", f"regex `{p}` does not compile: {e}")
                for k in ("strip_path", "preserve_host"):
                    if k in r and not isinstance(r[k], bool):
                        self.err(f"{rw}.{k}", "must be a boolean")
                for q, p in enumerate(r.get("plugins", []) or []):
                    self.plugin(f"{rw}.plugins[{q}]", p, ("route", rn), consumers)
                    if p.get("name") == "acl":
                        for g in (p.get("config") or {}).get("allow", []) or []:
                            if g not in groups_held:
                                self.err(f"{rw}.plugins[{q}]", f"ACL group `{g}` is held by no consumer")
        for i, p in enumerate(doc.get("plugins", []) or []):
            self.plugin(f"$.plugins[{i}]", p, ("global", None), consumers)


def main(argv):
    problems = []
    for path in argv:
        with open(path) as f:
            doc = yaml.safe_load(f)
        c = Checker()
        c.run(doc)
        problems += [f"{path}: {p}" for p in c.problems]
    for p in problems:
        print(p)
    print(f"kong_rules: {len(argv)} file(s), {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems or not argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
