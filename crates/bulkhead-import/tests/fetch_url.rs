//! Importing from URLs, against a throwaway HTTP server on 127.0.0.1 spawned by each test.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use bulkhead_import::fetch::{FetchError, FetchOptions, fetch_blocking};
use bulkhead_import::{ImportOptions, Severity, Source, import_sources};

const SPEC: &str = r##"{"openapi":"3.0.0","info":{"title":"Remote Shop","version":"1"},"servers":[{"url":"https://shop.example.io/v1"}],
"paths":{"/users/{id}":{"get":{"operationId":"getUser","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/User"}}}}}}},
"/orders":{"post":{"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"https://schemas.example.io/order.json"}}}}}}}},
"components":{"schemas":{"User":{"type":"object","properties":{"email":{"type":"string"},"friend":{"$ref":"#/components/schemas/User"}}}}}}"##;

/// Serve a few canned routes for at most `requests` connections, then stop.
fn serve(requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let reply = |status: &str, headers: &str, body: &str| {
                format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
            };
            let response = match path.as_str() {
                "/spec.json" => reply("200 OK", "Content-Type: application/json\r\n", SPEC),
                "/missing" => reply("404 Not Found", "", "nope"),
                "/loop" => reply("302 Found", "Location: /loop\r\n", ""),
                "/page" => reply(
                    "200 OK",
                    "Content-Type: text/html\r\n",
                    "<html><body>hello</body></html>",
                ),
                "/big" => reply("200 OK", "", &"x".repeat(10_000)),
                "/chunked-big" => {
                    let mut r = String::from(
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                    );
                    for _ in 0..20 {
                        r.push_str(&format!("3e8\r\n{}\r\n", "y".repeat(1000)));
                    }
                    r.push_str("0\r\n\r\n");
                    r
                }
                "/slow" => {
                    std::thread::sleep(Duration::from_millis(1500));
                    reply("200 OK", "", SPEC)
                }
                "/binary" => reply("200 OK", "", "a\0b"),
                _ => reply("404 Not Found", "", ""),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    base
}

fn opts() -> FetchOptions {
    FetchOptions {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_secs(5),
        max_bytes: 4096,
        max_redirects: 3,
    }
}

#[test]
fn a_spec_is_imported_from_a_url_and_remote_refs_are_not_followed() {
    let base = serve(4);
    let url = format!("{base}/spec.json");
    let r = import_sources(&[Source::Url(url.clone())], &ImportOptions::default()).unwrap();
    let svc = r
        .design
        .service("remote-shop")
        .expect("service named from info.title");
    assert_eq!(svc.endpoints.len(), 2);
    assert_eq!(svc.endpoints[1].path, "/v1/users/{id}");
    assert_eq!(svc.endpoints[1].data_classes, vec!["email"]);
    let remote: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "ref")
        .map(|d| d.to_string().replace(&base, "<server>"))
        .collect();
    assert_eq!(
        remote,
        vec![
            "warning[ref]: <server>/spec.json#https://schemas.example.io/order.json: remote `$ref` to `https://schemas.example.io/order.json` not followed (allow it with `--allow-remote-refs`)"
        ]
    );
    assert!(!r.has_errors());
}

#[test]
fn every_failure_has_its_own_error() {
    let base = serve(64);
    let o = opts();
    let cases = [
        ("/missing", "status"),
        ("/loop", "redirects"),
        ("/big", "too large"),
        ("/chunked-big", "too large"),
        ("/binary", "not text"),
    ];
    for (path, want) in cases {
        let err = fetch_blocking(&format!("{base}{path}"), &o).unwrap_err();
        let ok = match want {
            "status" => matches!(err, FetchError::Status { status: 404, .. }),
            "redirects" => matches!(err, FetchError::Redirects { limit: 3, .. }),
            "too large" => matches!(err, FetchError::TooLarge { limit: 4096, .. }),
            "not text" => matches!(err, FetchError::NotText { .. }),
            _ => false,
        };
        assert!(ok, "{path}: {err}");
    }
    let slow = FetchOptions {
        total_timeout: Duration::from_millis(300),
        ..o
    };
    let err = fetch_blocking(&format!("{base}/slow"), &slow).unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
}

#[test]
fn unreachable_and_tls_failures() {
    // Nothing listens on this port: bind one, then drop it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = fetch_blocking(&format!("http://127.0.0.1:{port}/x"), &opts()).unwrap_err();
    assert!(matches!(err, FetchError::Connect { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("`http://127.0.0.1:{port}/x`: cannot connect"))
    );
    // https against a plain-http server fails in the TLS handshake.
    let base = serve(1);
    let err = fetch_blocking(&base.replace("http://", "https://"), &opts()).unwrap_err();
    assert!(matches!(err, FetchError::Tls { .. }), "{err}");
}

#[test]
fn a_page_that_is_not_a_spec_is_refused_clearly() {
    let base = serve(1);
    let url = format!("{base}/page");
    let r = import_sources(&[Source::Url(url)], &ImportOptions::default()).unwrap();
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string().replace(&base, "<server>"))
        .collect();
    assert_eq!(
        errors,
        vec![
            "error[not-a-spec]: <server>/page: the URL answered, but not with an OpenAPI/Swagger description, Kubernetes manifests, a Kong config or a traffic log"
        ]
    );
}
