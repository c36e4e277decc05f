//! A secret setting (a token, a password, a signing secret) that never shows when printed.

use std::fmt;

/// A secret value: `Debug` prints `Secret(••••)`, so options and configuration that hold one
/// can be logged whole; the value is read only where it is sent or checked.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the code that sends or checks it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(••••)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints() {
        let secret = Secret::new("xoxb-1234");
        assert_eq!(format!("{secret:?}"), "Secret(••••)");
        assert_eq!(secret.expose(), "xoxb-1234");
    }
}
