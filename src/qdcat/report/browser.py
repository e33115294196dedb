"""Open a self-contained HTML report in headless Chromium and check that it really works.

A report is *self-contained* when it needs nothing but its own file: figures are embedded as
``data:`` PNG or SVG images (or inline ``<svg>``), scripts and styles are inline. A report can
look fine in the source and still be broken in a browser (a truncated base64 string, a script
that throws), so :func:`check_html` loads it the way a reader would and reports

* console messages of type ``error`` and uncaught JavaScript exceptions,
* failed requests; requests to the network (``http(s)``, ``ws(s)``) are blocked on purpose, so
  a report that is not self-contained fails the same way with or without a network,
* every ``<img>`` that cannot be decoded, and every visible top-level inline ``<svg>`` that
  renders with an empty bounding box.

This needs the optional package ``playwright`` (``pip install 'qdcat[browser]'``) and a Chromium
on the machine; Playwright's own browser download (``playwright install``) is *not* needed. On
Debian or Ubuntu: ``apt-get install chromium``. Set ``$QDCAT_CHROMIUM`` to use another binary.

Example::

    from qdcat.report.browser import check_html

    check = check_html("out/report.html")
    assert check.ok, "\\n".join(check.problems())
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from qdcat.core.errors import InputError, MissingDependencyError, QdcatError

if TYPE_CHECKING:
    from playwright.sync_api import Browser

__all__ = [
    "CHROMIUM_ARGS",
    "BrowserCheck",
    "BrowserCheckError",
    "ChromiumNotFoundError",
    "check_html",
    "find_chromium",
    "screenshot",
]

#: Command-line switches Chromium is started with. Without the ``--disable-*`` ones Chromium
#: tries to reach Google services at start-up, which fails (slowly) on machines without a
#: network. Playwright adds its own switches on top, and a fresh temporary profile
#: (``--user-data-dir``) for every launch.
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

#: Looked up on ``PATH`` (in this order) after ``$QDCAT_CHROMIUM`` and ``/usr/bin/chromium``.
_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

#: Requests the check blocks, so that it never depends on (or waits for) the network.
_NETWORK_URL = re.compile(r"^(?:https?|wss?|ftp)://", re.IGNORECASE)

_INSTALL_HINT = (
    "install it with 'apt-get install chromium' (Debian/Ubuntu) or point $QDCAT_CHROMIUM "
    "at a Chromium or Chrome executable"
)

_T = TypeVar("_T")


class ChromiumNotFoundError(QdcatError, FileNotFoundError):
    """No Chromium or Chrome executable was found for the headless-browser check."""


class BrowserCheckError(QdcatError, RuntimeError):
    """Chromium could not be started, or the page could not be loaded in time."""


@dataclass(frozen=True)
class BrowserCheck:
    """What headless Chromium made of an HTML report.

    ``n_images`` counts ``<img>`` elements and ``n_images_decoded`` those that decoded to a
    non-empty picture. ``n_svgs`` counts visible top-level inline ``<svg>`` elements and
    ``n_svgs_rendered`` those with a non-empty bounding box. ``undecoded`` names every figure
    that failed, by its alt text (or ``aria-label``/``id`` for inline SVG) or, lacking that,
    by the first characters of its ``src``.
    """

    url: str
    title: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    n_images: int = 0
    n_images_decoded: int = 0
    undecoded: list[str] = field(default_factory=list)
    n_svgs: int = 0
    n_svgs_rendered: int = 0
    require_images: bool = True

    @property
    def n_figures(self) -> int:
        """``<img>`` elements plus visible top-level inline ``<svg>`` elements."""
        return self.n_images + self.n_svgs

    @property
    def ok(self) -> bool:
        """No errors of any kind, every figure decoded, and (if required) at least one figure."""
        return (
            not self.console_errors
            and not self.page_errors
            and not self.failed_requests
            and not self.undecoded
            and self.n_images_decoded == self.n_images
            and self.n_svgs_rendered == self.n_svgs
            and (self.n_figures > 0 or not self.require_images)
        )

    def problems(self) -> list[str]:
        """One line per problem found, for an assertion message or a log; empty when ``ok``."""
        lines = [f"console error: {text}" for text in self.console_errors]
        lines += [f"uncaught exception: {text}" for text in self.page_errors]
        lines += [f"failed request: {text}" for text in self.failed_requests]
        lines += [f"figure not decoded: {what}" for what in self.undecoded]
        if self.require_images and self.n_figures == 0:
            lines.append("no figures: the page has no <img> and no visible inline <svg>")
        return lines


def find_chromium() -> str | None:
    """Path of the Chromium to use, or ``None`` when there is none.

    Looks at ``$QDCAT_CHROMIUM`` (a path or a command name), then ``/usr/bin/chromium``, then
    ``chromium``, ``chromium-browser`` and ``google-chrome`` on ``PATH``. A ``$QDCAT_CHROMIUM``
    that names nothing executable is an error rather than silently ignored.
    """
    configured = os.environ.get("QDCAT_CHROMIUM", "").strip()
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise ChromiumNotFoundError(
                f"$QDCAT_CHROMIUM is set to {configured!r}, which is not an executable file "
                "or a command on PATH"
            )
        return found
    if os.access("/usr/bin/chromium", os.X_OK) and Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def check_html(
    path: str | PathLike[str],
    *,
    timeout_s: float = 30,
    require_images: bool = True,
) -> BrowserCheck:
    """Load the HTML file ``path`` in headless Chromium and check it (see the module docstring).

    ``timeout_s`` bounds the browser start, the page load and the image decoding separately.
    With ``require_images`` (the default) a page without any figure is not ``ok``.

    Raises :class:`~qdcat.core.errors.MissingDependencyError` without ``playwright``,
    :class:`ChromiumNotFoundError` without Chromium, :class:`~qdcat.core.errors.InputError` if
    ``path`` is not a file and :class:`BrowserCheckError` if Chromium fails or times out.
    """
    file = _existing_file(path)
    return _run_sync(lambda: _check_html(file, timeout_s=timeout_s, require_images=require_images))


def screenshot(
    path: str | PathLike[str],
    png_out: str | PathLike[str],
    *,
    width: int = 1200,
    timeout_s: float = 30,
) -> Path:
    """Save a full-page PNG screenshot of the HTML file ``path``, ``width`` CSS pixels wide.

    Waits for every image to be decoded first. Returns the path of the PNG written. Raises
    like :func:`check_html`.
    """
    file = _existing_file(path)
    out = Path(png_out)
    if not out.parent.is_dir():
        raise InputError(
            "directory for the screenshot does not exist", file=out.parent, field="png_out"
        )
    if width < 1:
        raise InputError("screenshot width must be positive", field="width", found=width)
    _run_sync(lambda: _screenshot(file, out, width=width, timeout_s=timeout_s))
    return out


# --------------------------------------------------------------------------------------------
# Implementation


def _existing_file(path: str | PathLike[str]) -> Path:
    file = Path(path)
    if not file.is_file():
        raise InputError("HTML report not found", file=file, expected="an existing file")
    return file.resolve()


def _run_sync(job: Callable[[], _T]) -> _T:
    """Run ``job`` here, or in a worker thread when an asyncio loop is running in this thread.

    Playwright's sync API refuses to run inside a running event loop (Jupyter, async apps).
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(job).result()


def _playwright() -> ModuleType:
    """``playwright.sync_api``, or :class:`MissingDependencyError` when it is not installed."""
    try:
        import playwright.sync_api
    except ImportError:
        raise MissingDependencyError(
            "playwright", extra="browser", feature="the headless-browser report check"
        ) from None
    return playwright.sync_api


@contextmanager
def _launch(timeout_s: float) -> Iterator[Browser]:
    """Start headless Chromium through Playwright; closes it on exit."""
    sync_api = _playwright()
    executable = find_chromium()
    if executable is None:
        raise ChromiumNotFoundError(
            "Chromium was not found (looked at $QDCAT_CHROMIUM, /usr/bin/chromium and for "
            f"{', '.join(_CHROMIUM_NAMES)} on PATH); {_INSTALL_HINT}"
        )
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable,
                args=list(CHROMIUM_ARGS),
                headless=True,
                timeout=timeout_s * 1000,
            )
        except sync_api.Error as exc:
            raise BrowserCheckError(
                f"could not start Chromium {executable!r}: {_first_line(exc)}"
            ) from exc
        try:
            yield browser
        finally:
            browser.close()


def _check_html(file: Path, *, timeout_s: float, require_images: bool) -> BrowserCheck:
    PlaywrightError = _playwright().Error

    url = file.as_uri()
    console_errors: list[str] = []
    page_errors: list[str] = []
    failed_requests: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    def on_page_error(error: Any) -> None:
        name = getattr(error, "name", "") or "Error"
        page_errors.append(f"{name}: {getattr(error, 'message', error)}")

    def on_request_failed(request: Any) -> None:
        failed_requests.append(f"{request.method} {_shorten(request.url)}: {request.failure}")

    with _launch(timeout_s) as browser:
        page = browser.new_page()
        page.set_default_timeout(timeout_s * 1000)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        page.on("requestfailed", on_request_failed)
        page.route(_NETWORK_URL, lambda route: route.abort("blockedbyclient"))
        try:
            page.goto(url, wait_until="load")
            figures = page.evaluate(_CHECK_FIGURES_JS, {"timeoutMs": timeout_s * 1000})
            title = page.title()
        except PlaywrightError as exc:
            raise BrowserCheckError(
                f"{file}: Chromium could not load the page: {_first_line(exc)}"
            ) from exc
        page.close()

    return BrowserCheck(
        url=url,
        title=title,
        console_errors=console_errors,
        page_errors=page_errors,
        failed_requests=failed_requests,
        n_images=int(figures["nImages"]),
        n_images_decoded=int(figures["nImagesDecoded"]),
        undecoded=[str(what) for what in figures["undecoded"]],
        n_svgs=int(figures["nSvgs"]),
        n_svgs_rendered=int(figures["nSvgsRendered"]),
        require_images=require_images,
    )


def _screenshot(file: Path, out: Path, *, width: int, timeout_s: float) -> None:
    PlaywrightError = _playwright().Error

    with _launch(timeout_s) as browser:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.set_default_timeout(timeout_s * 1000)
        page.route(_NETWORK_URL, lambda route: route.abort("blockedbyclient"))
        try:
            page.goto(file.as_uri(), wait_until="load")
            page.evaluate(_CHECK_FIGURES_JS, {"timeoutMs": timeout_s * 1000})
            page.screenshot(path=str(out), full_page=True)
        except PlaywrightError as exc:
            raise BrowserCheckError(
                f"{file}: could not take a screenshot: {_first_line(exc)}"
            ) from exc
        page.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Decodes every <img> (eagerly, even lazy ones), and measures visible top-level inline <svg>.
_CHECK_FIGURES_JS = r"""
async ({ timeoutMs }) => {
  const shorten = (s) => (s.length > 80 ? s.slice(0, 77) + "..." : s);
  const nameImg = (img, i) => {
    const alt = (img.getAttribute("alt") || "").trim();
    if (alt) return alt;
    const src = img.getAttribute("src") || img.currentSrc || "";
    return src ? shorten(src) : `<img> #${i + 1} without src`;
  };
  const nameSvg = (svg, i) => {
    const label = (svg.getAttribute("aria-label") || "").trim();
    if (label) return label;
    const title = svg.querySelector(":scope > title");
    if (title && title.textContent.trim()) return title.textContent.trim();
    return svg.id ? `inline <svg id="${svg.id}">` : `inline <svg> #${i + 1}`;
  };
  const withTimeout = (promise, ms) =>
    Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms)),
    ]);
  const isSvgSource = (img) => /^data:image\/svg\+xml/i.test(img.currentSrc || img.src || "");

  const images = Array.from(document.images);
  const results = await Promise.all(
    images.map(async (img, i) => {
      if (img.loading === "lazy") img.loading = "eager";
      try {
        await withTimeout(img.decode(), timeoutMs);
      } catch (e) {
        return { ok: false, what: nameImg(img, i) };
      }
      if (img.naturalWidth > 0 && img.naturalHeight > 0) return { ok: true };
      const box = img.getBoundingClientRect();
      if (isSvgSource(img) && box.width > 0 && box.height > 0) return { ok: true };
      return { ok: false, what: nameImg(img, i) };
    })
  );

  const svgs = Array.from(document.querySelectorAll("svg")).filter(
    (svg) => !(svg.parentElement && svg.parentElement.closest("svg")) &&
      (typeof svg.checkVisibility !== "function" || svg.checkVisibility())
  );
  const undecoded = results.filter((r) => !r.ok).map((r) => r.what);
  let nSvgsRendered = 0;
  svgs.forEach((svg, i) => {
    const box = svg.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) nSvgsRendered += 1;
    else undecoded.push(nameSvg(svg, i));
  });
  return {
    nImages: images.length,
    nImagesDecoded: results.filter((r) => r.ok).length,
    nSvgs: svgs.length,
    nSvgsRendered,
    undecoded,
  };
}
"""
