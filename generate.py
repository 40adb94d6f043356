#!/usr/bin/env python3
"""Build the leaflets: ``python generate.py`` builds every leaflet in every language."""

import sys

from leaflets.cli import main

if __name__ == "__main__":
    sys.exit(main())
