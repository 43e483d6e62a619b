"""Benchmarks that print figures; they are not part of the test run."""
