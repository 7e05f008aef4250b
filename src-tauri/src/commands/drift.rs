//! Drift: the design held against observed traffic, as `bulkhead check` does it, plus every
//! observed call with the evaluator's verdict for the canvas overlay.
//!
//! The logs are read by the library the CLI uses (`bulkhead_import::logs`), live manifests too
//! (`bulkhead_import::live`, the NetworkPolicy engine's connectivity), the check is
//! `bulkhead_core::drift::check` and the overlay's verdicts are `bulkhead_core::drift::
//! observed_calls` (the same aggregation and the same evaluator question as the check). Nothing
//! is decided here. Reading runs on a blocking worker thread; the parsed logs are kept while the
//! files and the design's services are unchanged, so re-checking after a rule edit (the overlay
//! follows every edit) does not read the logs again.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bulkhead_core::Design;
use bulkhead_core::drift::{Drift, ObservedCall, check, observed_calls};
use bulkhead_import::live::read_live_policies;
use bulkhead_import::logs::{ObservedTraffic, apply_window, parse_duration, read_log_files};
use schemars::JsonSchema;
use serde::Serialize;
use tauri::State;

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::input;
use crate::session::Session;

/// Most log files one check may read.
pub const MAX_LOG_FILES: usize = 64;
/// Most live-manifest files or folders one check may read.
pub const MAX_LIVE_PATHS: usize = 64;
/// Most problems with live manifests listed in one error message.
const MAX_LIVE_ERRORS: usize = 20;
/// Most observed calls sent to the overlay; the busiest are kept.
pub const MAX_CALLS: usize = 20_000;

/// `drift_check`'s answer.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct DriftReport {
    /// Exactly what `bulkhead check --format json` prints for the same design and logs.
    pub drift: Drift,
    /// Every observed call with its verdict, busiest first (at most [`MAX_CALLS`]).
    pub calls: Vec<ObservedCall>,
    /// Calls not in `calls` because of the bound.
    pub calls_left_out: usize,
}

/// Checks log paths: absolute, existing regular files, bounded in number.
pub fn log_paths(raw: Vec<String>) -> IpcResult<Vec<PathBuf>> {
    let raw = input::bounded_list("traffic", raw, MAX_LOG_FILES)?;
    raw.iter()
        .map(|p| {
            let path = input::absolute_path("traffic[]", p)?;
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => Ok(path),
                Ok(_) => Err(IpcError::invalid_input(format!(
                    "`{}` is not a file: pick log files",
                    path.display()
                ))),
                Err(e) => Err(IpcError::io("cannot read", &path, &e)),
            }
        })
        .collect()
}

/// Checks live-manifest paths: absolute, existing files or folders, bounded in number.
pub fn live_paths(raw: Vec<String>) -> IpcResult<Vec<PathBuf>> {
    let raw = input::bounded_list("live", raw, MAX_LIVE_PATHS)?;
    raw.iter()
        .map(|p| {
            let path = input::absolute_path("live[]", p)?;
            std::fs::metadata(&path).map_err(|e| IpcError::io("cannot read", &path, &e))?;
            Ok(path)
        })
        .collect()
}

/// What the parsed logs depend on: the files as they are now, and the services peers are
/// mapped to.
#[derive(Clone, Debug, PartialEq, Eq)]
struct LogsKey {
    files: Vec<(PathBuf, u64, Option<SystemTime>)>,
    services: u64,
}

impl LogsKey {
    fn of(paths: &[PathBuf], design: &Design) -> Self {
        let files = paths
            .iter()
            .map(|p| {
                let m = std::fs::metadata(p).ok();
                (
                    p.clone(),
                    m.as_ref().map_or(0, |m| m.len()),
                    m.and_then(|m| m.modified().ok()),
                )
            })
            .collect();
        let mut h = DefaultHasher::new();
        serde_json::to_string(&design.services)
            .unwrap_or_default()
            .hash(&mut h);
        LogsKey {
            files,
            services: h.finish(),
        }
    }
}

/// The last logs read, so that the overlay can follow design edits cheaply.
#[derive(Debug, Default)]
pub struct TrafficCache {
    last: Mutex<Option<(LogsKey, Arc<ObservedTraffic>)>>,
}

impl TrafficCache {
    /// The logs read against `design`'s services, from the cache when nothing they depend on
    /// changed.
    pub fn read(&self, paths: &[PathBuf], design: &Design) -> IpcResult<Arc<ObservedTraffic>> {
        let key = LogsKey::of(paths, design);
        {
            let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((k, v)) = last.as_ref()
                && *k == key
            {
                return Ok(Arc::clone(v));
            }
        }
        let observed = Arc::new(
            read_log_files(paths, design, None).map_err(|e| IpcError::new(ErrorCode::Io, e))?,
        );
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((key, Arc::clone(&observed)));
        Ok(observed)
    }
}

/// The window as seconds, with its text for the report.
pub fn window(raw: Option<String>) -> IpcResult<Option<(String, i64)>> {
    let Some(raw) = raw.filter(|w| !w.trim().is_empty()) else {
        return Ok(None);
    };
    let w = input::short_text("window", raw.trim(), 32)?.to_string();
    let secs = parse_duration(&w).ok_or_else(|| {
        IpcError::invalid_input(format!(
            "`window` takes a duration like `30m`, `12h` or `7d`, not `{w}`"
        ))
    })?;
    Ok(Some((w, secs)))
}

/// The check `bulkhead check DESIGN --traffic LOGS [--live MANIFESTS] [--window W]` makes, and
/// the overlay's calls.
pub fn run_check(
    cache: &TrafficCache,
    design: &Design,
    logs: &[PathBuf],
    live: &[PathBuf],
    window: Option<(String, i64)>,
) -> IpcResult<DriftReport> {
    let observed = cache.read(logs, design)?;
    let mut flows = observed.flows.clone();
    let mut traffic = observed.summary.clone();
    // The design's own observed flows count as traffic too; with a window, only those seen in
    // it (as the CLI does).
    let mut inventory = design.clone();
    let mut outside = 0;
    if let Some((text, secs)) = window {
        outside = apply_window(&mut inventory, &mut flows, secs);
        traffic.window = Some(text);
    }
    let live_input = if live.is_empty() {
        None
    } else {
        Some(read_live_policies(live, design).map_err(|errors| {
            let shown: Vec<String> = errors
                .iter()
                .take(MAX_LIVE_ERRORS)
                .map(|e| format!("- {e}"))
                .collect();
            let more = errors.len().saturating_sub(MAX_LIVE_ERRORS);
            IpcError::invalid_input(format!(
                "the live manifests cannot be used ({} problem{}):\n{}{}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                shown.join("\n"),
                if more > 0 {
                    format!("\n… and {more} more")
                } else {
                    String::new()
                }
            ))
        })?)
    };
    // Without live manifests, the live policy the last import recorded in the design, if any
    // (as the CLI without `--live`).
    let connectivity = live_input
        .as_ref()
        .map(|l| &l.connectivity)
        .or(design.live.as_ref());
    let today = crate::design_file::today();
    let mut drift = check(&inventory, &flows, connectivity, traffic, today);
    if live_input.is_none()
        && let Some(l) = &design.live
    {
        drift.notes.push(format!(
            "live policies: as recorded in the design by `bulkhead import` (from {}); add live manifests to check the current ones",
            l.source
        ));
    }
    if let (Some(input), Some(l)) = (&live_input, drift.live.as_mut()) {
        input.annotate(l);
    }
    if outside > 0 {
        drift.notes.push(format!(
            "{outside} observed flow(s) last seen before the window were left out"
        ));
    }
    let mut calls = observed_calls(&inventory, &flows, today);
    calls.sort_by_key(|c| std::cmp::Reverse(c.calls));
    let calls_left_out = calls.len().saturating_sub(MAX_CALLS);
    calls.truncate(MAX_CALLS);
    Ok(DriftReport {
        drift,
        calls,
        calls_left_out,
    })
}

/// The drift check of the held design of `revision` (`stale_revision` if the shell no longer
/// holds it).
#[tauri::command]
pub async fn drift_check(
    revision: u64,
    traffic: Vec<String>,
    live: Option<Vec<String>>,
    window: Option<String>,
    cache: State<'_, Arc<TrafficCache>>,
    session: State<'_, Session>,
) -> IpcResult<DriftReport> {
    let held = session.held_design(revision, crate::design_file::today())?;
    let logs = log_paths(traffic)?;
    let live = live_paths(live.unwrap_or_default())?;
    let window = self::window(window)?;
    let cache = Arc::clone(&cache);
    tauri::async_runtime::spawn_blocking(move || {
        run_check(&cache, held.design(), &logs, &live, window)
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, format!("the check thread failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::corpus;
    use bulkhead_core::eval::{AllowedBy, Decision};

    fn example(name: &str) -> Design {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn bookinfo_against_the_hubble_capture_is_the_cli_check() {
        let Some(c) = corpus() else { return };
        let dir = c.join("cilium__hubble-otel/testdata");
        let mut logs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        logs.sort();
        let design = example("bookinfo.bulkhead.json");
        let cache = TrafficCache::default();
        let r = run_check(&cache, &design, &logs, &[], None).unwrap();
        // The same numbers the README shows for `bulkhead check` on these files.
        assert_eq!(r.drift.traffic.calls, 20);
        assert_eq!(r.drift.traffic.flows, 10);
        assert_eq!(r.drift.summary.violations, 0);
        assert_eq!(r.drift.summary.unused_grants, 5);
        assert_eq!(r.drift.summary.shadow_services, 9);
        // The library check, called directly, gives the same report.
        let read = read_log_files(&logs, &design, None).unwrap();
        let direct = check(
            &design,
            &read.flows,
            design.live.as_ref(),
            read.summary.clone(),
            crate::design_file::today(),
        );
        assert_eq!(r.drift, direct);
        // Every call is in the overlay; calls between known services carry a decision.
        assert_eq!(r.calls.iter().map(|c| c.calls).sum::<u64>(), 20);
        assert_eq!(r.calls_left_out, 0);
        assert!(r.calls.windows(2).all(|w| w[0].calls >= w[1].calls));
        for call in &r.calls {
            let known = |id: &str| id == "internet" || design.service(id).is_some();
            assert_eq!(
                call.decision.is_some(),
                known(&call.from) && known(&call.to) && call.from != call.to,
                "{call:?}"
            );
        }
    }

    #[test]
    fn fintech_violation_names_the_default_deny_and_allowed_calls_their_rule() {
        let design = example("fintech.bulkhead.json");
        let r = run_check(&TrafficCache::default(), &design, &[], &[], None).unwrap();
        assert_eq!(r.drift.summary.violations, 1);
        let v = &r.drift.violations[0];
        assert_eq!(
            (v.from.as_str(), v.to.as_str()),
            ("fraud-scoring", "customer-profile-api")
        );
        assert_eq!(v.explanation, "no rule allows it (default deny)");
        let overlay = r
            .calls
            .iter()
            .find(|c| c.from == "fraud-scoring" && c.to == "customer-profile-api")
            .unwrap();
        assert_eq!(overlay.calls, 412);
        assert_eq!(overlay.explanation.as_deref(), Some(v.explanation.as_str()));
        let allowed: Vec<&ObservedCall> = r
            .calls
            .iter()
            .filter(|c| c.decision.as_ref().is_some_and(Decision::is_allowed))
            .collect();
        assert!(!allowed.is_empty());
        for c in allowed {
            match &c.decision {
                Some(Decision::Allow {
                    by: AllowedBy::Rule { rule },
                    ..
                }) => assert!(design.rules.iter().any(|r| &r.id == rule)),
                Some(Decision::Allow {
                    by: AllowedBy::IntraSegment { segment },
                    ..
                }) => assert!(design.segments.iter().any(|s| &s.id == segment)),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn online_boutique_live_policies_differ_exactly_where_the_cli_says() {
        let Some(c) = corpus() else { return };
        let demo = c.join("GoogleCloudPlatform__microservices-demo");
        let live = vec![
            demo.join("release/kubernetes-manifests.yaml"),
            demo.join("kustomize/components/network-policies"),
        ];
        let design = example("online-boutique.bulkhead.json");
        let r = run_check(&TrafficCache::default(), &design, &[], &live, None).unwrap();
        let l = r.drift.live.as_ref().expect("live drift");
        // What `bulkhead check --live` reports for the same inputs (tests/drift_corpus.rs).
        assert_eq!(l.policies, 13);
        assert_eq!(l.pairs_compared, 13 * 12 - 12);
        assert_eq!(r.drift.summary.live_differences, 10);
        assert!(
            l.differences.iter().all(|d| !d.live_why.is_empty()),
            "annotated"
        );
        let input = read_live_policies(&live, &design).unwrap();
        let mut direct = check(
            &design,
            &[],
            Some(&input.connectivity),
            Default::default(),
            crate::design_file::today(),
        );
        input.annotate(direct.live.as_mut().unwrap());
        assert_eq!(r.drift.live, direct.live);
    }

    #[test]
    fn broken_live_manifests_say_where() {
        let tmp = tempfile::tempdir().unwrap();
        let bad = tmp.path().join("np.yaml");
        std::fs::write(
            &bad,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec:\n  podSelector: [oops\n",
        )
        .unwrap();
        let e = run_check(
            &TrafficCache::default(),
            &Design::new("d"),
            &[],
            &[bad],
            None,
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("np.yaml"), "{}", e.message);
        assert!(
            e.message
                .starts_with("the live manifests cannot be used (1 problem)"),
            "{}",
            e.message
        );
        assert_eq!(
            live_paths(vec!["/no/such/folder".into()]).unwrap_err().code,
            ErrorCode::NotFound
        );
    }

    #[test]
    fn logs_are_read_once_while_files_and_services_are_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("calls.csv");
        std::fs::write(&log, "src,dst,port,count\nweb,api,8080,3\nnot,a\n").unwrap();
        let mut design = Design::new("d");
        for id in ["web", "api"] {
            design.services.push(bulkhead_core::model::Service {
                id: id.into(),
                ..Default::default()
            });
        }
        let cache = TrafficCache::default();
        let logs = vec![log.clone()];
        let a = cache.read(&logs, &design).unwrap();
        // A rule edit does not touch services: same parse.
        design.rules.push(bulkhead_core::model::Rule {
            id: "r".into(),
            ..Default::default()
        });
        assert!(Arc::ptr_eq(&a, &cache.read(&logs, &design).unwrap()));
        // A new service may map peers differently: read again.
        design.services.push(bulkhead_core::model::Service {
            id: "db".into(),
            ..Default::default()
        });
        assert!(!Arc::ptr_eq(&a, &cache.read(&logs, &design).unwrap()));
        let r = run_check(&cache, &design, &logs, &[], None).unwrap();
        assert_eq!(r.drift.traffic.unparsed_lines, 1);
        assert!(
            r.drift.traffic.unparsed_examples[0].contains("calls.csv:3"),
            "{:?}",
            r.drift.traffic
        );
        // The verdict follows the design: the default rule `r` (any → any) allows web → api.
        assert_eq!(r.drift.summary.violations, 0);
        match &r.calls[0].decision {
            Some(Decision::Allow {
                by: AllowedBy::Rule { rule },
                ..
            }) => assert_eq!(rule, "r"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_arguments_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(
            log_paths(vec!["logs/x.log".into()])
                .unwrap_err()
                .message
                .contains("absolute")
        );
        assert_eq!(
            log_paths(vec!["/no/such/file.log".into()])
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
        assert_eq!(
            log_paths(vec![tmp.path().to_string_lossy().into_owned()])
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            log_paths(vec!["/x".into(); MAX_LOG_FILES + 1])
                .unwrap_err()
                .code,
            ErrorCode::TooLarge
        );
        assert_eq!(
            window(Some("7d".into())).unwrap(),
            Some(("7d".into(), 604_800))
        );
        assert_eq!(window(Some(" ".into())).unwrap(), None);
        let e = window(Some("7 days".into())).unwrap_err();
        assert!(e.message.contains("`7 days`"), "{}", e.message);
        let text = tmp.path().join("notes.txt");
        std::fs::write(&text, "hello\n").unwrap();
        let e = run_check(
            &TrafficCache::default(),
            &Design::new("d"),
            &[text],
            &[],
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("is not a traffic log"), "{}", e.message);
    }
}
