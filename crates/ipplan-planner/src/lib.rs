//! # ipplan-planner
//!
//! Will these subnets hold this cluster's pods? The VPC CNI's IP pool per node, per-AZ subnet budgets,
//! /28 allocation and reports.
#![deny(missing_docs)]

mod alloc;
mod cni;
mod demand;
mod pool;

pub use alloc::{
    AllocError, BlockState, MAX_PREFIX_LEN, MIN_PREFIX_LEN, Placement, ReservationKind, SubnetAllocator,
};
pub use cni::CniConfig;
pub use demand::SubnetDemand;
pub use pool::{DEFAULT_HOST_NETWORK_PODS, NodeLoad, NodePool, PoolFinding, node_pool};
