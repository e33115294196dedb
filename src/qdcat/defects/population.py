"""Defect population of a Cu-deficient, Zn-alloyed CuInS2 dot from its composition.

Model (all assumptions stated; every count is per dot)
------------------------------------------------------
The dot is a chalcopyrite cation framework of ``cu_sites`` Cu-sublattice and ``in_sites``
In-sublattice sites on a complete S framework. The composition is given as the ICP ratio
``r = Cu/In`` (0 < r <= 1) and the Zn cation fraction ``z = Zn/(Zn+Cu+In)``
(:mod:`qdcat.structure.lattice`).

1. **Zn** enters as the isovalent alloy (ZnS)_2x(CuInS2)_(1-x): neutral pairs
   ``Zn_Cu* + Zn_In'`` (Zn2+ for one Cu+ and one In3+), so Zn neither needs nor gives
   compensation. An odd Zn goes on a Cu site.
2. **Antisite pairs** ``Cu_In'' + In_Cu**`` (eq. 1 of the paper, charge-neutral) involve a fixed
   fraction ``antisite_pair_fraction`` of the Cu atoms (default 5 %, an assumption: the pair has
   a low formation energy, S. B. Zhang, S.-H. Wei, A. Zunger, H. Katayama-Yoshida,
   Phys. Rev. B 57, 9642 (1998), doi:10.1103/PhysRevB.57.9642; the paper names it the
   prevailing defect of stoichiometric Type-A dots).
3. **Cu deficiency** leaves Cu-sublattice sites empty: copper vacancies ``V_Cu'``. Their charge
   is compensated by two mechanisms: a fraction ``hole_fraction`` (h) by holes localised on Cu
   next to the vacancy, ``Cu_Cu*`` = Cu2+ (the paper's eq. 2 chemistry, Type C), and the rest by
   In on Cu sites, ``In_Cu**`` (the neutral ``2 V_Cu' + In_Cu**`` complex of the ordered-defect
   compounds, Zhang et al. 1998). The In sublattice stays full (In, Zn_In, Cu_In).
4. Charge neutrality: ``-V + 2 I + Zn_Cu - Zn_In + H = 0`` with ``H = h V`` holes and ``I`` excess
   In_Cu; the anion framework then balances the cations exactly (S = (Cu + 3 In + 2 Zn + H)/2).

Solving 1-4 (``k = z (1 + r) / (2 (1 - z))``, Zn pairs ``P = k n_In``)::

    V = [s_Cu - (r + k) s_In / (1 + k)] / [(3 - h)/2 + (r + k)(1 - h) / (2 (1 + k))]
    n_In = (s_In + (1 - h) V / 2) / (1 + k),   n_Cu = r n_In,   I = (1 - h) V / 2,   H = h V

Checks: r = 1 gives V = 0; h = 0 gives the Cu2S-In2S3 tie line (V = N (1 - r)/(r + 3) for
z = 0); h = 1 gives a full In sublattice with all vacancies hole-compensated.

**The hole fraction is calibrated, not predicted.** ``DEFAULT_HOLE_FRACTION = 0.13`` is the value
for which 2/12ZCIS (r = 0.26, z = 4/14) has a Cu2+ share of 20 %, the maximum XPS satellite share
the paper reports (:func:`calibrate_hole_fraction` recomputes it). The Cu2+ shares of the other
samples are then predictions of the model: ~0.2 % (8/12), ~9 % (4/12), ~47 % (1/12). The paper
says 2/12ZCIS has the *largest* Cu2+ share and the strongest EPR vacancy signal, whereas the
model (monotonic in r) puts 1/12ZCIS higher: the paper's 1/12 sample does not follow the trend
of its composition. Note also that an XPS satellite share is not an atomic fraction (the
satellite carries only part of the Cu2+ 2p intensity), so the comparison is semi-quantitative.

Zn content of the paper's samples (an assumption): the labels are Cu : (Zn + In) feed ratios
8/12 ... 1/12 and the ICP Cu/In ratios (0.97, 0.43, 0.26, 0.13) match Cu : In : Zn feeds of
8 : 8 : 4, 4 : 8 : 4, 2 : 8 : 4, 1 : 8 : 4 (Cu/In 1, 0.5, 0.25, 0.125), so z = 4/20, 4/16, 4/14,
4/13 (:data:`ZCIS_SAMPLES`). The paper does not report Zn by ICP.

Types (documented thresholds, :func:`classify_defect_type`)
----------------------------------------------------------
- **A** (stoichiometric, antisite pairs prevail): vacancies on fewer than
  :data:`TYPE_A_MAX_VACANCY_SITE_FRACTION` = 10 % of the Cu sites.
- **C** (Cu_Cu*-V_Cu' pairs): otherwise, when at least :data:`TYPE_C_MIN_CU2_FRACTION` = 15 % of
  the Cu is Cu2+.
- **B** (copper vacancies, ionically compensated): the rest.

With the defaults the four samples come out A, B, C, C as in the paper (Fig. 1a; project.toml).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from qdcat.core.errors import InputError

__all__ = [
    "DEFAULT_ANTISITE_PAIR_FRACTION",
    "DEFAULT_HOLE_FRACTION",
    "TYPE_A_MAX_VACANCY_SITE_FRACTION",
    "TYPE_C_MIN_CU2_FRACTION",
    "XPS_CU2_FRACTION_2_12",
    "ZCIS_SAMPLES",
    "Population",
    "calibrate_hole_fraction",
    "classify_defect_type",
    "cu2_fraction_table",
    "expected_population",
    "integer_population",
]

#: Fraction of vacancy charge compensated by Cu2+ holes (0.131 from calibrate_hole_fraction(),
#: i.e. 20 % Cu2+ in 2/12ZCIS as XPS; rounded).
DEFAULT_HOLE_FRACTION: float = 0.13
#: Fraction of Cu atoms in Cu_In''-In_Cu** antisite pairs (assumption, see module docstring).
DEFAULT_ANTISITE_PAIR_FRACTION: float = 0.05
#: Type A: V_Cu' on fewer than this fraction of Cu-sublattice sites.
TYPE_A_MAX_VACANCY_SITE_FRACTION: float = 0.10
#: Type C: at least this fraction of the Cu is Cu2+ (Cu_Cu*).
TYPE_C_MIN_CU2_FRACTION: float = 0.15
#: Largest Cu 2p3/2 satellite share, 2/12ZCIS (seed paper, Fig. 3a).
XPS_CU2_FRACTION_2_12: float = 0.20

#: The paper's samples: slug -> (name, ICP Cu/In, assumed Zn cation fraction, paper's type).
ZCIS_SAMPLES: dict[str, tuple[str, float, float, str]] = {
    "8-12ZCIS": ("8/12ZCIS", 0.97, 4 / 20, "A"),
    "4-12ZCIS": ("4/12ZCIS", 0.43, 4 / 16, "B"),
    "2-12ZCIS": ("2/12ZCIS", 0.26, 4 / 14, "C"),
    "1-12ZCIS": ("1/12ZCIS", 0.13, 4 / 13, "C"),
}


@dataclass(frozen=True)
class Population:
    """Atoms and defects of one dot (floats from :func:`expected_population`, integers from
    :func:`integer_population`).

    Attributes (counts per dot)
    ---------------------------
    cu_sites, in_sites: cation sites of each sublattice.
    n_cu, n_in, n_zn: atoms (n_cu includes Cu2+).
    v_cu: V_Cu'. cu_cu2: Cu_Cu* (Cu2+). in_cu_excess: In_Cu** beyond the antisite pairs.
    antisite_pairs: Cu_In''-In_Cu** pairs. zn_cu, zn_in: Zn_Cu*, Zn_In'.
    """

    cu_in: float
    zn_fraction: float
    hole_fraction: float
    antisite_pair_fraction: float
    cu_sites: float
    in_sites: float
    n_cu: float
    n_in: float
    n_zn: float
    v_cu: float
    cu_cu2: float
    in_cu_excess: float
    antisite_pairs: float
    zn_cu: float
    zn_in: float

    @property
    def defects(self) -> dict[str, float]:
        """Kroger-Vink name -> count (ASCII notation, charged defects only)."""
        return {
            "V_Cu'": self.v_cu,
            "Cu_Cu*": self.cu_cu2,
            "Cu_In''": self.antisite_pairs,
            "In_Cu**": self.antisite_pairs + self.in_cu_excess,
            "Zn_Cu*": self.zn_cu,
            "Zn_In'": self.zn_in,
        }

    @property
    def defect_charge(self) -> float:
        """Sum of effective charges of all defects (0 for internal compensation)."""
        d = self.defects
        return (
            -d["V_Cu'"]
            + d["Cu_Cu*"]
            - 2 * d["Cu_In''"]
            + 2 * d["In_Cu**"]
            + d["Zn_Cu*"]
            - d["Zn_In'"]
        )

    @property
    def cation_charge(self) -> float:
        """Total formal cation charge, e (Cu+ 1, Cu2+ 2, In3+ 3, Zn2+ 2)."""
        return self.n_cu + self.cu_cu2 + 3 * self.n_in + 2 * self.n_zn

    @property
    def n_s(self) -> float:
        """S atoms that make the dot neutral with formal charges (S2-)."""
        return self.cation_charge / 2

    @property
    def cu2_fraction(self) -> float:
        """Cu2+ share of all Cu."""
        return self.cu_cu2 / self.n_cu if self.n_cu > 0 else 0.0

    @property
    def vacancy_site_fraction(self) -> float:
        """V_Cu' per Cu-sublattice site."""
        return self.v_cu / self.cu_sites if self.cu_sites > 0 else 0.0

    @property
    def defect_type(self) -> str:
        return classify_defect_type(self.vacancy_site_fraction, self.cu2_fraction)


def classify_defect_type(vacancy_site_fraction: float, cu2_fraction: float) -> str:
    """Paper's Type A / B / C from the vacancy site fraction and the Cu2+ share of Cu.

    A: vacancy_site_fraction < 0.10; else C: cu2_fraction >= 0.15; else B (module docstring).
    """
    if vacancy_site_fraction < TYPE_A_MAX_VACANCY_SITE_FRACTION:
        return "A"
    if cu2_fraction >= TYPE_C_MIN_CU2_FRACTION:
        return "C"
    return "B"


def _check_inputs(cu_in: float, zn_fraction: float, hole: float, anti: float) -> None:
    checks = (
        ("cu_in", cu_in, 0.0, 1.0, "0 < Cu/In <= 1 (Cu-rich dots are outside this model)", True),
        ("zn_fraction", zn_fraction, 0.0, 1.0, "0 <= Zn/(Zn+Cu+In) < 1", False),
        ("hole_fraction", hole, 0.0, 1.0, "0 <= hole_fraction <= 1", False),
        ("antisite_pair_fraction", anti, 0.0, 1.0, "0 <= antisite_pair_fraction <= 1", False),
    )
    for name, value, lo, hi, expected, open_lo in checks:
        v = float(value)
        bad = not math.isfinite(v) or v < lo or v > hi or (open_lo and v <= lo)
        if name == "zn_fraction" and v >= 1.0:
            bad = True
        if bad:
            raise InputError(
                "composition parameter out of range", field=name, expected=expected, found=value
            )


def expected_population(
    cu_in: float,
    zn_fraction: float,
    cation_sites: float,
    *,
    cu_sites: float | None = None,
    in_sites: float | None = None,
    hole_fraction: float = DEFAULT_HOLE_FRACTION,
    antisite_pair_fraction: float = DEFAULT_ANTISITE_PAIR_FRACTION,
) -> Population:
    """Expected (continuous) defect population of a dot; see the module docstring.

    Parameters
    ----------
    cu_in:
        ICP atomic Cu/In ratio, 0 < r <= 1.
    zn_fraction:
        Zn/(Zn + Cu + In), 0 <= z < 1.
    cation_sites:
        Cation sites in the dot (both sublattices); split evenly unless ``cu_sites`` and
        ``in_sites`` are given (then ``cation_sites`` is ignored).
    hole_fraction, antisite_pair_fraction:
        Model parameters (defaults documented above).

    Raises
    ------
    InputError
        Out-of-range composition, or a composition the lattice cannot hold (more Cu2+ needed
        than Cu present, or more Zn_In than In sites).
    """
    _check_inputs(cu_in, zn_fraction, hole_fraction, antisite_pair_fraction)
    if cu_sites is None or in_sites is None:
        n = float(cation_sites)
        if not math.isfinite(n) or n <= 0:
            raise InputError(
                "number of cation sites must be positive",
                field="cation_sites",
                expected="> 0",
                found=cation_sites,
            )
        s_cu = s_in = n / 2
    else:
        s_cu, s_in = float(cu_sites), float(in_sites)
        if s_cu <= 0 or s_in <= 0:
            raise InputError(
                "site counts must be positive",
                field="cu_sites/in_sites",
                expected="> 0",
                found=(cu_sites, in_sites),
            )
    r, z, h = float(cu_in), float(zn_fraction), float(hole_fraction)
    k = z * (1 + r) / (2 * (1 - z))
    v = (s_cu - (r + k) * s_in / (1 + k)) / ((3 - h) / 2 + (r + k) * (1 - h) / (2 * (1 + k)))
    v = max(v, 0.0)
    n_in = (s_in + (1 - h) * v / 2) / (1 + k)
    pairs = k * n_in
    n_cu = r * n_in
    anti = antisite_pair_fraction * n_cu
    pop = Population(
        cu_in=r,
        zn_fraction=z,
        hole_fraction=h,
        antisite_pair_fraction=float(antisite_pair_fraction),
        cu_sites=s_cu,
        in_sites=s_in,
        n_cu=n_cu,
        n_in=n_in,
        n_zn=2 * pairs,
        v_cu=v,
        cu_cu2=h * v,
        in_cu_excess=(1 - h) * v / 2,
        antisite_pairs=anti,
        zn_cu=pairs,
        zn_in=pairs,
    )
    _check_feasible(pop)
    return pop


def _check_feasible(pop: Population, tol: float = 1e-9) -> None:
    cu_on_cu = pop.n_cu - pop.antisite_pairs
    if pop.cu_cu2 > cu_on_cu + tol:
        raise InputError(
            f"Cu/In = {pop.cu_in:g} is below what the lattice can hold with hole fraction "
            f"{pop.hole_fraction:g}: the vacancies need {pop.cu_cu2:.3g} Cu2+ but the dot has "
            f"only {cu_on_cu:.3g} Cu on Cu sites",
            field="cu_in",
            expected="a larger Cu/In, or a smaller hole_fraction",
            found=pop.cu_in,
        )
    in_on_in = pop.in_sites - pop.zn_in - pop.antisite_pairs
    if in_on_in < -tol or pop.n_in - pop.in_cu_excess - pop.antisite_pairs < -tol:
        raise InputError(
            "Zn fraction too large: more Zn_In than In sites",
            field="zn_fraction",
            expected="a smaller Zn fraction",
            found=pop.zn_fraction,
        )


def integer_population(
    cu_in: float,
    zn_fraction: float,
    cu_sites: int,
    in_sites: int,
    *,
    hole_fraction: float = DEFAULT_HOLE_FRACTION,
    antisite_pair_fraction: float = DEFAULT_ANTISITE_PAIR_FRACTION,
) -> Population:
    """Whole-atom population of a dot with the given site counts.

    Exact constraints: Cu sublattice ``n_cu + I + Zn_Cu + V = cu_sites`` (Cu_In'' and the
    In_Cu** of a pair swap places), In sublattice ``n_in - I + Zn_In = in_sites``, defect
    charge zero when the framework charge ``cu_sites + 3 in_sites`` is even (else +1, so that
    the cation charge is even and S = charge / 2 is a whole number). Among the integer
    candidates near the expected population the one closest to the targets is chosen:
    ``|n_cu - r n_in| <= 1`` and ``|n_zn - z (n_cu + n_in + n_zn)| <= 1`` are required (else
    :class:`InputError`), then the hole count closest to ``h V``.
    """
    exp = expected_population(
        cu_in,
        zn_fraction,
        0,
        cu_sites=cu_sites,
        in_sites=in_sites,
        hole_fraction=hole_fraction,
        antisite_pair_fraction=antisite_pair_fraction,
    )
    r, z = float(cu_in), float(zn_fraction)
    parity = (cu_sites + 3 * in_sites) % 2
    best: tuple[float, Population] | None = None
    zn0, i0 = round(exp.n_zn), round(exp.in_cu_excess)
    for n_zn, excess in itertools.product(
        range(max(0, zn0 - 3), zn0 + 4), range(max(0, i0 - 4), i0 + 5)
    ):
        zn_cu, zn_in = (n_zn + 1) // 2, n_zn // 2
        n_in = in_sites + excess - zn_in
        if n_in <= 0:
            continue
        for n_cu in range(math.floor(r * n_in) - 1, math.ceil(r * n_in) + 2):
            v = cu_sites - n_cu - excess - zn_cu
            holes = v - 2 * excess - zn_cu + zn_in + parity
            anti = min(round(antisite_pair_fraction * n_cu), max(0, n_cu - holes))
            if v < 0 or holes < 0 or n_cu <= 0 or holes > n_cu - anti:
                continue
            if in_sites - zn_in - anti < 0 or n_in - excess - anti < 0:
                continue
            n_m = n_cu + n_in + n_zn
            if abs(n_cu - r * n_in) > 1 + 1e-9 or abs(n_zn - z * n_m) > 1 + 1e-9:
                continue
            score = abs(holes - hole_fraction * v) + 0.5 * (
                abs(n_cu - r * n_in) + abs(n_zn - z * n_m)
            )
            pop = Population(
                cu_in=r,
                zn_fraction=z,
                hole_fraction=float(hole_fraction),
                antisite_pair_fraction=float(antisite_pair_fraction),
                cu_sites=cu_sites,
                in_sites=in_sites,
                n_cu=n_cu,
                n_in=n_in,
                n_zn=n_zn,
                v_cu=v,
                cu_cu2=holes,
                in_cu_excess=excess,
                antisite_pairs=anti,
                zn_cu=zn_cu,
                zn_in=zn_in,
            )
            if best is None or score < best[0]:
                best = (score, pop)
    if best is None:
        raise InputError(
            f"no whole-atom composition of a dot with {cu_sites} Cu and {in_sites} In sites "
            f"reaches Cu/In = {r:g} and Zn fraction {z:g} within one atom",
            field="cu_in/zn_fraction",
            expected="a larger dot or a composition the lattice can hold",
            found=(r, z),
        )
    return best[1]


def calibrate_hole_fraction(
    cu_in: float = 0.26,
    zn_fraction: float = 4 / 14,
    cu2_fraction: float = XPS_CU2_FRACTION_2_12,
    *,
    antisite_pair_fraction: float = 0.0,
) -> float:
    """Hole fraction h for which the model gives ``cu2_fraction`` at this composition.

    The Cu2+ share rises monotonically with h, so a bisection on [0, 1] finds it. Antisite
    pairs are left out by default (the share is then Cu2+ / all Cu, as XPS sees it).
    """
    lo, hi = 0.0, 1.0

    def share(h: float) -> float:
        try:
            return expected_population(
                cu_in,
                zn_fraction,
                1000.0,
                hole_fraction=h,
                antisite_pair_fraction=antisite_pair_fraction,
            ).cu2_fraction
        except InputError:
            return math.inf

    if not share(lo) <= cu2_fraction <= share(hi):
        raise InputError(
            "no hole fraction in [0, 1] gives this Cu2+ share",
            field="cu2_fraction",
            expected=f"between {share(lo):.3g} and {share(hi):.3g}",
            found=cu2_fraction,
        )
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if share(mid) < cu2_fraction:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def cu2_fraction_table(
    cation_sites: float = 286.0, *, hole_fraction: float = DEFAULT_HOLE_FRACTION
) -> list[dict[str, object]]:
    """Model Cu2+ share, vacancy fraction and type of the paper's four samples, beside XPS.

    Only 2/12ZCIS has a reported number (20 % satellite share, the maximum of the series);
    the other rows have ``cu2_fraction_xps = None``. ``cation_sites`` only scales the counts.
    """
    rows: list[dict[str, object]] = []
    for name, cu_in, zn, paper_type in ZCIS_SAMPLES.values():
        p = expected_population(cu_in, zn, cation_sites, hole_fraction=hole_fraction)
        rows.append(
            {
                "sample": name,
                "cu_in": cu_in,
                "zn_fraction": zn,
                "cu2_fraction_model": p.cu2_fraction,
                "cu2_fraction_xps": XPS_CU2_FRACTION_2_12 if name == "2/12ZCIS" else None,
                "vacancy_site_fraction": p.vacancy_site_fraction,
                "defect_type_model": p.defect_type,
                "defect_type_paper": paper_type,
                "defects_per_dot": p.defects,
            }
        )
    return rows
