"""Cache adapters (memory now; Redis at scale)."""
