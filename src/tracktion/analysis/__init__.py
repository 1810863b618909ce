"""Audio analysis: decode, then tempo, key, loudness, mood and genre; consensus; worker pool."""
