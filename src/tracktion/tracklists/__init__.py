"""Tracklists of DJ mixes: parsers for 1001Tracklists, MixesDB and pasted text."""
