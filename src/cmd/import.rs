//! `bulkhead import`: read API inventories (OpenAPI/Swagger, Kubernetes manifests, traffic logs,
//! Kong configs; files, folders or URLs) into a design, merging without clobbering.
//!
//! Without `--into`/`--out` the design goes to standard output and the summary to standard
//! error. With `--into DESIGN` the design file is created, or merged into and saved through
//! `bulkhead-store` (atomically, the replaced version kept as `<file>.bak`). Exit codes: 0 imported cleanly, 1 some input could not be imported (the rest
//! was), 2 usage or IO error on the design file itself.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use bulkhead_core::Design;
use bulkhead_import::{
    ImportOptions, ImportResult, MergeChoices, Severity, Source, TrafficOptions, import_sources,
    merge::{Change, MergePreview},
};
use serde::Serialize;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files, folders (walked recursively) or http(s) URLs.
    #[arg(required = true, value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Design to import into; created when it does not exist, otherwise merged into.
    #[arg(long, value_name = "DESIGN")]
    pub into: Option<PathBuf>,
    /// Write the resulting design here (default: back to `--into`, else standard output).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Show the proposed segmentation in the summary.
    #[arg(long)]
    pub propose_segments: bool,
    /// Apply the proposed segmentation (only services in no segment are placed).
    #[arg(long)]
    pub accept_segments: bool,
    /// Follow `$ref`s to other hosts.
    #[arg(long)]
    pub allow_remote_refs: bool,
    /// The service that wrote plain NGINX access logs (default `nginx`).
    #[arg(long, value_name = "ID")]
    pub log_service: Option<String>,
    /// Only show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// The `--format json` summary.
#[derive(Serialize)]
struct Summary<'a> {
    design: Option<String>,
    written: bool,
    preview: &'a MergePreview,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<&'a bulkhead_import::SegmentProposal>,
    live_policy: usize,
    /// Allowed (caller, target) service pairs the imported NetworkPolicies give.
    live_pairs: Option<usize>,
    sources: &'a [bulkhead_import::SourceReport],
    diagnostics: &'a [bulkhead_import::Diagnostic],
}

/// The design to import into, or `None` when the file does not exist yet. Read through
/// `bulkhead-store` (size cap, UTF-8, JSON or YAML, legacy formats migrated), with every parse
/// problem located.
fn read_design(path: &Path) -> Result<Option<Design>, String> {
    let loaded = match bulkhead_store::load(path) {
        Ok(l) => l,
        Err(e) if e.code() == "not-found" => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    match loaded.parsed {
        Ok(p) => Ok(Some(p.design)),
        Err(diags) => Err(format!(
            "`{}` is not a Bulkhead design:\n{}",
            path.display(),
            super::common::render_diagnostics(path, &loaded.text, &diags)
        )),
    }
}

pub fn run(args: &Args) -> ExitCode {
    let existing = match args.into.as_deref().map(read_design).transpose() {
        Ok(d) => d.flatten(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let name = args
        .into
        .as_deref()
        .or(args.out.as_deref())
        .and_then(|p| p.file_name())
        .map(|n| {
            let n = n.to_string_lossy();
            n.trim_end_matches(".json")
                .trim_end_matches(".bulkhead")
                .to_string()
        });
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let progress_bar = bar.clone();
    let opts = ImportOptions {
        allow_remote_refs: args.allow_remote_refs,
        traffic: TrafficOptions {
            log_service: args.log_service.clone(),
        },
        existing: existing.clone(),
        design_name: name,
        progress: Some(Arc::new(move |p: &bulkhead_import::Progress| {
            // Only worth a bar on large imports.
            if p.total >= 50 {
                progress_bar.set_length(p.total as u64);
                progress_bar.set_position(p.done as u64);
                progress_bar.set_message(p.current.clone());
            }
        })),
        ..ImportOptions::default()
    };
    let sources: Vec<Source> = args.sources.iter().map(|s| Source::parse(s)).collect();
    let result = match import_sources(&sources, &opts) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    bar.finish_and_clear();
    let base = existing.unwrap_or_else(|| {
        let mut d = Design::new(result.design.name.clone());
        d.description = Some("imported by `bulkhead import`".into());
        d
    });
    let choices = MergeChoices {
        accept_segments: args.accept_segments,
        ..MergeChoices::default()
    };
    let (merged, preview) = result.merge_into(&base, &choices);
    let target = args.out.clone().or(args.into.clone());
    let mut written = false;
    if !args.dry_run {
        let outcome = match &target {
            // Atomic, with the replaced version kept as `<file>.bak`.
            Some(path) => bulkhead_store::save(path, &merged).map_err(|e| e.to_string()),
            None => {
                match super::common::write_stdout(&bulkhead_core::file::to_canonical_json(&merged))
                {
                    Ok(()) => Ok(()),
                    Err(code) => return code,
                }
            }
        };
        if let Err(e) = outcome {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
        written = true;
    }
    let summary_to_stdout = target.is_some() || args.dry_run;
    let summary = match args.format {
        Format::Json => {
            let s = Summary {
                design: target.as_ref().map(|p| p.display().to_string()),
                written,
                preview: &preview,
                proposal: (args.propose_segments || args.accept_segments)
                    .then_some(&result.proposal),
                live_policy: result.live_policy.len(),
                live_pairs: result.design.live.as_ref().map(|l| l.pairs.len()),
                sources: &result.sources,
                diagnostics: &result.diagnostics,
            };
            serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
        }
        Format::Text => text_summary(&result, &preview, args, target.as_deref(), written),
    };
    if summary_to_stdout {
        if let Err(code) = super::common::write_stdout(&summary) {
            return code;
        }
    } else {
        eprint!("{summary}");
    }
    if result.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn text_summary(
    result: &ImportResult,
    preview: &MergePreview,
    args: &Args,
    target: Option<&Path>,
    written: bool,
) -> String {
    let mut out = String::new();
    let d = &result.design;
    let declared = d
        .flows
        .iter()
        .filter(|f| f.kind == bulkhead_core::model::FlowKind::Declared)
        .count();
    out.push_str(&format!(
        "imported {} services, {} endpoints, {} flows ({} declared, {} observed), {} data classes, {} live policies from {} sources\n",
        d.services.len(),
        d.services.iter().map(|s| s.endpoints.len()).sum::<usize>(),
        d.flows.len(),
        declared,
        d.flows.len() - declared,
        d.data_classes.len(),
        result.live_policy.len(),
        result.sources.len(),
    ));
    if let Some(l) = &d.live {
        let internet = l
            .pairs
            .iter()
            .filter(|p| p.from == bulkhead_core::model::INTERNET)
            .count();
        out.push_str(&format!(
            "live connectivity: the {} NetworkPolicies allow {} service pair(s) ({} from the internet){}; compare with `bulkhead check`\n",
            l.policies,
            l.pairs.len(),
            internet,
            if l.unmapped_workloads.is_empty() {
                String::new()
            } else {
                format!(", {} workload(s) unmapped", l.unmapped_workloads.len())
            }
        ));
    }
    let listed: Vec<_> = result
        .sources
        .iter()
        .filter(|s| s.format != "$ref target")
        .collect();
    for s in listed.iter().take(20) {
        out.push_str(&format!("  {:<18} {}  {}\n", s.format, s.source, s.detail));
    }
    if listed.len() > 20 {
        out.push_str(&format!(
            "  … and {} more sources (all of them with --format json)\n",
            listed.len() - 20
        ));
    }
    let refs = result
        .sources
        .iter()
        .filter(|s| s.format == "$ref target")
        .count();
    if refs > 0 {
        out.push_str(&format!(
            "  ({refs} more files read as parts of descriptions)\n"
        ));
    }
    out.push_str(&format!(
        "changes: {} added, {} updated, {} unchanged, {} skipped\n",
        preview.added, preview.updated, preview.unchanged, preview.skipped
    ));
    for i in preview
        .items
        .iter()
        .filter(|i| i.change == Change::Updated)
        .take(20)
    {
        out.push_str(&format!(
            "  updated {:?} `{}`: {}\n",
            i.kind,
            i.id,
            i.fields.join(", ")
        ));
    }
    if args.propose_segments || args.accept_segments {
        out.push_str("proposed segments:\n");
        for p in &result.proposal.segments {
            out.push_str(&format!(
                "  {:<16} {}\n",
                p.segment.id,
                p.segment.members.join(", ")
            ));
        }
        if !args.accept_segments {
            out.push_str("  (apply with --accept-segments)\n");
        }
    }
    let shown: Vec<_> = result
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    for d in shown.iter().take(50) {
        out.push_str(&format!("{d}\n"));
    }
    if shown.len() > 50 {
        out.push_str(&format!(
            "… and {} more problems (use --format json)\n",
            shown.len() - 50
        ));
    }
    match (target, written) {
        (Some(p), true) => out.push_str(&format!("wrote {}\n", p.display())),
        (_, false) => out.push_str("dry run: nothing written\n"),
        _ => {}
    }
    out
}
