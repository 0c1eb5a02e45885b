//! # ipplan-planner
//!
//! Will these subnets hold this cluster's pods? The VPC CNI's IP pool per node, per-AZ subnet budgets,
//! /28 allocation, a tick-by-tick simulation of ipamd, and reports.
//!
//! # Organization
//!
//! A plan takes one path through the modules, and each module imports only from those before it:
//!
//! ```text
//! text / Terraform query / importers / library caller
//!     -> plan::PlanSpec           plain data as written          (plan/spec.rs, plan/read.rs, terraform.rs, import/)
//!     -> Plan::from_spec           the one validation pass        (plan/validate.rs)
//!     -> plan::Plan                valid by construction: ids, NodeShape and its pool per group, the scenario
//!     -> capacity::check           the closed form at peak        (capacity/: budget, breakdown, check, compare,
//!                                                                  advise)
//!      | sim::simulate             ipamd tick by tick             (sim/: engine, node; alloc/ underneath)
//!     -> reports (serde data)      capacity::Report, sim::SimReport; svg draws them
//! ```
//!
//! - [`plan`]: the plan file's types ([`PlanSpec`] as written, [`Plan`] validated), the CNI settings and the
//!   [`plan::NodeShape`] each node group's instance type takes under them, the scenario types.
//! - [`capacity`]: the closed form: the subnet budget, `check`, `compare`, `advise` (and the per-node pool,
//!   re-exported from [`plan`]).
//! - [`report`]: `Verdict`, `Failure`, `Finding`: reports as data, and the wire format.
//! - [`alloc`]: a /28-aware subnet allocator; it imports nothing from the rest of the crate.
//! - [`sim`]: the simulation of every node's ipamd over time against the allocators.
//! - [`svg`]: the /28 map and the timeline plot.
//! - [`terraform`]: Terraform's `external` data-source protocol (a query map in, a string map out).
//! - [`import`]: Terraform plans and states, eksctl configs, Karpenter NodePools and describe-subnets output, each
//!   file -> a fragment -> one merged [`PlanSpec`] with the source of every value and the assumptions made.
//!
//! Imports point one way, with no cycle: `plan` imports nothing else of the crate (one node's pool,
//! [`plan::pool_of`], lives beside its [`plan::NodeShape`], so validation can rank a mixed fleet's types and know
//! the one it is judged on); `report` imports `plan`; `capacity` imports `plan` and `report`; `sim` imports
//! `plan`, `report`, `alloc` and `capacity`'s budget; `terraform`, `import` and `svg` sit on top; `alloc` imports
//! nothing.
//!
//! The crate root re-exports the dozen names most callers need; everything else is under its module path.
#![deny(missing_docs)]

pub mod alloc;
pub mod capacity;
mod error;
pub mod import;
pub mod plan;
pub mod report;
pub mod sim;
pub mod svg;
pub mod terraform;

pub use capacity::{Comparison, Layout, Report, check, compare};
pub use error::PlanError;
pub use plan::{Plan, PlanSpec, Scenario};
pub use sim::{SimReport, Simulation, TrialsReport, simulate, simulate_trials};
pub use terraform::{terraform_plan, terraform_run};
