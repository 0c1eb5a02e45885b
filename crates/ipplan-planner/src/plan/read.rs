//! Plan text (YAML or JSON) to a [`PlanSpec`]: field names and value types, with exact field paths and
//! "did you mean" suggestions. Nothing here looks across fields: that is `validate`'s.

use ipplan_core::{AddressMode, CniVersion};
use serde_yaml::Value;

use crate::error::PlanError;
use crate::plan::scenario::{Arrival, PodAddressOrder, SinglePlacement, parse_seconds};
use crate::plan::spec::{
    CniSpec, ConsumerSpec, ControlPlaneSpec, EcsNetworkMode, EcsServiceSpec, EventSpec,
    EventSpecKind, MigrationSpec, NodeGroupSpec, Overlap, PlanSpec, ReservationSpec, ScenarioSpec,
    SubnetSpec, VpcSpec,
};
use crate::plan::vocabulary::{IpFamily, Launch, MaxPodsSpec, ReservationType, SubnetRole};
use crate::plan::yaml::{Node, parse_cidr, parse_json, parse_yaml};

/// The keys of each mapping, as the reader accepts them.
pub(crate) mod keys {
    pub(crate) const TOP: &[&str] = &[
        "vpc",
        "cni",
        "subnets",
        "control_plane",
        "node_groups",
        "headroom_percent",
        "simulate",
        "ecs_services",
        "migration",
    ];
    pub(crate) const MIGRATION: &[&str] = &["overlap", "weights"];
    pub(crate) const ECS_SERVICE: &[&str] = &[
        "name",
        "tasks",
        "max_percent",
        "subnets",
        "network_mode",
        "at",
    ];
    pub(crate) const VPC: &[&str] = &["cidrs"];
    pub(crate) const CNI: &[&str] = &[
        "mode",
        "custom_networking",
        "version",
        "warm_eni_target",
        "warm_ip_target",
        "minimum_ip_target",
        "warm_prefix_target",
        "max_eni",
        "pod_security_groups",
        "ip_family",
        "subnet_discovery",
    ];
    pub(crate) const SUBNET: &[&str] = &[
        "name",
        "az",
        "cidr",
        "ipv6_cidr",
        "role",
        "reservations",
        "other_consumers",
        "tags",
    ];
    pub(crate) const RESERVATION: &[&str] = &["cidr", "type"];
    pub(crate) const CONSUMER: &[&str] = &["what", "addresses", "at"];
    pub(crate) const CONTROL_PLANE: &[&str] = &["subnets", "enis"];
    pub(crate) const NODE_GROUP: &[&str] = &[
        "name",
        "instance_type",
        "instance_types",
        "subnets",
        "nodes",
        "max_vcpus",
        "surge",
        "pods_per_node",
        "pods",
        "max_pods",
        "pods_per_core",
        "host_network_pods",
        "branch_pods_per_node",
        "launch",
    ];
    pub(crate) const SIMULATE: &[&str] = &[
        "duration",
        "seed",
        "tick",
        "placement",
        "pod_addresses",
        "wait_threshold",
        "sample",
        "events",
    ];
    pub(crate) const EVENT_KINDS: &[&str] = &[
        "scale",
        "deploy",
        "churn",
        "rolling_update",
        "switch_mode",
        "ecs",
    ];
    pub(crate) const SCALE: &[&str] = &["node_group", "nodes"];
    pub(crate) const DEPLOY: &[&str] = &["node_group", "pods", "arrival"];
    pub(crate) const CHURN: &[&str] = &["node_group", "per_minute", "until"];
    pub(crate) const ROLLING: &[&str] = &["node_group", "surge", "drain_seconds"];
    pub(crate) const SWITCH: &[&str] = &["node_group", "mode"];
    pub(crate) const ECS: &[&str] = &["service", "tasks", "release_after"];
}

pub(crate) fn spec_from_yaml(text: &str, file: &str) -> Result<PlanSpec, PlanError> {
    let v = parse_yaml(text, file)?;
    spec_from_value(&Node::root(&v, file))
}

pub(crate) fn spec_from_json(text: &str, file: &str) -> Result<PlanSpec, PlanError> {
    let v = parse_json(text, file)?;
    spec_from_value(&Node::root(&v, file))
}

fn cidr(n: &Node<'_>) -> Result<ipnet::Ipv4Net, PlanError> {
    let s = n.str()?;
    parse_cidr(s.trim()).map_err(|why| n.err(format!("invalid CIDR '{s}': {why}")))
}

fn ipv6_cidr(n: &Node<'_>) -> Result<ipnet::Ipv6Net, PlanError> {
    let s = n.str()?;
    s.trim().parse::<ipnet::Ipv6Net>().map_err(|_| {
        n.err(format!(
            "invalid IPv6 CIDR '{s}': expected a subnet's /64 such as 2600:1f18:abcd:1200::/64"
        ))
    })
}

fn names(n: &Node<'_>) -> Result<Vec<String>, PlanError> {
    n.list()?
        .iter()
        .map(|i| i.str().map(str::to_string))
        .collect()
}

fn mode(n: &Node<'_>) -> Result<AddressMode, PlanError> {
    Ok(match n.choice("mode", &["secondary-ip", "prefix"])? {
        "prefix" => AddressMode::Prefix,
        _ => AddressMode::SecondaryIp,
    })
}

fn spec_from_value(root: &Node<'_>) -> Result<PlanSpec, PlanError> {
    let top = root.object(keys::TOP)?;
    let mut spec = PlanSpec::default();

    if let Some(vpc) = top.get("vpc") {
        let vpc = vpc.object(keys::VPC)?;
        let mut cidrs = Vec::new();
        if let Some(list) = vpc.get("cidrs") {
            for item in list.list()? {
                cidrs.push(cidr(&item)?);
            }
        }
        spec.vpc = Some(VpcSpec { cidrs });
    }

    if let Some(c) = top.get("cni") {
        let c = c.object(keys::CNI)?;
        let mut cni = CniSpec::default();
        if let Some(n) = c.get("mode") {
            cni.mode = Some(mode(&n)?);
        }
        if let Some(n) = c.get("custom_networking") {
            cni.custom_networking = Some(n.bool()?);
        }
        if let Some(n) = c.get("version") {
            if let Value::Number(x) = n.value {
                return Err(n.err(format!(
                    "write the version as a string such as \"1.19.0\" (the number {x} loses trailing zeros)"
                )));
            }
            let s = n.str()?;
            cni.version = Some(s.parse::<CniVersion>().map_err(|e| n.err(e.to_string()))?);
        }
        if let Some(n) = c.get("warm_eni_target") {
            cni.warm_eni_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("warm_ip_target") {
            cni.warm_ip_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("minimum_ip_target") {
            cni.minimum_ip_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("warm_prefix_target") {
            cni.warm_prefix_target = Some(n.u32(0)?);
        }
        if let Some(n) = c.get("max_eni") {
            cni.max_eni = Some(n.u32(1)?);
        }
        if let Some(n) = c.get("pod_security_groups") {
            cni.pod_security_groups = Some(n.bool()?);
        }
        if let Some(n) = c.get("ip_family") {
            cni.ip_family = Some(match n.choice("ip family", &["ipv4", "ipv6"])? {
                "ipv6" => IpFamily::Ipv6,
                _ => IpFamily::Ipv4,
            });
        }
        if let Some(n) = c.get("subnet_discovery") {
            cni.subnet_discovery = Some(n.bool()?);
        }
        spec.cni = Some(cni);
    }

    for item in top.req("subnets")?.list()? {
        let s = item.object(keys::SUBNET)?;
        let role = match s.get("role") {
            None => None,
            Some(n) => Some(match n.choice("role", &["nodes", "pods", "both"])? {
                "nodes" => SubnetRole::Nodes,
                "pods" => SubnetRole::Pods,
                _ => SubnetRole::Both,
            }),
        };
        let mut reservations = Vec::new();
        if let Some(list) = s.get("reservations") {
            for r in list.list()? {
                let o = r.object(keys::RESERVATION)?;
                let kind = match o
                    .req("type")?
                    .choice("reservation type", &["prefix", "explicit"])?
                {
                    "prefix" => ReservationType::Prefix,
                    _ => ReservationType::Explicit,
                };
                reservations.push(ReservationSpec {
                    cidr: cidr(&o.req("cidr")?)?,
                    kind,
                });
            }
        }
        let mut other_consumers = Vec::new();
        if let Some(list) = s.get("other_consumers") {
            for c in list.list()? {
                let o = c.object(keys::CONSUMER)?;
                other_consumers.push(ConsumerSpec {
                    what: o.req("what")?.name()?.to_string(),
                    addresses: o.req("addresses")?.uint(0, 1 << 32)?,
                    at: o
                        .get("at")
                        .map(|n| names(&n))
                        .transpose()?
                        .unwrap_or_default(),
                });
            }
        }
        let mut tags = std::collections::BTreeMap::new();
        if let Some(n) = s.get("tags") {
            for (key, v) in n.entries()? {
                // AWS tag values are strings; a whole number written unquoted (`kubernetes.io/role/cni: 1`)
                // is read as its digits
                let value = match v.value {
                    Value::String(x) => x.clone(),
                    Value::Number(x) if x.as_u64().is_some() => x.to_string(),
                    _ => {
                        return Err(v.err(format!(
                            "expected a tag value as a string such as \"1\", found {}: quote it",
                            v.shown()
                        )));
                    }
                };
                tags.insert(key, value);
            }
        }
        spec.subnets.push(SubnetSpec {
            name: s.req("name")?.name()?.to_string(),
            az: s.req("az")?.name()?.to_string(),
            cidr: cidr(&s.req("cidr")?)?,
            ipv6_cidr: s.get("ipv6_cidr").map(|n| ipv6_cidr(&n)).transpose()?,
            role,
            reservations,
            other_consumers,
            tags,
        });
    }

    if let Some(list) = top.get("ecs_services") {
        for e in list.list()? {
            let o = e.object(keys::ECS_SERVICE)?;
            spec.ecs_services.push(EcsServiceSpec {
                name: o.req("name")?.name()?.to_string(),
                tasks: o.req("tasks")?.u32(0)?,
                max_percent: o.get("max_percent").map(|n| n.u32(0)).transpose()?,
                subnets: names(&o.req("subnets")?)?,
                network_mode: o
                    .get("network_mode")
                    .map(|n| {
                        n.choice("network mode", &["awsvpc", "bridge", "host"])
                            .map(|m| match m {
                                "bridge" => EcsNetworkMode::Bridge,
                                "host" => EcsNetworkMode::Host,
                                _ => EcsNetworkMode::Awsvpc,
                            })
                    })
                    .transpose()?,
                at: o
                    .get("at")
                    .map(|n| names(&n))
                    .transpose()?
                    .unwrap_or_default(),
            });
        }
    }

    if let Some(n) = top.get("migration") {
        let o = n.object(keys::MIGRATION)?;
        let overlap = o
            .get("overlap")
            .map(|n| {
                n.choice("overlap", &["full", "shift"]).map(|m| match m {
                    "shift" => Overlap::Shift,
                    _ => Overlap::Full,
                })
            })
            .transpose()?;
        let weights = match o.get("weights") {
            Some(list) => list
                .list()?
                .iter()
                .map(|w| w.u32(0))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        spec.migration = Some(MigrationSpec { overlap, weights });
    }

    if let Some(n) = top.get("control_plane") {
        let o = n.object(keys::CONTROL_PLANE)?;
        spec.control_plane = Some(ControlPlaneSpec {
            subnets: names(&o.req("subnets")?)?,
            enis: o.get("enis").map(|e| e.u32(1)).transpose()?,
        });
    }

    if let Some(list) = top.get("node_groups") {
        for item in list.list()? {
            let o = item.object(keys::NODE_GROUP)?;
            let opt = |k: &str, min: u32| o.get(k).map(|n| n.u32(min)).transpose();
            let max_pods = match o.get("max_pods") {
                None => None,
                Some(n) => Some(match n.value {
                    Value::String(s) if s == "auto" => MaxPodsSpec::Auto,
                    Value::String(s) if s == "karpenter" => MaxPodsSpec::Karpenter,
                    Value::Number(x)
                        if x.as_u64()
                            .is_some_and(|v| (1..=u64::from(u32::MAX)).contains(&v)) =>
                    {
                        MaxPodsSpec::Fixed(n.u32(1)?)
                    }
                    _ => {
                        let shown = match n.value {
                            Value::String(s) => format!("'{s}'"),
                            Value::Number(x) => format!("'{x}'"),
                            _ => "something else".to_string(),
                        };
                        return Err(n.err(format!(
                            "expected 'auto', 'karpenter' or a whole number of pods such as 110, found {shown}"
                        )));
                    }
                }),
            };
            // `pods_per_node: max`: every node full
            let (pods_per_node, pods_per_node_max) = match o.get("pods_per_node") {
                Some(n) if matches!(n.value, Value::String(s) if s == "max") => (None, true),
                Some(n) => match n.value {
                    Value::Number(_) => (Some(n.u32(0)?), false),
                    _ => {
                        return Err(n.err(format!(
                            "expected a whole number of pods or 'max' (every node full), found {}",
                            n.shown()
                        )));
                    }
                },
                None => (None, false),
            };
            let instance_types = match o.get("instance_types") {
                Some(n) => names(&n)?,
                None => Vec::new(),
            };
            let instance_type = match o.get("instance_type") {
                Some(n) => n.str()?.to_string(),
                None if !instance_types.is_empty() => String::new(),
                None => {
                    return Err(o.err(
                        "missing instance type: give 'instance_type', or 'instance_types' for a mixed fleet",
                    ));
                }
            };
            let max_vcpus = opt("max_vcpus", 1)?;
            let nodes = match (o.get("nodes"), max_vcpus) {
                (Some(n), _) => n.u32(1)?,
                (None, Some(_)) => 0,
                (None, None) => o.req("nodes")?.u32(1)?,
            };
            spec.node_groups.push(NodeGroupSpec {
                name: o.req("name")?.name()?.to_string(),
                instance_type,
                instance_types,
                subnets: names(&o.req("subnets")?)?,
                nodes,
                max_vcpus,
                surge: opt("surge", 0)?,
                pods_per_node,
                pods_per_node_max,
                pods: opt("pods", 0)?,
                max_pods,
                pods_per_core: opt("pods_per_core", 1)?,
                host_network_pods: opt("host_network_pods", 0)?,
                branch_pods_per_node: opt("branch_pods_per_node", 0)?,
                launch: o
                    .get("launch")
                    .map(|n| {
                        n.choice("launch", &["balanced", "karpenter"])
                            .map(|w| match w {
                                "karpenter" => Launch::Karpenter,
                                _ => Launch::Balanced,
                            })
                    })
                    .transpose()?,
            });
        }
    }

    if let Some(n) = top.get("headroom_percent") {
        spec.headroom_percent = Some(u32::try_from(n.uint(0, 1000)?).unwrap_or(1000));
    }
    if let Some(n) = top.get("simulate") {
        spec.simulate = Some(scenario(&n)?);
    }
    Ok(spec)
}

fn scenario(root: &Node<'_>) -> Result<ScenarioSpec, PlanError> {
    if matches!(root.value, Value::Null) {
        return Ok(ScenarioSpec::default());
    }
    let o = root.object(keys::SIMULATE)?;
    let mut s = ScenarioSpec::default();
    let time = |k: &str| o.get(k).map(|n| seconds(&n)).transpose();
    s.duration = time("duration")?;
    s.seed = o.get("seed").map(|n| n.uint(0, u64::MAX)).transpose()?;
    s.tick = time("tick")?;
    if let Some(n) = o.get("placement") {
        s.placement = Some(match n.choice("placement", &["random", "lowest"])? {
            "lowest" => SinglePlacement::Lowest,
            _ => SinglePlacement::Random,
        });
    }
    if let Some(n) = o.get("pod_addresses") {
        s.pod_addresses = Some(
            match n.choice("pod address order", &["ipamd", "random", "packed"])? {
                "packed" => PodAddressOrder::Packed,
                "random" => PodAddressOrder::Random,
                _ => PodAddressOrder::Ipamd,
            },
        );
    }
    s.wait_threshold = time("wait_threshold")?;
    s.sample = time("sample")?;
    if let Some(list) = o.get("events") {
        let mut events = Vec::new();
        for item in list.list()? {
            events.push(event(&item)?);
        }
        s.events = Some(events);
    }
    Ok(s)
}

fn event(item: &Node<'_>) -> Result<EventSpec, PlanError> {
    let mut allowed = vec!["at"];
    allowed.extend_from_slice(keys::EVENT_KINDS);
    let o = item.object(&allowed)?;
    let at = seconds(&o.req("at")?)?;
    let present: Vec<&str> = keys::EVENT_KINDS
        .iter()
        .copied()
        .filter(|k| o.get(k).is_some())
        .collect();
    let (kind_name, body) = match present.as_slice() {
        [k] => match o.get(k) {
            Some(body) => (*k, body),
            None => unreachable!("present"),
        },
        [] => {
            return Err(o.err(format!(
                "missing event: give one of {}",
                keys::EVENT_KINDS.join(", ")
            )));
        }
        more => {
            return Err(o.err(format!(
                "one event per list item, found {}: split it into separate items",
                more.join(" and ")
            )));
        }
    };
    let kind = match kind_name {
        "scale" => {
            let b = body.object(keys::SCALE)?;
            EventSpecKind::Scale {
                node_group: b.req("node_group")?.str()?.to_string(),
                nodes: b.req("nodes")?.u32(0)?,
            }
        }
        "deploy" => {
            let b = body.object(keys::DEPLOY)?;
            let arrival = match b.get("arrival") {
                None => None,
                Some(n) => Some(match n.choice("arrival", &["burst", "one-by-one"])? {
                    "one-by-one" => Arrival::OneByOne,
                    _ => Arrival::Burst,
                }),
            };
            EventSpecKind::Deploy {
                node_group: b.req("node_group")?.str()?.to_string(),
                pods: b.req("pods")?.u32(0)?,
                arrival,
            }
        }
        "churn" => {
            let b = body.object(keys::CHURN)?;
            let pm = b.req("per_minute")?;
            let per_minute = match pm.value {
                Value::Number(x) => x.as_f64().filter(|v| v.is_finite() && *v >= 0.0),
                _ => None,
            }
            .filter(|v| *v <= 10_000_000.0)
            .ok_or_else(|| {
                pm.err("expected a number of pod replacements per minute from 0 to 10000000, such as 60")
            })?;
            EventSpecKind::Churn {
                node_group: b.req("node_group")?.str()?.to_string(),
                per_minute,
                until: b.get("until").map(|n| seconds(&n)).transpose()?,
            }
        }
        "rolling_update" => {
            let b = body.object(keys::ROLLING)?;
            EventSpecKind::RollingUpdate {
                node_group: b.req("node_group")?.str()?.to_string(),
                surge: b.get("surge").map(|n| n.u32(1)).transpose()?,
                drain_seconds: b.get("drain_seconds").map(|n| n.u32(0)).transpose()?,
            }
        }
        "ecs" => {
            let b = body.object(keys::ECS)?;
            EventSpecKind::Ecs {
                service: b.req("service")?.str()?.to_string(),
                tasks: b.req("tasks")?.u32(0)?,
                release_after: b.get("release_after").map(|n| seconds(&n)).transpose()?,
            }
        }
        _ => {
            let b = body.object(keys::SWITCH)?;
            EventSpecKind::SwitchMode {
                node_group: b.req("node_group")?.str()?.to_string(),
                mode: mode(&b.req("mode")?)?,
            }
        }
    };
    Ok(EventSpec { at, kind })
}

/// A time: a whole number of seconds, or number-unit pairs such as `90m`, `1h30m`, `3600s`, `1d`.
fn seconds(n: &Node<'_>) -> Result<u32, PlanError> {
    let bad = |shown: String| {
        n.err(format!(
            "invalid time {shown}: give seconds or a number with a unit (s, m, h, d) such as 90m or 1h30m"
        ))
    };
    let text = match n.value {
        Value::Number(x) => {
            return x
                .as_u64()
                .and_then(|v| u32::try_from(v).ok())
                .ok_or_else(|| bad(format!("'{x}'")));
        }
        Value::String(s) => s.trim(),
        _ => return Err(bad("(not a string or number)".to_string())),
    };
    parse_seconds(text).ok_or_else(|| bad(format!("'{text}'")))
}
