//! Fetching an inventory from a URL, bounded in every direction.
//!
//! http and https only (rustls, no native TLS), with a connect timeout, a total timeout, a size
//! cap enforced while streaming the body (a lying or missing `Content-Length` does not help), and
//! a redirect limit. Every failure is a [`FetchError`] variant with a message a user can act
//! on: DNS, connection, TLS, timeout, HTTP status, too large, too many redirects, not text.

use std::time::Duration;

/// Bounds on one fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchOptions {
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            max_bytes: 32 * 1024 * 1024,
            max_redirects: 5,
        }
    }
}

/// A fetched document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The URL asked for.
    pub url: String,
    /// The URL answered, after redirects.
    pub final_url: String,
    pub content_type: Option<String>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("`{url}` is not a valid URL: {message}")]
    BadUrl { url: String, message: String },
    #[error("`{url}`: only http and https URLs can be imported, not `{scheme}:`")]
    Scheme { url: String, scheme: String },
    #[error("`{url}`: cannot resolve host `{host}` (DNS): {message}")]
    Dns {
        url: String,
        host: String,
        message: String,
    },
    #[error("`{url}`: cannot connect: {message}")]
    Connect { url: String, message: String },
    #[error("`{url}`: TLS handshake failed: {message}")]
    Tls { url: String, message: String },
    #[error("`{url}`: timed out after {seconds} s")]
    Timeout { url: String, seconds: u64 },
    #[error("`{url}`: the server answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("`{url}`: more than {limit} redirects")]
    Redirects { url: String, limit: usize },
    #[error("`{url}`: the response is over the {limit}-byte limit")]
    TooLarge { url: String, limit: u64 },
    #[error("`{url}`: the response is not UTF-8 text")]
    NotText { url: String },
    #[error("`{url}`: {message}")]
    Other { url: String, message: String },
}

/// Whether `s` looks like a URL rather than a path.
pub fn is_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && !rest.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Fetch `url` on the current tokio runtime.
pub async fn fetch(url: &str, opts: &FetchOptions) -> Result<Fetched, FetchError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| FetchError::BadUrl {
        url: url.to_string(),
        message: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(FetchError::Scheme {
            url: url.to_string(),
            scheme: parsed.scheme().to_string(),
        });
    }
    let host = parsed.host_str().unwrap_or_default().to_string();
    let limit = opts.max_redirects;
    let client = reqwest::Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.total_timeout)
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > limit {
                attempt.error(TooManyRedirects)
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .user_agent(concat!("bulkhead-import/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FetchError::Other {
            url: url.to_string(),
            message: e.to_string(),
        })?;
    let classify = |e: reqwest::Error| classify_error(url, &host, opts, e);
    let mut response = client.get(parsed).send().await.map_err(classify)?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_string(),
            status: status.as_u16(),
        });
    }
    if response
        .content_length()
        .is_some_and(|n| n > opts.max_bytes)
    {
        return Err(FetchError::TooLarge {
            url: url.to_string(),
            limit: opts.max_bytes,
        });
    }
    let final_url = response.url().to_string();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(classify)? {
        if body.len() as u64 + chunk.len() as u64 > opts.max_bytes {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit: opts.max_bytes,
            });
        }
        body.extend_from_slice(&chunk);
    }
    if body.contains(&0) {
        return Err(FetchError::NotText {
            url: url.to_string(),
        });
    }
    let text = String::from_utf8(body).map_err(|_| FetchError::NotText {
        url: url.to_string(),
    })?;
    Ok(Fetched {
        url: url.to_string(),
        final_url,
        content_type,
        text: text.trim_start_matches('\u{feff}').to_string(),
    })
}

/// Fetch `url` from synchronous code (the CLI, tests, or a caller already inside an async
/// runtime): runs a private current-thread runtime on its own thread, so it never nests
/// runtimes.
pub fn fetch_blocking(url: &str, opts: &FetchOptions) -> Result<Fetched, FetchError> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| FetchError::Other {
                        url: url.to_string(),
                        message: format!("cannot start the network runtime: {e}"),
                    })?;
                runtime.block_on(fetch(url, opts))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(FetchError::Other {
                    url: url.to_string(),
                    message: "the fetch thread failed".into(),
                })
            })
    })
}

#[derive(Debug)]
struct TooManyRedirects;

impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too many redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    parts.join(": ")
}

fn classify_error(url: &str, host: &str, opts: &FetchOptions, e: reqwest::Error) -> FetchError {
    let url = url.to_string();
    let message = chain(&e);
    let lower = message.to_ascii_lowercase();
    if e.is_redirect() || lower.contains("too many redirects") {
        return FetchError::Redirects {
            url,
            limit: opts.max_redirects,
        };
    }
    if e.is_timeout() || lower.contains("timed out") {
        let seconds = if e.is_connect() {
            opts.connect_timeout.as_secs()
        } else {
            opts.total_timeout.as_secs()
        };
        return FetchError::Timeout { url, seconds };
    }
    if lower.contains("dns error") || lower.contains("failed to lookup address") {
        return FetchError::Dns {
            url,
            host: host.to_string(),
            message,
        };
    }
    if lower.contains("certificate")
        || lower.contains("tls")
        || lower.contains("handshake")
        || lower.contains("invalid peer")
    {
        return FetchError::Tls { url, message };
    }
    if e.is_connect() {
        return FetchError::Connect { url, message };
    }
    FetchError::Other { url, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_paths() {
        assert!(is_url("https://example.com/spec.json"));
        assert!(is_url("ftp://x/y"));
        assert!(!is_url("specs/openapi.yaml"));
        assert!(!is_url("C:\\specs\\a.json"));
    }

    #[test]
    fn non_http_schemes_are_refused() {
        let err = fetch_blocking("file:///etc/passwd", &FetchOptions::default()).unwrap_err();
        assert!(matches!(err, FetchError::Scheme { .. }), "{err}");
        let err = fetch_blocking("ftp://example.com/x", &FetchOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`ftp://example.com/x`: only http and https URLs can be imported, not `ftp:`"
        );
    }
}
