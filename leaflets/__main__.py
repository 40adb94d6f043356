"""``python -m leaflets``: the same command line as ``generate.py`` and ``leaflets``."""

import sys

from .cli import main

sys.exit(main())
