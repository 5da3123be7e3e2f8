"""``python -m maillage``: the ``maillage`` command."""

import sys

from maillage.cli import main

sys.exit(main())
