//! The human (table) form of each report: `check`, `simulate` and its trials. Commands choose; these write.

use std::io::Write;

use ipplan_planner::report::{Failure, FindingKind};
use ipplan_planner::{Report, SimReport, TrialsReport};

use crate::output::{Align, Paint, Table, paint};

/// `fits` in green or `DOES NOT FIT` in red (when colour is on).
fn verdict(fits: bool) -> String {
    if fits {
        paint("fits", Paint::Green)
    } else {
        paint("DOES NOT FIT", Paint::Red)
    }
}

/// Rows whose last cell (FITS) is `NO`, in red.
fn failing_row(row: &[String]) -> Option<Paint> {
    (row.last().map(String::as_str) == Some("NO")).then_some(Paint::Red)
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "NO" }.to_string()
}

/// The human report: subnets, node groups, address usage, findings, verdict.
pub fn check(out: &mut dyn Write, r: &Report) -> anyhow::Result<()> {
    writeln!(out, "{}: {}", r.plan, verdict(r.fits()))?;
    writeln!(out, "basis: {}", r.verdict.basis.description())?;
    writeln!(out)?;
    let mut t = Table::new(&[
        ("SUBNET", Align::Left),
        ("AZ", Align::Left),
        ("CIDR", Align::Left),
        ("ROLE", Align::Left),
        ("CAPACITY", Align::Right),
        ("USED", Align::Right),
        ("HEADROOM", Align::Right),
        ("USE%", Align::Right),
        ("/28 FREE (WORST..BEST)", Align::Right),
        ("FITS", Align::Left),
    ]);
    for s in &r.subnets {
        let blocks = match &s.prefix {
            Some(p) => format!(
                "{}..{} of {} needed",
                p.worst_case_free_blocks, p.best_case_free_blocks, p.needed
            ),
            None => "-".to_string(),
        };
        t.push(vec![
            s.name.clone(),
            s.az.clone(),
            s.cidr.to_string(),
            s.role.as_str().to_string(),
            s.capacity.to_string(),
            s.used.to_string(),
            s.headroom.to_string(),
            format!("{:.1}", s.use_percent),
            blocks,
            yes_no(s.fits),
        ]);
    }
    t.write_painted(out, failing_row)?;
    writeln!(out)?;
    // where the addresses go: the parts add up to USED
    let mut w = Table::new(&[
        ("SUBNET", Align::Left),
        ("PODS", Align::Right),
        ("WARM POOL", Align::Right),
        ("ENI PRIMARIES", Align::Right),
        ("NODES", Align::Right),
        ("TRUNK+BRANCH", Align::Right),
        ("OTHER", Align::Right),
        ("CONTROL PLANE", Align::Right),
        ("= USED", Align::Right),
    ]);
    for s in &r.subnets {
        let b = &s.breakdown;
        w.push(vec![
            s.name.clone(),
            b.pods.to_string(),
            b.warm_pool.to_string(),
            b.eni_primaries.to_string(),
            b.node_primaries.to_string(),
            (b.trunk_enis + b.branch_enis).to_string(),
            b.other_consumers.values().sum::<u64>().to_string(),
            b.control_plane.to_string(),
            s.used.to_string(),
        ]);
    }
    w.write(out)?;
    writeln!(out)?;
    // the migration: ECS alone, EKS alone, both side by side (the verdict), and with `overlap: shift` each step
    if r.subnets.iter().any(|s| s.migration.is_some()) {
        let mut m = Table::new(&[
            ("SUBNET", Align::Left),
            ("CAPACITY", Align::Right),
            ("ECS TODAY", Align::Right),
            ("EKS ALONE", Align::Right),
            ("PARALLEL RUN", Align::Right),
            ("FITS", Align::Left),
        ]);
        let mut steps = Table::new(&[
            ("SUBNET", Align::Left),
            ("ON EKS", Align::Right),
            ("ECS", Align::Right),
            ("EKS", Align::Right),
            ("USED", Align::Right),
            ("CAPACITY", Align::Right),
            ("FITS", Align::Left),
            ("", Align::Left),
        ]);
        let mut shift = false;
        for s in &r.subnets {
            if let Some(x) = &s.migration {
                let judge = |n: u64| if n <= s.capacity { "" } else { " (over)" };
                m.push(vec![
                    s.name.clone(),
                    s.capacity.to_string(),
                    format!("{}{}", x.ecs, judge(x.ecs)),
                    format!("{}{}", x.eks, judge(x.eks)),
                    format!("{}{}", x.parallel, judge(x.parallel)),
                    yes_no(s.fits).to_string(),
                ]);
                for st in &x.steps {
                    shift = true;
                    steps.push(vec![
                        s.name.clone(),
                        format!("{}%", st.weight),
                        st.ecs.to_string(),
                        st.eks.to_string(),
                        st.used.to_string(),
                        s.capacity.to_string(),
                        yes_no(st.fits).to_string(),
                        if x.worst_weight == Some(st.weight) {
                            "worst (judged)".to_string()
                        } else {
                            String::new()
                        },
                    ]);
                }
            }
        }
        if shift {
            writeln!(
                out,
                "migration (addresses used; ECS at its deployment peak, everything else in the subnet counted; \
                 overlap: shift judges each subnet's worst step, below):"
            )?;
        } else {
            writeln!(
                out,
                "migration (addresses used; ECS at its deployment peak, everything else in the subnet counted):"
            )?;
        }
        m.write(out)?;
        writeln!(out)?;
        if shift {
            writeln!(
                out,
                "traffic shift (each step: percent of traffic on EKS; the addresses of ECS tasks, of the nodes, and \
                 all the subnet uses):"
            )?;
            steps.write(out)?;
            writeln!(out)?;
        }
    }
    let mut g = Table::new(&[
        ("NODE GROUP", Align::Left),
        ("TYPE", Align::Left),
        ("MODE", Align::Left),
        ("NODES+SURGE", Align::Right),
        ("MAX PODS", Align::Right),
        ("PODS/NODE", Align::Right),
        ("ADDR/NODE", Align::Right),
        ("ENIS/NODE", Align::Right),
        ("MAX NODES", Align::Right),
        ("MORE NODES", Align::Right),
    ]);
    for n in &r.node_groups {
        g.push(vec![
            n.name.clone(),
            n.instance_type.clone(),
            n.pool.mode.as_str().to_string(),
            format!("{}+{}", n.nodes, n.surge),
            format!("{} ({})", n.max_pods, n.max_pods_source),
            pods_per_node(n),
            n.addresses_per_node.to_string(),
            // the trunk ENI (security groups for pods) is an ENI of the node too
            (n.pool.enis + u32::from(n.pool.trunk)).to_string(),
            n.max_nodes.to_string(),
            n.additional_nodes.to_string(),
        ]);
    }
    g.write(out)?;
    for n in &r.node_groups {
        group_notes(out, n)?;
    }
    writeln!(out)?;
    let nau = &r.network_address_usage;
    writeln!(
        out,
        "network address usage: {} of {} (default quota per VPC)",
        nau.used, nau.quota
    )?;
    if !r.findings.is_empty() {
        writeln!(out)?;
        for f in &r.findings {
            let p = match f.severity {
                ipplan_planner::report::Severity::Error => Paint::Red,
                ipplan_planner::report::Severity::Warning => Paint::Yellow,
            };
            writeln!(out, "{}", paint(&f.to_string(), p))?;
        }
    }
    if let Some(first) = &r.verdict.first_failure {
        writeln!(out)?;
        let line = format!("first failure: {}: {}", first.subject, first.message);
        writeln!(out, "{}", paint(&line, Paint::Bold))?;
    }
    Ok(())
}

/// The lines under the node-group table: a mixed fleet's worst and best member side by side, pods planned full.
fn group_notes(
    out: &mut dyn Write,
    n: &ipplan_planner::capacity::NodeGroupReport,
) -> anyhow::Result<()> {
    let shown = |name: &str| {
        n.members.iter().find(|m| m.instance_type == name).map(|m| {
            format!(
                "{name}: {} nodes x {} addresses = {}",
                m.peak_nodes, m.addresses_per_node, m.addresses
            )
        })
    };
    if n.members.len() > 1
        && let (Some(worst), Some(best)) = (shown(&n.worst), shown(&n.best))
    {
        writeln!(
            out,
            "  {}: {} types, judged on the worst, {worst}; best {best}",
            n.name,
            n.members.len()
        )?;
    }
    if n.pods_full {
        writeln!(
            out,
            "  {}: pods unknown, planned full: every node at its max pods ({} - {} host-network = {} pods)",
            n.name, n.max_pods, n.host_network_pods, n.pods_per_node
        )?;
    }
    Ok(())
}

/// `1m30s` for 90.
fn dur(s: u32) -> String {
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

/// The human summary: verdict, per subnet, per node group, pod waits, first failure.
pub fn simulation(out: &mut dyn Write, r: &SimReport) -> anyhow::Result<()> {
    // a run that fails only on ipamd's warm pool says so beside the verdict, not only under the pods line
    let why = match r.verdict.first_failure.as_ref().map(|f| &f.kind) {
        Some(FindingKind::Failure(Failure::WarmPoolNotHeld { .. })) => {
            " (ipamd could not hold its warm pool; no pod affected yet)"
        }
        _ => "",
    };
    writeln!(out, "{}: {}{why}", r.plan, verdict(r.fits()))?;
    writeln!(out, "basis: {}", r.verdict.basis.description())?;
    writeln!(
        out,
        "seed {}, tick {}s, {} simulated{}",
        r.seed,
        r.tick_seconds,
        dur(r.duration_seconds),
        if r.steady { " (until steady)" } else { "" }
    )?;
    writeln!(out)?;
    let mut t = Table::new(&[
        ("SUBNET", Align::Left),
        ("CIDR", Align::Left),
        ("CAPACITY", Align::Right),
        ("PEAK ADDR", Align::Right),
        ("HEADROOM", Align::Right),
        ("PEAK /28 HELD", Align::Right),
        ("MIN FREE /28", Align::Right),
        ("FAILED CIDR", Align::Right),
        ("FAILED ADDR", Align::Right),
        ("FRAG PEAK", Align::Right),
        ("FRAG END", Align::Right),
        ("FITS", Align::Left),
    ]);
    for s in &r.subnets {
        t.push(vec![
            s.name.clone(),
            s.cidr.to_string(),
            s.capacity.to_string(),
            s.used.to_string(),
            s.headroom.to_string(),
            s.peak_prefixes_held.to_string(),
            s.min_free_prefix_blocks.to_string(),
            s.failed_allocations.insufficient_cidr_blocks.to_string(),
            s.failed_allocations
                .insufficient_free_addresses_in_subnet
                .to_string(),
            format!("{:.1}%", s.fragmentation_peak * 100.0),
            format!("{:.1}%", s.fragmentation_final * 100.0),
            yes_no(s.fits),
        ]);
    }
    t.write_painted(out, failing_row)?;
    writeln!(out)?;
    let mut g = Table::new(&[
        ("NODE GROUP", Align::Left),
        ("PEAK NODES", Align::Right),
        ("END NODES", Align::Right),
        ("END PODS", Align::Right),
        ("MAX ENIS/NODE", Align::Right),
        ("MAX SLOTS/NODE", Align::Right),
    ]);
    for n in &r.node_groups {
        g.push(vec![
            n.name.clone(),
            n.peak_nodes.to_string(),
            n.final_nodes.to_string(),
            n.final_pods_running.to_string(),
            n.max_enis_per_node.to_string(),
            n.max_slots_per_node.to_string(),
        ]);
    }
    g.write(out)?;
    writeln!(out)?;
    let p = &r.pods;
    writeln!(
        out,
        "pods: {} placed, {} waited for an address (p50 {}, p99 {}, max {}), {} beyond {}, {} still waiting, \
         {} unschedulable at the end, {} pending beyond {} with no node to take them (max {})",
        p.placed,
        p.waited,
        dur(p.p50_wait_seconds),
        dur(p.p99_wait_seconds),
        dur(p.max_wait_seconds),
        p.waited_beyond_threshold,
        dur(p.threshold_seconds),
        p.still_waiting,
        p.unschedulable_at_end,
        p.pending_beyond_threshold,
        dur(p.threshold_seconds),
        dur(p.max_pending_seconds)
    )?;
    if let Some(first) = &r.verdict.first_failure {
        writeln!(out)?;
        let line = format!("first failure: {}: {}", first.subject, first.message);
        writeln!(out, "{}", paint(&line, Paint::Bold))?;
    }
    Ok(())
}

/// PODS/NODE: the fullest node's pods, and how many peak nodes run one fewer when the plan's `pods` do not divide
/// evenly (`29 (3 at 28)` for 200 pods on 7 nodes).
fn pods_per_node(n: &ipplan_planner::capacity::NodeGroupReport) -> String {
    let peak = n.nodes + n.surge;
    let lighter = peak.saturating_sub(n.full_nodes);
    if lighter == 0 || n.pods_per_node == 0 {
        n.pods_per_node.to_string()
    } else {
        format!("{} ({lighter} at {})", n.pods_per_node, n.pods_per_node - 1)
    }
}

/// The trials summary.
pub fn trials(out: &mut dyn Write, t: &TrialsReport) -> anyhow::Result<()> {
    // `simulate` refuses a seed range past u64::MAX, so this cannot wrap
    let last = t
        .first_seed
        .saturating_add(u64::from(t.trials).saturating_sub(1));
    writeln!(
        out,
        "trials: {} seeds ({}..={}): P(a pod waits beyond the threshold) = {:.3}, P(pods pending with no node \
         to take them) = {:.3}, P(does not fit) = {:.3}, P(a failed allocation) = {:.3}",
        t.trials,
        t.first_seed,
        last,
        t.probability_wait,
        t.probability_pending,
        t.probability_not_fit,
        t.probability_failed_allocation
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::dur;

    #[test]
    fn durations_read_like_the_plan_file() {
        assert_eq!(dur(0), "0s");
        assert_eq!(dur(45), "45s");
        assert_eq!(dur(120), "2m");
        assert_eq!(dur(150), "2m30s");
        assert_eq!(dur(5400), "1h30m");
    }
}
