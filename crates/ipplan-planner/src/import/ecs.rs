//! `aws ecs describe-services --output json` (the ECS API's `DescribeServices` response: `services[]` with
//! `serviceName`, `serviceArn`, `clusterArn`, `status`, `desiredCount`, `runningCount`, `launchType` or
//! `capacityProviderStrategy`, `deploymentConfiguration.maximumPercent`, `deploymentController`,
//! `networkConfiguration.awsvpcConfiguration.subnets`, `taskDefinition`, `deployments[]`; and `failures[]`) and
//! `aws ecs describe-task-definition --output json` (`taskDefinition` with `taskDefinitionArn`, `networkMode`)
//! -> `ecs_services[]`.
//!
//! Each file may hold several documents one after the other (describe-services answers at most 10 services a
//! call; one describe-task-definition call describes one task definition).
//!
//! The network mode (ECS API reference, `TaskDefinition.networkMode`; ECS developer guide, task networking):
//! - Fargate (`launchType: FARGATE`, or a capacity provider strategy of only `FARGATE` / `FARGATE_SPOT`) is
//!   always `awsvpc`.
//! - Otherwise the task definition's `networkMode`; absent, `bridge` (the documented default).
//! - No task definition passed: `awsvpc` when the service has an `awsvpcConfiguration` (ECS accepts a network
//!   configuration only for `awsvpc` task definitions), else `bridge`; the header says which.
//!
//! `bridge`, `host` and `none` services hold no address of their own (their container instances' ENIs do), and
//! `EXTERNAL` (ECS Anywhere) tasks run outside the VPC: those services are listed in the header, not written.
//! `maximumPercent` absent is ECS's default 200 for the rolling update; a blue/green deployment
//! (`deploymentController.type: CODE_DEPLOY`, or `deploymentConfiguration.strategy` other than `ROLLING`) runs the
//! new revision at full size beside the old one, so it is planned at 200 whatever `maximumPercent` says
//! (the ECS API reference notes Fargate does not use `maximumPercent` there).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::import::merge::{FEcsService, Fragment, SubnetRef};
use crate::import::{ImportError, Input, Source, documents};
use crate::plan::EcsNetworkMode;

const FIX_SERVICES: &str = "pass the output of 'aws ecs describe-services --output json'";
const FIX_TASK_DEFS: &str = "pass the output of 'aws ecs describe-task-definition --output json'";

/// A task definition: where it was read and its network mode as written (`None`: absent).
#[derive(Clone)]
struct TaskDef {
    source: Source,
    network_mode: Option<String>,
}

fn task_definitions(inputs: &[&Input]) -> Result<BTreeMap<String, TaskDef>, ImportError> {
    let mut out = BTreeMap::new();
    for i in inputs {
        for (d, doc) in documents(&i.file, &i.text, FIX_TASK_DEFS)?
            .iter()
            .enumerate()
        {
            let at = format!("document {}", d + 1);
            let Some(td) = doc.get("taskDefinition").filter(|t| t.is_object()) else {
                return Err(ImportError::input(
                    &i.file,
                    at,
                    "no 'taskDefinition' object: not describe-task-definition output",
                    FIX_TASK_DEFS,
                ));
            };
            let Some(arn) = td.get("taskDefinitionArn").and_then(Value::as_str) else {
                return Err(ImportError::input(
                    &i.file,
                    format!("{at} taskDefinition"),
                    "no taskDefinitionArn",
                    FIX_TASK_DEFS,
                ));
            };
            let network_mode = match td.get("networkMode") {
                None | Some(Value::Null) => None,
                Some(Value::String(m)) => Some(m.clone()),
                Some(_) => {
                    return Err(ImportError::input(
                        &i.file,
                        format!("{arn} networkMode"),
                        "is not a string",
                        FIX_TASK_DEFS,
                    ));
                }
            };
            out.insert(
                arn.to_string(),
                TaskDef {
                    source: Source::new(&i.file, arn),
                    network_mode,
                },
            );
        }
    }
    // a service may name its task definition by `family:revision` as well as by ARN: each is also found under
    // that (the first ARN in order, should two accounts or regions share it); an ARN never reads like one
    let aliases: Vec<(String, TaskDef)> = out
        .iter()
        .filter_map(|(arn, d)| {
            let (_, family) = arn.rsplit_once("task-definition/")?;
            Some((family.to_string(), d.clone()))
        })
        .collect();
    for (family, d) in aliases {
        out.entry(family).or_insert(d);
    }
    Ok(out)
}

/// The last path segment of an ARN (`arn:aws:ecs:...:cluster/prod` -> `prod`).
fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

pub(crate) fn read(
    services: &[&Input],
    task_defs: &[&Input],
) -> Result<Vec<Fragment>, ImportError> {
    let defs = task_definitions(task_defs)?;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for input in services {
        let file = input.file.as_str();
        let mut f = Fragment::new(file);
        let mut n = 0usize;
        for (d, doc) in documents(file, &input.text, FIX_SERVICES)?
            .iter()
            .enumerate()
        {
            let Some(list) = doc.get("services").and_then(Value::as_array) else {
                return Err(ImportError::input(
                    file,
                    format!("document {}", d + 1),
                    "no 'services' list: not describe-services output",
                    FIX_SERVICES,
                ));
            };
            for fail in doc
                .get("failures")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let get = |k: &str| str_of(fail, k).unwrap_or("");
                f.assumptions.push(format!(
                    "{file}: describe-services could not describe {} ({}{}): not imported",
                    get("arn"),
                    get("reason"),
                    if get("detail").is_empty() {
                        String::new()
                    } else {
                        format!(": {}", get("detail"))
                    }
                ));
            }
            for s in list {
                let k = n;
                n += 1;
                if let Some(e) = service(file, k, s, &defs, &mut f)? {
                    let key = e.arn.clone().unwrap_or_else(|| e.name.clone());
                    if let Some(first) = seen.get(&key) {
                        f.assumptions.push(format!(
                            "{}: described again (first in {first}): counted once",
                            e.source.address
                        ));
                        continue;
                    }
                    seen.insert(key, file.to_string());
                    f.ecs.push(e);
                }
            }
        }
        out.push(f);
    }
    Ok(out)
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// One entry of `services[]`: `Some` for a service whose tasks hold addresses in the VPC.
fn service(
    file: &str,
    k: usize,
    s: &Value,
    defs: &BTreeMap<String, TaskDef>,
    f: &mut Fragment,
) -> Result<Option<FEcsService>, ImportError> {
    let Some(name) = str_of(s, "serviceName").filter(|n| !n.trim().is_empty()) else {
        return Err(ImportError::input(
            file,
            format!("services[{k}]"),
            "no serviceName",
            FIX_SERVICES,
        ));
    };
    let at = format!("services[{k}] ({name})");
    let src = Source::new(file, at.clone());
    let missing = |field: &str| {
        ImportError::input(
            file,
            &at,
            format!("no {field}"),
            format!("{FIX_SERVICES} (the whole output, not a --query of it)"),
        )
    };
    if let Some(status) = str_of(s, "status")
        && status == "INACTIVE"
    {
        f.skip("ECS service INACTIVE (deleted)");
        return Ok(None);
    }
    let desired = s
        .get("desiredCount")
        .ok_or_else(|| missing("desiredCount"))?;
    let tasks = desired
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| {
            ImportError::input(
                file,
                format!("{at} desiredCount"),
                format!("{desired} is not a task count"),
                FIX_SERVICES,
            )
        })?;
    let cluster = str_of(s, "clusterArn").map(arn_name).map(str::to_string);

    // launch type: Fargate is always awsvpc
    let launch = str_of(s, "launchType");
    let providers: Vec<&str> = s
        .get("capacityProviderStrategy")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| str_of(p, "capacityProvider"))
        .collect();
    if launch == Some("EXTERNAL") {
        f.assumptions.push(format!(
            "{at}: launchType EXTERNAL (ECS Anywhere): its tasks run outside the VPC and hold no subnet address; not imported"
        ));
        f.skip("ECS service on EXTERNAL instances");
        return Ok(None);
    }
    let fargate = launch == Some("FARGATE")
        || (launch.is_none()
            && !providers.is_empty()
            && providers
                .iter()
                .all(|p| matches!(*p, "FARGATE" | "FARGATE_SPOT")));
    let awsvpc_cfg = s
        .get("networkConfiguration")
        .and_then(|n| n.get("awsvpcConfiguration"));
    let td_name = str_of(s, "taskDefinition");
    let td = td_name.and_then(|t| defs.get(t));
    let (mode, mode_src): (String, Source) = if fargate {
        let why = launch.map_or_else(
            || {
                format!(
                    "capacityProviderStrategy {}: Fargate is always awsvpc",
                    providers.join(", ")
                )
            },
            |_| "launchType FARGATE: always awsvpc".to_string(),
        );
        ("awsvpc".to_string(), src.field(&why))
    } else if let Some(td) = td {
        match &td.network_mode {
            Some(m) => (m.clone(), td.source.field("networkMode")),
            None => (
                "bridge".to_string(),
                td.source
                    .field("networkMode absent: bridge, the ECS default on EC2"),
            ),
        }
    } else {
        let why = if td_name.is_none() {
            "it names no taskDefinition".to_string()
        } else if defs.is_empty() {
            "no --ecs-task-definitions was passed".to_string()
        } else {
            format!(
                "its task definition {} is in no --ecs-task-definitions file",
                td_name.unwrap_or_default()
            )
        };
        let lt = launch.map_or_else(
            || {
                if providers.is_empty() {
                    "the cluster's default capacity provider".to_string()
                } else {
                    format!("capacity providers {}", providers.join(", "))
                }
            },
            |l| format!("launchType {l}"),
        );
        if awsvpc_cfg.is_some() {
            f.assumptions.push(format!(
                "{at}: {lt} and {why}: network mode awsvpc, because the service has an awsvpcConfiguration, \
                 which ECS accepts only for awsvpc task definitions (pass the task definition with \
                 --ecs-task-definitions to read its networkMode)"
            ));
            (
                "awsvpc".to_string(),
                src.field("networkConfiguration.awsvpcConfiguration present: awsvpc"),
            )
        } else {
            f.assumptions.push(format!(
                "{at}: {lt} and {why}: network mode bridge assumed, the ECS default when a task definition gives \
                 none, so its tasks hold no address of their own (pass the task definition with \
                 --ecs-task-definitions to read its networkMode)"
            ));
            (
                "bridge".to_string(),
                src.field("no task definition: bridge"),
            )
        }
    };
    let network_mode = match mode.as_str() {
        "awsvpc" => EcsNetworkMode::Awsvpc,
        "bridge" | "host" | "none" => {
            f.assumptions.push(format!(
                "{at}: network mode {mode} ({mode_src}): its tasks use their container instance's network and hold \
                 no address of their own (the instances' ENIs do); not imported"
            ));
            f.skip(format!("ECS service in {mode} network mode"));
            return Ok(None);
        }
        other => {
            return Err(ImportError::input(
                &mode_src.file,
                &mode_src.address,
                format!("'{other}' is not an ECS network mode"),
                "give awsvpc, bridge, host or none",
            ));
        }
    };

    // subnets
    let subnets_src = src.field("networkConfiguration.awsvpcConfiguration.subnets");
    let subnet_ids: Vec<&str> = awsvpc_cfg
        .and_then(|c| c.get("subnets"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if subnet_ids.is_empty() {
        return Err(missing(
            "networkConfiguration.awsvpcConfiguration.subnets (an awsvpc service always has them)",
        ));
    }

    // deployment peak
    let cfg = s.get("deploymentConfiguration");
    let controller = s
        .get("deploymentController")
        .and_then(|c| str_of(c, "type"))
        .unwrap_or("ECS");
    let strategy = cfg.and_then(|c| str_of(c, "strategy")).unwrap_or("ROLLING");
    let given = cfg.and_then(|c| c.get("maximumPercent"));
    let given = match given {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|p| u32::try_from(p).ok())
                .ok_or_else(|| {
                    ImportError::input(
                        file,
                        format!("{at} deploymentConfiguration.maximumPercent"),
                        format!("{v} is not a percentage"),
                        FIX_SERVICES,
                    )
                })?,
        ),
    };
    let (max_percent, max_src) = if controller == "CODE_DEPLOY" || strategy != "ROLLING" {
        let how = if controller == "CODE_DEPLOY" {
            "deploymentController CODE_DEPLOY".to_string()
        } else {
            format!("deploymentConfiguration.strategy {strategy}")
        };
        f.assumptions.push(format!(
            "{at}: {how}: a blue/green deployment runs the new revision at full size beside the old one, so its \
             peak is planned at 200 % of desiredCount{}",
            given.map_or(String::new(), |g| format!(" (maximumPercent {g} is not what bounds it)"))
        ));
        (200, src.field(&format!("{how}: 200 (blue/green)")))
    } else if let Some(p) = given {
        (p, src.field("deploymentConfiguration.maximumPercent"))
    } else {
        (
            200,
            src.field("maximumPercent absent: 200, the ECS default"),
        )
    };
    if controller == "EXTERNAL" {
        f.assumptions.push(format!(
            "{at}: deploymentController EXTERNAL: its task sets are not read; the deployment peak is planned from \
             maximumPercent ({max_percent})"
        ));
    }

    // today's tasks, and a deployment in progress
    let deployments: Vec<&Value> = s
        .get("deployments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let running: u64 = if deployments.is_empty() {
        s.get("runningCount").and_then(Value::as_u64).unwrap_or(0)
    } else {
        deployments
            .iter()
            .filter_map(|d| d.get("runningCount").and_then(Value::as_u64))
            .sum()
    };
    if deployments.len() > 1 {
        f.assumptions.push(format!(
            "{at}: a deployment is in progress ({} deployments, {running} tasks running for a desiredCount of \
             {tasks}): planned at its deployment peak anyway",
            deployments.len()
        ));
    }
    if str_of(s, "schedulingStrategy") == Some("DAEMON") {
        f.assumptions.push(format!(
            "{at}: schedulingStrategy DAEMON: desiredCount ({tasks}) is one task per container instance today; \
             more instances mean more tasks"
        ));
    }
    Ok(Some(FEcsService {
        name: name.to_string(),
        arn: str_of(s, "serviceArn").map(str::to_string),
        cluster,
        tasks: (tasks, src.field("desiredCount")),
        running,
        max_percent: (max_percent, max_src),
        subnets: subnet_ids
            .iter()
            .map(|id| SubnetRef::Id((*id).to_string()))
            .collect(),
        subnets_source: subnets_src,
        network_mode: (network_mode, mode_src),
        source: src,
    }))
}
