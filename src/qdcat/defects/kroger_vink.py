"""Kroger-Vink notation: parse and format point defects, with their effective charges.

A defect is written ``<species>_<site><charge>``:

- ``species``: an element symbol (the occupant), ``V`` (or ``Va``) for a vacancy;
- ``site``: the element whose lattice site is occupied, or ``i`` for an interstitial site;
- ``charge``: the **effective** charge relative to the perfect lattice, one mark per unit:
  ``'`` (ASCII apostrophe) or Unicode prime ``\u2032`` for -1 (``''`` or double prime
  ``\u2033`` for -2, ``\u2034`` for -3), ``*`` or bullet ``\u2022`` (also ``\u00b7``,
  ``\u25cf``) for +1, ``x`` or cross ``\u00d7`` for 0. No mark means 0 (as the seed paper
  writes ``Cu_Cu``). ``'`` and ``*`` may not be mixed.

Electronic defects are ``e'`` (an electron, -1) and ``h*`` (a hole, +1); they sit on no site.
``null`` (also ``nil``, ``0``, ``\u2205``) stands for the perfect crystal in reactions.

The subscript marker ``_`` is required in ASCII; Unicode subscript letters are not used by
anyone in practice, so they are not accepted.

Kinds (:attr:`Defect.kind`): ``"vacancy"`` (V_X), ``"interstitial"`` (M_i), ``"regular"``
(X_X, the occupant on its own site), ``"antisite"`` (A_B with A and B both sublattice elements
of the host), ``"substitution"`` (a foreign element on a host site, e.g. Zn_Cu), ``"electron"``,
``"hole"``. Whether A_B is an antisite or a substitution depends on the host, so
:meth:`Defect.kind_in` takes the host's elements; :attr:`Defect.kind` assumes the CuInS2 host.

Reference: F. A. Kroger and H. J. Vink, Solid State Phys. 3, 307 (1956),
doi:10.1016/S0081-1947(08)60135-6; IUPAC Red Book (2005), IR-3.4 / 11.4 for the notation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ase.data import chemical_symbols

from qdcat.core.errors import InputError

__all__ = [
    "CUINS2_ELEMENTS",
    "Defect",
    "format_defect",
    "parse_defect",
]

#: Host sublattice elements of CuInS2 (used by :attr:`Defect.kind`).
CUINS2_ELEMENTS: tuple[str, ...] = ("Cu", "In", "S")

_ELEMENTS = frozenset(chemical_symbols[1:])
_NEG = {"'": 1, "\u2032": 1, "\u2019": 1, "\u2033": 2, "\u2034": 3}
_POS = {"*": 1, "\u2022": 1, "\u00b7": 1, "\u25cf": 1, "\u2219": 1}
_ZERO = {"x", "X", "\u00d7"}
_UNICODE_NEG = {1: "\u2032", 2: "\u2033", 3: "\u2034"}
# No element symbol has "x" as its second letter, so "Cu_Sx" is S site + neutral mark.
_DEFECT_RE = re.compile(r"^(?P<species>[A-Z][a-z]?)_(?P<site>[A-Z][a-wyz]?|i)(?P<marks>.*)$")


@dataclass(frozen=True, order=True)
class Defect:
    """One point defect (or regular lattice species) in Kroger-Vink notation.

    Attributes
    ----------
    species:
        Occupant element symbol, ``"V"`` for a vacancy, ``"e"`` / ``"h"`` for an electron / hole.
    site:
        Element symbol of the lattice site, ``"i"`` for interstitial, ``""`` for ``e``/``h``.
    charge:
        Effective charge in units of the elementary charge (relative to the perfect lattice).
    """

    species: str
    site: str
    charge: int

    @property
    def is_vacancy(self) -> bool:
        return self.species == "V"

    @property
    def is_electronic(self) -> bool:
        return self.species in ("e", "h") and self.site == ""

    @property
    def is_interstitial(self) -> bool:
        return self.site == "i"

    def kind_in(self, host_elements: tuple[str, ...] | frozenset[str]) -> str:
        """Kind of defect in a host whose sublattices are ``host_elements``."""
        if self.species == "e":
            return "electron"
        if self.species == "h":
            return "hole"
        if self.is_vacancy:
            return "vacancy"
        if self.is_interstitial:
            return "interstitial"
        if self.species == self.site:
            return "regular"
        if self.species in host_elements and self.site in host_elements:
            return "antisite"
        return "substitution"

    @property
    def kind(self) -> str:
        """Kind in the CuInS2 host (see :meth:`kind_in`)."""
        return self.kind_in(CUINS2_ELEMENTS)

    @property
    def element(self) -> str | None:
        """The element this species adds to the crystal's mass (None for V, e', h*)."""
        if self.is_vacancy or self.is_electronic:
            return None
        return self.species

    def format(self, style: str = "ascii", *, neutral_mark: bool = False) -> str:
        """Text form; see :func:`format_defect`."""
        return format_defect(self, style=style, neutral_mark=neutral_mark)

    def __str__(self) -> str:
        return format_defect(self)


def _marks_to_charge(marks: str, text: str, field: str) -> int:
    if marks == "":
        return 0
    if all(ch in _ZERO for ch in marks):
        if len(marks) != 1:
            raise InputError(
                "more than one neutral mark",
                field=field,
                expected="a single 'x' for a neutral defect",
                found=text,
            )
        return 0
    neg = sum(_NEG.get(ch, 0) for ch in marks)
    pos = sum(_POS.get(ch, 0) for ch in marks)
    unknown = [ch for ch in marks if ch not in _NEG and ch not in _POS]
    if unknown:
        raise InputError(
            f"unknown charge mark {unknown[0]!r}",
            field=field,
            expected="' (or \u2032 \u2033) for negative, * (or \u2022) for positive, x for neutral",
            found=text,
        )
    if neg and pos:
        raise InputError(
            "mixes negative and positive charge marks",
            field=field,
            expected="only ' marks or only * marks",
            found=text,
        )
    return pos - neg


def parse_defect(text: str, *, field: str = "defect") -> Defect:
    """Parse one Kroger-Vink symbol (``V_Cu'``, ``Cu_In''``, ``In_Cu**``, ``Zn_Cu\u2022``, ``e'``).

    Parameters
    ----------
    text:
        The symbol (surrounding whitespace ignored).
    field:
        Name used in error messages.

    Raises
    ------
    InputError
        If the text is not a Kroger-Vink symbol, names an unknown element, or has bad marks.
    """
    s = str(text).strip()
    if not s:
        raise InputError(
            "empty defect symbol", field=field, expected="e.g. V_Cu'", found=text, has_found=True
        )
    if s[0] in ("e", "h") and (len(s) == 1 or s[1] not in "_abcdefghijklmnopqrstuvwxyz"):
        charge = _marks_to_charge(s[1:], s, field)
        expected = -1 if s[0] == "e" else 1
        if charge != expected:
            raise InputError(
                "electronic defect with the wrong charge",
                field=field,
                expected="e' (electron, -1) or h* (hole, +1)",
                found=s,
            )
        return Defect(s[0], "", charge)
    m = _DEFECT_RE.match(s.replace("Va_", "V_", 1) if s.startswith("Va_") else s)
    if m is None:
        raise InputError(
            "not a Kroger-Vink defect symbol",
            field=field,
            expected="SPECIES_SITE followed by charge marks, e.g. V_Cu', Cu_In'', In_Cu**, e'",
            found=s,
        )
    species, site, marks = m.group("species"), m.group("site"), m.group("marks")
    if species != "V" and species not in _ELEMENTS:
        raise InputError(
            f"unknown element {species!r}",
            field=field,
            expected="an element symbol or V (vacancy)",
            found=s,
        )
    if site != "i" and site not in _ELEMENTS:
        raise InputError(
            f"unknown lattice site {site!r}",
            field=field,
            expected="an element symbol or i (interstitial)",
            found=s,
        )
    if species == "V" and site == "i":
        raise InputError(
            "a vacancy on an interstitial site is not a defect",
            field=field,
            expected="V_X with X a lattice element",
            found=s,
        )
    return Defect(species, site, _marks_to_charge(marks, s, field))


def format_defect(defect: Defect, style: str = "ascii", *, neutral_mark: bool = False) -> str:
    """Format a defect as text.

    Parameters
    ----------
    defect:
        The defect.
    style:
        ``"ascii"`` (``V_Cu'``, ``In_Cu**``, ``Cu_Cu`` or ``Cu_Cux``) or ``"unicode"``
        (``V_Cu\u2032``, ``Cu_In\u2033``, ``In_Cu\u2022\u2022``, ``Cu_Cu\u00d7``).
    neutral_mark:
        Write ``x`` / ``\u00d7`` for a neutral defect (default: nothing in ASCII, as the paper).
        Unicode style always writes the cross.
    """
    if style not in ("ascii", "unicode"):
        raise InputError(
            "unknown notation style", field="style", expected="'ascii' or 'unicode'", found=style
        )
    q = defect.charge
    if style == "ascii":
        marks = "'" * (-q) if q < 0 else "*" * q if q > 0 else ("x" if neutral_mark else "")
    else:
        if q < 0:
            n = -q
            marks = "\u2033" * (n // 2) + ("\u2032" if n % 2 else "")
            if n == 3:
                marks = _UNICODE_NEG[3]
        elif q > 0:
            marks = "\u2022" * q
        else:
            marks = "\u00d7"
    if defect.is_electronic:
        return defect.species + marks
    return f"{defect.species}_{defect.site}{marks}"
