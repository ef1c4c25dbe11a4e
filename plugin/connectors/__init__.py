"""Vendor connectors: one module per vendor, yielding normalised records; shared HTTP, OAuth and paging."""
