//! The app's own security settings, checked as files: the capability grants exactly the app's
//! commands plus the few plugin permissions it needs, and the CSP stays strict. A permission
//! added by accident (a shell plugin, a file-system scope, `unsafe-eval`) fails here.

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The command names listed in build.rs (the app manifest).
fn manifest_commands() -> Vec<String> {
    let build = read("build.rs");
    let start = build.find("const COMMANDS").expect("COMMANDS in build.rs");
    let end = start + build[start..].find("];").expect("end of COMMANDS");
    build[start..end]
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix('"').and_then(|r| r.strip_suffix("\","))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn the_capability_grants_exactly_the_apps_commands_and_the_needed_plugin_permissions() {
    let cap: serde_json::Value =
        serde_json::from_str(&read("capabilities/main-window.json")).unwrap();
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    let granted: Vec<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p.as_str()
                .expect("plain permission names, no scoped objects")
                .to_string()
        })
        .collect();

    let commands = manifest_commands();
    assert!(
        commands.len() >= 20,
        "build.rs lists the commands: {commands:?}"
    );
    let mut expected: Vec<String> = commands
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    expected.extend(
        [
            "dialog:allow-open",
            "dialog:allow-save",
            "dialog:allow-ask",
            "core:event:allow-listen",
            "core:event:allow-unlisten",
        ]
        .map(String::from),
    );
    let mut got = granted.clone();
    got.sort();
    expected.sort();
    assert_eq!(
        got, expected,
        "the capability is exactly the app's commands + dialogs + events"
    );
    for p in &granted {
        assert!(!p.starts_with("shell:") && !p.starts_with("fs:"), "{p}");
        assert!(!p.ends_with(":default"), "no plugin's default set: {p}");
    }
}

#[test]
fn every_command_in_the_manifest_is_registered_in_the_invoke_handler() {
    let lib = read("src/lib.rs");
    for c in manifest_commands() {
        assert!(
            lib.contains(&format!("::{c},")),
            "`{c}` is not in generate_handler!"
        );
    }
}

#[test]
fn the_csp_is_strict() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'", "no inline or eval'd scripts");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["base-uri"], "'none'");
    assert_eq!(csp["frame-src"], "'none'");
    let connect = csp["connect-src"].as_str().unwrap();
    assert!(
        connect
            .split_whitespace()
            .all(|s| s == "ipc:" || s == "http://ipc.localhost"),
        "the webview talks to nothing but the IPC: {connect}"
    );
    assert_eq!(conf["app"]["withGlobalTauri"], false);
    assert!(conf["app"]["security"]["dangerousDisableAssetCspModification"].is_null());
}

/// A command taking `State<'_, T>` fails at run time ("state not managed") if `run_app` never
/// manages a `T`; unit tests call the commands' inner functions, so check the wiring here.
#[test]
fn every_state_a_command_takes_is_managed() {
    let lib = read("src/lib.rs");
    let managed: Vec<&str> = lib
        .lines()
        .filter(|l| l.contains("manage(") && !l.trim_start().starts_with("//"))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.match_indices("State<'_, ") {
            let rest = &text[i + "State<'_, ".len()..];
            // The type up to the `>` that closes `State<`.
            let mut depth = 0usize;
            let end = rest
                .char_indices()
                .find(|&(_, c)| match c {
                    '<' => {
                        depth += 1;
                        false
                    }
                    '>' if depth == 0 => true,
                    '>' => {
                        depth -= 1;
                        false
                    }
                    _ => false,
                })
                .map(|(j, _)| j)
                .unwrap();
            let ty = rest[..end].trim();
            let (arc, base) = match ty.strip_prefix("Arc<").and_then(|t| t.strip_suffix('>')) {
                Some(inner) => (true, inner),
                None => (false, ty),
            };
            let base = base.rsplit("::").next().unwrap();
            let line = managed
                .iter()
                .find(|l| l.contains(base))
                .unwrap_or_else(|| panic!("`State<{ty}>` is used by a command but never managed"));
            assert_eq!(
                line.contains("Arc::new("),
                arc,
                "`State<{ty}>`: managed as `{}`",
                line.trim()
            );
            seen += 1;
        }
    }
    assert!(seen >= 5, "found {seen} State parameters");
}

/// Tauri turns argument names into camelCase keys unless told otherwise; the contract
/// (docs/ipc.md) uses the Rust names in snake_case. A command with a multi-word argument must say
/// `rename_all = "snake_case"`, or the UI's `{ accept_proposal }` would be "missing required key".
#[test]
fn multi_word_arguments_keep_their_snake_case_keys() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, _) in text.match_indices("#[tauri::command") {
            let attr_end = i + text[i..].find(']').unwrap();
            let attr = &text[i..=attr_end];
            let sig_start = attr_end + text[attr_end..].find('(').unwrap();
            let sig_end = sig_start + text[sig_start..].find(") ->").unwrap();
            let multi_word: Vec<&str> = text[sig_start + 1..sig_end]
                .split(',')
                .filter_map(|p| p.split(':').next())
                .map(str::trim)
                .filter(|n| n.contains('_') && !n.starts_with('_'))
                .collect();
            if !multi_word.is_empty() {
                assert!(
                    attr.contains(r#"rename_all = "snake_case""#),
                    "{}: a command with {multi_word:?} needs #[tauri::command(rename_all = \"snake_case\")]",
                    path.display()
                );
            }
        }
    }
}
