//! End-to-end tests of the design-file subcommands: `validate`, `show`, `fmt`, `schema`.
//!
//! Every validation error class has a fixture in `tests/fixtures/invalid/` whose rendered
//! output (the miette-style diagnostics, exit code) is snapshotted; a deliberately broken copy
//! of the fintech example shows that one run reports every problem, each with its location.
//! Runs use `BULKHEAD_TODAY` so expiry checks are reproducible, and never write into the
//! source tree (`fmt` works on temporary copies).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `bulkhead` in the repository root; returns (exit code, stdout, stderr).
fn bulkhead(args: &[&str]) -> (i32, String, String) {
    bulkhead_in(&root(), args)
}

fn bulkhead_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(args)
        .current_dir(dir)
        .env("BULKHEAD_TODAY", "2026-11-28")
        .env("NO_COLOR", "1")
        .output()
        .expect("run bulkhead");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn transcript(code: i32, stdout: &str, stderr: &str) -> String {
    format!("exit: {code}\n--- stdout\n{stdout}--- stderr\n{stderr}")
}

#[test]
fn examples_validate_clean() {
    let (code, stdout, stderr) = bulkhead(&[
        "validate",
        "examples/online-boutique.bulkhead.json",
        "examples/fintech.bulkhead.json",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("examples/fintech.bulkhead.json: ok (0 errors, 0 warnings)"));
    assert!(stdout.contains("examples/online-boutique.bulkhead.json: ok (0 errors, 0 warnings)"));
}

#[test]
fn every_example_file_validates() {
    // `bulkhead validate examples/*.json`, whatever examples exist.
    let mut files: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.to_string_lossy().ends_with(".bulkhead.json")
        })
        .map(|p| {
            format!(
                "examples/{}",
                p.file_name().unwrap_or_default().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let (code, stdout, stderr) = bulkhead(&args);
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn each_error_class_renders_with_its_location() {
    insta::glob!("fixtures/invalid/*", |path| {
        let rel = path.strip_prefix(root()).expect("fixture under the repo");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let (code, stdout, stderr) = bulkhead(&["validate", &rel]);
        // Invalid files exit 1; a file with only warnings (an expired exception) exits 0.
        let has_error = stdout.contains('×');
        assert_eq!(code, i32::from(has_error), "{rel}:\n{stdout}{stderr}");
        assert!(
            has_error || stdout.contains('⚠'),
            "{rel} reported nothing:\n{stdout}"
        );
        insta::assert_snapshot!(transcript(code, &stdout, &stderr));
    });
}

#[test]
fn broken_fintech_reports_everything_at_once() {
    let (code, stdout, stderr) =
        bulkhead(&["validate", "tests/fixtures/fintech-broken.bulkhead.json"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(transcript(code, &stdout, &stderr));
}

#[test]
fn broken_fintech_as_json() {
    let (code, stdout, _) = bulkhead(&[
        "validate",
        "--format",
        "json",
        "tests/fixtures/fintech-broken.bulkhead.json",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json output");
    insta::assert_json_snapshot!(v);
}

#[test]
fn legacy_format_is_migrated_and_typos_still_located() {
    let (code, stdout, stderr) = bulkhead(&["validate", "tests/fixtures/legacy/v0.bulkhead.json"]);
    assert_eq!(code, 1, "the fixture has one typo");
    insta::assert_snapshot!(transcript(code, &stdout, &stderr));
}

#[test]
fn missing_file_is_an_io_error() {
    let (code, stdout, stderr) = bulkhead(&["validate", "examples/nope.json"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("error: cannot read `examples/nope.json`:"),
        "{stderr}"
    );
    let (code, stdout, _) = bulkhead(&["validate", "--format", "json", "examples/nope.json"]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["files"][0]["error"]["code"], "not-found");
}

#[test]
fn usage_errors_exit_2() {
    let (code, _, stderr) = bulkhead(&["validate"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = bulkhead(&["show", "examples/fintech.bulkhead.json", "--format", "xml"]);
    assert_eq!(code, 2);
}

#[test]
fn show_prints_the_segment_tree() {
    let (code, stdout, stderr) = bulkhead(&["show", "examples/fintech.bulkhead.json"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn show_json() {
    let (code, stdout, _) = bulkhead(&[
        "show",
        "--format",
        "json",
        "examples/online-boutique.bulkhead.json",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(v["counts"]["services"], 12);
    let roots: Vec<&str> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        roots,
        [
            "edge",
            "load-testing",
            "storefront",
            "checkout-payments",
            "data"
        ]
    );
}

#[test]
fn show_refuses_an_invalid_design() {
    let (code, stdout, stderr) = bulkhead(&["show", "tests/fixtures/invalid/unknown-id.json"]);
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert!(stderr.contains("is not a valid design"), "{stderr}");
}

#[test]
fn fmt_check_rewrite_and_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = std::fs::read_to_string(root().join("examples/fintech.bulkhead.json")).unwrap();
    // Canonical examples pass --check.
    let (code, _, _) = bulkhead(&[
        "fmt",
        "--check",
        "examples/fintech.bulkhead.json",
        "examples/online-boutique.bulkhead.json",
    ]);
    assert_eq!(code, 0);

    // A compact copy is not canonical; fmt restores the canonical bytes exactly.
    let v: serde_json::Value = serde_json::from_str(&original).unwrap();
    let compact = dir.path().join("compact.bulkhead.json");
    std::fs::write(&compact, serde_json::to_string(&v).unwrap()).unwrap();
    let (code, stdout, _) = bulkhead_in(dir.path(), &["fmt", "--check", "compact.bulkhead.json"]);
    assert_eq!(
        (code, stdout.as_str()),
        (1, "would reformat compact.bulkhead.json\n")
    );
    let (code, stdout, _) = bulkhead_in(dir.path(), &["fmt", "compact.bulkhead.json"]);
    assert_eq!(
        (code, stdout.as_str()),
        (0, "reformatted compact.bulkhead.json\n")
    );
    assert_eq!(std::fs::read_to_string(&compact).unwrap(), original);
    assert!(!dir.path().join("compact.bulkhead.json.bak").exists());
    let (code, stdout, _) = bulkhead_in(
        dir.path(),
        &["fmt", "compact.bulkhead.json", "--format", "json"],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["files"][0]["status"], "unchanged");

    // YAML converts only through --stdout.
    let yaml = dir.path().join("d.yaml");
    std::fs::write(&yaml, "format: bulkhead/1\nname: y\nservices:\n  - id: a\n").unwrap();
    let (code, _, stderr) = bulkhead_in(dir.path(), &["fmt", "d.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--stdout"), "{stderr}");
    let (code, stdout, _) = bulkhead_in(dir.path(), &["fmt", "--stdout", "d.yaml"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(stdout);
}

#[test]
fn fmt_migrates_legacy_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let legacy =
        std::fs::read_to_string(root().join("tests/fixtures/legacy/v0.bulkhead.json")).unwrap();
    let path = dir.path().join("v0.bulkhead.json");
    std::fs::write(&path, legacy).unwrap();
    let (code, _, stderr) = bulkhead_in(dir.path(), &["fmt", "v0.bulkhead.json"]);
    assert_eq!(code, 0, "{stderr}");
    let migrated = std::fs::read_to_string(&path).unwrap();
    insta::assert_snapshot!(migrated);
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let (code, stdout, _) = bulkhead(&["schema"]);
    assert_eq!(code, 0);
    let on_disk = std::fs::read_to_string(root().join("schema/bulkhead.schema.json")).unwrap();
    assert_eq!(stdout, on_disk);
}

#[test]
fn a_bad_today_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["validate", "examples/fintech.bulkhead.json"])
        .current_dir(root())
        .env("BULKHEAD_TODAY", "28/11/2026")
        .output()
        .expect("run bulkhead");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`BULKHEAD_TODAY=28/11/2026` is not a date"),
        "{stderr}"
    );
}

#[test]
fn expiry_is_judged_against_today() {
    // The fintech exception expires on 2027-06-30: fine today, a warning (not an error) later.
    let out = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["validate", "examples/fintech.bulkhead.json"])
        .current_dir(root())
        .env("BULKHEAD_TODAY", "2027-07-01")
        .env("NO_COLOR", "1")
        .output()
        .expect("run bulkhead");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("exception `settlement-reconciliation-exception` expired on 2027-06-30")
    );
    assert!(stdout.contains("ok (0 errors, 1 warning)"));
}

/// `generate --output` saves through the store like every design write: atomically, with the
/// replaced design kept as `.bak` (the store's tests cover links, devices and pipes).
#[test]
fn generate_saves_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g.json");
    let out_arg = out.to_str().unwrap();
    let args = [
        "generate",
        "--services",
        "3",
        "--seed",
        "1",
        "--output",
        out_arg,
    ];
    assert_eq!(bulkhead(&args).0, 0);
    let first = std::fs::read(&out).unwrap();
    let again = [
        "generate",
        "--services",
        "4",
        "--seed",
        "1",
        "--output",
        out_arg,
    ];
    assert_eq!(bulkhead(&again).0, 0);
    assert_eq!(std::fs::read(dir.path().join("g.json.bak")).unwrap(), first);
    assert_ne!(std::fs::read(&out).unwrap(), first);
}
