"""`python -m mlpl_tui` runs the command line."""

import sys

from mlpl_tui.cli import main

sys.exit(main())
