"""Webhook signature verification and payload parsing, as pure functions over raw bytes."""
