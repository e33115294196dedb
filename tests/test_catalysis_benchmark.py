"""The curated CO2-to-CO benchmark: provenance on every row, validation, the Fig. 5h plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdcat.catalysis.benchmark import (
    BENCHMARK_COLUMNS,
    load_benchmark,
    plot_benchmark,
    sample_row,
)
from qdcat.catalysis.performance import analyse_run
from qdcat.catalysis.run import parse_run
from qdcat.core.errors import InputError


def test_every_row_has_a_doi_and_a_source() -> None:
    table = load_benchmark()
    assert list(table.columns) == list(BENCHMARK_COLUMNS)
    assert len(table) >= 5
    assert table["doi"].str.match(r"^10\.\d{4,9}/\S+$").all()
    assert (table["source"].str.len() > 20).all()


def test_seed_row_matches_the_paper() -> None:
    # seed paper (text p. 7-8): 532.3 umol g-1 h-1, 92 %, TON 1963, AQY 0.32 % at 400 nm, 120 h
    t = load_benchmark()
    seed = t[t["doi"] == "10.1021/acscatal.3c03884"].iloc[0]
    assert seed["rate_umol_g_h"] == 532.3
    assert seed["selectivity_CO"] == 0.92
    assert seed["ton"] == 1963
    assert seed["aqy_percent"] == 0.32 and seed["aqy_wavelength_nm"] == 400
    assert seed["duration_h"] == 120
    # derived cells follow from the stated ones: 12.2 umol / 120 h, and 12.2 / 0.191e-3 g
    assert seed["rate_umol_h"] == pytest.approx(12.2 / 120, abs=1e-4)
    assert seed["mass_yield_umol_g"] == pytest.approx(12.2 / 0.191e-3, abs=1)
    # Sahm et al. 2021 (abstract): 2.4 mmol g-1 in 10 h -> 240 umol g-1 h-1 on average
    sahm = t[t["doi"] == "10.1039/d1sc01310f"].iloc[0]
    assert sahm["rate_umol_g_h"] == pytest.approx(sahm["mass_yield_umol_g"] / sahm["duration_h"])


def test_bad_benchmark_files(tmp_path: Path) -> None:
    good = (Path(__file__).parents[1] / "src/qdcat/data/co2_to_co_benchmark.csv").read_text()
    lines = good.splitlines()
    bad = tmp_path / "b.csv"
    bad.write_text("\n".join([lines[0], lines[1].replace("10.1021/acscatal.3c03884", "")]))
    with pytest.raises(InputError, match=r"b\.csv:2: doi: every row needs a DOI"):
        load_benchmark(bad)
    bad.write_text("\n".join([lines[0], lines[1].replace(",532.3,", ",fast,")]))
    with pytest.raises(InputError, match="rate_umol_g_h: not a number"):
        load_benchmark(bad)
    bad.write_text("\n".join([lines[0], lines[1].replace(",0.92,", ",92,")]))
    with pytest.raises(InputError, match="selectivity is a fraction"):
        load_benchmark(bad)
    with pytest.raises(InputError, match="not found"):
        load_benchmark(tmp_path / "none.csv")


def test_benchmark_plot_places_a_sample() -> None:
    text = (
        '[sample]\nname = "mine"\ncatalyst_mass_mg = 0.1\n'
        "[[points]]\ntime_h = 10\nCO_umol = 1\n[[points]]\ntime_h = 20\nCO_umol = 2\n"
    )
    r = analyse_run(parse_run(text, path="mine.toml"))
    row = sample_row(r)
    # 2 umol / 20 h / 1e-4 g = 1000 umol g-1 h-1
    assert row["rate_umol_g_h"] == pytest.approx(1000.0)
    fig = plot_benchmark({"mine": r})
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "mine (this work)" in labels
    assert fig.axes[0].get_xscale() == "log"
