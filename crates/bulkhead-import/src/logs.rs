//! Traffic log files held against an existing design, for `bulkhead check`, `propose` and
//! `report` and the app's drift panel: streamed through the importer's parsers ([`traffic`]:
//! NGINX, Hubble JSON, Zeek conn.log and CSV) with the design's services as the peer index, in
//! bounded memory. Unparseable lines are counted and reported with `file:line` examples, never
//! fatal; an unreadable or unrecognised file is an error naming it.
//!
//! [`traffic`]: crate::traffic

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use bulkhead_core::Design;
use bulkhead_core::drift::TrafficSummary;
use bulkhead_core::model::{Flow, FlowKind};

use crate::traffic::{PeerIndex, TrafficImport, sniff};
use crate::{Diagnostic, TrafficOptions};

/// Observed flows read from logs, and what reading them found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObservedTraffic {
    pub flows: Vec<Flow>,
    pub summary: TrafficSummary,
}

/// Told how many more bytes were read, for progress bars.
pub type ByteProgress<'a> = &'a dyn Fn(&Path, u64);

/// Counts bytes read into the progress callback.
struct Counted<'a, R> {
    inner: R,
    path: &'a Path,
    progress: Option<ByteProgress<'a>>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = self.progress {
            p(self.path, n as u64);
        }
        Ok(n)
    }
}

/// The total size of `paths` in bytes (unreadable files count 0), for a progress bar's length.
pub fn total_bytes(paths: &[PathBuf]) -> u64 {
    paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Read every log, mapping peers to `design`'s services. An unreadable or unrecognised file is
/// an error (`cannot read …`, `… is not a traffic log …`); bad lines are not.
pub fn read_log_files(
    paths: &[PathBuf],
    design: &Design,
    progress: Option<ByteProgress<'_>>,
) -> Result<ObservedTraffic, String> {
    let mut summary = TrafficSummary::default();
    if paths.is_empty() {
        return Ok(ObservedTraffic {
            flows: Vec::new(),
            summary,
        });
    }
    let index = PeerIndex::new(&design.services, &[], &[]);
    let mut import = TrafficImport::new(TrafficOptions::default());
    let mut diags: Vec<Diagnostic> = Vec::new();
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
        let file = File::open(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        let reader = BufReader::with_capacity(
            256 * 1024,
            Counted {
                inner: file,
                path,
                progress,
            },
        );
        let stats = import
            .read(reader, format, &shown, &index, &mut diags)
            .map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        summary.lines += stats.lines;
        summary.unparsed_lines += stats.unparsed;
        summary.skipped_lines += stats.skipped;
    }
    summary.unparsed_examples = diags.iter().map(|d| d.message.clone()).collect();
    Ok(ObservedTraffic {
        flows: import.flows(),
        summary,
    })
}

/// Keep only observed flows last seen within `secs` of the newest observed call (in the logs
/// and in the design); returns how many were dropped. Declared flows are kept.
pub fn apply_window(design: &mut Design, flows: &mut Vec<Flow>, secs: i64) -> u64 {
    let ts = |f: &Flow| f.last_seen.as_deref().and_then(parse_timestamp);
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

/// `90s`, `30m`, `12h`, `7d`, `2w` → seconds; `None` for anything else (or zero).
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|v| *v > 0)
}

/// RFC 3339 (`2021-06-16T16:52:13.136Z`, `…+02:00`) → Unix seconds.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let oh: i64 = rest.get(1..3)?.parse().ok()?;
            let om: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from civil (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_timestamps() {
        assert_eq!(parse_duration("7d"), Some(7 * 86_400));
        assert_eq!(parse_duration("30m"), Some(1800));
        assert_eq!(parse_duration("7 days"), None);
        assert_eq!(parse_duration("d"), None);
        assert_eq!(parse_duration("0h"), None);
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("2021-06-16T18:52:13+02:00"),
            parse_timestamp("2021-06-16T16:52:13Z")
        );
        assert_eq!(parse_timestamp("16/Jun/2021"), None);
    }

    #[test]
    fn logs_are_read_with_bad_lines_counted_and_progress_told() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let csv = dir.join("calls.csv");
        std::fs::write(&csv, "src,dst,port,count\nweb,api,8080,3\nweb\n").unwrap();
        let mut design = Design::new("d");
        for id in ["web", "api"] {
            design.services.push(bulkhead_core::model::Service {
                id: id.into(),
                ..Default::default()
            });
        }
        let read = std::cell::Cell::new(0u64);
        let tell = |_: &Path, n: u64| read.set(read.get() + n);
        let got = read_log_files(std::slice::from_ref(&csv), &design, Some(&tell)).unwrap();
        assert_eq!(read.get(), total_bytes(std::slice::from_ref(&csv)));
        assert_eq!(got.flows.len(), 1);
        assert_eq!(
            (got.flows[0].from.as_str(), got.flows[0].to.as_str()),
            ("web", "api")
        );
        assert_eq!(got.summary.unparsed_lines, 1);
        assert!(
            got.summary.unparsed_examples[0].contains("calls.csv:3"),
            "{:?}",
            got.summary
        );
        let text = dir.join("notes.txt");
        std::fs::write(&text, "hello\n").unwrap();
        let e = read_log_files(&[text], &design, None).unwrap_err();
        assert!(e.contains("is not a traffic log"), "{e}");
    }
}
