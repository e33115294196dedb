"""The headless-browser report check must pass good reports and catch each kind of breakage.

Browser tests skip only where no Chromium is found (``apt-get install chromium``); a missing
``playwright`` package is a failure, not a skip.
"""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path

import pytest

from qdcat.core.errors import MissingDependencyError, QdcatError
from qdcat.report import browser
from qdcat.report.browser import (
    BrowserCheck,
    ChromiumNotFoundError,
    check_html,
    find_chromium,
    screenshot,
)


def _png_data_uri(seed: int) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1.5), dpi=50)
    ax.plot([0, 1, 2], [seed, seed + 1, seed - 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _write_page(tmp_path: Path, name: str, body: str, title: str = "Test report") -> Path:
    page = tmp_path / name
    page.write_text(
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f"<body>\n{body}\n</body></html>\n",
        encoding="utf-8",
    )
    return page


def _good_body() -> str:
    return (
        f'<h1>Report</h1><img alt="Figure 1" src="{_png_data_uri(1)}">\n'
        f'<img alt="Figure 2" src="{_png_data_uri(2)}">'
    )


@pytest.mark.browser
def test_good_page_with_two_pngs_is_ok(tmp_path: Path, chromium: str) -> None:
    page = _write_page(tmp_path, "good.html", _good_body(), title="Good report")
    check = check_html(page)
    assert check.ok, check.problems()
    assert check.n_images == 2
    assert check.n_images_decoded == 2
    assert check.undecoded == []
    assert check.console_errors == [] and check.page_errors == [] and check.failed_requests == []
    assert check.title == "Good report"
    assert check.url == page.resolve().as_uri()
    assert check.problems() == []


@pytest.mark.browser
def test_corrupt_png_is_reported_undecoded(tmp_path: Path, chromium: str) -> None:
    good = _png_data_uri(1)
    corrupt = good[:80] + "AAAAAAAAAAAAAAAAAAAAAAAA"  # truncated: a valid header, no image data
    body = f'<img alt="Figure 1" src="{good}">\n<img alt="Broken figure" src="{corrupt}">'
    check = check_html(_write_page(tmp_path, "corrupt.html", body))
    assert not check.ok
    assert check.n_images == 2
    assert check.n_images_decoded == 1
    assert check.undecoded == ["Broken figure"]
    assert "figure not decoded: Broken figure" in check.problems()


@pytest.mark.browser
def test_corrupt_image_without_alt_is_named_by_src_prefix(tmp_path: Path, chromium: str) -> None:
    body = '<img src="data:image/png;base64,bm90IGEgcG5n">'
    check = check_html(_write_page(tmp_path, "noalt.html", body))
    assert not check.ok
    assert check.undecoded == ["data:image/png;base64,bm90IGEgcG5n"]


@pytest.mark.browser
def test_console_error_is_reported(tmp_path: Path, chromium: str) -> None:
    body = _good_body() + "\n<script>console.error('boom');</script>"
    check = check_html(_write_page(tmp_path, "console.html", body))
    assert not check.ok
    assert check.console_errors == ["boom"]
    assert check.page_errors == []
    assert check.n_images_decoded == 2


@pytest.mark.browser
def test_uncaught_exception_is_reported(tmp_path: Path, chromium: str) -> None:
    body = _good_body() + "\n<script>undefinedFunctionInReport();</script>"
    check = check_html(_write_page(tmp_path, "exception.html", body))
    assert not check.ok
    assert len(check.page_errors) == 1
    assert "undefinedFunctionInReport" in check.page_errors[0]
    assert check.page_errors[0].startswith("ReferenceError")


@pytest.mark.browser
def test_svg_figures_and_network_blocking(tmp_path: Path, chromium: str) -> None:
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
        b'<rect width="40" height="30" fill="teal"/></svg>'
    )
    svg_uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    body = (
        f'<img alt="SVG figure" src="{svg_uri}">\n'
        '<svg aria-label="Inline figure" width="50" height="20"><circle r="5" cx="9" cy="9"/>'
        "<svg><rect width='1' height='1'/></svg></svg>\n"  # nested svg: not counted
        '<svg aria-label="Empty inline figure" width="0" height="0"></svg>\n'
        '<details><svg width="0" height="0"></svg></details>\n'  # not visible: not counted
        '<img alt="Remote figure" src="https://example.invalid/figure.png">'
    )
    check = check_html(_write_page(tmp_path, "svg.html", body))
    assert check.n_images == 2
    assert check.n_images_decoded == 1
    assert check.n_svgs == 2
    assert check.n_svgs_rendered == 1
    assert sorted(check.undecoded) == ["Empty inline figure", "Remote figure"]
    assert len(check.failed_requests) == 1
    assert "https://example.invalid/figure.png" in check.failed_requests[0]
    assert "ERR_BLOCKED_BY_CLIENT" in check.failed_requests[0]
    assert not check.ok


@pytest.mark.browser
def test_page_without_figures(tmp_path: Path, chromium: str) -> None:
    page = _write_page(tmp_path, "empty.html", "<p>No figures here.</p>")
    check = check_html(page)
    assert check.n_figures == 0
    assert not check.ok
    assert any("no figures" in line for line in check.problems())
    assert check_html(page, require_images=False).ok


@pytest.mark.browser
def test_screenshot_writes_png(tmp_path: Path, chromium: str) -> None:
    page = _write_page(tmp_path, "shot.html", _good_body())
    out = screenshot(page, tmp_path / "shot.png", width=640)
    data = out.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert int.from_bytes(data[16:20], "big") == 640  # IHDR width (device scale factor 1)


# ---- no browser needed ----------------------------------------------------------------------


def test_ok_logic_without_browser() -> None:
    good = BrowserCheck(url="file:///r.html", title="r", n_images=2, n_images_decoded=2)
    assert good.ok
    assert not BrowserCheck(url="u", title="t", n_images=2, n_images_decoded=1).ok
    assert not BrowserCheck(url="u", title="t", n_images=0, n_images_decoded=0).ok
    assert BrowserCheck(url="u", title="t", require_images=False).ok
    assert not BrowserCheck(
        url="u", title="t", n_images=1, n_images_decoded=1, console_errors=["x"]
    ).ok


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(QdcatError, match="not found"):
        check_html(tmp_path / "nope.html")


def test_qdcat_chromium_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("QDCAT_CHROMIUM", str(fake))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("QDCAT_CHROMIUM", str(tmp_path / "missing"))
    with pytest.raises(ChromiumNotFoundError, match="QDCAT_CHROMIUM"):
        find_chromium()


def test_no_chromium_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    page = _write_page(tmp_path, "p.html", "<p>x</p>")
    with pytest.raises(ChromiumNotFoundError, match="apt-get install chromium"):
        check_html(page)


def test_missing_playwright_raises_missing_dependency(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    page = _write_page(tmp_path, "p.html", "<p>x</p>")
    with pytest.raises(MissingDependencyError, match=r"qdcat\[browser\]"):
        check_html(page)
