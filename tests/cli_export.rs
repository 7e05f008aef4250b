//! `bulkhead export` end to end: output folders appear whole or not at all, are never
//! overwritten without `--force`, and invalid designs are refused with the validator's messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bulkhead"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/bulkhead-export/tests/data/mini-shop.bulkhead.json")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        // A fixed date: rules with `expires` dates are judged the same on any day.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead")
}

/// [`run`], which must succeed.
fn run_ok(args: &[&str]) -> Output {
    let o = run(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Every target, as `--target all` writes them.
const ALL_TARGETS: [&str; 6] = [
    "networkpolicy",
    "networkpolicy-egress",
    "cilium",
    "istio",
    "kong",
    "nginx",
];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

#[test]
fn writes_then_refuses_to_overwrite_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("np");
    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("rule `no-delete-from-web`"), "{stderr}");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["kustomization.yaml", "ops.yaml", "pay.yaml", "shop.yaml"]
    );

    // A stray file marks the folder as the user's: no overwrite without --force.
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
    assert!(out.join("mine.txt").exists());

    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !out.join("mine.txt").exists(),
        "--force replaces the folder"
    );
    assert!(out.join("shop.yaml").exists());
    // No temporary folders are left next to it.
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("bulkhead-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn invalid_design_is_refused_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    design["rules"][1]["to"] = serde_json::json!({"segment": "coer"});
    design["segments"][1]["members"] = serde_json::json!(["orders", "nope"]);
    let path = tmp.path().join("bad.bulkhead.json");
    let text = serde_json::to_string_pretty(&design).unwrap();
    std::fs::write(&path, &text).unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "export",
        s(&path),
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The validator's own diagnostics (codes, messages, pointers), located in the file.
    assert!(stderr.contains("unknown-id"), "{stderr}");
    assert!(
        stderr.contains("member `nope` is not a known service"),
        "{stderr}"
    );
    assert!(stderr.contains("/segments/1/members/1"), "{stderr}");
    assert!(
        stderr.contains("to `coer` is not a known segment"),
        "{stderr}"
    );
    assert!(stderr.contains("/rules/1/to/segment"), "{stderr}");
    let line = text.lines().position(|l| l.contains("\"nope\"")).unwrap() + 1;
    assert!(
        stderr.contains(&format!("bad.bulkhead.json:{line}:")),
        "expected line {line}: {stderr}"
    );
    assert!(
        stderr.contains("is not a valid design (2 errors"),
        "{stderr}"
    );
    assert!(!out.exists());
}

/// Target-specific checks the validator cannot know about: a namespace that is not a
/// Kubernetes name refuses the Kubernetes targets (located in the file), not NGINX.
#[test]
fn namespace_that_kubernetes_rejects_is_refused_for_kubernetes_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap();
    design["services"][0]["namespace"] = serde_json::json!("../Shop");
    let path = tmp.path().join("ns.bulkhead.json");
    let text = serde_json::to_string_pretty(&design).unwrap();
    std::fs::write(&path, &text).unwrap();
    for target in ["networkpolicy", "networkpolicy-egress", "cilium", "istio"] {
        let out = tmp.path().join(format!("out-{target}"));
        let o = run(&["export", s(&path), "--target", target, "--out", s(&out)]);
        assert_eq!(o.status.code(), Some(1), "{target}");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("export-namespace"), "{stderr}");
        assert!(
            stderr.contains("namespace `../Shop` of service `web`"),
            "{stderr}"
        );
        assert!(stderr.contains("/services/0/namespace"), "{stderr}");
        assert!(stderr.contains("for example `shop`"), "{stderr}");
        assert!(stderr.contains("cannot be exported to"), "{stderr}");
        assert!(!out.exists(), "{target}");
    }
    let out = tmp.path().join("out-nginx");
    let o = run(&["export", s(&path), "--target", "nginx", "--out", s(&out)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "netpolicy",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `networkpolicy`?"));
    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
        "--staged",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no audit or dry-run mode"));
    assert!(!out.exists(), "a refused export leaves no folder");
    let o = run(&[
        "export",
        "/nonexistent/x.json",
        "--target",
        "networkpolicy",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// Every file under `dir`, by path relative to it.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn target_all_writes_each_target_into_its_subfolder_exactly_as_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let all = tmp.path().join("all");
    let o = run_ok(&["export", s(&fixture()), "--target", "all", "--out", s(&all)]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    for target in ALL_TARGETS {
        assert!(stdout.contains(&format!("for `{target}` to")), "{stdout}");
        let alone = tmp.path().join(target);
        run_ok(&[
            "export",
            s(&fixture()),
            "--target",
            target,
            "--out",
            s(&alone),
        ]);
        let want = tree(&alone);
        assert!(!want.is_empty());
        assert_eq!(tree(&all.join(target)), want, "{target}");
    }
    let subfolders: Vec<String> = std::fs::read_dir(&all)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(subfolders.len(), 6, "{subfolders:?}");

    // With --staged, `all` is the targets that have a staged variant.
    let staged = tmp.path().join("staged");
    run_ok(&[
        "export",
        s(&fixture()),
        "--target",
        "all",
        "--staged",
        "--out",
        s(&staged),
    ]);
    let mut names: Vec<String> = std::fs::read_dir(&staged)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["istio", "nginx"]);
}

/// The notes of `stderr`: for each group, the targets it names and its gap lines.
fn note_groups(stderr: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut groups: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("note: ") {
            let names = rest
                .split(" not express ")
                .next()
                .unwrap()
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            groups.push((names, Vec::new()));
        } else if let (Some(gap), Some(group)) = (line.strip_prefix("  - "), groups.last_mut()) {
            group.1.push(gap.to_string());
        }
    }
    groups
}

#[test]
fn several_targets_note_each_gap_once_under_every_target_that_cannot_express_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = run_ok(&[
        "export",
        s(&fixture()),
        "--target",
        "all",
        "--out",
        s(&tmp.path().join("all")),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let groups = note_groups(&stderr);
    // Both NetworkPolicy variants leave the same methods and paths to other enforcement
    // points: those are listed once, under both.
    assert!(
        groups.iter().any(
            |(names, gaps)| names == &["networkpolicy", "networkpolicy-egress"] && !gaps.is_empty()
        ),
        "{stderr}"
    );
    let mut seen = std::collections::BTreeSet::new();
    for (names, gaps) in &groups {
        let count = format!(" not express {} part", gaps.len());
        assert!(
            stderr.lines().any(|l| l.starts_with("note: ")
                && l.contains(&count)
                && names.iter().all(|n| l.contains(&format!("`{n}`")))),
            "the heading of {names:?} counts its {} gaps: {stderr}",
            gaps.len()
        );
        for g in gaps {
            assert!(seen.insert(g.clone()), "listed twice: {g}\n{stderr}");
        }
    }
    // Exact and complete: each target's notes, gathered from every group that names it, are
    // the notes of that target exported alone (one group, as a single target always wrote).
    for target in ALL_TARGETS {
        let alone = run_ok(&[
            "export",
            s(&fixture()),
            "--target",
            target,
            "--out",
            s(&tmp.path().join(target)),
        ]);
        let alone_stderr = String::from_utf8_lossy(&alone.stderr);
        let alone_groups = note_groups(&alone_stderr);
        assert_eq!(alone_groups.len(), 1, "{alone_stderr}");
        assert_eq!(alone_groups[0].0, [target], "{alone_stderr}");
        let mut want = alone_groups[0].1.clone();
        let mut got: Vec<String> = groups
            .iter()
            .filter(|(names, _)| names.iter().any(|n| n == target))
            .flat_map(|(_, gaps)| gaps.iter().cloned())
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{target}");
    }
}

#[test]
fn a_list_with_one_refused_target_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // `a/b/out`: refused while rendering, after the staging folder was made; neither it nor
    // the folders made above it are left behind.
    for dest in [out.clone(), tmp.path().join("a/b/out")] {
        let o = run(&[
            "export",
            s(&fixture()),
            "--target",
            "istio,kong",
            "--staged",
            "--out",
            s(&dest),
        ]);
        assert_eq!(o.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("`kong` has no audit or dry-run mode"),
            "{stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }
    let o = run(&[
        "export",
        s(&fixture()),
        "--target",
        "istio,cillium",
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown target `cillium`"));
    assert!(!out.exists());
}

/// Regression: `--target all` of the 10,000-service design wrote 36 MB (176,000 lines) of notes
/// to stderr. A design whose targets have more than 200 notes each gets them on stderr by kind,
/// with exact counts and the first three of each, and the complete list (exactly what
/// `--all-notes` prints) in `not-expressed.txt` beside the targets, which the summary names.
#[test]
fn many_notes_are_summarized_on_stderr_and_listed_whole_in_the_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let design = tmp.path().join("estate.bulkhead.json");
    run_ok(&[
        "generate",
        "--services",
        "200",
        "--peers",
        "10",
        "--seed",
        "7",
        "--output",
        s(&design),
    ]);
    let (short, whole) = (tmp.path().join("short"), tmp.path().join("whole"));
    let o = run_ok(&["export", s(&design), "--target", "all", "--out", s(&short)]);
    let summary = String::from_utf8_lossy(&o.stderr).into_owned();
    let o = run_ok(&[
        "export",
        s(&design),
        "--target",
        "all",
        "--all-notes",
        "--out",
        s(&whole),
    ]);
    let all = String::from_utf8_lossy(&o.stderr).into_owned();

    // The file lists exactly what `--all-notes` prints after the validator's warnings, and the
    // targets' own files are the same either way.
    let listed = std::fs::read_to_string(short.join("not-expressed.txt")).unwrap();
    let warnings = &all[..all.find("note: ").unwrap()];
    assert_eq!(all, format!("{warnings}{listed}"));
    assert!(summary.starts_with(warnings), "{summary}");
    let mut short_files = tree(&short);
    short_files.remove("not-expressed.txt");
    assert_eq!(short_files, tree(&whole));

    // The summary names the file, and counts every note once.
    let listed_groups = note_groups(&listed);
    let count: usize = listed_groups.iter().map(|(_, gaps)| gaps.len()).sum();
    let last = summary.lines().last().unwrap();
    assert_eq!(
        last,
        format!(
            "note: {count} notes in all, summarized above; every one is listed in `{}` (--all-notes prints them all here)",
            short.join("not-expressed.txt").display()
        )
    );
    assert!(
        summary.len() * 20 < listed.len(),
        "{} bytes of summary",
        summary.len()
    );

    // Each group's heading is the same; a large one has its notes by kind, whose counts add up
    // to the group's, each kind showing its first three (in the listed order).
    let headings = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("note: ") && l.contains(" not express "))
            .map(|l| l.split(" (also listed in ").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(headings(&summary), headings(&listed));
    let mut summarized = 0;
    let mut lines = summary[warnings.len()..].lines().peekable();
    for (names, gaps) in &listed_groups {
        let heading = lines.next().unwrap();
        assert!(heading.starts_with("note: "), "{heading}");
        if gaps.len() <= 200 {
            assert!(heading.ends_with(":"), "{heading}");
            for g in gaps {
                assert_eq!(lines.next().unwrap(), format!("  - {g}"));
            }
            continue;
        }
        summarized += 1;
        assert!(heading.ends_with(" of each:"), "{names:?}: {heading}");
        let mut counted = 0;
        while let Some(kind) = lines.peek().and_then(|l| l.strip_suffix(" of this kind:")) {
            let n: usize = kind.trim().parse().unwrap();
            counted += n;
            lines.next();
            let mut shown = Vec::new();
            while let Some(g) = lines.peek().and_then(|l| l.strip_prefix("  - ")) {
                shown.push(g.to_string());
                lines.next();
            }
            assert_eq!(shown.len(), n.min(3), "{names:?}: {kind}");
            let at: Vec<usize> = shown
                .iter()
                .map(|g| gaps.iter().position(|l| l == g).expect("a listed note"))
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{names:?}: {shown:?}");
        }
        assert_eq!(counted, gaps.len(), "{names:?}");
    }
    assert!(summarized >= 2, "{summary}");
    assert_eq!(lines.next(), Some(last));
    assert!(!whole.join("not-expressed.txt").exists());
}

/// A small design's notes print in full, as they always did, and no notes file is written.
#[test]
fn few_notes_print_in_full_without_a_notes_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = run_ok(&["export", s(&fixture()), "--target", "all", "--out", s(&out)]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("not-expressed.txt"), "{stderr}");
    assert!(!stderr.contains("of this kind"), "{stderr}");
    assert!(!out.join("not-expressed.txt").exists());
    let o = run_ok(&[
        "export",
        s(&fixture()),
        "--target",
        "all",
        "--all-notes",
        "--out",
        s(&tmp.path().join("again")),
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stderr), stderr);
}
