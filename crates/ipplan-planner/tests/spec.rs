//! The one way in: `PlanSpec` -> YAML (and JSON) -> `PlanSpec` round-trips, `Plan::from_spec` accepts what the
//! writer wrote, cluster-wide warnings are reported once, and the Terraform door speaks its own words.

use std::collections::BTreeMap;

use ipplan_core::{AddressMode, Catalog, CniVersion};
use ipplan_planner::plan::{
    Arrival, CniSpec, ConsumerSpec, ControlPlaneSpec, EventSpec, EventSpecKind, Launch,
    MaxPodsSpec, NodeGroupSpec, PodAddressOrder, ReservationSpec, ReservationType, ScenarioSpec,
    SinglePlacement, SubnetRole, SubnetSpec, VpcSpec,
};
use ipplan_planner::{Plan, PlanSpec, check, terraform_plan};
use proptest::prelude::*;

/// Names that YAML would read as something else when unquoted: the writer must quote them.
const TRICKY: &[&str] = &[
    "yes", "no", "on", "null", "~", "123", "1.5", "0x1f", "a b", "x: y", "#hash", "-dash", "true",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}",
        proptest::sample::select(TRICKY).prop_map(str::to_string),
    ]
}

fn subnet(i: usize) -> impl Strategy<Value = SubnetSpec> {
    (
        name(),
        proptest::sample::select(&["us-east-1a", "us-east-1b", "us-east-1c"][..]),
        16u8..=28,
        proptest::option::of(proptest::sample::select(
            &[SubnetRole::Nodes, SubnetRole::Both][..],
        )),
        proptest::option::of(proptest::sample::select(
            &[ReservationType::Prefix, ReservationType::Explicit][..],
        )),
        proptest::collection::vec((name(), 0u64..40), 0..3),
        proptest::collection::btree_map(
            proptest::sample::select(&["kubernetes.io/role/cni", "Name", "team"][..]),
            // (not "0": a node subnet tagged so is an error of its own)
            proptest::sample::select(&["1", "a b", "", "0123"][..]),
            0..3,
        ),
    )
        .prop_map(move |(n, az, len, role, res, consumers, tags)| {
            // each subnet in its own /16 of 10.0.0.0/8: never overlapping
            let cidr = format!("10.{i}.0.0/{len}").parse().unwrap();
            let reservations = match res {
                // the first half of the subnet; a prefix reservation needs whole /28s
                Some(kind) if len <= 27 => vec![ReservationSpec {
                    cidr: format!("10.{i}.0.0/{}", len + 1).parse().unwrap(),
                    kind,
                }],
                _ => vec![],
            };
            SubnetSpec {
                name: format!("{n}{i}"),
                az: az.to_string(),
                cidr,
                ipv6_cidr: None,
                role,
                reservations,
                other_consumers: consumers
                    .into_iter()
                    // at most the subnet's size (validation's bound)
                    .map(|(what, addresses)| ConsumerSpec {
                        what,
                        addresses: addresses.min(1 << (32 - u32::from(len))),
                        at: Vec::new(),
                    })
                    .collect(),
                tags: tags
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }
        })
}

fn cni() -> impl Strategy<Value = CniSpec> {
    (
        proptest::option::of(proptest::sample::select(
            &[AddressMode::SecondaryIp, AddressMode::Prefix][..],
        )),
        proptest::option::of(proptest::sample::select(vec![
            CniVersion::new(1, 8, 0),
            CniVersion::new(1, 19, 0),
            CniVersion::new(1, 9, 10),
        ])),
        proptest::option::of(0u32..3),
        proptest::option::of(0u32..20),
        proptest::option::of(0u32..30),
        proptest::option::of(0u32..3),
        proptest::option::of(1u32..5),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |(mode, version, we, wi, mi, wp, max_eni, discovery)| CniSpec {
                mode,
                custom_networking: None,
                version,
                warm_eni_target: we,
                warm_ip_target: wi,
                minimum_ip_target: mi,
                warm_prefix_target: wp,
                max_eni,
                pod_security_groups: None,
                ip_family: None,
                // (asked for with a CNI before 1.18.0 is an error of its own)
                subnet_discovery: discovery
                    .filter(|&d| !d || version.is_none_or(|v| v >= CniVersion::new(1, 18, 0))),
            },
        )
}

fn group(i: usize, subnets: Vec<String>) -> impl Strategy<Value = NodeGroupSpec> {
    (
        name(),
        proptest::sample::select(&["m5.large", "c6i.large", "t3.small", "m6i.xlarge"][..]),
        proptest::sample::subsequence(subnets.clone(), 1..=subnets.len()),
        1u32..60,
        proptest::option::of(0u32..4),
        any::<bool>(),
        0u32..120,
        proptest::option::of(prop_oneof![
            Just(MaxPodsSpec::Auto),
            (1u32..120).prop_map(MaxPodsSpec::Fixed)
        ]),
        proptest::option::of(0u32..4),
        proptest::option::of(proptest::sample::select(
            &[Launch::Balanced, Launch::Karpenter][..],
        )),
    )
        .prop_map(
            move |(n, ty, subnets, nodes, surge, per_node, pods, max_pods, host, launch)| {
                NodeGroupSpec {
                    name: format!("{n}{i}"),
                    instance_type: ty.to_string(),
                    subnets,
                    nodes,
                    surge,
                    pods_per_node: per_node.then_some(pods),
                    pods: (!per_node).then_some(pods),
                    max_pods,
                    host_network_pods: host,
                    branch_pods_per_node: None,
                    launch,
                    ..NodeGroupSpec::default()
                }
            },
        )
}

fn scenario(groups: Vec<String>) -> impl Strategy<Value = ScenarioSpec> {
    let events = if groups.is_empty() {
        Just(None).boxed()
    } else {
        proptest::option::of(proptest::collection::vec(
            (
                0u32..3600,
                proptest::sample::select(groups),
                0u32..5,
                0u32..200,
                proptest::sample::select(&[0.5f64, 12.25, 60.0][..]),
            )
                .prop_map(|(at, g, which, n, per_minute)| EventSpec {
                    at,
                    kind: match which {
                        0 => EventSpecKind::Scale {
                            node_group: g,
                            nodes: n,
                        },
                        1 => EventSpecKind::Deploy {
                            node_group: g,
                            pods: n,
                            arrival: Some(Arrival::OneByOne),
                        },
                        2 => EventSpecKind::Churn {
                            node_group: g,
                            per_minute,
                            until: Some(at + 60),
                        },
                        3 => EventSpecKind::RollingUpdate {
                            node_group: g,
                            surge: Some(1 + n % 3),
                            drain_seconds: Some(n),
                        },
                        _ => EventSpecKind::SwitchMode {
                            node_group: g,
                            mode: AddressMode::Prefix,
                        },
                    },
                }),
            0..4,
        ))
        .boxed()
    };
    (
        any::<u64>(),
        proptest::option::of(1u32..60),
        proptest::option::of(proptest::sample::select(
            &[SinglePlacement::Random, SinglePlacement::Lowest][..],
        )),
        proptest::option::of(proptest::sample::select(
            &[
                PodAddressOrder::Ipamd,
                PodAddressOrder::Random,
                PodAddressOrder::Packed,
            ][..],
        )),
        proptest::option::of(0u32..600),
        proptest::option::of(1u32..600),
        events,
    )
        .prop_map(
            |(seed, tick, placement, pod_addresses, wait, sample, events)| ScenarioSpec {
                // events end by 3600 + 60 s; the duration covers them
                duration: Some(4000 + (seed % 90_000) as u32),
                seed: Some(seed),
                tick,
                placement,
                pod_addresses,
                wait_threshold: wait,
                sample,
                events,
            },
        )
}

fn spec() -> impl Strategy<Value = PlanSpec> {
    (1usize..6)
        .prop_flat_map(|n| {
            let subnets: Vec<_> = (0..n).map(subnet).collect();
            (
                subnets,
                proptest::option::of(cni()),
                any::<bool>(),
                0usize..3,
            )
        })
        .prop_flat_map(|(subnets, cni, vpc, n_groups)| {
            let names: Vec<String> = subnets.iter().map(|s| s.name.clone()).collect();
            let groups: Vec<_> = (0..n_groups).map(|i| group(i, names.clone())).collect();
            (
                Just(subnets),
                Just(cni),
                Just(vpc),
                groups,
                proptest::option::of(proptest::sample::subsequence(
                    names.clone(),
                    1..=names.len(),
                )),
                proptest::option::of(0u32..200),
            )
        })
        .prop_flat_map(|(subnets, cni, vpc, groups, cp, headroom)| {
            let group_names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
            (
                Just((subnets, cni, vpc, groups, cp, headroom)),
                proptest::option::of(scenario(group_names)),
            )
        })
        .prop_map(
            |((subnets, cni, vpc, node_groups, cp, headroom), simulate)| PlanSpec {
                vpc: vpc.then(
                    || VpcSpec {
                        cidrs: vec!["10.0.0.0/16".parse().unwrap()],
                    }, // only subnets inside it would be valid: keep vpc.cidrs for one-subnet plans
                ),
                cni,
                control_plane: cp.map(|subnets| ControlPlaneSpec {
                    subnets,
                    enis: Some(4),
                }),
                headroom_percent: headroom,
                simulate,
                // one ECS service on the first subnet, every field written
                ecs_services: subnets
                    .first()
                    .map(|s| ipplan_planner::plan::EcsServiceSpec {
                        name: "orders".to_string(),
                        tasks: 12,
                        max_percent: Some(150),
                        subnets: vec![s.name.clone()],
                        network_mode: Some(ipplan_planner::plan::EcsNetworkMode::Awsvpc),
                        at: Vec::new(),
                    })
                    .into_iter()
                    .collect(),
                // the traffic shift, when there is a cluster to shift to
                migration: (!node_groups.is_empty() && !subnets.is_empty()).then(|| {
                    ipplan_planner::plan::MigrationSpec {
                        overlap: Some(ipplan_planner::plan::Overlap::Shift),
                        weights: vec![5, 20, 50, 100],
                    }
                }),
                node_groups,
                subnets,
            },
        )
        .prop_map(|mut s| {
            if s.subnets.len() > 1 {
                s.vpc = None;
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn spec_round_trips_through_yaml_and_json_and_validates(spec in spec()) {
        let cat = Catalog::embedded();
        let yaml = spec.to_yaml();
        let back = PlanSpec::from_yaml_str(&yaml, "plan.yaml");
        prop_assert!(back.is_ok(), "{yaml}\n{:?}", back.err());
        prop_assert_eq!(&back.unwrap(), &spec, "{}", yaml);
        let json = serde_json::to_string(&spec).unwrap();
        prop_assert_eq!(&PlanSpec::from_json_str(&json, "plan.json").unwrap(), &spec);
        // what the writer wrote, the one validation pass accepts, and the plans agree
        let from_spec = Plan::from_spec(spec.clone(), "plan.yaml", &cat);
        prop_assert!(from_spec.is_ok(), "{yaml}\n{:?}", from_spec.err());
        let from_text = Plan::from_yaml_str(&yaml, "plan.yaml", &cat).unwrap();
        let plan = from_spec.unwrap();
        prop_assert_eq!(&from_text, &plan);
        // where the addresses go adds up to `used`, whatever the plan
        for s in &check(&plan).subnets {
            prop_assert_eq!(s.breakdown.total(), s.used, "{}", s.name);
        }
    }
}

#[test]
fn cluster_wide_cni_warnings_are_reported_once() {
    // Two groups, MINIMUM_IP_TARGET without WARM_IP_TARGET: one plan warning, not one per group.
    let yaml = "
cni: { minimum_ip_target: 11 }
subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }, { name: b, az: y, cidr: 10.0.1.0/24 }]
node_groups:
  - { name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5 }
  - { name: h, instance_type: c6i.large, subnets: [b], nodes: 1, pods_per_node: 5 }
";
    let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap();
    let r = check(&plan);
    let minimum: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.message.contains("minimum_ip_target"))
        .collect();
    assert_eq!(minimum.len(), 1, "{:#?}", r.findings);
    assert_eq!(minimum[0].subject, "plan");
    assert_eq!(minimum[0].kind_name(), "minimum-without-warm-ip");
}

fn query(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

#[test]
fn terraform_errors_name_the_query_keys() {
    let cat = Catalog::embedded();
    let base = [
        ("instance_type", "c6i.large"),
        ("subnet_cidrs", "10.0.1.0/24,10.0.2.0/24"),
        ("nodes", "30"),
        ("pods", "200"),
    ];
    let err = |extra: &[(&str, &str)]| {
        let mut q = query(&base);
        q.extend(query(extra));
        terraform_plan(&q, &cat).unwrap_err().to_string()
    };
    // a plan rule on the node group: the query key, not node_groups[0].nodes
    assert_eq!(
        err(&[("nodes", "0")]),
        "terraform query: nodes: must be at least 1: give the peak node count"
    );
    // a subnet: the list key and the item, not subnets[1].cidr
    assert_eq!(
        err(&[("subnet_cidrs", "10.0.1.0/24,10.0.2.0/29")]),
        "terraform query: subnet_cidrs (item 2): '10.0.2.0/29' is smaller than /28: AWS subnets are /16 to /28, \
         use a /28 or larger"
    );
    assert_eq!(
        err(&[("pods_per_node", "20")]),
        "terraform query: pods_per_node / pods: give exactly one of 'pods_per_node' and 'pods' (the group's \
         total), not both"
    );
    assert_eq!(
        err(&[("instance_type", "c6i.larg")]),
        "terraform query: instance_type: unknown instance type 'c6i.larg' (did you mean 'c6i.large'?)"
    );
    assert_eq!(
        err(&[("max_eni", "0")]),
        "terraform query: max_eni: max ENI must be at least 1: leave it unset to use the instance's limit"
    );
    // no invented subnet names: subnets are named by their CIDR
    let plan = terraform_plan(&query(&base), &cat).unwrap();
    let names: Vec<&str> = plan.subnets().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["10.0.1.0/24", "10.0.2.0/24"]);
}

#[test]
fn a_group_no_scale_event_gives_nodes_is_reported() {
    // two groups; the scenario's own events scale only 'web': 'batch' would silently run no node
    let yaml = "
subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]
node_groups:
  - { name: web, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 5 }
  - { name: batch, instance_type: m5.large, subnets: [a], nodes: 2, pods_per_node: 5 }
simulate:
  duration: 10m
  events:
    - { at: 0s, scale: { node_group: web, nodes: 2 } }
    - { at: 0s, deploy: { node_group: batch, pods: 10 } }
";
    let plan = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded()).unwrap();
    let w: Vec<String> = plan.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "simulate.events: node group 'batch' (node_groups[1]) has no scale event, so the simulation runs none of \
          its nodes: add `- { at: 0s, scale: { node_group: batch, nodes: N } }`"
        ]
    );
    // without events (the plan's peak) every group is scaled: nothing to say
    let peak = yaml.split("simulate:").next().unwrap();
    let plan = Plan::from_yaml_str(peak, "plan.yaml", &Catalog::embedded()).unwrap();
    assert!(plan.warnings().is_empty());
}

#[test]
fn a_scenarios_work_is_bounded_together() {
    // 100,000 replacements a minute for 7 days: 100,000 x 10,080 = 1,008,000,000 replacements, more than the
    // 200,000,000 one simulation may run (field by field each value is allowed)
    let yaml = "
subnets: [{ name: a, az: z, cidr: 10.0.0.0/16 }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 100, pods_per_node: 20 }]
simulate:
  duration: 7d
  events:
    - { at: 0s, scale: { node_group: g, nodes: 100 } }
    - { at: 0s, deploy: { node_group: g, pods: 2000 } }
    - { at: 0s, churn: { node_group: g, per_minute: 100000 } }
";
    let e = Plan::from_yaml_str(yaml, "plan.yaml", &Catalog::embedded())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "plan.yaml: simulate.events: the churn events ask for 1008000000 pod replacements in all, more than \
         200000000 (about 10 to 20 s of simulation): lower churn.per_minute, or split the run into shorter \
         simulations (simulate.duration, churn.until)"
    );
    // a day of it is 144,000,000: allowed, and the work says so
    let day = yaml.replace("duration: 7d", "duration: 1d");
    let plan = Plan::from_yaml_str(&day, "plan.yaml", &Catalog::embedded()).unwrap();
    let w = plan.scenario().work(&plan);
    // 100 nodes x 86,400 / 5 ticks
    assert_eq!((w.replacements, w.node_ticks), (144_000_000, 100 * 17_280));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// On any valid plan, `advise` and every layout run without a panic, and each candidate re-checks to what it
    /// says (the same rule the example test holds, on random plans).
    #[test]
    fn advise_and_layouts_on_random_plans(spec in spec()) {
        use ipplan_planner::capacity::{AdviseOptions, Layout, advise, apply_layout};
        let cat = Catalog::embedded();
        let plan = Plan::from_spec(spec, "plan.yaml", &cat).unwrap();
        for l in [Layout::PrefixLen(20), Layout::SecondaryCidr("100.64.0.0/16".parse().unwrap()), Layout::Ipv6] {
            if let Ok(p) = apply_layout(&plan, l) {
                let _ = check(&p);
            }
        }
        let advice = advise(&plan, &cat, AdviseOptions::default());
        for c in &advice.candidates {
            let p = Plan::from_spec(c.plan.clone(), "plan.yaml", &cat).unwrap();
            let r = check(&p);
            prop_assert_eq!(r.fits(), c.fits);
            prop_assert_eq!(r.subnets.iter().map(|s| s.headroom).min().unwrap(), c.headroom);
        }
    }
}
