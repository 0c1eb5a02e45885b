//! The merge step: fragments (what one importer read from one file, with sources) -> one [`PlanSpec`].
//!
//! - The same subnet seen twice (the same id, or the same CIDR) is one subnet: its tags and names are joined,
//!   the first source wins.
//! - Node groups, the control plane and reservations name their subnets by id, by the importer's address, or
//!   (Karpenter) by selector terms; each resolves among every fragment's subnets.
//! - The first fragment with CNI settings gives them; the first with a control plane gives it.
//! - Pods no input knows are planned full (`pods_per_node: max`) unless an override says otherwise.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ipnet::{Ipv4Net, Ipv6Net};

use crate::import::{ImportError, Imported, InputKind, Source, natural_cmp};
use crate::plan::{
    CniSpec, ConsumerSpec, ControlPlaneSpec, EcsNetworkMode, EcsServiceSpec, Launch, MaxPodsSpec,
    NodeGroupSpec, PlanSpec, ReservationSpec, ReservationType, SubnetSpec, VpcSpec,
};

/// What the command line says where the inputs are silent, by node group name (as the imported plan names it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--nodes NAME=N`: the group's peak node count (replaces `max_vcpus` and the input's count).
    pub nodes: BTreeMap<String, u32>,
    /// `--pods NAME=N`: the group's pod total at peak.
    pub pods: BTreeMap<String, u32>,
    /// `--pods-per-node NAME=N`: pods per node.
    pub pods_per_node: BTreeMap<String, u32>,
    /// `--exclude-cluster NAME`: leave that EKS cluster's node ENIs out of `--aws-enis` (the plan's node groups
    /// stand for them).
    pub exclude_clusters: Vec<String>,
}

/// A subnet an importer read.
#[derive(Debug, Clone)]
pub(crate) struct FSubnet {
    /// The importer's address for it (what its own references use).
    pub address: String,
    /// The EC2 id, when known.
    pub id: Option<String>,
    /// A readable name (the `Name` tag, an eksctl key), when there is one.
    pub name: Option<String>,
    pub az: String,
    pub cidr: Ipv4Net,
    /// The subnet's IPv6 block, when the input gives one.
    pub ipv6: Option<Ipv6Net>,
    pub tags: BTreeMap<String, String>,
    pub source: Source,
}

/// One selector term (Karpenter's `subnetSelectorTerms`): tags ANDed, `*` any value; or an id.
#[derive(Debug, Clone, Default)]
pub(crate) struct Term {
    pub tags: BTreeMap<String, String>,
    pub id: Option<String>,
}

/// How a resource names a subnet.
#[derive(Debug, Clone)]
pub(crate) enum SubnetRef {
    /// An EC2 subnet id.
    Id(String),
    /// An importer address (`module.vpc.aws_subnet.private[0]`).
    Address(String),
    /// Selector terms (ORed), restricted to `zones` when given.
    Select {
        terms: Vec<Term>,
        zones: Option<BTreeSet<String>>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct FReservation {
    pub subnet: SubnetRef,
    pub cidr: Ipv4Net,
    pub kind: ReservationType,
    pub source: Source,
}

/// Addresses an owner holds today in one subnet (`--aws-enis`): becomes an `other_consumers` entry with `at:`.
#[derive(Debug, Clone)]
pub(crate) struct FConsumer {
    pub subnet: SubnetRef,
    pub what: String,
    /// Sorted, distinct; each with the index of its ENI in `enis`.
    pub singles: Vec<(std::net::Ipv4Addr, u32)>,
    pub prefixes: Vec<(Ipv4Net, u32)>,
    pub enis: Vec<String>,
    pub source: Source,
}

/// An ECS service (`--ecs-services`) whose tasks hold addresses (`awsvpc`): becomes an `ecs_services` entry.
#[derive(Debug, Clone)]
pub(crate) struct FEcsService {
    pub name: String,
    pub arn: Option<String>,
    /// The cluster's name (the last part of `clusterArn`).
    pub cluster: Option<String>,
    pub tasks: (u32, Source),
    /// Tasks running today (the deployments' `runningCount`s).
    pub running: u64,
    pub max_percent: (u32, Source),
    pub subnets: Vec<SubnetRef>,
    pub subnets_source: Source,
    pub network_mode: (EcsNetworkMode, Source),
    pub source: Source,
}

/// A VPC `--aws-vpcs` read: its id and its associated IPv4 blocks, the primary first.
#[derive(Debug, Clone)]
pub(crate) struct FVpc {
    pub id: String,
    pub cidrs: Vec<Ipv4Net>,
    /// Entries of its `Ipv6CidrBlockAssociationSet`.
    pub ipv6_blocks: usize,
    pub source: Source,
}

#[derive(Debug, Clone)]
pub(crate) struct FControlPlane {
    pub subnets: Vec<SubnetRef>,
    pub source: Source,
}

/// A node group an importer read.
#[derive(Debug, Clone)]
pub(crate) struct FGroup {
    pub name: String,
    pub source: Source,
    pub instance_types: Vec<String>,
    pub types_source: Source,
    pub subnets: Vec<SubnetRef>,
    pub subnets_source: Source,
    pub nodes: Option<(u32, Source)>,
    pub max_vcpus: Option<(u32, Source)>,
    /// What supplies the node count when the input has none (`set spec.limits.cpu`).
    pub nodes_fix: String,
    pub max_pods: Option<(MaxPodsSpec, Source)>,
    pub pods_per_core: Option<(u32, Source)>,
    /// `launch: karpenter` for a Karpenter NodePool (its nodes take the zone's freest subnet).
    pub launch: Option<(Launch, Source)>,
}

/// What one importer read from one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fragment {
    pub file: String,
    pub vpc_cidrs: Vec<(Ipv4Net, Source)>,
    /// The settings, each field's source, the block's source.
    pub cni: Option<(CniSpec, BTreeMap<String, Source>, Source)>,
    pub subnets: Vec<FSubnet>,
    pub reservations: Vec<FReservation>,
    pub consumers: Vec<FConsumer>,
    /// describe-subnets' `AvailableIpAddressCount` per subnet id, for the cross-check against the ENIs.
    pub available: Vec<(String, u64)>,
    /// Addresses of ENIs left out by `--exclude-cluster`, per subnet id, as inclusive ranges (still in use, for
    /// the cross-check).
    pub excluded: BTreeMap<String, Vec<(u32, u32)>>,
    /// describe-subnets' `VpcId` per subnet id, with the subnet's source (`--aws-vpcs` checks the subnets lie in
    /// their VPC's blocks).
    pub subnet_vpcs: Vec<(String, String, Source)>,
    /// describe-vpcs' VPCs (`--aws-vpcs`), before the one the subnets are in is chosen.
    pub vpcs: Vec<FVpc>,
    pub control_plane: Option<FControlPlane>,
    pub groups: Vec<FGroup>,
    pub ecs: Vec<FEcsService>,
    pub assumptions: Vec<String>,
    pub skipped: BTreeMap<String, usize>,
}

impl Fragment {
    pub(crate) fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
            ..Self::default()
        }
    }

    pub(crate) fn skip(&mut self, what: impl Into<String>) {
        *self.skipped.entry(what.into()).or_insert(0) += 1;
    }
}

struct Merged {
    subnet: FSubnet,
    addresses: Vec<String>,
}

/// The flags that describe subnets.
const SUBNET_FLAGS: &str = "--terraform, --eksctl or --aws-subnets";

pub(crate) fn merge(
    fragments: Vec<Fragment>,
    overrides: &Overrides,
    present: &[InputKind],
) -> Result<Imported, ImportError> {
    let mut subnets: Vec<Merged> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_cidr: HashMap<Ipv4Net, usize> = HashMap::new();
    let mut by_address: HashMap<String, usize> = HashMap::new();
    let mut assumptions = Vec::new();
    let mut skipped = BTreeMap::new();
    for f in &fragments {
        for s in &f.subnets {
            let found =
                s.id.as_ref()
                    .and_then(|id| by_id.get(id))
                    .or_else(|| by_cidr.get(&s.cidr))
                    .copied();
            let i = match found {
                Some(i) => {
                    let m = &mut subnets[i];
                    if m.subnet.cidr != s.cidr || m.subnet.az != s.az {
                        return Err(ImportError::input(
                            &s.source.file,
                            &s.source.address,
                            format!(
                                "{} in {} is also {} ({} in {}) of {}: the inputs disagree, or describe two VPCs",
                                s.cidr,
                                s.az,
                                m.subnet.source.address,
                                m.subnet.cidr,
                                m.subnet.az,
                                m.subnet.source.file
                            ),
                            "import one VPC at a time, with inputs that agree on its subnets",
                        ));
                    }
                    for (k, v) in &s.tags {
                        m.subnet.tags.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    if m.subnet.id.is_none() {
                        m.subnet.id.clone_from(&s.id);
                    }
                    if m.subnet.name.is_none() {
                        m.subnet.name.clone_from(&s.name);
                    }
                    m.addresses.push(s.address.clone());
                    i
                }
                None => {
                    subnets.push(Merged {
                        subnet: s.clone(),
                        addresses: vec![s.address.clone()],
                    });
                    subnets.len() - 1
                }
            };
            if let Some(id) = &subnets[i].subnet.id {
                by_id.insert(id.clone(), i);
            }
            by_cidr.insert(s.cidr, i);
            by_address.insert(s.address.clone(), i);
        }
    }

    let flags = SUBNET_FLAGS;
    let resolve = |r: &SubnetRef, src: &Source, what: &str| -> Result<Vec<usize>, ImportError> {
        let missing = |name: String| {
            ImportError::input(
                &src.file,
                &src.address,
                format!("{what} '{name}' is in no input"),
                format!("pass the input that describes it with {flags}"),
            )
        };
        match r {
            SubnetRef::Id(id) => by_id
                .get(id)
                .map(|&i| vec![i])
                .ok_or_else(|| missing(id.clone())),
            SubnetRef::Address(a) => by_address
                .get(a)
                .map(|&i| vec![i])
                .ok_or_else(|| missing(a.clone())),
            SubnetRef::Select { terms, zones } => {
                let hit: Vec<usize> = subnets
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| {
                        zones.as_ref().is_none_or(|z| z.contains(&m.subnet.az))
                            && terms.iter().any(|t| term_matches(t, &m.subnet))
                    })
                    .map(|(i, _)| i)
                    .collect();
                if hit.is_empty() {
                    let shown: Vec<String> = terms.iter().map(show_term).collect();
                    let zones = zones.as_ref().map_or(String::new(), |z| {
                        format!(" in {}", z.iter().cloned().collect::<Vec<_>>().join(", "))
                    });
                    let what = if subnets.is_empty() {
                        format!(
                            "its subnet selector ({}) has no subnets to match: no input describes any",
                            shown.join(" or ")
                        )
                    } else {
                        format!(
                            "its subnet selector ({}) matches none of the {} subnets the inputs describe{zones}",
                            shown.join(" or "),
                            subnets.len()
                        )
                    };
                    return Err(ImportError::input(
                        &src.file,
                        &src.address,
                        what,
                        format!(
                            "pass the subnets it selects with {flags}, tagged as the selector says"
                        ),
                    ));
                }
                Ok(hit)
            }
        }
    };

    let mut reservations: Vec<Vec<(ReservationSpec, Source)>> = vec![Vec::new(); subnets.len()];
    for f in &fragments {
        for r in &f.reservations {
            for i in resolve(&r.subnet, &r.source, "subnet")? {
                let res = &mut reservations[i];
                if !res.iter().any(|(x, _)| x.cidr == r.cidr) {
                    res.push((
                        ReservationSpec {
                            cidr: r.cidr,
                            kind: r.kind,
                        },
                        r.source.clone(),
                    ));
                }
            }
        }
    }

    // the ECS services' subnets, first: their task ENIs in --aws-enis are their tasks, counted once
    let ecs_all: Vec<&FEcsService> = fragments.iter().flat_map(|f| &f.ecs).collect();
    let mut ecs_subnets: Vec<Vec<usize>> = Vec::with_capacity(ecs_all.len());
    for e in &ecs_all {
        let mut ids: Vec<usize> = Vec::new();
        for r in &e.subnets {
            for i in resolve(r, &e.subnets_source, "subnet")? {
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
        }
        ecs_subnets.push(ids);
    }
    // per service, the task ENI addresses given to it; per subnet, how many
    let mut ecs_at: Vec<Vec<std::net::Ipv4Addr>> = vec![Vec::new(); ecs_all.len()];
    let mut ecs_at_source: Vec<Option<Source>> = vec![None; ecs_all.len()];
    let mut ecs_spans: Vec<Vec<(u32, u32)>> = vec![Vec::new(); subnets.len()];

    let mut consumers: Vec<Vec<(ConsumerSpec, Source)>> = vec![Vec::new(); subnets.len()];
    for f in &fragments {
        for c in &f.consumers {
            let who = |k: u32| c.enis.get(k as usize).cloned().unwrap_or_default();
            let first = c
                .singles
                .first()
                .map(|x| x.1)
                .or_else(|| c.prefixes.first().map(|x| x.1))
                .unwrap_or(0);
            let src = Source::new(&c.source.file, who(first));
            let [i] = resolve(&c.subnet, &src, "its subnet")?[..] else {
                continue;
            };
            let cidr = subnets[i].subnet.cidr;
            let outside = |what: String, k: u32| {
                ImportError::input(
                    &c.source.file,
                    who(k),
                    format!("{what} is outside its subnet {cidr}"),
                    "pass describe-subnets and describe-network-interfaces output of the same VPC, taken together",
                )
            };
            for &(a, k) in &c.singles {
                if !cidr.contains(&a) {
                    return Err(outside(format!("address {a}"), k));
                }
            }
            for &(p, k) in &c.prefixes {
                if !cidr.contains(&p) {
                    return Err(outside(format!("prefix {p}"), k));
                }
            }
            let mut singles: Vec<std::net::Ipv4Addr> = c.singles.iter().map(|x| x.0).collect();
            if c.what == "ecs-task" && !ecs_all.is_empty() {
                let here: Vec<usize> = (0..ecs_all.len())
                    .filter(|&k| ecs_subnets[k].contains(&i))
                    .collect();
                let given = attribute_task_enis(&ecs_all, &ecs_subnets, &here, &mut singles);
                let subnet = &subnets[i].subnet.source.address;
                let mut parts = Vec::new();
                for (&k, addrs) in here.iter().zip(given) {
                    if addrs.is_empty() {
                        continue;
                    }
                    parts.push(format!("{} {}", addrs.len(), ecs_all[k].name));
                    ecs_spans[i].extend(addrs.iter().map(|&a| (u32::from(a), u32::from(a))));
                    ecs_at[k].extend(addrs);
                    ecs_at_source[k].get_or_insert_with(|| {
                        Source::new(
                            &c.source.file,
                            "ECS task ENIs in its subnets, given by subnet",
                        )
                    });
                }
                if !parts.is_empty() {
                    assumptions.push(format!(
                        "{subnet}: its ECS task ENIs are the imported services' tasks, counted once and held where \
                         they are ({}); an ENI names its task's attachment, not its service, so they are given to \
                         the services of the subnet, each up to its tasks there today, then up to its deployment \
                         peak",
                        parts.join(", ")
                    ));
                }
                if !singles.is_empty() || !c.prefixes.is_empty() {
                    assumptions.push(format!(
                        "{subnet}: {} addresses of ECS task ENIs are more than the imported services' tasks there \
                         hold: kept as other consumers (pass their services with --ecs-services)",
                        singles.len() + 16 * c.prefixes.len()
                    ));
                } else {
                    continue;
                }
            }
            let mut at = crate::import::aws_enis::ranges(&singles);
            at.extend(c.prefixes.iter().map(|x| x.0.to_string()));
            if c.what == "eks-node" {
                assumptions.push(format!(
                    "{}: {} addresses of EKS nodes running today are held as other consumers; if the plan's node \
                     groups stand for those nodes, delete that entry",
                    subnets[i].subnet.source.address,
                    singles.len() + 16 * c.prefixes.len()
                ));
            }
            consumers[i].push((
                ConsumerSpec {
                    what: c.what.clone(),
                    addresses: singles.len() as u64 + 16 * c.prefixes.len() as u64,
                    at,
                },
                c.source.clone(),
            ));
        }
    }

    // describe-subnets' count of available addresses against what the ENIs hold
    if present.contains(&InputKind::AwsEnis) {
        for f in &fragments {
            for (id, available) in &f.available {
                let Some(&i) = by_id.get(id) else { continue };
                let cidr = subnets[i].subnet.cidr;
                let left_out = fragments
                    .iter()
                    .filter_map(|g| g.excluded.get(id))
                    .flatten()
                    .chain(&ecs_spans[i]);
                let check = available_check(cidr, &consumers[i], left_out, &reservations[i]);
                if check.expected != *available {
                    let in_reservations = if check.reserved == 0 {
                        String::new()
                    } else {
                        format!(" - {} unused in CIDR reservations", check.reserved)
                    };
                    assumptions.push(format!(
                        "{id}: describe-subnets counts {available} available addresses, but {} - 5 reserved - {} \
                         held by the listed ENIs{in_reservations} leaves {}: {} addresses are {} (other holders, or \
                         the two outputs were taken at different times)",
                        check.size,
                        check.held,
                        check.expected,
                        check.expected.abs_diff(*available),
                        if *available < check.expected {
                            "held by something describe-network-interfaces does not list"
                        } else {
                            "listed by the ENIs but counted free by EC2"
                        }
                    ));
                }
            }
        }
    }

    // names: the readable one when free, else the address
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut names = Vec::with_capacity(subnets.len());
    for m in &subnets {
        let mut name = m
            .subnet
            .name
            .clone()
            .filter(|n| !n.trim().is_empty() && !used.contains(n))
            .unwrap_or_else(|| m.subnet.address.clone());
        let base = name.clone();
        let mut k = 2;
        while used.contains(&name) {
            name = format!("{base}-{k}");
            k += 1;
        }
        used.insert(name.clone());
        names.push(name);
    }

    let mut provenance: BTreeMap<String, Source> = BTreeMap::new();
    let mut spec = PlanSpec::default();
    for (i, m) in subnets.iter().enumerate() {
        provenance.insert(format!("subnets[{i}]"), m.subnet.source.clone());
        for (k, (_, src)) in reservations[i].iter().enumerate() {
            provenance.insert(format!("subnets[{i}].reservations[{k}]"), src.clone());
        }
        for (k, (_, src)) in consumers[i].iter().enumerate() {
            provenance.insert(format!("subnets[{i}].other_consumers[{k}]"), src.clone());
        }
        spec.subnets.push(SubnetSpec {
            name: names[i].clone(),
            az: m.subnet.az.clone(),
            cidr: m.subnet.cidr,
            ipv6_cidr: m.subnet.ipv6,
            role: None,
            reservations: reservations[i].iter().map(|(r, _)| *r).collect(),
            other_consumers: consumers[i].iter().map(|(c, _)| c.clone()).collect(),
            tags: m.subnet.tags.clone(),
        });
    }

    for f in &fragments {
        assumptions.extend(f.assumptions.iter().cloned());
        if !f.skipped.is_empty() {
            skipped.insert(f.file.clone(), f.skipped.clone());
        }
    }

    // CNI: the first input that has settings
    for f in &fragments {
        let Some((cni, fields, src)) = &f.cni else {
            continue;
        };
        if spec.cni.is_none() {
            spec.cni = Some(cni.clone());
            provenance.insert("cni".to_string(), src.clone());
            provenance.extend(fields.clone());
        } else if spec.cni.as_ref() != Some(cni) {
            assumptions.push(format!(
                "{}: its CNI settings differ from {}'s and are ignored: the first input's apply",
                src.address,
                provenance.get("cni").map_or("", |s| s.address.as_str())
            ));
        }
    }

    // the control plane: the first input that has one
    for f in &fragments {
        let Some(cp) = &f.control_plane else {
            continue;
        };
        if spec.control_plane.is_some() {
            assumptions.push(format!(
                "{}: a second cluster; its control plane is ignored (import one cluster at a time)",
                cp.source.address
            ));
            continue;
        }
        let mut ids: Vec<usize> = Vec::new();
        for r in &cp.subnets {
            for i in resolve(r, &cp.source, "subnet")? {
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
        }
        if ids.is_empty() {
            continue;
        }
        provenance.insert("control_plane".to_string(), cp.source.clone());
        spec.control_plane = Some(ControlPlaneSpec {
            subnets: ids.iter().map(|&i| names[i].clone()).collect(),
            enis: None,
        });
        assumptions.push(format!(
            "{}: EKS creates 4 control-plane ENIs in its subnets (its documented 2 to 4), each subnet keeping \
             room for twice its share during an upgrade",
            cp.source.address
        ));
    }

    // node groups
    let mut group_names: BTreeSet<String> = BTreeSet::new();
    for f in &fragments {
        for g in &f.groups {
            let mut ids: Vec<usize> = Vec::new();
            for r in &g.subnets {
                for i in resolve(r, &g.subnets_source, "subnet")? {
                    if !ids.contains(&i) {
                        ids.push(i);
                    }
                }
            }
            ids.sort_by(|&a, &b| natural_cmp(&names[a], &names[b]));
            let mut name = g.name.clone();
            let mut k = 2;
            while group_names.contains(&name) {
                name = format!("{}-{k}", g.name);
                k += 1;
            }
            group_names.insert(name.clone());
            let gi = spec.node_groups.len();
            let at = |f: &str| format!("node_groups[{gi}].{f}");
            provenance.insert(format!("node_groups[{gi}]"), g.source.clone());
            let mut ng = NodeGroupSpec {
                name: name.clone(),
                subnets: ids.iter().map(|&i| names[i].clone()).collect(),
                ..NodeGroupSpec::default()
            };
            provenance.insert(at("subnets"), g.subnets_source.clone());
            if g.instance_types.len() == 1 {
                ng.instance_type.clone_from(&g.instance_types[0]);
                provenance.insert(at("instance_type"), g.types_source.clone());
            } else {
                ng.instance_types.clone_from(&g.instance_types);
                provenance.insert(at("instance_types"), g.types_source.clone());
            }
            if let Some(&n) = overrides.nodes.get(&name) {
                ng.nodes = n;
                provenance.insert(
                    at("nodes"),
                    Source::new("--nodes", format!("--nodes {name}={n}")),
                );
            } else if let Some((n, src)) = &g.nodes {
                ng.nodes = *n;
                provenance.insert(at("nodes"), src.clone());
            } else if let Some((v, src)) = &g.max_vcpus {
                ng.max_vcpus = Some(*v);
                provenance.insert(at("max_vcpus"), src.clone());
            } else {
                return Err(ImportError::input(
                    &g.source.file,
                    &g.source.address,
                    "nothing bounds its node count",
                    format!("{}, or pass --nodes {name}=N", g.nodes_fix),
                ));
            }
            if let Some((m, src)) = &g.max_pods {
                ng.max_pods = Some(*m);
                provenance.insert(at("max_pods"), src.clone());
            }
            if let Some((p, src)) = &g.pods_per_core {
                ng.pods_per_core = Some(*p);
                provenance.insert(at("pods_per_core"), src.clone());
            }
            if let Some((l, src)) = &g.launch {
                ng.launch = Some(*l);
                provenance.insert(at("launch"), src.clone());
            }
            if let Some(&p) = overrides.pods.get(&name) {
                ng.pods = Some(p);
                provenance.insert(
                    at("pods"),
                    Source::new("--pods", format!("--pods {name}={p}")),
                );
            } else if let Some(&p) = overrides.pods_per_node.get(&name) {
                ng.pods_per_node = Some(p);
                provenance.insert(
                    at("pods_per_node"),
                    Source::new("--pods-per-node", format!("--pods-per-node {name}={p}")),
                );
            } else {
                ng.pods_per_node_max = true;
                provenance.insert(
                    at("pods_per_node"),
                    Source::new(&g.source.file, "pods unknown: every node full"),
                );
                assumptions.push(format!(
                    "node group '{name}' ({}): its pods are not in the input, so every node is planned full, at \
                     its max pods (pass --pods {name}=N or --pods-per-node {name}=N to plan fewer)",
                    g.source.address
                ));
            }
            spec.node_groups.push(ng);
        }
    }
    if !spec.node_groups.is_empty() {
        assumptions.push(
            "surge 0 for every node group: a rolling update's extra nodes are not counted (set surge)".to_string(),
        );
    }
    for (flag, map) in [
        ("--nodes", &overrides.nodes),
        ("--pods", &overrides.pods),
        ("--pods-per-node", &overrides.pods_per_node),
    ] {
        for name in map.keys() {
            if !group_names.contains(name) {
                let known: Vec<&str> = group_names.iter().map(String::as_str).collect();
                return Err(ImportError::input(
                    flag,
                    name,
                    "no imported node group has that name",
                    format!("name one of: {}", known.join(", ")),
                ));
            }
        }
    }

    // ECS services: their subnets by id among every input's subnets
    let mut ecs_names: BTreeSet<String> = BTreeSet::new();
    {
        for (n, e) in ecs_all.iter().enumerate() {
            let ids = &ecs_subnets[n];
            let mut name = e.name.clone();
            if ecs_names.contains(&name) {
                let base = e
                    .cluster
                    .as_ref()
                    .map_or_else(|| e.name.clone(), |c| format!("{c}/{}", e.name));
                name.clone_from(&base);
                let mut k = 2;
                while ecs_names.contains(&name) {
                    name = format!("{base}-{k}");
                    k += 1;
                }
                assumptions.push(format!(
                    "{}: another imported ECS service is also named '{}': this one is '{name}' in the plan",
                    e.source.address, e.name
                ));
            }
            ecs_names.insert(name.clone());
            let k = spec.ecs_services.len();
            let at = |f: &str| format!("ecs_services[{k}].{f}");
            provenance.insert(format!("ecs_services[{k}]"), e.source.clone());
            provenance.insert(at("tasks"), e.tasks.1.clone());
            provenance.insert(at("max_percent"), e.max_percent.1.clone());
            provenance.insert(at("subnets"), e.subnets_source.clone());
            provenance.insert(at("network_mode"), e.network_mode.1.clone());
            let mut held = std::mem::take(&mut ecs_at[n]);
            held.sort_unstable();
            if let Some(src) = ecs_at_source[n].take() {
                provenance.insert(at("at"), src);
            }
            spec.ecs_services.push(EcsServiceSpec {
                name,
                tasks: e.tasks.0,
                max_percent: Some(e.max_percent.0),
                subnets: ids.iter().map(|&i| names[i].clone()).collect(),
                network_mode: Some(e.network_mode.0),
                at: crate::import::aws_enis::ranges(&held),
            });
        }
    }

    // vpc.cidrs: every block named, when every subnet lies inside them
    let mut vpc: Vec<(Ipv4Net, Source)> = Vec::new();
    for f in &fragments {
        for (c, src) in &f.vpc_cidrs {
            if !vpc.iter().any(|(x, _)| x == c) {
                vpc.push((*c, src.clone()));
            }
        }
    }
    if !vpc.is_empty() {
        let outside = spec
            .subnets
            .iter()
            .find(|s| !vpc.iter().any(|(c, _)| c.contains(&s.cidr)));
        match outside {
            None => {
                for (i, (_, src)) in vpc.iter().enumerate() {
                    provenance.insert(format!("vpc.cidrs[{i}]"), src.clone());
                }
                spec.vpc = Some(VpcSpec {
                    cidrs: vpc.iter().map(|(c, _)| *c).collect(),
                });
            }
            Some(s) => assumptions.push(format!(
                "vpc.cidrs left out: subnet '{}' ({}) lies outside the VPC blocks the inputs name",
                s.name, s.cidr
            )),
        }
    }
    if spec.subnets.is_empty() {
        let file = fragments.first().map_or(String::new(), |f| f.file.clone());
        return Err(ImportError::input(
            &file,
            "(all inputs)",
            "no subnet with a known CIDR",
            format!("pass the subnets with {flags}"),
        ));
    }
    Ok(Imported {
        spec,
        provenance,
        assumptions,
        skipped,
        inputs: Vec::new(),
    })
}

/// What describe-subnets' `AvailableIpAddressCount` should be, from the addresses the inputs place.
struct Available {
    size: u64,
    /// Addresses the ENIs hold (listed or left out by `--exclude-cluster`), outside the AWS-reserved ones.
    held: u64,
    /// Addresses in CIDR reservations neither AWS-reserved nor held.
    reserved: u64,
    /// `size - 5 - held - reserved`.
    expected: u64,
}

/// EC2 counts as available the addresses that are neither AWS-reserved, nor assigned, nor in a subnet CIDR
/// reservation (docs/model.md, "Subnet and VPC facts"): the size less the union of the three.
fn available_check<'a>(
    cidr: Ipv4Net,
    consumers: &[(ConsumerSpec, Source)],
    left_out: impl Iterator<Item = &'a (u32, u32)>,
    reservations: &[(ReservationSpec, Source)],
) -> Available {
    let (lo, hi) = (u32::from(cidr.network()), u32::from(cidr.broadcast()));
    let size = u64::from(hi - lo) + 1;
    let aws = [(lo, lo.saturating_add(3).min(hi)), (hi, hi)];
    let mut held: Vec<(u32, u32)> = left_out.copied().collect();
    for (c, _) in consumers {
        held.extend(c.at.iter().filter_map(|t| crate::svg::at_span(t)));
    }
    let reserved: Vec<(u32, u32)> = reservations
        .iter()
        .map(|(r, _)| (u32::from(r.cidr.network()), u32::from(r.cidr.broadcast())))
        .collect();
    let within = |v: &mut Vec<(u32, u32)>| {
        v.retain(|&(a, b)| a <= b && a <= hi && b >= lo);
        for s in v.iter_mut() {
            *s = (s.0.max(lo), s.1.min(hi));
        }
    };
    within(&mut held);
    let mut all_reserved = reserved;
    within(&mut all_reserved);
    let base = union_len(aws.to_vec());
    let with_held = union_len(aws.iter().copied().chain(held.iter().copied()).collect());
    let with_all = union_len(
        aws.iter()
            .copied()
            .chain(held.iter().copied())
            .chain(all_reserved.iter().copied())
            .collect(),
    );
    Available {
        size,
        held: with_held - base,
        reserved: with_all - with_held,
        expected: size - with_all,
    }
}

/// Addresses covered by inclusive ranges.
fn union_len(mut v: Vec<(u32, u32)>) -> u64 {
    v.sort_unstable();
    let mut total = 0u64;
    let mut cur: Option<(u32, u32)> = None;
    for (a, b) in v {
        match cur {
            Some((s, e)) if a <= e.saturating_add(1) => cur = Some((s, e.max(b))),
            Some((s, e)) => {
                total += u64::from(e - s) + 1;
                cur = Some((a, b));
            }
            None => cur = Some((a, b)),
        }
    }
    if let Some((s, e)) = cur {
        total += u64::from(e - s) + 1;
    }
    total
}

fn term_matches(t: &Term, s: &FSubnet) -> bool {
    if let Some(id) = &t.id {
        return s.id.as_deref() == Some(id.as_str());
    }
    !t.tags.is_empty()
        && t.tags
            .iter()
            .all(|(k, v)| s.tags.get(k).is_some_and(|have| v == "*" || have == v))
}

fn show_term(t: &Term) -> String {
    match &t.id {
        Some(id) => format!("id {id}"),
        None => t
            .tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

/// Give a subnet's ECS task ENI addresses (`singles`, sorted) to the services `here` (indexes into `services`)
/// that run tasks in it: first each up to its tasks there today (`ceil(running / subnets)`), then each up to its
/// deployment peak there (`ceil(floor(tasks * max_percent / 100) / subnets)`). Returns each service's addresses;
/// what no service takes stays in `singles`.
fn attribute_task_enis(
    services: &[&FEcsService],
    subnets: &[Vec<usize>],
    here: &[usize],
    singles: &mut Vec<std::net::Ipv4Addr>,
) -> Vec<Vec<std::net::Ipv4Addr>> {
    let mut given: Vec<Vec<std::net::Ipv4Addr>> = vec![Vec::new(); here.len()];
    let n = |k: usize| subnets[k].len().max(1) as u64;
    let today = |k: usize| services[k].running.div_ceil(n(k));
    let peak = |k: usize| {
        let e = services[k];
        let tasks = u64::from(e.tasks.0);
        (tasks * u64::from(e.max_percent.0) / 100)
            .max(tasks)
            .div_ceil(n(k))
    };
    let mut rest = std::mem::take(singles).into_iter();
    for limit in [&today as &dyn Fn(usize) -> u64, &peak] {
        for (g, &k) in given.iter_mut().zip(here) {
            while (g.len() as u64) < limit(k) {
                match rest.next() {
                    Some(a) => g.push(a),
                    None => break,
                }
            }
        }
    }
    singles.extend(rest);
    given
}
