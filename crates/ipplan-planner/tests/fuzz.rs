//! Fuzzing in the repository, bounded for CI: proptest feeds random and mutated text to the plan reader (YAML
//! and JSON), the Terraform query and the instance row parser (CSV and describe-instance-types JSON). Nothing
//! panics, every error is one line, and every input is answered in bounded time. Plus the checked-in corpus of
//! nasty cases in `tests/corpus/`, each file with its expected first line in `tests/corpus/expected.txt`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ipplan_core::Catalog;
use ipplan_planner::{Plan, PlanSpec, check, terraform_run};
use proptest::prelude::*;

/// Generous: debug builds on a slow CI runner. Every case here is a few KB.
const BUDGET: Duration = Duration::from_secs(2);

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    v.sort();
    v.iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// What a door makes of `text` named `name`: `ok`, or the error's one line.
fn outcome(name: &str, text: &str) -> String {
    let cat = Catalog::embedded();
    let r = if name.ends_with(".query.json") {
        terraform_run(text, &cat)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else if name.ends_with(".csv") || name.ends_with(".describe.json") {
        ipplan_core::parse_instance_data(text)
            .map(|_| ())
            .map_err(|e| e.in_file(name).to_string())
    } else {
        Plan::from_str_auto(text, name, &cat)
            .map(|p| {
                let _ = check(&p);
            })
            .map_err(|e| e.to_string())
    };
    r.err().unwrap_or_else(|| "ok".to_string())
}

/// Run one input through `door`, timed; the error, if any, must be one line.
fn answered(name: &str, text: &str) -> Result<(), TestCaseError> {
    let t = Instant::now();
    let out = outcome(name, text);
    let took = t.elapsed();
    prop_assert!(took < BUDGET, "{name}: {took:?} for {} bytes", text.len());
    prop_assert!(
        !out.contains('\n') && !out.contains('\r'),
        "{name}: not one line: {out:?}"
    );
    prop_assert!(!out.is_empty());
    Ok(())
}

#[test]
fn corpus_gives_each_files_expected_first_line() {
    let listed = std::fs::read_to_string(corpus_dir().join("expected.txt")).unwrap();
    let mut names = Vec::new();
    for line in listed
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (name, want) = line
            .split_once('\t')
            .unwrap_or_else(|| panic!("no tab: {line:?}"));
        let path = corpus_dir().join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            bytes.len() <= 100 * 1024,
            "{name}: corpus files stay under 100 KB"
        );
        // as a library caller that did not check the encoding would pass it
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        let t = Instant::now();
        let got = outcome(name, &text);
        assert!(t.elapsed() < BUDGET, "{name}: {:?}", t.elapsed());
        assert_eq!(got, want, "{name}");
        names.push(name.to_string());
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "expected.txt")
        .collect();
    on_disk.sort();
    names.sort();
    assert_eq!(
        on_disk, names,
        "every corpus file is listed in expected.txt, and only those"
    );
}

/// Pieces that have broken parsers before: brackets, quotes, indicators, BOMs, NULs, huge and odd numbers,
/// leading zeros, special-purpose ranges.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ":",
    ": ",
    ",",
    "\n",
    "\n  ",
    "- ",
    "? ",
    "#",
    " #",
    "|",
    ">",
    "&a ",
    "*a",
    "!t ",
    "<<: ",
    "---\n",
    "\\",
    "\u{feff}",
    "\0",
    "\t",
    "0",
    "-1",
    "1e400",
    "4294967295",
    "4294967296",
    "18446744073709551616",
    "65536",
    "0x10",
    "010",
    "3276801",
    "010.0.0.0/24",
    "169.254.0.0/16",
    "224.0.0.0/4",
    "0.0.0.0/8",
    "10.0.0.0/08",
    "nodes",
    "pods",
    "subnets",
    "cidr",
    "\"nodes\": ",
    "auto",
    "null",
    "true",
    "\u{85}",
    "\u{2028}",
    "é",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
    Char(usize, char),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        3 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Edit::Insert(at, t)),
        1 => (any::<usize>(), 0usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<usize>(), 0usize..200).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        1 => (any::<usize>(), any::<char>()).prop_map(|(at, c)| Edit::Char(at, c)),
    ];
    proptest::collection::vec(edit, 1..12)
}

/// `seed` with `edits` applied (positions taken modulo the length, in chars, so the text stays UTF-8).
fn mutate(seed: &str, edits: &[Edit]) -> String {
    let mut c: Vec<char> = seed.chars().collect();
    for e in edits {
        let at = |p: usize| if c.is_empty() { 0 } else { p % (c.len() + 1) };
        match *e {
            Edit::Insert(p, t) => {
                let p = at(p);
                c.splice(p..p, TOKENS[t].chars());
            }
            Edit::Delete(p, n) => {
                let p = at(p);
                let end = (p + n).min(c.len());
                c.drain(p..end);
            }
            Edit::Duplicate(p, n) => {
                let p = at(p);
                let end = (p + n).min(c.len());
                let piece: Vec<char> = c[p..end].to_vec();
                c.splice(p..p, piece);
            }
            Edit::Char(p, ch) => {
                let p = at(p);
                c.insert(p, ch);
            }
        }
    }
    c.into_iter().collect()
}

const QUERIES: &[&str] = &[
    r#"{"instance_type":"c6i.large","subnet_cidrs":"10.20.1.0/24,10.20.2.0/24","subnet_azs":"eu-west-1a,eu-west-1b","nodes":"30","pods":"200","surge":"3","mode":"secondary-ip","warm_eni_target":"1","max_pods":"auto"}"#,
    r#"{"instance_type":"m5.large","subnet_cidrs":"10.0.0.0/24","pod_subnet_cidrs":"100.64.0.0/16","custom_networking":"true","nodes":"3","pods_per_node":"20","mode":"prefix","warm_prefix_target":"1","other_consumers_per_subnet":"8"}"#,
];

const ROWS: &[&str] = &[
    "instance_type,enis,ipv4_per_eni,vcpus,hypervisor,bare_metal,network_cards,enis_total,trunking,branch_enis,source\nzz9.large,3,10,2,nitro,false,1,3,true,9,user\nzz9.metal,15,50,,,true,2,30,,,user\n",
    r#"{"InstanceTypes": [{"InstanceType": "zz8.large", "Hypervisor": "nitro", "BareMetal": false, "VCpuInfo": {"DefaultVCpus": 2}, "NetworkInfo": {"MaximumNetworkInterfaces": 4, "Ipv4AddressesPerInterface": 10, "DefaultNetworkCardIndex": 0, "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 3}, {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 1}]}}]}"#,
];

/// 256 cases per property in CI; `IPPLAN_FUZZ_CASES=100000 cargo test -p ipplan-planner --test fuzz` fuzzes longer
/// (without `--release`, so arithmetic stays overflow-checked: `[profile.test]`).
fn cases() -> u32 {
    std::env::var("IPPLAN_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_plans_are_answered_in_one_line(seed in 0usize..64, edits in edits(), json in any::<bool>()) {
        let examples = examples();
        let text = examples[seed % examples.len()].clone();
        let text = if json {
            // the same plan as JSON, through the JSON reader
            let spec = PlanSpec::from_str_auto(&text, "x.yaml").map_err(|e| TestCaseError::fail(e.to_string()))?;
            let v: serde_json::Value = serde_yaml::from_str(&spec.to_yaml()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            text
        };
        let name = if json { "plan.json" } else { "plan.yaml" };
        answered(name, &mutate(&text, &edits))?;
    }

    #[test]
    fn random_text_is_answered_in_one_line(pieces in proptest::collection::vec(0..TOKENS.len(), 0..200), noise in ".{0,200}") {
        let text: String = pieces.iter().map(|&i| TOKENS[i]).collect::<String>() + &noise;
        for name in ["plan.yaml", "plan.json", "q.query.json", "rows.csv", "rows.describe.json"] {
            answered(name, &text)?;
        }
    }

    #[test]
    fn mutated_terraform_queries_are_answered_in_one_line(seed in 0usize..2, edits in edits()) {
        answered("q.query.json", &mutate(QUERIES[seed], &edits))?;
    }

    #[test]
    fn mutated_instance_rows_are_answered_in_one_line(seed in 0usize..2, edits in edits()) {
        let name = if seed == 0 { "rows.csv" } else { "rows.describe.json" };
        answered(name, &mutate(ROWS[seed], &edits))?;
    }
}
