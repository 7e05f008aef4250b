//! Readable sentences for the evaluator's decisions. This only renders the backend's answer;
//! it decides nothing.

import type { Decision } from "../analysis";
import { authSummary } from "./policy";

export function explainDecision(d: Decision): string {
  if (d.decision === "allow") {
    const by = d.by.by === "rule" ? `allowed by rule \`${d.by.rule}\`` : `allowed inside segment \`${d.by.segment}\``;
    const auth = d.auth.length ? `; requires ${d.auth.map(authSummary).join(" and ")}` : "";
    const rl = d.rate_limit ? `; limited to ${d.rate_limit.requests}/${d.rate_limit.per ?? "second"}` : "";
    return by + auth + rl;
  }
  switch (d.reason) {
    case "deny_rule": return `denied by rule \`${d.rule}\``;
    case "default": return "denied: no rule allows it (default deny)";
    case "not_internet_facing": return "denied: the target is not internet-facing";
    case "missing_credential": return `denied: rule \`${d.rule}\` needs ${authSummary(d.required)}, which the caller does not hold`;
    case "expired_rule": return `denied: rule \`${d.rule}\` would allow it but expired on ${d.expires}`;
    case "no_matching_rule": return `denied: ${d.near_misses.map((n) => `rule \`${n.rule}\` does not match the ${n.mismatch}`).join("; ") || "no rule matches"}`;
    case "unknown_target": return `denied: unknown service \`${d.service}\``;
    case "unknown_caller": return `denied: unknown caller \`${d.service}\``;
  }
}
