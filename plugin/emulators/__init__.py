"""Loopback emulators of the vendors' APIs, built from the vendor facts, with switchable faults."""
