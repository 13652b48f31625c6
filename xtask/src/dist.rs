//! Builds `frontend/dist/`: the release wasm, bound with wasm-bindgen, shrunk with
//! wasm-opt when present, every asset renamed with a content hash, an `index.html` that
//! points at them, and a service worker that precaches exactly this list.

use crate::shell::{root, run, Result};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Dist {
    pub dir: PathBuf,
    pub wasm_bytes: usize,
    pub wasm_gzip_bytes: usize,
}

fn hash16(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Writes `bytes` as `stem-<hash>.ext` in `dir` and returns the file name.
fn write_hashed(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> Result<String> {
    let name = format!("{stem}-{}.{ext}", hash16(bytes));
    fs::write(dir.join(&name), bytes).map_err(|e| format!("{name}: {e}"))?;
    Ok(name)
}

fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn build() -> Result<Dist> {
    let root = root();
    let frontend = root.join("frontend");
    run(Command::new("cargo").current_dir(&root).args([
        "build",
        "--package",
        "puente-frontend",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let bound = root.join("target/wasm-bindgen");
    let _ = fs::remove_dir_all(&bound);
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-name", "puente", "--out-dir"])
        .arg(&bound)
        .arg(root.join("target/wasm32-unknown-unknown/wasm-release/puente_frontend.wasm")))?;
    let wasm = bound.join("puente_bg.wasm");
    let wasm_opt = crate::tools::wasm_opt();
    if wasm_opt.is_none() {
        eprintln!("xtask: wasm-opt is not available; the frontend is built without it (larger)");
    }
    if let Some(wasm_opt) = wasm_opt {
        // wasm-opt takes most of a warm build: reuse its output for an unchanged input.
        let cache = root.join("target/wasm-opt-cache");
        let cached = cache.join(format!("{}.wasm", hash16(&read(&wasm)?)));
        if !cached.exists() {
            fs::create_dir_all(&cache).map_err(|e| e.to_string())?;
            let optimised = bound.join("puente_bg.opt.wasm");
            run(Command::new(wasm_opt)
                .args(["-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext"])
                .args(["--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue", "-o"])
                .arg(&optimised)
                .arg(&wasm))?;
            fs::rename(&optimised, &cached).map_err(|e| e.to_string())?;
        }
        fs::copy(&cached, &wasm).map_err(|e| e.to_string())?;
    }

    let dist = frontend.join("dist");
    let _ = fs::remove_dir_all(&dist);
    fs::create_dir_all(&dist).map_err(|e| e.to_string())?;
    let wasm_name = write_hashed(&dist, "puente_bg", "wasm", &read(&wasm)?)?;
    let js_name = write_hashed(&dist, "puente", "js", &read(&bound.join("puente.js"))?)?;
    let css_name = write_hashed(&dist, "styles", "css", &read(&frontend.join("static/styles.css"))?)?;
    let boot = read_text(&frontend.join("static/boot.js"))?.replace("{{JS}}", &js_name).replace("{{WASM}}", &wasm_name);
    let boot_name = write_hashed(&dist, "boot", "js", boot.as_bytes())?;
    let icon_name = write_hashed(&dist, "icon", "svg", &read(&frontend.join("static/icon.svg"))?)?;

    let index = read_text(&frontend.join("static/index.html"))?
        .replace("{{CSS}}", &css_name)
        .replace("{{BOOT}}", &boot_name)
        .replace("{{ICON}}", &icon_name);
    fs::write(dist.join("index.html"), &index).map_err(|e| e.to_string())?;

    // The service worker's version changes whenever any precached file does.
    let assets = [&boot_name, &js_name, &wasm_name, &css_name, &icon_name];
    let version = hash16(assets.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(",").as_bytes());
    let list: Vec<String> = std::iter::once("/".to_owned()).chain(assets.iter().map(|a| format!("/{a}"))).collect();
    let sw = read_text(&frontend.join("static/sw.js"))?
        .replace("{{VERSION}}", &version)
        .replace("{{ASSETS}}", &format!("{list:?}"));
    fs::write(dist.join("sw.js"), sw).map_err(|e| e.to_string())?;
    // Served as they are to a browser that takes gzip (nearly all do), at a third of the size.
    let (mut wasm_bytes, mut wasm_gzip_bytes) = (0, 0);
    for name in assets.iter().map(|a| a.as_str()).chain(["index.html", "sw.js"]) {
        let bytes = read(&dist.join(name))?;
        let gzipped = gzip(&bytes)?;
        if name == wasm_name {
            (wasm_bytes, wasm_gzip_bytes) = (bytes.len(), gzipped.len());
        }
        fs::write(dist.join(format!("{name}.gz")), gzipped).map_err(|e| e.to_string())?;
    }
    eprintln!(
        "xtask: frontend built into {} ({wasm_name}: {wasm_bytes} bytes, {wasm_gzip_bytes} gzipped)",
        dist.display()
    );
    Ok(Dist { dir: dist, wasm_bytes, wasm_gzip_bytes })
}

/// `bytes` gzipped at the highest level.
fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}
