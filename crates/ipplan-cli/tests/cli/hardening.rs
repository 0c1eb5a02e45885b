//! Input as people produce it, and input meant to hurt: every bad file ends in one line on stderr and exit 2,
//! never a panic, an abort or a minute of parsing.

use std::path::PathBuf;

use serde_json::Value;

use crate::{fails, ipplan, ok, run, temp_dir};

const PLAN: &str = "\
subnets:
  - { name: a, az: us-east-1a, cidr: 10.0.0.0/24 }
node_groups:
  - { name: web, instance_type: m5.large, subnets: [a], nodes: 3, pods_per_node: 20 }
";

/// A fresh file holding `bytes`.
fn file(name: &str, bytes: &[u8]) -> String {
    let path: PathBuf = temp_dir().join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn csv_row(row: &str) -> String {
    format!("{}\n{row}\n", ipplan_core::CSV_HEADER)
}

fn max_pods_json(args: &[&str]) -> Value {
    let mut all = vec!["max-pods"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let v: Value = serde_json::from_str(&ok(&all)).unwrap();
    v["results"][0].clone()
}

// ---- Karpenter ---------------------------------------------------------------------------------------------

#[test]
fn karpenter_gives_zero_when_every_eni_is_reserved() {
    // m5.large: 3 ENIs x 10 IPv4. aws/karpenter-provider-aws pkg/providers/instancetype/types.go ENILimitedPods:
    // usable = max(3 - RESERVED_ENIS, 0); 0 usable -> 0 pods (not 0 x 9 + 2 = 2)
    assert_eq!(
        max_pods_json(&["m5.large", "--reserved-enis", "3"])["karpenter_max_pods"],
        0
    );
    // 2 reserved: (3 - 2) x 9 + 2 = 11
    assert_eq!(
        max_pods_json(&["m5.large", "--reserved-enis", "2"])["karpenter_max_pods"],
        11
    );
}

// ---- plan files: size, encoding ---------------------------------------------------------------------------

/// A fresh file of 100 MiB of zeros, sparse: it takes no disk.
fn sparse_100_mb(name: &str) -> String {
    let path = temp_dir().join(name);
    std::fs::File::create(&path)
        .unwrap()
        .set_len(100 << 20)
        .unwrap();
    path.display().to_string()
}

#[test]
fn a_100_mb_plan_is_an_error_not_an_abort() {
    // ipplan reads at most 16 MiB + 1 byte of it
    let p = sparse_100_mb("huge.yaml");
    assert_eq!(
        fails(&["check", &p]),
        format!(
            "ipplan: error: {p}: the plan file is larger than 16 MiB (104857600 bytes): split it, or check that this \
             is the plan file"
        )
    );
    let p = sparse_100_mb("huge.csv");
    assert_eq!(
        fails(&["--instance-data", &p, "max-pods", "m5.large"]),
        format!(
            "ipplan: error: --instance-data: {p}: the instance data file is larger than 64 MiB (104857600 bytes): \
             give only the instance types you use"
        )
    );
}

#[test]
fn encodings_windows_tools_write() {
    // UTF-8 with a byte-order mark (Notepad, PowerShell 7 utf8BOM): read as usual
    let p = file("bom.yaml", format!("\u{feff}{PLAN}").as_bytes());
    run(&["check", &p], 0);
    let json = r#"{"subnets": [{"name": "a", "az": "z", "cidr": "10.0.0.0/24"}]}"#;
    let p = file("bom.json", format!("\u{feff}{json}").as_bytes());
    run(&["check", &p], 0);
    // UTF-16 with a byte-order mark (PowerShell 5's `>`, Notepad's "Unicode")
    let p = file("utf16.yaml", &utf16le(PLAN, true));
    assert_eq!(
        fails(&["check", &p]),
        format!(
            "ipplan: error: {p}: the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
        )
    );
    // ... and without one
    let p = file("utf16-nobom.yaml", &utf16le(PLAN, false));
    assert_eq!(
        fails(&["check", &p]),
        format!(
            "ipplan: error: {p}: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8"
        )
    );
    // Latin-1
    let p = file("latin1.yaml", &[PLAN.as_bytes(), b"# caf\xE9\n"].concat());
    assert_eq!(
        fails(&["check", &p]),
        format!(
            "ipplan: error: {p}: line 5: byte 0xE9 is not UTF-8 (a Latin-1 or Windows-1252 file?): save it as UTF-8"
        )
    );
    // a missing file still says to check the path
    let e = fails(&["check", "/nonexistent/plan.yaml"]);
    assert!(
        e.starts_with(
            "ipplan: error: cannot read plan file '/nonexistent/plan.yaml' (check the path): "
        ),
        "{e}"
    );
}

// ---- --instance-data ----------------------------------------------------------------------------------------

#[test]
fn instance_data_encodings_and_absurd_rows() {
    // Excel's "CSV UTF-8" starts with a byte-order mark, and ends lines with CR LF
    let csv = csv_row("zz9.large,3,10,2,nitro,false,1,3,true,9,user").replace('\n', "\r\n");
    let p = file("excel.csv", format!("\u{feff}{csv}").as_bytes());
    assert_eq!(
        max_pods_json(&["zz9.large", "--instance-data", &p])["max_pods"],
        29
    );
    // PowerShell 7: `aws ec2 describe-instance-types ... | Out-File -Encoding utf8BOM`
    let describe = r#"{"InstanceTypes": [{"InstanceType": "zz8.large", "VCpuInfo": {"DefaultVCpus": 2},
        "NetworkInfo": {"MaximumNetworkInterfaces": 3, "Ipv4AddressesPerInterface": 10}}]}"#;
    let p = file("describe.json", format!("\u{feff}{describe}").as_bytes());
    assert_eq!(
        max_pods_json(&["zz8.large", "--instance-data", &p])["max_pods"],
        29
    );
    // PowerShell 5: `aws ... > types.json` writes UTF-16
    let p = file("describe16.json", &utf16le(describe, true));
    assert_eq!(
        fails(&["--instance-data", &p, "max-pods", "zz8.large"]),
        format!(
            "ipplan: error: --instance-data: {p}: the file is UTF-16 (it starts with a UTF-16 byte-order mark): \
             save it as UTF-8"
        )
    );
    // 4,294,967,295 ENIs: a one-line error, never a node of four billion ENIs
    let p = file(
        "absurd.csv",
        csv_row("zz9.large,4294967295,10,2,nitro,false,1,4294967295,,,user").as_bytes(),
    );
    assert_eq!(
        fails(&["--instance-data", &p, "max-pods", "zz9.large"]),
        format!(
            "ipplan: error: --instance-data: {p}: line 2: enis: '4294967295' is out of range (at most 1024): give the \
             value EC2 reports"
        )
    );
    let absurd = describe.replace(
        "\"MaximumNetworkInterfaces\": 3",
        "\"MaximumNetworkInterfaces\": 4294967295",
    );
    let p = file("absurd.json", absurd.as_bytes());
    assert_eq!(
        fails(&["--instance-data", &p, "max-pods", "zz8.large"]),
        format!(
            "ipplan: error: --instance-data: {p}: line 1: InstanceTypes[0].NetworkInfo.MaximumNetworkInterfaces: \
             '4294967295' is out of range (at most 1024): give the value EC2 reports"
        )
    );
}

// ---- the Terraform door ------------------------------------------------------------------------------------

#[test]
fn terraform_query_with_a_bom_or_a_repeated_key() {
    let q =
        r#"{"instance_type":"c6i.large","subnet_cidrs":"10.0.16.0/20","nodes":"3","pods":"20"}"#;
    let out = ipplan()
        .arg("terraform")
        .write_stdin(format!("\u{feff}{q}"))
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["fits"], "true");
    let out = ipplan()
        .arg("terraform")
        .write_stdin(q.replace("\"nodes\":\"3\"", "\"nodes\":\"3\",\"nodes\":\"300\""))
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "ipplan: error: terraform query: invalid JSON: duplicate key 'nodes' (keep one) at line 1 column 78\n"
    );
}
