"""Peers the benchmarks compare with, measured in the same run: deliberately minimal apps."""
