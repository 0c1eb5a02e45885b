//! # ipplan-core
//!
//! Facts and formulas, no I/O: every EC2 instance type's network limits (an embedded, generated table) and
//! the max-pods rules of the VPC CNI, AWS's `max-pods-calculator.sh`, EKS and Karpenter.
//!
//! ## Organization
//! A type's facts take one path: `table.rs` (generated from `data/instances.csv`) or a user's rows
//! (`rows.rs`) -> [`Catalog`] -> [`InstanceInfo`] -> the rules below.
//! - `catalog.rs` — [`Catalog`]: look types up in the embedded table, optionally overlaid with a user's rows;
//! - `rows.rs` — [`parse_csv`], [`parse_describe_json`], [`to_csv`]: the one row parser, for the project's CSV
//!   schema and for `aws ec2 describe-instance-types --output json`;
//! - `instance.rs` — [`InstanceInfo`]: one type's network facts;
//! - `mode.rs` — [`cni_address_mode`]: whether the CNI runs prefix delegation on a type (the one rule);
//! - `maxpods.rs` — [`max_pods`], [`karpenter_max_pods`], [`pod_eni_capacity`],
//!   [`karpenter_pod_eni_capacity`]: max pods per node and branch ENIs;
//! - `error.rs` — [`CoreError`].
//!
//! ```
//! use ipplan_core::{Catalog, MaxPodsOptions, max_pods};
//! let cat = Catalog::embedded();
//! let r = max_pods(cat.get("c6i.4xlarge")?, &MaxPodsOptions::default())?;
//! assert_eq!((r.max_pods, r.eni_limited_pods), (110, 234));
//! # Ok::<(), ipplan_core::CoreError>(())
//! ```
#![deny(missing_docs)]

mod catalog;
mod error;
mod instance;
mod maxpods;
mod mode;
mod rows;
#[rustfmt::skip] // generated, one row per line: see tests/table.rs
mod table;

pub use catalog::{Catalog, DATA_VERSION, edit_distance, edit_distance_within, embedded_table};
pub use error::{CoreError, printable};
pub use instance::{Hypervisor, InstanceInfo, Vcpus, vcpus_from_size_name};
pub use maxpods::{
    AddressMode, CniVersion, MaxPods, MaxPodsNote, MaxPodsOptions, PodCap, karpenter_max_pods,
    karpenter_pod_eni_capacity, max_pods, pod_eni_capacity,
};
pub use mode::{PrefixFallback, cni_address_mode};
pub use rows::{
    CSV_HEADER, MAX_INSTANCE_DATA_BYTES, MAX_ROW_COUNT, MAX_ROW_VCPUS, parse_csv,
    parse_describe_json, parse_instance_data, to_csv,
};
