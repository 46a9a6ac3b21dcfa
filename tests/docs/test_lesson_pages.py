"""Every lesson meets the course's bar (WRITING.md): the same checks for every module.

A lesson shows at least five executed examples, shows real capstone source (``literalinclude``),
links the capstone's API, cites a test that exists (``test_proof_guide.py`` checks that the
cited ids are collected), and ends with its failure modes, two to four exercises whose solutions
are executed, and the honest completion signal. ``python scripts/lesson_table.py`` prints the
figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lesson_anatomy import DOCS, Anatomy, lesson_pages

CLOSING = ("Common failure modes", "Exercises", "Honest completion signal")
PAGES = lesson_pages()


def test_every_written_module_has_lessons() -> None:
    modules = {page.parent.name for page in PAGES}
    assert {
        "module-01-object-semantics-data-model",
        "module-02-design-roles-interfaces-layering",
        "module-03-state-validation-typestate",
        "module-04-aggregates-events-collaboration-boundaries",
        "module-05-resources-failures-safe-evolution",
        "module-06-persistence-serialization-schema-evolution",
        "module-07-time-scheduling-concurrency-boundaries",
        "module-08-testing-contracts-verification-depth",
        "module-09-public-apis-extension-governance",
        "module-10-performance-observability-security-review",
    } <= modules


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(DOCS).as_posix())
def test_a_lesson_meets_the_bar(page: Path) -> None:
    part = Anatomy.of_page(page)
    assert part.examples >= 5, f"{part.examples} executed examples"
    assert part.literalincludes >= 1, "no capstone source shown"
    assert part.api_links >= 1, "no link into the capstone's API"
    assert part.cited_tests >= 1, "no test cited"
    assert part.headings[-3:] == CLOSING, part.headings
    assert 2 <= part.exercises <= 4, f"{part.exercises} exercises"
    assert part.solutions == part.exercises, "every exercise has an executed solution"
    assert 800 <= part.words <= 3200, f"{part.words} words of prose"


def test_the_anatomy_counts_what_a_page_shows() -> None:
    page = """# A lesson

Purpose in five words here.

```{testsetup}
hidden = 1
```

```{doctest}
>>> 1 + 1
2
```

```{literalinclude} ../../src/service_monitoring/domain/values.py
:pyobject: MetricSample
```

See {py:class}`service_monitoring.MetricSample` and
`tests/domain/test_values.py::test_naive_timestamps_are_a_domain_error_not_a_type_error`.

## Exercises

1. Do a thing.

   :::{dropdown} Solution
   ```{testcode}
   print(2)
   ```
   Because.
   :::

2. Another thing, with no executed solution.

   :::{dropdown} Solution
   Just words.
   :::
"""
    part = Anatomy.of(page)
    assert (part.examples, part.literalincludes, part.api_links, part.cited_tests) == (2, 1, 1, 1)
    assert (part.exercises, part.solutions) == (2, 1)
    assert part.headings == ("Exercises",)
    # prose only: the code, the output, the options and the source are not words of the lesson
    assert 20 <= part.words <= 35
