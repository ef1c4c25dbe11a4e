"""Benchmark scenarios behind `flipside bench`."""
