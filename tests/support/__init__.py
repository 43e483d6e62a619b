"""Helpers shared by the browser tests and the benchmarks (not tests themselves)."""
