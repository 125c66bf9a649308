"""``python -m metrics.loadgen``: see metrics/loadgen/cli.py."""

import sys

from metrics.loadgen.cli import main

sys.exit(main())
