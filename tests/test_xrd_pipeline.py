"""Pipeline analyses ``xrd`` and ``fringe_index`` and the example-data generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdcat.core.errors import ConfigError
from qdcat.pipeline.registry import get_analysis


@pytest.fixture(scope="module")
def example_dir(tmp_path_factory) -> Path:
    from qdcat.examples.generate_xrd import generate_xrd

    out = tmp_path_factory.mktemp("xrd_example")
    written = generate_xrd(out)
    assert sorted(p.name for p in written) == [
        "1-12ZCIS_xrd.csv",
        "2-12ZCIS_fringes.toml",
        "2-12ZCIS_xrd.csv",
        "4-12ZCIS_xrd.csv",
        "8-12ZCIS_xrd.csv",
    ]
    return out


def test_generator_is_reproducible(example_dir: Path, tmp_path: Path) -> None:
    from qdcat.examples.generate_xrd import generate_xrd

    again = generate_xrd(tmp_path)
    for p in again:
        assert p.read_bytes() == (example_dir / p.name).read_bytes()


def test_xrd_analysis_on_the_series(example_dir: Path) -> None:
    from qdcat.defects.population import ZCIS_SAMPLES

    a = get_analysis("xrd")
    opts = a.options(fit_range_deg=(20.0, 65.0))
    results, samples = {}, []
    for slug, (name, _cu_in, zn, _t) in ZCIS_SAMPLES.items():
        sample = {"name": name, "zn_fraction": zn}
        res = a.analyse(a.load(example_dir / f"{slug}_xrd.csv"), sample, opts)
        assert res.converged
        q = res.quantities
        assert res.metadata["peak_labels"][0] == "(112)"
        # d112 of the Vegard lattice (0.3179-0.3170 nm for x = 0.20-0.31) plus the finite-size
        # pull of a 10-layer pyramid (~0.0006 nm): within 0.0015 nm
        from qdcat.xrd import d112_from_zn_fraction_A

        assert float(q["d112_nm"].value) == pytest.approx(
            d112_from_zn_fraction_A(zn) / 10, abs=0.0015
        )
        # the Vegard estimate is biased low by the finite size, never high
        assert float(q["zn_fraction_difference"].value) < 0.0
        results[name] = res
        samples.append(sample)
        a.plot(res, sample)
    # more Zn in the Cu-poorer samples -> (112) moves to higher angle across the series
    pos = [float(results[s["name"]].quantities["two_theta_112_deg"].value) for s in samples]
    assert pos[-1] > pos[0]
    fig = a.compare(results, samples, opts)
    assert "higher angle" in fig.get_suptitle()


def test_fringe_analysis(example_dir: Path) -> None:
    a = get_analysis("fringe_index")
    data = a.load(example_dir / "2-12ZCIS_fringes.toml")
    res = a.analyse(data, {"name": "2/12ZCIS"}, a.options())
    q = res.quantities
    assert float(q["zone_law_112"].value) == 10 and float(q["zone_law_220"].value) == 4
    # d220 = 0.201 nm is larger than both end members (0.1952 and 0.1913 nm)
    assert float(q["d220_misfit_CuInS2_pct"].value) == pytest.approx(2.99, abs=0.01)
    assert float(q["d220_misfit_ZnS_pct"].value) == pytest.approx(5.09, abs=0.01)
    assert float(q["angle_Vegard_deg"].value) == pytest.approx(35.0, abs=0.5)
    assert res.metadata["pair_zone"] == "[1-10]" and res.metadata["stated_zone"] == "[114]"
    assert "fail" in res.metadata["fringe_verdict"]
    a.plot(res, {"name": "2/12ZCIS"})


def test_fringe_file_errors(tmp_path: Path) -> None:
    from qdcat.pipeline.analyses.xrd import load_fringes

    bad = tmp_path / "f.toml"
    bad.write_text('d_nm = [0.315, 0.201]\nhkl = ["112", "220"]\nangle_deg = 35\ncolour = 1\n')
    with pytest.raises(ConfigError, match="colour") as err:
        load_fringes(bad)
    assert "f.toml" in str(err.value)
    bad.write_text('d_nm = [0.315, 0.201]\nhkl = ["112", "220"]\n')
    with pytest.raises(ConfigError, match="angle_deg"):
        load_fringes(bad)
    bad.write_text('d_nm = [0.315]\nhkl = ["112", "220"]\nangle_deg = 35\n')
    with pytest.raises(ConfigError, match="d_nm"):
        load_fringes(bad)
