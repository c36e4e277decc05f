"""Parses Terraform files with python-hcl2 and prints each one that does not parse.

Usage: python3 hcl_parse.py FILE... ; exits 1 when any file fails.
"""

import sys

import hcl2

bad = 0
for path in sys.argv[1:]:
    try:
        with open(path) as f:
            hcl2.load(f)
    except Exception as e:  # the parser raises several kinds; each is a finding
        bad += 1
        with open(path) as f:
            print(path, f.readline().strip(), e)
print(f"{len(sys.argv) - 1} Terraform files parsed, {bad} failed")
sys.exit(1 if bad else 0)
