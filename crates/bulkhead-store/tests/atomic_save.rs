//! Saving never loses work: a save that fails or is killed at any point leaves the old file
//! whole (or the new one, once the rename happened), and a completed save keeps `.bak`.

use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use bulkhead_core::Design;
use bulkhead_core::file::to_canonical_json;
use bulkhead_store::{SaveOptions, SaveStage, backup_path, load, recovery, save, save_bytes_with};

fn design(name: &str, services: usize) -> Design {
    let mut d = Design::new(name);
    for i in 0..services {
        d.services.push(bulkhead_core::model::Service {
            id: format!("svc-{i}"),
            ..Default::default()
        });
    }
    d
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    names.sort();
    names
}

#[test]
fn save_twice_is_byte_identical_and_keeps_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.bulkhead.json");
    let d = design("one", 3);
    save(&path, &d).unwrap();
    let first = std::fs::read(&path).unwrap();
    save(&path, &d).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), first);
    assert_eq!(std::fs::read(backup_path(&path)).unwrap(), first);
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.parsed.unwrap().design, d);
}

#[test]
fn the_backup_is_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.bulkhead.json");
    save(&path, &design("v1", 1)).unwrap();
    save(&path, &design("v2", 2)).unwrap();
    let bak = std::fs::read_to_string(backup_path(&path)).unwrap();
    assert_eq!(bak, to_canonical_json(&design("v1", 1)));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_canonical_json(&design("v2", 2))
    );
}

#[test]
fn moving_a_box_changes_only_layout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.bulkhead.json");
    let mut d = design("one", 3);
    d.layout.positions.insert(
        "svc-1".into(),
        bulkhead_core::model::Position { x: 10.0, y: 20.0 },
    );
    save(&path, &d).unwrap();
    let before = std::fs::read_to_string(&path).unwrap();
    if let Some(p) = d.layout.positions.get_mut("svc-1") {
        p.x = 99.5;
    }
    save(&path, &d).unwrap();
    let after = std::fs::read_to_string(&path).unwrap();
    let layout_at = before.find("\"layout\"").unwrap();
    assert_eq!(
        before[..layout_at],
        after[..layout_at],
        "only layout may change"
    );
    let changed: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed, [("        \"x\": 10.0,", "        \"x\": 99.5,")]);
}

#[test]
fn a_fault_at_any_stage_leaves_a_whole_file() {
    let stages = [
        SaveStage::PartlyWritten,
        SaveStage::TempSynced,
        SaveStage::BackedUp,
        SaveStage::Renamed,
    ];
    for stage in stages {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.bulkhead.json");
        let old = design("old", 2);
        let new = design("new", 50);
        save(&path, &old).unwrap();
        let old_text = to_canonical_json(&old);
        let new_text = to_canonical_json(&new);
        let err = save_bytes_with(
            &path,
            new_text.as_bytes(),
            SaveOptions::default(),
            &mut |s| {
                if s == stage {
                    Err(io::Error::other("injected fault"))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("injected fault"), "{err}");
        let now = std::fs::read_to_string(&path).unwrap();
        // Before the rename the old file is untouched; after it, the new one is whole.
        let expected = if stage == SaveStage::Renamed {
            &new_text
        } else {
            &old_text
        };
        assert_eq!(&now, expected, "fault at {stage:?}");
        assert!(
            leftovers(dir.path()).is_empty(),
            "temp file left at {stage:?}"
        );
    }
}

#[test]
fn io_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let e = load(&missing).unwrap_err();
    assert_eq!(e.code(), "not-found");
    assert!(e.to_string().starts_with("cannot read `"), "{e}");
    let e = load(dir.path()).unwrap_err();
    assert_eq!(e.code(), "is-directory");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\"format\": \"\xff\"}").unwrap();
    let e = load(&bad).unwrap_err();
    assert_eq!(e.code(), "not-utf8");
    assert_eq!(
        e.to_string(),
        format!(
            "`{}` is not UTF-8 text (first bad byte at offset 12)",
            bad.display()
        )
    );
    let e = save(&dir.path().join("no/such/dir/d.json"), &design("x", 1)).unwrap_err();
    assert_eq!(e.code(), "write-failed");
}

#[test]
fn recovery_files_beside_or_in_an_app_dir() {
    let dir = tempfile::tempdir().unwrap();
    let app = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.bulkhead.json");
    save(&path, &design("saved", 1)).unwrap();
    assert_eq!(recovery::detect(&path, None), None);
    let r = recovery::autosave(&path, None, "{\"unsaved\": true}").unwrap();
    assert_eq!(r, dir.path().join("d.bulkhead.json.recovery"));
    let found = recovery::detect(&path, None).unwrap();
    assert!(found.newer_than_design);
    assert_eq!(
        std::fs::read_to_string(&found.path).unwrap(),
        "{\"unsaved\": true}"
    );
    recovery::discard(&path, None).unwrap();
    assert_eq!(recovery::detect(&path, None), None);
    recovery::discard(&path, None).unwrap();

    let in_app = recovery::autosave(&path, Some(app.path()), "x").unwrap();
    assert!(in_app.starts_with(app.path()));
    assert!(
        in_app
            .to_string_lossy()
            .ends_with("-d.bulkhead.json.recovery")
    );
    // Same file name in another folder: a different recovery file.
    let other = recovery::recovery_path(&app.path().join("d.bulkhead.json"), Some(app.path()));
    assert_ne!(in_app, other);
    assert!(recovery::detect(&path, Some(app.path())).is_some());
}

/// The child half of `a_killed_writer_leaves_the_old_file`: saves a big design, announces when
/// half of it is on disk, then waits to be killed.
#[test]
fn child_writer() {
    let Ok(path) = std::env::var("BULKHEAD_STORE_CHILD") else {
        return; // only does something when run as the child
    };
    let text = to_canonical_json(&design("new", 5_000));
    let _ = save_bytes_with(
        Path::new(&path),
        text.as_bytes(),
        SaveOptions::default(),
        &mut |stage| {
            if stage == SaveStage::PartlyWritten {
                println!("HALF-WRITTEN");
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
            Ok(())
        },
    );
}

#[test]
fn a_killed_writer_leaves_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.bulkhead.json");
    let old = design("old", 2);
    save(&path, &old).unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture", "--test-threads=1"])
        .env("BULKHEAD_STORE_CHILD", &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    // Deterministic: wait until the child says half of the new file is written.
    let ready = lines.any(|l| l.is_ok_and(|l| l.contains("HALF-WRITTEN")));
    if !ready {
        let _ = child.kill();
    }
    assert!(ready, "the child never reached the half-written point");
    child.kill().unwrap();
    child.wait().unwrap();
    // The crash left a partial temp file behind, but the design is the old one, whole.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        to_canonical_json(&old)
    );
    assert_eq!(
        leftovers(dir.path()).len(),
        1,
        "the killed save's partial temp file"
    );
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.parsed.unwrap().design, old);
    // The next save succeeds regardless of the debris.
    save(&path, &design("after", 1)).unwrap();
}

/// A save through a symbolic link replaces the file it points to (keeping its `.bak` beside
/// it) and leaves the link a link, where a rename over the link would have cut it.
#[cfg(unix)]
#[test]
fn a_save_through_a_link_replaces_the_linked_file_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.bulkhead.json");
    let link = dir.path().join("link.bulkhead.json");
    save(&real, &design("v1", 1)).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    save(&link, &design("v2", 2)).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        to_canonical_json(&design("v2", 2))
    );
    assert_eq!(
        std::fs::read_to_string(backup_path(&real)).unwrap(),
        to_canonical_json(&design("v1", 1))
    );
    assert!(!backup_path(&link).exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.bulkhead.json");
    std::os::unix::fs::symlink(dir.path().join("gone.json"), &link).unwrap();
    let e = save(&link, &design("v", 1)).unwrap_err();
    assert_eq!(e.code(), "write-failed");
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(!dir.path().join("gone.json").exists());
}

/// `/dev/null` (reached through a link in a temporary folder, so that a regression replaces
/// the link and never the machine's device) is written through and stays a device. A rename
/// over it once turned the machine's `/dev/null` into a regular file holding a design.
#[cfg(unix)]
#[test]
fn a_save_to_a_character_device_writes_through_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("discard");
    std::os::unix::fs::symlink("/dev/null", &link).unwrap();
    save(&link, &design("v", 1)).unwrap();
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert!(!backup_path(&link).exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A pipe gets the bytes as a stream, whole, with nothing left beside it.
#[cfg(unix)]
#[test]
fn a_save_to_a_fifo_streams_the_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let d = design("piped", 2);
    save(&fifo, &d).unwrap();
    assert_eq!(reader.join().unwrap(), to_canonical_json(&d).into_bytes());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// A socket is neither a file to replace nor a stream to write: refused, and left in place.
#[cfg(unix)]
#[test]
fn a_save_to_a_socket_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let e = save(&sock, &design("v", 1)).unwrap_err();
    assert_eq!(e.code(), "not-a-file");
    assert!(e.to_string().contains("is a socket"), "{e}");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&sock)
            .unwrap()
            .file_type()
            .is_socket()
    );
}
