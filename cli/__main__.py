"""``python -m cli``: the ``strata`` command."""

import sys

from cli.main import main

sys.exit(main())
