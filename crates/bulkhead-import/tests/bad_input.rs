//! Bad input: every problem is a located diagnostic, bounded in time and memory, and the rest
//! of a multi-file import still completes.

use std::fs;
use std::path::Path;

use bulkhead_import::{ImportOptions, ImportResult, ReadLimits, Severity, Source, import_sources};

fn import_dir(dir: &Path, opts: &ImportOptions) -> ImportResult {
    import_sources(&[Source::Path(dir.to_path_buf())], opts).unwrap()
}

fn errors(r: &ImportResult, dir: &Path) -> Vec<String> {
    let root = dir.display().to_string();
    r.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string().replace(&root, "<dir>"))
        .collect()
}

const GOOD_SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec:\n  selector: {app: ok}\n  ports: [{port: 80}]\n";

#[test]
fn each_bad_file_is_reported_and_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("a-good.yaml", GOOD_SERVICE.as_bytes().to_vec()),
        ("b-bomb.yaml", bomb.into_bytes()),
        (
            "c-deep.json",
            ("[".repeat(5000) + &"]".repeat(5000)).into_bytes(),
        ),
        (
            "d-dup.yaml",
            b"kind: Service\nmetadata:\n  name: a\n  name: b\n".to_vec(),
        ),
        ("e-binary.yaml", vec![0x89, b'P', b'N', b'G', 0, 0, 1, 2]),
        (
            "f-spec.json",
            b"{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {\n    \"/x\": {\"get\": }\n  }\n}\n"
                .to_vec(),
        ),
        (
            "g-helm.yaml",
            b"apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n".to_vec(),
        ),
        (
            "h-latin1.yaml",
            b"kind: ConfigMap\ndata: {a: \"caf\xe9\"}\n".to_vec(),
        ),
        (
            "i-syntax.yaml",
            b"kind: Service\nmetadata:\n  name: x\n   bad: indent\n".to_vec(),
        ),
    ];
    for (name, bytes) in &files {
        fs::write(d.join(name), bytes).unwrap();
    }
    let r = import_dir(d, &ImportOptions::default());
    assert!(
        r.design.service("ok").is_some(),
        "the good file still imports"
    );
    insta::assert_json_snapshot!("bad_files", errors(&r, d));
}

#[test]
fn a_container_port_that_is_not_an_integer_is_reported() {
    // Regression: `containerPort: "8080"` (and any other non-integer) was dropped unseen.
    let (r, ports) = import_manifest(
        "apiVersion: v1\nkind: Service\nmetadata: {name: other}\nspec:\n  ports: [{port: 1}]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      initContainers:\n        - {name: init, ports: [{containerPort: 9.5}]}\n      containers:\n        - name: web\n          ports:\n            - containerPort: 9090\n            - containerPort: \"8080\"\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: job, ports: [{containerPort: -1}]}]\n",
    );
    assert_eq!(
        ports,
        [
            "warning[k8s-port]: <dir>/app.yaml:7#/spec/template/spec/containers/0/ports/1/containerPort: Deployment shop/web: container `web` has `containerPort: \"8080\"`, which is not a port number (Kubernetes requires an integer from 1 to 65535); this port is not imported",
            "warning[k8s-port]: <dir>/app.yaml:7#/spec/template/spec/initContainers/0/ports/0/containerPort: Deployment shop/web: container `init` has `containerPort: 9.5`, which is not a port number (Kubernetes requires an integer from 1 to 65535); this port is not imported",
            "warning[k8s-port]: <dir>/app.yaml:22#/spec/jobTemplate/spec/template/spec/containers/0/ports/0/containerPort: CronJob nightly: container `job` has `containerPort: -1`, which is not a port number (Kubernetes requires an integer from 1 to 65535); this port is not imported",
        ]
    );
    // The integer port beside them is still imported.
    let web = r.design.service("web").expect("web imported");
    let ports: Vec<u32> = web.ports.iter().map(|p| p.port).collect();
    assert_eq!(ports, [9090]);
}

#[test]
fn a_service_port_that_is_not_an_integer_is_reported() {
    // Regression: a Service's `port: "80"` was dropped unseen, like a container's.
    let (r, ports) = import_manifest(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {app: web}\n  ports:\n    - {port: 80, targetPort: 9090}\n    - {port: \"8080\", targetPort: 9090}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, ports: [{containerPort: 9090}]}]\n",
    );
    assert_eq!(
        ports,
        [
            "warning[k8s-port]: <dir>/app.yaml:1#/spec/ports/1/port: Service shop/web has `port: \"8080\"`, which is not a port number (Kubernetes requires an integer from 1 to 65535); this port is not imported",
        ]
    );
    assert!(
        r.design.service("web").is_some(),
        "the workload is still imported"
    );
}

#[test]
fn files_over_the_size_cap_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("big.yaml"),
        format!("kind: ConfigMap\ndata: {{a: \"{}\"}}\n", "x".repeat(5000)),
    )
    .unwrap();
    fs::write(d.join("ok.yaml"), GOOD_SERVICE).unwrap();
    let opts = ImportOptions {
        read: ReadLimits {
            max_file_bytes: 1024,
            ..ReadLimits::default()
        },
        ..ImportOptions::default()
    };
    let r = import_dir(d, &opts);
    assert_eq!(
        errors(&r, d),
        vec!["error[read]: <dir>/big.yaml: file is 5030 bytes, over the 1024-byte limit per file"]
    );
    assert!(r.design.service("ok").is_some());
}

#[test]
fn malformed_yaml_spec_points_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("api.yaml"),
        "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get: {responses: {}}\n  /a:\n    post: {}\n",
    )
    .unwrap();
    let r = import_dir(d, &ImportOptions::default());
    assert_eq!(
        errors(&r, d),
        vec!["error[yaml]: <dir>/api.yaml:6:3: duplicate key `/a` (first defined at line 4)"]
    );
}

#[test]
fn unparseable_log_lines_are_counted_with_examples() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = "10.0.0.1 - - [25/Oct/2016:14:49:33 +0200] \"GET /a HTTP/1.1\" 200 1 \"-\" \"x\"\n";
    let mut text = String::new();
    for i in 0..100 {
        text.push_str(good);
        if i % 25 == 0 {
            text.push_str("this is not a log line\n");
        }
    }
    text.push_str(&"y".repeat(70_000));
    text.push('\n');
    fs::write(d.join("access.log"), text).unwrap();
    let r = import_dir(d, &ImportOptions::default());
    let w: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|x| x.code == "unparsed-lines")
        .map(|x| x.to_string().replace(&d.display().to_string(), "<dir>"))
        .collect();
    assert_eq!(
        w,
        vec![
            "warning[unparsed-lines]: <dir>/access.log:2: 5 of 105 lines could not be read as nginx access log (e.g. <dir>/access.log:2: not an NGINX combined or ingress-nginx line; <dir>/access.log:28: not an NGINX combined or ingress-nginx line; <dir>/access.log:54: not an NGINX combined or ingress-nginx line)"
        ]
    );
    let flow = r.design.flows.iter().find(|f| f.to == "nginx").unwrap();
    assert_eq!(flow.count, Some(100));
}

#[test]
fn documented_csv_maps_names_and_keeps_unknown_peers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("svc.yaml"), GOOD_SERVICE.replace("ok", "orders")).unwrap();
    fs::write(
        d.join("deploy.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: orders}\nspec:\n  template:\n    metadata: {labels: {app: orders}}\n    spec: {containers: [{name: c, ports: [{containerPort: 80}]}]}\n",
    )
    .unwrap();
    fs::write(
        d.join("flows.csv"),
        "src,dst,port,method,path,count\ninternet,orders,80,GET,/orders/17,5\norders.default.svc.cluster.local,10.9.9.9,5432,,,2\norders,api.stripe.com,443,POST,/v1/charges,1\nbad,row\n",
    )
    .unwrap();
    let r = import_dir(d, &ImportOptions::default());
    let flows: Vec<(String, Option<u64>)> = r
        .design
        .flows
        .iter()
        .map(|f| (f.id.clone(), f.count))
        .collect();
    assert_eq!(
        flows,
        vec![
            (
                "observed:internet->orders:80:GET:/orders/{id}".to_string(),
                Some(5)
            ),
            (
                "observed:orders->external-api-stripe-com:443:POST:/v1/charges".to_string(),
                Some(1)
            ),
            (
                "observed:orders->unknown-10-9-9-9:5432".to_string(),
                Some(2)
            ),
        ]
    );
    assert!(
        r.diagnostics
            .iter()
            .any(|x| x.code == "unparsed-lines" && x.line == Some(5))
    );
}

/// Imports `manifest` as one file of a folder; returns the result and its `k8s-port` warnings
/// with the folder written as `<dir>`.
fn import_manifest(manifest: &str) -> (ImportResult, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("app.yaml"), manifest).unwrap();
    let r = import_dir(dir.path(), &ImportOptions::default());
    let root = dir.path().display().to_string();
    let ports = r
        .diagnostics
        .iter()
        .filter(|x| x.code == "k8s-port")
        .map(|x| x.to_string().replace(&root, "<dir>"))
        .collect();
    (r, ports)
}
