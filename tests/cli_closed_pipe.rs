//! Every command that prints to stdout, run into a pipe whose reader has already gone
//! (`bulkhead … | head -1`): no panic, nothing on stderr about the pipe, and the command's own
//! exit code (0, or 1 where findings make it so), never 101 or a signal.

use std::path::PathBuf;
use std::process::{Command, Stdio};

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs the CLI with stdout connected to a pipe whose reading end is closed before the child
/// can write (it is dropped right after spawning, while the child is still starting up).
fn into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(args)
        .env("BULKHEAD_TODAY", "2026-11-28")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run bulkhead");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait for bulkhead");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn closed_stdout_is_a_quiet_end_of_output() {
    let fintech = example("fintech.bulkhead.json");
    let boutique = example("online-boutique.bulkhead.json");
    let f = fintech.as_str();
    let cases: Vec<(Vec<&str>, &[i32])> = vec![
        (vec!["analyze", f, "--format", "json"], &[1]),
        (vec!["analyze", f, "--format", "sarif"], &[1]),
        (vec!["analyze", f], &[1]),
        (vec!["simulate", f, "--from", "internet"], &[0]),
        (
            vec!["simulate", f, "--from", "internet", "--format", "json"],
            &[0],
        ),
        (
            vec!["simulate", f, "--from", "internet", "--format", "dot"],
            &[0],
        ),
        (
            vec!["simulate", f, "--from", "internet", "--format", "mermaid"],
            &[0],
        ),
        (vec!["why", f, "web-bff", "payments-api"], &[0]),
        (
            vec!["why", f, "web-bff", "payments-api", "--format", "json"],
            &[0],
        ),
        (vec!["matrix", f], &[0]),
        (vec!["matrix", f, "--format", "json"], &[0]),
        (vec!["matrix", f, "--by", "segment"], &[0]),
        (vec!["validate", f, &boutique], &[0]),
        (vec!["validate", f, "--format", "json"], &[0]),
        (vec!["show", f], &[0]),
        (vec!["show", f, "--format", "json"], &[0]),
        (vec!["schema"], &[0]),
        (vec!["fmt", "--stdout", f], &[0]),
        (vec!["generate", "--services", "300", "--seed", "7"], &[0]),
        (vec!["report", f], &[0]),
        (vec!["report", f, "--markdown"], &[0]),
    ];
    for (args, codes) in cases {
        let (code, stderr) = into_closed_pipe(&args);
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "`bulkhead {}` into a closed pipe: {stderr}",
            args.join(" ")
        );
        assert!(
            code.is_some_and(|c| codes.contains(&c)),
            "`bulkhead {}` into a closed pipe exited with {code:?}, expected one of {codes:?}; stderr: {stderr}",
            args.join(" ")
        );
    }
}
