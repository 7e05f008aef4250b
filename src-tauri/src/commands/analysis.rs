//! Analysis: validation, the all-origins analysis and findings, breach simulation, the allowed
//! matrix and the evaluator's explanation of one call. All of it is computed by
//! `bulkhead-core`; this module only checks arguments and passes results through.

use bulkhead_core::analysis::{Analysis, AnalyzeOptions};
use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::eval::{Caller, Decision, Evaluator, Explanation, Request};
use bulkhead_core::findings::{CheckOptions, Finding, RuleDoc};
use bulkhead_core::matrix::{Matrix, SegmentMatrix};
use bulkhead_core::simulate::{Assumption, SimulateOptions, Simulation};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{IpcError, IpcResult};
use crate::input;

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

/// Every validation problem of the design being edited (JSON pointers; no line:column, as
/// there is no text).
#[tauri::command]
pub async fn validate(design: serde_json::Value) -> IpcResult<Vec<Diagnostic>> {
    let design = input::design(design)?;
    Ok(crate::design_file::check(&design))
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
pub fn verdicts(design: &bulkhead_core::Design) -> Vec<FlowVerdict> {
    let evaluator = evaluator_today(design);
    design
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

#[tauri::command]
pub async fn flow_verdicts(design: serde_json::Value) -> IpcResult<Vec<FlowVerdict>> {
    let design = input::design(design)?;
    Ok(verdicts(&design))
}

/// Today as `YYYY-MM-DD`, for expired-exception findings (the core never reads the clock).
fn today() -> String {
    crate::design_file::today().to_string()
}

/// The evaluator for the design as it stands today: rules whose `expires` date has passed no
/// longer apply (the core never reads the clock, so the date is passed in).
fn evaluator_today(design: &bulkhead_core::Design) -> Evaluator<'_> {
    Evaluator::at(design, crate::design_file::today())
}

/// Every finding, most severe first, with the design's triage applied.
pub fn current_findings(design: &bulkhead_core::Design) -> Vec<Finding> {
    let evaluator = evaluator_today(design);
    bulkhead_core::findings::check(
        &evaluator,
        &CheckOptions {
            today: Some(today()),
        },
    )
    .0
}

#[tauri::command]
pub async fn findings(design: serde_json::Value) -> IpcResult<Vec<Finding>> {
    let design = input::design(design)?;
    Ok(current_findings(&design))
}

/// Every origin's worst-case blast radius, worst first, and the findings.
#[tauri::command]
pub async fn analyze(design: serde_json::Value) -> IpcResult<Analysis> {
    let design = input::design(design)?;
    let evaluator = evaluator_today(&design);
    Ok(bulkhead_core::analysis::analyze(
        &evaluator,
        &AnalyzeOptions {
            today: Some(today()),
        },
    ))
}

/// A breach from `origin` (`internet` or a service id) under `assume`.
pub fn breach(design: &bulkhead_core::Design, origin: &str, assume: &str) -> IpcResult<Simulation> {
    let caller = check_caller(design, "origin", origin)?;
    let assumption = match input::one_of("assume", assume, &["worst", "known", "probabilistic"])? {
        "known" => Assumption::Known,
        "probabilistic" => Assumption::Probabilistic,
        _ => Assumption::Worst,
    };
    let evaluator = evaluator_today(design);
    bulkhead_core::simulate::simulate(
        &evaluator,
        &caller,
        &SimulateOptions {
            assumption,
            ..SimulateOptions::default()
        },
    )
    .map_err(|e| IpcError::invalid_input(e.to_string()))
}

#[tauri::command]
pub async fn simulate(
    design: serde_json::Value,
    origin: String,
    assume: String,
) -> IpcResult<Simulation> {
    let design = input::design(design)?;
    breach(&design, &origin, &assume)
}

/// The allowed matrix, per service pair (`by: "service"`) or rolled up by segment.
#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum MatrixResult {
    Service(Matrix),
    Segment(SegmentMatrix),
}

pub fn allowed_matrix(design: &bulkhead_core::Design, by: &str) -> IpcResult<MatrixResult> {
    let by = input::one_of("by", by, &["segment", "service"])?;
    let evaluator = evaluator_today(design);
    let m = bulkhead_core::matrix::matrix(&evaluator);
    Ok(match by {
        "service" => MatrixResult::Service(m),
        _ => MatrixResult::Segment(bulkhead_core::matrix::by_segment(&evaluator, &m)),
    })
}

#[tauri::command]
pub async fn matrix(design: serde_json::Value, by: String) -> IpcResult<MatrixResult> {
    let design = input::design(design)?;
    allowed_matrix(&design, &by)
}

/// Every finding rule's documentation (what it checks, why it matters, how to fix).
#[tauri::command]
pub async fn rule_docs() -> IpcResult<Vec<RuleDoc>> {
    Ok(bulkhead_core::findings::catalog())
}

/// The evaluator's explanation of `from → to` for `request`: the decision, the decision with
/// the required credentials, both sides' segments and every grant.
pub fn explain(
    design: &bulkhead_core::Design,
    from: &str,
    to: &str,
    request: RequestArg,
) -> IpcResult<Explanation> {
    let caller = check_caller(design, "from", from)?;
    check_service(design, "to", to)?;
    let request = check_request(request)?;
    Ok(evaluator_today(design).explain(&caller, to, &request))
}

#[tauri::command]
pub async fn why(
    design: serde_json::Value,
    from: String,
    to: String,
    request: Option<RequestArg>,
) -> IpcResult<Explanation> {
    let design = input::design(design)?;
    explain(&design, &from, &to, request.unwrap_or_default())
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
        let v = verdicts(&design());
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].flow, "f1");
        assert!(v[0].decision.is_allowed());
        assert_eq!(v[1].flow, "f2");
        assert!(!v[1].decision.is_allowed());
    }

    #[test]
    fn why_checks_ids_with_did_you_mean_and_request_fields() {
        let d = design();
        let e = explain(&d, "webb", "db", RequestArg::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.ends_with("did you mean `web`?"), "{}", e.message);
        let bad_port = RequestArg {
            port: Some(0),
            ..Default::default()
        };
        assert_eq!(
            explain(&d, "web", "db", bad_port).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let bad_method = RequestArg {
            method: Some("get".into()),
            ..Default::default()
        };
        assert_eq!(
            explain(&d, "web", "db", bad_method).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let ok = RequestArg {
            port: Some(5432),
            ..Default::default()
        };
        assert!(explain(&d, "web", "db", ok).unwrap().decision.is_allowed());
        assert!(
            !explain(&d, "internet", "db", RequestArg::default())
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
        let e = breach(&d, "internet", "wrst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = breach(&d, "no-such-service", "worst").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let sim = breach(&d, "internet", "worst").unwrap();
        let direct = bulkhead_core::simulate::simulate(
            &Evaluator::at(&d, crate::design_file::today()),
            &Caller::Internet,
            &SimulateOptions::default(),
        )
        .unwrap();
        assert_eq!(
            sim, direct,
            "the command passes the engine's answer through unchanged"
        );
        assert!(!sim.compromised.is_empty());
    }

    #[test]
    fn matrix_by_is_checked() {
        let d = design();
        assert_eq!(
            allowed_matrix(&d, "zone").unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert!(matches!(
            allowed_matrix(&d, "service").unwrap(),
            MatrixResult::Service(_)
        ));
        assert!(matches!(
            allowed_matrix(&d, "segment").unwrap(),
            MatrixResult::Segment(_)
        ));
    }
}
