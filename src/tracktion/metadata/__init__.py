"""Tags and audio properties of one file, read by content format (mutagen; PyAV as fallback)."""
