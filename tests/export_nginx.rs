//! Real enforcement: the NGINX export, served by a real nginx on 127.0.0.1 in front of a stub
//! upstream, answers every (caller × endpoint) request of the example designs exactly as the
//! evaluator decides it (200 allowed, 401 missing credential, 403 otherwise), everything else is
//! 403, and a bounded burst over a rate limit gets 429. The staged variant lets the same denied
//! requests through and logs the verdict instead.
//!
//! Needs the `nginx` binary (scripts/setup.sh installs nginx-light). Without it the test is
//! skipped loudly, except under CI (`CI` set), where it fails. nginx runs with a temporary prefix,
//! on free high ports, in the foreground, and is stopped by its PID.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bulkhead_core::Design;
use bulkhead_core::eval::{Decision, DenyReason, Request};
use bulkhead_core::model::RateLimit;
use bulkhead_export::access::{Access, CallerRef};
use bulkhead_export::nginx::{KEY_HEADER, caller_name, routes};
use bulkhead_export::{Options, Target, export_with, paths};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn nginx_bin() -> Option<PathBuf> {
    for p in ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"] {
        if Path::new(p).exists() {
            return Some(PathBuf::from(p));
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("nginx is missing under CI: run scripts/setup.sh");
    }
    eprintln!("SKIPPED export_nginx: nginx not found; run scripts/setup.sh");
    None
}

/// A stub upstream: answers every request `200` with the path it received.
struct Stub {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Stub {
    fn start() -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        s.set_nonblocking(false).ok();
                        s.set_read_timeout(Some(Duration::from_secs(5))).ok();
                        let mut buf = Vec::new();
                        let mut chunk = [0u8; 4096];
                        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 65536 {
                            match s.read(&mut chunk) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                            }
                        }
                        let head = String::from_utf8_lossy(&buf);
                        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                        let body = format!("stub saw {path}");
                        let _ = write!(
                            s,
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Stub {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// nginx in the foreground, stopped by PID when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The tests in this file run one at a time: each owns its nginx and ports.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
static ATTEMPTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `count` consecutive free ports on 127.0.0.1.
fn free_ports(count: usize) -> u16 {
    let seed = std::process::id() as usize + ATTEMPTS.fetch_add(977, Ordering::Relaxed);
    for attempt in 0..200 {
        let base = 20000 + ((seed * 7 + attempt * 131) % 30000) as u16;
        if (0..count).all(|i| TcpListener::bind(("127.0.0.1", base + i as u16)).is_ok()) {
            return base;
        }
    }
    panic!("no {count} consecutive free ports found");
}

/// One HTTP/1.1 request; returns (status, body).
fn request(port: u16, method: &str, path: &str, key: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect to nginx");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nContent-Length: 0\r\n"
    );
    if let Some(k) = key {
        req.push_str(&format!("{KEY_HEADER}: {k}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status from nginx for {method} {path}: {out:?}"));
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

fn key_of(access: &Access<'_>, c: CallerRef) -> Option<String> {
    match c {
        CallerRef::Internet => None,
        CallerRef::Service(_) => Some(format!("test-key-{}", caller_name(access, c))),
    }
}

struct Served {
    _nginx: Nginx,
    _stub: Stub,
    dir: tempfile::TempDir,
}

fn serve(nginx: &Path, access: &Access<'_>, staged: bool) -> (Served, Options) {
    let needed = routes(access, &Options::default())
        .unwrap()
        .iter()
        .map(|r| r.listen)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let options = Options {
        staged,
        nginx_listen_base: free_ports(needed.max(1)),
    };
    let export = export_with(access, Target::Nginx, &options).unwrap();
    let stub = Stub::start();
    let dir = tempfile::tempdir().unwrap();
    for f in &export.files {
        std::fs::write(dir.path().join(&f.path), &f.contents).unwrap();
    }
    // Deployment plumbing the design does not hold: where upstreams are, and the callers' keys.
    let upstreams: String = routes(access, &options)
        .unwrap()
        .iter()
        .map(|r| format!("upstream {} {{ server {}; }}\n", r.upstream, stub.addr))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    std::fs::write(dir.path().join("upstreams.conf"), upstreams).unwrap();
    let mut keys = String::new();
    for &i in &access.order {
        let c = CallerRef::Service(i);
        keys.push_str(&format!(
            "\"{}\" {};\n",
            key_of(access, c).unwrap(),
            caller_name(access, c)
        ));
    }
    std::fs::write(dir.path().join("callers.map"), keys).unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    let d = dir.path().display().to_string();
    let globals =
        format!("pid {d}/nginx.pid; error_log {d}/logs/error.log; daemon off; master_process off;");
    let conf = format!("{d}/nginx.conf");
    let t = Command::new(nginx)
        .args(["-t", "-p", &d, "-c", &conf, "-g", &globals])
        .output()
        .unwrap();
    assert!(
        t.status.success(),
        "nginx -t failed:\n{}",
        String::from_utf8_lossy(&t.stderr)
    );
    let child = Command::new(nginx)
        .args(["-p", &d, "-c", &conf, "-g", &globals])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let guard = Nginx(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", options.nginx_listen_base)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start listening");
        std::thread::sleep(Duration::from_millis(20));
    }
    (
        Served {
            _nginx: guard,
            _stub: stub,
            dir,
        },
        options,
    )
}

/// Where to send a burst: listen port, method, path, key, and the limit it should hit.
type BurstProbe = (u16, String, String, Option<String>, RateLimit);

/// Requests a limit admits at once.
fn capacity(rl: &RateLimit) -> u32 {
    rl.requests + rl.burst.unwrap_or(0)
}

fn load(path: &Path) -> Design {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn designs() -> Vec<(String, Design)> {
    let mut out = vec![(
        "mini-shop".to_string(),
        load(&root().join("crates/bulkhead-export/tests/data/mini-shop.bulkhead.json")),
    )];
    for name in ["online-boutique", "fintech"] {
        out.push((
            name.to_string(),
            load(&root().join(format!("examples/{name}.bulkhead.json"))),
        ));
    }
    out
}

fn expected(
    access: &Access<'_>,
    c: CallerRef,
    t: usize,
    port: Option<u32>,
    method: &str,
    path: &str,
) -> u16 {
    let req = Request {
        port,
        method: Some(method.to_string()),
        path: Some(path.to_string()),
    };
    // The evaluator's own decision (by id, credentials the caller holds), not the export's
    // borrowed shortcut.
    match decide(access, c, t, &req) {
        Decision::Allow { .. } => 200,
        Decision::Deny(DenyReason::MissingCredential { .. }) => 401,
        Decision::Deny(_) => 403,
    }
}

/// What the evaluator decides for `c` calling service `t` with what it holds itself.
fn decide(access: &Access<'_>, c: CallerRef, t: usize, req: &Request) -> Decision {
    access
        .eval
        .allowed(&access.caller(c), &access.service(t).id, req)
}

#[test]
fn nginx_answers_every_request_as_the_evaluator_decides() {
    let Some(nginx) = nginx_bin() else {
        return;
    };
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut report = Vec::new();
    for (name, design) in designs() {
        let access = Access::new(
            &design,
            bulkhead_core::date::Date::parse("2026-11-28").expect("a date"),
        );
        let (served, options) = serve(&nginx, &access, false);
        let callers: Vec<CallerRef> = std::iter::once(CallerRef::Internet)
            .chain(access.order.iter().map(|&i| CallerRef::Service(i)))
            .collect();
        let mut failures = Vec::new();
        let mut counts = std::collections::BTreeMap::new();
        let mut burst_candidate = None;
        for r in routes(&access, &options).unwrap() {
            let t = access.eval.service_index(&r.service).unwrap();
            for e in &access.service(t).endpoints {
                let method = if e.method == "*" {
                    "GET".to_string()
                } else {
                    e.method.to_ascii_uppercase()
                };
                let path = paths::example(&e.path);
                for &c in &callers {
                    let want = expected(&access, c, t, r.port, &method, &path);
                    let (got, body) = request(
                        r.listen,
                        &method,
                        &format!("{}{path}", r.prefix),
                        key_of(&access, c).as_deref(),
                    );
                    *counts.entry(got).or_insert(0usize) += 1;
                    if got != want {
                        failures.push(format!(
                            "{name}: {} {} {}{path} (service `{}` port {:?}): nginx {got}, evaluator {want}",
                            access.caller_id(c), method, r.prefix, r.service, r.port
                        ));
                    } else if got == 200 {
                        assert_eq!(
                            body,
                            format!("stub saw {path}"),
                            "the prefix is stripped before proxying"
                        );
                        // The tightest limit makes the shortest burst test.
                        let req = Request {
                            port: r.port,
                            method: Some(method.clone()),
                            path: Some(path.clone()),
                        };
                        if let Decision::Allow {
                            rate_limit: Some(rl),
                            ..
                        } = decide(&access, c, t, &req)
                        {
                            let tighter = burst_candidate
                                .as_ref()
                                .is_none_or(|b: &BurstProbe| capacity(&rl) < capacity(&b.4));
                            if tighter {
                                burst_candidate = Some((
                                    r.listen,
                                    method.clone(),
                                    format!("{}{path}", r.prefix),
                                    key_of(&access, c),
                                    rl,
                                ));
                            }
                        }
                    }
                }
            }
            // Everything else is 403.
            let (got, _) = request(
                r.listen,
                "GET",
                &format!("{}/no/such/endpoint/here", r.prefix),
                None,
            );
            assert_eq!(got, 403, "{name}: an unknown path on `{}`", r.segment);
        }
        assert!(
            failures.is_empty(),
            "{} mismatches:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // A bounded burst over a rate limit gets 429.
        let (port, method, path, key, rl) = burst_candidate
            .unwrap_or_else(|| panic!("{name}: no rate-limited allowed call to test"));
        let n = (2 * (rl.requests + rl.burst.unwrap_or(0)) + 20).min(1000);
        let start = Instant::now();
        let mut got_429 = 0;
        for _ in 0..n {
            if request(port, &method, &path, key.as_deref()).0 == 429 {
                got_429 += 1;
            }
            if start.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        assert!(
            got_429 > 0,
            "{name}: {n} requests to {path} over {rl:?} in {:?} got no 429",
            start.elapsed()
        );
        report.push(format!(
            "{name}: {counts:?}, burst of {n} over {}/{:?} -> {got_429} x 429",
            rl.requests, rl.per
        ));
        drop(served);
    }
    eprintln!("export_nginx: {}", report.join("; "));
}

#[test]
fn staged_nginx_observes_and_does_not_enforce() {
    let Some(nginx) = nginx_bin() else {
        return;
    };
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let design = load(&root().join("crates/bulkhead-export/tests/data/mini-shop.bulkhead.json"));
    let access = Access::new(
        &design,
        bulkhead_core::date::Date::parse("2026-11-28").expect("a date"),
    );
    let (served, options) = serve(&nginx, &access, true);
    let r = routes(&access, &options)
        .unwrap()
        .into_iter()
        .find(|r| r.service == "payments")
        .unwrap();
    // The internet may not call payments: enforced it would be 403, staged it passes and is logged.
    let t = access.eval.service_index("payments").unwrap();
    assert_eq!(
        expected(&access, CallerRef::Internet, t, r.port, "POST", "/charges"),
        403
    );
    let (got, _) = request(r.listen, "POST", &format!("{}/charges", r.prefix), None);
    assert_eq!(got, 200, "staged mode must not enforce");
    std::thread::sleep(Duration::from_millis(200));
    let log = std::fs::read_to_string(served.dir.path().join("logs/bulkhead-access.log")).unwrap();
    assert!(
        log.contains("caller=internet \"POST /payments/charges HTTP/1.1\" 200 verdict=403"),
        "{log}"
    );
}
