//! `serve`: the app built and served with the embedded filesystem store, as a newcomer runs it.

use crate::dist;
use crate::shell::{root, run, Result};
use crate::tools;
use std::process::Command;

pub fn serve() -> Result {
    tools::ensure_build_tools()?;
    let dist = dist::build()?;
    let root = root();
    run(Command::new("cargo").current_dir(&root).args(["build", "--release", "--package", "puente-backend"]))?;
    run(Command::new(root.join("target/release/puente-backend"))
        .current_dir(&root)
        .args(["serve", "--listen", "127.0.0.1:8080", "--store", "fs", "--data-dir", "data", "--static-dir"])
        .arg(&dist.dir))
}
