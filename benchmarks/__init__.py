"""Benchmarks for the queue server: `python -m benchmarks` (or `make bench`)."""
