"""Allow ``python -m tracktion``."""

from tracktion.cli import main

if __name__ == "__main__":  # worker processes re-import this module: never run the CLI twice
    main()
