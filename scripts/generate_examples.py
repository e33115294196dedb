"""Regenerate the simulated example data (same as ``python -m qdcat.examples.generate``)."""

import sys

from qdcat.examples.generate import main

if __name__ == "__main__":
    sys.exit(main())
