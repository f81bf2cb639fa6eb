"""Benchmarks of the optimizer core (``python -m bench.core``)."""
