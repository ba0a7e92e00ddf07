"""Benchmarks: each module has a run() that prints a table. ``python -m bench`` runs them all."""
