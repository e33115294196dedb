"""Shared fixtures."""

from __future__ import annotations

import os

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture
def chromium() -> str:
    """Path of a Chromium binary; the test is skipped only where none is installed.

    Where ``QDCAT_REQUIRE_BROWSER=1`` (CI, which installs Debian's chromium), a missing
    Chromium fails the test instead of skipping it.
    """
    from qdcat.report.browser import find_chromium

    path = find_chromium()
    if path is None:
        reason = (
            "no Chromium found ($QDCAT_CHROMIUM, /usr/bin/chromium, chromium, chromium-browser, "
            "google-chrome); install it with 'apt-get install chromium'"
        )
        if os.environ.get("QDCAT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (QDCAT_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return path
