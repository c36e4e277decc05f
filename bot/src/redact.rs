//! Redaction of secrets (keys, connection strings, tokens, passwords) from text before it is
//! stored or logged.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "[redacted]";

fn patterns() -> &'static [(Regex, &'static str)] {
    static PATTERNS: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let r = |p: &str| Regex::new(p).expect("valid redaction pattern");
        vec![
            // PEM private keys, whole.
            (r(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"), "[redacted private key]"),
            // Credentials inside URLs: scheme://user:password@host.
            (r(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+:)[^\s@/]+@"), "${1}[redacted]@"),
            // key=value and key: value for secret-looking keys (connection strings, env files).
            (
                r(r#"(?i)\b(account ?key|shared ?access ?key|sharedaccesskey|sig|password|passwd|pwd|secret|client[_ -]?secret|api[_-]?key|access[_-]?key|auth[_-]?token|token)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;,&]+)"#),
                "${1}${2}[redacted]",
            ),
            // Bearer tokens and JWTs.
            (r(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{16,}"), "Bearer [redacted]"),
            (r(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}"), REDACTED),
            // Vendor token formats.
            (r(r"\bxox[abposr]-[A-Za-z0-9-]{10,}|\bxapp-[A-Za-z0-9-]{10,}"), REDACTED),
            (r(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), REDACTED),
            (r(r"\bgh[pousr]_[A-Za-z0-9]{20,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}"), REDACTED),
            (r(r"\bsk-[A-Za-z0-9_-]{20,}"), REDACTED),
            // Long random-looking strings (base64 or hex keys) with letters of both cases and digits.
            (r(r"\b[A-Za-z0-9+=_-]{40,}\b"), "long"),
        ]
    })
}

fn random_looking(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_digit())
        && s.chars().any(|c| c.is_ascii_uppercase())
        && s.chars().any(|c| c.is_ascii_lowercase())
}

/// The text with secrets replaced by `[redacted]`.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (pattern, replacement) in patterns() {
        if !pattern.is_match(&out) {
            continue;
        }
        let replaced = if *replacement == "long" {
            pattern.replace_all(&out, |c: &regex::Captures| {
                if random_looking(&c[0]) { REDACTED.to_owned() } else { c[0].to_owned() }
            })
        } else {
            pattern.replace_all(&out, *replacement)
        };
        out = Cow::Owned(replaced.into_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_ordinary_text_is_not() {
        let cases = [
            (
                "DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=abcd1234EFGH==;EndpointSuffix=core.windows.net",
                "AccountKey=[redacted]",
            ),
            ("my token is xoxb-123456789012-abcdefABCDEF", "my token is [redacted]"),
            ("use AKIAABCDEFGHIJKLMNOP please", "use [redacted] please"),
            ("password: hunter2 and more", "password: [redacted] and more"),
            ("connect postgres://bot:s3cret@db:5432/secbot", "postgres://bot:[redacted]@db"),
            ("Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345", "Bearer [redacted]"),
            (
                "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
                "jwt [redacted]",
            ),
            ("key Z3JhbmRtYSBzYXlzIGhlbGxvIHRvIHlvdSBmcm9tIHRoZSBwYXN0 end", "key [redacted] end"),
        ];
        for (input, expected) in cases {
            let out = redact(input);
            assert!(out.contains(expected), "{input} → {out}");
        }
        for plain in [
            "show critical risks for publicly exposed resources",
            "how do I fix /subscriptions/3f8e2b1c-6a4d-4e9f-9b7a-1c2d3e4f5a60/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/vm-web-01",
            "Key Vault secrets should have an expiration date",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }
}
