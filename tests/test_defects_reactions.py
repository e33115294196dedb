"""Defect reactions: site / mass / charge balance; the paper's eq. 1 and eq. 2; the CLI."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qdcat.cli import main
from qdcat.core.errors import InputError
from qdcat.defects.reactions import check_reaction, compound_site_ratio, parse_reaction

EQ1 = "Cu_Cu + In_In -> Cu_In'' + In_Cu**"  # seed paper eq. (1)
EQ2 = "null + Cu_Cu -> V_Cu' + Cu_Cu*"  # seed paper eq. (2)


def test_eq1_is_balanced() -> None:
    # sites: Cu 1 + In 1 on both sides; mass: Cu 1, In 1 on both sides; charge 0 = -2 + 2
    r = check_reaction(EQ1)
    assert r.balanced and r.failing == () and r.failures == ()


def test_eq2_conserves_mass_and_charge_but_not_the_site_ratio() -> None:
    # left: one Cu site (Cu_Cu); right: two Cu sites (V_Cu', Cu_Cu*), no In or S site created:
    # site change Cu +1, In 0, S 0 is not a multiple of Cu:In:S = 1:1:2 -> the right side would
    # need In +1 and S +2 sites. Mass: Cu 1 = 1. Charge: 0 = -1 + 1.
    r = check_reaction(EQ2)
    assert not r.balanced
    assert r.failing == ("site",)
    assert r.mass_balanced and r.charge_balanced
    assert r.site_change == {"Cu": 1, "In": 0, "S": 0}
    assert r.site_missing == {"In": 1, "S": 2}
    assert "site balance fails" in r.failures[0] and "In +1, S +2" in r.failures[0]


def test_eq2_balances_under_the_surface_site_rule() -> None:
    # at a surface (or in off-stoichiometric growth) a Cu site may appear alone: only mass
    # (Cu 1 = 1) and charge (0 = -1 + 1) are required; the site change Cu +1 becomes a note
    r = check_reaction(EQ2, sites="surface")
    assert r.balanced and r.failing == () and r.failures == ()
    assert r.site_balanced and not r.site_ratio_kept and r.balanced_at_surface
    assert r.site_missing == {"In": 1, "S": 2}
    assert len(r.notes) == 1 and "Cu +1" in r.notes[0]
    # eq. 1 keeps the ratio, so it balances under both rules, with no note
    assert check_reaction(EQ1, sites="surface").balanced
    assert check_reaction(EQ1, sites="surface").notes == ()
    # the surface rule relaxes sites only: a lost Cu atom or an uncompensated vacancy still fail
    assert check_reaction("Cu_Cu -> V_Cu' + h*", sites="surface").failing == ("mass",)
    assert check_reaction("Cu_Cu -> V_Cu' + Cu(g)", sites="surface").failing == ("charge",)
    with pytest.raises(InputError, match="site rule"):
        check_reaction(EQ2, sites="edge")


def test_balanced_forms_of_the_vacancy_chemistry() -> None:
    # one Cu atom leaves to the surface and the hole sits on the neighbouring Cu
    assert check_reaction("2 Cu_Cu -> V_Cu' + Cu_Cu* + Cu(surf)").balanced
    # Schottky defect of CuInS2: sites created in the ratio 1:1:2
    assert check_reaction("null -> V_Cu' + V_In''' + 2 V_S**").balanced
    # Frenkel pair
    assert check_reaction("Cu_Cu -> Cu_i* + V_Cu'").balanced
    # the Cu atom leaves as a neutral atom, leaving a vacancy and a free hole
    assert check_reaction("Cu_Cu -> V_Cu' + h* + Cu(g)").balanced


def test_unbalanced_reactions_report_what_fails_and_by_how_much() -> None:
    r = check_reaction("Cu_Cu -> V_Cu' + h*")  # the Cu atom has gone nowhere
    assert r.failing == ("mass",)
    assert r.mass_change == {"Cu": Fraction(-1)}
    r = check_reaction("Cu_Cu -> V_Cu' + Cu(g)")  # the vacancy's charge is not compensated
    assert r.failing == ("charge",)
    assert r.charge_change == -1
    assert "right - left -1 e" in r.failures[0]
    r = check_reaction("2 Cu_Cu + In_In -> 2 V_Cu' + In_Cu** + Cu")
    assert set(r.failing) == {"site", "mass"}
    assert r.site_change == {"Cu": 1, "In": -1, "S": 0}


def test_compound_ratio_and_other_hosts() -> None:
    assert compound_site_ratio("CuInS2") == {"Cu": 1, "In": 1, "S": 2}
    assert check_reaction("null -> V_Zn'' + V_S**", "ZnS").balanced
    with pytest.raises(InputError):  # Zn is no sublattice of CuInS2
        check_reaction("null -> V_Zn'' + V_S**", "CuInS2")


def test_parse_coefficients_and_arrows() -> None:
    rx = parse_reaction("2V_Cu' + In_Cu** \u2192 1/2 S2(g) + null")
    assert [str(t) for t in rx.left] == ["2 V_Cu'", "In_Cu**"]
    assert str(rx.right[0]) == "1/2 S2(g)"
    assert len(rx.right) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Cu_Cu + In_In",  # no arrow
        "Cu_Cu -> -> V_Cu'",  # two arrows
        "-> V_Cu'",  # empty side
        "Cu_Cu + -> V_Cu'",  # empty term
        "Cu_Cu -> V_Cu' + $$",  # not a species
        "Zn_Zn -> Zn_Zn",  # Zn is not a sublattice of CuInS2
        "Cu_Qq -> V_Cu'",
    ],
)
def test_malformed_reactions(text: str) -> None:
    with pytest.raises(InputError):
        check_reaction(text)


def test_cli_kv_check(tmp_path: Path, capsys) -> None:
    out = tmp_path / "kv.json"
    assert main(["kv", "check", EQ2, "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["balanced"] is False and d["failing"] == ["site"]
    assert d["site_missing"] == {"In": 1, "S": 2}
    assert d["balanced_at_surface"] is True and d["site_rule"] == "bulk"
    assert "--sites surface" in capsys.readouterr().out
    assert main(["kv", "check", EQ2, "--sites", "surface", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["balanced"] is True and d["site_ratio_kept"] is False and len(d["notes"]) == 1
    assert main(["kv", "check", EQ1, "--json", str(out)]) == 0
    assert json.loads(out.read_text())["balanced"] is True
    capsys.readouterr()
    assert main(["kv", "check", "Cu_Cu -> V_Qq'"]) == 2
    err = capsys.readouterr().err
    assert "V_Qq'" in err and err.count("\n") == 1


def test_cli_kv_parse_and_population(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    assert main(["kv", "parse", "Cu_In''", "--json", str(out)]) == 0
    assert json.loads(out.read_text())["charge_e"] == -2
    assert (
        main(["kv", "population", "--cu-in", "0.26", "--zn-fraction", "0.2857", "--json", str(out)])
        == 0
    )
    d = json.loads(out.read_text())
    assert d["defect_type"] == "C"
    assert main(["kv", "parse", "Cu_In'*"]) == 2


TERMS = ["Cu_Cu", "In_In", "S_S", "V_Cu'", "V_In'''", "V_S**", "Cu_In''", "In_Cu**", "Zn_Cu*"]
TERMS += ["Cu_Cu*", "Cu_i*", "h*", "e'", "Cu(g)", "S2(g)", "In(surf)"]


@given(
    st.lists(st.sampled_from(TERMS), min_size=1, max_size=4),
    st.lists(st.sampled_from(TERMS), min_size=1, max_size=4),
)
def test_site_rules_are_nested(left: list[str], right: list[str]) -> None:
    # invariant: the surface rule drops exactly the site condition, so
    # surface-balanced == mass and charge balanced, and bulk-balanced implies surface-balanced
    text = " + ".join(left) + " -> " + " + ".join(right)
    bulk, surface = check_reaction(text), check_reaction(text, sites="surface")
    assert surface.balanced == (bulk.mass_balanced and bulk.charge_balanced)
    assert surface.balanced == bulk.balanced_at_surface
    assert (not bulk.balanced) or surface.balanced
    assert bulk.site_change == surface.site_change
    assert bool(surface.notes) == (not bulk.site_ratio_kept)
