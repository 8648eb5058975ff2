"""The published archive in headless Chromium: clean loads, search, a screenshot."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from publication.publish import PublishReport
from tests.publication.builders import CODES, HOSTILE_NAME
from tests.publication.cdp import CHROMIUM, Page, open_page

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(published: tuple[Path, PublishReport]) -> Iterator[str]:
    """Serve the published site on 127.0.0.1 from a thread; stop it after."""
    out, _ = published
    handler = functools.partial(_QuietHandler, directory=str(out / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(
    browser_required: bool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Page]:
    """One Chromium tab for the module."""
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} not found; install it with apt-get install chromium"
        if browser_required:
            pytest.fail(f"{reason}; CI requires the browser tests")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("chromium")
    with open_page(folder / "profile", folder / "chromium.log") as tab:
        yield tab


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "seasons/2025-2026.html",
        "counties/150402.html",
        f"enterprises/{CODES['E2']}.html",
        f"letters/2025-2026/{CODES['E2']}.html",
        "notices/2025-2026/150404/publicity-round-2.html",
        "notices/2025-2026/city/final.html",
    ],
)
def test_page_loads_without_errors(page: Page, site_url: str, path: str) -> None:
    page.events.clear()
    page.navigate(site_url + path)
    if path == "index.html":
        page.poll("!document.getElementById('search-input').disabled")
    assert page.errors() == []
    assert page.evaluate("document.querySelectorAll('img').length") == 0


def test_search_finds_enterprise_by_code(page: Page, site_url: str) -> None:
    page.events.clear()
    page.navigate(site_url + "index.html")
    page.poll("!document.getElementById('search-input').disabled")
    page.evaluate("document.getElementById('search-input').focus()")
    page.send("Input.insertText", {"text": "MA0HXRL02C"})
    names = page.poll(
        "Array.from(document.querySelectorAll('#search-results li a'))"
        ".map(a => a.textContent)"
    )
    assert names == [HOSTILE_NAME]
    href = page.evaluate("document.querySelector('#search-results li a').href")
    assert href == f"{site_url}enterprises/{CODES['E2']}.html"
    assert page.evaluate("document.querySelectorAll('#search-results img').length") == 0
    assert page.errors() == []


def test_search_finds_enterprises_by_name(page: Page, site_url: str) -> None:
    page.events.clear()
    page.navigate(site_url + "index.html")
    page.poll("!document.getElementById('search-input').disabled")
    page.evaluate("document.getElementById('search-input').focus()")
    page.send("Input.insertText", {"text": "松山"})
    count = page.poll("document.querySelectorAll('#search-results li').length")
    assert count == 2
    status = page.evaluate("document.getElementById('search-status').textContent")
    assert status == "找到 2 家企业。"
    page.screenshot(ARTIFACTS / "publication-search.png")
    assert (ARTIFACTS / "publication-search.png").stat().st_size > 1000
    assert page.errors() == []


def test_search_result_opens_enterprise_page(page: Page, site_url: str) -> None:
    page.events.clear()
    page.navigate(site_url + "index.html")
    page.poll("!document.getElementById('search-input').disabled")
    page.evaluate("document.getElementById('search-input').focus()")
    page.send("Input.insertText", {"text": CODES["E1"]})
    page.poll("document.querySelectorAll('#search-results li a').length === 1")
    page.evaluate("document.querySelector('#search-results li a').click()")
    page.wait_for("Page.loadEventFired")
    heading = page.evaluate("document.querySelector('h1').textContent")
    assert heading == "赤峰市红山区热力有限责任公司"
    page.screenshot(ARTIFACTS / "publication-enterprise.png")
    assert page.errors() == []
