"""Defect reactions in Kroger-Vink notation and the three balances a valid one obeys.

A reaction is ``LEFT -> RIGHT`` (also ``→``, ``=``, ``⇌``); each side is terms joined by ``+``;
a term is an optional coefficient (``2``, ``1/2``) and either a Kroger-Vink defect
(:func:`qdcat.defects.kroger_vink.parse_defect`), ``null`` (the perfect crystal), or an
external species: a formula with an optional phase, ``Cu``, ``S2(g)``, ``CuS(s)``, ``Cu(surf)``
(atoms that leave or enter the crystal; they carry mass, no site and no charge).

Balances (Kroger & Vink 1956; e.g. D. M. Smyth, *The Defect Chemistry of Metal Oxides*, OUP 2000,
ch. 2):

1. **Sites.** Regular lattice sites may be created or destroyed only in the ratio of the
   compound's sublattices (CuInS2: Cu : In : S = 1 : 1 : 2). The change of sites per sublattice
   (right minus left; vacancies, antisites and substitutions occupy a site of their subscript;
   interstitials, electrons, holes and external species occupy none) must be ``t * ratio`` for
   some ``t`` (``t = 0``: sites conserved).
2. **Mass.** Every element's number of atoms is the same on both sides (vacancies, e', h* have
   no mass).
3. **Charge.** The sum of effective charges is the same on both sides.

An unbalanced reaction says which balance fails and by how much (:class:`ReactionCheck`). The seed
paper's eq. 1 ``Cu_Cu + In_In -> Cu_In'' + In_Cu**`` obeys all three. Its eq. 2
``null + Cu_Cu -> V_Cu' + Cu_Cu*`` conserves mass and charge but creates one Cu site with no In
and S sites (site change Cu +1, In 0, S 0): as printed it breaks the site ratio. A balanced
form of the same chemistry (one Cu atom leaves, the hole it leaves behind sits on a
neighbouring Cu) is ``2 Cu_Cu -> V_Cu' + Cu_Cu* + Cu(surf)``.

**Site rules.** The site ratio holds inside a crystal (``sites="bulk"``, the default). At a
surface, or while a crystal grows off-stoichiometry, sites of one sublattice can be created or
removed without their partners: a Cu-deficient dot grows In and S sites with empty Cu sites, so
the Cu vacancy of eq. 2 appears without a Cu atom leaving (in a 3.3 nm dot 80 % of the Cu sit on
the surface). ``sites="surface"`` checks mass and charge only and reports the site change as a
note; under it eq. 2 balances, and ``Cu_Cu -> V_Cu' + h*`` (a Cu atom lost) still fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from ase.formula import Formula

from qdcat.core.errors import InputError
from qdcat.defects.kroger_vink import Defect, parse_defect

__all__ = [
    "SITE_RULES",
    "ExternalSpecies",
    "Reaction",
    "ReactionCheck",
    "Term",
    "check_reaction",
    "compound_site_ratio",
    "parse_reaction",
]

_ARROWS = ("<->", "<=>", "\u21cc", "\u2192", "->", "=")
_NULL = frozenset({"null", "nil", "0", "\u2205", "perfect"})
_COEF_RE = re.compile(r"^(?P<coef>\d+(?:/\d+)?|\d*\.\d+)\s*(?P<rest>.*)$")
_EXTERNAL_RE = re.compile(r"^(?P<formula>(?:[A-Z][a-z]?\d*)+)(?:\((?P<phase>[a-z]+)\))?$")


@dataclass(frozen=True)
class ExternalSpecies:
    """Atoms outside the crystal lattice (gas, surface, second phase): mass only."""

    formula: str
    phase: str = ""

    def elements(self) -> dict[str, int]:
        return dict(Formula(self.formula).count())

    def __str__(self) -> str:
        return self.formula + (f"({self.phase})" if self.phase else "")


@dataclass(frozen=True)
class Term:
    """A coefficient times a species (a :class:`Defect` or :class:`ExternalSpecies`)."""

    coefficient: Fraction
    species: Defect | ExternalSpecies

    def __str__(self) -> str:
        c = "" if self.coefficient == 1 else f"{self.coefficient} "
        return c + str(self.species)


@dataclass(frozen=True)
class Reaction:
    """A parsed defect reaction; ``left``/``right`` omit ``null``."""

    left: tuple[Term, ...]
    right: tuple[Term, ...]
    text: str = ""

    def __str__(self) -> str:
        lhs = " + ".join(str(t) for t in self.left) or "null"
        rhs = " + ".join(str(t) for t in self.right) or "null"
        return f"{lhs} -> {rhs}"


@dataclass(frozen=True)
class ReactionCheck:
    """Outcome of :func:`check_reaction`.

    ``site_change``: right minus left regular sites per sublattice; ``site_missing``: the
    sites that would have to be added to the right-hand side (negative: removed) to make the
    change a whole multiple of the compound's site ratio (empty when balanced);
    ``mass_change``: right minus left atoms per element (non-zero entries only);
    ``charge_change``: right minus left effective charge (e); ``site_rule``: ``"bulk"`` (the
    site ratio is required) or ``"surface"`` (sites may be created or removed; the site change
    is reported in ``notes``, not as a failure).
    """

    reaction: str
    compound: str
    site_ratio: dict[str, int]
    site_change: dict[str, Fraction]
    site_missing: dict[str, Fraction]
    mass_change: dict[str, Fraction]
    charge_change: Fraction
    failures: tuple[str, ...] = field(default=())
    text: str = ""
    site_rule: str = "bulk"
    notes: tuple[str, ...] = field(default=())

    @property
    def site_ratio_kept(self) -> bool:
        """Whether the site change is a whole multiple of the compound's site ratio."""
        return not self.site_missing

    @property
    def site_balanced(self) -> bool:
        """The site balance under ``site_rule`` (always true under ``"surface"``)."""
        return self.site_rule == "surface" or self.site_ratio_kept

    @property
    def balanced_at_surface(self) -> bool:
        """Mass and charge balanced: the reaction is valid at a surface or during growth."""
        return self.mass_balanced and self.charge_balanced

    @property
    def mass_balanced(self) -> bool:
        return not self.mass_change

    @property
    def charge_balanced(self) -> bool:
        return self.charge_change == 0

    @property
    def balanced(self) -> bool:
        return self.site_balanced and self.mass_balanced and self.charge_balanced

    @property
    def failing(self) -> tuple[str, ...]:
        """Names of the balances that fail: a subset of ``("site", "mass", "charge")``."""
        out = []
        if not self.site_balanced:
            out.append("site")
        if not self.mass_balanced:
            out.append("mass")
        if not self.charge_balanced:
            out.append("charge")
        return tuple(out)

    def to_dict(self) -> dict[str, object]:
        """JSON form: ``balanced``, ``failing``, per-balance flags and amounts (floats)."""

        def num(x: Fraction) -> float | int:
            return int(x) if x.denominator == 1 else float(x)

        return {
            "reaction": self.reaction,
            "input": self.text,
            "compound": self.compound,
            "balanced": self.balanced,
            "site_rule": self.site_rule,
            "failing": list(self.failing),
            "failures": list(self.failures),
            "notes": list(self.notes),
            "site_balanced": self.site_balanced,
            "site_ratio_kept": self.site_ratio_kept,
            "balanced_at_surface": self.balanced_at_surface,
            "mass_balanced": self.mass_balanced,
            "charge_balanced": self.charge_balanced,
            "site_ratio": dict(self.site_ratio),
            "site_change": {k: num(v) for k, v in self.site_change.items()},
            "site_missing": {k: num(v) for k, v in self.site_missing.items()},
            "mass_change": {k: num(v) for k, v in self.mass_change.items()},
            "charge_change_e": num(self.charge_change),
        }


def compound_site_ratio(compound: str) -> dict[str, int]:
    """Sublattice site ratio of a compound from its formula: ``CuInS2`` -> Cu 1, In 1, S 2."""
    try:
        counts = dict(Formula(str(compound).strip()).count())
    except Exception as exc:  # ase raises ValueError for bad formulas
        raise InputError(
            "not a chemical formula", field="compound", expected="e.g. CuInS2", found=compound
        ) from exc
    if not counts:
        raise InputError(
            "empty compound formula", field="compound", expected="e.g. CuInS2", found=compound
        )
    return counts


def _parse_term(text: str, field: str) -> Term | None:
    s = text.strip()
    if not s:
        raise InputError(
            "empty term (two '+' in a row, or '+' at the end of a side)",
            field=field,
            expected="a defect such as V_Cu' or a species such as S2(g)",
            found=text,
            has_found=True,
        )
    coef = Fraction(1)
    m = _COEF_RE.match(s)
    if m and m.group("rest") and s.lower() not in _NULL:
        coef = Fraction(m.group("coef"))
        s = m.group("rest").strip()
        if coef <= 0:
            raise InputError(
                "coefficient must be positive", field=field, expected="> 0", found=text
            )
    if s.lower() in _NULL:
        return None
    if "_" in s or s[0] in ("e", "h"):
        return Term(coef, parse_defect(s, field=field))
    m = _EXTERNAL_RE.match(s)
    if m is None:
        raise InputError(
            "not a Kroger-Vink defect or a chemical species",
            field=field,
            expected="e.g. V_Cu', Cu_In'', e', null or S2(g)",
            found=text,
        )
    try:
        Formula(m.group("formula")).count()
    except Exception as exc:
        raise InputError(
            "not a chemical formula", field=field, expected="e.g. S2(g)", found=text
        ) from exc
    return Term(coef, ExternalSpecies(m.group("formula"), m.group("phase") or ""))


def parse_reaction(text: str) -> Reaction:
    """Parse ``LEFT -> RIGHT`` into a :class:`Reaction`; raise :class:`InputError` if malformed."""
    raw = str(text)
    arrow = next((a for a in _ARROWS if a in raw), None)
    if arrow is None:
        raise InputError(
            "no reaction arrow",
            field="reaction",
            expected="LEFT -> RIGHT (or \u2192, =)",
            found=raw,
        )
    parts = raw.split(arrow)
    if len(parts) != 2:
        raise InputError(
            "more than one reaction arrow",
            field="reaction",
            expected="exactly one arrow",
            found=raw,
        )
    sides = []
    for name, part in zip(("left side", "right side"), parts, strict=True):
        if not part.strip():
            raise InputError(
                f"empty {name}",
                field="reaction",
                expected="terms on both sides (use null for the perfect crystal)",
                found=raw,
            )
        terms = [_parse_term(t, f"reaction {name}") for t in part.split("+")]
        sides.append(tuple(t for t in terms if t is not None))
    return Reaction(left=sides[0], right=sides[1], text=raw.strip())


def _tally(
    terms: tuple[Term, ...], sublattices: dict[str, int]
) -> tuple[dict[str, Fraction], dict[str, Fraction], Fraction]:
    sites: dict[str, Fraction] = {k: Fraction(0) for k in sublattices}
    mass: dict[str, Fraction] = {}
    charge = Fraction(0)
    for term in terms:
        sp = term.species
        if isinstance(sp, ExternalSpecies):
            for el, n in sp.elements().items():
                mass[el] = mass.get(el, Fraction(0)) + term.coefficient * n
            continue
        charge += term.coefficient * sp.charge
        if sp.site and sp.site != "i":
            if sp.site not in sublattices:
                raise InputError(
                    f"site {sp.site!r} is not a sublattice of the compound",
                    field="reaction",
                    expected="sites " + ", ".join(sublattices) + " or i (interstitial)",
                    found=str(sp),
                )
            sites[sp.site] += term.coefficient
        if sp.element is not None:
            mass[sp.element] = mass.get(sp.element, Fraction(0)) + term.coefficient
    return sites, mass, charge


SITE_RULES = ("bulk", "surface")


def check_reaction(
    reaction: str | Reaction, compound: str = "CuInS2", sites: str = "bulk"
) -> ReactionCheck:
    """Check the site, mass and charge balance of a defect reaction in ``compound``.

    Parameters
    ----------
    reaction:
        Text (parsed with :func:`parse_reaction`) or a :class:`Reaction`.
    compound:
        Host formula giving the sublattices and their site ratio (default CuInS2: 1:1:2).
    sites:
        ``"bulk"`` (default): sites may be created or destroyed only in the compound's ratio.
        ``"surface"``: at a surface or during off-stoichiometric growth sites of one sublattice
        may be created or removed alone; only mass and charge are required, and the site change
        is reported as a note.

    Returns
    -------
    ReactionCheck
        ``balanced`` and, for each failing balance, a message saying by how much it fails.
    """
    if sites not in SITE_RULES:
        raise InputError(
            f"unknown site rule {sites!r}",
            field="sites",
            expected=" or ".join(SITE_RULES),
            found=str(sites),
        )
    rx = parse_reaction(reaction) if isinstance(reaction, str) else reaction
    ratio = compound_site_ratio(compound)
    s_l, m_l, q_l = _tally(rx.left, ratio)
    s_r, m_r, q_r = _tally(rx.right, ratio)
    site_change = {k: s_r[k] - s_l[k] for k in ratio}
    # smallest multiple t of the ratio that covers every sublattice's change, so that the
    # missing sites (t * ratio - change) are all >= 0 ... unless every change is negative.
    ts = [site_change[k] / ratio[k] for k in ratio]
    proportional = all(t == ts[0] for t in ts)
    site_missing: dict[str, Fraction] = {}
    failures: list[str] = []
    notes: list[str] = []
    ratio_text = " : ".join(f"{k} {v}" for k, v in ratio.items())
    if not proportional:
        t = max(ts) if max(ts) > 0 else min(ts)
        site_missing = {
            k: t * ratio[k] - site_change[k] for k in ratio if t * ratio[k] != site_change[k]
        }
        change_text = ", ".join(f"{k} {_signed(v)}" for k, v in site_change.items())
        need = ", ".join(f"{k} {_signed(v)}" for k, v in site_missing.items())
        if sites == "bulk":
            failures.append(
                f"site balance fails: site change (right - left) {change_text} is not in the "
                f"{compound} ratio {ratio_text}; the right side would need {need} sites"
            )
        else:
            notes.append(
                f"sites created or removed at the surface: site change (right - left) "
                f"{change_text}, not in the {compound} ratio {ratio_text} (in the bulk the "
                f"right side would need {need} sites)"
            )
    elements = sorted(set(m_l) | set(m_r))
    mass_change = {
        el: m_r.get(el, Fraction(0)) - m_l.get(el, Fraction(0))
        for el in elements
        if m_r.get(el, Fraction(0)) != m_l.get(el, Fraction(0))
    }
    if mass_change:
        text = ", ".join(f"{el} {_signed(v)}" for el, v in mass_change.items())
        failures.append(f"mass balance fails: atoms (right - left) {text}")
    charge_change = q_r - q_l
    if charge_change != 0:
        failures.append(
            f"charge balance fails: effective charge left {_signed(q_l)}, right "
            f"{_signed(q_r)} (right - left {_signed(charge_change)} e)"
        )
    return ReactionCheck(
        reaction=str(rx),
        compound=compound,
        site_ratio=ratio,
        site_change=site_change,
        site_missing=site_missing,
        mass_change=mass_change,
        charge_change=charge_change,
        failures=tuple(failures),
        text=rx.text or str(rx),
        site_rule=sites,
        notes=tuple(notes),
    )


def _signed(x: Fraction) -> str:
    s = str(x) if x.denominator != 1 else str(int(x))
    return s if x <= 0 else "+" + s
