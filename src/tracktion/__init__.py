"""Tracktion: a music-library system for DJs and collectors."""

__version__ = "0.1.0"
