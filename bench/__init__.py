"""Benchmarks: ``python -m bench`` (or ``make bench``) against the local services."""
