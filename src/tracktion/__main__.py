"""Allow ``python -m tracktion``."""

from tracktion.cli import main

main()
