//! `ipplan simulate`, `ipplan map` and `ipplan check --simulate` end to end. Exit codes of the example files are
//! the ones their header comments document; per-node figures come from docs/model.md, "The closed form"
//! (computed in comments); block counts from docs/model.md, "Prefixes and /28 fragmentation" (a /L subnet has
//! 2^(28-L) /28 blocks).

use std::path::Path;

use crate::{example, fails, ipplan, run, temp_dir, temp_file};
use serde_json::Value;

// ---- helpers ---------------------------------------------------------------------------------------------

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The number in the legend's `<text id="count-NAME" ...>N</text>` of a map.
fn legend(svg: &str, name: &str) -> usize {
    let key = format!("id=\"count-{name}\"");
    let at = &svg[svg.find(&key).unwrap_or_else(|| panic!("no {key}"))..];
    at[at.find('>').unwrap() + 1..at.find("</text>").unwrap()]
        .parse()
        .unwrap()
}

/// Block rectangles of a map (one per cell).
fn cells(svg: &str) -> usize {
    svg.matches("<rect class=\"b ").count()
}

/// `ipplan map PLAN --subnet shared-a --out F ARGS` (exit 0) into a fresh file F; the SVG it wrote.
fn map_shared_a(plan: &str, args: &[&str]) -> String {
    let out = temp_dir().join("map.svg");
    let mut all = vec!["map", plan, "--subnet", "shared-a", "--out", s(&out)];
    all.extend(args);
    run(&all, 0);
    std::fs::read_to_string(out).unwrap()
}

fn looks_like_svg(svg: &str) {
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""));
    assert!(svg.ends_with("</svg>\n"));
    // Every opened element is closed (self-closing or with its end tag).
    let opened = svg.matches('<').count() - svg.matches("</").count() - svg.matches("<?").count();
    let closed = svg.matches("</").count() + svg.matches("/>").count();
    assert_eq!(opened, closed);
}

/// A prefix-mode plan without a `simulate:` section: 2 x m5.large with 20 pods each in a /24. Each node holds
/// ceil(20 / 16) + WARM_PREFIX_TARGET 1 = 3 prefixes on its primary ENI (docs/model.md, "Prefix mode"; m5.large has
/// 9 slots per ENI), i.e. 6 prefixes; the only singles are the 2 node primaries.
const PREFIX_PLAN: &str = "
cni: { mode: prefix }
subnets: [{ name: pods-a, az: eu-west-1a, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [pods-a], nodes: 2, pods_per_node: 20 }]
";

/// Secondary-IP mode: 1 x t3.small (3 ENIs x 4 IPv4) with 5 pods. WARM_ENI_TARGET=1: 5 pods need 2 ENIs of 3
/// secondary IPs each, plus one warm ENI = 3 ENIs, 9 secondary IPs + 3 ENI primaries = 12 addresses
/// (aws/amazon-vpc-cni-k8s docs/eni-and-ip-target.md).
const T3_PLAN: &str = "
subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups: [{ name: g, instance_type: t3.small, subnets: [a], nodes: 1, pods_per_node: 5 }]
";

/// Two /24s, 4 x m5.large in prefix mode spread over them (2 per subnet), 20 pods each: per subnet 6 prefixes
/// (as in `PREFIX_PLAN`) and 2 node primaries. Even if both primaries spoil a block, 14 - 2 = 12 blocks can take
/// the 6 prefixes (a /24 has 14 prefix-capable blocks: docs/model.md, "Prefixes and /28 fragmentation"), so it
/// fits.
const TWO_SUBNETS: &str = "
cni: { mode: prefix }
subnets:
  - { name: pods-a, az: eu-west-1a, cidr: 10.0.0.0/24 }
  - { name: pods-b, az: eu-west-1b, cidr: 10.0.1.0/24 }
node_groups: [{ name: g, instance_type: m5.large, subnets: [pods-a, pods-b], nodes: 4, pods_per_node: 20 }]
";

// ---- simulate ----------------------------------------------------------------------------------------------

#[test]
fn simulate_exit_codes_follow_the_examples() {
    // fragmentation-sim.yaml: "ipamd's prefix requests then fail with InsufficientCidrBlocks ... pods wait".
    let out = run(&["simulate", &example("fragmentation-sim.yaml")], 1);
    assert!(out.starts_with(&format!(
        "{}: DOES NOT FIT\n",
        example("fragmentation-sim.yaml")
    )));
    assert!(out.contains("first failure: "), "{out}");
    assert!(out.contains("InsufficientCidrBlocks"), "{out}");
    // fragmentation-sim-reserved.yaml: "no failed allocation, no pod waits".
    let out = run(
        &["simulate", &example("fragmentation-sim-reserved.yaml")],
        0,
    );
    assert!(out.contains(": fits\n"), "{out}");
    assert!(!out.contains("first failure"), "{out}");
}

#[test]
fn simulate_table_has_the_per_subnet_columns() {
    let out = run(
        &["simulate", &example("fragmentation-sim-reserved.yaml")],
        0,
    );
    let header = out
        .lines()
        .find(|l| l.starts_with("SUBNET"))
        .expect("a subnet table");
    for col in [
        "PEAK ADDR",
        "PEAK /28 HELD",
        "MIN FREE /28",
        "FAILED CIDR",
        "FAILED ADDR",
        "FRAG PEAK",
        "FRAG END",
    ] {
        assert!(header.contains(col), "{header}");
    }
    let row = out.lines().find(|l| l.starts_with("shared-a")).unwrap();
    // Its header comment: 150 + 40 + 324 = 514 addresses at peak, and the 20 prefixes of 4 nodes x 5.
    let cols: Vec<&str> = row.split_whitespace().collect();
    // capacity 1,024 - 5 = 1,019, headroom 1,019 - 514 = 505
    assert_eq!(
        &cols[..6],
        ["shared-a", "10.40.0.0/22", "1019", "514", "505", "20"]
    );
    assert!(out.contains("pods: "), "{out}");
}

#[test]
fn simulate_json_has_hand_computed_peaks() {
    let plan = temp_file("t3.yaml", T3_PLAN);
    let v: Value =
        serde_json::from_str(&run(&["simulate", s(&plan), "--format", "json"], 0)).unwrap();
    assert_eq!(v["schema_version"], 2);
    assert_eq!(
        (&v["fits"], &v["basis"]),
        (&true.into(), &"simulated".into())
    );
    assert!(v["first_failure"].is_null());
    // the same subnet fields as `check`: capacity 256 - 5 = 251, 12 used at peak, headroom 239
    let sub = &v["subnets"][0];
    assert_eq!(
        (
            &sub["capacity"],
            &sub["used"],
            &sub["headroom"],
            &sub["fits"]
        ),
        (&251.into(), &12.into(), &239.into(), &true.into())
    );
    assert_eq!(v["node_groups"][0]["max_enis_per_node"], 3);
    // YAML carries the same report.
    let y = run(&["simulate", s(&plan), "--format", "yaml"], 0);
    assert!(y.contains("used: 12"), "{y}");
}

#[test]
fn same_seed_same_bytes_and_seed_flag_overrides_the_plan() {
    let p = example("fragmentation-sim.yaml");
    let a = run(&["simulate", &p, "--format", "json"], 1);
    assert_eq!(a, run(&["simulate", &p, "--format", "json"], 1));
    let v: Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["seed"], 7); // the file's simulate.seed
    let b: Value = serde_json::from_str(&run(
        &["simulate", &p, "--seed", "3", "--format", "json"],
        1,
    ))
    .unwrap();
    assert_eq!(b["seed"], 3);
    // Another seed scatters the ~190 singles (`placement: random`) over other blocks: the maps
    // differ; the same seed draws the same bytes.
    let draw = |seed: &str| map_shared_a(&p, &["--at", "2m", "--seed", seed]);
    assert_eq!(draw("7"), draw("7"));
    assert_ne!(draw("7").replace("seed 7", "seed 3"), draw("3"));
}

#[test]
fn timeline_csv_and_json_agree_with_the_report() {
    let dir = temp_dir();
    let csv_path = dir.join("t.csv");
    let json_path = dir.join("t.json");
    let plan = temp_file("two.yaml", TWO_SUBNETS);
    let p = s(&plan);
    let report: Value = serde_json::from_str(&run(
        &[
            "simulate",
            p,
            "--format",
            "json",
            "--timeline",
            s(&csv_path),
        ],
        0,
    ))
    .unwrap();
    run(
        &[
            "simulate",
            p,
            "--format",
            "json",
            "--timeline",
            s(&json_path),
        ],
        0,
    );

    let csv = std::fs::read_to_string(&csv_path).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    // 5 fixed columns + 3 per subnet (pods-a, pods-b).
    assert_eq!(header.len(), 5 + 3 * 2);
    assert_eq!(
        &header[..5],
        [
            "t",
            "nodes",
            "pods_running",
            "pods_waiting",
            "pods_unscheduled"
        ]
    );
    assert_eq!(header[5], "pods-a.used");
    assert_eq!(header[8], "pods-b.used");
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|c| c.parse::<f64>().unwrap()).collect())
        .collect();
    assert!(rows.len() >= 2);
    assert!(rows.iter().all(|r| r.len() == header.len()));
    assert_eq!(rows[0][0], 0.0);
    assert!(rows.windows(2).all(|w| w[0][0] < w[1][0]));
    assert_eq!(
        rows.last().unwrap()[0],
        report["duration_seconds"].as_f64().unwrap()
    );

    let tl: Value = serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert_eq!(tl, report["timeline"]);
    let jrows = tl["rows"].as_array().unwrap();
    assert_eq!(jrows.len(), rows.len());
    for (j, c) in jrows.iter().zip(&rows) {
        assert_eq!(j["t"].as_f64().unwrap(), c[0]);
        assert_eq!(j["subnets"][1]["used_addresses"].as_f64().unwrap(), c[8]);
    }
}

#[test]
fn plot_has_two_panels_of_one_line_per_subnet() {
    let dir = temp_dir();
    let plot = dir.join("p.svg");
    let csv_path = dir.join("t.csv");
    let plan = temp_file("two.yaml", TWO_SUBNETS);
    run(
        &[
            "simulate",
            s(&plan),
            "--plot",
            s(&plot),
            "--timeline",
            s(&csv_path),
        ],
        0,
    );
    let svg = std::fs::read_to_string(&plot).unwrap();
    looks_like_svg(&svg);
    let samples = std::fs::read_to_string(&csv_path).unwrap().lines().count() - 1;
    // addresses used + free /28 blocks, for pods-a and pods-b.
    let lines: Vec<&str> = svg
        .split("<polyline")
        .skip(1)
        .map(|p| {
            let at = &p[p.find("points=\"").unwrap() + 8..];
            &at[..at.find('"').unwrap()]
        })
        .collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines
            .iter()
            .all(|pts| pts.split_whitespace().count() == samples)
    );
    assert!(svg.contains(">pods-a</text>") && svg.contains(">pods-b</text>"));
}

#[test]
fn trials_report_the_probability_of_a_wait() {
    let p = example("fragmentation-sim.yaml");
    let out = run(&["simulate", &p, "--trials", "4"], 1);
    assert!(
        out.contains("trials: 4 seeds (7..=10): P(a pod waits beyond the threshold) = "),
        "{out}"
    );
    let v: Value = serde_json::from_str(&run(
        &["simulate", &p, "--trials", "4", "--format", "json"],
        1,
    ))
    .unwrap();
    let runs = v["trials"]["runs"].as_array().unwrap();
    let seeds: Vec<u64> = runs.iter().map(|r| r["seed"].as_u64().unwrap()).collect();
    assert_eq!(seeds, [7, 8, 9, 10]);
    let waited = runs
        .iter()
        .filter(|r| r["pods_waited_beyond_threshold"].as_u64().unwrap() > 0)
        .count();
    assert_eq!(
        v["trials"]["probability_wait"].as_f64().unwrap(),
        waited as f64 / 4.0
    );
    // The reserved variant: no seed makes a pod wait.
    let q = example("fragmentation-sim-reserved.yaml");
    let out = run(&["simulate", &q, "--trials", "3"], 0);
    assert!(
        out.contains("P(a pod waits beyond the threshold) = 0.000"),
        "{out}"
    );
}

// ---- check --simulate --------------------------------------------------------------------------------------

#[test]
fn check_simulate_gives_the_simulated_verdict() {
    let out = run(
        &["check", &example("fragmentation-sim.yaml"), "--simulate"],
        1,
    );
    assert!(out.contains("basis: simulated"), "{out}");
    let out = run(
        &[
            "check",
            &example("fragmentation-sim-reserved.yaml"),
            "--simulate",
        ],
        0,
    );
    assert!(out.contains("basis: simulated"), "{out}");
    let plan = temp_file("t3.yaml", T3_PLAN);
    let v: Value = serde_json::from_str(&run(
        &["check", s(&plan), "--simulate", "--format", "json"],
        0,
    ))
    .unwrap();
    // check --simulate has the subnet fields of check (capacity, used, headroom, fits) plus the simulated peaks
    let check: Value =
        serde_json::from_str(&run(&["check", s(&plan), "--format", "json"], 0)).unwrap();
    for key in ["capacity", "used", "headroom", "fits"] {
        assert!(!v["subnets"][0][key].is_null(), "{key}");
        assert!(!check["subnets"][0][key].is_null(), "{key}");
    }
    assert_eq!(v["subnets"][0]["used"], 12);
    assert_eq!(v["subnets"][0]["capacity"], check["subnets"][0]["capacity"]);
    assert_eq!(v["subnets"][0]["peak_prefixes_held"], 0);
}

// ---- map ---------------------------------------------------------------------------------------------------

#[test]
fn map_of_the_default_scenario() {
    let plan = temp_file("prefix.yaml", PREFIX_PLAN);
    let out = temp_dir().join("m.svg");
    let stdout = run(
        &["map", s(&plan), "--subnet", "pods-a", "--out", s(&out)],
        0,
    );
    assert!(stdout.starts_with("wrote "), "{stdout}");
    let svg = std::fs::read_to_string(&out).unwrap();
    looks_like_svg(&svg);
    // A /24: 16 blocks; 6 prefixes; the 2 edge blocks are reserved or hold singles; the other 8 blocks are free
    // or spoiled by one of the 2 node primaries.
    assert_eq!(cells(&svg), 16);
    assert_eq!(legend(&svg, "prefix"), 6);
    assert_eq!(legend(&svg, "reserved") + legend(&svg, "singles"), 2);
    assert_eq!(legend(&svg, "free") + legend(&svg, "spoiled"), 8);
    assert!(legend(&svg, "spoiled") <= 2);
    assert_eq!(legend(&svg, "prefix-reservation"), 0);
    assert!(svg.contains("<title>10.0.0.0/28 "));
}

/// `map --at 0 --format json`: the subnet as the plan gives it, before any node starts, in the categories of
/// aws-support-tools `EKS/subnet-fragmentation/subnet_frag.py` (`analyze_subnet`, `print_analysis`).
#[test]
fn map_json_at_zero_counts_the_subnet_as_given() {
    let plan = temp_file(
        "census.yaml",
        "vpc: { cidrs: [10.0.0.0/16] }\n\
         cni: { mode: prefix }\n\
         subnets:\n\
         \x20 - { name: a, az: eu-west-1a, cidr: 10.0.0.0/24, other_consumers: [{ what: lambda, addresses: 40 }] }\n\
         node_groups:\n\
         \x20 - { name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 10 }\n\
         simulate: { duration: 10m, placement: lowest }\n",
    );
    let stdout = run(
        &[
            "map",
            s(&plan),
            "--subnet",
            "a",
            "--format",
            "json",
            "--at",
            "0",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Lowest placement, 40 singles: block 0 takes .4-.15 (12; .0-.3 are AWS's), block 1 all 16 (full), block 2
    // the last 12 (fragmented). Blocks 0 and 15 are the AWS edge blocks; the other 12 are free.
    assert_eq!(v["at"], 0);
    assert_eq!(v["total_blocks"], 16);
    let b = &v["blocks"];
    assert_eq!(
        (
            &b["free"],
            &b["fragmented"],
            &b["full"],
            &b["reserved"],
            &b["prefix"]
        ),
        (&12.into(), &1.into(), &1.into(), &2.into(), &0.into())
    );
    // ceil((1 + 1) / (12 + 1 + 1) * 100) = ceil(14.29) = 15
    assert_eq!(v["score"], 15);
    assert_eq!(v["band"], "HEALTHY");
}

#[test]
fn map_svg_needs_out() {
    let plan = temp_file("prefix.yaml", PREFIX_PLAN);
    let err = fails(&["map", s(&plan), "--subnet", "pods-a"]);
    assert!(err.contains("map needs --out"), "{err}");
}

#[test]
fn map_at_a_time_and_at_the_end() {
    let p = example("fragmentation-sim.yaml");
    // Before the prefix group scales (5m in the file) no block holds a prefix.
    let early = map_shared_a(&p, &["--at", "90s"]);
    let end = map_shared_a(&p, &[]);
    // A /22 is 64 blocks.
    assert_eq!(cells(&early), 64);
    assert_eq!(cells(&end), 64);
    assert_eq!(legend(&early, "prefix"), 0);
    assert!(legend(&end, "prefix") > 0);
    let total: usize = [
        "prefix",
        "spoiled",
        "full",
        "singles",
        "free",
        "prefix-reservation",
        "reserved",
    ]
    .iter()
    .map(|n| legend(&end, n))
    .sum();
    assert_eq!(total, 64);
    assert!(early.contains("at 90s"));
    // The reserved variant: the upper /23 is a prefix reservation (32 blocks, the last one an edge block).
    let r = map_shared_a(&example("fragmentation-sim-reserved.yaml"), &["--at", "0s"]);
    assert_eq!(legend(&r, "prefix-reservation"), 31);
}

// ---- errors: one line, exit 2 ------------------------------------------------------------------------------

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let p = example("prefix-fragmented.yaml");
    let dir = temp_dir();
    let svg = dir.join("x.svg");

    let e = fails(&["map", &p, "--subnet", "shared-c", "--out", s(&svg)]);
    assert!(e.contains("--subnet 'shared-c'"), "{e}");
    assert!(e.ends_with("did you mean 'shared-a'?"), "{e}");

    let e = fails(&[
        "map",
        &p,
        "--subnet",
        "shared-a",
        "--out",
        s(&svg),
        "--at",
        "ten minutes",
    ]);
    assert!(e.contains("--at 'ten minutes' is not a time"), "{e}");

    let nowhere = dir.join("no-such-dir").join("x.svg");
    let e = fails(&["map", &p, "--subnet", "shared-a", "--out", s(&nowhere)]);
    assert!(
        e.contains(&format!("cannot write --out file '{}'", s(&nowhere))),
        "{e}"
    );

    let e = fails(&["simulate", &p, "--timeline", s(&dir.join("t.txt"))]);
    assert!(e.contains("no .csv or .json extension"), "{e}");

    let e = fails(&[
        "simulate",
        &p,
        "--timeline",
        s(&dir.join("no-such-dir").join("t.csv")),
    ]);
    assert!(e.contains("cannot write --timeline file"), "{e}");

    let e = fails(&["simulate", &p, "--plot", s(&nowhere)]);
    assert!(e.contains("cannot write --plot file"), "{e}");

    let e = fails(&["simulate", s(&dir.join("missing.yaml"))]);
    assert!(e.contains("cannot read plan file"), "{e}");

    let e = fails(&["check", s(&dir.join("missing.yaml")), "--simulate"]);
    assert!(e.contains("cannot read plan file"), "{e}");

    // A bad simulate: section names the file and the field.
    let bad = temp_file(
        "bad.yaml",
        &format!("{T3_PLAN}simulate: {{ duration: soon }}\n"),
    );
    let e = fails(&["simulate", s(&bad)]);
    assert!(e.contains("simulate.duration"), "{e}");
    let e = fails(&["map", s(&bad), "--subnet", "a", "--out", s(&svg)]);
    assert!(e.contains("simulate.duration"), "{e}");

    // --trials 0 is a usage error (clap), exit 2.
    ipplan()
        .args(["simulate", &p, "--trials", "0"])
        .assert()
        .code(2);
    // Nothing was written by the failed runs.
    assert!(!svg.exists());
}

#[test]
fn a_seed_range_past_the_largest_seed_is_refused() {
    // seeds are --seed, +1, ...: u64::MAX with 3 trials would wrap to 0 and 1
    let e = fails(&[
        "simulate",
        &example("ecs-migration-20.yaml"),
        "--seed",
        "18446744073709551615",
        "--trials",
        "3",
    ]);
    assert_eq!(
        e,
        "ipplan: error: --seed 18446744073709551615 with --trials 3 runs past the largest seed \
         18446744073709551615: use a seed of at most 18446744073709551613"
    );
}

/// With the table report and no plot the timeline is written as the run samples it (nothing kept in memory);
/// with `--format json` it is kept for the report. Both write the same bytes, CSV and JSON.
#[test]
fn streamed_timeline_is_the_kept_one() {
    let dir = temp_dir();
    let plan = temp_file("two.yaml", TWO_SUBNETS);
    let p = s(&plan);
    for ext in ["csv", "json"] {
        let streamed = dir.join(format!("streamed.{ext}"));
        let kept = dir.join(format!("kept.{ext}"));
        run(&["simulate", p, "--timeline", s(&streamed)], 0);
        run(&["simulate", p, "-o", "json", "--timeline", s(&kept)], 0);
        let a = std::fs::read_to_string(&streamed).unwrap();
        assert_eq!(a, std::fs::read_to_string(&kept).unwrap(), "{ext}");
        assert!(a.lines().count() > 2, "{a}");
    }
}
