"""One call from build parameters to a characterised ZCIS dot: :func:`build_dot`.

Steps: lattice (Vegard's law from the Zn fraction, or a measured a, c) -> framework of the shape
and size (:mod:`qdcat.structure.dot`) -> whole-atom defect population for its Cu and In site
counts (:func:`qdcat.defects.population.integer_population`) -> placement of the defects
(:mod:`qdcat.structure.composition`) -> S termination -> surface analysis
(:mod:`qdcat.structure.surface`). Every random choice comes from ``seed``.

Charge neutrality: with ``termination="neutral"`` the dot holds exactly
``(sum of cation oxidation states) / 2`` S, so the formal charges sum to zero
(:attr:`ZcisDot.net_charge_e` is 0). ``"S-rich"`` and ``"metal-rich"`` dots are not neutral
(their surface charge would be balanced by ligands, which are not modelled); the net charge is
reported.

Molar mass per dot: sum of the standard atomic weights (ase.data.atomic_masses, IUPAC) of the
atoms in the model, g/mol; ligands are not included. The paper's TON figures imply ~30.7 kg/mol
per 2/12ZCIS dot (0.191 mg / 6.2 nmol; science.md), see :func:`paper_molar_mass_comparison`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ase import Atoms
from numpy.typing import NDArray

from qdcat.core.errors import InputError
from qdcat.defects.population import (
    DEFAULT_ANTISITE_PAIR_FRACTION,
    DEFAULT_HOLE_FRACTION,
    Population,
    classify_defect_type,
    integer_population,
)
from qdcat.structure.composition import assemble_atoms, place_population
from qdcat.structure.dot import Framework, build_framework, pyramid_edge_nm
from qdcat.structure.lattice import CUINS2_SULFUR_X, vegard_lattice_A
from qdcat.structure.surface import SurfaceAnalysis, analyse_surface

__all__ = [
    "DEFECT_NAMES",
    "PAPER_MOLAR_MASS_G_MOL",
    "ZcisDot",
    "build_dot",
    "paper_molar_mass_comparison",
]

#: Defects reported for every dot (Kroger-Vink, ASCII), in this order.
DEFECT_NAMES: tuple[str, ...] = ("V_Cu'", "Cu_Cu*", "Cu_In''", "In_Cu**", "Zn_Cu*", "Zn_In'")
#: Molar mass of one 2/12ZCIS dot implied by the paper: 0.191 mg of dots (12.2 umol CO at
#: 532.3 umol g-1 h-1 over 120 h) over 6.2 nmol dots (12.2 umol CO / TON 1963), g/mol
#: (science.md): (12.2 / (532.3 * 120)) g / (12.2e-6 / 1963) mol = 30.7 kg/mol.
PAPER_MOLAR_MASS_G_MOL: float = (12.2 / (532.3 * 120)) / (12.2e-6 / 1963)


@dataclass(frozen=True)
class ZcisDot:
    """A built dot: atoms, vacancy sites, the population it realises and its surface analysis."""

    atoms: Atoms
    vacancy_positions: NDArray[np.float64]
    population: Population
    framework: Framework
    surface: SurfaceAnalysis
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        sym = self.atoms.get_chemical_symbols()
        return {el: sym.count(el) for el in ("Cu", "In", "Zn", "S")}

    @property
    def defects(self) -> dict[str, int]:
        """Kroger-Vink name -> count in the model (all of :data:`DEFECT_NAMES`)."""
        labels = np.asarray(self.atoms.arrays["kv"]).astype(str)
        out = {name: int(np.count_nonzero(labels == name)) for name in DEFECT_NAMES}
        out["V_Cu'"] = len(self.vacancy_positions)
        return out

    @property
    def net_charge_e(self) -> int:
        """Sum of formal oxidation states (cations and S2-), e."""
        return int(np.sum(self.atoms.arrays["oxidation"]))

    @property
    def molar_mass_g_mol(self) -> float:
        return float(np.sum(self.atoms.get_masses()))

    @property
    def cu2_fraction(self) -> float:
        n_cu = self.counts["Cu"]
        return self.defects["Cu_Cu*"] / n_cu if n_cu else 0.0

    @property
    def vacancy_site_fraction(self) -> float:
        n = self.framework.n_cu_sites
        return self.defects["V_Cu'"] / n if n else 0.0

    @property
    def defect_type(self) -> str:
        return classify_defect_type(self.vacancy_site_fraction, self.cu2_fraction)

    def summary(self) -> dict[str, Any]:
        """The ``qdcat qd build --json`` dictionary (exact keys first, then details)."""
        c = self.counts
        s = self.surface.stats
        n_cat = c["Cu"] + c["In"] + c["Zn"]
        out: dict[str, Any] = {
            "n_atoms": len(self.atoms),
            "n_cu": c["Cu"],
            "n_in": c["In"],
            "n_zn": c["Zn"],
            "n_s": c["S"],
            "n_surface_cu": s["n_surface_cu"],
            "surface_cu_fraction": s["surface_cu_fraction"],
            "molar_mass_g_mol": self.molar_mass_g_mol,
            "defects": self.defects,
            "defect_type": self.defect_type,
            "cu_in": c["Cu"] / c["In"] if c["In"] else None,
            "zn_fraction": c["Zn"] / n_cat if n_cat else 0.0,
            "cu2_fraction": self.cu2_fraction,
            "vacancy_site_fraction": self.vacancy_site_fraction,
            "net_charge_e": self.net_charge_e,
            "n_cu_sites": self.framework.n_cu_sites,
            "n_in_sites": self.framework.n_in_sites,
            "a_A": self.framework.a_A,
            "c_A": self.framework.c_A,
        }
        if self.framework.shape == "pyramid":
            out["edge_nm"] = pyramid_edge_nm(self.framework.layers, self.framework.a_A)
        for key in (
            "n_surface_atoms",
            "n_surface_vacancies",
            "n_core_vacancies",
            "cu_next_to_vacancy_surface",
            "cu_next_to_vacancy_core",
            "cu2_vacancy_pairs",
            "n_surface_cu_geometric",
            "geometric_agreement",
            "surface_by_element",
            "core_by_element",
            "surface_by_site",
            "core_by_site",
        ):
            out[key] = s[key]
        out["parameters"] = dict(self.params)
        return out


def build_dot(
    shape: str = "pyramid",
    layers: int | None = None,
    *,
    size_nm: float | None = None,
    cu_in: float = 1.0,
    zn_fraction: float = 0.0,
    termination: str = "neutral",
    polarity: str = "A",
    orientation: str | Sequence[float] = "crystal",
    seed: int | None = 0,
    a_A: float | None = None,
    c_A: float | None = None,
    x_S: float = CUINS2_SULFUR_X,
    hole_fraction: float = DEFAULT_HOLE_FRACTION,
    antisite_pair_fraction: float = DEFAULT_ANTISITE_PAIR_FRACTION,
) -> ZcisDot:
    """Build a Zn-alloyed, Cu-deficient CuInS2 dot.

    Parameters
    ----------
    shape, layers, size_nm, polarity, orientation:
        See :func:`qdcat.structure.dot.build_framework` (``layers`` defaults to 6, the paper's
        six metal layers, when neither size is given).
    cu_in:
        Target atomic Cu/In (0 < r <= 1), e.g. the ICP values 0.97, 0.43, 0.26, 0.13.
    zn_fraction:
        Target Zn/(Zn + Cu + In).
    termination:
        ``"neutral"`` (default; charge-neutral with formal charges), ``"S-rich"``,
        ``"metal-rich"``.
    seed:
        Seed of every random choice (same seed, same dot).
    a_A, c_A:
        Lattice parameters in Angstrom (default: Vegard's law from ``zn_fraction``; give both
        to use a measured lattice).
    x_S, hole_fraction, antisite_pair_fraction:
        S parameter and population-model parameters (:mod:`qdcat.defects.population`).

    Raises
    ------
    InputError
        Unknown shape or termination, zero layers, or a composition the dot cannot hold.
    """
    if seed is not None and (isinstance(seed, bool) or int(seed) != seed or seed < 0):
        raise InputError(
            "seed must be a whole number >= 0", field="seed", expected=">= 0", found=seed
        )
    if layers is None and size_nm is None:
        layers = 6
    if (a_A is None) != (c_A is None):
        raise InputError(
            "give both lattice parameters or neither",
            field="a_A/c_A",
            expected="both a_A and c_A (Angstrom), or neither for Vegard's law",
            found=(a_A, c_A),
        )
    if a_A is None or c_A is None:
        zf = float(zn_fraction)
        if not math.isfinite(zf) or not 0.0 <= zf < 1.0:
            raise InputError(
                "composition parameter out of range",
                field="zn_fraction",
                expected="0 <= Zn/(Zn+Cu+In) < 1",
                found=zn_fraction,
            )
        a_A, c_A = vegard_lattice_A(zf)
        lattice_source = "Vegard"
    else:
        lattice_source = "given"
    fw = build_framework(
        shape,
        layers,
        size_nm=size_nm,
        a_A=a_A,
        c_A=c_A,
        x_S=x_S,
        polarity=polarity,
        orientation=orientation,
    )
    if termination not in ("neutral", "S-rich", "metal-rich"):
        raise InputError(
            "unknown surface termination",
            field="termination",
            expected="neutral, S-rich or metal-rich",
            found=termination,
        )
    if fw.n_cu_sites == 0 or fw.n_in_sites == 0:
        raise InputError(
            "the dot is too small to hold both Cu and In sites",
            field="layers",
            expected="at least 2 layers",
            found=fw.layers,
        )
    pop = integer_population(
        cu_in,
        zn_fraction,
        fw.n_cu_sites,
        fw.n_in_sites,
        hole_fraction=hole_fraction,
        antisite_pair_fraction=antisite_pair_fraction,
    )
    placement = place_population(fw, pop, seed=seed)
    cation_charge = int(placement.oxidation.sum())
    n_s = cation_charge // 2 if termination == "neutral" else None
    s_index = fw.select_sulfur(termination, n_s, seed=seed)
    atoms, vac_pos = assemble_atoms(fw, placement, s_index)
    atoms.info.update(
        {
            "a_A": fw.a_A,
            "c_A": fw.c_A,
            "shape": fw.shape,
            "layers": fw.layers,
            "termination": termination,
            "seed": -1 if seed is None else int(seed),
        }
    )
    surface = analyse_surface(atoms, vac_pos, a_A=fw.a_A)
    params = {
        "shape": fw.shape,
        "layers": fw.layers,
        "cu_in_target": float(cu_in),
        "zn_fraction_target": float(zn_fraction),
        "termination": termination,
        "polarity": polarity,
        "orientation": orientation if isinstance(orientation, str) else list(orientation),
        "seed": seed,
        "lattice": lattice_source,
        "a_A": float(a_A) if lattice_source == "given" else None,
        "c_A": float(c_A) if lattice_source == "given" else None,
        "hole_fraction": float(hole_fraction),
        "antisite_pair_fraction": float(antisite_pair_fraction),
    }
    return ZcisDot(
        atoms=atoms,
        vacancy_positions=vac_pos,
        population=pop,
        framework=fw,
        surface=surface,
        params=params,
    )


def paper_molar_mass_comparison(dot: ZcisDot) -> dict[str, float | str]:
    """The model's molar mass per dot beside the ~30.7 kg/mol the paper's TON implies.

    Returns model and paper values (g/mol), their ratio, and the number of cation layers a
    pyramid of the same composition would need to reach the paper's mass (mass scales with the
    number of cation sites, T(n) for a pyramid).
    """
    model = dot.molar_mass_g_mol
    n_sites = dot.framework.n_cu_sites + dot.framework.n_in_sites
    per_site = model / n_sites
    target_sites = PAPER_MOLAR_MASS_G_MOL / per_site
    n = 1
    while n * (n + 1) * (n + 2) / 6 < target_sites:
        n += 1
    return {
        "model_molar_mass_g_mol": model,
        "paper_molar_mass_g_mol": PAPER_MOLAR_MASS_G_MOL,
        "ratio_model_to_paper": model / PAPER_MOLAR_MASS_G_MOL,
        "cation_sites_for_paper_mass": target_sites,
        "pyramid_layers_for_paper_mass": n,
        "note": "ligands are not in the model; the paper's mass may include them",
    }
