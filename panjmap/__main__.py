"""``python -m panjmap``: the command-line interface."""

import sys

from panjmap.cli import main

sys.exit(main())
