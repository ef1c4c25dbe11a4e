"""Admin and learner pages, health and metrics, and the JSON API."""
