"""Check qdcat's TCSPC readers against a real Becker & Hickl file and its SPCM ASCII export.

The file (``temporal.sdt`` and ``temporal.sdt.kin``, from glotaran/pyglotaran,
``glotaran/builtin/io/sdt/test/data_files/``, commit 2dfe53a2) is LGPL-3.0, so it is not copied
into this MIT repository; this script looks for it in ``../shared/validation/tcspc/`` relative
to the repository (or in the folder given as the first argument).

Checks:

* ``read_sdt``: one decay of 4096 channels starting at 0 and ending below 3.34 ns, peak 5645
  counts, channel width equal to the file's own ``SP_TAC_TC`` setup value.
* The ``.kin`` export: same counts in every channel (via ``read_decay``, which also rebuilds
  the export's 3-decimal time axis), and the export's times are exactly the TAC window
  ``tac_r / tac_g`` spread over 4096 points and rounded to 3 decimals.
* The two time axes differ by less than two channels: SPCM's export spreads the 4096 points
  over the whole window (step window/4095), the .sdt channel width is window/4096.
* If the ``sdtfile`` package is installed: identical counts and times.

Exit status: 0 all checks pass, 1 a check fails, 2 the data are not found.

Usage: ``python scripts/validate_tcspc.py [FOLDER]``
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

from qdcat.io import read_decay, read_frame, read_sdt

REPO = Path(__file__).resolve().parent.parent
DEFAULT = REPO.parent / "shared" / "validation" / "tcspc"


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT
    sdt_path, kin_path = folder / "temporal.sdt", folder / "temporal.sdt.kin"
    if not sdt_path.is_file() or not kin_path.is_file():
        print(f"SKIP: {sdt_path} or {kin_path} not found")
        return 2
    failures = 0

    def check(ok: bool, text: str) -> None:
        nonlocal failures
        print(("PASS " if ok else "FAIL ") + text)
        failures += not ok

    decay = read_sdt(sdt_path)
    t, y = decay["time_ns"].values, decay.values
    width = decay.attrs["channel_width_ns"]
    print(
        f"read_sdt: {decay.attrs['title']!r}, {decay.attrs['module']}, measured "
        f"{decay.attrs['measured']}, collection time {decay.attrs['collection_time_s']} s"
    )
    check(t.size == 4096, f"4096 channels (found {t.size})")
    check(t[0] == 0.0 and t[-1] < 3.34, f"time axis 0 .. {t[-1]:.4f} ns (< 3.34 ns)")
    window = width * t.size
    check(abs(window - 3.336) < 0.0005, f"TAC window {window:.5f} ns (3.34 ns to 3 digits)")
    check(y.max() == 5645, f"peak {y.max():.0f} counts at {t[int(np.argmax(y))]:.4f} ns")
    match = re.search(rb"SP_TAC_TC,F,([-+0-9.eE]+)", sdt_path.read_bytes())
    if match:
        tc_ns = float(match.group(1)) * 1e9
        check(
            abs(width - tc_ns) <= 1e-7 * tc_ns,
            f"channel width {width * 1e3:.6f} ps = setup SP_TAC_TC {tc_ns * 1e3:.6f} ps",
        )
    else:
        check(False, "setup block has an SP_TAC_TC entry")

    raw = read_frame(kin_path)
    t_kin = raw.iloc[:, 0].to_numpy()
    kin = read_decay(kin_path)
    check(kin.size == t.size, f".kin has {kin.size} rows")
    check(
        bool(np.array_equal(kin.values, y)),
        f"counts identical in all {t.size} channels (total {y.sum():.0f})",
    )
    export_grid = np.linspace(0.0, window, t.size)
    dev = float(np.max(np.abs(np.round(export_grid, 3) - t_kin)))
    check(dev < 1e-9, ".kin times = round(linspace(0, tac_r/tac_g, 4096), 3) exactly")
    rebuilt = float(np.max(np.abs(kin["time_ns"].values - export_grid)))
    check(
        kin.attrs.get("time_axis_rebuilt") == 1 and rebuilt < 1e-4,
        f"read_decay rebuilt the export grid from its rounded times (max error {rebuilt:.1e} ns)",
    )
    diff = float(np.max(np.abs(t_kin - t)))
    check(
        diff < 2 * width,
        f".sdt and .kin time axes differ by at most {diff * 1e3:.3f} ps "
        f"(< 2 channels of {width * 1e3:.4f} ps)",
    )

    try:
        import sdtfile
    except ImportError:
        print("SKIP sdtfile cross-check: sdtfile not installed")
    else:
        ref = sdtfile.SdtFile(sdt_path)
        # sdtfile computes the channel width in float32 (tac_r is stored as float32)
        same = np.array_equal(ref.data[0].reshape(-1), y) and np.allclose(
            ref.times[0] * 1e9, t, rtol=1e-6, atol=0
        )
        check(
            bool(same),
            f"agrees with sdtfile {sdtfile.__version__}: identical counts, times within 1e-6",
        )

    print(f"{'all checks passed' if not failures else f'{failures} check(s) failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
