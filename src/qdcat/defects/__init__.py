"""Point-defect chemistry of Cu-deficient, Zn-doped CuInS2 (Kroger-Vink notation).

- :mod:`qdcat.defects.kroger_vink`: parse / format defect symbols (ASCII and Unicode marks).
- :mod:`qdcat.defects.reactions`: site (per sublattice, in the compound's ratio), mass and
  charge balance of defect reactions; the paper's eq. 1 and eq. 2.
- :mod:`qdcat.defects.population`: composition -> defects per dot, Types A/B/C.
"""

from __future__ import annotations

from qdcat.defects.kroger_vink import Defect, format_defect, parse_defect
from qdcat.defects.population import (
    Population,
    classify_defect_type,
    expected_population,
    integer_population,
)
from qdcat.defects.reactions import ReactionCheck, check_reaction, parse_reaction

__all__ = [
    "Defect",
    "Population",
    "ReactionCheck",
    "check_reaction",
    "classify_defect_type",
    "expected_population",
    "format_defect",
    "integer_population",
    "parse_defect",
    "parse_reaction",
]
