"""Benchmarks behind `make bench`; each module measures ratios within one run."""
