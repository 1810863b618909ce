"""Adapters: the only code that touches drivers. Only bootstrap imports them."""
