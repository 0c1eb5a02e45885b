//! The conventions the platform team's other tools use: `-o`/`--output` for the format, `-` for stdout,
//! progress only on a terminal (`--quiet` to silence it), and file flags that never overwrite an input.

use std::path::Path;

use crate::{example, fails, ipplan, run, temp_dir};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every command with `--format`, as (arguments, exit code).
fn format_commands() -> Vec<(Vec<String>, i32)> {
    let fits = example("ecs-migration-20.yaml");
    let reserved = example("fragmentation-sim-reserved.yaml");
    let v = |a: &[&str]| a.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
    vec![
        (v(&["check", &fits]), 0),
        (v(&["check", &fits, "--simulate"]), 0),
        (v(&["compare", &fits, "--layout", "24"]), 0),
        (v(&["simulate", &reserved]), 0),
        (v(&["simulate", &reserved, "--trials", "2"]), 0),
        (v(&["max-pods", "m5.large"]), 0),
        (v(&["instances", "m5.large"]), 0),
    ]
}

#[test]
fn dash_o_and_output_are_format_on_every_command_that_has_it() {
    for (args, code) in format_commands() {
        let with = |extra: &[&str]| {
            let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
            all.extend_from_slice(extra);
            run(&all, code)
        };
        let json = with(&["--format", "json"]);
        assert!(json.starts_with('{'), "{args:?}: {json:.80}");
        serde_json::from_str::<serde_json::Value>(&json).unwrap();
        assert_eq!(with(&["-o", "json"]), json, "{args:?}");
        assert_eq!(with(&["-ojson"]), json, "{args:?}");
        assert_eq!(with(&["--output", "json"]), json, "{args:?}");
        assert_eq!(with(&["--output=json"]), json, "{args:?}");
        let yaml = with(&["--format", "yaml"]);
        assert_eq!(with(&["-o", "yaml"]), yaml, "{args:?}");
        assert_eq!(with(&["--output", "yaml"]), yaml, "{args:?}");
        assert_eq!(with(&["-o", "table"]), with(&[]), "{args:?}");
    }
    // `instances` has a csv format too
    assert_eq!(
        run(&["instances", "-o", "csv", "m5*"], 0),
        run(&["instances", "--format", "csv", "m5*"], 0)
    );
    // a bad value names the flag, as clap does for --format (usage error, exit 2)
    let out = ipplan()
        .args(["check", &example("ecs-migration-20.yaml"), "-o", "xml"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("'xml'") && err.contains("--format"), "{err}");
}

#[test]
fn map_has_no_dash_o_its_out_is_long_only() {
    let out = ipplan()
        .args([
            "map",
            &example("prefix-fragmented.yaml"),
            "--subnet",
            "shared-a",
            "-o",
            "x.svg",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("unexpected argument '-o'"), "{err}");
}

#[test]
fn trials_progress_is_silent_when_stderr_is_not_a_terminal() {
    // assert_cmd gives the child a pipe for stderr: no progress, nothing at all on a successful run.
    let p = example("fragmentation-sim-reserved.yaml");
    let plain = ipplan()
        .args(["simulate", &p, "--trials", "3"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert!(
        plain.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    for quiet in ["--quiet", "-q"] {
        // global: before or after the subcommand
        for args in [
            vec![quiet, "simulate", &p, "--trials", "3"],
            vec!["simulate", &p, "--trials", "3", quiet],
        ] {
            let out = ipplan().args(&args).assert().code(0).get_output().clone();
            assert!(out.stderr.is_empty(), "{args:?}");
            assert_eq!(out.stdout, plain.stdout, "{args:?}");
        }
    }
    // errors still print under --quiet
    let e = fails(&["--quiet", "simulate", "no-such-plan.yaml"]);
    assert!(e.contains("cannot read plan file"), "{e}");
}

#[test]
fn trials_progress_draws_on_a_terminal_and_not_with_quiet() {
    // `script` (util-linux) runs the command on a pseudo-terminal, so its stderr is a terminal.
    let Ok(found) = std::process::Command::new("script")
        .arg("--version")
        .output()
    else {
        eprintln!(
            "NOTE: `script` (util-linux) is not installed: progress on a terminal not tested here"
        );
        return;
    };
    assert!(found.status.success(), "script --version failed");
    let bin = assert_cmd::cargo::cargo_bin!("ipplan");
    let p = example("fragmentation-sim.yaml");
    let on_tty = |quiet: &str| {
        let cmd = format!("{} {quiet} simulate {p} --trials 40 -o json", bin.display());
        let out = std::process::Command::new("script")
            .args(["-q", "-e", "-c", &cmd, "/dev/null"])
            .env("TERM", "xterm")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_tty("");
    assert!(
        shown.contains("seeds"),
        "no progress on a terminal: {shown:.300}"
    );
    let quiet = on_tty("--quiet");
    assert!(
        !quiet.contains("seeds,"),
        "progress despite --quiet: {quiet:.300}"
    );
}

#[test]
fn dash_is_stdout_for_timeline_plot_and_map_out() {
    let p = example("fragmentation-sim-reserved.yaml");
    let dir = temp_dir();
    let csv = dir.join("t.csv");
    let svg = dir.join("p.svg");
    run(
        &["simulate", &p, "--timeline", s(&csv), "--plot", s(&svg)],
        0,
    );
    let csv = std::fs::read_to_string(csv).unwrap();
    let svg = std::fs::read_to_string(svg).unwrap();
    // in place of the report, with the verdict's exit code
    assert_eq!(run(&["simulate", &p, "--timeline", "-"], 0), csv);
    assert_eq!(run(&["simulate", &p, "--plot", "-"], 0), svg);
    let other = dir.join("t2.csv");
    assert_eq!(
        run(&["simulate", &p, "--plot", "-", "--timeline", s(&other)], 0),
        svg
    );
    assert_eq!(std::fs::read_to_string(other).unwrap(), csv);
    let failing = example("fragmentation-sim.yaml");
    assert!(run(&["simulate", &failing, "--timeline", "-"], 1).starts_with("t,"));

    let map = dir.join("m.svg");
    let said = run(&["map", &p, "--subnet", "shared-a", "--out", s(&map)], 0);
    assert!(said.starts_with("wrote "), "{said}");
    assert_eq!(
        run(&["map", &p, "--subnet", "shared-a", "--out", "-"], 0),
        std::fs::read_to_string(map).unwrap()
    );

    // two things cannot both take stdout
    let e = fails(&["simulate", &p, "--timeline", "-", "--plot", "-"]);
    assert!(
        e.contains("--timeline - and --plot - both write to stdout"),
        "{e}"
    );
    let e = fails(&["simulate", &p, "--timeline", "-", "-o", "json"]);
    assert!(
        e.contains("--timeline - writes to stdout in place of the report; drop --format json"),
        "{e}"
    );
}

#[test]
fn an_output_never_overwrites_the_plan_or_the_instance_data() {
    let dir = temp_dir();
    let original = std::fs::read_to_string(example("fragmentation-sim-reserved.yaml")).unwrap();
    // plans named like outputs (the reader takes YAML under any name)
    for (name, args) in [
        ("plan.csv", vec!["simulate", "PLAN", "--timeline", "OUT"]),
        ("plan.json.yaml", vec!["simulate", "PLAN", "--plot", "OUT"]),
        ("plan.svg", vec!["simulate", "PLAN", "--plot", "OUT"]),
        (
            "plan.svg",
            vec!["map", "PLAN", "--subnet", "shared-a", "--out", "OUT"],
        ),
    ] {
        let plan = dir.join(name);
        std::fs::write(&plan, &original).unwrap();
        // the same file under another spelling
        let other = dir.join(".").join(name);
        let args: Vec<&str> = args
            .iter()
            .map(|a| match *a {
                "PLAN" => s(&plan),
                "OUT" => s(&other),
                a => a,
            })
            .collect();
        let e = fails(&args);
        let flag = args[args.len() - 2];
        if name == "plan.json.yaml" {
            // not .svg: refused for that first
            assert!(
                e.contains(&format!("{flag} '{}' does not end in .svg", s(&other))),
                "{e}"
            );
        } else {
            assert!(
                e.contains(&format!("{flag} '{}' is the plan file, which would be overwritten; write to another file, e.g. {flag} ", s(&other))),
                "{e}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(&plan).unwrap(),
            original,
            "{args:?}"
        );
    }
    // --instance-data is an input too
    let rows = dir.join("rows.csv");
    std::fs::write(&rows, run(&["instances", "-o", "csv", "m5.large"], 0)).unwrap();
    let before = std::fs::read_to_string(&rows).unwrap();
    let e = fails(&[
        "--instance-data",
        s(&rows),
        "simulate",
        &example("fragmentation-sim-reserved.yaml"),
        "--timeline",
        s(&rows),
    ]);
    assert!(e.contains("is the --instance-data file"), "{e}");
    assert_eq!(std::fs::read_to_string(&rows).unwrap(), before);
}

#[test]
fn pictures_must_be_svg() {
    let p = example("fragmentation-sim-reserved.yaml");
    let dir = temp_dir();
    for name in ["plot.png", "plot", "plot.svg.pdf"] {
        let path = dir.join(name);
        let e = fails(&["simulate", &p, "--plot", s(&path)]);
        assert_eq!(
            e,
            format!(
                "ipplan: error: --plot '{}' does not end in .svg: ipplan draws SVG only; name it e.g. --plot plot.svg, or --plot - for stdout",
                s(&path)
            )
        );
        let e = fails(&["map", &p, "--subnet", "shared-a", "--out", s(&path)]);
        assert!(e.contains("--out '"), "{e}");
        assert!(e.contains("e.g. --out map.svg"), "{e}");
        assert!(!path.exists());
    }
    // any case of .svg is fine
    let upper = dir.join("PLOT.SVG");
    run(&["simulate", &p, "--plot", s(&upper)], 0);
    assert!(upper.exists());
}

#[test]
fn check_takes_several_plans_and_exits_with_the_worst() {
    // as pre-commit passes the staged files: `ipplan check A B ...`
    let fits = example("ecs-migration-20.yaml");
    let fits2 = example("prefix-reservation.yaml");
    let not = example("ecs-migration-24.yaml");
    let one = |p: &str, code: i32, f: &str| run(&["check", p, "-o", f], code);
    assert_eq!(
        run(&["check", &fits, &not], 1),
        format!("{}\n{}", one(&fits, 0, "table"), one(&not, 1, "table"))
    );
    assert_eq!(
        run(&["check", &fits, &fits2, "-o", "json"], 0),
        one(&fits, 0, "json") + &one(&fits2, 0, "json")
    );
    let yaml = run(&["check", &not, &fits, "-o", "yaml"], 1);
    assert_eq!(
        yaml,
        format!("{}---\n{}", one(&not, 1, "yaml"), one(&fits, 0, "yaml"))
    );
    let docs: Vec<serde_json::Value> = serde_yaml::Deserializer::from_str(&yaml)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    assert_eq!(docs.len(), 2);
    assert_eq!(
        (docs[0]["fits"].as_bool(), docs[1]["fits"].as_bool()),
        (Some(false), Some(true))
    );

    // a bad plan: its one error line, the others still checked, exit 2
    let dir = temp_dir();
    let missing = dir.join("missing.yaml");
    let out = ipplan()
        .args(["check", &fits, s(&missing), &not])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{}\n{}", one(&fits, 0, "table"), one(&not, 1, "table"))
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "ipplan: error: cannot read plan file '{}'",
            s(&missing)
        )),
        "{err}"
    );
    // a single plan is as before: the error alone, nothing on stdout
    let e = fails(&["check", s(&missing)]);
    assert!(e.contains("cannot read plan file"), "{e}");
    // and none is a usage error
    ipplan().args(["check"]).assert().code(2);
}
