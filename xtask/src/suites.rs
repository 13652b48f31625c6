//! `test`: every suite, with the servers and the browser they need.

use crate::dist;
use crate::shell::{describe, root, run, Result};
use crate::tools;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Counts read from test runners' closing lines.
#[derive(Default)]
struct Summary {
    passed: u64,
    failed: u64,
    ignored: u64,
    stage_failures: Vec<String>,
}

impl Summary {
    /// Adds a libtest line such as `test result: ok. 12 passed; 0 failed; 1 ignored; …`.
    fn read_line(&mut self, line: &str) {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { return };
        for part in rest.split(['.', ';']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(what)) = (words.next().and_then(|n| n.parse::<u64>().ok()), words.next()) {
                match what {
                    "passed" => self.passed += n,
                    "failed" => self.failed += n,
                    "ignored" => self.ignored += n,
                    _ => {}
                }
            }
        }
    }

    /// Runs a test command, echoing its output and counting its results.
    fn stage(&mut self, name: &str, command: &mut Command) {
        eprintln!("xtask: == {name} ==\nxtask: $ {}", describe(command));
        let (passed, failed) = (self.passed, self.failed);
        let outcome = command.stdout(Stdio::piped()).spawn().map_err(|e| e.to_string()).and_then(|mut child| {
            let stdout = child.stdout.take().expect("piped");
            for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
                println!("{line}");
                self.read_line(&line);
            }
            child.wait().map_err(|e| e.to_string())
        });
        match outcome {
            Ok(status) if status.success() => {}
            Ok(status) => self.stage_failures.push(format!("{name} ({status})")),
            Err(e) => self.stage_failures.push(format!("{name} ({e})")),
        }
        eprintln!("xtask: {name}: {} passed, {} failed", self.passed - passed, self.failed - failed);
    }
}

pub fn test() -> Result {
    let started = Instant::now();
    let weed = tools::ensure_test_tools()?;
    let root = root();
    let dist = dist::build()?;
    run(Command::new("cargo").current_dir(&root).args(["build", "--package", "puente-backend"]))?;
    let backend_bin = root.join("target/debug/puente-backend");
    let mut summary = Summary::default();

    summary.stage(
        "native and end-to-end tests (shared, backend, API and BlobStore on the filesystem and S3, Chromium)",
        Command::new("cargo")
            .current_dir(&root)
            .args(["test", "--workspace", "--exclude", "puente-frontend"])
            .env("PUENTE_WEED", &weed)
            .env("PUENTE_DIST", &dist.dir)
            .env("PUENTE_BACKEND_BIN", &backend_bin)
            .env("CHROMEDRIVER", tools::CHROMEDRIVER),
    );
    summary.stage(
        "browser tests (wasm-bindgen-test in headless Chromium)",
        Command::new("cargo")
            .current_dir(root.join("frontend"))
            .args(["test", "--package", "puente-frontend", "--target", "wasm32-unknown-unknown"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", "wasm-bindgen-test-runner")
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
    );

    eprintln!("xtask: finished in {:.0} s", started.elapsed().as_secs_f64());
    if !summary.stage_failures.is_empty() {
        eprintln!("xtask: failed stages: {}", summary.stage_failures.join("; "));
    }
    println!("summary: {} passed, {} failed, {} skipped", summary.passed, summary.failed, summary.ignored);
    if summary.failed == 0 && summary.stage_failures.is_empty() {
        Ok(())
    } else {
        Err("some tests failed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::Summary;

    #[test]
    fn reads_libtest_closing_lines() {
        let mut summary = Summary::default();
        summary.read_line(
            "test result: ok. 35 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 0.63s",
        );
        summary.read_line("test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out");
        summary.read_line("running 4 tests");
        assert_eq!((summary.passed, summary.failed, summary.ignored), (38, 1, 2));
    }
}
