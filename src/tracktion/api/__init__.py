"""The HTTP API: FastAPI app factory, routers per resource, auth (JWT + roles), rate limits."""
