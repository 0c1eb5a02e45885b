//! Input as people produce it, and input meant to hurt: every bad file ends in one line on stderr and exit 2,
//! never a panic, an abort or a minute of parsing.

use serde_json::Value;

use crate::ok;

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
