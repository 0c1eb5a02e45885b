//! The closed form: what each node holds in steady state ([`node_pool`]), what each subnet has
//! ([`SubnetBudget`]), whether the plan fits at peak ([`check`]), and the same cluster on other layouts
//! ([`compare`]), and what would make it fit ([`advise`]).

pub(crate) mod advise;
pub(crate) mod breakdown;
pub(crate) mod budget;
pub(crate) mod check;
pub(crate) mod compare;
pub(crate) mod demand;
pub(crate) mod pool;

pub use advise::{Advice, AdviseOptions, Candidate, CandidateKind, advise};
pub use breakdown::Breakdown;
pub use budget::{AWS_RESERVED_PER_SUBNET, FitFailure, PrefixFit, SubnetBudget, SubnetFit};
pub use check::{MemberReport, NAU_QUOTA, NauReport, NodeGroupReport, Report, SubnetReport, check};
pub use compare::{
    Comparison, GroupReach, Layout, LayoutRow, apply_layout, compare, fits_with_headroom,
};
pub use demand::SubnetDemand;
pub use pool::{DEFAULT_HOST_NETWORK_PODS, NodeLoad, NodePool, PoolFinding, node_pool, pool_of};
