"""Delivery of outbox events to the bus: the relay."""
