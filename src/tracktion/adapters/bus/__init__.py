"""Event bus adapters (in-process now; RabbitMQ at scale)."""
