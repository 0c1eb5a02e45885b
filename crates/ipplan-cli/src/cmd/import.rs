//! `ipplan import --terraform FILE | --eksctl FILE | --karpenter FILE | --aws-subnets FILE [--aws-enis FILE]
//! [--aws-reservations FILE] [--aws-vpcs FILE] | --ecs-services FILE ...`: a plan YAML from
//! what the team already has, every value commented with where it came from and every assumption listed at the
//! top. The flags combine and repeat; the sources merge into one plan. Exit 0, or 2 with one error line.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use ipplan_planner::import::{Input, InputKind, Overrides, import};

use crate::args::Context;
use crate::plans::write_file;

/// `ipplan import` arguments.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("inputs")
        .required(true)
        .multiple(true)
        .args(["terraform", "eksctl", "karpenter", "aws_subnets", "aws_enis", "aws_reservations", "aws_vpcs", "ecs_services"])
))]
pub struct Args {
    /// `terraform show -json` of a saved plan (`terraform show -json tfplan`) or of a state.
    #[arg(long, value_name = "FILE")]
    pub terraform: Vec<PathBuf>,
    /// An eksctl ClusterConfig (eksctl.io/v1alpha5).
    #[arg(long, value_name = "FILE")]
    pub eksctl: Vec<PathBuf>,
    /// Karpenter NodePools and EC2NodeClasses (karpenter.sh/v1, karpenter.k8s.aws/v1), several documents per file.
    #[arg(long, value_name = "FILE")]
    pub karpenter: Vec<PathBuf>,
    /// `aws ec2 describe-subnets --output json`, for subnets the other inputs name by id or by tags.
    #[arg(long = "aws-subnets", value_name = "FILE")]
    pub aws_subnets: Vec<PathBuf>,
    /// `aws ec2 describe-network-interfaces --output json`: every address and /28 prefix held today, by owner
    /// (load balancer, NAT gateway, VPC endpoint, Lambda, ECS task, EKS node, EKS control plane, other), as
    /// `other_consumers` with `at:`. Pass the subnets with --aws-subnets.
    #[arg(long = "aws-enis", value_name = "FILE")]
    pub aws_enis: Vec<PathBuf>,
    /// `aws ec2 get-subnet-cidr-reservations --subnet-id ID --output json` (one or more subnets, several pages):
    /// each IPv4 reservation into its subnet's `reservations:` (IPv6 ones are listed as not modelled). Pass the
    /// subnets with --aws-subnets.
    #[arg(long = "aws-reservations", value_name = "FILE")]
    pub aws_reservations: Vec<PathBuf>,
    /// `aws ec2 describe-vpcs --output json`: the VPC the subnets are in gives `vpc.cidrs` (the primary block
    /// first, then the other `associated` blocks); each subnet must lie inside them.
    #[arg(long = "aws-vpcs", value_name = "FILE")]
    pub aws_vpcs: Vec<PathBuf>,
    /// `aws ecs describe-services --output json` (several documents per file): the ECS services running in these
    /// subnets during the migration, as `ecs_services` (desiredCount, maximumPercent, awsvpc subnets). Pass the
    /// subnets with --aws-subnets.
    #[arg(long = "ecs-services", value_name = "FILE")]
    pub ecs_services: Vec<PathBuf>,
    /// `aws ecs describe-task-definition --output json` (several documents per file): the services' network mode
    /// on EC2 (Fargate is always awsvpc).
    #[arg(
        long = "ecs-task-definitions",
        value_name = "FILE",
        requires = "ecs_services"
    )]
    pub ecs_task_definitions: Vec<PathBuf>,
    /// Leave this EKS cluster's node ENIs out of --aws-enis (the plan's node groups stand for those nodes).
    #[arg(long = "exclude-cluster", value_name = "NAME", requires = "aws_enis")]
    pub exclude_cluster: Vec<String>,
    /// A node group's peak node count where the input has none (or to override it).
    #[arg(long, value_name = "GROUP=N")]
    pub nodes: Vec<String>,
    /// A node group's pod total at peak (default: every node full).
    #[arg(long, value_name = "GROUP=N")]
    pub pods: Vec<String>,
    /// A node group's pods per node (default: every node full).
    #[arg(long = "pods-per-node", value_name = "GROUP=N")]
    pub pods_per_node: Vec<String>,
    /// Write the plan here instead of to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn pairs(flag: &str, items: &[String]) -> anyhow::Result<BTreeMap<String, u32>> {
    let mut m = BTreeMap::new();
    for it in items {
        let parsed = it
            .rsplit_once('=')
            .and_then(|(k, v)| Some((k.trim(), v.trim().parse::<u32>().ok()?)))
            .filter(|(k, _)| !k.is_empty());
        let Some((k, v)) = parsed else {
            anyhow::bail!(
                "{flag}: '{it}' is not GROUP=N (give a node group name and a whole number, e.g. {flag} general=40)"
            );
        };
        m.insert(k.to_string(), v);
    }
    Ok(m)
}

/// Run `import`.
pub fn run(ctx: &Context, args: &Args, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut inputs = Vec::new();
    for (kind, paths) in [
        (InputKind::AwsSubnets, &args.aws_subnets),
        (InputKind::AwsEnis, &args.aws_enis),
        (InputKind::AwsReservations, &args.aws_reservations),
        (InputKind::AwsVpcs, &args.aws_vpcs),
        (InputKind::Terraform, &args.terraform),
        (InputKind::Eksctl, &args.eksctl),
        (InputKind::Karpenter, &args.karpenter),
        (InputKind::EcsServices, &args.ecs_services),
        (InputKind::EcsTaskDefinitions, &args.ecs_task_definitions),
    ] {
        for p in paths {
            let file = p.display().to_string();
            let text = std::fs::read_to_string(p).with_context(|| {
                format!("cannot read {} file '{file}' (check the path)", kind.flag())
            })?;
            inputs.push(Input { kind, file, text });
        }
    }
    let overrides = Overrides {
        nodes: pairs("--nodes", &args.nodes)?,
        pods: pairs("--pods", &args.pods)?,
        pods_per_node: pairs("--pods-per-node", &args.pods_per_node)?,
        exclude_clusters: args.exclude_cluster.clone(),
    };
    let imported = import(&inputs, &overrides, &ctx.catalog)?;
    let text = imported.to_yaml();
    match &args.out {
        Some(path) => write_file("--out", path, &text)?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
