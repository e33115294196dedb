"""Crystallographic geometry: d-spacings, angles, zones, absences, fringe indexing."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError, QdcatError
from qdcat.structure.crystallography import (
    Lattice,
    allowed_reflections,
    bravais_to_miller,
    check_fringe_assignment,
    d_spacing_A,
    direction_angle_deg,
    direction_to_four_index,
    direction_to_three_index,
    family,
    format_indices,
    in_zone,
    index_fringe_pair,
    interplanar_angle_deg,
    lattice_from_fringes,
    laue_operations,
    miller_to_bravais,
    parse_indices,
    plane_zone_angle_deg,
    reflection_allowed,
    space_group_allowed,
    zone_axis,
    zone_law_sum,
    zone_reflections,
)

CIS = Lattice.tetragonal(5.52, 11.1, name="CuInS2")
ZNS = Lattice.cubic(5.41, name="ZnS")
WURTZITE = Lattice.hexagonal(3.82, 6.26)


# ---------------------------------------------------------------------------------------------
# d-spacings and angles against values worked by hand


def test_cubic_d_spacings_by_hand() -> None:
    # d = a / sqrt(h^2 + k^2 + l^2): 5.41/sqrt(3) = 3.123465, 5.41/sqrt(8) = 1.912724,
    # 5.41/sqrt(11) = 5.41/3.316625 = 1.631176
    assert d_spacing_A(ZNS, (1, 1, 1)) == pytest.approx(3.123465, abs=2e-6)
    assert d_spacing_A(ZNS, (2, 2, 0)) == pytest.approx(1.912724, abs=2e-6)
    assert d_spacing_A(ZNS, (3, 1, 1)) == pytest.approx(1.631176, abs=2e-6)


def test_tetragonal_d_spacings_by_hand() -> None:
    # 1/d^2 = (h^2 + k^2)/a^2 + l^2/c^2 with a = 5.52, c = 11.1:
    # (112): 2/30.4704 + 4/123.21 = 0.0656375 + 0.0324649 = 0.0981024 -> d = 3.192716
    # (220): 8/30.4704 = 0.262550 -> d = 1.951615; (204): 4/30.4704 + 16/123.21 -> 1.956896
    assert d_spacing_A(CIS, (1, 1, 2)) == pytest.approx(3.192716, abs=2e-6)
    assert d_spacing_A(CIS, (2, 2, 0)) == pytest.approx(1.951615, abs=2e-6)
    assert d_spacing_A(CIS, (2, 0, 4)) == pytest.approx(1.956896, abs=2e-6)
    arr = d_spacing_A(CIS, np.array([[1, 1, 2], [2, 2, 0]]))
    assert np.allclose(arr, [3.192716, 1.951615], atol=2e-6)


def test_hexagonal_d_spacings_by_hand() -> None:
    # 1/d^2 = 4/3 (h^2 + hk + k^2)/a^2 + l^2/c^2 with a = 3.82, c = 6.26 (wurtzite ZnS):
    # (100): d = a sqrt(3)/2 = 3.308217; (002): c/2 = 3.13;
    # (101): 4/3/14.5924 + 1/39.1876 = 0.0913720 + 0.0255183 = 0.1168903 -> d = 2.924902
    assert d_spacing_A(WURTZITE, (1, 0, 0)) == pytest.approx(3.308217, abs=2e-6)
    assert d_spacing_A(WURTZITE, (0, 0, 2)) == pytest.approx(3.13, abs=2e-6)
    assert d_spacing_A(WURTZITE, (1, 0, 1)) == pytest.approx(2.924902, abs=2e-6)
    assert WURTZITE.system == "hexagonal"


def test_angles_by_hand() -> None:
    # cubic: (100)/(111) = acos(1/sqrt 3) = 54.7356; (110)/(111) = acos(2/sqrt 6) = 35.2644
    assert interplanar_angle_deg(ZNS, (1, 0, 0), (1, 1, 1)) == pytest.approx(54.7356, abs=1e-4)
    assert interplanar_angle_deg(ZNS, (1, 1, 0), (1, 1, 1)) == pytest.approx(35.2644, abs=1e-4)
    # tetragonal a = 5.52, c = 11.1: (112).(220) = 4/a^2 = 0.131275; |g112|^2 = 0.0981024,
    # |g220|^2 = 0.262550 -> cos = 0.131275 / 0.160492 = 0.817953 -> 35.118 deg
    assert interplanar_angle_deg(CIS, (1, 1, 2), (2, 2, 0)) == pytest.approx(35.118, abs=1e-3)
    # with c = 2a exactly the pair is the cubic (111)/(220): cos = 4/sqrt(24) -> 35.2644
    ideal = Lattice.tetragonal(5.5, 11.0)
    assert interplanar_angle_deg(ideal, (1, 1, 2), (2, 2, 0)) == pytest.approx(35.2644, abs=1e-4)
    # hexagonal: the normals of (100) and (010) are a* and b*, 60 deg apart; (100)/(110) 30 deg
    assert interplanar_angle_deg(WURTZITE, (1, 0, 0), (0, 1, 0)) == pytest.approx(60.0, abs=1e-9)
    assert interplanar_angle_deg(WURTZITE, (1, 0, 0), (1, 1, 0)) == pytest.approx(30.0, abs=1e-9)
    assert interplanar_angle_deg(WURTZITE, (1, 0, 0), (0, 0, 1)) == pytest.approx(90.0, abs=1e-9)
    # fringes are lines: the acute angle of (100) and (-111) is that of (100) and (1-1-1)
    assert interplanar_angle_deg(ZNS, (1, 0, 0), (-1, 1, 1)) == pytest.approx(125.2644, abs=1e-4)
    assert interplanar_angle_deg(ZNS, (1, 0, 0), (-1, 1, 1), acute=True) == pytest.approx(
        54.7356, abs=1e-4
    )


def test_direction_angles_and_metric() -> None:
    # hexagonal [100] and [010] are a and b: 120 deg; [100]/[110] 60 deg
    assert direction_angle_deg(WURTZITE, (1, 0, 0), (0, 1, 0)) == pytest.approx(120.0)
    assert direction_angle_deg(WURTZITE, (1, 0, 0), (1, 1, 0)) == pytest.approx(60.0)
    # volume of the tetragonal cell a^2 c = 338.2214; hexagonal sqrt(3)/2 a^2 c = 79.1094
    assert CIS.volume_A3 == pytest.approx(5.52**2 * 11.1)
    assert WURTZITE.volume_A3 == pytest.approx(math.sqrt(3) / 2 * 3.82**2 * 6.26)
    assert np.allclose(CIS.metric_tensor @ CIS.reciprocal_metric_tensor, np.eye(3))


# ---------------------------------------------------------------------------------------------
# zones


def test_zone_axis_and_zone_law() -> None:
    # (112) x (220) = (1*0 - 2*2, 2*2 - 1*0, 1*2 - 1*2) = (-4, 4, 0) -> [1-10]
    assert zone_axis((1, 1, 2), (2, 2, 0)) == (1, -1, 0)
    assert zone_law_sum((1, 1, 2), (1, 1, 4)) == 10  # 1 + 1 + 8: (112) is not in [114]
    assert not in_zone((1, 1, 2), (1, 1, 4))
    assert in_zone((2, -2, 0), (1, 1, 4))  # 2 - 2 + 0 = 0
    assert in_zone((1, 1, 2), (1, -1, 0)) and in_zone((2, 2, 0), (1, -1, 0))
    # an in-zone plane is edge-on: its normal is at 90 deg to the axis
    assert plane_zone_angle_deg(CIS, (2, -2, 0), (1, 1, 4)) == pytest.approx(90.0)
    assert abs(plane_zone_angle_deg(CIS, (1, 1, 2), (1, 1, 4)) - 90.0) > 20.0
    with pytest.raises(InputError, match="parallel"):
        zone_axis((1, 1, 2), (2, 2, 4))


def test_zone_reflections_of_114() -> None:
    # in chalcopyrite the [114] zone's largest allowed spacing is {2-20}: no 0.315 nm fringes
    refl = zone_reflections(CIS, (1, 1, 4), 1.8, "chalcopyrite")
    assert [h for h, _ in refl] == [(2, -2, 0)]
    assert refl[0][1] == pytest.approx(1.951615, abs=1e-5)


def test_hexagonal_index_conversions() -> None:
    # directions: [100] -> [2-1-10], [110] -> [11-20], [001] -> [0001]
    assert direction_to_four_index((1, 0, 0)) == (2, -1, -1, 0)
    assert direction_to_four_index((1, 1, 0)) == (1, 1, -2, 0)
    assert direction_to_four_index((0, 0, 1)) == (0, 0, 0, 1)
    for uvw in [(1, 0, 0), (1, 1, 0), (2, 1, 3), (0, 1, -1)]:
        assert direction_to_three_index(direction_to_four_index(uvw)) == zone_axis_like(uvw)
    assert miller_to_bravais((1, 0, 1)) == (1, 0, -1, 1)
    assert bravais_to_miller((1, 1, -2, 0)) == (1, 1, 0)
    with pytest.raises(InputError, match="i = -"):
        bravais_to_miller((1, 1, 1, 0))
    assert parse_indices("11-20") == (1, 1, 0)


def zone_axis_like(uvw: tuple[int, int, int]) -> tuple[int, int, int]:
    # a direction reduced to coprime integers, its sense kept
    g = math.gcd(math.gcd(abs(uvw[0]), abs(uvw[1])), abs(uvw[2]))
    return (uvw[0] // g, uvw[1] // g, uvw[2] // g)


def test_parse_and_format_indices() -> None:
    assert parse_indices("112") == (1, 1, 2)
    assert parse_indices("1-10") == (1, -1, 0)
    assert parse_indices("(-1,1,0)") == (-1, 1, 0)
    assert parse_indices("[114]") == (1, 1, 4)
    assert parse_indices("10,0,2") == (10, 0, 2)
    assert format_indices((1, -1, 0)) == "(1-10)"
    assert format_indices((10, 0, 2), "[]") == "[10,0,2]"
    with pytest.raises(InputError, match="cannot read"):
        parse_indices("1x2")


# ---------------------------------------------------------------------------------------------
# systematic absences


def test_absences_by_hand() -> None:
    # I-42d: (112) 2h+l = 4 ok; (002) l != 4n; (110) 2h+l = 2 != 4n; (101), (200), (103) ok;
    # (004) l = 4; (111) h+k+l odd
    allowed = {(1, 1, 2), (1, 0, 1), (2, 0, 0), (1, 0, 3), (0, 0, 4), (2, 2, 0), (2, 0, 4)}
    absent = {(0, 0, 2), (1, 1, 0), (1, 1, 1), (1, 0, 0), (2, 2, 2), (0, 0, 6)}
    for h in allowed:
        assert reflection_allowed(h, "chalcopyrite"), h
    for h in absent:
        assert not reflection_allowed(h, "chalcopyrite"), h
    # F-43m: unmixed parity only
    assert reflection_allowed((1, 1, 1), "sphalerite")
    assert reflection_allowed((2, 0, 0), "sphalerite")
    assert not reflection_allowed((1, 0, 0), "sphalerite")
    assert not reflection_allowed((2, 1, 0), "sphalerite")


def test_tabulated_rules_agree_with_symmetry_operations() -> None:
    # the ITA rules coded for I-42d and F-43m against the general-position structure factor
    # summed over ase's symmetry operations (an independent computation)
    for h in itertools.product(range(-3, 4), range(-3, 4), range(-6, 7)):
        if h == (0, 0, 0):
            continue
        assert reflection_allowed(h, "chalcopyrite") == space_group_allowed(h, 122), h
        if abs(h[2]) <= 3:
            assert reflection_allowed(h, "sphalerite") == space_group_allowed(h, 216), h


def test_allowed_reflections_sorted_and_complete() -> None:
    hkl, d = allowed_reflections(CIS, 3.0, "chalcopyrite")
    # d >= 3.0 A: {101} (4.943 A, 8 members), {112} (3.193, 8), {103} (3.073, 8)
    assert len(hkl) == 24
    assert np.all(np.diff(d) <= 1e-12)
    fams = {family(h, "tetragonal") for h in hkl}
    assert fams == {(1, 0, 1), (1, 1, 2), (1, 0, 3)}


def test_laue_groups_have_the_right_order() -> None:
    for system, n in (
        ("cubic", 48),
        ("tetragonal", 16),
        ("hexagonal", 24),
        ("orthorhombic", 8),
        ("triclinic", 2),
    ):
        ops = laue_operations(system)
        assert len({tuple(o.ravel()) for o in ops}) == n
    # hexagonal: every operation preserves d (it is a symmetry of the metric)
    for o in laue_operations("hexagonal"):
        assert d_spacing_A(WURTZITE, o @ np.array([2, 1, 3])) == pytest.approx(
            d_spacing_A(WURTZITE, (2, 1, 3))
        )


# ---------------------------------------------------------------------------------------------
# fringe indexing


def test_paper_fringes_against_chalcopyrite() -> None:
    # seed paper Fig. 2h: d112 = 0.315 nm, d220 = 0.201 nm, 35 deg, "[114] orientation"
    check = check_fringe_assignment(
        CIS,
        (3.15, 2.01),
        ((1, 1, 2), (2, 2, 0)),
        35.0,
        claimed_zone=(1, 1, 4),
        structure="chalcopyrite",
    )
    f = check.findings
    # d112: (3.15 - 3.192716)/3.192716 = -1.34 % -> fits at 2 %
    assert check.d_misfit_percent[0] == pytest.approx(-1.338, abs=0.01)
    assert f[0].startswith("fits")
    # d220: (2.01 - 1.951615)/1.951615 = +2.99 % -> does not fit
    assert check.d_misfit_percent[1] == pytest.approx(2.992, abs=0.01)
    assert f[1].startswith("does not fit")
    # the angle 35.1 deg matches 35 deg
    assert check.angle_calc_deg == pytest.approx(35.118, abs=1e-3)
    assert f[2].startswith("fits")
    # (112) is not in [114]: 1 + 1 + 8 = 10, and no {112} member is
    assert check.zone_law_sums == (10, 4)
    assert check.family_in_claimed_zone == (False, True)
    assert check.pair_zone == (1, -1, 0)
    assert any("define the [1-10] zone, not [114]" in x for x in f)
    assert not check.consistent
    # the two spacings alone would need c/a = 1.78 (a = 5.685, c = 10.14 A):
    # 8/a^2 = 1/2.01^2 -> a = 5.6851; 4/c^2 = 1/3.15^2 - 2/a^2 -> c = 10.140
    assert check.implied_lattice.a_A == pytest.approx(5.6851, abs=1e-3)
    assert check.implied_lattice.c_A == pytest.approx(10.140, abs=2e-3)


def test_paper_fringes_against_zns() -> None:
    # ZnS d220 = 1.912724 A: (2.01 - 1.912724)/1.912724 = +5.09 %
    check = check_fringe_assignment(
        ZNS, (3.15, 2.01), ((1, 1, 1), (2, 2, 0)), 35.0, claimed_zone=(1, 1, 4)
    )
    assert check.d_misfit_percent[1] == pytest.approx(5.086, abs=0.01)
    assert check.angle_calc_deg == pytest.approx(35.264, abs=1e-3)
    assert check.zone_law_sums == (6, 4)


def test_index_ranks_the_paper_pair() -> None:
    cands = index_fringe_pair(
        3.15, 2.01, 35.0, CIS, structure="chalcopyrite", claimed_zone=(1, 1, 4)
    )
    top = {(c.hkl1, c.hkl2, c.zone) for c in cands[:2]}
    assert ((1, 1, 2), (2, 2, 0), (1, -1, 0)) in top
    assert ((1, 1, 2), (2, 0, 4), (2, 0, -1)) in top
    assert all(c.in_claimed_zone is False for c in cands)
    # with a 3 % tolerance both fit
    loose = index_fringe_pair(3.15, 2.01, 35.0, CIS, structure="chalcopyrite", d_tol_rel=0.03)
    assert sum(c.fits for c in loose[:2]) == 2
    assert [c.score for c in cands] == sorted(c.score for c in cands)


def test_index_recovers_a_known_pair_from_noisy_measurements() -> None:
    # fringes simulated from sphalerite (111)/(200): d = 3.1235 / 2.705 A, angle 54.74 deg,
    # measured with 1 % and 0.5 deg errors; the best candidate must be that pair, zone [0-11]
    rng = np.random.default_rng(3)
    d1 = d_spacing_A(ZNS, (1, 1, 1)) * (1 + 0.01 * rng.uniform(-1, 1))
    d2 = d_spacing_A(ZNS, (2, 0, 0)) * (1 + 0.01 * rng.uniform(-1, 1))
    phi = interplanar_angle_deg(ZNS, (1, 1, 1), (2, 0, 0)) + rng.uniform(-0.5, 0.5)
    best = index_fringe_pair(d1, d2, phi, ZNS, structure="sphalerite")[0]
    assert best.fits
    assert family(best.hkl1, "cubic") == (1, 1, 1) and family(best.hkl2, "cubic") == (2, 0, 0)
    assert in_zone(best.hkl1, best.zone) and in_zone(best.hkl2, best.zone)
    assert best.angle_calc_deg == pytest.approx(54.7356, abs=1e-3)


def test_lattice_from_fringes_round_trip() -> None:
    lat = Lattice.tetragonal(5.47, 10.95)
    d1, d2 = d_spacing_A(lat, (1, 1, 2)), d_spacing_A(lat, (2, 2, 0))
    back = lattice_from_fringes("tetragonal", (1, 1, 2), (2, 2, 0), d1, d2)
    assert back.a_A == pytest.approx(5.47) and back.c_A == pytest.approx(10.95)
    hexl = Lattice.hexagonal(3.82, 6.26)
    d1, d2 = d_spacing_A(hexl, (1, 0, 0)), d_spacing_A(hexl, (0, 0, 2))
    back = lattice_from_fringes("hexagonal", (1, 0, 0), (0, 0, 2), d1, d2)
    assert back.a_A == pytest.approx(3.82) and back.c_A == pytest.approx(6.26)
    assert lattice_from_fringes("tetragonal", (2, 2, 0), (4, 0, 0), 1.9, 1.3) is None


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("a", [0.0, -5.52, float("nan"), float("inf")])
def test_bad_lattice_constants(a: float) -> None:
    with pytest.raises(InputError, match="a_A") as err:
        Lattice.tetragonal(a, 11.1)
    assert "positive" in str(err.value)


def test_bad_cell_and_planes() -> None:
    with pytest.raises(InputError, match="c_A"):
        Lattice.tetragonal(5.52, 0.0)
    with pytest.raises(InputError, match="angles"):
        Lattice(5, 5, 5, 10, 10, 170)
    with pytest.raises(InputError, match=r"\(000\)"):
        d_spacing_A(CIS, (0, 0, 0))
    with pytest.raises(InputError, match=r"\(000\)"):
        interplanar_angle_deg(CIS, (1, 1, 2), (0, 0, 0))
    with pytest.raises(InputError, match="integers"):
        d_spacing_A(CIS, (1.5, 1, 2))
    with pytest.raises(InputError, match="angle"):
        index_fringe_pair(3.15, 2.01, 0.0, CIS)
    with pytest.raises(InputError, match="d1"):
        index_fringe_pair(-3.15, 2.01, 35.0, CIS)
    with pytest.raises(QdcatError, match="structure"):
        reflection_allowed((1, 1, 2), "no-such-group")


# ---------------------------------------------------------------------------------------------
# invariants (hypothesis)

_idx = st.integers(-4, 4)
_hkl = st.tuples(_idx, _idx, _idx).filter(lambda h: h != (0, 0, 0))
_len = st.floats(2.0, 15.0)


@settings(max_examples=60, deadline=None)
@given(h1=_hkl, h2=_hkl, a=_len, c=_len, scale=st.floats(0.5, 3.0))
def test_invariants(h1, h2, a, c, scale) -> None:
    lat = Lattice.tetragonal(a, c)
    # angle of a plane with itself is 0; the angle is symmetric
    assert interplanar_angle_deg(lat, h1, h1) == pytest.approx(0.0, abs=1e-5)
    assert interplanar_angle_deg(lat, h1, h2) == pytest.approx(
        interplanar_angle_deg(lat, h2, h1), abs=1e-9
    )
    # d scales with the lattice, and d(n h) = d(h)/n
    big = Lattice.tetragonal(a * scale, c * scale)
    assert d_spacing_A(big, h1) == pytest.approx(scale * d_spacing_A(lat, h1), rel=1e-12)
    assert d_spacing_A(lat, tuple(2 * x for x in h1)) == pytest.approx(
        d_spacing_A(lat, h1) / 2, rel=1e-12
    )
    # every Laue-equivalent plane has the same d, and angles are kept
    for op in laue_operations(lat.system)[:6]:
        g1, g2 = op @ np.array(h1), op @ np.array(h2)
        assert d_spacing_A(lat, g1) == pytest.approx(d_spacing_A(lat, h1), rel=1e-12)
        assert interplanar_angle_deg(lat, g1, g2) == pytest.approx(
            interplanar_angle_deg(lat, h1, h2), abs=1e-6
        )
    # the zone axis of two planes contains both (zone law)
    if np.any(np.cross(h1, h2)):
        z = zone_axis(h1, h2)
        assert in_zone(h1, z) and in_zone(h2, z)
        assert plane_zone_angle_deg(lat, h1, z) == pytest.approx(90.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(h=_hkl, a=_len, c=_len)
def test_hexagonal_conversions_round_trip(h, a, c) -> None:
    assert bravais_to_miller(miller_to_bravais(h)) == h
    four = direction_to_four_index(h)
    assert four[2] == -(four[0] + four[1])
    assert direction_to_three_index(four) == zone_axis_like(h)
    # the four-index direction is the same vector: angle 0 to the original
    lat = Lattice.hexagonal(a, c)
    back = direction_to_three_index(four)
    assert direction_angle_deg(lat, h, back) == pytest.approx(0.0, abs=1e-5)
