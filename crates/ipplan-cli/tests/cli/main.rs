//! The `ipplan` binary end to end: one integration-test binary, a module per front door, shared helpers here.
//! Expected values come from the upstream sources named in each test (explained in docs/model.md) or from
//! arithmetic written out in the comments.

mod ci;
mod conventions;
mod docs;
mod ecs;
mod hardening;
mod import;
mod import_aws;
mod max_pods;
mod plans;
mod readme;
mod report;
mod schema;
mod sim;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;

/// The binary under test.
pub fn ipplan() -> Command {
    assert_cmd::cargo::cargo_bin_cmd!("ipplan")
}

/// Run `ipplan ARGS`, expect exit 0, return stdout.
pub fn ok(args: &[&str]) -> String {
    run(args, 0)
}

/// Run `ipplan ARGS`, expect `code`, return stdout.
pub fn run(args: &[&str], code: i32) -> String {
    let out = ipplan().args(args).assert().code(code).get_output().clone();
    String::from_utf8(out.stdout).unwrap()
}

/// Run `ipplan ARGS`, expect exit 2, an empty stdout and exactly one stderr line starting `ipplan: error: `;
/// return that line.
pub fn fails(args: &[&str]) -> String {
    let out = ipplan().args(args).assert().code(2).get_output().clone();
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.starts_with("ipplan: error: "), "{err:?}");
    err.trim_end().to_string()
}

/// A finished process's exit code (-1 when a signal ended it) and its stdout followed by its stderr.
pub fn code_and_output(out: &std::process::Output) -> (i32, String) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A fresh directory in the system temp dir.
pub fn temp_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "ipplan-cli-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    // a process id is reused: a directory left by an earlier run of the same id must not leak into this one
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A fresh file holding `text`.
pub fn temp_file(name: &str, text: &str) -> PathBuf {
    let path = temp_dir().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The shipped examples folder.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// A shipped example's path, as a string for argument lists.
pub fn example(name: &str) -> String {
    examples_dir().join(name).display().to_string()
}
