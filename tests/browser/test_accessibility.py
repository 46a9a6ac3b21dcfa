"""axe-core finds no serious accessibility fault on any page, in either colour scheme.

Every HTML page of the built site (the lessons, the API and source pages, the
index, search with and without results, the 404 page) is loaded in Chromium twice,
once in furo's light scheme and once in its dark one, and axe-core checks it with its
default rules (WCAG 2.x A and AA, and Deque's best practices) once the diagrams are
drawn. A violation whose impact is critical or serious fails the test, as does one
of the moderate rules the site has been fixed for (its fixes: conf/_ext/accessibility.py,
conf/_templates, conf/_static/accessibility.*); the message names the scheme, the page,
the rule and the elements.

axe-core comes from the pinned PyPI package axe-playwright-python (its bundled
``axe.min.js``; the package's own runner is not used). Speed: the browser is the
session's, with one context per scheme; both schemes of a page are checked at the
same time, each in its own renderer process (two cores), and axe returns only its
violations, cut down to what the message needs.

The diagrams: mermaid draws each as an SVG whose accessible description, in
Chromium's own accessibility tree, must be the diagram's alt text (conf/_ext/mermaid_alt.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page

if TYPE_CHECKING:
    from conftest import ContextFactory

SCHEMES = ("light", "dark")
VIEWPORT = {"width": 1280, "height": 720}  # Playwright's default, written down
FAILING_IMPACTS = {"critical", "serious"}
# Moderate rules this site passes since it fixed them; a change that brings one back fails.
FIXED_MODERATE_RULES = {"landmark-unique", "region", "page-has-heading-one"}
# Pages that show more once a script has run: search with results.
EXTRA_PAGES = ["search.html?q=unit+of+work"]
SEARCH_FINISHED = """() =>
    document.querySelector('#search-results h2')?.textContent === 'Search Results'"""
DIAGRAMS_RENDERED = """() => [...document.querySelectorAll('pre.mermaid')]
    .every((diagram) => diagram.matches('[data-processed="true"]')
        && diagram.querySelector(':scope > svg') !== null)"""
# Start axe without waiting for it, so that both schemes' renderers work at once.
START_AXE = """(options) => {
    window.axeViolations = axe.run(document, options).then((results) =>
        results.violations.map((violation) => ({
            rule: violation.id,
            impact: violation.impact,
            help: violation.help,
            targets: violation.nodes.map((node) => node.target.join(' ')),
        })));
}"""
AXE_OPTIONS = {"resultTypes": ["violations"]}
MAX_REPORTED = 60  # page checks listed in a failure message; the count by rule covers all


@dataclass
class Diagram:
    role: str
    ignored: bool
    description: str
    alt: str  # the text of the <desc> that mermaid wrote from the diagram's accDescr


@dataclass
class Check:
    """What axe and the accessibility tree said about one page in one scheme."""

    scheme: str
    page: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    diagrams: list[Diagram] = field(default_factory=list)


def _pages(site: Path) -> list[str]:
    built = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html"))
    return [page for page in built if not page.startswith("_static/")] + EXTRA_PAGES


def _open(page: Page, url: str) -> None:
    page.goto(url, wait_until="load")
    if "search.html?" in url:
        page.wait_for_function(SEARCH_FINISHED, timeout=30_000)
    if page.locator("pre.mermaid").count():
        page.wait_for_function(DIAGRAMS_RENDERED, timeout=30_000)


def _diagrams(page: Page) -> list[Diagram]:
    """Each diagram's SVG as Chromium's accessibility tree exposes it."""
    svgs = page.locator("pre.mermaid > svg")
    if not svgs.count():
        return []
    session = page.context.new_cdp_session(page)
    try:
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = session.send(
            "DOM.querySelectorAll", {"nodeId": root, "selector": "pre.mermaid > svg"}
        )
        diagrams = []
        for index, node_id in enumerate(found["nodeIds"]):
            tree = session.send(
                "Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False}
            )
            node = tree["nodes"][0]
            alt = svgs.nth(index).evaluate(
                "(svg) => svg.querySelector(':scope > desc')?.textContent ?? ''"
            )
            diagrams.append(
                Diagram(
                    role=node.get("role", {}).get("value", ""),
                    ignored=node.get("ignored", False),
                    description=node.get("description", {}).get("value", ""),
                    alt=alt,
                )
            )
        return diagrams
    finally:
        session.detach()


@pytest.fixture(scope="module")
def checks(new_context: ContextFactory, base_url: str, site: Path) -> list[Check]:
    """Run axe on every page in both schemes, the two schemes of a page side by side."""
    tabs: dict[str, Page] = {}
    for scheme in SCHEMES:
        context = new_context(color_scheme=scheme, viewport=VIEWPORT)
        # furo's own switch: the scheme is chosen, not left to the system ("auto")
        context.add_init_script(f"window.localStorage.setItem('theme', '{scheme}')")
        context.add_init_script(AXE_SCRIPT)
        tabs[scheme] = context.new_page()
    checks: list[Check] = []
    for page in _pages(site):
        for tab in tabs.values():
            _open(tab, base_url + page)
        for tab in tabs.values():
            tab.evaluate(START_AXE, AXE_OPTIONS)
        for scheme, tab in tabs.items():
            violations = tab.evaluate("() => window.axeViolations")
            checks.append(Check(scheme, page, violations, _diagrams(tab)))
    for scheme, tab in tabs.items():
        assert tab.evaluate("() => document.body.dataset.theme") == scheme
        tab.close()
    return checks


def test_no_serious_accessibility_violation_on_any_page(checks: list[Check]) -> None:
    assert len({check.page for check in checks}) > 50
    failing = [
        (check, violation)
        for check in checks
        for violation in check.violations
        if violation["impact"] in FAILING_IMPACTS or violation["rule"] in FIXED_MODERATE_RULES
    ]
    by_rule = Counter(f"{violation['rule']} ({violation['impact']})" for _, violation in failing)
    details = [
        f"{check.scheme:5} {check.page}: {violation['rule']}: {violation['help']}\n      "
        + "\n      ".join(violation["targets"])
        for check, violation in failing
    ]
    assert not failing, (
        f"{len(failing)} page checks failed, by rule: {dict(by_rule)}\n"
        + "\n".join(details[:MAX_REPORTED])
        + (f"\n... and {len(details) - MAX_REPORTED} more" if len(details) > MAX_REPORTED else "")
    )


def test_every_diagram_is_described_to_assistive_technology(checks: list[Check]) -> None:
    diagrams = [(check, diagram) for check in checks for diagram in check.diagrams]
    assert len(diagrams) > 10
    undescribed = [
        f"{check.scheme} {check.page}: diagram {diagram}"
        for check, diagram in diagrams
        if diagram.ignored
        or "graphics-document" not in diagram.role
        or not diagram.alt.strip()
        or diagram.description != " ".join(diagram.alt.split())
    ]
    assert not undescribed, "\n".join(undescribed)
