"""Benchmark scenarios behind `flipside bench NAME`; each exposes `run(...) -> dict`."""
