"""The catalog: consolidates file events into tracks; duplicates; queries."""
