//! The CI recipes shipped in the repository work: `.github/workflows/ipplan-check.yml` (its shell steps run here
//! with bash as GitHub runs `shell: bash`) and `.pre-commit-hooks.yaml` (its entry run as pre-commit runs it, with
//! the file names appended). What cannot run here (GitHub itself, pre-commit) is said on stderr, not skipped
//! silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use crate::{code_and_output, example, examples_dir, temp_dir};

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workflow() -> Value {
    serde_yaml::from_str(&repo_file(".github/workflows/ipplan-check.yml")).unwrap()
}

/// The workflow's steps of job `plans`.
fn steps(wf: &Value) -> Vec<Value> {
    wf["jobs"]["plans"]["steps"].as_sequence().unwrap().clone()
}

/// The `run:` script of the step named `name`, checking it runs under bash.
fn step_script(wf: &Value, name: &str) -> String {
    let step = steps(wf)
        .into_iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step '{name}'"));
    assert_eq!(step["shell"].as_str(), Some("bash"), "{name}");
    step["run"].as_str().unwrap().to_string()
}

/// The directory of the `ipplan` under test, for PATH.
fn bin_dir() -> PathBuf {
    assert_cmd::cargo::cargo_bin!("ipplan")
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_ipplan() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Whether `tool` runs here; if not, say so on stderr.
fn have(tool: &str, what: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("NOTE: `{tool}` is not installed here: {what} not tested");
    }
    found
}

/// Run a step's script as GitHub runs `shell: bash` (`bash --noprofile --norc -eo pipefail FILE`) in `dir`.
fn run_step(script: &str, dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let file = dir.join("step.sh");
    std::fs::write(&file, script).unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&file)
        .current_dir(dir)
        .env("PATH", path_with_ipplan())
        .envs(env.iter().copied())
        .output()
        .unwrap();
    code_and_output(&out)
}

/// An example's `check` exit code as its header comment says it (`Expected: \`ipplan check examples/X\` exits N`).
fn documented_exit(name: &str) -> i32 {
    let text = std::fs::read_to_string(examples_dir().join(name)).unwrap();
    let key = format!("`ipplan check examples/{name}` exits ");
    let at = text
        .find(&key)
        .unwrap_or_else(|| panic!("{name}: no '{key}'"))
        + key.len();
    text[at..at + 1].parse().unwrap()
}

const NOT_A_PLAN: &str = "name: some workflow\non: push\n";
const BROKEN_PLAN: &str = "subnets:\n  - { name: a, az: z }\n";

#[test]
fn workflow_runs_on_yaml_pull_requests_and_installs_with_cargo() {
    let wf = workflow();
    // serde_yaml reads YAML 1.2: `on` is a string key, not `true`
    let paths: Vec<&str> = wf["on"]["pull_request"]["paths"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(paths, ["**/*.yaml", "**/*.yml"]);
    let runs: Vec<String> = steps(&wf)
        .iter()
        .filter_map(|s| s["run"].as_str().map(str::to_string))
        .collect();
    assert!(
        runs.iter()
            .any(|r| r.trim() == "cargo install --locked --path crates/ipplan-cli"),
        "{runs:#?}"
    );
    let check = step_script(&wf, "ipplan check");
    assert!(check.contains("ipplan check \"$f\""), "{check}");
    // the path it installs from exists, and is the ipplan binary's package
    assert!(repo_file("crates/ipplan-cli/Cargo.toml").contains("name = \"ipplan\""));
}

#[test]
fn workflow_check_step_fails_the_job_as_the_examples_say() {
    let script = step_script(&workflow(), "ipplan check");
    let fits = ["ecs-migration-20.yaml", "prefix-reservation.yaml"];
    let does_not = "ecs-migration-24.yaml";
    for f in fits {
        assert_eq!(documented_exit(f), 0, "{f}");
    }
    assert_eq!(documented_exit(does_not), 1);

    let case = |plans: &[&str], extra: &[(&str, &str)]| {
        let dir = temp_dir();
        let mut listed: Vec<String> = Vec::new();
        for p in plans {
            std::fs::copy(example(p), dir.join(p)).unwrap();
            listed.push((*p).to_string());
        }
        for (name, text) in extra {
            std::fs::write(dir.join(name), text).unwrap();
            listed.push((*name).to_string());
        }
        listed.push("deleted-in-this-pr.yaml".to_string()); // listed but gone: skipped
        let changed = dir.join("changed.txt");
        std::fs::write(&changed, listed.join("\n") + "\n").unwrap();
        run_step(&script, &dir, &[("CHANGED", changed.to_str().unwrap())])
    };

    // two fitting plans and a YAML file that is no plan: the job passes
    let (code, out) = case(&fits, &[("ci.yml", NOT_A_PLAN)]);
    assert_eq!(code, 0, "{out}");
    for f in fits {
        assert!(out.contains(&format!("fits: {f}")), "{out}");
    }
    assert!(
        out.contains("skip ci.yml: no top-level 'subnets:', not an ipplan plan"),
        "{out}"
    );
    assert!(out.contains("checked 2 plan file(s)"), "{out}");

    // one that does not fit (exit 1): the job fails, with an annotation on that file
    let (code, out) = case(&[fits[0], does_not], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("fits: {}", fits[0])), "{out}");
    assert!(
        out.contains(&format!(
            "::error file={does_not}::ipplan check: the plan does not fit (exit 1)"
        )),
        "{out}"
    );
    assert!(out.contains("DOES NOT FIT"), "{out}");

    // an invalid plan (exit 2): the job fails too, and the error line is in the log
    let (code, out) = case(&[fits[1]], &[("broken.yaml", BROKEN_PLAN)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("::error file=broken.yaml::ipplan check: not a valid plan (exit 2)"),
        "{out}"
    );
    assert!(out.contains("ipplan: error: broken.yaml: "), "{out}");
}

#[test]
fn workflow_lists_the_yaml_files_the_pull_request_changed() {
    if !have("git", "the workflow's changed-files step") {
        return;
    }
    let script = step_script(&workflow(), "Changed YAML files");
    let dir = temp_dir();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    git(&["init", "-q"]);
    std::fs::create_dir_all(dir.join("plans/eu")).unwrap();
    for f in ["keep.yaml", "same.yaml", "gone.yaml", "README.md"] {
        std::fs::write(dir.join(f), "a: 1\n").unwrap();
    }
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    let base = git(&["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(dir.join("keep.yaml"), "a: 2\n").unwrap();
    std::fs::write(dir.join("plans/eu/new.yml"), "a: 1\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "x\n").unwrap();
    std::fs::write(dir.join("README.md"), "changed\n").unwrap();
    std::fs::remove_file(dir.join("gone.yaml")).unwrap();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "pr"]);
    let changed = dir.join("changed.txt");
    let (code, out) = run_step(
        &script,
        &dir,
        &[("BASE_SHA", &base), ("CHANGED", changed.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(changed).unwrap(),
        "keep.yaml\nplans/eu/new.yml\n"
    );
}

#[test]
fn pre_commit_hook_runs_ipplan_check_on_plan_files() {
    let hooks: Value = serde_yaml::from_str(&repo_file(".pre-commit-hooks.yaml")).unwrap();
    let hooks = hooks.as_sequence().unwrap();
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert_eq!(hook["id"].as_str(), Some("ipplan-check"));
    assert_eq!(hook["entry"].as_str(), Some("ipplan check"));
    assert_eq!(hook["language"].as_str(), Some("system"));
    assert_eq!(hook["pass_filenames"].as_bool(), Some(true));
    let files = hook["files"].as_str().unwrap();

    // `files` as pre-commit reads it: a Python regex searched in each staged path
    let matching = [
        "plans/prod.yaml",
        "infra/plans/eu-west-1.yml",
        "plan/a.yaml",
        "ipplan/cluster.yaml",
        "cluster.plan.yaml",
        "dir/x.plan.yml",
    ];
    let other = [
        ".github/workflows/ci.yaml",
        ".pre-commit-hooks.yaml",
        "plans/README.md",
        "explanations/a.yaml",
        "k8s/deploy.yaml",
        "myplans/a.yaml",
    ];
    if have(
        "python3",
        "the hook's `files` regex (Python's re, as pre-commit uses)",
    ) {
        let script = "import re, sys\np = re.compile(sys.argv[1])\nfor f in sys.argv[2:]:\n    print(f, bool(p.search(f)))\n";
        let out = Command::new("python3")
            .args(["-c", script, files])
            .args(matching)
            .args(other)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for f in matching {
            assert!(text.contains(&format!("{f} True")), "{f}: {text}");
        }
        for f in other {
            assert!(text.contains(&format!("{f} False")), "{f}: {text}");
        }
    }

    // the entry with the file names appended, as pre-commit runs it
    let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
    let run = |files: &[String]| {
        Command::new(entry[0])
            .args(&entry[1..])
            .args(files)
            .env("PATH", path_with_ipplan())
            .output()
            .unwrap()
            .status
            .code()
    };
    let dir = temp_dir();
    let broken = dir.join("broken.plan.yaml");
    std::fs::write(&broken, BROKEN_PLAN).unwrap();
    let fits = [
        example("ecs-migration-20.yaml"),
        example("prefix-reservation.yaml"),
    ];
    assert_eq!(run(&fits), Some(0));
    let with_bad = [fits[0].clone(), example("ecs-migration-24.yaml")];
    assert_eq!(run(&with_bad), Some(1));
    let with_broken = [with_bad[1].clone(), broken.display().to_string()];
    assert_eq!(run(&with_broken), Some(2));
    if !have("pre-commit", "the hook through pre-commit itself") {
        eprintln!(
            "NOTE: checked the hook's fields, its files regex and its entry on the examples instead"
        );
    }
}

/// The README's GitLab CI snippet: the first ```yaml block after `**GitLab CI**`, if the README has one.
fn gitlab_snippet(readme: &str) -> Option<Value> {
    let at = readme.find("**GitLab CI**")?;
    let start = at + readme[at..].find("```yaml\n")? + "```yaml\n".len();
    let end = start + readme[start..].find("```")?;
    Some(serde_yaml::from_str(&readme[start..end]).unwrap())
}

#[test]
fn gitlab_snippet_in_the_readme_runs_ipplan_check_as_the_workflow_does() {
    let Some(ci) = gitlab_snippet(&repo_file("README.md")) else {
        eprintln!("NOTE: README.md has no **GitLab CI** snippet yet: not tested");
        return;
    };
    let job = &ci["ipplan-check"];
    assert_eq!(job["variables"]["GIT_DEPTH"].as_str(), Some("0"));
    let script: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(script.len(), 3, "{script:#?}");
    assert_eq!(script[0], "cargo install --locked --path crates/ipplan-cli");
    // the same diff as the GitHub workflow's, against the merge request's base
    let github = step_script(&workflow(), "Changed YAML files");
    assert!(
        github.contains(
            &script[1]
                .replace("$CI_MERGE_REQUEST_DIFF_BASE_SHA", "$BASE_SHA")
                .replace("changed-yaml.txt", "\"$CHANGED\"")
        ),
        "{}",
        script[1]
    );
    // GitLab runs a bash job's script with `set -eo pipefail`
    let loop_ = format!("set -eo pipefail\n{}", script[2]);
    let case = |plans: &[&str], extra: &[(&str, &str)]| {
        let dir = temp_dir();
        let mut listed: Vec<String> = plans.iter().map(|p| (*p).to_string()).collect();
        for p in plans {
            std::fs::copy(example(p), dir.join(p)).unwrap();
        }
        for (name, text) in extra {
            std::fs::write(dir.join(name), text).unwrap();
            listed.push((*name).to_string());
        }
        std::fs::write(dir.join("changed-yaml.txt"), listed.join("\n") + "\n").unwrap();
        run_step(&loop_, &dir, &[])
    };
    let (code, out) = case(
        &["ecs-migration-20.yaml", "prefix-reservation.yaml"],
        &[("ci.yml", NOT_A_PLAN)],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("skip ci.yml: not an ipplan plan"), "{out}");
    let (code, out) = case(&["ecs-migration-20.yaml", "ecs-migration-24.yaml"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("ipplan check ecs-migration-24.yaml: exit 1"),
        "{out}"
    );
    let (code, out) = case(&[], &[("broken.yaml", BROKEN_PLAN)]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ipplan check broken.yaml: exit 2"), "{out}");
}
