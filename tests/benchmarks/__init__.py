"""Benchmarks run by `make bench` (`python -m tests.benchmarks`); see __main__.py."""
