"""File system -> file events: scan, reconcile, live watch, fingerprint."""
