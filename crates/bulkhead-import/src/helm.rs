//! Recognising Helm (Go template) files, which must be rendered before they can be imported.
//!
//! `{{` alone proves nothing: Prometheus rules and Alertmanager templates carry `{{ $labels.x }}`
//! inside ordinary YAML strings. So a template action is *strong* evidence only when it uses
//! Helm's own objects or functions (`.Values`, `.Release`, `.Chart`, `include`, `define`, …);
//! other actions (`{{- if`, `{{ .x }}`, `{{ end }}`) are *weak* and make a file a template only
//! when it also fails to parse as YAML.

use std::path::Path;

/// How sure we are that a file is a Go template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateEvidence {
    /// Helm's own objects or functions: always a template.
    Strong { line: usize },
    /// A Go template action that could also be text inside a YAML string.
    Weak { line: usize },
}

impl TemplateEvidence {
    pub fn line(self) -> usize {
        match self {
            TemplateEvidence::Strong { line } | TemplateEvidence::Weak { line } => line,
        }
    }
}

const STRONG: &[&str] = &[
    ".Values",
    ".Release",
    ".Chart",
    ".Capabilities",
    ".Files",
    ".Template",
    "include ",
    "template ",
    "define ",
    "tpl ",
    "toYaml ",
    "required ",
];

const WEAK: &[&str] = &[
    ".", "$", "if ", "else", "end", "range ", "with ", "block ", "/*", "printf ", "quote ",
];

/// The strongest template evidence in `text` (the first strong action, else the first weak one).
pub fn template_evidence(text: &str) -> Option<TemplateEvidence> {
    let mut weak = None;
    for (offset, _) in text.match_indices("{{") {
        let rest = text[offset + 2..].trim_start_matches('-').trim_start();
        let line = || 1 + text[..offset].bytes().filter(|b| *b == b'\n').count();
        if STRONG.iter().any(|s| rest.starts_with(s)) {
            return Some(TemplateEvidence::Strong { line: line() });
        }
        if weak.is_none() && WEAK.iter().any(|s| rest.starts_with(s)) {
            weak = Some(TemplateEvidence::Weak { line: line() });
        }
    }
    weak
}

/// A folder holding a `Chart.yaml` is a Helm chart: its templates are refused as a whole.
pub fn is_chart_dir(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file() || dir.join("Chart.yml").is_file()
}

/// The refusal users see.
pub const RENDER_FIRST: &str = "render it with `helm template` first";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helm_objects_are_strong_evidence() {
        let t = "kind: Service\nmetadata:\n  name: {{ .Values.name }}\n";
        assert_eq!(
            template_evidence(t),
            Some(TemplateEvidence::Strong { line: 3 })
        );
        assert_eq!(
            template_evidence("{{- include \"x\" . }}"),
            Some(TemplateEvidence::Strong { line: 1 })
        );
    }

    #[test]
    fn prometheus_labels_are_weak_and_plain_braces_are_nothing() {
        let t = "annotations:\n  summary: \"{{ $labels.instance }} down\"\n";
        assert_eq!(
            template_evidence(t),
            Some(TemplateEvidence::Weak { line: 2 })
        );
        assert_eq!(template_evidence("project: {{PROJECT_ID}}\n"), None);
    }
}
