"""Powder diffraction of a finite dot from the Debye scattering equation.

For ``N`` atoms at positions ``r_i`` with form factors ``f_i(q)`` the orientation-averaged
scattered intensity (electron units per dot) is (P. Debye, Ann. Phys. 351, 809 (1915),
doi:10.1002/andp.19153510606)

    I(q) = sum_i f_i^2 + 2 sum_{i<j} f_i f_j exp(-(B_i + B_j) s^2) sin(q r_ij) / (q r_ij),

``q = 4 pi sin(theta)/lambda``, ``s = q/(4 pi)``, ``B = 8 pi^2 <u^2>`` the isotropic
Debye-Waller parameter (Angstrom^2; the self term carries no Debye-Waller factor, the intensity
it loses goes to the thermal diffuse background).

Implementation
--------------
The pair sum is evaluated on histograms: all pair distances of each element pair (a, b) are
binned (default bin width 0.005 A, each distance shared linearly between the two nearest
nodes, so the error is second order: below 1e-4 of the peak intensity) by
:func:`pair_distance_histograms`, in blocks of at most ``block`` x ``block``
pairs (``scipy.spatial.distance.cdist``/``pdist`` then ``numpy.bincount``), so memory stays
bounded (about 16 MB per thread) and the work is spread over threads. Then

    sum_k n_ab(r_k) sin(q r_k)/(q r_k) = (1/q) Im[ sum_k (n_ab(r_k)/r_k) exp(i q r_k) ]

is a discrete sine transform of the histogram: it is evaluated with one real FFT per element
pair on a uniform q grid fine enough (``oversample`` points per shortest oscillation period
``2 pi / r_max``) and interpolated to the requested q by a cubic spline.

The pattern on a 2-theta axis multiplies ``I(q)`` by the polarisation factor only
(unpolarised beam, optionally with a monochromator). The powder Lorentz factor of Bragg-peak
integrated intensities is *not* applied: the Debye equation is already the
orientation-averaged cross-section per solid angle, and integrating it over a peak reproduces
``m |F|^2 (1 + cos^2 2theta)/(sin^2 theta cos theta)`` by itself (see
:func:`qdcat.xrd.bragg.stick_pattern`, which does apply it, and the test comparing the two).
Small-angle scattering of the dot as a whole rises below about 2-theta = 15 deg for 3 nm dots.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import CubicSpline
from scipy.spatial.distance import cdist, pdist

from qdcat.core.errors import InputError
from qdcat.xrd.form_factors import CU_KA1_A, CU_KA2_A, form_factor

__all__ = [
    "PairHistograms",
    "debye_intensity",
    "debye_pattern",
    "pair_distance_histograms",
    "polarisation_factor",
    "q_from_two_theta",
    "two_theta_from_q",
]


def q_from_two_theta(two_theta_deg: ArrayLike, wavelength_A: float) -> NDArray[np.float64]:
    """Scattering vector ``q = 4 pi sin(theta) / lambda``, 1/Angstrom."""
    theta = np.radians(np.asarray(two_theta_deg, dtype=float) / 2.0)
    return 4.0 * np.pi * np.sin(theta) / float(wavelength_A)


def two_theta_from_q(q_inv_A: ArrayLike, wavelength_A: float) -> NDArray[np.float64]:
    """Diffraction angle 2-theta (degrees) of scattering vector ``q`` (1/Angstrom)."""
    x = np.asarray(q_inv_A, dtype=float) * float(wavelength_A) / (4.0 * np.pi)
    return 2.0 * np.degrees(np.arcsin(x))


def polarisation_factor(
    two_theta_deg: ArrayLike, monochromator_two_theta_deg: float | None = None
) -> NDArray[np.float64]:
    """Polarisation factor of an unpolarised beam, 1 at 2-theta = 0.

    ``(1 + cos^2 2theta)/2``, or with a monochromator at ``2theta_m`` (graphite 002 for Cu
    K-alpha: 26.6 deg) ``(1 + cos^2 2theta cos^2 2theta_m)/(1 + cos^2 2theta_m)``.
    """
    c2 = np.cos(np.radians(np.asarray(two_theta_deg, dtype=float))) ** 2
    if monochromator_two_theta_deg is None:
        return (1.0 + c2) / 2.0
    cm2 = math.cos(math.radians(float(monochromator_two_theta_deg))) ** 2
    return (1.0 + c2 * cm2) / (1.0 + cm2)


@dataclass(frozen=True)
class PairHistograms:
    """Pair-distance histograms of a finite set of atoms, per element pair.

    ``counts[p, k]`` is the number of unordered atom pairs of element pair ``pairs[p]``
    (``(i, j)`` indices into ``elements``, ``i <= j``) at distance ``r_A[k] = k *
    bin_width_A``, each pair shared linearly between the two nodes around its distance
    (cloud-in-cell), so that ``counts`` sums to the number of pairs and the distance-weighted
    sums are exact to first order.
    ``n_atoms[i]`` counts atoms of ``elements[i]``.
    """

    elements: tuple[str, ...]
    n_atoms: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]
    counts: NDArray[np.float64]
    bin_width_A: float

    @property
    def r_A(self) -> NDArray[np.float64]:
        """Histogram nodes, Angstrom."""
        return np.arange(self.counts.shape[1]) * self.bin_width_A

    @property
    def total_pairs(self) -> int:
        return round(float(self.counts.sum()))


def _positions_by_element(atoms: Any) -> tuple[list[str], list[NDArray[np.float64]]]:
    try:
        symbols = list(atoms.get_chemical_symbols())
        pos = np.asarray(atoms.get_positions(), dtype=float)
    except AttributeError as exc:
        raise InputError(
            "not an atomic structure",
            field="atoms",
            expected="an ase.Atoms object",
            found=type(atoms).__name__,
        ) from exc
    if len(symbols) == 0:
        raise InputError(
            "the structure has no atoms", field="atoms", expected="at least one atom", found=0
        )
    if not np.all(np.isfinite(pos)):
        raise InputError(
            "atom positions contain NaN or infinity",
            field="atoms.positions",
            expected="finite coordinates (Angstrom)",
            found="non-finite",
        )
    elements = sorted(set(symbols), key=lambda e: (symbols.index(e), e))
    arr = np.array(symbols)
    return elements, [pos[arr == e] for e in elements]


def _hist_worker(
    tasks: Sequence[tuple[int, int, int, int, int, int, int]],
    groups: Sequence[NDArray[np.float64]],
    n_pairs: int,
    n_bins: int,
    inv_bw: float,
) -> NDArray[np.float64]:
    # linear (cloud-in-cell) assignment: a distance r between nodes k and k + 1 (r_k = k dr)
    # adds 1 - f to node k and f to node k + 1, f = r/dr - k. Node sums follow from one
    # integer and one weighted bincount: n_k = count_k - F_k + F_(k-1), F = sum of f per bin.
    out = np.zeros((n_pairs, n_bins), dtype=np.float64)
    for p, ga, gb, i0, i1, j0, j1 in tasks:
        a = groups[ga][i0:i1]
        if ga == gb and i0 == j0:
            if i1 - i0 < 2:
                continue
            d = pdist(a)
        else:
            d = cdist(a, groups[gb][j0:j1]).ravel()
        d *= inv_bw
        k = d.astype(np.intp)
        d -= k  # fractional part
        count = np.bincount(k, minlength=n_bins)[:n_bins]
        frac = np.bincount(k, weights=d, minlength=n_bins)[:n_bins]
        out[p] += count
        out[p] -= frac
        out[p, 1:] += frac[:-1]
    return out


def pair_distance_histograms(
    atoms: Any,
    *,
    bin_width_A: float = 0.005,
    block: int = 1024,
    n_threads: int | None = None,
) -> PairHistograms:
    """Histogram every interatomic distance of ``atoms`` per element pair.

    Parameters
    ----------
    atoms:
        :class:`ase.Atoms` (a finite dot; the cell and periodic boundaries are ignored).
    bin_width_A:
        Histogram bin width, Angstrom (default 0.005).
    block:
        Atoms per block: distances are computed ``block x block`` at a time (memory bound).
    n_threads:
        Worker threads (default: the CPUs available to this process, at most 4).

    Returns
    -------
    PairHistograms
    """
    bw = float(bin_width_A)
    if not math.isfinite(bw) or bw <= 0.0 or bw > 0.1:
        raise InputError(
            "histogram bin width out of range",
            field="bin_width_A",
            expected="0 < bin_width_A <= 0.1 Angstrom",
            found=bin_width_A,
        )
    elements, groups = _positions_by_element(atoms)
    allpos = np.concatenate(groups)
    centre = allpos.mean(axis=0)
    r_max = 2.0 * float(np.sqrt(((allpos - centre) ** 2).sum(axis=1)).max()) + bw
    n_bins = int(r_max / bw) + 3
    pairs = [(i, j) for i in range(len(elements)) for j in range(i, len(elements))]
    tasks: list[tuple[int, int, int, int, int, int, int]] = []
    blk = max(16, int(block))
    for p, (ga, gb) in enumerate(pairs):
        na, nb = len(groups[ga]), len(groups[gb])
        for i0 in range(0, na, blk):
            j_start = i0 if ga == gb else 0
            for j0 in range(j_start, nb, blk):
                tasks.append((p, ga, gb, i0, min(i0 + blk, na), j0, min(j0 + blk, nb)))
    if n_threads is None:
        try:
            n_cpu = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - not on Linux
            n_cpu = os.cpu_count() or 1
        n_threads = min(4, n_cpu)
    n_threads = max(1, min(int(n_threads), len(tasks) or 1))
    # distribute the (unequal) tasks: largest first, round robin
    sizes = [(t[4] - t[3]) * (t[6] - t[5]) for t in tasks]
    order = np.argsort(sizes)[::-1]
    shares = [[tasks[k] for k in order[w::n_threads]] for w in range(n_threads)]
    inv_bw = 1.0 / bw
    if n_threads == 1:
        counts = _hist_worker(tasks, groups, len(pairs), n_bins, inv_bw)
    else:
        with ThreadPoolExecutor(max_workers=n_threads) as pool:
            parts = list(
                pool.map(
                    lambda share: _hist_worker(share, groups, len(pairs), n_bins, inv_bw), shares
                )
            )
        counts = np.sum(parts, axis=0)
    # diagonal blocks of one element are handled by pdist (i < j) -> no double counting; the
    # same-element off-diagonal blocks (j0 > i0) count each pair once as well.
    return PairHistograms(
        elements=tuple(elements),
        n_atoms=tuple(len(g) for g in groups),
        pairs=tuple(pairs),
        counts=counts,
        bin_width_A=bw,
    )


def _sine_sums(
    counts: NDArray[np.float64], bin_width_A: float, q: NDArray[np.float64], oversample: int
) -> NDArray[np.float64]:
    """``S[p, m] = sum_k counts[p, k] sin(q_m r_k)/(q_m r_k)`` with nodes ``r_k = k dr``."""
    n_pairs, _ = counts.shape
    out = np.zeros((n_pairs, q.size))
    nz = np.flatnonzero(np.abs(counts).sum(axis=0) > 0)
    if nz.size == 0:
        return out
    n_used = int(nz[-1]) + 1
    r = np.arange(n_used) * bin_width_A
    x = np.zeros((n_pairs, n_used))
    x[:, 1:] = counts[:, 1:n_used] / r[1:]  # n / r (node 0, r = 0, holds no pair)
    m_len = int(2 ** math.ceil(math.log2(max(64, oversample * n_used))))
    dq = 2.0 * math.pi / (m_len * bin_width_A)
    m_max = min(m_len // 2, int(q.max() / dq) + 4)
    f = np.fft.rfft(x, n=m_len, axis=1)[:, : m_max + 1]
    qg = np.arange(m_max + 1) * dq
    # sum_k x_k sin(q_m k dr) = sum_k x_k sin(2 pi m k / M) = -Im(F_m)
    spline = CubicSpline(qg, -np.imag(f), axis=1)
    return spline(q) / q


def debye_intensity(
    hist: PairHistograms,
    q_inv_A: ArrayLike,
    *,
    b_iso_A2: float | Mapping[str, float] = 0.0,
    oversample: int = 16,
) -> NDArray[np.float64]:
    """Debye-equation intensity ``I(q)`` (electron units^2 per dot) from pair histograms.

    Parameters
    ----------
    hist:
        From :func:`pair_distance_histograms`.
    q_inv_A:
        Scattering vectors, 1/Angstrom (> 0).
    b_iso_A2:
        Isotropic Debye-Waller parameter ``B`` (Angstrom^2), one value or per element
        (default 0: a static lattice).
    oversample:
        FFT grid points per shortest oscillation period in q (see the module notes).
    """
    q = np.atleast_1d(np.asarray(q_inv_A, dtype=float))
    if q.size == 0 or not np.all(np.isfinite(q)) or np.any(q <= 0):
        raise InputError(
            "scattering vectors must be positive",
            field="q",
            expected="finite q > 0 (1/Angstrom)",
            found=float(q.min()) if q.size else None,
        )
    s = q / (4.0 * np.pi)
    f = {e: form_factor(e, s) for e in hist.elements}
    if isinstance(b_iso_A2, Mapping):
        b = {e: float(b_iso_A2.get(e, 0.0)) for e in hist.elements}
    else:
        b = dict.fromkeys(hist.elements, float(b_iso_A2))
    sums = _sine_sums(hist.counts, hist.bin_width_A, q, oversample)
    total = np.zeros_like(q)
    for e, n in zip(hist.elements, hist.n_atoms, strict=True):
        total += n * f[e] ** 2
    for p, (i, j) in enumerate(hist.pairs):
        ei, ej = hist.elements[i], hist.elements[j]
        dw = np.exp(-(b[ei] + b[ej]) * s * s)
        total += 2.0 * f[ei] * f[ej] * dw * sums[p]
    return total


def debye_pattern(
    atoms: Any,
    two_theta_deg: ArrayLike | None = None,
    *,
    wavelength_A: float = CU_KA1_A,
    ka2_ratio: float = 0.0,
    ka2_wavelength_A: float = CU_KA2_A,
    b_iso_A2: float | Mapping[str, float] = 0.0,
    monochromator_two_theta_deg: float | None = None,
    bin_width_A: float = 0.005,
    n_threads: int | None = None,
    histograms: PairHistograms | None = None,
) -> xr.DataArray:
    """Simulated powder pattern of a finite dot (Debye equation), intensity vs 2-theta.

    Parameters
    ----------
    atoms:
        :class:`ase.Atoms` of the dot (elements with tabulated form factors; see
        :func:`qdcat.xrd.form_factors.known_elements`).
    two_theta_deg:
        Diffraction angles, degrees (default 10-80 deg in 0.02 deg steps).
    wavelength_A:
        X-ray wavelength, Angstrom (default Cu K-alpha1, 1.5405929 A).
    ka2_ratio:
        Add K-alpha2 (``ka2_wavelength_A``) with this intensity relative to K-alpha1
        (0.5 for an unfiltered Cu tube; default 0: monochromatic).
    b_iso_A2:
        Isotropic Debye-Waller parameter(s), Angstrom^2.
    monochromator_two_theta_deg:
        2-theta of a monochromator crystal for the polarisation factor (default: none).
    bin_width_A, n_threads:
        Passed to :func:`pair_distance_histograms`.
    histograms:
        Reuse histograms already computed for these atoms.

    Returns
    -------
    xarray.DataArray
        ``intensity`` (electron units^2 per dot, times the polarisation factor) over
        ``two_theta_deg``; attrs record the wavelength, number of atoms and method.
    """
    tt = (
        np.arange(10.0, 80.0 + 1e-9, 0.02)
        if two_theta_deg is None
        else np.asarray(two_theta_deg, dtype=float)
    )
    if tt.ndim != 1 or tt.size == 0 or not np.all(np.isfinite(tt)):
        raise InputError(
            "two-theta axis must be a non-empty list of finite angles",
            field="two_theta_deg",
            expected="finite angles in degrees",
            found=tt.size,
        )
    if np.any(tt <= 0) or np.any(tt >= 180):
        raise InputError(
            "two-theta must lie between 0 and 180 degrees",
            field="two_theta_deg",
            expected="0 < 2theta < 180",
            found=float(tt.min() if np.any(tt <= 0) else tt.max()),
        )
    for name, wl in (("wavelength_A", wavelength_A), ("ka2_wavelength_A", ka2_wavelength_A)):
        if not (math.isfinite(float(wl)) and float(wl) > 0):
            raise InputError(
                "wavelength must be positive", field=name, expected="> 0 Angstrom", found=wl
            )
    hist = histograms or pair_distance_histograms(
        atoms, bin_width_A=bin_width_A, n_threads=n_threads
    )
    pol = polarisation_factor(tt, monochromator_two_theta_deg)
    intensity = debye_intensity(hist, q_from_two_theta(tt, wavelength_A), b_iso_A2=b_iso_A2) * pol
    if ka2_ratio:
        q2 = q_from_two_theta(tt, ka2_wavelength_A)
        i2 = debye_intensity(hist, q2, b_iso_A2=b_iso_A2) * pol
        intensity = intensity + float(ka2_ratio) * i2
    n_total = int(sum(hist.n_atoms))
    return xr.DataArray(
        intensity,
        dims=("two_theta_deg",),
        coords={"two_theta_deg": ("two_theta_deg", tt, {"units": "deg"})},
        name="intensity",
        attrs={
            "units": "e^2 per dot",
            "long_name": "Debye-equation intensity",
            "wavelength_A": float(wavelength_A),
            "ka2_ratio": float(ka2_ratio),
            "n_atoms": n_total,
            "composition": ", ".join(
                f"{e}{n}" for e, n in zip(hist.elements, hist.n_atoms, strict=True)
            ),
            "bin_width_A": hist.bin_width_A,
            "method": "Debye scattering equation on pair-distance histograms",
        },
    )
