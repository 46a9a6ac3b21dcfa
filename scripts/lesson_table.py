"""Print every lesson's figures: prose words, examples, API links, cited tests, sources, exercises.

    python scripts/lesson_table.py [module-folder ...]

The figures are those ``tests/docs/test_lesson_pages.py`` holds each lesson to.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from lesson_anatomy import DOCS, Anatomy, lesson_pages


def main(modules: list[str]) -> None:
    pages = [p for p in lesson_pages() if not modules or p.parent.name in modules]
    width = max(len(p.relative_to(DOCS).as_posix()) for p in pages)
    print(
        f"{'lesson':<{width}} {'words':>6} {'examples':>8} {'API links':>9}"
        f" {'tests cited':>11} {'sources':>7} {'exercises':>9}"
    )
    for page in pages:
        part = Anatomy.of_page(page)
        name = page.relative_to(DOCS).as_posix()
        print(
            f"{name:<{width}} {part.words:>6} {part.examples:>8} {part.api_links:>9}"
            f" {part.cited_tests:>11} {part.literalincludes:>7} {part.exercises:>9}"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
