//! Pictures as plain SVG 1.1 text: a subnet as a grid of /28 blocks ([`subnet_map`]) and values over time
//! ([`timeline_plot`]).
//!
//! Pure functions returning `String`: no scripts, no external fonts or files, no randomness, no clock. The same
//! input gives the same bytes. The caller writes the file.

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::alloc::{BlockCensus, BlockState};

/// What a /28 block looks like on a [`subnet_map`]: [`BlockState`] folded into seven colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MapClass {
    /// Holds a prefix ([`BlockState::Prefix`], [`BlockState::PrefixReservedPrefix`]).
    Prefix,
    /// A block that could hold a prefix but holds 1 to 15 single addresses: spoiled for prefixes, "fragmented"
    /// in AWS's subnet-fragmentation tool ([`BlockState::Singles`], [`BlockState::PrefixReservedSingles`]). These
    /// are the blocks [`SubnetAllocator::fragmentation`](crate::alloc::SubnetAllocator::fragmentation) counts.
    Spoiled,
    /// A block that could hold a prefix whose 16 addresses are all held by single addresses: exhausted, not
    /// fragmented (`Singles(16)`, `PrefixReservedSingles(16)`).
    Full,
    /// A block that can never hold an automatic prefix (an AWS edge block or a block touching an explicit
    /// reservation), partly used by single addresses ([`BlockState::AwsReserved`] with singles,
    /// [`BlockState::Explicit`] with assigned addresses).
    Singles,
    /// Wholly free general-pool block: can take a prefix now ([`BlockState::Free`]).
    Free,
    /// Wholly free block inside a prefix reservation: the next prefixes come from here
    /// ([`BlockState::PrefixReservedFree`]).
    PrefixReservation,
    /// An unused AWS edge block or unused block touching an explicit reservation ([`BlockState::AwsReserved`] and
    /// [`BlockState::Explicit`] with nothing assigned).
    Reserved,
}

impl MapClass {
    /// Every class, in legend order.
    pub const ALL: [Self; 7] = [
        Self::Prefix,
        Self::Spoiled,
        Self::Full,
        Self::Singles,
        Self::Free,
        Self::PrefixReservation,
        Self::Reserved,
    ];

    /// The class of a block state.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipplan_planner::alloc::BlockState;
    /// use ipplan_planner::svg::MapClass;
    ///
    /// assert_eq!(MapClass::of(BlockState::Singles(3)), MapClass::Spoiled);
    /// assert_eq!(MapClass::of(BlockState::Singles(16)), MapClass::Full);
    /// assert_eq!(MapClass::of(BlockState::AwsReserved { singles: 12 }), MapClass::Singles);
    /// assert_eq!(MapClass::of(BlockState::AwsReserved { singles: 0 }), MapClass::Reserved);
    /// ```
    #[must_use]
    pub const fn of(state: BlockState) -> Self {
        match state {
            BlockState::Prefix | BlockState::PrefixReservedPrefix => Self::Prefix,
            BlockState::Singles(16..) | BlockState::PrefixReservedSingles(16..) => Self::Full,
            BlockState::Singles(_) | BlockState::PrefixReservedSingles(_) => Self::Spoiled,
            BlockState::AwsReserved { singles: 0 } | BlockState::Explicit { assigned: 0 } => {
                Self::Reserved
            }
            BlockState::AwsReserved { .. } | BlockState::Explicit { .. } => Self::Singles,
            BlockState::Free => Self::Free,
            BlockState::PrefixReservedFree => Self::PrefixReservation,
        }
    }

    /// The legend name (also the CSS class of the block rectangles).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ipplan_planner::svg::MapClass::PrefixReservation.name(), "prefix-reservation");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Prefix => "prefix",
            Self::Spoiled => "spoiled",
            Self::Full => "full",
            Self::Singles => "singles",
            Self::Free => "free",
            Self::PrefixReservation => "prefix-reservation",
            Self::Reserved => "reserved",
        }
    }

    /// The fill colour.
    const fn colour(self) -> &'static str {
        match self {
            Self::Prefix => "#2166ac",
            Self::Spoiled => "#d6604d",
            Self::Full => "#67001f",
            Self::Singles => "#f4a582",
            Self::Free => "#e6f0d8",
            Self::PrefixReservation => "#b2abd2",
            Self::Reserved => "#878787",
        }
    }

    /// What the class means, for the legend.
    const fn meaning(self) -> &'static str {
        match self {
            Self::Prefix => "holds a /28 prefix",
            Self::Spoiled => {
                "fragmented: 1-15 single addresses in a block that could hold a prefix"
            }
            Self::Full => "full: all 16 addresses held by singles (exhausted, not fragmented)",
            Self::Singles => "singles in an aws edge block or an explicit reservation",
            Self::Free => "wholly free: can take a prefix now",
            Self::PrefixReservation => {
                "wholly free, in a prefix reservation (prefixes come here first)"
            }
            Self::Reserved => "unused aws edge block (first, last) or explicit reservation",
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Prefix => 0,
            Self::Spoiled => 1,
            Self::Full => 2,
            Self::Singles => 3,
            Self::Free => 4,
            Self::PrefixReservation => 5,
            Self::Reserved => 6,
        }
    }
}

/// Blocks per [`MapClass`] (indexed like [`MapClass::ALL`]).
///
/// # Examples
///
/// ```
/// use ipplan_planner::alloc::BlockState;
/// use ipplan_planner::svg::{MapClass, map_counts};
///
/// let states = [
///     BlockState::AwsReserved { singles: 12 },
///     BlockState::Prefix,
///     BlockState::Singles(1),
///     BlockState::AwsReserved { singles: 0 },
/// ];
/// let counts = map_counts(&states);
/// assert_eq!(counts, [(MapClass::Prefix, 1), (MapClass::Spoiled, 1), (MapClass::Full, 0),
///                     (MapClass::Singles, 1), (MapClass::Free, 0), (MapClass::PrefixReservation, 0),
///                     (MapClass::Reserved, 1)]);
/// ```
#[must_use]
pub fn map_counts(states: &[BlockState]) -> [(MapClass, usize); 7] {
    let mut n = [0usize; 7];
    for &s in states {
        n[MapClass::of(s).index()] += 1;
    }
    MapClass::ALL.map(|c| (c, n[c.index()]))
}

/// Layout of a [`subnet_map`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapOptions {
    /// Cells per row; `None` picks 16 for up to 256 cells, else 64.
    pub columns: Option<usize>,
    /// Cell edge in pixels; `None` picks 36 for up to 16 columns, else 14.
    pub cell_px: Option<u32>,
    /// At most this many cells (one `<rect>` each). A subnet with more /28 blocks is downsampled: each cell then
    /// stands for a power-of-two run of blocks, is filled with the class colours mixed by block count (a cell
    /// with 3 spoiled blocks of 16 is visibly tinted) and has the class most of them have as its CSS class.
    /// Default 4,096 (a /16 is drawn block by block).
    pub max_cells: usize,
}

impl Default for MapOptions {
    fn default() -> Self {
        Self {
            columns: None,
            cell_px: None,
            max_cells: 4096,
        }
    }
}

/// The first and last address of one `other_consumers[].at` entry (`10.0.1.20`, `10.0.1.20-10.0.1.27`,
/// `10.0.1.48/28`), for entries the plan has validated; `None` for text that is none of those.
pub(crate) fn at_span(text: &str) -> Option<(u32, u32)> {
    let t = text.trim();
    if t.contains('/') {
        let p: Ipv4Net = t.parse().ok()?;
        return Some((u32::from(p.network()), u32::from(p.broadcast())));
    }
    let (a, b) = t.split_once('-').unwrap_or((t, t));
    let (a, b): (Ipv4Addr, Ipv4Addr) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b).then_some((u32::from(a), u32::from(b)))
}

/// Who holds a subnet's known addresses (its `other_consumers[].at`), for the tooltips of
/// [`subnet_map_with_owners`] and `ipplan map --format json`.
///
/// # Examples
///
/// ```
/// use ipplan_planner::svg::Owners;
///
/// let mut o = Owners::default();
/// o.push("load-balancer", "10.0.1.18-10.0.1.19");
/// o.push("eks-node", "10.0.1.32/28");
/// let block = o.within("10.0.1.16/28".parse()?);
/// assert_eq!(block.len(), 1);
/// assert_eq!((block[0].what.as_str(), block[0].addresses), ("load-balancer", 2));
/// assert_eq!(block[0].at, ["10.0.1.18", "10.0.1.19"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    names: Vec<String>,
    /// (first, last, index into `names`), sorted by first; disjoint in a validated plan.
    spans: Vec<(u32, u32, usize)>,
}

/// One owner's addresses inside a range of a subnet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BlockOwner {
    /// The consumer's `what`.
    pub what: String,
    /// Addresses it holds in the range.
    pub addresses: u64,
    /// Where: single addresses, `a-b` runs of three or more, and whole /28 prefixes, lowest first.
    pub at: Vec<String>,
}

impl Owners {
    /// The owners of a plan subnet's `other_consumers[].at` entries.
    #[must_use]
    pub fn of(subnet: &crate::plan::SubnetSpec) -> Self {
        let mut o = Self::default();
        for c in &subnet.other_consumers {
            for text in &c.at {
                o.push(&c.what, text);
            }
        }
        o
    }

    /// The owners of the known addresses in plan subnet `name`: its `other_consumers[].at`, then the
    /// `ecs_services[].at` entries inside it (named `ecs service NAME`). Empty for a name the plan does not have.
    #[must_use]
    pub fn in_plan(spec: &crate::plan::PlanSpec, name: &str) -> Self {
        let Some(subnet) = spec.subnets.iter().find(|s| s.name == name) else {
            return Self::default();
        };
        let mut o = Self::of(subnet);
        let (lo, hi) = (
            u32::from(subnet.cidr.network()),
            u32::from(subnet.cidr.broadcast()),
        );
        for e in &spec.ecs_services {
            let what = format!("ecs service {}", e.name);
            for text in &e.at {
                if at_span(text).is_some_and(|(a, b)| lo <= a && b <= hi) {
                    o.push(&what, text);
                }
            }
        }
        o
    }

    /// Add one `at` entry held by `what` (an entry that is no address, range or prefix is ignored).
    pub fn push(&mut self, what: &str, at: &str) {
        let Some((a, b)) = at_span(at) else {
            return;
        };
        let k = match self.names.iter().position(|n| n == what) {
            Some(k) => k,
            None => {
                self.names.push(what.to_string());
                self.names.len() - 1
            }
        };
        let i = self.spans.partition_point(|s| s.0 < a);
        self.spans.insert(i, (a, b, k));
    }

    /// Whether no address is known.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The owners of the addresses in `range`, in the order of their lowest address there.
    #[must_use]
    pub fn within(&self, range: Ipv4Net) -> Vec<BlockOwner> {
        let (lo, hi) = (u32::from(range.network()), u32::from(range.broadcast()));
        // spans are disjoint and sorted, so their ends are sorted too
        let first = self.spans.partition_point(|s| s.1 < lo);
        let mut out: Vec<(usize, BlockOwner)> = Vec::new();
        for &(a, b, k) in self.spans[first..].iter().take_while(|s| s.0 <= hi) {
            let (a, b) = (a.max(lo), b.min(hi));
            let slot = match out.iter().position(|(n, _)| *n == k) {
                Some(i) => i,
                None => {
                    out.push((
                        k,
                        BlockOwner {
                            what: self.names[k].clone(),
                            addresses: 0,
                            at: Vec::new(),
                        },
                    ));
                    out.len() - 1
                }
            };
            let o = &mut out[slot].1;
            o.addresses += u64::from(b - a) + 1;
            let whole_block = a % 16 == 0 && b - a == 15;
            if whole_block {
                o.at.push(format!("{}/28", Ipv4Addr::from(a)));
            } else if b - a >= 2 {
                o.at.push(format!("{}-{}", Ipv4Addr::from(a), Ipv4Addr::from(b)));
            } else {
                o.at.extend((a..=b).map(|x| Ipv4Addr::from(x).to_string()));
            }
        }
        out.into_iter().map(|(_, o)| o).collect()
    }
}

/// One /28 block's owners ([`Owners::by_block`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OwnedBlock {
    /// The block.
    pub block: String,
    /// Who holds addresses there, in the order of their lowest address.
    pub owners: Vec<BlockOwner>,
}

impl Owners {
    /// The /28 blocks of subnet `cidr` that hold known addresses, lowest first, each with its owners.
    #[must_use]
    pub fn by_block(&self, cidr: Ipv4Net) -> Vec<OwnedBlock> {
        let mut out: Vec<OwnedBlock> = Vec::new();
        let (lo, hi) = (u32::from(cidr.network()), u32::from(cidr.broadcast()));
        let len = cidr.prefix_len().max(28);
        let mut last: Option<u32> = None;
        for &(a, b, _) in &self.spans {
            let (a, b) = (a.max(lo), b.min(hi));
            if a > b {
                continue;
            }
            // every block the span touches, once
            let mut blk = a & !15;
            while blk <= b {
                if last.is_none_or(|l| blk > l) {
                    if let Ok(net) = Ipv4Net::new(Ipv4Addr::from(blk), len) {
                        out.push(OwnedBlock {
                            block: net.to_string(),
                            owners: self.within(net),
                        });
                    }
                    last = Some(blk);
                }
                match blk.checked_add(16) {
                    Some(n) => blk = n,
                    None => break,
                }
            }
        }
        out
    }
}

/// At most this many owners, and this many places per owner, in one tooltip.
const TOOLTIP_OWNERS: usize = 6;
const TOOLTIP_PLACES: usize = 6;

/// The tooltip lines naming the owners of a block (`per_cell == 1`) or the owners and their address counts of a
/// downsampled cell, bounded: `+N more`.
fn owner_lines(owners: &[BlockOwner], block: bool) -> String {
    let mut s = String::new();
    for o in owners.iter().take(TOOLTIP_OWNERS) {
        s.push('\n');
        if block {
            let shown: Vec<&str> =
                o.at.iter()
                    .take(TOOLTIP_PLACES)
                    .map(String::as_str)
                    .collect();
            let _ = write!(s, "{}: {}", o.what, shown.join(", "));
            if o.at.len() > TOOLTIP_PLACES {
                let _ = write!(s, ", +{} more", o.at.len() - TOOLTIP_PLACES);
            }
        } else {
            let _ = write!(s, "{}: {} addresses", o.what, o.addresses);
        }
    }
    if owners.len() > TOOLTIP_OWNERS {
        let _ = write!(s, "\n+{} more owners", owners.len() - TOOLTIP_OWNERS);
    }
    s
}

/// Escape text for XML (and HTML) character data and attribute values: the five markup characters, and control
/// characters (which XML 1.0 forbids even escaped) as spaces.
///
/// ```
/// assert_eq!(ipplan_planner::svg::escape("<a & 'b'>\u{1b}"), "&lt;a &amp; &apos;b&apos;&gt; ");
/// ```
#[must_use]
pub fn escape(s: &str) -> String {
    esc(s)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A generous width estimate in pixels of `text` as an 18 px bold title (no font metrics in a pure function:
/// 11.5 px per character bounds DejaVu Sans Bold's average advance), so the picture is made wide enough.
fn title_width(text: &str) -> usize {
    (text.chars().count() * 23).div_ceil(2)
}

const FONT: &str = "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\"";

/// The colours of the classes mixed in proportion to their counts (a downsampled cell).
fn blend_colour(counts: &[(MapClass, usize); 7]) -> String {
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let mut rgb = [0usize; 3];
    for (c, n) in counts {
        let hex = c.colour();
        for (k, v) in rgb.iter_mut().enumerate() {
            let ch = usize::from_str_radix(&hex[1 + 2 * k..3 + 2 * k], 16).unwrap_or(0);
            *v += ch * n;
        }
    }
    let total = total.max(1);
    // Rounded to nearest.
    let [r, g, b] = rgb.map(|v| (v + total / 2) / total);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The description of a block for its tooltip.
fn describe(state: BlockState) -> String {
    let class = MapClass::of(state).name();
    match state {
        BlockState::AwsReserved { singles } => {
            format!("{class}: aws edge block, {singles} singles")
        }
        BlockState::Explicit { assigned } => {
            format!("{class}: explicit reservation, {assigned} assigned")
        }
        BlockState::Free | BlockState::Prefix => class.to_string(),
        BlockState::Singles(n) => format!("{class}: {n} singles"),
        BlockState::PrefixReservedFree => format!("{class}: free"),
        BlockState::PrefixReservedPrefix => format!("{class} (in a prefix reservation)"),
        BlockState::PrefixReservedSingles(n) => {
            format!("{class}: {n} singles (in a prefix reservation)")
        }
    }
}

/// `score 15% (HEALTHY)`, the score of AWS's subnet-fragmentation tool, or `score n/a` without candidate blocks.
fn score_text(c: &BlockCensus) -> String {
    match (c.score(), c.band()) {
        (Some(score), Some(band)) => format!("score {score}% ({band})"),
        _ => "score n/a (no block can take a new prefix)".to_string(),
    }
}

/// The /28 at block `i` of a subnet starting at `base` (the block CIDR, or the run's CIDR for `len` blocks).
fn run_cidr(base: u32, i: usize, len: usize) -> String {
    let start = base.wrapping_add((i as u32).wrapping_mul(16));
    let bits = 28 - len.trailing_zeros().min(28);
    format!("{}/{}", Ipv4Addr::from(start), bits)
}

/// Draws a subnet as a grid of its /28 blocks, lowest address top left, one colour per [`MapClass`], with
/// a legend (block count per class), the CIDR, the fragmentation share and a `<title>` tooltip per cell
/// (block CIDR and state).
///
/// `states` is one entry per /28, lowest first, as [`SubnetAllocator::block_states`](crate::alloc::SubnetAllocator::block_states)
/// returns them; `cidr` only labels the picture (block `i` is drawn as `cidr.network() + 16·i`). Block rectangles
/// sit in `<g id="blocks">` (one `<rect>` per cell); legend counts are in `<text id="count-NAME">`.
///
/// Fragmentation is `spoiled / (spoiled + full + free + prefix-reservation)`, the same share as
/// [`SubnetAllocator::fragmentation`](crate::alloc::SubnetAllocator::fragmentation); next to it the score and band
/// of AWS's subnet-fragmentation tool ([`BlockCensus`]).
///
/// # Examples
///
/// ```
/// use ipplan_planner::alloc::{Placement, SubnetAllocator};
/// use ipplan_planner::svg::{MapOptions, subnet_map};
///
/// // A /24 has 16 blocks (docs/model.md, "Prefixes and /28 fragmentation"): 16 cells, one row.
/// let cidr = "10.0.0.0/24".parse()?;
/// let mut a = SubnetAllocator::new(cidr, &[], Placement::Lowest)?;
/// a.alloc_prefixes(2)?;
/// let svg = subnet_map(cidr, &a.block_states(), "demo", &MapOptions::default());
/// assert!(svg.starts_with("<?xml"));
/// assert_eq!(svg.matches("<rect class=\"b ").count(), 16);
/// assert!(svg.contains("<title>10.0.0.16/28 prefix</title>"));
/// // The legend's prefix count.
/// let at = &svg[svg.find("id=\"count-prefix\"").unwrap()..];
/// assert_eq!(&at[at.find('>').unwrap() + 1..at.find("</text>").unwrap()], "2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn subnet_map(
    cidr: Ipv4Net,
    states: &[BlockState],
    title: &str,
    options: &MapOptions,
) -> String {
    subnet_map_with_owners(cidr, states, &Owners::default(), title, options)
}

/// [`subnet_map`] whose tooltips also name who holds the known addresses of each block ([`Owners`], from
/// `other_consumers[].at`): one line per owner with its addresses in the block (`load-balancer: 10.0.1.18,
/// 10.0.1.19`), at most 6 owners and 6 places each (`+N more`); a downsampled cell names its owners with their
/// address counts.
///
/// # Examples
///
/// ```
/// use ipplan_planner::alloc::{Placement, SubnetAllocator};
/// use ipplan_planner::svg::{MapOptions, Owners, subnet_map_with_owners};
///
/// let cidr = "10.0.1.0/24".parse()?;
/// let mut a = SubnetAllocator::new(cidr, &[], Placement::Lowest)?;
/// a.assign_explicit("10.0.1.18".parse()?)?;
/// a.assign_explicit("10.0.1.19".parse()?)?;
/// let mut owners = Owners::default();
/// owners.push("load-balancer", "10.0.1.18-10.0.1.19");
/// let svg = subnet_map_with_owners(cidr, &a.block_states(), &owners, "demo", &MapOptions::default());
/// assert!(svg.contains("<title>10.0.1.16/28 spoiled: 2 singles\nload-balancer: 10.0.1.18, 10.0.1.19</title>"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn subnet_map_with_owners(
    cidr: Ipv4Net,
    states: &[BlockState],
    owners: &Owners,
    title: &str,
    options: &MapOptions,
) -> String {
    let nblocks = states.len();
    // Blocks per cell: the smallest power of two that keeps the cell count within max_cells.
    let max_cells = options.max_cells.max(1);
    let mut per_cell = 1usize;
    while nblocks.div_ceil(per_cell) > max_cells {
        per_cell *= 2;
    }
    let ncells = nblocks.div_ceil(per_cell);
    let columns = options
        .columns
        .unwrap_or(if ncells <= 256 { 16 } else { 64 })
        .clamp(1, ncells.max(1));
    let cell = options
        .cell_px
        .unwrap_or(if columns <= 16 { 36 } else { 14 })
        .max(4) as usize;
    let rows = ncells.div_ceil(columns);
    let base = u32::from(cidr.network());
    let counts = map_counts(states);

    // Geometry: header, then row labels + grid, then the legend below the grid.
    let margin = 16usize;
    let label_w = 112usize;
    let grid_x = margin + label_w;
    let grid_y = 96usize;
    let grid_w = columns * cell;
    let grid_h = rows * cell;
    // Wide enough for the header and the one-column legend.
    let width = (grid_x + grid_w + margin)
        .max(680)
        .max(margin * 2 + title_width(title));
    let legend_y = grid_y + grid_h + 32;
    let height = legend_y + MapClass::ALL.len() * 22 + 8;
    // Row labels (11px text) at least 24px apart.
    let label_every = 24usize.div_ceil(cell).max(1);

    let eligible_left = counts[MapClass::Spoiled.index()].1
        + counts[MapClass::Full.index()].1
        + counts[MapClass::Free.index()].1
        + counts[MapClass::PrefixReservation.index()].1;
    let frag = if eligible_left == 0 {
        0.0
    } else {
        counts[MapClass::Spoiled.index()].1 as f64 / eligible_left as f64
    };

    let mut s = String::with_capacity(256 + ncells * 96);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" {FONT}>"
    );
    let _ = writeln!(s, "<title>{}</title>", esc(title));
    s.push_str("<style type=\"text/css\">");
    for c in MapClass::ALL {
        let _ = write!(s, ".{}{{fill:{}}}", c.name(), c.colour());
    }
    s.push_str(".b{stroke:#ffffff;stroke-width:1}</style>\n");
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{margin}\" y=\"28\" font-size=\"18\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    let scale = if per_cell == 1 {
        "1 cell = 1 /28".to_string()
    } else {
        format!("1 cell = {per_cell} /28s (colours mixed by count, counts in the tooltip)")
    };
    let _ = writeln!(
        s,
        "<text x=\"{margin}\" y=\"52\" font-size=\"13\">{cidr}: {nblocks} /28 blocks, {scale}</text>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{margin}\" y=\"72\" font-size=\"13\">fragmentation {:.1}%: spoiled share of the \
         prefix-capable blocks without a prefix; {}</text>",
        frag * 100.0,
        score_text(&BlockCensus::of(states))
    );

    // Row labels: the first address of the row.
    let _ = writeln!(
        s,
        "<g id=\"rows\" font-size=\"11\" font-family=\"DejaVu Sans Mono, monospace\" text-anchor=\"end\" fill=\"#333333\">"
    );
    for r in (0..rows).step_by(label_every) {
        let first = base.wrapping_add((r * columns * per_cell * 16) as u32);
        let y = grid_y + r * cell + cell / 2 + 4;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{y}\">{}</text>",
            grid_x - 6,
            Ipv4Addr::from(first)
        );
    }
    s.push_str("</g>\n");

    s.push_str("<g id=\"blocks\">\n");
    for c in 0..ncells {
        let lo = c * per_cell;
        let hi = (lo + per_cell).min(nblocks);
        let run = &states[lo..hi];
        let here = |len: usize| {
            if owners.is_empty() {
                return Vec::new();
            }
            let start = base.wrapping_add((lo as u32).wrapping_mul(16));
            let bits = 28 - len.trailing_zeros().min(28) as u8;
            Ipv4Net::new(Ipv4Addr::from(start), bits)
                .map_or_else(|_| Vec::new(), |n| owners.within(n))
        };
        let (class, tip, blend) = if per_cell == 1 {
            (
                MapClass::of(run[0]),
                format!(
                    "{} {}{}",
                    run_cidr(base, lo, 1),
                    describe(run[0]),
                    owner_lines(&here(1), true)
                ),
                String::new(),
            )
        } else {
            let n = map_counts(run);
            // Majority, ties to the earlier legend entry.
            let best = n.iter().fold(n[0], |b, &x| if x.1 > b.1 { x } else { b });
            let parts: Vec<String> = n
                .iter()
                .filter(|(_, k)| *k > 0)
                .map(|(c, k)| format!("{k} {}", c.name()))
                .collect();
            (
                best.0,
                format!(
                    "{} {}{}",
                    run_cidr(base, lo, per_cell),
                    parts.join(", "),
                    owner_lines(&here(per_cell), false)
                ),
                format!(" style=\"fill:{}\"", blend_colour(&n)),
            )
        };
        let x = grid_x + (c % columns) * cell;
        let y = grid_y + (c / columns) * cell;
        let _ = writeln!(
            s,
            "<rect class=\"b {}\"{blend} x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\"><title>{}</title></rect>",
            class.name(),
            esc(&tip)
        );
    }
    s.push_str("</g>\n");

    // Legend.
    s.push_str("<g id=\"legend\" font-size=\"13\">\n");
    for (i, (class, n)) in counts.iter().enumerate() {
        let x = margin;
        let y = legend_y + i * 22;
        let _ = writeln!(
            s,
            "<rect class=\"{}\" x=\"{x}\" y=\"{}\" width=\"14\" height=\"14\" stroke=\"#555555\" stroke-width=\"0.5\"/>",
            class.name(),
            y - 12
        );
        let _ = writeln!(
            s,
            "<text id=\"count-{name}\" x=\"{}\" y=\"{y}\" text-anchor=\"end\" font-weight=\"bold\">{n}</text>",
            x + 64,
            name = class.name()
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{y}\"><tspan font-weight=\"bold\">{}</tspan>: {}</text>",
            x + 72,
            class.name(),
            class.meaning()
        );
    }
    s.push_str("</g>\n</svg>\n");
    s
}

/// The two panels every timeline plot shows: addresses used and free /28 blocks, one series per subnet.
#[must_use]
pub fn timeline_panels(t: &crate::sim::Timeline) -> Vec<PlotPanel> {
    let series = |f: &dyn Fn(&crate::sim::TimelineSubnet) -> f64| -> Vec<PlotSeries> {
        t.subnet_names
            .iter()
            .enumerate()
            .map(|(i, name)| PlotSeries {
                name: name.clone(),
                points: t
                    .rows
                    .iter()
                    .filter_map(|r| r.subnets.get(i).map(|s| (f64::from(r.t), f(s))))
                    .collect(),
            })
            .collect()
    };
    vec![
        PlotPanel {
            label: "addresses used".to_string(),
            series: series(&|s| f64::from(s.used_addresses)),
            ..PlotPanel::default()
        },
        PlotPanel {
            label: "free /28 blocks (could take a prefix)".to_string(),
            series: series(&|s| f64::from(s.free_prefix_blocks)),
            ..PlotPanel::default()
        },
    ]
}

/// [`timeline_panels`] of a whole run: the addresses panel also draws each subnet's capacity (a dotted line in
/// the subnet's colour, labelled at its right end) and marks each of its [`crate::sim::FailureMark`]s where it
/// happened (time, addresses held then), the first of the subnet's marks drawn larger.
#[must_use]
pub fn simulation_panels(r: &crate::SimReport) -> Vec<PlotPanel> {
    let mut panels = timeline_panels(&r.timeline);
    if let Some(used) = panels.first_mut() {
        for s in &r.subnets {
            used.limits.push(PlotLimit {
                series: s.name.clone(),
                label: format!("{} capacity {}", s.name, s.capacity),
                value: s.capacity as f64,
            });
            for (k, m) in s.failure_marks.iter().enumerate() {
                let mut what = Vec::new();
                if m.failed.insufficient_cidr_blocks > 0 {
                    what.push(format!(
                        "{} InsufficientCidrBlocks",
                        m.failed.insufficient_cidr_blocks
                    ));
                }
                if m.failed.insufficient_free_addresses_in_subnet > 0 {
                    what.push(format!(
                        "{} InsufficientFreeAddressesInSubnet",
                        m.failed.insufficient_free_addresses_in_subnet
                    ));
                }
                used.marks.push(PlotMark {
                    series: s.name.clone(),
                    t: f64::from(m.t),
                    value: m.used_addresses as f64,
                    label: format!(
                        "{}: failed allocations from t={}s: {} ({} addresses held)",
                        s.name,
                        m.t,
                        what.join(", "),
                        m.used_addresses
                    ),
                    first: k == 0,
                });
            }
        }
    }
    panels
}

/// The run's first failure as a [`timeline_plot_with`] draws it: a time and a line of text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotEvent {
    /// Seconds from the start.
    pub t: f64,
    /// What happened.
    pub label: String,
}

/// The first failure of a run, when it has one with a time.
#[must_use]
pub fn first_failure_event(r: &crate::SimReport) -> Option<PlotEvent> {
    use crate::report::{Failure, FindingKind};
    let f = r.verdict.first_failure.as_ref()?;
    let FindingKind::Failure(kind) = &f.kind else {
        return None;
    };
    let t = match kind {
        Failure::AllocationFailed { t, .. }
        | Failure::WarmPoolNotHeld { t, .. }
        | Failure::PodWaited { t, .. }
        | Failure::PodsPending { t, .. }
        | Failure::PodsStillWaiting { t, .. }
        | Failure::PodsUnschedulable { t, .. } => *t,
        _ => return None,
    };
    Some(PlotEvent {
        t: f64::from(t),
        label: format!("first failure t={t}s: {}", f.subject),
    })
}

/// The plot of a whole run: [`simulation_panels`] with the first failure (a vertical line over every panel).
#[must_use]
pub fn simulation_plot(r: &crate::SimReport, title: &str) -> String {
    timeline_plot_with(
        &simulation_panels(r),
        title,
        first_failure_event(r).as_ref(),
    )
}

/// One line of a [`timeline_plot`]: a name and `(seconds, value)` points in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotSeries {
    /// The legend name (e.g. the subnet).
    pub name: String,
    /// `(time in seconds, value)`; points with a non-finite coordinate are left out of the drawing.
    pub points: Vec<(f64, f64)>,
}

/// One panel of a [`timeline_plot`]: a quantity (its y axis) and one series per subnet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlotPanel {
    /// The quantity, shown above the panel (e.g. `addresses used`).
    pub label: String,
    /// The lines; series `i` has the same colour in every panel.
    pub series: Vec<PlotSeries>,
    /// Horizontal lines (a subnet's capacity), in their series' colour, dotted, labelled at the right end.
    pub limits: Vec<PlotLimit>,
    /// Points marked with a cross in their series' colour (failed allocations).
    pub marks: Vec<PlotMark>,
}

/// A horizontal line across a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotLimit {
    /// The series whose colour it takes.
    pub series: String,
    /// Its label.
    pub label: String,
    /// Its value.
    pub value: f64,
}

/// A marked point of a panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotMark {
    /// The series whose colour it takes.
    pub series: String,
    /// Seconds from the start.
    pub t: f64,
    /// Its value.
    pub value: f64,
    /// Its tooltip.
    pub label: String,
    /// Drawn larger (the first of its series).
    pub first: bool,
}

/// The dash pattern of series `k`: solid, then patterns that stay apart when two lines coincide.
const DASHES: [&str; 6] = ["", "10 5", "3 3", "14 4 3 4", "6 2", "2 6"];

/// Colours (Okabe–Ito, without the yellow that is unreadable on white), then again dashed.
const PALETTE: [&str; 7] = [
    "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000",
];

/// A "nice" tick step (1, 2, 2.5 or 5 × 10^k) for about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    if span <= 0.0 || !span.is_finite() {
        return 1.0;
    }
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A tick label without float noise: integers plainly, else up to 3 decimals with trailing zeros cut.
fn fmt_num(v: f64) -> String {
    let v = if v.abs() < 1e-9 { 0.0 } else { v };
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let t = format!("{v:.3}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// An axis: `lo..hi` extended to whole ticks.
struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
}

impl Axis {
    fn new(min: f64, max: f64, target: f64) -> Self {
        // a quarter of f64's range each way, so `hi - lo` and the ticks stay finite (values beyond are drawn at the
        // edge)
        let limit = f64::MAX / 4.0;
        let (mut lo, mut hi) = (min.min(0.0).max(-limit), max.max(0.0).min(limit));
        if hi - lo <= 0.0 {
            hi = lo + 1.0;
        }
        let step = nice_step(hi - lo, target);
        lo = (lo / step).floor() * step;
        hi = (hi / step).ceil() * step;
        Self { lo, hi, step }
    }

    fn ticks(&self) -> Vec<f64> {
        // about `target` ticks by construction; never more than a few dozen, whatever the values
        let n = ((self.hi - self.lo) / self.step).round().clamp(0.0, 64.0) as i64;
        (0..=n).map(|i| self.lo + i as f64 * self.step).collect()
    }

    fn map(&self, v: f64, from: f64, to: f64) -> f64 {
        // a value beyond the axis is drawn at its edge
        let v = v.clamp(self.lo, self.hi);
        from + (v - self.lo) / (self.hi - self.lo) * (to - from)
    }
}

/// Plots values over time: one panel per quantity stacked on a shared time axis (e.g. addresses used, free /28
/// blocks), one polyline per series, axes with ticks and labels, and a legend to the right of the panels.
///
/// Times are seconds; the axis reads in seconds up to 5 minutes, minutes up to 5 hours, else hours. Each series
/// is one `<polyline>` with one point per finite input point, in `<g class="series">`, drawn as given (add the
/// step corners yourself for a step function). Values are rounded to 0.1 px.
///
/// # Examples
///
/// ```
/// use ipplan_planner::svg::{PlotPanel, PlotSeries, timeline_plot};
///
/// let used = PlotPanel {
///     label: "addresses used".into(),
///     series: vec![PlotSeries { name: "a".into(), points: vec![(0.0, 10.0), (60.0, 40.0), (120.0, 35.0)] }],
///     ..PlotPanel::default()
/// };
/// let svg = timeline_plot(&[used], "demo");
/// assert_eq!(svg.matches("<polyline").count(), 1);
/// assert!(svg.contains("time (s)"));
/// ```
#[must_use]
pub fn timeline_plot(panels: &[PlotPanel], title: &str) -> String {
    timeline_plot_with(panels, title, None)
}

/// [`timeline_plot`] with an event drawn over every panel: a vertical dashed red line at its time, labelled at
/// the top (`<g id="first-failure">`). Limits are `<line class="limit">` with a `<text class="limit-label">`,
/// marks `<g class="mark">` (`class="mark first"` for a series' first) translated to the point, and each series
/// gets a direct label (`<text class="direct-label">`) near its last point, labels pushed apart so that none
/// hides another.
#[must_use]
pub fn timeline_plot_with(panels: &[PlotPanel], title: &str, event: Option<&PlotEvent>) -> String {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let all_points = || {
        panels
            .iter()
            .flat_map(|p| &p.series)
            .flat_map(|s| s.points.iter().filter(finite))
    };
    let (tmin, tmax) = all_points().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    let (tmin, tmax) = if tmin.is_finite() {
        (tmin, tmax)
    } else {
        (0.0, 1.0)
    };
    // Time unit.
    let (unit, div) = if tmax <= 300.0 {
        ("s", 1.0)
    } else if tmax <= 5.0 * 3600.0 {
        ("min", 60.0)
    } else {
        ("h", 3600.0)
    };
    let xaxis = Axis::new(tmin / div, tmax / div, 8.0);

    // Series names in first-seen order, for colours and the legend.
    let mut names: Vec<&str> = Vec::new();
    for p in panels {
        for s in &p.series {
            if !names.contains(&s.name.as_str()) {
                names.push(&s.name);
            }
        }
    }

    let margin = 16.0;
    let left = 80.0;
    let plot_w = 640.0;
    let panel_h = 200.0;
    let panel_gap = 64.0;
    let top = 64.0;
    let legend_x = left + plot_w + 24.0;
    let legend_w = 16.0
        + 28.0
        + 8.0
            * names
                .iter()
                .map(|n| n.chars().count())
                .max()
                .unwrap_or(4)
                .max(6) as f64;
    let width = (legend_x + legend_w + margin).max(title_width(title) as f64 + 2.0 * margin);
    let npanels = panels.len().max(1);
    let height = top + npanels as f64 * (panel_h + panel_gap) - panel_gap + 56.0;

    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT}>"
    );
    let _ = writeln!(s, "<title>{}</title>", esc(title));
    let _ = writeln!(
        s,
        "<rect x=\"0\" y=\"0\" width=\"{width:.0}\" height=\"{height:.0}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        s,
        "<text x=\"{margin}\" y=\"30\" font-size=\"18\" font-weight=\"bold\">{}</text>",
        esc(title)
    );

    for (pi, panel) in panels.iter().enumerate() {
        let y0 = top + pi as f64 * (panel_h + panel_gap);
        let y1 = y0 + panel_h;
        let (vmin, vmax) = panel
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter(finite).map(|p| p.1))
            .chain(panel.limits.iter().map(|l| l.value))
            .chain(panel.marks.iter().map(|m| m.value))
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        let (vmin, vmax) = if vmin.is_finite() {
            (vmin, vmax)
        } else {
            (0.0, 1.0)
        };
        let yaxis = Axis::new(vmin, vmax, 5.0);
        let _ = writeln!(s, "<g class=\"panel\" id=\"panel-{pi}\">");
        let _ = writeln!(
            s,
            "<text x=\"{left}\" y=\"{:.1}\" font-size=\"14\" font-weight=\"bold\">{}</text>",
            y0 - 10.0,
            esc(&panel.label)
        );
        // Grid and ticks.
        s.push_str("<g font-size=\"11\" fill=\"#333333\">\n");
        for t in yaxis.ticks() {
            let y = yaxis.map(t, y1, y0);
            let _ = writeln!(
                s,
                "<line x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e0e0e0\" stroke-width=\"1\"/>",
                left + plot_w
            );
            let _ = writeln!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left - 6.0,
                y + 4.0,
                fmt_num(t)
            );
        }
        for t in xaxis.ticks() {
            let x = xaxis.map(t, left, left + plot_w);
            let _ = writeln!(
                s,
                "<line x1=\"{x:.1}\" y1=\"{y1:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#333333\" stroke-width=\"1\"/>",
                y1 + 5.0
            );
            let _ = writeln!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                y1 + 18.0,
                fmt_num(t)
            );
        }
        s.push_str("</g>\n");
        // Axes.
        let _ = writeln!(
            s,
            "<path d=\"M{left},{y0:.1} V{y1:.1} H{:.1}\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>",
            left + plot_w
        );
        // Series.
        s.push_str(
            "<g class=\"series\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n",
        );
        let mut ends: Vec<(f64, f64, usize)> = Vec::new();
        for ser in &panel.series {
            let k = names.iter().position(|n| *n == ser.name).unwrap_or(0);
            let dash = match DASHES[k % DASHES.len()] {
                "" => String::new(),
                d => format!(" stroke-dasharray=\"{d}\""),
            };
            // earlier series wider, so one drawn over another of the same values leaves its edges visible
            let width = 2.0 + 1.5 * (names.len().saturating_sub(k + 1)).min(2) as f64;
            if let Some(&(t, v)) = ser.points.iter().rev().find(|p| finite(p)) {
                ends.push((
                    xaxis.map(t / div, left, left + plot_w),
                    yaxis.map(v, y1, y0),
                    k,
                ));
            }
            let pts: Vec<String> = ser
                .points
                .iter()
                .filter(finite)
                .map(|&(t, v)| {
                    format!(
                        "{:.1},{:.1}",
                        xaxis.map(t / div, left, left + plot_w),
                        yaxis.map(v, y1, y0)
                    )
                })
                .collect();
            let _ = writeln!(
                s,
                "<polyline stroke=\"{}\" stroke-width=\"{width}\"{dash} points=\"{}\"><title>{}</title></polyline>",
                PALETTE[k % PALETTE.len()],
                pts.join(" "),
                esc(&format!("{}: {}", ser.name, panel.label))
            );
        }
        s.push_str("</g>\n");
        // Direct labels at the series' ends, pushed apart (12 px) from the top down.
        ends.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.cmp(&b.2)));
        let mut last_y = f64::NEG_INFINITY;
        s.push_str("<g font-size=\"11\">\n");
        for (x, y, k) in ends {
            let y = (y - 4.0).max(last_y + 12.0);
            last_y = y;
            let _ = writeln!(
                s,
                "<text class=\"direct-label\" x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                x - 4.0,
                PALETTE[k % PALETTE.len()],
                esc(names[k])
            );
        }
        s.push_str("</g>\n");
        // Limits (a subnet's capacity).
        for l in &panel.limits {
            if !l.value.is_finite() {
                continue;
            }
            let k = names.iter().position(|n| *n == l.series).unwrap_or(0);
            let y = yaxis.map(l.value, y1, y0);
            let _ = writeln!(
                s,
                "<line class=\"limit\" x1=\"{left}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" \
                 stroke-width=\"1.5\" stroke-dasharray=\"2 3\"><title>{}</title></line>",
                left + plot_w,
                PALETTE[k % PALETTE.len()],
                esc(&l.label)
            );
            let _ = writeln!(
                s,
                "<text class=\"limit-label\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\" fill=\"{}\">{}</text>",
                left + plot_w - 2.0,
                y - 3.0,
                PALETTE[k % PALETTE.len()],
                esc(&l.label)
            );
        }
        // Marks (failed allocations).
        for m in &panel.marks {
            if !(m.t.is_finite() && m.value.is_finite()) {
                continue;
            }
            let k = names.iter().position(|n| *n == m.series).unwrap_or(0);
            let (x, y) = (
                xaxis.map(m.t / div, left, left + plot_w),
                yaxis.map(m.value, y1, y0),
            );
            let r = if m.first { 6.0 } else { 4.0 };
            let _ = writeln!(
                s,
                "<g class=\"mark{}\" transform=\"translate({x:.1},{y:.1})\"><path d=\"M-{r},-{r} L{r},{r} M-{r},{r} L{r},-{r}\" \
                 stroke=\"{}\" stroke-width=\"2.5\" fill=\"none\"/><title>{}</title></g>",
                if m.first { " first" } else { "" },
                PALETTE[k % PALETTE.len()],
                esc(&m.label)
            );
        }
        s.push_str("</g>\n");
    }
    // The event over every panel.
    if let Some(e) = event
        && e.t.is_finite()
    {
        let x = xaxis.map(e.t / div, left, left + plot_w);
        let bottom = top + npanels as f64 * (panel_h + panel_gap) - panel_gap;
        let _ = writeln!(
            s,
            "<g id=\"first-failure\"><line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#cc0000\" \
             stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#cc0000\">{}</text></g>",
            top,
            x + 4.0,
            top + 12.0,
            esc(&e.label)
        );
    }
    // The time axis label under the last panel.
    let last_y1 = top + npanels as f64 * (panel_h + panel_gap) - panel_gap;
    let _ = writeln!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">time ({unit})</text>",
        left + plot_w / 2.0,
        last_y1 + 40.0
    );
    // Legend, right of the panels.
    s.push_str("<g id=\"legend\" font-size=\"12\">\n");
    for (k, name) in names.iter().enumerate() {
        let y = top + 8.0 + k as f64 * 20.0;
        let dash = match DASHES[k % DASHES.len()] {
            "" => String::new(),
            d => format!(" stroke-dasharray=\"{d}\""),
        };
        let _ = writeln!(
            s,
            "<line x1=\"{legend_x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{}\" stroke-width=\"3\"{dash}/>",
            legend_x + 24.0,
            PALETTE[k % PALETTE.len()]
        );
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            legend_x + 30.0,
            y + 4.0,
            esc(name)
        );
    }
    s.push_str("</g>\n</svg>\n");
    s
}
