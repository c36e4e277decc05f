//! The deployment files, checked by the tools that read them: systemd's own verifier for the
//! unit, Docker Compose's parser for the compose file (with the secrets `init-secrets.sh`
//! makes), the Kubernetes API schemas for the manifests, and `secbot` itself for the settings
//! the container image and the compose file give it, secrets read from files included. CI
//! installs the tools and sets `SECBOT_REQUIRE_TOOLS=1`; without it a missing tool skips its
//! check. No container is built or run here: there is no Docker engine on this machine kind.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{Server, scratch, workspace};

fn required() -> bool {
    std::env::var("SECBOT_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Runs a tool, or says why it was skipped (and fails when tools are required).
fn run(program: &str, install: &str, configure: impl FnOnce(&mut Command)) -> Option<Output> {
    let mut command = Command::new(program);
    configure(&mut command);
    match command.output() {
        Ok(output) => Some(output),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            assert!(!required(), "{program} is required: {install}");
            eprintln!("skipped: {program} is not installed ({install})");
            None
        }
        Err(e) => panic!("{program} cannot run: {e}"),
    }
}

fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A copy of `deploy/` to work in, so generated secrets never land in the repository.
fn deploy_copy(name: &str) -> PathBuf {
    let dir = scratch(name).join("deploy");
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&workspace().join("deploy"), &dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("deploy/") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            if entry.file_name() != "secrets" {
                copy_dir(&entry.path(), &target);
            }
        } else if entry.file_name() != "secbot.env" {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    let unit = std::fs::read_to_string(workspace().join("deploy/secbot.service")).expect("the unit");
    assert!(unit.contains("ExecStart=/usr/local/bin/secbot serve"), "the unit runs the installed binary");
    // The verifier checks that ExecStart's program exists: point it at the one just built.
    let dir = scratch("systemd-unit");
    let file = dir.join("secbot.service");
    std::fs::write(&file, unit.replace("/usr/local/bin/secbot", env!("CARGO_BIN_EXE_secbot"))).expect("copy");
    let Some(output) = run("systemd-analyze", "apt-get install systemd", |c| {
        c.args(["verify", "--man=no"]).arg(&file);
    }) else {
        return;
    };
    // An unknown or misspelt setting is only a warning to systemd; here it fails.
    assert!(output.status.success() && said(&output).trim().is_empty(), "{}", said(&output));
}

#[test]
fn the_compose_file_parses_with_its_generated_secrets() {
    let dir = deploy_copy("compose");
    let init = Command::new("sh").arg(dir.join("init-secrets.sh")).output().expect("sh runs");
    assert!(init.status.success(), "{}", said(&init));
    let secret = |name: &str| std::fs::read_to_string(dir.join("secrets").join(name)).expect(name);
    let password = secret("postgres_password");
    assert!(password.len() >= 32 && password.chars().all(|c| c.is_ascii_hexdigit()), "{password}");
    assert_eq!(secret("database_url"), format!("postgres://secbot:{password}@postgres:5432/secbot"));
    // Running it again keeps what it made.
    let again = Command::new("sh").arg(dir.join("init-secrets.sh")).output().expect("sh runs");
    assert!(again.status.success());
    assert_eq!(secret("postgres_password"), password);
    let Some(output) = run("docker-compose", "apt-get install docker-compose", |c| {
        c.current_dir(&dir).args(["-f", "compose.yaml", "config"]);
    }) else {
        return;
    };
    assert!(output.status.success(), "{}", said(&output));
    let resolved = String::from_utf8_lossy(&output.stdout);
    for replica in ["secbot-1:", "secbot-2:"] {
        assert!(resolved.contains(replica), "{resolved}");
    }
    assert!(resolved.contains("condition: service_healthy"), "replicas wait for PostgreSQL: {resolved}");
    assert!(!resolved.contains(&password), "the password stays in its file: {resolved}");
}

#[test]
fn the_kubernetes_manifests_validate_against_the_api_schemas() {
    let Some(tools) = std::env::var_os("SECBOT_KUBERNETES_VALIDATE_PATH") else {
        assert!(
            !required(),
            "SECBOT_KUBERNETES_VALIDATE_PATH is required: pip install --target DIR kubernetes-validate"
        );
        eprintln!(
            "skipped: set SECBOT_KUBERNETES_VALIDATE_PATH to a pip --target folder with kubernetes-validate"
        );
        return;
    };
    let manifest = workspace().join("deploy/kubernetes/secbot.yaml");
    let Some(output) = run("python3", "apt-get install python3", |c| {
        c.env("PYTHONPATH", &tools)
            .args(["-m", "kubernetes_validate", "--strict", "--quiet", "--kubernetes-version", "1.31.0"])
            .arg(&manifest);
    }) else {
        return;
    };
    assert!(output.status.success() && !said(&output).contains("ERROR"), "{}", said(&output));
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    for kind in
        ["kind: Deployment", "kind: Service", "kind: PodDisruptionBudget", "path: /readyz", "path: /healthz"]
    {
        assert!(text.contains(kind), "the manifests have {kind}");
    }
}

/// The `ENV` settings of the Dockerfile's runtime image.
fn image_env() -> Vec<(String, String)> {
    let dockerfile = std::fs::read_to_string(workspace().join("Dockerfile")).expect("Dockerfile");
    let runtime = dockerfile.rsplit("\nFROM ").next().expect("a runtime stage");
    assert!(runtime.contains("\nUSER 10001:10001\n"), "the image runs as a non-root user");
    assert!(!runtime.contains("cargo") && !runtime.contains("rustc"), "no build tools in the image");
    let mut env = Vec::new();
    let mut in_env = false;
    for line in runtime.lines() {
        let line = line.trim();
        let rest = match line.strip_prefix("ENV ") {
            Some(rest) => rest,
            None if in_env => line,
            None => continue,
        };
        in_env = rest.ends_with('\\');
        for pair in rest.trim_end_matches('\\').split_whitespace() {
            let (k, v) = pair.split_once('=').expect("ENV KEY=VALUE");
            env.push((k.to_owned(), v.to_owned()));
        }
    }
    env
}

#[test]
fn the_image_and_compose_settings_are_a_valid_configuration_with_secrets_from_files() {
    let env = image_env();
    assert!(env.iter().any(|(k, v)| k == "SECBOT_LISTEN" && v == "0.0.0.0:3978"), "{env:?}");
    let dir = deploy_copy("settings");
    let init = Command::new("sh").arg(dir.join("init-secrets.sh")).output().expect("sh runs");
    assert!(init.status.success(), "{}", said(&init));
    let data = scratch("settings-data");
    let output = Command::new(env!("CARGO_BIN_EXE_secbot"))
        .args(["config", "check"])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("SECBOT_DATA_DIR", &data)
        .env("SECBOT_DATABASE_URL_FILE", dir.join("secrets/database_url"))
        .env("SECBOT_ADMIN_TOKEN_FILE", dir.join("secrets/admin_token"))
        .output()
        .expect("secbot runs");
    let shown = said(&output);
    assert!(output.status.success(), "{shown}");
    assert!(shown.contains("The configuration is valid."), "{shown}");
    let password = std::fs::read_to_string(dir.join("secrets/postgres_password")).expect("password");
    assert!(!shown.contains(&password), "config check masks a secret read from a file: {shown}");
    assert!(shown.lines().any(|l| l.starts_with("database_url") && l.contains("(set)")), "{shown}");
}

#[tokio::test]
async fn a_replica_reads_its_database_url_from_a_file_and_becomes_ready_on_postgresql() {
    let Some(url) = support::postgres("the deployed replica test") else { return };
    let schema = support::fresh_schema(&url).await;
    let dir = scratch("replica-secret");
    let file = dir.join("database_url");
    // As Kubernetes and Compose mount it: the value and a line break.
    std::fs::write(&file, format!("{schema}\n")).expect("secret file");
    let server =
        Server::start("replica-secret-data", &[("SECBOT_DATABASE_URL_FILE", &file.display().to_string())]);
    let (status, body) = tokio::task::spawn_blocking(move || server.get("/readyz")).await.expect("probe");
    assert_eq!(status, 200, "{body}");
}
