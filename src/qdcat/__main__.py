"""``python -m qdcat`` is the ``qdcat`` command."""

import sys

from qdcat.cli import main

sys.exit(main())
