"""The built site works in a real browser with no network.

Every page loads without console errors or failed requests, every mermaid
diagram becomes an SVG, search finds the capstone's facade, a cross-reference
lands on its API entry, and the copy button leaves prompts and output behind.
Screenshots of the home page in light and dark mode go to ``_build/screenshots``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response
from playwright.sync_api import TimeoutError as PlaywrightTimeout

if TYPE_CHECKING:
    from conftest import ContextFactory, Offline

SCREENSHOTS = Path(__file__).resolve().parents[2] / "_build" / "screenshots"
API_ENTRY = "reference/api/public.html#service_monitoring.MonitoringRuntime"
# While it renders, mermaid measures text in a temporary <div><svg> inside the <pre>;
# a finished diagram is marked data-processed and holds the SVG as a direct child.
RENDERED = 'pre.mermaid[data-processed="true"] > svg'
DIAGRAMS_RENDERED = """() => [...document.querySelectorAll('pre.mermaid')]
    .every((diagram) => diagram.matches('[data-processed="true"]')
        && diagram.querySelector(':scope > svg') !== null)"""


@dataclass
class Visit:
    """What happened while one page loaded."""

    page: str
    problems: list[str] = field(default_factory=list)
    diagrams: int = 0
    rendered: int = 0


def _watch(page: Page, record: Callable[[str], None]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            record(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            record(f"HTTP {response.status}: {response.url}")

    def on_failed(request: Request) -> None:
        # ERR_ABORTED is the browser cancelling a request because the test moved
        # on to the next page (the favicon, typically); a missing file shows as
        # an HTTP error above, a blocked host as ERR_INTERNET_DISCONNECTED.
        if request.failure != "net::ERR_ABORTED":
            record(f"request failed ({request.failure}): {request.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: record(f"uncaught error: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_failed)


def _wait_for_diagrams(page: Page) -> None:
    with contextlib.suppress(PlaywrightTimeout):  # the caller counts what rendered
        page.wait_for_function(DIAGRAMS_RENDERED, timeout=30_000)


@pytest.fixture(scope="module")
def visits(new_context: ContextFactory, base_url: str, site: Path) -> list[Visit]:
    """Load every page of the site once, recording problems and diagrams."""
    page = new_context(color_scheme="light").new_page()
    visits: list[Visit] = []
    _watch(page, lambda problem: visits[-1].problems.append(problem))
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        if relative.startswith("_static/"):
            continue
        visits.append(Visit(relative))
        page.goto(base_url + relative, wait_until="load")
        visit = visits[-1]
        visit.diagrams = page.locator("pre.mermaid").count()
        if visit.diagrams:
            _wait_for_diagrams(page)
            visit.rendered = page.locator(RENDERED).count()
            page.wait_for_load_state("networkidle")  # let the diagram code finish loading
    page.close()
    return visits


def test_every_page_loads_without_errors(visits: list[Visit]) -> None:
    assert len(visits) > 5
    problems = [f"{visit.page}: {problem}" for visit in visits for problem in visit.problems]
    assert not problems, "\n".join(problems)


def test_every_mermaid_diagram_becomes_an_svg(visits: list[Visit]) -> None:
    with_diagrams = [visit for visit in visits if visit.diagrams]
    assert any(visit.page == "index.html" for visit in with_diagrams), "home page diagram missing"
    unrendered = [
        f"{visit.page}: {visit.rendered} of {visit.diagrams} rendered"
        for visit in with_diagrams
        if visit.rendered != visit.diagrams
    ]
    assert not unrendered, "\n".join(unrendered)


def test_no_request_left_the_machine(visits: list[Visit], offline: Offline) -> None:
    assert offline.blocked == []


def test_search_finds_the_capstone_facade(new_context: ContextFactory, base_url: str) -> None:
    page = new_context().new_page()
    page.goto(base_url + "search.html?q=MonitoringRuntime")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=30_000)
    hrefs = [results.nth(index).get_attribute("href") or "" for index in range(results.count())]
    assert any(href.endswith(API_ENTRY) for href in hrefs), hrefs


def test_cross_reference_opens_the_api_entry(new_context: ContextFactory, base_url: str) -> None:
    page = new_context().new_page()
    page.goto(base_url + "index.html")
    link = page.locator("article a.reference", has_text="MonitoringRuntime").first
    link.click()
    page.wait_for_url(f"**/{API_ENTRY}")
    entry = page.locator('[id="service_monitoring.MonitoringRuntime"]')
    assert entry.count() == 1
    assert entry.is_visible()
    assert "MonitoringRuntime" in entry.inner_text()


# ClipboardJS (behind the copy button) copies through a hidden textarea and
# document.execCommand("copy"); the copy event shows what went to the clipboard.
CAPTURE_COPIES = """() => {
    window.copiedTexts = [];
    document.addEventListener('copy', (event) => {
        const source = event.target;
        const text = source && typeof source.value === 'string'
            ? source.value.substring(source.selectionStart, source.selectionEnd)
            : String(document.getSelection());
        window.copiedTexts.push(text);
    }, true);
}"""


def test_copy_button_copies_code_without_prompts_or_output(
    new_context: ContextFactory, base_url: str
) -> None:
    page = new_context().new_page()
    page.goto(base_url + "index.html")
    page.evaluate(CAPTURE_COPIES)
    block = page.locator("article div.highlight:has(span.gp)").first  # the doctest block
    assert block.inner_text().startswith(">>> from service_monitoring import Severity")
    block.hover()
    block.locator("button.copybtn").click()
    page.wait_for_function("() => window.copiedTexts.length > 0", timeout=10_000)
    copied: str = page.evaluate("() => window.copiedTexts[0]")
    assert copied.splitlines() == [
        "from service_monitoring import Severity",
        'Severity("critical")',
        'Severity("critical") == "critical"',
        'Severity("fatal")',
    ]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_home_page_screenshot(new_context: ContextFactory, base_url: str, theme: str) -> None:
    context = new_context(color_scheme=theme, viewport={"width": 1280, "height": 1000})
    context.add_init_script(f"window.localStorage.setItem('theme', '{theme}')")
    page = context.new_page()
    page.goto(base_url + "index.html", wait_until="load")
    assert page.locator("body").get_attribute("data-theme") == theme
    page.wait_for_function(DIAGRAMS_RENDERED, timeout=30_000)
    # The viewport from the capstone section down: its diagram and its doctest.
    page.evaluate("document.getElementById('the-capstone').scrollIntoView({behavior: 'instant'})")
    page.wait_for_function("() => window.scrollY > 0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"home-{theme}.png"
    page.screenshot(path=path)
    assert path.stat().st_size > 10_000
