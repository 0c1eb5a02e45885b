//! `ipplan report`: one self-contained HTML page (no network, no script, no external font) with the verdict, the
//! subnets, node groups, findings, the what-if layouts, each subnet's /28 map and the usage-over-time plot. It
//! reads on a phone (tables scroll sideways, pictures shrink to the screen) and prints (no dark backgrounds, each
//! section kept together where it fits).

use std::fmt::Write as _;

use ipplan_planner::capacity::Advice;
use ipplan_planner::report::Severity;
use ipplan_planner::{Comparison, Report, SimReport};

/// Everything a page shows.
#[derive(Debug)]
pub struct Page<'a> {
    /// The closed-form report.
    pub report: &'a Report,
    /// The what-if layouts, when they could be laid out.
    pub comparison: Option<&'a Comparison>,
    /// When the plan does not fit: the candidate changes, best first.
    pub advice: Option<&'a Advice>,
    /// The simulation of the plan's scenario (or its peak); `None` for an IPv6 plan (the simulation models IPv4).
    pub simulation: Option<&'a SimReport>,
    /// Whether the plan has its own `simulate:` scenario (then the plot is shown).
    pub has_scenario: bool,
    /// Per subnet: its name and its /28 map (SVG) at the end of the simulation.
    pub maps: Vec<(String, String)>,
    /// The usage-over-time plot (SVG), when the plan has a scenario.
    pub plot: Option<String>,
    /// The instance data version.
    pub data_version: &'a str,
}

/// Escape text for HTML character data and attribute values (the SVG pictures' escaping: one for both).
pub fn esc(s: &str) -> String {
    ipplan_planner::svg::escape(s)
}

const STYLE: &str = "
:root { --ok: #1a7f37; --bad: #cf222e; --warn: #9a6700; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 1rem; max-width: 72rem; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; word-break: break-word; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.verdict { font-size: 1.6rem; font-weight: 700; padding: .5rem .75rem; border-radius: .4rem; display: inline-block;
           margin: .5rem 0; border: 2px solid currentColor; }
.verdict.fits { color: var(--ok); } .verdict.nofit { color: var(--bad); }
.muted { color: var(--muted); font-size: .9rem; }
.first { margin: .25rem 0 1rem; font-weight: 600; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .5rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th.l, td.l { text-align: left; }
th { font-weight: 600; background: #f6f8fa; }
td.no { color: var(--bad); font-weight: 700; } td.yes { color: var(--ok); }
.bar { display: inline-block; height: .6rem; background: var(--ok); vertical-align: middle; }
.bar.over { background: var(--bad); }
ul.findings { padding-left: 1.2rem; } ul.findings li { margin: .25rem 0; }
.error { color: var(--bad); } .warning { color: var(--warn); }
figure { margin: .75rem 0 1.25rem; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .9rem; color: var(--muted); }
td.wrap { white-space: normal; min-width: 18rem; }
@media print { body { max-width: none; } .scroll { overflow: visible; } h2 { break-after: avoid; } }
";

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "NO" }
}

fn class(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The migration section: per subnet ECS today, EKS alone and both in parallel (everything else in the subnet
/// counted in each), which of them is judged, and under `overlap: shift` every step of the traffic shift.
fn migration(h: &mut String, r: &ipplan_planner::capacity::Report) {
    h.push_str("<h2>The migration: ECS beside EKS</h2>\n<div class=\"scroll\"><table>\n<tr><th>Subnet</th>\
                <th>Capacity</th><th>ECS today</th><th>EKS alone</th><th>Parallel run</th><th class=\"l\">Judged</th>\
                <th>Fits</th></tr>\n");
    for s in &r.subnets {
        let Some(m) = &s.migration else { continue };
        let judged = match m.worst_weight {
            Some(w) => format!(
                "traffic shift, worst step {w}% on EKS ({} addresses)",
                s.used
            ),
            None => "parallel run".to_string(),
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td>\
             <td class=\"{}\">{}</td></tr>",
            esc(&s.name),
            s.capacity,
            m.ecs,
            m.eks,
            m.parallel,
            esc(&judged),
            class(s.fits),
            yes_no(s.fits)
        );
    }
    h.push_str("</table></div>\n<p class=\"muted\">Each column counts everything else in the subnet too (other \
                consumers, the control plane); ECS includes its deployment surge.</p>\n");
    if r.subnets
        .iter()
        .all(|s| s.migration.as_ref().is_none_or(|m| m.steps.is_empty()))
    {
        return;
    }
    h.push_str("<h3>Traffic shift</h3>\n<div class=\"scroll\"><table>\n<tr><th>Subnet</th><th>% on EKS</th>\
                <th>ECS tasks' addresses</th><th>Nodes' addresses</th><th>= Used</th><th>Fits</th></tr>\n");
    for s in &r.subnets {
        let Some(m) = &s.migration else { continue };
        for st in &m.steps {
            let worst = if m.worst_weight == Some(st.weight) {
                " (worst)"
            } else {
                ""
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}{worst}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
                esc(&s.name),
                st.weight,
                st.ecs,
                st.eks,
                st.used,
                class(st.fits),
                yes_no(st.fits)
            );
        }
    }
    h.push_str("</table></div>\n");
}

/// The page.
pub fn page(p: &Page<'_>) -> String {
    let r = p.report;
    let mut h = String::new();
    let title = format!("ipplan: {}", r.plan);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&title)
    );
    let _ = writeln!(h, "<h1>{}</h1>", esc(&r.plan));
    let (v_class, v_text) = if r.fits() {
        ("fits", "FITS")
    } else {
        ("nofit", "DOES NOT FIT")
    };
    let _ = writeln!(
        h,
        "<div class=\"verdict {v_class}\" id=\"verdict\">{v_text}</div>"
    );
    let simulated = p.simulation.map_or_else(
        || "not simulated (the simulation models IPv4 pools)".to_string(),
        |sim| {
            format!(
                "simulated (seed {}): {}",
                sim.seed,
                if sim.fits() { "fits" } else { "DOES NOT FIT" }
            )
        },
    );
    let _ = writeln!(
        h,
        "<p class=\"muted\">{} · {}</p>",
        esc(r.verdict.basis.description()),
        esc(&simulated)
    );
    if let Some(f) = &r.verdict.first_failure {
        let _ = writeln!(
            h,
            "<p class=\"first\">First failure: {}: {}</p>",
            esc(&f.subject),
            esc(&f.message)
        );
    }

    // --- subnets
    h.push_str("<h2>Subnets at peak</h2>\n<div class=\"scroll\"><table>\n<tr><th>Subnet</th><th class=\"l\">AZ</th>\
                <th class=\"l\">CIDR</th><th class=\"l\">Role</th><th>Capacity</th><th>Used</th><th>Headroom</th>\
                <th>Use</th><th>/28 free (worst..best)</th><th>Fits</th></tr>\n");
    for s in &r.subnets {
        let blocks = s.prefix.as_ref().map_or("-".to_string(), |x| {
            format!(
                "{}..{} of {} needed",
                x.worst_case_free_blocks, x.best_case_free_blocks, x.needed
            )
        });
        let width = s.use_percent.clamp(0.0, 100.0);
        let over = if s.use_percent > 100.0 { " over" } else { "" };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{:.1}% <span class=\"bar{over}\" style=\"width:{:.1}px\"></span></td>\
             <td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(&s.name),
            esc(&s.az),
            s.cidr,
            s.role.as_str(),
            s.capacity,
            s.used,
            s.headroom,
            s.use_percent,
            width * 0.6,
            esc(&blocks),
            class(s.fits),
            yes_no(s.fits)
        );
    }
    h.push_str("</table></div>\n");

    // --- where the addresses go
    h.push_str("<h2>Where the addresses go</h2>\n<div class=\"scroll\"><table>\n<tr><th>Subnet</th><th>Pods</th>\
                <th>Warm pool</th><th>ENI primaries</th><th>Node primaries</th><th>Trunk + branch ENIs</th>\
                <th class=\"l\">Other consumers</th><th>Control plane</th><th>= Used</th><th>AWS reserved</th>\
                <th>Explicit reservations</th></tr>\n");
    for s in &r.subnets {
        let b = &s.breakdown;
        let others = if b.other_consumers.is_empty() {
            "-".to_string()
        } else {
            b.other_consumers
                .iter()
                .map(|(what, n)| format!("{what} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&s.name),
            b.pods,
            b.warm_pool,
            b.eni_primaries,
            b.node_primaries,
            b.trunk_enis + b.branch_enis,
            esc(&others),
            b.control_plane,
            s.used,
            s.aws_reserved,
            s.explicit_reservations
        );
    }
    h.push_str("</table></div>\n<p class=\"muted\">The warm pool is what the CNI holds for pods that are not there: \
                secondary IPs held but unused, and the unused tails of /28 prefixes.</p>\n");

    // --- the migration: ECS beside EKS
    if r.subnets.iter().any(|s| s.migration.is_some()) {
        migration(&mut h, r);
    }

    // --- node groups
    h.push_str("<h2>Node groups</h2>\n<div class=\"scroll\"><table>\n<tr><th>Node group</th><th class=\"l\">Type</th>\
                <th class=\"l\">Mode</th><th>Nodes+surge</th><th>Max pods</th><th>Pods/node</th><th>Addresses/node</th>\
                <th>Warm/node</th><th>ENIs/node</th><th>Max nodes</th><th>More nodes</th></tr>\n");
    for g in &r.node_groups {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}+{}</td><td>{} ({})</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&g.name),
            esc(&g.instance_type),
            g.pool.mode.as_str(),
            g.nodes,
            g.surge,
            g.max_pods,
            g.max_pods_source,
            g.pods_per_node,
            g.addresses_per_node,
            g.pool.warm_addresses,
            g.pool.enis + u32::from(g.pool.trunk),
            g.max_nodes,
            g.additional_nodes
        );
    }
    h.push_str("</table></div>\n");
    let nau = &r.network_address_usage;
    let _ = writeln!(
        h,
        "<p class=\"muted\">Network address usage: {} of {} (the default quota per VPC).</p>",
        nau.used, nau.quota
    );

    // --- findings
    h.push_str("<h2>Findings</h2>\n");
    if r.findings.is_empty() {
        h.push_str("<p>None.</p>\n");
    } else {
        h.push_str("<ul class=\"findings\">\n");
        for f in &r.findings {
            let sev = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let _ = writeln!(
                h,
                "<li class=\"{sev}\"><strong>{sev}</strong>: {}: {}</li>",
                esc(&f.subject),
                esc(&f.message)
            );
        }
        h.push_str("</ul>\n");
    }

    // --- what would make it fit
    if let Some(a) = p.advice.filter(|a| !a.candidates.is_empty()) {
        h.push_str("<h2>What would make it fit</h2>\n<div class=\"scroll\"><table>\n<tr><th>#</th>\
                    <th class=\"l\">Change</th><th>Fits</th><th>Headroom after</th><th class=\"l\">How</th></tr>\n");
        for (i, c) in a.candidates.iter().enumerate() {
            let how = c.apply.first().map_or(String::new(), |l| {
                l.lines().next().unwrap_or("").to_string()
            });
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"l wrap\">{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"l\"><code>{}</code></td></tr>",
                i + 1,
                esc(&c.summary),
                class(c.fits),
                yes_no(c.fits),
                c.headroom,
                esc(&how)
            );
        }
        h.push_str(
            "</table></div>\n<p class=\"muted\">Each change applied to the plan and checked again \
                    (`ipplan advise` has every command and the changed plan).</p>\n",
        );
    }

    // --- layouts
    if let Some(c) = p.comparison {
        h.push_str(
            "<h2>Other layouts (what-if)</h2>\n<div class=\"scroll\"><table>\n<tr><th>Layout</th>\
                    <th>Fits</th><th>Peak use</th><th class=\"l\">First failure</th></tr>\n",
        );
        for row in &c.layouts {
            let why = row
                .first_failure
                .as_ref()
                .map_or("-".to_string(), |f| format!("{}: {}", f.subject, f.message));
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"{}\">{}</td><td>{:.1}%</td><td class=\"l\">{}</td></tr>",
                esc(&row.layout),
                class(row.fits),
                yes_no(row.fits),
                row.peak_use_percent,
                esc(&why)
            );
        }
        h.push_str("</table></div>\n");
        let _ = writeln!(
            h,
            "<p>{}</p>",
            match c.smallest_prefix_len {
                Some(l) => format!(
                    "The smallest subnets that hold the peak with {}% to spare: /{l}.",
                    c.headroom_percent
                ),
                None => format!(
                    "Even /16 subnets do not hold the peak with {}% to spare.",
                    c.headroom_percent
                ),
            }
        );
    }

    // --- pictures
    let seed = p.simulation.map_or(0, |s| s.seed);
    if let Some(plot) = &p.plot {
        h.push_str("<h2>Over time</h2>\n<figure id=\"plot\">\n");
        h.push_str(plot);
        let _ = writeln!(
            h,
            "<figcaption>The plan's scenario, seed {seed}: addresses used and free /28 blocks per subnet.</figcaption>\n</figure>"
        );
    }
    if p.simulation.is_some() {
        h.push_str("<h2>/28 blocks of each subnet</h2>\n");
        let _ = writeln!(
            h,
            "<p class=\"muted\">At the end of the {} (seed {seed}): prefixes, blocks spoiled by single addresses, \
             free blocks. Hover a block for its addresses.</p>",
            if p.has_scenario {
                "plan's scenario"
            } else {
                "plan's peak"
            }
        );
    }
    for (name, svg) in &p.maps {
        let _ = writeln!(h, "<figure class=\"map\">");
        h.push_str(svg);
        let _ = writeln!(
            h,
            "<figcaption>Subnet {}</figcaption>\n</figure>",
            esc(name)
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"muted\">ipplan {}, instance data {}.</p>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION"),
        esc(p.data_version)
    );
    h
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn names_are_escaped() {
        assert_eq!(
            esc("<b>a&b</b> \"x\" 'y'\u{1b}"),
            "&lt;b&gt;a&amp;b&lt;/b&gt; &quot;x&quot; &apos;y&apos; "
        );
    }
}
