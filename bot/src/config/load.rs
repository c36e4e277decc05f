//! Loading: the defaults, then the file, then the environment (and the variables the hosting
//! platform sets), with secrets read from files where a container mounts them; each value
//! remembers where it came from.

use std::collections::BTreeMap;
use std::path::Path;

use super::keys::{KEYS, Key, NOT_KEYS, PLATFORM_VARIABLES};
use super::{ConfigError, Secret, error};

/// Where a setting's value was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetIn {
    /// The built-in default.
    Default,
    /// The configuration file.
    File,
    /// An environment variable.
    Env,
}

/// The raw values, before typing: each key's value and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Raw {
    values: BTreeMap<&'static str, (String, SetIn)>,
    /// Problems that do not stop start-up (unknown environment variables).
    pub warnings: Vec<String>,
}

impl Raw {
    /// Reads the file (if any) and the environment, the latter winning.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Raw, ConfigError> {
        let mut raw = Raw::default();
        for k in KEYS {
            if let Some(d) = k.default {
                raw.values.insert(k.name, (d.to_owned(), SetIn::Default));
            }
        }
        if let Some(path) = file {
            let file_key =
                || ConfigError { key: format!("--config {}", path.display()), problem: String::new() };
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                problem: format!("cannot read it ({e}); check the path"),
                ..file_key()
            })?;
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| ConfigError {
                problem: format!("is not valid TOML: {}; fix the syntax", e.message().trim()),
                ..file_key()
            })?;
            for (name, value) in table {
                if let Some(k) = secret_file_key(&name) {
                    let toml::Value::String(path) = value else {
                        return Err(error(k.name, format!("`{name}` must be a path in quotes")));
                    };
                    raw.values.insert(k.name, (read_secret_file(k, &name, &path)?, SetIn::File));
                    continue;
                }
                let Some(k) = KEYS.iter().find(|k| k.name == name) else {
                    return Err(ConfigError {
                        problem: format!(
                            "unknown key `{name}`; the keys are listed by `secbot config check`"
                        ),
                        ..file_key()
                    });
                };
                let text = match value {
                    toml::Value::String(s) => s,
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => {
                        if b {
                            "on".into()
                        } else {
                            "off".into()
                        }
                    }
                    toml::Value::Array(items) => {
                        items.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(",")
                    }
                    other => {
                        return Err(error(
                            k.name,
                            format!("`{other}` is not a string or number; write it in quotes"),
                        ));
                    }
                };
                raw.values.insert(k.name, (text, SetIn::File));
            }
        }
        let mut from_platform = Vec::new();
        let mut set_by_env: BTreeMap<&'static str, String> = BTreeMap::new();
        for (var, value) in env {
            if let Some((_, name)) = PLATFORM_VARIABLES.iter().find(|(v, _)| *v == var) {
                from_platform.push((*name, value));
                continue;
            }
            let Some(name) = var.strip_prefix("SECBOT_") else { continue };
            let found = match KEYS.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
                Some(k) => Some((k, value)),
                None => match secret_file_key(&name.to_lowercase()) {
                    Some(k) => Some((k, read_secret_file(k, &var, &value)?)),
                    None => None,
                },
            };
            match found {
                Some((k, value)) => {
                    if let Some(other) = set_by_env.insert(k.name, var.clone()) {
                        return Err(error(k.name, format!("is set by both {other} and {var}; keep one")));
                    }
                    raw.values.insert(k.name, (value, SetIn::Env));
                }
                None if NOT_KEYS.contains(&var.as_str()) => {}
                None => raw
                    .warnings
                    .push(format!("{var} is not a secbot setting; ignored (see `secbot config check`)")),
            }
        }
        for (name, value) in from_platform {
            if !set_by_env.contains_key(name) && !value.trim().is_empty() {
                raw.values.insert(name, (value, SetIn::Env));
            }
        }
        Ok(raw)
    }

    /// Sets a value from a command-line flag (it wins over everything).
    pub fn set(&mut self, name: &'static str, value: String) {
        self.values.insert(name, (value, SetIn::Env));
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(v, _)| v.as_str()).filter(|v| !v.trim().is_empty())
    }

    pub(super) fn secret(&self, name: &str) -> Option<Secret> {
        self.get(name).map(Secret::new)
    }

    /// Every key with its effective value (secrets masked) and origin, for `config check`.
    pub fn describe(&self) -> Vec<(String, String, &'static str)> {
        KEYS.iter()
            .map(|k| {
                let (value, origin) = match self.values.get(k.name) {
                    Some((v, o)) if k.secret && !v.is_empty() => ("•••• (set)".to_owned(), *o),
                    Some((v, o)) => (v.clone(), *o),
                    None => ("(unset)".to_owned(), SetIn::Default),
                };
                let origin = match origin {
                    SetIn::Default => "default",
                    SetIn::File => "file",
                    SetIn::Env => "env",
                };
                (format!("{} (SECBOT_{})", k.name, k.name.to_uppercase()), value, origin)
            })
            .collect()
    }
}

/// The secret key a `NAME_file` setting reads from a file (`SECBOT_SLACK_BOT_TOKEN_FILE`, as
/// Docker and Kubernetes mount secrets), if `name` is one.
fn secret_file_key(name: &str) -> Option<&'static Key> {
    let base = name.strip_suffix("_file")?;
    KEYS.iter().find(|k| k.secret && k.name == base)
}

/// The secret in a file, without the line break editors and `echo` leave at its end.
fn read_secret_file(key: &Key, setting: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        error(
            key.name,
            format!(
                "{setting} names {path}, which cannot be read ({}); check the path and the mount",
                e.kind()
            ),
        )
    })?;
    let value = text.trim_end_matches(['\r', '\n']).to_owned();
    if value.trim().is_empty() {
        return Err(error(key.name, format!("{setting} names {path}, which is empty; put the secret in it")));
    }
    Ok(value)
}
