"""Use cases that tie the domain core to storage and connectors; what views, jobs and the CLI call."""
