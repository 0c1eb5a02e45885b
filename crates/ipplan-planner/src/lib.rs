//! # ipplan-planner
//!
//! Will these subnets hold this cluster's pods? The VPC CNI's IP pool per node, per-AZ subnet budgets,
//! /28 allocation and reports.
#![deny(missing_docs)]

mod alloc;
mod budget;
mod check;
mod cni;
mod compare;
mod demand;
mod error;
mod plan;
mod pool;
mod sim;
mod svg;
mod terraform;
mod yaml;

pub use alloc::{
    AllocError, BlockState, MAX_PREFIX_LEN, MIN_PREFIX_LEN, Placement, ReservationKind,
    SubnetAllocator,
};
pub use budget::{AWS_RESERVED_PER_SUBNET, FitFailure, PrefixFit, SubnetBudget, SubnetFit};
pub use check::{
    CLOSED_FORM_BASIS, Finding, NAU_QUOTA, NauReport, NodeGroupReport, REPORT_SCHEMA_VERSION,
    Report, Severity, SubnetReport, check,
};
pub use cni::CniConfig;
pub use compare::{
    Comparison, GroupReach, Layout, LayoutRow, apply_layout, compare, fits_with_headroom,
};
pub use demand::SubnetDemand;
pub use error::PlanError;
pub use plan::{
    Consumer, ControlPlane, DEFAULT_CONTROL_PLANE_ENIS, DEFAULT_HEADROOM_PERCENT,
    LONGEST_SUBNET_PREFIX, MaxPodsSpec, NodeGroup, Plan, PlanWarning, PodsSpec, Reservation,
    SHORTEST_SUBNET_PREFIX, Subnet, SubnetRole, VPC_CIDR_QUOTA,
};
pub use pool::{DEFAULT_HOST_NETWORK_PODS, NodeLoad, NodePool, PoolFinding, node_pool};
pub use sim::{
    Arrival, DECREASE_INTERVAL_SECONDS, DEFAULT_SAMPLE_SECONDS, DEFAULT_TICK_SECONDS,
    DEFAULT_WAIT_THRESHOLD_SECONDS, ENI_ATTACH_SECONDS, Event, EventKind, FailureCounts,
    FailureEvent, FailureKind, INSUFFICIENT_CIDR_BACKOFF_SECONDS, IP_COOLDOWN_SECONDS,
    LAUNCH_RETRY_SECONDS, MAX_DURATION_SECONDS, MAX_UNTIL_STEADY_SECONDS, MIN_ENI_LIFETIME_SECONDS,
    NODE_READY_SECONDS, NodeState, PodAddressOrder, PodWaits, SIM_SCHEMA_VERSION, SIMULATED_BASIS,
    STEADY_SECONDS, Scenario, SimGroupReport, SimReport, SimSubnetReport, Simulation,
    SinglePlacement, Timeline, TimelineRow, TimelineSubnet, TrialOutcome, TrialsReport,
    parse_seconds, simulate, simulate_trials,
};
pub use svg::{MapClass, MapOptions, PlotPanel, PlotSeries, map_counts, subnet_map, timeline_plot};
pub use terraform::{terraform_plan, terraform_result, terraform_run};
