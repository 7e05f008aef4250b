//! Traffic logs for `check`, `propose` and `report`: streamed through the importer's parsers
//! (`bulkhead_import::traffic`, NGINX, Hubble JSON, Zeek conn.log and CSV) with the design's
//! services as the peer index, in bounded memory, with a progress bar on stderr when it is a
//! terminal. Unparseable lines are counted and reported with `file:line` examples, never fatal.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::drift::TrafficSummary;
use bulkhead_core::model::{Flow, FlowKind};
use bulkhead_import::traffic::{PeerIndex, TrafficImport, sniff};
use bulkhead_import::{Diagnostic, TrafficOptions};
use indicatif::{ProgressBar, ProgressStyle};

/// Observed flows from logs, and what reading them found.
pub struct Observed {
    pub flows: Vec<Flow>,
    pub summary: TrafficSummary,
}

/// Counts bytes read into the progress bar.
struct Counted<R> {
    inner: R,
    bar: Option<ProgressBar>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

/// Read every log. An unreadable or unrecognised file is an error (exit 2); bad lines are not.
pub fn read_logs(paths: &[PathBuf], design: &Design) -> Result<Observed, String> {
    let mut summary = TrafficSummary::default();
    if paths.is_empty() {
        return Ok(Observed {
            flows: Vec::new(),
            summary,
        });
    }
    let index = PeerIndex::new(&design.services, &[], &[]);
    let mut import = TrafficImport::new(TrafficOptions::default());
    let mut diags: Vec<Diagnostic> = Vec::new();
    let total: u64 = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(total);
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} reading traffic {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    for path in paths {
        let shown = path.display().to_string();
        let mut head = vec![0u8; 64 * 1024];
        let n = File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        head.truncate(n);
        let format = sniff(&String::from_utf8_lossy(&head)).ok_or_else(|| {
            format!(
                "`{shown}` is not a traffic log Bulkhead reads (NGINX or ingress-nginx access \
                 log, Hubble JSON flows, Zeek conn.log, or CSV with a `src,dst,...` header)"
            )
        })?;
        if let Some(b) = &bar {
            b.set_message(shown.clone());
        }
        let file = File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let reader = BufReader::with_capacity(
            256 * 1024,
            Counted {
                inner: file,
                bar: bar.clone(),
            },
        );
        let stats = import
            .read(reader, format, &shown, &index, &mut diags)
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        summary.lines += stats.lines;
        summary.unparsed_lines += stats.unparsed;
        summary.skipped_lines += stats.skipped;
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    summary.unparsed_examples = diags.iter().map(|d| d.message.clone()).collect();
    Ok(Observed {
        flows: import.flows(),
        summary,
    })
}

/// Keep only observed flows last seen within `secs` of the newest observed call (in the logs
/// and in the design); returns how many were dropped. Declared flows are kept.
pub fn apply_window(design: &mut Design, flows: &mut Vec<Flow>, secs: i64) -> u64 {
    let ts = |f: &Flow| {
        f.last_seen
            .as_deref()
            .and_then(super::check::parse_timestamp)
    };
    let newest = design
        .flows
        .iter()
        .chain(flows.iter())
        .filter(|f| f.kind == FlowKind::Observed)
        .filter_map(ts)
        .max();
    let Some(newest) = newest else {
        return 0;
    };
    let keep = |f: &Flow| f.kind != FlowKind::Observed || ts(f).is_some_and(|t| t >= newest - secs);
    let before = design.flows.len() + flows.len();
    design.flows.retain(keep);
    flows.retain(keep);
    (before - design.flows.len() - flows.len()) as u64
}
