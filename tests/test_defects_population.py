"""Population model: limits worked by hand, calibration, Types A/B/C, impossible compositions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError
from qdcat.defects.population import (
    DEFAULT_HOLE_FRACTION,
    ZCIS_SAMPLES,
    calibrate_hole_fraction,
    classify_defect_type,
    cu2_fraction_table,
    expected_population,
    integer_population,
)


def test_stoichiometric_dot_has_no_vacancies() -> None:
    p = expected_population(1.0, 0.0, 200, antisite_pair_fraction=0.0)
    assert p.v_cu == pytest.approx(0.0, abs=1e-12)
    assert p.n_cu == pytest.approx(100) and p.n_in == pytest.approx(100)
    assert p.n_s == pytest.approx(200)  # Cu+ + In3+ = 4 per pair of cations = 2 S2-


def test_no_holes_is_the_cu2s_in2s3_tie_line() -> None:
    # h = 0, z = 0: Cu + In + V = N and Cu + 3 In = 2N with Cu = r In give
    # In = 2N/(r + 3), Cu = 2rN/(r + 3), V = N (1 - r)/(r + 3). r = 0.26, N = 1000:
    # In = 613.50, Cu = 159.51, V = 226.99.
    p = expected_population(0.26, 0.0, 1000, hole_fraction=0.0, antisite_pair_fraction=0.0)
    assert p.n_in == pytest.approx(2000 / 3.26)
    assert p.n_cu == pytest.approx(520 / 3.26)
    assert p.v_cu == pytest.approx(1000 * 0.74 / 3.26)
    assert p.cu_cu2 == 0 and p.cu2_fraction == 0


def test_all_holes_keeps_the_in_sublattice_full() -> None:
    # h = 1, z = 0: no In on Cu sites, In = N/2, Cu = rN/2, V = (1 - r) N/2 = H.
    # r = 0.6, N = 1000: In 500, Cu 300, V 200, Cu2+ 200 (2/3 of the Cu).
    p = expected_population(0.6, 0.0, 1000, hole_fraction=1.0, antisite_pair_fraction=0.0)
    assert p.n_in == pytest.approx(500)
    assert p.v_cu == pytest.approx(200)
    assert p.cu_cu2 == pytest.approx(200)
    assert p.cu2_fraction == pytest.approx(2 / 3)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(min_value=0.2, max_value=1.0),
    st.floats(min_value=0.0, max_value=0.4),
    st.floats(min_value=0.0, max_value=0.2),
)
def test_expected_population_invariants(r: float, z: float, h: float) -> None:
    n = 500.0
    p = expected_population(r, z, n, hole_fraction=h)
    assert p.n_cu / p.n_in == pytest.approx(r)
    assert p.n_zn / (p.n_cu + p.n_in + p.n_zn) == pytest.approx(z, abs=1e-12)
    assert p.defect_charge == pytest.approx(0.0, abs=1e-9)
    # sites: Cu sublattice and In sublattice full except V_Cu
    assert p.n_cu + p.in_cu_excess + p.zn_cu + p.v_cu == pytest.approx(n / 2)
    assert p.n_in - p.in_cu_excess + p.zn_in == pytest.approx(n / 2)


def test_calibration_reproduces_the_xps_share() -> None:
    # 20 % Cu2+ in 2/12ZCIS (XPS satellite share, paper Fig. 3a) -> h = 0.131; the default
    # 0.13 is that value rounded
    h = calibrate_hole_fraction(0.26, 4 / 14, 0.20)
    assert h == pytest.approx(0.1313, abs=5e-4)
    assert pytest.approx(h, abs=0.002) == DEFAULT_HOLE_FRACTION
    p = expected_population(0.26, 4 / 14, 1000, hole_fraction=h, antisite_pair_fraction=0.0)
    assert p.cu2_fraction == pytest.approx(0.20, abs=1e-6)


def test_the_four_samples_get_the_papers_types() -> None:
    # paper (Fig. 1a, project.toml): 8/12 A, 4/12 B, 2/12 C, 1/12 C
    for name, cu_in, zn, paper_type in ZCIS_SAMPLES.values():
        p = expected_population(cu_in, zn, 286)
        assert p.defect_type == paper_type, name


def test_classification_thresholds() -> None:
    assert classify_defect_type(0.05, 0.5) == "A"
    assert classify_defect_type(0.10, 0.149) == "B"
    assert classify_defect_type(0.10, 0.15) == "C"


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(list(ZCIS_SAMPLES.values())),
    st.integers(min_value=40, max_value=400),
    st.integers(min_value=-1, max_value=1),
)
def test_integer_population_is_exact(sample, cu_sites: int, d: int) -> None:
    _, r, z, _ = sample
    in_sites = cu_sites + d
    p = integer_population(r, z, cu_sites, in_sites)
    assert abs(p.n_cu - r * p.n_in) <= 1
    assert abs(p.n_zn - z * (p.n_cu + p.n_in + p.n_zn)) <= 1
    assert p.n_cu + p.in_cu_excess + p.zn_cu + p.v_cu == cu_sites
    assert p.n_in - p.in_cu_excess + p.zn_in == in_sites
    assert p.cation_charge % 2 == 0  # whole number of S2-
    assert p.defect_charge == (cu_sites + 3 * in_sites) % 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0.02, 0.0, 300), "cu_in"),  # below what the lattice holds with h = 0.13
        ((-0.1, 0.0, 300), "cu_in"),
        ((0.0, 0.0, 300), "cu_in"),
        ((1.2, 0.0, 300), "cu_in"),
        ((0.5, -0.1, 300), "zn_fraction"),
        ((0.5, 1.0, 300), "zn_fraction"),
        ((0.5, 0.2, 0), "cation_sites"),
    ],
)
def test_impossible_compositions(args: tuple, field: str) -> None:
    with pytest.raises(InputError) as exc:
        expected_population(*args)
    assert exc.value.field == field


def test_lattice_limit_message_names_the_numbers() -> None:
    with pytest.raises(InputError, match="below what the lattice can hold"):
        expected_population(0.05, 0.0, 1000)
    # without hole compensation the same composition fits (In on Cu sites compensates)
    assert expected_population(0.05, 0.0, 1000, hole_fraction=0.0).v_cu > 0


def test_cu2_table_beside_xps() -> None:
    rows = {r["sample"]: r for r in cu2_fraction_table()}
    # calibrated on 2/12 (20 %); the others are predictions, monotonic in Cu/In: the paper says
    # 2/12 has the largest share, the model puts 1/12 above it (reported, not hidden)
    assert rows["2/12ZCIS"]["cu2_fraction_model"] == pytest.approx(0.20, abs=0.01)
    assert rows["2/12ZCIS"]["cu2_fraction_xps"] == 0.20
    assert rows["8/12ZCIS"]["cu2_fraction_xps"] is None
    shares = [rows[n]["cu2_fraction_model"] for n in ("8/12ZCIS", "4/12ZCIS", "2/12ZCIS")]
    assert shares == sorted(shares)
    assert rows["1/12ZCIS"]["cu2_fraction_model"] > rows["2/12ZCIS"]["cu2_fraction_model"]
    assert all(r["defect_type_model"] == r["defect_type_paper"] for r in rows.values())
