"""Kroger-Vink notation: parsing, formatting, round trips, malformed symbols."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qdcat.core.errors import InputError
from qdcat.defects.kroger_vink import Defect, format_defect, parse_defect


@pytest.mark.parametrize(
    ("text", "species", "site", "charge", "kind"),
    [
        ("V_Cu'", "V", "Cu", -1, "vacancy"),
        ("V_Cu\u2032", "V", "Cu", -1, "vacancy"),
        ("Cu_In''", "Cu", "In", -2, "antisite"),
        ("Cu_In\u2033", "Cu", "In", -2, "antisite"),
        ("In_Cu**", "In", "Cu", 2, "antisite"),
        ("In_Cu\u2022\u2022", "In", "Cu", 2, "antisite"),
        ("Cu_Cu*", "Cu", "Cu", 1, "regular"),  # Cu2+ on a Cu+ site
        ("Cu_Cu", "Cu", "Cu", 0, "regular"),
        ("Cu_Cux", "Cu", "Cu", 0, "regular"),
        ("Cu_Cu\u00d7", "Cu", "Cu", 0, "regular"),
        ("Zn_Cu*", "Zn", "Cu", 1, "substitution"),
        ("Zn_In'", "Zn", "In", -1, "substitution"),
        ("Cu_i*", "Cu", "i", 1, "interstitial"),
        ("V_S**", "V", "S", 2, "vacancy"),
        ("Va_S**", "V", "S", 2, "vacancy"),
        ("V_In'''", "V", "In", -3, "vacancy"),
        ("V_In\u2034", "V", "In", -3, "vacancy"),
        ("e'", "e", "", -1, "electron"),
        ("h*", "h", "", 1, "hole"),
        ("h\u2022", "h", "", 1, "hole"),
    ],
)
def test_parse_known_symbols(text: str, species: str, site: str, charge: int, kind: str) -> None:
    d = parse_defect(text)
    assert (d.species, d.site, d.charge, d.kind) == (species, site, charge, kind)


def test_format_both_styles() -> None:
    assert format_defect(parse_defect("Cu_In''"), "unicode") == "Cu_In\u2033"
    assert format_defect(parse_defect("In_Cu**"), "unicode") == "In_Cu\u2022\u2022"
    assert format_defect(parse_defect("V_Cu'")) == "V_Cu'"
    assert format_defect(parse_defect("Cu_Cu")) == "Cu_Cu"
    assert format_defect(parse_defect("Cu_Cu"), neutral_mark=True) == "Cu_Cux"
    assert format_defect(parse_defect("e'"), "unicode") == "e\u2032"


_SPECIES = st.sampled_from(["Cu", "In", "S", "Zn", "Ga", "V", "O", "Na"])
_SITES = st.sampled_from(["Cu", "In", "S", "Zn", "i"])


@st.composite
def defects(draw) -> Defect:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.sampled_from([Defect("e", "", -1), Defect("h", "", 1)]))
    species = draw(_SPECIES)
    site = draw(_SITES)
    if species == "V" and site == "i":
        site = "Cu"
    return Defect(species, site, draw(st.integers(min_value=-6, max_value=6)))


@settings(max_examples=200, deadline=None)
@given(defects(), st.sampled_from(["ascii", "unicode"]), st.booleans())
def test_round_trip(defect: Defect, style: str, neutral_mark: bool) -> None:
    text = format_defect(defect, style, neutral_mark=neutral_mark)
    assert parse_defect(text) == defect
    # and the canonical text is a fixed point
    assert format_defect(parse_defect(text), style, neutral_mark=neutral_mark) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "VCu'",  # no subscript marker
        "Qq_Cu'",  # unknown element
        "Cu_Xx",  # unknown site
        "V_i",  # vacancy on an interstitial site
        "Cu_In'*",  # mixed marks
        "Cu_In?",  # unknown mark
        "Cu_Inxx",  # two neutral marks
        "e*",  # electron with a positive charge
        "h'",
        "cu_In",
    ],
)
def test_malformed_notation(text: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_defect(text, field="defect")
    assert exc.value.field == "defect"


def test_unknown_style() -> None:
    with pytest.raises(InputError):
        format_defect(parse_defect("V_Cu'"), "latex")
