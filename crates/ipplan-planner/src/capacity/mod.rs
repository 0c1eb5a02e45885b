//! The closed form: what each node holds in steady state ([`node_pool`]), what each subnet has
//! ([`SubnetBudget`]), whether the plan fits at peak ([`check`]), and the same cluster on other layouts
//! ([`compare`]), and what would make it fit ([`advise`]).

pub(crate) mod advise;
pub(crate) mod breakdown;
pub(crate) mod budget;
pub(crate) mod check;
pub(crate) mod compare;
pub(crate) mod discovery;

pub use advise::{Advice, AdviseOptions, Candidate, CandidateKind, advise};
pub use breakdown::Breakdown;
pub use budget::{AWS_RESERVED_PER_SUBNET, FitFailure, PrefixFit, SubnetBudget, SubnetFit};
pub use check::{
    MemberReport, Migration, MigrationStep, NAU_QUOTA, NauReport, NodeGroupReport, Report,
    SubnetReport, check,
};
pub use compare::{
    Comparison, GroupReach, Layout, LayoutRow, apply_layout, compare, fits_with_headroom,
};
// The closed form of one node's pool lives with its NodeShape in `plan` (validation ranks a mixed fleet's types
// by it); re-exported here, where the rest of the closed form is.
pub use crate::plan::{
    DEFAULT_HOST_NETWORK_PODS, NodeLoad, NodePool, PoolFinding, SubnetDemand, node_pool, pool_of,
};
