"""Benchmark scenarios."""
