"""DTOs of the API (pydantic v2), kept apart from the core models."""
