//! Traffic logs for `check`, `propose` and `report`: read by the library
//! ([`bulkhead_import::logs`], shared with the app's drift panel) with a progress bar on stderr
//! when it is a terminal. Unparseable lines are counted and reported with `file:line` examples,
//! never fatal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use bulkhead_core::Design;
pub use bulkhead_import::logs::{ObservedTraffic as Observed, apply_window};
use indicatif::{ProgressBar, ProgressStyle};

/// Read every log. An unreadable or unrecognised file is an error (exit 2); bad lines are not.
pub fn read_logs(paths: &[PathBuf], design: &Design) -> Result<Observed, String> {
    let bar = (!paths.is_empty() && std::io::stderr().is_terminal()).then(|| {
        let b = ProgressBar::new(bulkhead_import::logs::total_bytes(paths));
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} reading traffic {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let tell = |path: &Path, n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
            b.set_message(path.display().to_string());
        }
    };
    let read = bulkhead_import::logs::read_log_files(paths, design, Some(&tell));
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    read
}
