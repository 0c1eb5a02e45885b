//! The README's examples still work: its plan-file reference is a valid plan (simulate section included), and its
//! first screen's main command is the one the tests run.

use crate::{ipplan, run};

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap()
}

/// The first fenced block of `lang` after `heading`.
fn block_after(text: &str, heading: &str, lang: &str) -> String {
    let at = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has no '{heading}'"));
    let fence = format!("```{lang}\n");
    let start = at + text[at..].find(&fence).unwrap() + fence.len();
    let end = start + text[start..].find("```").unwrap();
    text[start..end].to_string()
}

#[test]
fn plan_file_reference_is_a_valid_plan() {
    let yaml = block_after(&readme(), "## The plan file", "yaml");
    let path = crate::temp_file("readme-plan.yaml", &yaml);
    let path = path.to_str().unwrap();
    // the closed form and the simulation both accept it (its `simulate:` section included)
    let out = ipplan().args(["check", path]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ipplan()
        .args(["simulate", "--format", "json", path])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn first_screen_runs_the_main_job_on_a_shipped_example() {
    let sh = block_after(&readme(), "On a fresh machine", "sh");
    let lines: Vec<&str> = sh.lines().collect();
    assert_eq!(lines.len(), 2, "exactly two commands: {lines:?}");
    assert!(lines[1].starts_with("cargo test --workspace"));
    let main_job = lines[0].split('#').next().unwrap().trim();
    let args: Vec<&str> = main_job
        .strip_prefix("cargo run -p ipplan-cli -- ")
        .expect("the main job runs the ipplan binary")
        .split_whitespace()
        .collect();
    assert_eq!(args[0], "check");
    let example = format!("{}/../../{}", env!("CARGO_MANIFEST_DIR"), args[1]);
    // the README says it exits 1: the plan does not fit
    assert!(lines[0].contains("exits 1"));
    let stdout = run(&["check", &example], 1);
    assert!(stdout.contains("DOES NOT FIT"));
}
