"""The HTML report in a real browser: Debian's Chromium, driven by Playwright for Python.

Outside CI the tests skip, saying why, when Playwright or Chromium is missing; in CI
(``CI`` set) that is a failure: ``.ci/run`` installs both. Playwright never downloads a
browser here: it starts the system's Chromium (``EXAUDIT_CHROMIUM``, else ``chromium`` on
PATH). ``EXAUDIT_UPDATE_SCREENSHOT=1`` rewrites ``docs/html-report.png``.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from test_html import EXAMPLE, changed_example, diff_page, iptables_ready, run, without_dot

# As root, headless, and quiet: without the background-networking flags Chromium keeps
# reaching for Google's services, which a closed network refuses.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
WIDTH, HEIGHT = 1360, 1000
SCREENSHOT = ROOT / "docs" / "html-report.png"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; in CI the browser test must run (.ci/run installs it)")
    pytest.skip(reason)


def chromium() -> str | None:
    found = os.environ.get("EXAUDIT_CHROMIUM") or shutil.which("chromium")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One Chromium for the module, with an empty profile of its own."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install '.[test]')")
    path = chromium()
    if path is None:
        _unavailable("Chromium is not installed (Debian: apt-get install chromium)")
    if not iptables_ready():
        pytest.skip("the iptables parser is not in the tree yet")
    profile = tmp_path_factory.mktemp("chromium-profile")
    started = time.monotonic()
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile),
            executable_path=path,
            args=ARGS,
            headless=True,
            viewport={"width": WIDTH, "height": HEIGHT},
        )
        print(f"\nChromium started in {time.monotonic() - started:.1f} s")
        try:
            yield context
        finally:
            context.close()


class Loaded:
    """A page opened from a file, with what it logged and what it asked the network for."""

    def __init__(self, context: Any, file: Path) -> None:
        self.url = file.as_uri()
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = context.new_page()
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(self.url, wait_until="load")

    def assert_clean(self) -> None:
        problems = [text for kind, text in self.console if kind in ("error", "warning")]
        assert not problems and not self.errors, (problems, self.errors)
        assert self.requests == [self.url], "the page fetched something"

    def bar_height(self) -> float:
        box = self.page.locator("header.bar").bounding_box()
        assert box is not None
        return float(box["height"])

    def in_view(self, selector: str) -> bool:
        """Whether the element's top is on screen, below the sticky bar."""
        box = self.page.locator(selector).bounding_box()
        return box is not None and self.bar_height() - 1 <= box["y"] < HEIGHT


def page_file(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def example_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    _, text = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "html")
    return page_file(tmp_path, "audit.html", text)


DENIED = 'td[data-firewall="hq-edge"][data-flow="imap4-ssl"][data-src="hq-lan"][data-dst="ex-hq-2"]'


def test_example_in_chromium(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Loads with no console error or fetch; the denied cell links to its finding."""
    started = time.monotonic()
    loaded = Loaded(browser, example_file(tmp_path, capsys))
    page = loaded.page
    loaded.assert_clean()
    assert page.title() == "exaudit audit: topology.yaml"
    cell = page.locator(DENIED)
    assert cell.get_attribute("data-state") == "denied"
    assert cell.inner_text().strip().endswith("denied")  # said in words, not only colour
    colour = cell.locator(".state").evaluate("e => getComputedStyle(e).backgroundColor")
    permit = (
        page.locator(DENIED.replace("ex-hq-2", "ex-hq-1"))
        .locator(".state")
        .evaluate("e => getComputedStyle(e).backgroundColor")
    )
    assert colour != permit
    link = cell.locator("a.cell-link")
    target = link.get_attribute("href")
    assert target and target.startswith("#finding-")
    link.click()
    page.wait_for_url(lambda url: url.endswith(target))
    finding = page.locator(f"article{target}")
    assert finding.is_visible() and loaded.in_view(f"article{target}")
    text = finding.inner_text()
    assert "EXA101" in text and "IMAP4 over SSL (tcp/993)" in text and "line 20" in text
    assert "-A HQ-CLIENTS -d 10.1.0.11/32 -p tcp --dport 993 -j DROP" in text
    # the check's documentation is one more click, in the page
    finding.locator("a.doc-link").click()
    page.wait_for_url(lambda url: url.endswith("#check-exa101"))
    docs = page.locator("details#check-exa101")
    assert docs.get_attribute("open") is not None and loaded.in_view("details#check-exa101")
    assert "Why is this bad?" in docs.inner_text()
    # and back to the matrix cell
    page.go_back()
    finding.locator("a", has_text="in the flow matrix").click()
    assert loaded.in_view(DENIED)
    print(f"\nthe example's page, its links and docs checked in {time.monotonic() - started:.1f} s")


def test_matrix_header_stays_and_problem_toggle(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = Loaded(browser, example_file(tmp_path, capsys)).page
    rows = page.locator("#flow-matrix tbody tr")
    assert rows.count() == 25
    # scrolled into the matrix, its header row sits under the page's bar
    rows.nth(20).scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)
    page.wait_for_timeout(100)
    head = page.locator("#flow-matrix thead th").first.bounding_box()
    bar = page.locator("header.bar").bounding_box()
    first = rows.first.bounding_box()
    assert head is not None and bar is not None and first is not None
    assert first["y"] < 0, "the matrix's first row is scrolled away"
    assert bar["y"] == 0 and abs(head["y"] - bar["height"]) < 2
    # the checkbox leaves only the flows with a problem somewhere (CSS, no script)
    page.locator("#problems-only").check()
    visible = [r for r in rows.all() if r.is_visible()]
    assert len(visible) == 9
    for r in visible:
        states = [c.get_attribute("data-state") for c in r.locator("td.cell").all()]
        assert set(states) - {"permit", "not-on-path"}, states


def test_drawing_in_chromium(
    browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not shutil.which("dot"):
        _unavailable("Graphviz's dot is not installed (Debian: apt-get install graphviz)")
    page = Loaded(browser, example_file(tmp_path, capsys)).page
    svg = page.locator("#topology figure svg")
    box = svg.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 150
    # a firewall links to its findings, a red line to the finding about its flow
    page.locator('#topology svg a[*|href="#firewall-hq-edge"]').click()
    page.wait_for_url(lambda url: url.endswith("#firewall-hq-edge"))
    assert page.locator("section#firewall-hq-edge").is_visible()
    red = page.locator('#topology svg g.edge a[*|href^="#finding-"]').filter(
        has_text="imap4-ssl tcp/993 denied at hq-edge"
    )
    target = red.first.get_attribute("href", timeout=1000) or red.first.evaluate(
        "a => a.getAttribute('xlink:href')"
    )
    red.first.click()
    page.wait_for_url(lambda url: url.endswith(target))
    assert "IMAP4 over SSL" in page.locator(f"article{target}").inner_text()


def test_fallback_tables_in_chromium(
    browser: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with monkeypatch.context() as m:
        without_dot(m, tmp_path)
        _, text = run(EXAMPLE, capsys, "audit", "topology.yaml", "--format", "html")
    loaded = Loaded(browser, page_file(tmp_path, "tables.html", text))
    loaded.assert_clean()
    assert loaded.page.locator("#topology .note").is_visible()
    assert loaded.page.locator("#topology table").count() >= 3


def test_diff_in_chromium(browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, text = diff_page(changed_example(tmp_path), capsys)
    loaded = Loaded(browser, page_file(tmp_path, "diff.html", text))
    loaded.assert_clean()
    page = loaded.page
    cell = page.locator('td[data-firewall="hq-edge"][data-flow="ldap"][data-dst="ex-hq-2"]')
    assert (cell.get_attribute("data-before"), cell.get_attribute("data-state")) == (
        "permit",
        "denied",
    )
    assert "newly blocked" in cell.inner_text()
    cell.locator("a.cell-link").click()
    target = page.evaluate("location.hash")
    assert page.locator(f"#introduced article{target}").is_visible()


def test_screenshot(browser: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's picture of the example's report (rewritten on request only)."""
    if not os.environ.get("EXAUDIT_UPDATE_SCREENSHOT"):
        assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 10_000
        return
    page = Loaded(browser, example_file(tmp_path, capsys)).page
    page.set_viewport_size({"width": WIDTH, "height": 1500})  # the summary and the matrix
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
