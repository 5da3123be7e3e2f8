import sys

from maillage.cli import main

sys.exit(main())
