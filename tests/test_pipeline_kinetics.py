"""The demo's kinetics sections reproduce the numbers the simulation was made with.

The example data are simulated with the seed paper's values (qdcat.examples.generate):
Table S5 GSB lifetimes, the GSB band positions of Fig. 4, the TRPL average lifetime 71.1 ns,
tau_et = 34 ns with benzoquinone (Table S6) and k_q = 2.6e4 s-1 mM-1 with ascorbic acid
(Table S8). The analyses must recover them within their own standard errors.
"""

from __future__ import annotations

import json

import pytest

from qdcat.examples import example_project
from qdcat.examples.generate import TA_PARAMETERS
from qdcat.pipeline import run_project

KINETICS = (
    "ta_traces",
    "ta_esa",
    "ta_bleach",
    "ta_global",
    "trpl",
    "electron_transfer",
    "stern_volmer",
)


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    src = example_project().read_text()
    # only the kinetics analyses (the others have their own tests)
    keep = [line for line in src.split("\n[analyses.")]
    head, tables = keep[0], keep[1:]
    chosen = [t for t in tables if t.split("]")[0] in KINETICS]
    proj_dir = tmp_path_factory.mktemp("kin")
    (proj_dir / "data").symlink_to(example_project().parent / "data")
    (proj_dir / "project.toml").write_text(head + "".join("\n[analyses." + t for t in chosen))
    out = proj_dir / "out"
    summary = run_project(proj_dir / "project.toml", out, executor="serial", progress=False)
    assert summary.ok, summary.failed
    return json.loads((out / "results.json").read_text())


def _q(doc: dict, analysis: str, sample: str, key: str) -> dict:
    return doc["analyses"][analysis]["samples"][sample]["quantities"][key]


@pytest.mark.parametrize("sample", sorted(TA_PARAMETERS))
def test_gsb_lifetimes_table_s5(doc: dict, sample: str) -> None:
    truth = TA_PARAMETERS[sample]["tau_ps"]  # Table S5 (tau2 assumed within 121-196 ps)
    for i, tau in enumerate(truth, start=1):
        q = _q(doc, "ta_traces", sample, f"tau{i}_ps")
        assert abs(q["value"] - tau) <= 3 * q["stderr"], (sample, i, q, tau)
    probe = _q(doc, "ta_traces", sample, "probe_wavelength_nm")["value"]
    # the strongest bleach: 530 (2/12), 540 (4/12), 600 (8/12) nm, within one 3-nm channel
    assert abs(probe - TA_PARAMETERS[sample]["gsb_nm"][0]) <= 4.5, probe


@pytest.mark.parametrize("sample", ["2/12ZCIS", "4/12ZCIS"])
def test_esa_average_lifetime_fig_4j(doc: dict, sample: str) -> None:
    # The simulated ESA band decays with the GSB lifetimes weighted by esa_share; its
    # amplitude-weighted average is sum(share_i tau_i) / sum(share_i):
    # 2/12: 0.72 x 10 + 0.28 x 121 = 41.1 ps (the paper's 41 ps); 4/12: tau1 = 34 ps
    # (the paper reports 29 ps; the simulation keeps Table S5's tau1, see generate.py).
    p = TA_PARAMETERS[sample]
    truth = sum(s * t for s, t in zip(p["esa_share"], p["tau_ps"], strict=True)) / sum(
        p["esa_share"]
    )
    q = _q(doc, "ta_esa", sample, "tau_avg_amplitude_ps")
    assert abs(q["value"] - truth) <= 3 * q["stderr"], (sample, q, truth)
    probe = _q(doc, "ta_esa", sample, "probe_wavelength_nm")["value"]
    assert abs(probe - p["esa_nm"]) <= 10.0, probe  # the ESA band maximum, shifted by the GSB
    assert "8/12ZCIS" not in doc["analyses"]["ta_esa"]["samples"]  # restricted in project.toml


@pytest.mark.parametrize("sample", sorted(TA_PARAMETERS))
def test_global_analysis_lifetimes(doc: dict, sample: str) -> None:
    # the whole map, three parallel decays: the simulation's lifetimes within 3 stderr
    q = _q(doc, "ta_global", sample, "lifetimes_ps")
    for value, stderr, tau in zip(
        q["value"], q["stderr"], TA_PARAMETERS[sample]["tau_ps"], strict=True
    ):
        assert abs(value - tau) <= 3 * stderr, (sample, value, stderr, tau)


def test_bleach_verdicts_follow_the_paper(doc: dict) -> None:
    verdicts = {
        s: e["metadata"]["verdict"] for s, e in doc["analyses"]["ta_bleach"]["samples"].items()
    }
    assert verdicts == {
        "2/12ZCIS": "single band",
        "4/12ZCIS": "band-edge + intragap pair",
        "8/12ZCIS": "band-edge + intragap pair",
    }
    for sample in ("4/12ZCIS", "8/12ZCIS"):
        edge, intragap = TA_PARAMETERS[sample]["gsb_nm"]
        assert abs(_q(doc, "ta_bleach", sample, "band_edge_center_nm")["value"] - edge) < 3
        assert abs(_q(doc, "ta_bleach", sample, "intragap_center_nm")["value"] - intragap) < 3


def test_trpl_quenching_tables_s6_s8(doc: dict) -> None:
    tau = _q(doc, "trpl", "2/12ZCIS", "tau_avg_intensity_ns")
    assert abs(tau["value"] - 71.1) <= 3 * tau["stderr"] + 0.05, tau
    et = _q(doc, "electron_transfer", "2/12ZCIS", "electron_transfer_time_ns")
    assert abs(et["value"] - 34.0) <= 3 * et["stderr"], et
    kq = _q(doc, "stern_volmer", "2/12ZCIS", "kq_per_mM_per_s")
    assert abs(kq["value"] - 2.6e4) <= 3 * kq["stderr"], kq
    tau0 = _q(doc, "stern_volmer", "2/12ZCIS", "tau0_ns")
    assert abs(tau0["value"] - 71.1) <= 3 * tau0["stderr"] + 0.05, tau0


def test_kinetics_inputs_are_checksummed(doc: dict) -> None:
    roles = {f["role"] for f in doc["provenance"]["inputs"]}
    assert {"ta", "trpl", "trpl_irf", "trpl_acceptor", "trpl_series"} <= roles
