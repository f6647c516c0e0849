"""Benchmarks: each prints figures measured against a floor from the same run."""
