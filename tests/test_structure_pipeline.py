"""Pipeline analysis ``structure`` and the example dot files of the four samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdcat.core.errors import ConfigError
from qdcat.defects.population import ZCIS_SAMPLES
from qdcat.examples.generate_structure import generate_structure
from qdcat.pipeline.registry import get_analysis


def test_example_files_and_types(tmp_path: Path) -> None:
    paths = generate_structure(tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{s}_dot.toml" for s in ZCIS_SAMPLES)
    analysis = get_analysis("structure")
    options = analysis.options()
    for slug, (name, cu_in, _zn, paper_type) in ZCIS_SAMPLES.items():
        params = analysis.load(tmp_path / f"{slug}_dot.toml")
        sample = {"name": name, "cu_in_ratio": cu_in, "defect_type": paper_type}
        result = analysis.analyse(params, sample, options)
        # the model reproduces the paper's type for every sample (Fig. 1a)
        assert result.metadata["defect_type"] == paper_type, name
        assert result.warnings == ()
        q = result.quantities
        assert abs(q["n_cu"].value - cu_in * q["n_in"].value) <= 1
        assert 0.6 < q["surface_cu_fraction"].value < 0.9  # paper: ~0.80
    fig = analysis.plot(result, sample)
    assert fig.axes


def test_option_overrides_and_type_mismatch_warning(tmp_path: Path) -> None:
    (path,) = [p for p in generate_structure(tmp_path) if p.name.startswith("2-12")]
    analysis = get_analysis("structure")
    params = analysis.load(path)
    opts = analysis.options(hole_fraction=0.0)
    result = analysis.analyse(params, {"name": "2/12ZCIS", "defect_type": "C"}, opts)
    # without hole compensation there is no Cu2+: type B, and the analysis says it differs
    assert result.quantities["cu2_fraction"].value == 0
    assert result.metadata["defect_type"] == "B"
    assert "differs" in result.warnings[0]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('shape = "pyramid"\nlayerz = 6\n', "layerz"),
        ('shape = "pyramid"\nlayers = "six"\n', "layers"),
        ("layers = true\n", "layers"),
    ],
)
def test_bad_dot_files(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad_dot.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as exc:
        get_analysis("structure").load(path)
    assert exc.value.key_path == key
    assert "bad_dot.toml" in str(exc.value)


def test_not_toml(tmp_path: Path) -> None:
    path = tmp_path / "x_dot.toml"
    path.write_text("shape = \n")
    with pytest.raises(ConfigError, match=r"x_dot\.toml"):
        get_analysis("structure").load(path)
