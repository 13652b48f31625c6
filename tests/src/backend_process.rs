//! The real backend binary, run as a separate process serving the built frontend, with
//! its output captured so tests can read what it logged.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct BackendProcess {
    child: Child,
    pub url: String,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
}

/// Paths `cargo xtask test` passes in: the built frontend and the backend binary.
pub fn dist_dir() -> PathBuf {
    PathBuf::from(std::env::var("PUENTE_DIST").expect("PUENTE_DIST is set by `cargo xtask test` (the built frontend)"))
}

fn backend_bin() -> PathBuf {
    PathBuf::from(std::env::var("PUENTE_BACKEND_BIN").expect("PUENTE_BACKEND_BIN is set by `cargo xtask test`"))
}

/// The enrolment link in what the backend printed.
fn link_in(printed: &str) -> String {
    printed.split_whitespace().find(|w| w.contains("/enrol#")).expect("an enrolment link was printed").to_owned()
}

impl BackendProcess {
    /// Starts `puente-backend serve` on `port` with extra store arguments; logs go to
    /// files in `logs` (appended, so restarts keep earlier output).
    pub fn start(port: u16, store_args: &[String], envs: &[(&str, &str)], logs: &Path) -> Self {
        let stdout = logs.join("backend.out");
        let stderr = logs.join("backend.err");
        let open = |path: &Path| std::fs::OpenOptions::new().create(true).append(true).open(path).expect("log file");
        let child = Command::new(backend_bin())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--static-dir"])
            .arg(dist_dir())
            .args(store_args)
            .envs(envs.iter().copied())
            .env("PUENTE_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(open(&stdout))
            .stderr(open(&stderr))
            .spawn()
            .expect("start puente-backend");
        crate::wait_for_port(port, "puente-backend");
        Self { child, url: format!("http://127.0.0.1:{port}"), stdout, stderr }
    }

    pub fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The one-time enrolment link printed at first start.
    pub fn enrolment_link(&self) -> String {
        link_in(&std::fs::read_to_string(&self.stdout).expect("backend output"))
    }

    /// The organisation created at first start.
    pub fn tenant(&self) -> String {
        let out = std::fs::read_to_string(&self.stdout).expect("backend output");
        let line = out.lines().find(|l| l.starts_with("Organisation")).expect("the organisation was printed");
        line.rsplit(' ').next().expect("an id").to_owned()
    }

    /// A new one-time enrolment link from `puente-backend admin invite`, on the same store.
    pub fn invite(&self, store_args: &[String], envs: &[(&str, &str)]) -> String {
        let output = Command::new(backend_bin())
            .args(["admin", "invite", "--tenant", &self.tenant(), "--public-url", &self.url])
            .args(store_args)
            .envs(envs.iter().copied())
            .output()
            .expect("run admin invite");
        assert!(output.status.success(), "admin invite failed: {}", String::from_utf8_lossy(&output.stderr));
        link_in(&String::from_utf8_lossy(&output.stdout))
    }

    /// Disables a member with `puente-backend admin disable`.
    pub fn disable(&self, store_args: &[String], envs: &[(&str, &str)], username: &str) {
        let output = Command::new(backend_bin())
            .args(["admin", "disable", "--username", username])
            .args(store_args)
            .envs(envs.iter().copied())
            .output()
            .expect("run admin disable");
        assert!(output.status.success(), "admin disable failed: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// Publishes the organisation's settings with `puente-backend admin settings`.
    pub fn publish_settings(&self, store_args: &[String], settings_json: &str) {
        let file = tempfile::NamedTempFile::new().expect("a settings file");
        std::fs::write(file.path(), settings_json).expect("write settings");
        let output = Command::new(backend_bin())
            .args(["admin", "settings", "--tenant", &self.tenant(), "--file"])
            .arg(file.path())
            .args(store_args)
            .output()
            .expect("run admin settings");
        assert!(output.status.success(), "admin settings failed: {}", String::from_utf8_lossy(&output.stderr));
    }

    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
            + &std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for BackendProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
