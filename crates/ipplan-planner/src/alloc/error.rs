//! Why an allocation, release or set-up failed: EC2's two capacity errors (`InsufficientFreeAddressesInSubnet`,
//! `InsufficientCidrBlocks`, the codes ipamd logs for a failed `CreateNetworkInterface` /
//! `AssignPrivateIpAddresses`) and the caller's mistakes (a CIDR with host bits, an address outside the subnet, a
//! release of something not held).

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use crate::alloc::{MAX_PREFIX_LEN, MIN_PREFIX_LEN};

/// Why an allocation, release or set-up failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllocError {
    /// EC2 `InsufficientFreeAddressesInSubnet`: fewer free single-eligible addresses than requested.
    InsufficientFreeAddressesInSubnet {
        /// The subnet.
        subnet: Ipv4Net,
        /// Addresses asked for.
        requested: u64,
        /// Free single-eligible addresses.
        free: u64,
    },
    /// EC2 `InsufficientCidrBlocks`: fewer wholly free, prefix-eligible aligned /28 blocks than requested.
    InsufficientCidrBlocks {
        /// The subnet.
        subnet: Ipv4Net,
        /// Prefixes asked for.
        requested: u64,
        /// Blocks that could take a prefix now.
        free: u64,
    },
    /// The subnet is not between /10 and /28.
    UnsupportedPrefixLen {
        /// The subnet as given.
        subnet: Ipv4Net,
    },
    /// The subnet (or a reservation) has host bits set.
    HostBitsSet {
        /// The CIDR as given.
        cidr: Ipv4Net,
    },
    /// A reservation is not inside the subnet.
    ReservationOutsideSubnet {
        /// The reservation.
        reservation: Ipv4Net,
        /// The subnet.
        subnet: Ipv4Net,
    },
    /// Two reservations overlap.
    ReservationOverlap {
        /// One reservation.
        first: Ipv4Net,
        /// The other.
        second: Ipv4Net,
    },
    /// A prefix reservation smaller than a /28 (it could never hold a prefix).
    PrefixReservationTooSmall {
        /// The reservation.
        reservation: Ipv4Net,
    },
    /// An address outside the subnet.
    AddressOutsideSubnet {
        /// The address.
        addr: Ipv4Addr,
        /// The subnet.
        subnet: Ipv4Net,
    },
    /// A prefix that is not an aligned /28 inside the subnet.
    NotABlock {
        /// The CIDR as given.
        net: Ipv4Net,
        /// The subnet.
        subnet: Ipv4Net,
    },
    /// Releasing a single address that is not assigned (or lies inside a prefix).
    AddressNotAllocated {
        /// The address.
        addr: Ipv4Addr,
    },
    /// Releasing a /28 that is not held as a prefix.
    PrefixNotAllocated {
        /// The prefix.
        net: Ipv4Net,
    },
    /// Assigning one of the 5 AWS-reserved addresses.
    AwsReservedAddress {
        /// The address.
        addr: Ipv4Addr,
    },
    /// Assigning an address that is already assigned (as a single or inside a prefix).
    AddressInUse {
        /// The address.
        addr: Ipv4Addr,
    },
    /// Assigning a /28 that is an edge block or not wholly free.
    PrefixUnavailable {
        /// The prefix.
        net: Ipv4Net,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InsufficientFreeAddressesInSubnet {
                subnet,
                requested,
                free,
            } => write!(
                f,
                "not enough free addresses in subnet '{subnet}' (InsufficientFreeAddressesInSubnet): \
                 {requested} requested, {free} free; use a larger subnet or release addresses"
            ),
            Self::InsufficientCidrBlocks {
                subnet,
                requested,
                free,
            } => write!(
                f,
                "not enough free /28 blocks in subnet '{subnet}' (InsufficientCidrBlocks): {requested} requested, \
                 {free} free; use a new subnet or carve a prefix reservation with create-subnet-cidr-reservation"
            ),
            Self::UnsupportedPrefixLen { subnet } => write!(
                f,
                "subnet '{subnet}' is not between /{MIN_PREFIX_LEN} and /{MAX_PREFIX_LEN}; use a prefix length in \
                 that range"
            ),
            Self::HostBitsSet { cidr } => {
                write!(f, "cidr '{cidr}' has host bits set; use '{}'", cidr.trunc())
            }
            Self::ReservationOutsideSubnet {
                reservation,
                subnet,
            } => write!(
                f,
                "reservation '{reservation}' is not inside subnet '{subnet}'; use a range inside the subnet"
            ),
            Self::ReservationOverlap { first, second } => write!(
                f,
                "reservations '{first}' and '{second}' overlap; make the reservation ranges disjoint"
            ),
            Self::PrefixReservationTooSmall { reservation } => write!(
                f,
                "prefix reservation '{reservation}' is smaller than a /28 and can never hold a prefix; use /28 or \
                 larger"
            ),
            Self::AddressOutsideSubnet { addr, subnet } => write!(
                f,
                "address '{addr}' is not in subnet '{subnet}'; use an address inside the subnet"
            ),
            Self::NotABlock { net, subnet } => write!(
                f,
                "'{net}' is not an aligned /28 inside subnet '{subnet}'; use an aligned /28 of the subnet"
            ),
            Self::AddressNotAllocated { addr } => write!(
                f,
                "address '{addr}' is not allocated as a single address; release only addresses you allocated"
            ),
            Self::PrefixNotAllocated { net } => write!(
                f,
                "prefix '{net}' is not allocated; release only prefixes you allocated"
            ),
            Self::AwsReservedAddress { addr } => write!(
                f,
                "address '{addr}' is one of the 5 aws-reserved addresses of its subnet; pick another address"
            ),
            Self::AddressInUse { addr } => write!(
                f,
                "address '{addr}' is already assigned; pick a free address"
            ),
            Self::PrefixUnavailable { net } => write!(
                f,
                "prefix '{net}' is an edge block or not wholly free; pick a wholly free inner /28"
            ),
        }
    }
}

impl std::error::Error for AllocError {}

#[cfg(test)]
mod tests {
    use ipnet::Ipv4Net;

    use super::AllocError;

    fn net(s: &str) -> Ipv4Net {
        s.parse().unwrap()
    }

    #[test]
    fn messages_are_one_lowercase_line_quoting_the_input() {
        let errs = [
            AllocError::InsufficientCidrBlocks {
                subnet: net("10.0.0.0/24"),
                requested: 2,
                free: 1,
            },
            AllocError::HostBitsSet {
                cidr: net("10.0.0.7/24"),
            },
            AllocError::PrefixNotAllocated {
                net: net("10.0.0.16/28"),
            },
        ];
        for e in &errs {
            let m = e.to_string();
            assert!(m.starts_with(|c: char| !c.is_ascii_uppercase()), "{m}");
            assert!(!m.ends_with('.') && !m.contains('\n'), "{m}");
            assert!(m.contains('\''), "{m}");
        }
        assert_eq!(
            errs[1].to_string(),
            "cidr '10.0.0.7/24' has host bits set; use '10.0.0.0/24'"
        );
    }
}
