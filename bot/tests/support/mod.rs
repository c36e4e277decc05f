//! Shared by the binary's integration tests: `secbot serve` as a child process on a free
//! loopback port, and scratch directories.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the bot crate sits in the workspace").to_path_buf()
}

/// A fresh scratch directory for this test process.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("secbot-{name}-{}", std::process::id()));
    // A process id is reused: what an earlier test process left under it must not be read.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// A running `secbot serve` on a free loopback port.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Server {
    /// Starts `secbot serve` with its own scratch data directory and these settings.
    pub fn start(name: &str, env: &[(&str, &str)]) -> Server {
        Server::start_in(&scratch(name), env)
    }

    /// Starts `secbot serve` on a data directory.
    pub fn start_in(data: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_with(data, &[], env)
    }

    /// Starts `secbot serve` on a data directory with extra arguments.
    pub fn start_with(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_secbot"));
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("SECBOT_DATA_DIR", data)
            .env_remove("SECBOT_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("secbot starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("secbot prints where it listens");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_owned();
        Server { child, url }
    }

    /// A client for this server's HTTP API.
    pub fn client(&self) -> Client {
        Client { url: self.url.clone() }
    }

    /// A GET as the web chat user `tester`.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.client().get(path)
    }

    /// A JSON POST as the web chat user `tester`.
    pub fn post(&self, path: &str, body: &str) -> (u16, String) {
        self.client().post(path, body)
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// Sends SIGTERM and returns the exit code and how long the process took to stop.
    pub fn terminate(mut self) -> (Option<i32>, Duration) {
        let started = Instant::now();
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return (status.code(), started.elapsed());
            }
            if started.elapsed() > Duration::from_secs(15) {
                self.child.kill().ok();
                return (None, started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A client for a server's HTTP API (the web chat user `tester`), usable from any thread.
pub struct Client {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Client {
    /// A GET.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.request(&format!("GET {path} HTTP/1.1\r\nX-Webchat-User: tester\r\n"), "")
    }

    /// A JSON POST.
    pub fn post(&self, path: &str, body: &str) -> (u16, String) {
        let head = format!(
            "POST {path} HTTP/1.1\r\nX-Webchat-User: tester\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        self.request(&head, body)
    }

    /// A raw HTTP/1.1 request; the status and body.
    pub fn request(&self, head: &str, body: &str) -> (u16, String) {
        let addr = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).expect("connect");
        write!(stream, "{head}Host: {addr}\r\nConnection: close\r\n\r\n{body}").expect("request");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("response");
        let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PostgreSQL server tests share (TEST_PG_URL), or `None` when there is none and
/// SECBOT_REQUIRE_PG is not set (the caller then skips `what`).
pub fn postgres(what: &str) -> Option<String> {
    let Ok(url) = std::env::var("TEST_PG_URL") else {
        assert!(
            std::env::var_os("SECBOT_REQUIRE_PG").is_none(),
            "SECBOT_REQUIRE_PG is set but TEST_PG_URL is not"
        );
        eprintln!("skipped: set TEST_PG_URL=postgres://… to run {what}");
        return None;
    };
    Some(url)
}

/// A database URL for a new, empty schema of the server at `url`, so tests sharing the server
/// never see each other's rows.
pub async fn fresh_schema(url: &str) -> String {
    secbot::store::SqlStore::fresh_schema(url).await.expect("postgres reachable")
}
