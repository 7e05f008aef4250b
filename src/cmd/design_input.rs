//! Reading and writing the design file for `propose`, `check` and `report`.
//!
//! Reading reports the file and line:column of a JSON error; writing goes through a temporary
//! sibling file renamed into place, so a failure never leaves half a design behind.

use std::fs;
use std::io::Write;
use std::path::Path;

use bulkhead_core::Design;

/// A failure with the exit code it deserves (1: the input is invalid, 2: IO or usage).
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn io(message: String) -> Self {
        Failure { code: 2, message }
    }

    pub fn invalid(message: String) -> Self {
        Failure { code: 1, message }
    }

    pub fn exit(self) -> std::process::ExitCode {
        eprintln!("error: {}", self.message);
        std::process::ExitCode::from(self.code)
    }
}

/// Read a design file (JSON).
pub fn load(path: &Path) -> Result<Design, Failure> {
    let text = fs::read_to_string(path)
        .map_err(|e| Failure::io(format!("cannot read `{}`: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::invalid(format!(
            "`{}`:{}:{}: not a valid design: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}

/// Write `text` to `path` atomically (temporary sibling, then rename).
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Failure> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Failure::io(format!("cannot write `{}`: {e}", path.display()))
    })
}

/// Write to `out`, or to standard output when it is `None`.
pub fn emit(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    match out {
        Some(p) => write_atomically(p, text),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| Failure::io(format!("cannot write to standard output: {e}"))),
    }
}
