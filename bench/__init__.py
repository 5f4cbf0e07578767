"""Benchmarks that print figures and ratios; run them with `make bench` (never asserted)."""
