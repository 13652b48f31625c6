//! `cargo xtask serve | test | bench | dist`: everything a newcomer or CI runs, including
//! installing the tools it needs.

mod bench;
mod dist;
mod serve;
mod shell;
mod suites;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  serve   install what the build needs, build the frontend, and serve Puente on
          http://127.0.0.1:8080 with the embedded filesystem store in ./data
  test    install what the tests need and run every suite
  bench   measure key derivation, sealing, the sync API and the bundle size; write
          bench/results.json
  dist    build the frontend into frontend/dist";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve::serve(),
        Some("test") => suites::test(),
        Some("bench") => bench::bench(),
        Some("dist") => tools::ensure_build_tools().and_then(|()| dist::build().map(|_| ())),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: {error}");
            ExitCode::FAILURE
        }
    }
}
