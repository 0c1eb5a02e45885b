//! `ipplan max-pods`: max pods per node for one or more instance types.
//!
//! ## Wire format (`--format json`; `--format yaml` is the same object)
//!
//! ```text
//! {
//!   "schema_version": 1,                 // bumped on any incompatible change
//!   "data_version": "2026-08-21 (...)",  // ipplan_core::DATA_VERSION
//!   "settings": {
//!     "cni_version": "1.9.0" | null,     // null = a current CNI
//!     "prefix_delegation": bool, "custom_networking": bool, "all_modes": bool,
//!     "max_eni": N | null, "show_max_allowed": bool, "vcpus": N | null,
//!     "reserved_enis": N | null,         // null = Karpenter's default: 1 with custom networking, else 0
//!     "pods_per_core": N | null,
//!     "instance_data": "FILE" | null
//!   },
//!   "results": [{
//!     "instance_type": "m5.large",
//!     "prefix_delegation": bool,         // asked for (see "mode" for what applies)
//!     "custom_networking": bool,
//!     "mode": "secondary-ip" | "prefix", // the mode the CNI runs (prefix delegation may fall back)
//!     "max_pods": N | null,              // what a node gets (110/250 cap unless show_max_allowed); null on error
//!     "eni_limited_pods": N,             // the ENI formula before any cap
//!     "pod_enis": N,                     // ENIs that carry pod addresses
//!     "cap": 110 | 250 | null,           // the cap that lowered max_pods, if one did
//!     "karpenter_max_pods": N | null,    // Karpenter's value (not prefix-aware; null if podsPerCore needs unknown vCPUs)
//!     "pod_eni": N | null,               // vpc.amazonaws.com/pod-eni (branch ENIs); null when unknown
//!     "karpenter_pod_eni": N,            // Karpenter's pod-eni: 0 (and a note) for a type no table lists
//!     "notes": ["..."],                  // why the value is what it is, where not obvious
//!     "error": "..." | null              // set (and max_pods null) when this entry could not be computed
//!   }]
//! }
//! ```
//!
//! Results come in the order the types were named (`--all`: sorted by name); with `--all-modes` each type
//! gives four entries: secondary IPs, prefix delegation, custom networking, custom networking + prefix delegation.
//!
//! Unknown vCPUs: the 110/250 cap depends on the vCPU count, which the table lacks for a few bare-metal types.
//! For a named type that is an error (exit 2, asking for `--vcpus` or `--show-max-allowed`). With `--all` the
//! run goes on: that entry gets `max_pods: null` and an `error` string (`?` in the table), the exit code stays 0.

use std::io::Write;
use std::process::ExitCode;

use ipplan_core::{
    AddressMode, CniVersion, CoreError, InstanceInfo, MaxPodsNote, MaxPodsOptions, PodCap,
    karpenter_max_pods, karpenter_pod_eni_capacity, max_pods, pod_eni_capacity,
};
use serde::Serialize;

use crate::args::Context;
use crate::output::{self, Align, Format, Table};

/// The JSON/YAML `schema_version` of this command's output.
pub const SCHEMA_VERSION: u32 = 1;

/// `ipplan max-pods` arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Instance types, e.g. m5.large.
    #[arg(
        value_name = "TYPE",
        required_unless_present = "all",
        conflicts_with = "all"
    )]
    types: Vec<String>,
    /// Every type in the catalog (the embedded table plus --instance-data rows).
    #[arg(long)]
    all: bool,
    /// VPC CNI version, e.g. 1.19.0 (prefix delegation needs 1.9.0 or later); default: a current CNI.
    #[arg(long, value_name = "V")]
    cni_version: Option<String>,
    /// ENABLE_PREFIX_DELEGATION=true (/28 prefixes per slot; Nitro and bare-metal types only).
    #[arg(long, conflicts_with = "all_modes")]
    prefix_delegation: bool,
    /// Custom networking (ENIConfig): the primary ENI carries no pods.
    #[arg(long, conflicts_with = "all_modes")]
    custom_networking: bool,
    /// MAX_ENI: use at most N ENIs (N >= 1).
    #[arg(long, value_name = "N")]
    max_eni: Option<u32>,
    /// Skip the 110 (<= 30 vCPUs) / 250 cap of max-pods-calculator.sh and EKS managed node groups.
    #[arg(long)]
    show_max_allowed: bool,
    /// vCPUs to use for the cap instead of the table's (needed for types whose count is unknown).
    #[arg(long, value_name = "N")]
    vcpus: Option<u32>,
    /// Karpenter RESERVED_ENIS (default: 1 with custom networking, else 0). Affects KARPENTER only.
    #[arg(long, value_name = "N")]
    reserved_enis: Option<u32>,
    /// Karpenter podsPerCore: KARPENTER = min(N x vCPUs, ENI-limited). Affects KARPENTER only.
    #[arg(long, value_name = "N")]
    pods_per_core: Option<u32>,
    /// Each type in all four modes: secondary, prefix delegation, custom networking, custom + prefix.
    #[arg(long)]
    all_modes: bool,
    /// Output format (`-o`/`--output` as kubectl and the AWS CLI spell it).
    #[arg(
        short = 'o',
        long,
        visible_alias = "output",
        value_enum,
        default_value_t
    )]
    format: Format,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    schema_version: u32,
    data_version: &'static str,
    settings: Settings<'a>,
    results: Vec<Entry>,
}

#[derive(Debug, Serialize)]
struct Settings<'a> {
    cni_version: Option<CniVersion>,
    prefix_delegation: bool,
    custom_networking: bool,
    all_modes: bool,
    max_eni: Option<u32>,
    show_max_allowed: bool,
    vcpus: Option<u32>,
    reserved_enis: Option<u32>,
    pods_per_core: Option<u32>,
    instance_data: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Entry {
    instance_type: String,
    prefix_delegation: bool,
    custom_networking: bool,
    mode: AddressMode,
    max_pods: Option<u32>,
    eni_limited_pods: u32,
    pod_enis: u32,
    cap: Option<u32>,
    karpenter_max_pods: Option<u32>,
    pod_eni: Option<u32>,
    karpenter_pod_eni: u32,
    notes: Vec<String>,
    error: Option<String>,
}

/// Run `ipplan max-pods`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let cni_version = args
        .cni_version
        .as_deref()
        .map(str::parse::<CniVersion>)
        .transpose()?;
    if args.max_eni == Some(0) {
        return Err(CoreError::MaxEniZero(0).into());
    }
    let instances: Vec<&InstanceInfo> = if args.all {
        ctx.catalog.iter().collect()
    } else {
        args.types
            .iter()
            .map(|t| ctx.catalog.get(t))
            .collect::<Result<_, _>>()?
    };
    let modes: &[(bool, bool)] = if args.all_modes {
        &[(false, false), (true, false), (false, true), (true, true)]
    } else {
        &[(args.prefix_delegation, args.custom_networking)]
    };
    let mut results = Vec::with_capacity(instances.len() * modes.len());
    for info in instances {
        for &(pd, custom) in modes {
            let opts = MaxPodsOptions {
                cni_version,
                prefix_delegation: pd,
                custom_networking: custom,
                max_eni: args.max_eni,
                show_max_allowed: args.show_max_allowed,
                vcpus: args.vcpus,
            };
            results.push(entry(info, &opts, args, !args.all)?);
        }
    }
    let report = Report {
        schema_version: SCHEMA_VERSION,
        data_version: ipplan_core::DATA_VERSION,
        settings: Settings {
            cni_version,
            prefix_delegation: args.prefix_delegation,
            custom_networking: args.custom_networking,
            all_modes: args.all_modes,
            max_eni: args.max_eni,
            show_max_allowed: args.show_max_allowed,
            vcpus: args.vcpus,
            reserved_enis: args.reserved_enis,
            pods_per_core: args.pods_per_core,
            instance_data: ctx.instance_data.as_deref(),
        },
        results,
    };
    output::write_report(out, args.format, &report, |o, r| write_table(o, &r.results))?;
    Ok(ExitCode::SUCCESS)
}

/// One result. `strict`: an unknown vCPU count is an error (named types) rather than an entry with `error` set.
fn entry(
    info: &InstanceInfo,
    opts: &MaxPodsOptions,
    args: &Args,
    strict: bool,
) -> anyhow::Result<Entry> {
    let reserved = args
        .reserved_enis
        .unwrap_or(u32::from(opts.custom_networking));
    let karpenter = karpenter_max_pods(info, reserved, args.pods_per_core);
    let (r, error) = match max_pods(info, opts) {
        Ok(r) => (r, None),
        Err(e @ CoreError::VcpusUnknown(_)) if !strict => {
            // the ENI-limited value does not need the vCPU count: report it, leave max_pods unknown
            let uncapped = MaxPodsOptions {
                show_max_allowed: true,
                ..opts.clone()
            };
            let mut r = max_pods(info, &uncapped)?;
            // the script's value would be capped too, with a vCPU count we do not have
            r.notes
                .retain(|n| !matches!(n, MaxPodsNote::PrefixBareMetalScriptDiffers { .. }));
            (r, Some(e.to_string()))
        }
        // core errors already quote the type and say the fix
        Err(e) => return Err(e.into()),
    };
    let mut notes: Vec<String> = r.notes.iter().map(ToString::to_string).collect();
    // Karpenter's view of vpc.amazonaws.com/pod-eni: 0, with a note, for a type no branch-ENI table lists
    let (karpenter_pod_eni, unlisted) = karpenter_pod_eni_capacity(info);
    notes.extend(unlisted.map(|n| n.to_string()));
    if r.mode == AddressMode::Prefix {
        notes.push(
            "karpenter does not count prefixes: set spec.kubelet.maxPods to use them".to_string(),
        );
    }
    Ok(Entry {
        instance_type: info.name.to_string(),
        prefix_delegation: opts.prefix_delegation,
        custom_networking: opts.custom_networking,
        mode: r.mode,
        max_pods: error.is_none().then_some(r.max_pods),
        eni_limited_pods: r.eni_limited_pods,
        pod_enis: r.pod_enis,
        cap: r.cap.map(PodCap::value),
        karpenter_max_pods: karpenter,
        pod_eni: pod_eni_capacity(info),
        karpenter_pod_eni,
        notes,
        error,
    })
}

fn mode_label(e: &Entry) -> &'static str {
    match (e.custom_networking, e.mode) {
        (false, AddressMode::SecondaryIp) => "secondary",
        (false, AddressMode::Prefix) => "prefix",
        (true, AddressMode::SecondaryIp) => "custom",
        (true, AddressMode::Prefix) => "custom+prefix",
    }
}

fn opt(v: Option<u32>, none: &str) -> String {
    v.map_or_else(|| none.to_string(), |n| n.to_string())
}

fn write_table(out: &mut dyn Write, results: &[Entry]) -> anyhow::Result<()> {
    let mut t = Table::new(&[
        ("TYPE", Align::Left),
        ("MODE", Align::Left),
        ("MAX PODS", Align::Right),
        ("ENI-LIMITED", Align::Right),
        ("KARPENTER", Align::Right),
        ("POD-ENI", Align::Right),
        ("NOTES", Align::Left),
    ]);
    for e in results {
        let mut notes = e.notes.clone();
        if let Some(err) = &e.error {
            notes.insert(0, err.clone());
        }
        t.push(vec![
            e.instance_type.clone(),
            mode_label(e).to_string(),
            opt(e.max_pods, "?"),
            e.eni_limited_pods.to_string(),
            opt(e.karpenter_max_pods, "?"),
            opt(e.pod_eni, "-"),
            notes.join("; "),
        ]);
    }
    t.write(out)?;
    Ok(())
}
