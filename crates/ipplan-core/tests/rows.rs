//! The row parser on input as people produce it: byte-order marks, UTF-16, absurd counts, and a region's worth of
//! `describe-instance-types` output (linear time).

use std::fmt::Write as _;
use std::time::Instant;

use ipplan_core::{CSV_HEADER, MAX_ROW_COUNT, parse_csv, parse_describe_json, parse_instance_data};

/// One `describe-instance-types` object in the AWS CLI's layout (4-space indents, one field a line).
fn describe_item(out: &mut String, name: &str, enis: u64) {
    write!(
        out,
        r#"        {{
            "InstanceType": "{name}",
            "CurrentGeneration": true,
            "SupportedUsageClasses": [
                "on-demand",
                "spot"
            ],
            "BareMetal": false,
            "Hypervisor": "nitro",
            "VCpuInfo": {{
                "DefaultVCpus": 2,
                "DefaultCores": 1,
                "DefaultThreadsPerCore": 2
            }},
            "MemoryInfo": {{
                "SizeInMiB": 8192
            }},
            "NetworkInfo": {{
                "NetworkPerformance": "Up to 10 Gigabit",
                "MaximumNetworkInterfaces": {enis},
                "MaximumNetworkCards": 1,
                "DefaultNetworkCardIndex": 0,
                "NetworkCards": [
                    {{
                        "NetworkCardIndex": 0,
                        "NetworkPerformance": "Up to 10 Gigabit",
                        "MaximumNetworkInterfaces": {enis}
                    }}
                ],
                "Ipv4AddressesPerInterface": 10,
                "Ipv6AddressesPerInterface": 10,
                "Ipv6Supported": true
            }}
        }}"#
    )
    .unwrap();
}

/// `n` types `zz0.large` ... in one document; the last one has `last_enis` ENIs.
fn describe(n: usize, last_enis: u64) -> String {
    let mut s = String::from("{\n    \"InstanceTypes\": [\n");
    for i in 0..n {
        if i > 0 {
            s.push_str(",\n");
        }
        describe_item(
            &mut s,
            &format!("zz{i}.large"),
            if i + 1 == n { last_enis } else { 3 },
        );
    }
    s.push_str("\n    ]\n}\n");
    s
}

#[test]
fn two_thousand_types_parse_in_linear_time_with_exact_lines() {
    // 2,000 types, about 3.5 MB: a region lists about 900. The parse used to recount lines from the start for
    // each type (quadratic: 0.85 s for 2,000 types in a release build); now one forward pass.
    let text = describe(2000, 3);
    let t = Instant::now();
    let rows = parse_describe_json(&text).unwrap();
    let took = t.elapsed();
    assert_eq!(rows.len(), 2000);
    assert!(took.as_secs_f64() < 5.0, "{took:?}");
    // an error in the last type names the line of its name: 2 header lines, 34 lines per type, the name on the
    // object's second line
    let text = describe(2000, 4_294_967_295);
    let e = parse_describe_json(&text).unwrap_err().to_string();
    let line = 2 + 1999 * 34 + 2;
    assert_eq!(
        e,
        format!(
            "line {line}: InstanceTypes[1999].NetworkInfo.MaximumNetworkInterfaces: '4294967295' is out of \
             range (at most 1024): give the value EC2 reports"
        )
    );
    assert_eq!(
        text.lines().nth(line - 1).unwrap().trim(),
        "\"InstanceType\": \"zz1999.large\","
    );
}

#[test]
fn escaped_names_get_their_objects_line() {
    // the name is written with an escape, so it is not found verbatim: the object's first line is named
    let text = "[\n{\"InstanceType\": \"zz1.large\", \"NetworkInfo\": {\"MaximumNetworkInterfaces\": 3, \
                \"Ipv4AddressesPerInterface\": 10}},\n{\"InstanceType\": \"zz2\\u002elarge\",\n\"NetworkInfo\": {}}\n]";
    assert_eq!(
        parse_describe_json(text).unwrap_err().to_string(),
        "line 3: InstanceTypes[1].NetworkInfo.Ipv4AddressesPerInterface: missing or not a whole number"
    );
}

#[test]
fn four_billion_enis_is_one_line_not_an_abort() {
    let csv = format!("{CSV_HEADER}\nzz9.large,4294967295,10,2,nitro,false,1,4294967295,,,user\n");
    assert_eq!(
        parse_csv(&csv).unwrap_err().to_string(),
        "line 2: enis: '4294967295' is out of range (at most 1024): give the value EC2 reports"
    );
    // past u32 and past u64 too
    let csv =
        format!("{CSV_HEADER}\nzz9.large,3,99999999999999999999999,2,nitro,false,1,3,,,user\n");
    assert_eq!(
        parse_csv(&csv).unwrap_err().to_string(),
        "line 2: ipv4_per_eni: '99999999999999999999999' is out of range (at most 1024): give the value EC2 reports"
    );
    let csv = format!("{CSV_HEADER}\nzz9.large,3,10,4294967295,nitro,false,1,3,,,user\n");
    assert_eq!(
        parse_csv(&csv).unwrap_err().to_string(),
        "line 2: vcpus: '4294967295' is out of range (at most 65535): give the value EC2 reports"
    );
    // the bound itself is accepted
    let csv = format!(
        "{CSV_HEADER}\nzz9.large,{MAX_ROW_COUNT},{MAX_ROW_COUNT},2,nitro,false,1,{MAX_ROW_COUNT},true,{MAX_ROW_COUNT},user\n"
    );
    assert_eq!(parse_csv(&csv).unwrap()[0].enis, 1024);
    let e = parse_describe_json(&describe(1, 4_294_967_295))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("line 4: InstanceTypes[0].NetworkInfo.MaximumNetworkInterfaces: '4294967295' is out of range (at most 1024)"), "{e}");
}

#[test]
fn byte_order_marks_are_skipped() {
    // Excel's "CSV UTF-8" and PowerShell's Out-File -Encoding utf8 start with EF BB BF
    let csv = format!("\u{feff}{CSV_HEADER}\r\nzz9.large,3,10,2,nitro,false,1,3,true,9,user\r\n");
    assert_eq!(parse_csv(&csv).unwrap()[0].enis, 3);
    assert_eq!(parse_instance_data(&csv).unwrap()[0].enis, 3);
    let json = format!("\u{feff}{}", describe(1, 3));
    assert_eq!(parse_describe_json(&json).unwrap()[0].enis, 3);
    assert_eq!(parse_instance_data(&json).unwrap()[0].enis, 3);
}

#[test]
fn utf16_text_gets_an_encoding_hint() {
    // PowerShell 5's `aws ... > types.json` writes UTF-16LE: ASCII with a NUL after each byte
    let utf16: String = "{\"InstanceTypes\": []}"
        .chars()
        .flat_map(|c| [c, '\0'])
        .collect();
    for e in [
        parse_instance_data(&utf16).unwrap_err(),
        parse_describe_json(&utf16).unwrap_err(),
        parse_csv(&utf16).unwrap_err(),
    ] {
        assert_eq!(
            e.to_string(),
            "line 1: encoding: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8"
        );
    }
    assert_eq!(
        parse_csv(&utf16)
            .unwrap_err()
            .in_file("types.csv")
            .to_string(),
        "types.csv: line 1: encoding: the file has NUL bytes, so it is UTF-16 (or binary): save it as UTF-8"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

    /// Any counts: a row parses exactly when every count is within its bound, and what parses goes through the
    /// max-pods formulas without overflow (tests run with overflow checks).
    #[test]
    fn rows_parse_exactly_within_bounds(
        enis in 0u64..5000, ipv4 in 0u64..5000, vcpus in 0u64..100_000, cards in 0u64..5000,
        extra in 0u64..5000, branch in 0u64..5000, big in proptest::prelude::any::<bool>(),
    ) {
        let enis = if big { enis * 1_000_000_007 } else { enis };
        let total = enis + extra;
        let csv = format!("{CSV_HEADER}\nzz9.large,{enis},{ipv4},{vcpus},nitro,false,{cards},{total},true,{branch},user\n");
        let max = u64::from(MAX_ROW_COUNT);
        let within = (1..=max).contains(&enis) && (1..=max).contains(&ipv4) && (1..=65_535).contains(&vcpus)
            && (1..=max).contains(&cards) && (1..=max).contains(&total) && branch <= max;
        match parse_csv(&csv) {
            Ok(rows) => {
                proptest::prop_assert!(within, "{csv}");
                let r = &rows[0];
                for prefix_delegation in [false, true] {
                    let opts = ipplan_core::MaxPodsOptions { prefix_delegation, ..Default::default() };
                    let m = ipplan_core::max_pods(r, &opts).unwrap();
                    proptest::prop_assert!(m.eni_limited_pods <= 1024 * 1023 * 16 + 2);
                }
                let _ = ipplan_core::karpenter_max_pods(r, 1, Some(110));
            }
            Err(e) => {
                proptest::prop_assert!(!within, "{csv}: {e}");
                proptest::prop_assert!(!e.to_string().contains('\n'));
            }
        }
    }
}
