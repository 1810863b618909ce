"""Routers, one per resource, mounted under ``/api/v1`` (health and readiness at the root)."""

API_PREFIX = "/api/v1"
"""Every resource lives under this prefix."""
