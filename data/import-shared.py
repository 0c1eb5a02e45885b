#!/usr/bin/env python3
"""One-off import of the research table into the project's schema (data/instances.csv).

Usage: python3 data/import-shared.py ../shared/data/ec2-network-limits.csv > data/instances.csv

Not needed to build, run or test ipplan: it records how data/instances.csv was first made.
Users refresh or extend the table with `ipplan instances import describe.json` instead.
"""
import csv
import sys

COLUMNS = [
    "instance_type", "enis", "ipv4_per_eni", "vcpus", "hypervisor", "bare_metal",
    "network_cards", "enis_total", "trunking", "branch_enis", "source",
]

def main(path):
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    with open(path, newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["instance_type"])
    for r in rows:
        out.writerow([
            r["instance_type"], r["max_enis_default_card"], r["ipv4_per_eni"], r["vcpus"],
            r["hypervisor"], r["bare_metal"], r["network_cards"], r["max_enis_total"],
            r["trunking_compatible"], r["branch_enis"], r["source"],
        ])

if __name__ == "__main__":
    main(sys.argv[1])
