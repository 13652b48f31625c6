//! `cargo xtask bench`: builds the release frontend and the benchmark, runs it (natively
//! and in headless Chromium), and writes
//! `bench/results.json` with a table of what was measured on this machine.

use crate::dist;
use crate::shell::{root, Result};
use crate::tools;
use std::process::Command;

pub fn bench() -> Result {
    let weed = tools::ensure_test_tools()?;
    let root = root();
    let built = dist::build()?;
    crate::shell::run(Command::new("cargo").current_dir(&root).args(["build", "--package", "puente-backend"]))?;
    eprintln!("xtask: $ cargo run --release --package puente-tests --bin puente-bench");
    let output = Command::new("cargo")
        .current_dir(&root)
        .args(["run", "--quiet", "--release", "--package", "puente-tests", "--bin", "puente-bench"])
        .env("PUENTE_DIST", &built.dir)
        .env("PUENTE_BACKEND_BIN", root.join("target/debug/puente-backend"))
        .env("CHROMEDRIVER", tools::CHROMEDRIVER)
        .env("PUENTE_WEED", &weed)
        .env("PUENTE_WASM_BYTES", built.wasm_bytes.to_string())
        .env("PUENTE_WASM_GZIP_BYTES", built.wasm_gzip_bytes.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err("the benchmark failed".into());
    }
    let report = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let dir = root.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("results.json"), format!("{report}\n")).map_err(|e| e.to_string())?;
    println!("frontend wasm: {} bytes, {} gzipped", built.wasm_bytes, built.wasm_gzip_bytes);
    eprintln!("xtask: written to bench/results.json");
    Ok(())
}
