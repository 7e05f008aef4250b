//! Least privilege: the rules that allow exactly what the evidence (the design's declared and
//! observed flows, plus traffic logs) shows is needed, as a reviewable diff
//! (`bulkhead_core::propose::propose`), and the design with the accepted changes
//! (`bulkhead_core::propose::apply`), as `bulkhead propose [--apply]` does.
//!
//! Applying recomputes the proposal from the design and logs it is sent instead of trusting a
//! proposal from the UI, so what is applied is never broader than the evidence. If the design
//! changed since the review so that an accepted change no longer exists, applying refuses with
//! "did you mean" and nothing is applied.

use std::path::PathBuf;
use std::sync::Arc;

use bulkhead_core::Design;
use bulkhead_core::propose::{Proposal, apply, propose};
use tauri::State;

use super::drift::{TrafficCache, log_paths};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::input;
use crate::session::Session;

/// Most change ids one apply may name.
const MAX_ACCEPTED: usize = 100_000;

/// The proposal for `design` with the observed calls in `logs`.
pub fn proposal(cache: &TrafficCache, design: &Design, logs: &[PathBuf]) -> IpcResult<Proposal> {
    let observed = cache.read(logs, design)?;
    Ok(propose(
        design,
        &observed.flows,
        crate::design_file::today(),
    ))
}

/// `design` with the accepted changes of its proposal applied.
pub fn accept(
    cache: &TrafficCache,
    design: &Design,
    logs: &[PathBuf],
    accepted: &[String],
) -> IpcResult<Design> {
    if accepted.is_empty() {
        return Err(IpcError::invalid_input(
            "`accept` is empty: tick at least one change",
        ));
    }
    let p = proposal(cache, design, logs)?;
    apply(design, &p, accepted).map_err(|e| IpcError::invalid_input(e.to_string()))
}

fn accepted_ids(raw: Vec<String>) -> IpcResult<Vec<String>> {
    let raw = input::bounded_list("accept", raw, MAX_ACCEPTED)?;
    for id in &raw {
        input::short_text("accept[]", id, 1024)?;
    }
    Ok(raw)
}

/// The proposal for the held design of `revision` (`stale_revision` if the shell no longer
/// holds it).
#[tauri::command]
pub async fn propose_rules(
    revision: u64,
    traffic: Vec<String>,
    cache: State<'_, Arc<TrafficCache>>,
    session: State<'_, Session>,
) -> IpcResult<Proposal> {
    let held = session.held_design(revision, crate::design_file::today())?;
    let logs = log_paths(traffic)?;
    let cache = Arc::clone(&cache);
    off_runtime(move || proposal(&cache, held.design(), &logs)).await
}

/// Runs `f` on a blocking thread: reading the logs and proposing take a while.
async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(f).await.map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("the proposal thread failed: {e}"),
        )
    })?
}

/// The held design of `revision` with the accepted changes of its proposal applied.
#[tauri::command]
pub async fn propose_apply(
    revision: u64,
    traffic: Vec<String>,
    accept: Vec<String>,
    cache: State<'_, Arc<TrafficCache>>,
    session: State<'_, Session>,
) -> IpcResult<Design> {
    let held = session.held_design(revision, crate::design_file::today())?;
    let logs = log_paths(traffic)?;
    let accepted = accepted_ids(accept)?;
    let cache = Arc::clone(&cache);
    off_runtime(move || self::accept(&cache, held.design(), &logs, &accepted)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::eval::{Caller, Evaluator, Request};
    use bulkhead_core::model::FlowKind;

    fn example(name: &str) -> Design {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name);
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn bookinfo_proposal_is_the_cli_one_and_applies_in_part_or_whole() {
        let design = example("bookinfo.bulkhead.json");
        let cache = TrafficCache::default();
        let p = proposal(&cache, &design, &[]).unwrap();
        assert_eq!(p, propose(&design, &[], crate::design_file::today()));
        let ids: Vec<&str> = p.changes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "narrow:internet-to-productpage",
                "narrow:productpage-to-reviews"
            ]
        );
        // One change alone.
        let one = accept(
            &cache,
            &design,
            &[],
            &["narrow:productpage-to-reviews".into()],
        )
        .unwrap();
        assert!(one.rules.iter().any(|r| r.id == "productpage-to-reviews-2"));
        assert!(one.rules.iter().any(|r| r.id == "internet-to-productpage"));
        // All of them: every declared flow still allowed, and nothing left to propose.
        let all: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let tight = accept(&cache, &design, &[], &all).unwrap();
        let eval = Evaluator::new(&tight);
        for f in design.flows.iter().filter(|f| f.kind == FlowKind::Declared) {
            let req = Request {
                port: f.port,
                method: f.method.clone(),
                path: f.path.clone(),
            };
            assert!(
                eval.decide(&Caller::parse(&f.from), &f.to, &req, None)
                    .is_allowed(),
                "{} no longer allowed",
                f.id
            );
        }
        assert!(proposal(&cache, &tight, &[]).unwrap().changes.is_empty());
    }

    #[test]
    fn unknown_or_empty_acceptances_are_refused_with_did_you_mean() {
        let design = example("bookinfo.bulkhead.json");
        let cache = TrafficCache::default();
        let e = accept(
            &cache,
            &design,
            &[],
            &["narrow:productpage-to-review".into()],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message
                .contains("did you mean `narrow:productpage-to-reviews`?"),
            "{}",
            e.message
        );
        assert_eq!(
            accept(&cache, &design, &[], &[]).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            accepted_ids(vec!["a\u{7}".into()]).unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }
}
