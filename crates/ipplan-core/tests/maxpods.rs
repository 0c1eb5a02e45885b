//! Max pods against the worked values of docs/model.md, "Worked values" (each checked by running AWS's calculator,
//! awslabs/amazon-eks-ami `templates/al2/runtime/max-pods-calculator.sh` at commit `0ab842803d82`, against this
//! data), the ENI-formula facts of aws/amazon-vpc-cni-k8s `misc/eni-max-pods.txt` (v1.23.1 `b52188387f2e`),
//! Karpenter's values (aws/karpenter-provider-aws `pkg/providers/instancetype/types.go`), and an optional
//! cross-check of every row against the EKS AMI's `eni-max-pods.txt`.

use std::path::PathBuf;

use ipplan_core::{
    AddressMode, Catalog, CniVersion, CoreError, MaxPods, MaxPodsNote, MaxPodsOptions, PodCap,
    karpenter_max_pods, karpenter_pod_eni_capacity, max_pods, pod_eni_capacity,
};

fn run(name: &str, opts: &MaxPodsOptions) -> MaxPods {
    let cat = Catalog::embedded();
    max_pods(cat.get(name).unwrap(), opts).unwrap()
}

fn v(s: &str) -> Option<CniVersion> {
    Some(s.parse().unwrap())
}

fn pd() -> MaxPodsOptions {
    MaxPodsOptions {
        prefix_delegation: true,
        ..MaxPodsOptions::default()
    }
}

fn custom() -> MaxPodsOptions {
    MaxPodsOptions {
        custom_networking: true,
        ..MaxPodsOptions::default()
    }
}

// ---- max-pods-calculator.sh, worked values (docs/model.md "Worked values") --------------------------------

#[test]
fn m5_large_cni_1_7_5_is_29() {
    // m5.large, CNI 1.7.5 -> 29 (3 ENIs x (10 - 1) + 2)
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            cni_version: v("1.7.5"),
            ..MaxPodsOptions::default()
        },
    );
    assert_eq!(r.max_pods, 29);
    assert_eq!(r.eni_limited_pods, 29);
    assert_eq!(r.mode, AddressMode::SecondaryIp);
    assert_eq!(r.pod_enis, 3);
    assert_eq!(r.cap, None);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn m5_large_pd_cni_1_9_0_is_110_uncapped_434() {
    // m5.large, PD, CNI 1.9.0 -> 110 (uncapped 434 = 3 x (9 x 16) + 2; 2 vCPUs <= 30 -> cap 110)
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            cni_version: v("1.9.0"),
            ..pd()
        },
    );
    assert_eq!((r.max_pods, r.eni_limited_pods), (110, 434));
    assert_eq!(r.mode, AddressMode::Prefix);
    assert_eq!(r.cap, Some(PodCap::Cap110));
    assert!(
        r.notes
            .contains(&MaxPodsNote::Capped { cap: 110, vcpus: 2 })
    );
    // and with --show-max-allowed the uncapped value is the answer
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            cni_version: v("1.9.0"),
            show_max_allowed: true,
            ..pd()
        },
    );
    assert_eq!((r.max_pods, r.cap), (434, None));
}

#[test]
fn m5_large_pd_cni_1_8_0_is_29() {
    // m5.large, PD, CNI 1.8.0 -> 29 (PD needs >= 1.9)
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            cni_version: v("1.8.0"),
            ..pd()
        },
    );
    assert_eq!(r.max_pods, 29);
    assert_eq!(r.mode, AddressMode::SecondaryIp);
    assert_eq!(
        r.notes,
        vec![MaxPodsNote::PrefixNeedsCni19 {
            version: "1.8.0".into()
        }]
    );
}

#[test]
fn m5_large_custom_networking_is_20() {
    // m5.large, custom networking -> 20 ((3 - 1) x 9 + 2)
    let r = run("m5.large", &custom());
    assert_eq!((r.max_pods, r.pod_enis), (20, 2));
}

#[test]
fn m5_large_custom_networking_pd_is_110_uncapped_290() {
    // m5.large, custom networking + PD -> 110 (uncapped 290 = 2 x 144 + 2)
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            prefix_delegation: true,
            ..custom()
        },
    );
    assert_eq!((r.max_pods, r.eni_limited_pods), (110, 290));
}

#[test]
fn m5_large_max_eni_2_is_20() {
    // m5.large, --cni-max-eni 2 -> 20 (2 x 9 + 2)
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            max_eni: Some(2),
            ..MaxPodsOptions::default()
        },
    );
    assert_eq!((r.max_pods, r.pod_enis), (20, 2));
    assert!(r.notes.contains(&MaxPodsNote::MaxEniApplied {
        instance_enis: 3,
        used: 2
    }));
    // a MAX_ENI above the instance's limit changes nothing (the script takes min(M, E))
    let r = run(
        "m5.large",
        &MaxPodsOptions {
            max_eni: Some(8),
            ..MaxPodsOptions::default()
        },
    );
    assert_eq!((r.max_pods, r.pod_enis), (29, 3));
    assert!(r.notes.is_empty());
}

#[test]
fn m5_xlarge_custom_networking_is_44() {
    // m5.xlarge, custom networking -> 44 ((4 - 1) x 14 + 2)
    assert_eq!(run("m5.xlarge", &custom()).max_pods, 44);
}

#[test]
fn m4_xlarge_xen_pd_falls_back_to_58() {
    // m4.xlarge (xen), PD requested -> 58 (falls back; 4 x 14 + 2)
    let r = run("m4.xlarge", &pd());
    assert_eq!((r.max_pods, r.eni_limited_pods), (58, 58));
    assert_eq!(r.mode, AddressMode::SecondaryIp);
    assert_eq!(
        r.notes,
        vec![MaxPodsNote::PrefixNotNitro {
            hypervisor: "xen".into()
        }]
    );
}

#[test]
fn m5_8xlarge_secondary_234_pd_250() {
    // m5.8xlarge secondary / PD -> 234 / 250 (32 vCPUs > 30 -> cap 250)
    let r = run("m5.8xlarge", &MaxPodsOptions::default());
    assert_eq!((r.max_pods, r.cap), (234, None));
    let r = run("m5.8xlarge", &pd());
    assert_eq!((r.max_pods, r.cap), (250, Some(PodCap::Cap250)));
    // independent: 8 ENIs x (29 x 16) + 2
    assert_eq!(r.eni_limited_pods, 8 * 29 * 16 + 2);
}

#[test]
fn c6i_4xlarge_is_110_or_234_with_show_max_allowed() {
    // c6i.4xlarge secondary -> 110 (234 with --show-max-allowed)
    let r = run("c6i.4xlarge", &MaxPodsOptions::default());
    assert_eq!((r.max_pods, r.eni_limited_pods), (110, 234));
    let r = run(
        "c6i.4xlarge",
        &MaxPodsOptions {
            show_max_allowed: true,
            ..MaxPodsOptions::default()
        },
    );
    assert_eq!(r.max_pods, 234);
}

#[test]
fn c6in_32xlarge_show_max_allowed_is_394() {
    // c6in.32xlarge --show-max-allowed -> 394 (8 of 16 ENIs on card 0)
    let r = run(
        "c6in.32xlarge",
        &MaxPodsOptions {
            show_max_allowed: true,
            ..MaxPodsOptions::default()
        },
    );
    assert_eq!((r.max_pods, r.pod_enis), (394, 8));
}

#[test]
fn p5_48xlarge_is_100() {
    // p5.48xlarge secondary -> 100 (2 ENIs on card 0, not the instance's 64)
    let r = run("p5.48xlarge", &MaxPodsOptions::default());
    assert_eq!((r.max_pods, r.pod_enis), (100, 2));
}

#[test]
fn t3_micro_secondary_4_pd_34() {
    // t3.micro secondary / PD -> 4 / 34
    assert_eq!(run("t3.micro", &MaxPodsOptions::default()).max_pods, 4);
    assert_eq!(run("t3.micro", &pd()).max_pods, 34);
}

#[test]
fn t2_micro_xen_pd_is_4() {
    // t2.micro (xen), PD requested -> 4
    let r = run("t2.micro", &pd());
    assert_eq!((r.max_pods, r.mode), (4, AddressMode::SecondaryIp));
}

#[test]
fn m5_metal_pd_bare_metal_differs_from_script() {
    // Bare-metal quirk: the script never applies PD on bare metal (no Hypervisor from EC2): 737, capped 250.
    // The CNI does run PD there: 15 x (49 x 16) + 2, capped at 250 (96 vCPUs).
    let r = run("m5.metal", &pd());
    assert_eq!(r.mode, AddressMode::Prefix);
    assert_eq!(r.eni_limited_pods, 15 * 49 * 16 + 2);
    assert_eq!(r.max_pods, 250);
    assert!(
        r.notes
            .contains(&MaxPodsNote::PrefixBareMetalScriptDiffers {
                script_max_pods: 250
            }),
        "{:?}",
        r.notes
    );
    // uncapped, the script's value is the plain secondary-IP formula: 737
    let r = run(
        "m5.metal",
        &MaxPodsOptions {
            show_max_allowed: true,
            ..pd()
        },
    );
    assert!(
        r.notes
            .contains(&MaxPodsNote::PrefixBareMetalScriptDiffers {
                script_max_pods: 737
            }),
        "{:?}",
        r.notes
    );
}

// ---- eni-max-pods.txt: the ENI formula E x (I - 1) + 2 --------------------------------------------------

#[test]
fn eni_max_pods_txt_formula_facts() {
    // aws/amazon-vpc-cni-k8s misc/eni-max-pods.txt (and the t3.small 3x4 of docs/eni-and-ip-target.md): t3.small 11,
    // m5.large 29, m5.xlarge 58, m5.4xlarge 234, m5.24xlarge 737 (uncapped ENI-limited values, as in
    // eni-max-pods.txt)
    for (name, want) in [
        ("t3.small", 11),
        ("m5.large", 29),
        ("m5.xlarge", 58),
        ("m5.4xlarge", 234),
        ("m5.24xlarge", 737),
    ] {
        let r = run(name, &MaxPodsOptions::default());
        assert_eq!(r.eni_limited_pods, want, "{name}");
    }
    // m5.24xlarge has 96 vCPUs: the calculator caps at 250
    assert_eq!(run("m5.24xlarge", &MaxPodsOptions::default()).max_pods, 250);
}

// ---- Karpenter and security groups for pods -------------------------------------------------------------

#[test]
fn karpenter_and_pod_eni_values() {
    // aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go (b8d425119bdb): pod-eni m5.large 9,
    // m5.8xlarge 54, t3.micro 0
    let cat = Catalog::embedded();
    assert_eq!(pod_eni_capacity(cat.get("m5.large").unwrap()), Some(9));
    assert_eq!(pod_eni_capacity(cat.get("m5.8xlarge").unwrap()), Some(54));
    assert_eq!(pod_eni_capacity(cat.get("t3.micro").unwrap()), Some(0));
    // Karpenter: max(E - RESERVED_ENIS, 0) x (I - 1) + 2, no cap (m5.8xlarge 234 stays 234; c6i.4xlarge 234, not 110)
    assert_eq!(
        karpenter_max_pods(cat.get("c6i.4xlarge").unwrap(), 0, None),
        Some(234)
    );
    assert_eq!(
        karpenter_max_pods(cat.get("m5.xlarge").unwrap(), 1, None),
        Some(44)
    );
    // podsPerCore 5 x 32 vCPUs = 160 < 234
    assert_eq!(
        karpenter_max_pods(cat.get("m5.8xlarge").unwrap(), 0, Some(5)),
        Some(160)
    );
    // RESERVED_ENIS beyond the ENI count clamps at 0 ENIs, and Karpenter then advertises 0 pods, not the
    // formula's `+ 2` (aws/karpenter-provider-aws pkg/providers/instancetype/types.go ENILimitedPods:
    // `if usableNetworkInterfaces == 0 { return resource.NewQuantity(0, ...) }`)
    assert_eq!(
        karpenter_max_pods(cat.get("t3.micro").unwrap(), 5, None),
        Some(0)
    );
}

#[test]
fn karpenter_with_every_eni_reserved_gives_zero() {
    // m5.large: 3 ENIs on the default card, 10 IPv4 per ENI, 2 vCPUs (EC2 describe-instance-types)
    let cat = Catalog::embedded();
    let m5 = cat.get("m5.large").unwrap();
    // RESERVED_ENIS 2: (3 - 2) x (10 - 1) + 2 = 11
    assert_eq!(karpenter_max_pods(m5, 2, None), Some(11));
    // RESERVED_ENIS 3: no usable ENI -> 0 (it was 0 x 9 + 2 = 2 before)
    assert_eq!(karpenter_max_pods(m5, 3, None), Some(0));
    assert_eq!(karpenter_max_pods(m5, 4, None), Some(0));
    // podsPerCore only lowers the count: min(10 x 2, 0) = 0
    assert_eq!(karpenter_max_pods(m5, 3, Some(10)), Some(0));
    // ...even where the vCPU count is unknown (mac1.metal: 8 ENIs, no vCPU count in the table)
    let mac = cat.get("mac1.metal").unwrap();
    assert_eq!(karpenter_max_pods(mac, mac.enis, Some(10)), Some(0));
    assert_eq!(karpenter_max_pods(mac, 0, Some(10)), None);
}

#[test]
fn karpenter_pod_eni_is_zero_with_a_note_where_no_table_lists_the_type() {
    // aws/karpenter-provider-aws pkg/providers/instancetype/types.go awsPodENI: Limits[type] trunking-compatible
    // -> BranchInterface, else "0"
    let cat = Catalog::embedded();
    assert_eq!(
        karpenter_pod_eni_capacity(cat.get("m5.large").unwrap()),
        (9, None)
    );
    assert_eq!(
        karpenter_pod_eni_capacity(cat.get("t3.micro").unwrap()),
        (0, None)
    );
    let unlisted = cat
        .iter()
        .find(|r| r.trunking.is_none())
        .expect("the table has types no branch-ENI table lists");
    assert_eq!(pod_eni_capacity(unlisted), None);
    let (n, note) = karpenter_pod_eni_capacity(unlisted);
    assert_eq!(n, 0);
    assert_eq!(
        note.unwrap().to_string(),
        format!(
            "no branch-ENI table lists '{}': Karpenter advertises vpc.amazonaws.com/pod-eni 0 there, so pods with \
             their own security groups are not scheduled on it",
            unlisted.name
        )
    );
}

// ---- errors -----------------------------------------------------------------------------------------------

#[test]
fn unknown_vcpus_needs_vcpus_or_show_max_allowed() {
    let cat = Catalog::embedded();
    // mac1.metal has no vCPU count in the table and none derivable from "metal"
    let mac = cat.get("mac1.metal").unwrap();
    let e = max_pods(mac, &MaxPodsOptions::default()).unwrap_err();
    assert_eq!(e, CoreError::VcpusUnknown("mac1.metal".into()));
    assert!(e.to_string().contains("--vcpus"), "{e}");
    let ok = max_pods(
        mac,
        &MaxPodsOptions {
            show_max_allowed: true,
            ..MaxPodsOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ok.cap, None);
    let with = max_pods(
        mac,
        &MaxPodsOptions {
            vcpus: Some(12),
            ..MaxPodsOptions::default()
        },
    )
    .unwrap();
    assert_eq!(with.max_pods, ok.eni_limited_pods.min(110));
}

#[test]
fn max_eni_zero_is_an_error() {
    let cat = Catalog::embedded();
    let e = max_pods(
        cat.get("m5.large").unwrap(),
        &MaxPodsOptions {
            max_eni: Some(0),
            ..MaxPodsOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(e, CoreError::MaxEniZero(0));
}

// ---- cross-check against eni-max-pods.txt (optional: the file lives outside the repo) --------------------

#[test]
fn cross_check_eni_max_pods_txt() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/eni-max-pods.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not found", path.display());
        return;
    };
    let cat = Catalog::embedded();
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("unexpected line in {}: {line:?}", path.display()));
        let want: u32 = value.trim().parse().unwrap();
        let Ok(info) = cat.get(name) else { continue };
        let r = max_pods(
            info,
            &MaxPodsOptions {
                show_max_allowed: true,
                ..MaxPodsOptions::default()
            },
        )
        .unwrap();
        compared += 1;
        if r.eni_limited_pods != want {
            mismatches.push(format!(
                "{name}: file {want}, ipplan {}",
                r.eni_limited_pods
            ));
        }
    }
    eprintln!("compared {compared} rows with {}", path.display());
    assert!(
        mismatches.is_empty(),
        "mismatches:\n{}",
        mismatches.join("\n")
    );
    assert!(
        compared >= 1000,
        "only {compared} rows of {} are in the embedded table",
        path.display()
    );
}
