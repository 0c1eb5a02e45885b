//! The SVG pictures: well-formed XML, one cell per /28 with the right colour and tooltip, legend counts equal to
//! block counts computed here from the addresses the allocator handed out (not from `block_states`), one polyline
//! per plotted series, the same bytes for the same input.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use ipplan_planner::alloc::{Placement, ReservationKind, SubnetAllocator};
use ipplan_planner::svg::{MapClass, MapOptions, PlotPanel, PlotSeries, subnet_map, timeline_plot};

// ---- a tiny XML 1.0 well-formedness checker and tree --------------------------------------------------------

#[derive(Debug, Clone)]
struct Elem {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    Elem(Elem),
    Text(String),
}

impl Elem {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    fn elems(&self) -> impl Iterator<Item = &Elem> {
        self.children.iter().filter_map(|c| match c {
            Node::Elem(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// All descendants (depth first, self excluded).
    fn descendants(&self) -> Vec<&Elem> {
        let mut out = Vec::new();
        for e in self.elems() {
            out.push(e);
            out.extend(e.descendants());
        }
        out
    }

    fn find_id(&self, id: &str) -> Option<&Elem> {
        self.descendants()
            .into_iter()
            .find(|e| e.attr("id") == Some(id))
    }

    fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => s.push_str(t),
                Node::Elem(e) => s.push_str(&e.text()),
            }
        }
        s
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn err<T>(&self, what: &str) -> Result<T, String> {
        let ctx: String = self.rest().chars().take(40).collect();
        Err(format!("{what} at byte {}: {ctx:?}", self.i))
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.rest().chars().next() {
            if matches!(c, ' ' | '\t' | '\n' | '\r') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    /// Comments and whitespace (between markup).
    fn skip_misc(&mut self) -> Result<(), String> {
        loop {
            self.skip_ws();
            if self.rest().starts_with("<!--") {
                let Some(end) = self.rest().find("-->") else {
                    return self.err("unterminated comment");
                };
                if self.rest()[4..end].contains("--") {
                    return self.err("'--' inside a comment");
                }
                self.i += end + 3;
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let start = self.i;
        let s = self.s;
        for (k, c) in s[start..].char_indices() {
            let ok = c.is_ascii_alphabetic()
                || c == '_'
                || c == ':'
                || (k > 0 && (c.is_ascii_digit() || c == '-' || c == '.'));
            if !ok {
                break;
            }
            self.i = start + k + c.len_utf8();
        }
        if self.i == start {
            return self.err("expected a name");
        }
        Ok(self.s[start..self.i].to_string())
    }

    /// Character data or an attribute value up to `stop`, with entities decoded; a raw `<` or a bad `&` fails.
    fn chars(&mut self, stop: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Ok(out);
            };
            if c == stop {
                return Ok(out);
            }
            if c == '<' {
                return self.err("raw '<' in a value");
            }
            if c == '&' {
                let Some(end) = self.rest().find(';') else {
                    return self.err("unterminated entity");
                };
                let ent = &self.rest()[1..end];
                let ch = match ent {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ if ent.starts_with("#x") => u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or(format!("bad entity &{ent};"))?,
                    _ if ent.starts_with('#') => ent[1..]
                        .parse::<u32>()
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or(format!("bad entity &{ent};"))?,
                    _ => return self.err("unknown entity"),
                };
                out.push(ch);
                self.i += end + 1;
                continue;
            }
            if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') {
                return self.err("control character");
            }
            out.push(c);
            self.i += c.len_utf8();
        }
    }

    fn element(&mut self) -> Result<Elem, String> {
        if !self.rest().starts_with('<') {
            return self.err("expected '<'");
        }
        self.i += 1;
        let name = self.name()?;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let before = self.i;
            self.skip_ws();
            if self.rest().starts_with("/>") {
                self.i += 2;
                return Ok(Elem {
                    name,
                    attrs,
                    children: Vec::new(),
                });
            }
            if self.rest().starts_with('>') {
                self.i += 1;
                break;
            }
            if self.i == before {
                return self.err("expected whitespace before an attribute");
            }
            let k = self.name()?;
            self.skip_ws();
            if !self.rest().starts_with('=') {
                return self.err("expected '='");
            }
            self.i += 1;
            self.skip_ws();
            let q = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return self.err("unquoted attribute value"),
            };
            self.i += 1;
            let v = self.chars(q)?;
            if !self.rest().starts_with(q) {
                return self.err("unterminated attribute value");
            }
            self.i += 1;
            if attrs.iter().any(|(n, _)| *n == k) {
                return self.err("duplicate attribute");
            }
            attrs.push((k, v));
        }
        let mut children = Vec::new();
        loop {
            if self.rest().starts_with("</") {
                self.i += 2;
                let end = self.name()?;
                if end != name {
                    return self.err(&format!("</{end}> closes <{name}>"));
                }
                self.skip_ws();
                if !self.rest().starts_with('>') {
                    return self.err("expected '>'");
                }
                self.i += 1;
                return Ok(Elem {
                    name,
                    attrs,
                    children,
                });
            } else if self.rest().starts_with("<!--") {
                self.skip_misc()?;
            } else if self.rest().starts_with('<') {
                children.push(Node::Elem(self.element()?));
            } else if self.rest().is_empty() {
                return self.err(&format!("<{name}> not closed"));
            } else {
                let t = self.chars('<')?;
                if t.contains("]]>") {
                    return self.err("']]>' in text");
                }
                children.push(Node::Text(t));
            }
        }
    }
}

/// Parse a whole document: optional XML declaration, one root element, nothing but whitespace/comments after.
fn parse_xml(doc: &str) -> Result<Elem, String> {
    let mut p = Parser { s: doc, i: 0 };
    if p.rest().starts_with("<?xml") {
        let Some(end) = p.rest().find("?>") else {
            return p.err("unterminated declaration");
        };
        p.i += end + 2;
    }
    p.skip_misc()?;
    let root = p.element()?;
    p.skip_misc()?;
    if !p.rest().is_empty() {
        return p.err("content after the root element");
    }
    Ok(root)
}

/// Parse an SVG document and check the root.
fn parse_svg(doc: &str) -> Elem {
    let root = parse_xml(doc).unwrap_or_else(|e| panic!("not well-formed: {e}"));
    assert_eq!(root.name, "svg");
    assert_eq!(root.attr("xmlns"), Some("http://www.w3.org/2000/svg"));
    assert_eq!(root.attr("version"), Some("1.1"));
    // No scripts or external references.
    assert!(
        root.descendants().iter().all(|e| e.name != "script"
            && e.attr("href").is_none()
            && e.attr("xlink:href").is_none())
    );
    root
}

#[test]
fn checker_rejects_what_is_not_well_formed() {
    for bad in [
        "<a><b></a>",
        "<a x=1/>",
        "<a x=\"1\" x=\"2\"/>",
        "<a>x & y</a>",
        "<a>1 < 2</a>",
        "<a></a><b/>",
        "<a>",
        "<a x=\"<\"/>",
    ] {
        assert!(parse_xml(bad).is_err(), "accepted {bad:?}");
    }
    let ok =
        parse_xml("<?xml version=\"1.0\"?>\n<a k='v'><!-- c --><b>x &amp; &lt;y&gt;</b></a>\n")
            .unwrap();
    assert_eq!(ok.text(), "x & <y>");
}

// ---- an independent picture of the subnet -----------------------------------------------------------------

/// What the test itself knows about each /28: built from the addresses and prefixes the allocator returned and
/// the reservations we gave it, never from `block_states()`.
struct Truth {
    base: u32,
    nblocks: usize,
    singles: BTreeMap<usize, u32>,
    prefixes: BTreeMap<usize, ()>,
    /// Blocks wholly inside a prefix reservation.
    prefix_res: Vec<bool>,
    /// Blocks touching an explicit reservation.
    explicit: Vec<bool>,
}

impl Truth {
    fn new(subnet: Ipv4Net, res: &[(Ipv4Net, ReservationKind)]) -> Self {
        let base = u32::from(subnet.network());
        let nblocks = 1usize << (28 - subnet.prefix_len());
        let mut prefix_res = vec![false; nblocks];
        let mut explicit = vec![false; nblocks];
        for &(r, k) in res {
            let lo = (u32::from(r.network()) - base) as usize / 16;
            let hi = (u32::from(r.broadcast()) - base) as usize / 16;
            for b in lo..=hi {
                match k {
                    ReservationKind::Prefix => prefix_res[b] = true,
                    ReservationKind::Explicit => explicit[b] = true,
                }
            }
        }
        Self {
            base,
            nblocks,
            singles: BTreeMap::new(),
            prefixes: BTreeMap::new(),
            prefix_res,
            explicit,
        }
    }

    fn single(&mut self, a: Ipv4Addr) {
        *self
            .singles
            .entry((u32::from(a) - self.base) as usize / 16)
            .or_default() += 1;
    }

    fn prefix(&mut self, p: Ipv4Net) {
        self.prefixes
            .insert((u32::from(p.network()) - self.base) as usize / 16, ());
    }

    /// The legend name of block `b`, by the rules of the legend (see `MapClass`).
    fn class(&self, b: usize) -> &'static str {
        let edge = b == 0 || b == self.nblocks - 1;
        let n = self.singles.get(&b).copied().unwrap_or(0);
        let prefix = self.prefixes.contains_key(&b);
        if edge || self.explicit[b] {
            if n > 0 || prefix {
                "singles"
            } else {
                "reserved"
            }
        } else if prefix {
            "prefix"
        } else if n >= 16 {
            "full"
        } else if n > 0 {
            "spoiled"
        } else if self.prefix_res[b] {
            "prefix-reservation"
        } else {
            "free"
        }
    }

    fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut m = BTreeMap::new();
        for b in 0..self.nblocks {
            *m.entry(self.class(b)).or_default() += 1;
        }
        m
    }

    fn block_cidr(&self, b: usize) -> String {
        format!("{}/28", Ipv4Addr::from(self.base + 16 * b as u32))
    }
}

/// Fill an allocator the way a PD subnet with other consumers fills: singles and prefixes interleaved.
fn fill(a: &mut SubnetAllocator, t: &mut Truth, singles: usize, prefixes: usize) {
    let total = singles + prefixes;
    let (mut s, mut p) = (0, 0);
    for i in 0..total {
        // Spread the prefixes evenly among the singles.
        if p < prefixes && (i * prefixes) / total >= p {
            t.prefix(a.alloc_prefix().unwrap());
            p += 1;
        } else if s < singles {
            t.single(a.alloc_single().unwrap());
            s += 1;
        }
    }
}

fn legend_counts(root: &Elem) -> BTreeMap<&'static str, usize> {
    MapClass::ALL
        .iter()
        .map(|c| {
            let e = root
                .find_id(&format!("count-{}", c.name()))
                .unwrap_or_else(|| panic!("no legend count for {}", c.name()));
            (c.name(), e.text().parse::<usize>().unwrap())
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn block_rects(root: &Elem) -> Vec<&Elem> {
    let blocks = root.find_id("blocks").expect("a <g id=\"blocks\">");
    assert_eq!(blocks.name, "g");
    blocks.elems().collect()
}

/// Check every cell of a one-block-per-cell map against the truth: class, tooltip, position order.
fn check_map(svg: &str, t: &Truth) {
    let root = parse_svg(svg);
    let rects = block_rects(&root);
    assert_eq!(rects.len(), t.nblocks);
    for (b, r) in rects.iter().enumerate() {
        assert_eq!(r.name, "rect");
        let class = t.class(b);
        assert_eq!(
            r.attr("class"),
            Some(format!("b {class}").as_str()),
            "block {b}"
        );
        let tip = r
            .elems()
            .find(|e| e.name == "title")
            .expect("a tooltip")
            .text();
        assert!(
            tip.starts_with(&format!("{} {class}", t.block_cidr(b))),
            "block {b}: {tip:?}"
        );
    }
    let mut want = t.counts();
    want.retain(|_, n| *n > 0);
    assert_eq!(legend_counts(&root), want);
}

#[test]
fn map_of_a_24_matches_the_addresses_handed_out() {
    let subnet: Ipv4Net = "10.0.0.0/24".parse().unwrap();
    let mut a = SubnetAllocator::new(subnet, &[], Placement::Random { seed: 11 }).unwrap();
    let mut t = Truth::new(subnet, &[]);
    fill(&mut a, &mut t, 9, 4);
    let svg = subnet_map(subnet, &a.block_states(), "a /24", &MapOptions::default());
    check_map(&svg, &t);
    // 16 blocks (2^(28-24)); 4 prefixes; 2 edge blocks; the rest by where the 9 singles fell.
    let c = t.counts();
    assert_eq!(c.values().sum::<usize>(), 16);
    assert_eq!(c.get("prefix"), Some(&4));
    assert_eq!(
        c.get("reserved").unwrap_or(&0) + c.get("singles").unwrap_or(&0),
        2
    );
    // The allocator's own counters agree with the legend.
    assert_eq!(*c.get("free").unwrap_or(&0) as u64, a.free_blocks());
    assert_eq!(*c.get("prefix").unwrap() as u64, a.prefixes_held());
}

#[test]
fn lowest_placement_fills_the_first_block_then_spoils_the_next() {
    // Lowest placement: the first 12 singles are .4-.15 (the edge block, .0-.3 reserved: VPC UG subnet-sizing.md),
    // the 13th is .16, which spoils block 1 — so the prefix goes to block 2 (10.0.0.32/28).
    let subnet: Ipv4Net = "10.0.0.0/24".parse().unwrap();
    let mut a = SubnetAllocator::new(subnet, &[], Placement::Lowest).unwrap();
    a.alloc_singles(13).unwrap();
    assert_eq!(a.alloc_prefix().unwrap().to_string(), "10.0.0.32/28");
    let root = parse_svg(&subnet_map(
        subnet,
        &a.block_states(),
        "lowest",
        &MapOptions::default(),
    ));
    let classes: Vec<&str> = block_rects(&root)
        .iter()
        .map(|r| r.attr("class").unwrap().trim_start_matches("b "))
        .collect();
    let mut want = vec!["singles", "spoiled", "prefix"];
    want.extend(["free"; 12]);
    want.push("reserved");
    assert_eq!(classes, want);
    let tip = block_rects(&root)[1].elems().next().unwrap().text();
    assert_eq!(tip, "10.0.0.16/28 spoiled: 1 singles");
    // Fragmentation: 1 spoiled of 13 prefix-capable blocks without a prefix = 7.7%.
    assert!(
        root.text().contains("fragmentation 7.7%"),
        "{}",
        root.text()
    );
}

#[test]
fn map_of_a_20_with_reservations_over_several_seeds() {
    let subnet: Ipv4Net = "10.8.0.0/20".parse().unwrap();
    let res = [
        ("10.8.4.0/25".parse().unwrap(), ReservationKind::Prefix),
        ("10.8.15.0/26".parse().unwrap(), ReservationKind::Explicit),
    ];
    for seed in 0..6 {
        let mut a = SubnetAllocator::new(subnet, &res, Placement::Random { seed }).unwrap();
        let mut t = Truth::new(subnet, &res);
        fill(&mut a, &mut t, 300 + 40 * seed as usize, 20);
        // A manual assignment inside the explicit reservation.
        a.assign_explicit("10.8.15.5".parse().unwrap()).unwrap();
        t.single("10.8.15.5".parse().unwrap());
        let svg = subnet_map(subnet, &a.block_states(), "a /20", &MapOptions::default());
        check_map(&svg, &t);
        let c = t.counts();
        // 256 blocks; the /25 prefix reservation is 8 blocks, all taken first by the 20 prefixes (docs/model.md,
        // "Prefixes and /28 fragmentation": prefixes come from a reservation first); the /26 explicit is 4 blocks,
        // one with our address.
        assert_eq!(c.values().sum::<usize>(), 256);
        assert_eq!(c.get("prefix"), Some(&20));
        assert_eq!(c.get("prefix-reservation"), None);
        assert_eq!(
            c.get("reserved").unwrap_or(&0) + c.get("singles").unwrap_or(&0),
            2 + 4
        );
        // The fragmentation printed is the allocator's.
        let root = parse_svg(&svg);
        let want = format!("fragmentation {:.1}%", a.fragmentation() * 100.0);
        assert!(root.text().contains(&want), "want {want}");
        let spoiled = *c.get("spoiled").unwrap_or(&0) as f64;
        let denom = (a.eligible_blocks() - a.prefixes_held()) as f64;
        assert_eq!(spoiled / denom, a.fragmentation());
    }
}

#[test]
fn a_16_is_drawn_block_by_block() {
    let subnet: Ipv4Net = "100.64.0.0/16".parse().unwrap();
    let mut a = SubnetAllocator::new(subnet, &[], Placement::Random { seed: 3 }).unwrap();
    let mut t = Truth::new(subnet, &[]);
    fill(&mut a, &mut t, 2000, 500);
    let svg = subnet_map(subnet, &a.block_states(), "a /16", &MapOptions::default());
    // 2^(28-16) = 4096 blocks (docs/model.md, "Prefixes and /28 fragmentation"), one rect each.
    check_map(&svg, &t);
    // 64 per row: the last block sits in row 63, column 63.
    let root = parse_svg(&svg);
    let rects = block_rects(&root);
    let (x0, y0) = (rects[0].attr("x").unwrap(), rects[0].attr("y").unwrap());
    let last = rects[4095];
    let cell: usize = last.attr("width").unwrap().parse().unwrap();
    let dx = last.attr("x").unwrap().parse::<usize>().unwrap() - x0.parse::<usize>().unwrap();
    let dy = last.attr("y").unwrap().parse::<usize>().unwrap() - y0.parse::<usize>().unwrap();
    assert_eq!((dx / cell, dy / cell), (63, 63));
    assert!(svg.len() < 600_000, "{} bytes", svg.len());
}

#[test]
fn a_pool_larger_than_a_16_is_downsampled() {
    // A /14 has 2^(28-14) = 16,384 blocks; at most 4,096 cells ⇒ 4 blocks per cell, each cell a /26.
    let subnet: Ipv4Net = "100.64.0.0/14".parse().unwrap();
    let mut a = SubnetAllocator::new(subnet, &[], Placement::Lowest).unwrap();
    let mut t = Truth::new(subnet, &[]);
    // 100 prefixes: blocks 1..=100 (lowest wholly free, after the edge block 0).
    for _ in 0..100 {
        t.prefix(a.alloc_prefix().unwrap());
    }
    let svg = subnet_map(subnet, &a.block_states(), "a /14", &MapOptions::default());
    let root = parse_svg(&svg);
    let rects = block_rects(&root);
    assert_eq!(rects.len(), 4096);
    // Legend counts are per block, not per cell.
    let mut want = t.counts();
    want.retain(|_, n| *n > 0);
    assert_eq!(legend_counts(&root), want);
    assert_eq!(want.values().sum::<usize>(), 16_384);
    // Cell 0 = blocks 0-3: 1 reserved + 3 prefix ⇒ prefix; cell 25 = blocks 100-103: 1 prefix + 3 free ⇒ free.
    let tip = |i: usize| rects[i].elems().next().unwrap().text();
    assert_eq!(rects[0].attr("class"), Some("b prefix"));
    assert_eq!(tip(0), "100.64.0.0/26 3 prefix, 1 reserved");
    assert_eq!(rects[25].attr("class"), Some("b free"));
    assert_eq!(tip(25), "100.64.6.64/26 1 prefix, 3 free");
}

#[test]
fn tiny_subnets_and_odd_titles_stay_well_formed() {
    // A /28 is one edge block that holds no prefix (docs/model.md, "Prefixes and /28 fragmentation").
    let subnet: Ipv4Net = "10.1.0.0/28".parse().unwrap();
    let mut a = SubnetAllocator::new(subnet, &[], Placement::Lowest).unwrap();
    a.alloc_singles(3).unwrap();
    let title = "a <tiny> & \"odd\" 'one'";
    let svg = subnet_map(subnet, &a.block_states(), title, &MapOptions::default());
    let root = parse_svg(&svg);
    assert_eq!(block_rects(&root).len(), 1);
    let first_title = root.elems().find(|e| e.name == "title").unwrap();
    assert_eq!(first_title.text(), title);
    assert_eq!(legend_counts(&root), BTreeMap::from([("singles", 1)]));
    // No blocks at all still gives a picture.
    parse_svg(&subnet_map(subnet, &[], "", &MapOptions::default()));
}

#[test]
fn same_input_same_bytes() {
    let subnet: Ipv4Net = "10.0.0.0/20".parse().unwrap();
    let draw = || {
        let mut a = SubnetAllocator::new(subnet, &[], Placement::Random { seed: 42 }).unwrap();
        a.alloc_singles(300).unwrap();
        a.alloc_prefixes(10).unwrap();
        subnet_map(subnet, &a.block_states(), "seed 42", &MapOptions::default())
    };
    assert_eq!(draw(), draw());
    let mut other = SubnetAllocator::new(subnet, &[], Placement::Random { seed: 43 }).unwrap();
    other.alloc_singles(300).unwrap();
    other.alloc_prefixes(10).unwrap();
    assert_ne!(
        draw(),
        subnet_map(
            subnet,
            &other.block_states(),
            "seed 42",
            &MapOptions::default()
        )
    );
}

// ---- timeline plots -----------------------------------------------------------------------------------------

fn series(name: &str, points: &[(f64, f64)]) -> PlotSeries {
    PlotSeries {
        name: name.into(),
        points: points.to_vec(),
    }
}

fn polylines(root: &Elem) -> Vec<Vec<(f64, f64)>> {
    root.descendants()
        .into_iter()
        .filter(|e| e.name == "polyline")
        .map(|e| {
            e.attr("points")
                .unwrap()
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

fn two_panels() -> Vec<PlotPanel> {
    vec![
        PlotPanel {
            label: "addresses used".into(),
            series: vec![
                series(
                    "subnet-a",
                    &[(0.0, 5.0), (30.0, 120.0), (90.0, 300.0), (150.0, 280.0)],
                ),
                series("subnet-b", &[(0.0, 5.0), (45.0, 80.0), (150.0, 90.0)]),
                series("subnet-c", &[(10.0, 1.0)]),
            ],
            ..PlotPanel::default()
        },
        PlotPanel {
            label: "free /28 blocks".into(),
            series: vec![
                series(
                    "subnet-a",
                    &[
                        (0.0, 120.0),
                        (30.0, 100.0),
                        (90.0, 40.0),
                        (120.0, 38.0),
                        (150.0, 38.0),
                    ],
                ),
                series("subnet-b", &[(0.0, 126.0), (150.0, 110.0)]),
                series("subnet-c", &[]),
            ],
            ..PlotPanel::default()
        },
    ]
}

#[test]
fn one_polyline_per_series_with_its_points() {
    let svg = timeline_plot(&two_panels(), "timeline");
    let root = parse_svg(&svg);
    let lines = polylines(&root);
    let counts: Vec<usize> = lines.iter().map(Vec::len).collect();
    assert_eq!(counts, [4, 3, 1, 5, 2, 0]);
    // Legend: each series name once, in first-seen order.
    let legend = root.find_id("legend").unwrap();
    let names: Vec<String> = legend
        .elems()
        .filter(|e| e.name == "text")
        .map(Elem::text)
        .collect();
    assert_eq!(names, ["subnet-a", "subnet-b", "subnet-c"]);
    // Same series, same colour in both panels.
    let strokes: Vec<&str> = root
        .descendants()
        .into_iter()
        .filter(|e| e.name == "polyline")
        .map(|e| e.attr("stroke").unwrap())
        .collect();
    assert_eq!(strokes[0], strokes[3]);
    assert_eq!(strokes[1], strokes[4]);
    assert_ne!(strokes[0], strokes[1]);
    // Time runs left to right; a larger value is drawn higher (smaller y); both panels share the x scale.
    let a = &lines[0];
    assert!(a.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(a[2].1 < a[1].1 && a[1].1 < a[0].1);
    assert_eq!(lines[0][0].0, lines[3][0].0);
    assert_eq!(lines[0][3].0, lines[3][4].0);
    // The second panel lies below the first.
    let max_y_first = lines[..3].iter().flatten().map(|p| p.1).fold(0.0, f64::max);
    let min_y_second = lines[3..]
        .iter()
        .flatten()
        .map(|p| p.1)
        .fold(f64::MAX, f64::min);
    assert!(max_y_first < min_y_second);
    // Legend sits right of every data point.
    let legend_x: f64 = legend
        .elems()
        .next()
        .unwrap()
        .attr("x1")
        .unwrap()
        .parse()
        .unwrap();
    assert!(lines.iter().flatten().all(|p| p.0 < legend_x));
}

#[test]
fn axes_have_nice_ticks_and_a_unit() {
    let root = parse_svg(&timeline_plot(&two_panels(), "t"));
    let text = root.text();
    assert!(text.contains("time (s)"));
    // Values 0..300 over ~5 intervals: 60 rounds up to the next nice step (1, 2, 2.5, 5, 10 × 10^k), 100.
    let panel = root.find_id("panel-0").unwrap();
    let labels: Vec<String> = panel
        .descendants()
        .into_iter()
        // (the tick labels: the direct labels of the series have a class)
        .filter(|e| {
            e.name == "text" && e.attr("text-anchor") == Some("end") && e.attr("class").is_none()
        })
        .map(Elem::text)
        .collect();
    assert_eq!(labels, ["0", "100", "200", "300"]);
    // 0..150 s over ~8 intervals: a tick every 20 s.
    let xs: Vec<String> = panel
        .descendants()
        .into_iter()
        .filter(|e| e.name == "text" && e.attr("text-anchor") == Some("middle"))
        .map(Elem::text)
        .collect();
    assert_eq!(
        xs,
        ["0", "20", "40", "60", "80", "100", "120", "140", "160"]
    );

    // 40 minutes of data reads in minutes.
    let long = [PlotPanel {
        label: "addresses used".into(),
        series: vec![series("a", &[(0.0, 0.0), (2400.0, 10.0)])],
        ..PlotPanel::default()
    }];
    assert!(
        parse_svg(&timeline_plot(&long, "t"))
            .text()
            .contains("time (min)")
    );
}

#[test]
fn empty_and_non_finite_inputs_still_draw() {
    parse_svg(&timeline_plot(&[], "nothing"));
    let odd = [PlotPanel {
        label: "x & <y>".into(),
        series: vec![series(
            "n<1>",
            &[
                (0.0, 1.0),
                (f64::NAN, 3.0),
                (5.0, f64::INFINITY),
                (6.0, 2.0),
            ],
        )],
        ..PlotPanel::default()
    }];
    let root = parse_svg(&timeline_plot(&odd, "odd"));
    assert_eq!(polylines(&root)[0].len(), 2);
    assert!(root.text().contains("x & <y>"));
}

#[test]
fn plots_are_deterministic() {
    assert_eq!(
        timeline_plot(&two_panels(), "t"),
        timeline_plot(&two_panels(), "t")
    );
}

#[test]
fn plots_of_extreme_values_do_not_panic() {
    use ipplan_planner::svg::{PlotPanel, PlotSeries, timeline_plot};
    for points in [
        vec![(0.0, 1e308), (60.0, -1e308)],
        vec![(0.0, f64::MAX), (1e308, f64::MIN)],
        vec![(-1e308, 0.0), (1e308, 1.0)],
        vec![(0.0, f64::NAN), (f64::INFINITY, 1.0)],
    ] {
        let svg = timeline_plot(
            &[PlotPanel {
                label: "x".into(),
                series: vec![PlotSeries {
                    name: "a".into(),
                    points,
                }],
                ..PlotPanel::default()
            }],
            "extreme",
        );
        assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
        assert!(
            !svg.contains("NaN") && !svg.contains("inf"),
            "no non-finite coordinate"
        );
    }
}

#[test]
fn scenario_intervals_cannot_be_zero() {
    // `tick` and `sample` are NonZeroU32: a scenario with a zero interval cannot be built, and the plan file's 0
    // is refused with the field
    let cat = ipplan_core::Catalog::embedded();
    let e = ipplan_planner::Plan::from_yaml_str(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]\nsimulate: { tick: 0 }",
        "p.yaml",
        &cat,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("p.yaml: simulate.tick: tick 0s is out of range"),
        "{e}"
    );
    let plan = ipplan_planner::Plan::from_yaml_str(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/24 }]",
        "p.yaml",
        &cat,
    )
    .unwrap();
    let s = plan.scenario();
    assert_eq!((s.tick.get(), s.sample.get()), (5, 60));
}

/// The plot of a failing run shows the failure (issue 9, item 9). The run: one m5.large with 5 pods in a /27
/// (27 addresses) where a consumer holds 10; the node takes its primary and ipamd the primary ENI's 9 secondary
/// IPs (20 held); when the first pod lands at 60 s the pool is one below WARM_ENI_TARGET=1's 9 free and the new
/// ENI it needs (a primary and 9 secondary IPs, all or nothing: aws/amazon-vpc-cni-k8s pkg/awsutils/awsutils.go
/// AllocENI) does not fit in the 7 left: InsufficientFreeAddressesInSubnet at t = 60 s with 20 addresses held
/// (tests/verdict.rs derives the same run).
#[test]
fn the_plot_of_a_failing_run_marks_capacity_failures_and_the_first_failure() {
    use ipplan_planner::svg::simulation_plot;
    let plan = ipplan_planner::Plan::from_yaml_str(
        "subnets: [{ name: a, az: z, cidr: 10.0.0.0/27, other_consumers: [{ what: lb, addresses: 10 }] }]
node_groups: [{ name: g, instance_type: m5.large, subnets: [a], nodes: 1, pods_per_node: 5 }]
simulate: { duration: 10m }
",
        "plot.yaml",
        &ipplan_core::Catalog::embedded(),
    )
    .unwrap();
    let r = ipplan_planner::simulate(&plan, &plan.scenario());
    let root = parse_svg(&simulation_plot(&r, "failing"));
    // Coordinates by hand: the addresses panel spans y 64 (top) to 264; its values (used <= 20, capacity 27) give
    // an axis 0..30 in steps of 10 (27 / 5 intervals = 5.4, the next nice step 10), so v is drawn at
    // 264 - v / 30 x 200. Time: 0..600 s reads in minutes, 10 / 8 intervals = 1.25, step 2, axis 0..10 min over
    // x 80..720, so t s is at 80 + t / 600 x 640.
    let panel = root.find_id("panel-0").unwrap();
    let limits: Vec<&Elem> = panel
        .descendants()
        .into_iter()
        .filter(|e| e.attr("class") == Some("limit"))
        .collect();
    assert_eq!(limits.len(), 1);
    // capacity 27: y = 264 - 27 / 30 x 200 = 84
    assert_eq!(
        (
            limits[0].attr("y1"),
            limits[0].attr("y2"),
            limits[0].attr("x1"),
            limits[0].attr("x2")
        ),
        (Some("84.0"), Some("84.0"), Some("80"), Some("720.0"))
    );
    let label = panel
        .descendants()
        .into_iter()
        .find(|e| e.attr("class") == Some("limit-label"))
        .unwrap();
    assert_eq!(label.text(), "a capacity 27");
    // the first failed allocation: t = 60 s at x = 80 + 64 = 144, 20 held at y = 264 - 133.3 = 130.7, drawn larger
    let marks: Vec<&Elem> = panel
        .descendants()
        .into_iter()
        .filter(|e| e.attr("class").is_some_and(|c| c.starts_with("mark")))
        .collect();
    assert!(!marks.is_empty());
    assert_eq!(marks[0].attr("class"), Some("mark first"));
    assert_eq!(marks[0].attr("transform"), Some("translate(144.0,130.7)"));
    assert!(
        marks
            .iter()
            .skip(1)
            .all(|m| m.attr("class") == Some("mark"))
    );
    // later failures (after ipamd's back-off) come later, at the same 20 held
    for m in marks.iter().skip(1) {
        let t = m.attr("transform").unwrap();
        let (x, y) = t
            .strip_prefix("translate(")
            .and_then(|r| r.strip_suffix(')'))
            .and_then(|r| r.split_once(','))
            .unwrap();
        assert!(x.parse::<f64>().unwrap() > 144.0 && y == "130.7", "{t}");
    }
    // the first failure over every panel at the same x
    let first = root.find_id("first-failure").unwrap();
    let line = first.elems().find(|e| e.name == "line").unwrap();
    assert_eq!(
        (line.attr("x1"), line.attr("x2")),
        (Some("144.0"), Some("144.0"))
    );
    assert!(
        first
            .text()
            .starts_with("first failure t=60s: subnet 'a' (10.0.0.0/27)"),
        "{}",
        first.text()
    );
}

#[test]
fn overlapping_series_stay_visible() {
    // two subnets with the very same values: the first drawn wider and solid, the second narrower and dashed on
    // top, and each named by a direct label, the second pushed 12 px below the first
    let same = [(0.0, 10.0), (60.0, 40.0), (120.0, 40.0)];
    let panel = PlotPanel {
        label: "addresses used".into(),
        series: vec![series("a", &same), series("b", &same)],
        ..PlotPanel::default()
    };
    let root = parse_svg(&timeline_plot(&[panel], "same"));
    let lines: Vec<&Elem> = root
        .descendants()
        .into_iter()
        .filter(|e| e.name == "polyline")
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].attr("points"), lines[1].attr("points"));
    assert_eq!(
        (
            lines[0].attr("stroke-dasharray"),
            lines[0].attr("stroke-width")
        ),
        (None, Some("3.5"))
    );
    assert_eq!(
        (
            lines[1].attr("stroke-dasharray"),
            lines[1].attr("stroke-width")
        ),
        (Some("10 5"), Some("2"))
    );
    let labels: Vec<(String, f64)> = root
        .descendants()
        .into_iter()
        .filter(|e| e.attr("class") == Some("direct-label"))
        .map(|e| (e.text(), e.attr("y").unwrap().parse().unwrap()))
        .collect();
    assert_eq!(labels.len(), 2);
    assert_eq!((labels[0].0.as_str(), labels[1].0.as_str()), ("a", "b"));
    assert!(
        (labels[1].1 - labels[0].1 - 12.0).abs() < 0.05,
        "{labels:?}"
    );
}
