"""Quenching: electron-transfer time (eq. 4 of Cai et al. 2023) and Stern-Volmer fits."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from qdcat.core.errors import InputError
from qdcat.core.results import dumps_json
from qdcat.kinetics.quenching import electron_transfer_time, plot_stern_volmer, stern_volmer

# Cai et al., ACS Catal. 2023, 2/12ZCIS: <tau> 71.1 ns without ascorbic acid, 30.9 ns with 400 mM
TAU0, TAU_AA, C_AA = 71.1, 30.9, 400.0
KQ_PAPER = 2.6e4  # s-1 mM-1, fitted to the whole AA series (Table S8 / Fig. S13c)


# ----------------------------------------------------------------------------------------------
# electron transfer time


def test_paper_electron_transfer_time_34_ns() -> None:
    # Truth by hand: tau = 1/(1/71.1 + 1/34) = 1/(0.0140647 + 0.0294118) = 23.0010 ns, and
    # 1/tau_et = 1/23.0010 - 1/71.1 = 0.0294118 ns-1 -> 34 ns.
    tau_with = 1.0 / (1.0 / 71.1 + 1.0 / 34.0)
    assert tau_with == pytest.approx(23.0, abs=0.01)
    f = electron_transfer_time(TAU0, tau_with).flat()
    assert f["electron_transfer_time_ns"] == pytest.approx(34.0, rel=1e-12)
    assert f["electron_transfer_time_stderr_ns"] is None  # no lifetime errors given
    assert f["electron_transfer_rate_per_s"] == pytest.approx(1e9 / 34.0, rel=1e-12)
    # efficiency 1 - 23.001/71.1 = 0.67650
    assert f["transfer_efficiency"] == pytest.approx(1 - tau_with / 71.1, rel=1e-12)
    # with the rounded 23.0 ns of the paper: 1/(1/23 - 1/71.1) = 33.998 ns
    assert electron_transfer_time(71.1, 23.0).flat()["electron_transfer_time_ns"] == (
        pytest.approx(33.998, abs=1e-3)
    )


def test_electron_transfer_error_propagation_against_monte_carlo() -> None:
    # Truth: the spread of tau_et over 200,000 normal draws of both lifetimes (errors small, so
    # linear propagation holds to ~1 %).
    f = electron_transfer_time(71.1, 23.0, stderr_without_ns=0.6, stderr_with_ns=0.2).flat()
    rng = np.random.default_rng(0)
    t0 = rng.normal(71.1, 0.6, 200_000)
    tq = rng.normal(23.0, 0.2, 200_000)
    mc = 1.0 / (1.0 / tq - 1.0 / t0)
    assert f["electron_transfer_time_stderr_ns"] == pytest.approx(mc.std(), rel=0.02)
    assert f["electron_transfer_rate_stderr_per_s"] == pytest.approx((1e9 / mc).std(), rel=0.02)
    # one error alone: the other lifetime counts as exact
    only = electron_transfer_time(71.1, 23.0, stderr_with_ns=0.2).flat()
    tet = 1 / (1 / 23.0 - 1 / 71.1)
    assert only["electron_transfer_time_stderr_ns"] == pytest.approx(tet**2 / 23.0**2 * 0.2)


@pytest.mark.parametrize(
    ("without", "with_", "message"),
    [
        (30.9, 71.1, "no quenching"),
        (71.1, 71.1, "no quenching"),
        (71.1, -5.0, "must be a finite lifetime > 0"),
        (float("nan"), 23.0, "must be a finite lifetime > 0"),
        ("abc", 23.0, "not a number"),
    ],
)
def test_electron_transfer_bad_input(without, with_, message) -> None:
    with pytest.raises(InputError, match=message):
        electron_transfer_time(without, with_)


def test_negative_stderr_is_rejected() -> None:
    with pytest.raises(InputError, match="standard error"):
        electron_transfer_time(71.1, 23.0, stderr_with_ns=-1.0)


# ----------------------------------------------------------------------------------------------
# Stern-Volmer


def test_paper_single_point_kq_by_hand() -> None:
    # Truth by hand: (1/30.9 - 1/71.1) / 400 = (0.0323625 - 0.0140647) / 400
    #              = 4.5744e-5 ns-1 mM-1 = 4.57e4 s-1 mM-1, not the fitted 2.6e4.
    r = stern_volmer(pd.DataFrame({"concentration_mM": [0.0, C_AA], "tau_ns": [TAU0, TAU_AA]}))
    f = r.flat()
    assert f["kq_single_point_per_mM_per_s"] == pytest.approx(4.5744e4, rel=1e-4)
    # two points: the line through them has the same slope, and no standard error
    assert f["kq_per_mM_per_s"] == pytest.approx(4.5744e4, rel=1e-4)
    assert f["kq_stderr_per_mM_per_s"] is None
    assert f["tau0_ns"] == pytest.approx(71.1)


def _aa_series(kq=KQ_PAPER, rel_err=0.01, seed=1):
    # 1/tau = 1/tau0 + kq [AA]; kq in ns-1 mM-1 = kq / 1e9; unsorted on purpose
    c = np.array([300.0, 0.0, 50.0, 400.0, 100.0, 200.0, 25.0])
    tau = 1.0 / (1.0 / TAU0 + kq * 1e-9 * c)
    err = rel_err * tau
    noisy = tau + np.random.default_rng(seed).normal(0.0, err)
    return pd.DataFrame({"concentration_mM": c, "tau_ns": noisy, "tau_stderr_ns": err}), tau


def test_simulated_aa_series_recovers_kq() -> None:
    frame, _ = _aa_series()
    r = stern_volmer(frame)
    f = r.flat()
    kq, err = f["kq_per_mM_per_s"], f["kq_stderr_per_mM_per_s"]
    assert abs(kq - KQ_PAPER) < 3 * err
    assert 0.005 * KQ_PAPER < err < 0.1 * KQ_PAPER
    assert abs(f["tau0_ns"] - TAU0) < 3 * f["tau0_stderr_ns"]
    assert f["r_squared"] > 0.99
    # K_D = kq tau0 = 2.6e4 * 71.1e-9 = 1.849e-3 mM-1
    assert f["kd_per_mM"] == pytest.approx(2.6e4 * 71.1e-9, rel=0.05)
    assert r.curves["concentration_mM"].tolist() == sorted(frame["concentration_mM"])
    dumps_json(r.to_dict(include_curves=True))


def test_kq_stderr_is_calibrated() -> None:
    # Truth: the scatter of k_q over 400 simulated series is the reported stderr (+-10 %), and
    # about 95 % of the intervals kq +- 2 stderr hold the truth. Measured over 4000 series:
    # 96.3 % within 2 stderr, 72.5 % within 1 -- slightly conservative, as documented (the
    # covariance is enlarged by chi2_reduced when that exceeds 1, never shrunk); here 97.5 %.
    fits = [stern_volmer(_aa_series(seed=s)[0]).flat() for s in range(400)]
    kq = np.array([f["kq_per_mM_per_s"] for f in fits])
    err = np.array([f["kq_stderr_per_mM_per_s"] for f in fits])
    assert np.median(err) == pytest.approx(kq.std(ddof=1), rel=0.1)
    inside = np.mean(np.abs(kq - KQ_PAPER) < 2 * err)
    assert 0.93 < inside < 0.99


def test_single_point_differs_from_the_fit_and_says_so() -> None:
    # the AA series on the fitted line, except the paper's 30.9 ns at 400 mM
    frame, tau = _aa_series(rel_err=0.01)
    frame["tau_ns"] = tau
    frame.loc[frame["concentration_mM"] == 400.0, "tau_ns"] = TAU_AA
    frame.loc[frame["concentration_mM"] == 0.0, "tau_ns"] = TAU0
    r = stern_volmer(frame)
    f = r.flat()
    assert f["kq_single_point_per_mM_per_s"] == pytest.approx(4.5744e4, rel=1e-4)
    assert abs(f["kq_single_point_per_mM_per_s"] - f["kq_per_mM_per_s"]) > (
        2 * f["kq_stderr_per_mM_per_s"]
    )
    assert any("single-point" in w and "differs" in w for w in r.warnings)
    # on the line itself: no warning
    clean, tau = _aa_series()
    clean["tau_ns"] = tau
    assert not any("single-point" in w for w in stern_volmer(clean).warnings)


def test_unweighted_fit_without_stderr_column() -> None:
    frame = _aa_series()[0].drop(columns="tau_stderr_ns")
    f = stern_volmer(frame).flat()
    assert f["weighting"] == "unweighted"
    assert f["kq_stderr_per_mM_per_s"] > 0
    assert f["kq_single_point_stderr_per_mM_per_s"] is None


def test_intensity_stern_volmer() -> None:
    frame, tau = _aa_series()
    frame["tau_ns"] = tau
    # purely dynamic quenching: I0/I = tau0/tau -> K_SV = K_D = kq tau0 = 1.8486e-3 mM-1
    frame["intensity"] = 1000.0 * tau / TAU0
    r = stern_volmer(frame)
    assert r.flat()["ksv_per_mM"] == pytest.approx(KQ_PAPER * 1e-9 * TAU0, rel=1e-9)
    assert not any("static" in w for w in r.warnings)
    # add static quenching (a dark complex, K_S = 2e-3 mM-1): I0/I = (1 + K_D c)(1 + K_S c)
    c = frame["concentration_mM"].to_numpy()
    frame["intensity"] = 1000.0 * tau / TAU0 / (1 + 2e-3 * c)
    r = stern_volmer(frame)
    assert r.flat()["ksv_per_mM"] > 2 * KQ_PAPER * 1e-9 * TAU0
    assert any("static" in w for w in r.warnings)
    fig = plot_stern_volmer(r)
    assert len(fig.axes) == 2
    fig.savefig(io.BytesIO(), format="png")


def test_figure_without_intensities() -> None:
    fig = plot_stern_volmer(stern_volmer(_aa_series()[0]))
    assert len(fig.axes) == 1
    fig.savefig(io.BytesIO(), format="png")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"concentration_mM": [-10.0, 0.0, 100.0]}, "negative concentration"),
        ({"tau_ns": [70.0, 0.0, 40.0]}, "lifetimes must be > 0"),
        ({"tau_ns": [70.0, math.nan, 40.0]}, "non-finite"),
        ({"tau_stderr_ns": [1.0, 0.0, 1.0]}, "standard errors must be > 0"),
        ({"concentration_mM": [100.0, 100.0, 100.0]}, "two different concentrations"),
        ({"intensity": [1.0, 2.0, 3.0], "concentration_mM": [10.0, 50.0, 100.0]}, "I0"),
        ({"tau_ns": ["a", "b", "c"]}, "non-numeric"),
    ],
)
def test_stern_volmer_bad_input(change, message) -> None:
    frame = pd.DataFrame(
        {
            "concentration_mM": [0.0, 50.0, 100.0],
            "tau_ns": [70.0, 50.0, 40.0],
            "tau_stderr_ns": [1.0, 1.0, 1.0],
        }
    )
    for k, v in change.items():
        frame[k] = v
    with pytest.raises(InputError, match=message):
        stern_volmer(frame)


def test_missing_columns_and_not_a_frame() -> None:
    with pytest.raises(InputError, match="missing columns"):
        stern_volmer(pd.DataFrame({"concentration_mM": [0, 1]}))
    with pytest.raises(InputError, match="not a DataFrame"):
        stern_volmer({"concentration_mM": [0, 1], "tau_ns": [2, 1]})  # type: ignore[arg-type]
