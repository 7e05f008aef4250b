//! Analysis: holding the design being edited, validation, the all-origins analysis and
//! findings, breach simulation, the allowed matrix and the evaluator's explanation of one call.
//! All of it is computed by `bulkhead-core`; this module only checks arguments and passes
//! results through.
//!
//! The UI sends a design once (`set_design`) and then names it by the revision the shell
//! answered (see [`crate::held`]): every analysis of that revision reuses the parsed design, its
//! evaluator and its compiled reach graph instead of receiving, parsing and compiling 5 MB again.

use std::sync::Arc;

use bulkhead_core::analysis::{Analysis, AnalyzeOptions};
use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::eval::{Caller, Decision, Evaluator, Explanation, Request};
use bulkhead_core::findings::{CheckOptions, Finding, RuleDoc};
use bulkhead_core::matrix::{Matrix, SegmentMatrix};
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::spread::SimulationSpread;
use bulkhead_core::simulate::tree::SimulationTree;
use bulkhead_core::simulate::{Assumption, Outcome, SimulateError, SimulateOptions};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tauri::State;
use tauri::ipc::Response;

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::held::Held;
use crate::input;
use crate::session::Session;

/// Longest service id accepted as an origin or endpoint of a question.
const MAX_ID_BYTES: usize = 256;

/// One call to explain; unset fields mean "some value", as in the evaluator.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestArg {
    pub port: Option<u32>,
    pub method: Option<String>,
    pub path: Option<String>,
}

/// Holds `design` as the design being edited and answers the revision that names it in the
/// analysis commands. The design is checked like every design from the UI (bounded, well
/// formed); validation problems are `validate`'s answer, not a refusal, so a design being
/// edited can still be analysed.
#[tauri::command]
pub async fn set_design(design: serde_json::Value, session: State<'_, Session>) -> IpcResult<u64> {
    let design = input::design(design)?;
    Ok(session.hold_design(design, crate::design_file::today()))
}

/// Holds the design of revision `base` with `ops` applied (see [`crate::patch`]) and answers
/// the revision that names it: an edit sent as what it changed, not as the whole design. The
/// patched design is checked as one sent whole; `base` not held is `stale_revision` (the UI
/// then sends the whole design).
#[tauri::command]
pub async fn patch_design(
    base: u64,
    ops: serde_json::Value,
    session: State<'_, Session>,
) -> IpcResult<u64> {
    let ops = crate::patch::ops(ops)?;
    let design = crate::patch::apply(held(&session, base)?.design(), &ops)?;
    Ok(session.hold_design(design, crate::design_file::today()))
}

/// The held design of `revision`, with its evaluator for today.
fn held(session: &Session, revision: u64) -> IpcResult<Arc<Held>> {
    session.held_design(revision, crate::design_file::today())
}

/// Every validation problem of the design being edited (JSON pointers; no line:column, as
/// there is no text).
#[tauri::command]
pub async fn validate(revision: u64, session: State<'_, Session>) -> IpcResult<Vec<Diagnostic>> {
    let held = held(&session, revision)?;
    Ok(crate::design_file::check(held.design()))
}

/// The evaluator's decision on one flow of the design.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct FlowVerdict {
    /// The flow's id.
    pub flow: String,
    pub decision: Decision,
}

/// The evaluator's decision on every flow, in design order, so the canvas can style each edge
/// as allowed or denied without deciding anything itself.
pub fn verdicts(evaluator: &Evaluator) -> Vec<FlowVerdict> {
    evaluator
        .design()
        .flows
        .iter()
        .map(|f| FlowVerdict {
            flow: f.id.clone(),
            decision: evaluator.allowed(
                &Caller::parse(&f.from),
                &f.to,
                &Request {
                    port: f.port,
                    method: f.method.clone(),
                    path: f.path.clone(),
                },
            ),
        })
        .collect()
}

/// [`verdicts`] as the JSON text `flow_verdicts` answers.
pub fn verdicts_json(evaluator: &Evaluator) -> IpcResult<String> {
    serde_json::to_string(&verdicts(evaluator)).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("cannot write the flow verdicts: {e}"),
        )
    })
}

/// Answers `FlowVerdict[]` as JSON text, made once per revision ([`Held::flow_verdicts_json`]).
#[tauri::command]
pub async fn flow_verdicts(revision: u64, session: State<'_, Session>) -> IpcResult<Response> {
    let held = held(&session, revision)?;
    held.flow_verdicts_json(verdicts_json).map(Response::new)
}

/// Every finding, most severe first, with the design's triage applied, as of the evaluator's
/// date.
pub fn current_findings(held: &Held) -> Vec<Finding> {
    bulkhead_core::findings::check(
        held.evaluator(),
        &CheckOptions {
            today: Some(held.today().to_string()),
        },
    )
    .0
}

#[tauri::command]
pub async fn findings(revision: u64, session: State<'_, Session>) -> IpcResult<Vec<Finding>> {
    let held = held(&session, revision)?;
    Ok(current_findings(&held))
}

/// Every origin's worst-case blast radius, worst first, and the findings.
#[tauri::command]
pub async fn analyze(revision: u64, session: State<'_, Session>) -> IpcResult<Analysis> {
    let held = held(&session, revision)?;
    Ok(bulkhead_core::analysis::analyze(
        held.evaluator(),
        &AnalyzeOptions {
            today: Some(held.today().to_string()),
        },
    ))
}

/// A breach from `origin` (`internet` or a service id) under `assume`, on the held design's
/// compiled reach graph (compiled by the first simulation of the revision, reused by the rest),
/// with its attack paths as the tree they form: a full-reach breach's answer shrinks from
/// megabytes of repeated hops to one hop per reached service, and the core builds that form
/// directly instead of writing every path out and folding it (see
/// `bulkhead_core::simulate::tree`).
pub fn breach(held: &Held, origin: &str, assume: &str) -> IpcResult<SimulationTree> {
    on_held_graph(
        held,
        origin,
        assume,
        bulkhead_core::simulate::simulate_tree,
        |eval, graph, origin, opts, out| {
            bulkhead_core::simulate::simulate_tree_of(eval, graph, origin, opts, out)
        },
    )
}

/// The spread of [`breach`]'s breach (`bulkhead_core::simulate::spread`): the same run's reached
/// services, in the same order, with the same paths' calls, without the report. The canvas
/// draws it while the whole answer is asked for.
pub fn breach_spread(held: &Held, origin: &str, assume: &str) -> IpcResult<SimulationSpread> {
    on_held_graph(
        held,
        origin,
        assume,
        bulkhead_core::simulate::simulate_spread,
        |eval, graph, origin, _, out| {
            bulkhead_core::simulate::simulate_spread_of(eval, graph, origin, out)
        },
    )
}

/// A breach from `origin` under `assume`, checked, answered by `on` from the breach's fixpoint on
/// the held design's compiled graph, or by `alone` when the design has no segments: the core
/// then analyses the flat network the design is (its own graph, and a note saying so), so there
/// is nothing of this design's graph to reuse. The fixpoint is kept with the held design
/// ([`Held::breach_outcome`]): a click asks for the spread, then for the whole answer of the
/// same breach, and the second reuses the first's run.
fn on_held_graph<T>(
    held: &Held,
    origin: &str,
    assume: &str,
    alone: impl FnOnce(&Evaluator, &Caller, &SimulateOptions) -> Result<T, SimulateError>,
    on: impl FnOnce(&Evaluator, &ReachGraph, usize, &SimulateOptions, &Outcome) -> T,
) -> IpcResult<T> {
    let caller = check_caller(held.design(), "origin", origin)?;
    let assumption = match input::one_of("assume", assume, &["worst", "known", "probabilistic"])? {
        "known" => Assumption::Known,
        "probabilistic" => Assumption::Probabilistic,
        _ => Assumption::Worst,
    };
    let options = SimulateOptions {
        assumption,
        ..SimulateOptions::default()
    };
    let evaluator = held.evaluator();
    if held.design().segments.is_empty() {
        return alone(evaluator, &caller, &options)
            .map_err(|e| IpcError::invalid_input(e.to_string()));
    }
    let origin = bulkhead_core::simulate::origin_node(evaluator, &caller)
        .map_err(|e| IpcError::invalid_input(e.to_string()))?;
    let graph = held.graph();
    let out = held.breach_outcome(origin, assumption, || {
        bulkhead_core::simulate::breach_outcome(evaluator, graph, origin, &options)
    });
    Ok(on(evaluator, graph, origin, &options, &out))
}

#[tauri::command]
pub async fn simulate(
    revision: u64,
    origin: String,
    assume: String,
    session: State<'_, Session>,
) -> IpcResult<SimulationTree> {
    let held = held(&session, revision)?;
    breach(&held, &origin, &assume)
}

#[tauri::command]
pub async fn simulate_spread(
    revision: u64,
    origin: String,
    assume: String,
    session: State<'_, Session>,
) -> IpcResult<SimulationSpread> {
    let held = held(&session, revision)?;
    breach_spread(&held, &origin, &assume)
}

/// The allowed matrix, per service pair (`by: "service"`) or rolled up by segment.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum MatrixResult {
    Service(Matrix),
    Segment(SegmentMatrix),
}

pub fn allowed_matrix(evaluator: &Evaluator, by: &str) -> IpcResult<MatrixResult> {
    let by = input::one_of("by", by, &["segment", "service"])?;
    let m = bulkhead_core::matrix::matrix(evaluator);
    Ok(match by {
        "service" => MatrixResult::Service(m),
        _ => MatrixResult::Segment(bulkhead_core::matrix::by_segment(evaluator, &m)),
    })
}

#[tauri::command]
pub async fn matrix(
    revision: u64,
    by: String,
    session: State<'_, Session>,
) -> IpcResult<MatrixResult> {
    let held = held(&session, revision)?;
    allowed_matrix(held.evaluator(), &by)
}

/// Every finding rule's documentation (what it checks, why it matters, how to fix).
#[tauri::command]
pub async fn rule_docs() -> IpcResult<Vec<RuleDoc>> {
    Ok(bulkhead_core::findings::catalog())
}

/// The evaluator's explanation of `from → to` for `request`: the decision, the decision with
/// the required credentials, both sides' segments and every grant.
pub fn explain(
    evaluator: &Evaluator,
    from: &str,
    to: &str,
    request: RequestArg,
) -> IpcResult<Explanation> {
    let design = evaluator.design();
    let caller = check_caller(design, "from", from)?;
    check_service(design, "to", to)?;
    let request = check_request(request)?;
    Ok(evaluator.explain(&caller, to, &request))
}

#[tauri::command]
pub async fn why(
    revision: u64,
    from: String,
    to: String,
    request: Option<RequestArg>,
    session: State<'_, Session>,
) -> IpcResult<Explanation> {
    let held = held(&session, revision)?;
    explain(held.evaluator(), &from, &to, request.unwrap_or_default())
}

/// `internet` or the id of a service in the design.
fn check_caller(design: &bulkhead_core::Design, field: &str, raw: &str) -> IpcResult<Caller> {
    let raw = input::short_text(field, raw, MAX_ID_BYTES)?;
    if raw == bulkhead_core::model::INTERNET {
        return Ok(Caller::Internet);
    }
    check_service(design, field, raw)?;
    Ok(Caller::Service(raw.to_string()))
}

fn check_service(design: &bulkhead_core::Design, field: &str, raw: &str) -> IpcResult<()> {
    let raw = input::short_text(field, raw, MAX_ID_BYTES)?;
    if design.service(raw).is_some() {
        return Ok(());
    }
    let mut message = format!("`{field}`: no service `{raw}` in the design");
    if let Some(near) = input::did_you_mean(raw, design.services.iter().map(|s| s.id.as_str())) {
        message.push_str(&format!("; did you mean `{near}`?"));
    }
    Err(IpcError::invalid_input(message))
}

fn check_request(r: RequestArg) -> IpcResult<Request> {
    if let Some(port) = r.port
        && !(1..=65535).contains(&port)
    {
        return Err(IpcError::invalid_input(format!(
            "`request.port` must be 1-65535, got `{port}`"
        )));
    }
    if let Some(m) = &r.method {
        let m = input::short_text("request.method", m, 16)?;
        if !m.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(IpcError::invalid_input(format!(
                "`request.method` must be an upper-case HTTP method such as `GET`, got `{m}`"
            )));
        }
    }
    if let Some(p) = &r.path {
        let p = input::short_text("request.path", p, 2048)?;
        if !p.starts_with('/') {
            return Err(IpcError::invalid_input(format!(
                "`request.path` must start with `/`, got `{p}`"
            )));
        }
    }
    Ok(Request {
        port: r.port,
        method: r.method,
        path: r.path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use bulkhead_core::model::{Exposure, Flow, Peer, Rule, Service};
    use bulkhead_core::simulate::tree::to_tree;

    fn hold(design: bulkhead_core::Design) -> Held {
        Held::new(1, design, crate::design_file::today())
    }

    fn design() -> bulkhead_core::Design {
        let mut d = bulkhead_core::Design::new("t");
        for (id, exposure) in [("web", Exposure::Internet), ("db", Exposure::Internal)] {
            d.services.push(Service {
                id: id.into(),
                exposure,
                ..Default::default()
            });
        }
        d.rules.push(Rule {
            id: "web-db".into(),
            from: Peer::Service("web".into()),
            to: Peer::Service("db".into()),
            ports: vec![5432],
            ..Default::default()
        });
        for (id, from, to, port) in [("f1", "web", "db", 5432), ("f2", "db", "web", 80)] {
            d.flows.push(Flow {
                id: id.into(),
                from: from.into(),
                to: to.into(),
                port: Some(port),
                ..Default::default()
            });
        }
        d
    }

    #[test]
    fn flow_verdicts_are_the_evaluators_decisions_in_flow_order() {
        let v = verdicts(hold(design()).evaluator());
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].flow, "f1");
        assert!(v[0].decision.is_allowed());
        assert_eq!(v[1].flow, "f2");
        assert!(!v[1].decision.is_allowed());
        // What the command answers (kept per revision) is the JSON of exactly these.
        let held = hold(design());
        let json = held.flow_verdicts_json(verdicts_json).unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap(),
            serde_json::to_value(verdicts(held.evaluator())).unwrap()
        );
    }

    #[test]
    fn why_checks_ids_with_did_you_mean_and_request_fields() {
        let held = hold(design());
        let d = held.evaluator();
        let e = explain(d, "webb", "db", RequestArg::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.ends_with("did you mean `web`?"), "{}", e.message);
        let bad_port = RequestArg {
            port: Some(0),
            ..Default::default()
        };
        assert_eq!(
            explain(d, "web", "db", bad_port).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let bad_method = RequestArg {
            method: Some("get".into()),
            ..Default::default()
        };
        assert_eq!(
            explain(d, "web", "db", bad_method).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let ok = RequestArg {
            port: Some(5432),
            ..Default::default()
        };
        assert!(explain(d, "web", "db", ok).unwrap().decision.is_allowed());
        assert!(
            !explain(d, "internet", "db", RequestArg::default())
                .unwrap()
                .decision
                .is_allowed()
        );
    }

    fn fintech() -> bulkhead_core::Design {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../examples/fintech.bulkhead.json");
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    #[test]
    fn simulate_checks_origin_and_assumption_then_runs_the_engine() {
        let d = fintech();
        let held = hold(d.clone());
        let e = breach(&held, "internet", "wrst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = breach(&held, "no-such-service", "worst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let sim = breach(&held, "internet", "worst").unwrap();
        let direct = bulkhead_core::simulate::simulate(
            &Evaluator::at(&d, crate::design_file::today()),
            &Caller::Internet,
            &SimulateOptions::default(),
        )
        .unwrap();
        assert_eq!(
            sim,
            to_tree(direct),
            "the command passes the engine's answer through unchanged, as the tree it forms"
        );
        assert!(!sim.simulation.compromised.is_empty());
        // A second origin on the same revision runs on the graph the first one compiled, and
        // still answers exactly what the core's own `simulate` does.
        let origin = held.design().services[0].id.clone();
        let again = breach(&held, &origin, "known").unwrap();
        let direct = bulkhead_core::simulate::simulate(
            &Evaluator::at(&d, crate::design_file::today()),
            &Caller::Service(origin),
            &SimulateOptions {
                assumption: Assumption::Known,
                ..SimulateOptions::default()
            },
        )
        .unwrap();
        assert_eq!(again, to_tree(direct));
    }

    #[test]
    fn simulate_on_a_design_without_segments_is_the_cores_flat_analysis() {
        let held = hold(design());
        let sim = breach(&held, "internet", "worst").unwrap();
        assert!(sim.simulation.flat_estate);
        let direct = bulkhead_core::simulate::simulate(
            held.evaluator(),
            &Caller::Internet,
            &SimulateOptions::default(),
        )
        .unwrap();
        assert_eq!(sim, to_tree(direct));
    }

    #[test]
    fn simulate_spread_checks_its_arguments_then_answers_the_cores_spread() {
        let d = fintech();
        let held = hold(d.clone());
        let e = breach_spread(&held, "internet", "wrst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = breach_spread(&held, "no-such-service", "worst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let eval = Evaluator::at(&d, crate::design_file::today());
        for (origin, assume, assumption) in [
            ("internet", "worst", Assumption::Worst),
            (
                d.services[0].id.as_str(),
                "probabilistic",
                Assumption::Probabilistic,
            ),
        ] {
            let spread = breach_spread(&held, origin, assume).unwrap();
            let direct = bulkhead_core::simulate::simulate_spread(
                &eval,
                &Caller::parse(origin),
                &SimulateOptions {
                    assumption,
                    ..SimulateOptions::default()
                },
            )
            .unwrap();
            assert_eq!(spread, direct);
            // The same services, in the same order, as the whole answer of the same breach.
            let sim = breach(&held, origin, assume).unwrap();
            assert!(
                spread.reached.iter().map(|e| &e.service).eq(sim
                    .simulation
                    .reached
                    .iter()
                    .map(|r| &r.service))
            );
        }
        // Without segments: the core's flat analysis, as `simulate`'s.
        let flat = hold(design());
        let spread = breach_spread(&flat, "internet", "worst").unwrap();
        let sim = breach(&flat, "internet", "worst").unwrap();
        assert_eq!(spread.reached.len(), sim.simulation.reached.len());
    }

    #[test]
    fn a_breachs_kept_fixpoint_answers_what_a_fresh_run_does() {
        // The spread and then the whole answer, or the other way round, on one held revision:
        // the second reuses the first's fixpoint and answers exactly the core's own, for every
        // origin and assumption, on fintech and on a generated estate.
        let generated =
            bulkhead_core::generate::generate(&bulkhead_core::generate::GenerateOptions {
                services: 60,
                peers: 10,
                seed: 7,
            });
        for d in [fintech(), generated] {
            let eval = Evaluator::at(&d, crate::design_file::today());
            let origins: Vec<String> = std::iter::once("internet".to_string())
                .chain(d.services.iter().map(|s| s.id.clone()))
                .collect();
            for spread_first in [true, false] {
                let held = hold(d.clone());
                for origin in &origins {
                    for (assume, assumption) in [
                        ("worst", Assumption::Worst),
                        ("known", Assumption::Known),
                        ("probabilistic", Assumption::Probabilistic),
                    ] {
                        let options = SimulateOptions {
                            assumption,
                            ..SimulateOptions::default()
                        };
                        let caller = Caller::parse(origin);
                        let (spread, sim) = if spread_first {
                            let spread = breach_spread(&held, origin, assume).unwrap();
                            (spread, breach(&held, origin, assume).unwrap())
                        } else {
                            let sim = breach(&held, origin, assume).unwrap();
                            (breach_spread(&held, origin, assume).unwrap(), sim)
                        };
                        let direct = bulkhead_core::simulate::simulate(&eval, &caller, &options);
                        assert_eq!(sim, to_tree(direct.unwrap()), "{origin} {assume}");
                        let direct =
                            bulkhead_core::simulate::simulate_spread(&eval, &caller, &options);
                        assert_eq!(spread, direct.unwrap(), "{origin} {assume}");
                    }
                }
            }
        }
    }

    #[test]
    fn matrix_by_is_checked() {
        let held = hold(design());
        let d = held.evaluator();
        assert_eq!(
            allowed_matrix(d, "zone").unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert!(matches!(
            allowed_matrix(d, "service").unwrap(),
            MatrixResult::Service(_)
        ));
        assert!(matches!(
            allowed_matrix(d, "segment").unwrap(),
            MatrixResult::Segment(_)
        ));
    }
}
