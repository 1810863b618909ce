"""Pure domain: models, events, errors and ports. No I/O, no frameworks."""
