//! Reading the DESIGN argument of the engine's subcommands (`simulate`, `analyze`, `why`,
//! `matrix`): the file, parsed, or an error message with the location and an exit code.

use std::path::Path;

use bulkhead_core::Design;

/// Read and parse a design. Errors carry the exit code: 2 for IO, 1 for an invalid design.
pub fn load(path: &Path) -> Result<Design, (u8, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| (2, format!("cannot read `{}`: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        (
            1,
            format!(
                "`{}`:{}:{}: not a valid design: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })
}

/// Today's date as `YYYY-MM-DD` (UTC), for expiry checks.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> std::process::ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot serialize the result: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_a_date() {
        let t = super::today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2024-01-01");
    }
}
