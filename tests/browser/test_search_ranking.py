"""Search finds the lesson first: the site's scorer, run by Sphinx's own search page in Chromium.

``conf/_static/search_scorer.js`` ranks a page whose title holds every word of the query first,
then glossary terms, then an API name that is the query. Without it, Sphinx scores every page with
a query word in any section title alike, and the lesson on the topic sorts among them by name
("unit of work" put its lesson ninth). Each case opens ``search.html?q=…``, waits until the
page has listed every result, and reads the results in the order shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

if TYPE_CHECKING:
    from conftest import ContextFactory

M05 = "module-05-resources-failures-safe-evolution/"
M07 = "module-07-time-scheduling-concurrency-boundaries/"
API = "reference/api/public.html#service_monitoring."

# query -> the first results, in groups: a group of several is their places in any order
# (two lessons whose titles both hold the query tie, and either may come first)
EXPECTED: dict[str, list[set[str]]] = {
    "unit of work": [{M05 + "unit-of-work.html"}, {M05 + "glossary.html#term-unit-of-work"}],
    "retry": [
        {M05 + "idempotency-and-retries.html", M07 + "cancellation-retries-resumable-work.html"}
    ],
    "context manager": [
        {M05 + "resource-ownership.html"},
        {M05 + "glossary.html#term-context-manager"},
    ],
    "run_cycle": [{API + "MonitoringRuntime.run_cycle"}],
    "ConcurrencyConflict": [{API + "ConcurrencyConflict"}],
}
# Sphinx's search page shows its results one by one; this heading replaces "Searching" at the end.
FINISHED = "() => document.querySelector('#search-results h2')?.textContent === 'Search Results'"


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_the_page_on_the_topic_comes_first(
    new_context: ContextFactory, base_url: str, query: str
) -> None:
    page = new_context().new_page()
    page.goto(base_url + "search.html?" + urlencode({"q": query}))
    page.wait_for_function(FINISHED, timeout=30_000)
    links = page.locator("#search-results ul.search li > a")
    shown = [links.nth(index).get_attribute("href") or "" for index in range(links.count())]
    start = 0
    for group in EXPECTED[query]:
        assert set(shown[start : start + len(group)]) == group, shown[:5]
        start += len(group)


def test_the_site_uses_its_scorer(new_context: ContextFactory, base_url: str) -> None:
    page = new_context().new_page()
    page.goto(base_url + "search.html?q=retry")
    page.wait_for_function(FINISHED, timeout=30_000)
    assert page.evaluate("typeof Scorer.currentQuery") == "function"
    assert page.evaluate("Scorer.currentQuery().stems") == ["retri"]
