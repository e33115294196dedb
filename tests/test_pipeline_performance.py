"""The photocatalysis demo: simulated run files, cycles, outdoor and AQY data through the pipeline.

The data are simulated by qdcat.examples.generate_catalysis with the seed paper's numbers
(Cai et al., ACS Catal. 2023, doi:10.1021/acscatal.3c03884); the analyses must give them back
within their own standard errors (or the stated simulation noise).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from qdcat.examples import example_project
from qdcat.examples.generate_catalysis import (
    AQY_PERCENT,
    DEACTIVATION_PER_H,
    OUTDOOR_UMOL_PER_KWH_M2,
    generate_catalysis,
)
from qdcat.pipeline import run_project

SLUGS = ("8-12", "4-12", "2-12", "1-12")
ANALYSES = """
[analyses.performance]
[analyses.benchmark]
[analyses.controls]
samples = ["2/12ZCIS"]
[analyses.stability]
retention_at_h = 360
[analyses.outdoor]
[analyses.aqy_spectrum]
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("perf")
    # the shipped example data (tests/test_examples.py checks they are what the generators make)
    (root / "data").symlink_to(example_project().parent / "data")
    head = example_project().read_text().split("\n[analyses.")[0]
    for slug in SLUGS:
        assert f'run = "data/{slug}ZCIS_run.toml"' in head
    (root / "project.toml").write_text(head + ANALYSES)
    out = root / "out"
    summary = run_project(root / "project.toml", out, executor="serial", progress=False)
    assert summary.ok, summary.failed
    return root, json.loads((out / "results.json").read_text())


def _q(doc: dict, analysis: str, sample: str, key: str) -> dict:
    return doc["analyses"][analysis]["samples"][sample]["quantities"][key]


def test_generator_is_reproducible_and_labelled(tmp_path: Path) -> None:
    a = generate_catalysis(tmp_path / "a")
    b = generate_catalysis(tmp_path / "b")
    for pa, pb in zip(a, b, strict=True):
        assert pa.read_bytes() == pb.read_bytes(), pa.name
        assert pa.read_text().startswith("# SIMULATED"), pa.name


@pytest.mark.parametrize(
    ("sample", "co"), [("8/12ZCIS", 0.5), ("4/12ZCIS", 3.1), ("2/12ZCIS", 12.2)]
)
def test_performance_gives_back_the_paper_yields(demo, sample: str, co: float) -> None:
    _, doc = demo
    amount = _q(doc, "performance", sample, "CO_amount_umol")
    # two runs with 3 % reading noise: the mean lies within 3 % x 3 / sqrt(2) ~ 6.4 % of the
    # simulated final amount (the simulation reaches `co` exactly without noise)
    assert abs(amount["value"] / co - 1) < 0.065, amount
    # the paper's numbers are stated in the run files and checked at its 5 % uncertainty
    entry = doc["analyses"]["performance"]["samples"][sample]
    assert not any(w.startswith("INCONSISTENT") for w in entry["warnings"]), entry["warnings"]


def test_performance_ton_and_selectivity(demo) -> None:
    _, doc = demo
    ton = _q(doc, "performance", "2/12ZCIS", "CO_ton_per_qd")
    amount = _q(doc, "performance", "2/12ZCIS", "CO_amount_umol")
    # TON = amount / (0.191 mg / 30700 g mol-1) = amount / 6.2215e-3 umol
    assert ton["value"] == pytest.approx(amount["value"] / (0.191e3 / 30700), rel=1e-9)
    assert ton["stderr"] == pytest.approx(amount["stderr"] / (0.191e3 / 30700), rel=1e-9)
    per_cu = _q(doc, "performance", "2/12ZCIS", "CO_ton_per_surface_cu")
    assert per_cu["value"] == pytest.approx(ton["value"] / 24, rel=1e-12)
    # simulated with 92 % CO on the product basis
    sel = _q(doc, "performance", "2/12ZCIS", "selectivity_product_CO")
    assert abs(sel["value"] - 0.92) < 0.01


def test_stability_recovers_the_deactivation(demo) -> None:
    _, doc = demo
    k = _q(doc, "stability", "2/12ZCIS", "deactivation_rate_per_h")
    assert abs(k["value"] - DEACTIVATION_PER_H) < 3 * k["stderr"], (k, DEACTIVATION_PER_H)
    ret = _q(doc, "stability", "2/12ZCIS", "retention_last")
    # cycle 3 / cycle 1 = exp(-240 k) = 0.70 by construction (3 % noise on two runs)
    assert abs(ret["value"] - 0.70) < 0.05
    hl = _q(doc, "stability", "2/12ZCIS", "half_life_h")
    assert hl["value"] == pytest.approx(math.log(2) / k["value"], rel=1e-9)


def test_aqy_and_outdoor(demo) -> None:
    _, doc = demo
    for wl, aqy in AQY_PERCENT.items():
        q = _q(doc, "aqy_spectrum", "2/12ZCIS", f"aqy_{wl:g}nm_pct")
        assert abs(q["value"] / aqy - 1) < 0.07, (wl, q)  # 3 % noise, two runs
    slope = _q(doc, "outdoor", "2/12ZCIS", "yield_per_insolation_umol_m2_kWh")
    assert abs(slope["value"] - OUTDOOR_UMOL_PER_KWH_M2) < 4 * slope["stderr"]
    assert _q(doc, "outdoor", "2/12ZCIS", "n_days")["value"] == 28


def test_controls_and_benchmark(demo) -> None:
    root, doc = demo
    controls = doc["analyses"]["controls"]["samples"]["2/12ZCIS"]
    assert controls["metadata"]["all_passed"] is True
    assert set(doc["analyses"]["controls"]["samples"]) == {"2/12ZCIS"}
    assert (root / "out" / "figures" / "benchmark.png").stat().st_size > 10_000
    assert (root / "out" / "figures" / "performance.png").stat().st_size > 10_000
    rank = _q(doc, "benchmark", "2/12ZCIS", "benchmark_rank")
    assert rank["value"] >= 1
