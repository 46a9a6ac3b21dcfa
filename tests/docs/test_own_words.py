"""Every page is written in our own words: at most a few runs of eight words repeat the seeds.

The seeds specify what the module pages of Modules 05 and 10 contain, not their wording
(``../shared/WRITING.md``). ``tests/docs/seed_shingles.txt`` holds a hash of every run of eight
words of the seed texts (``scripts/make_seed_shingles.py`` writes it), so this test needs no
copy of them. Short shared runs are expected -- a module title, a lesson name, a standard
phrase -- so a page may share a handful; a paragraph taken over shares dozens. A module
question quoted on purpose stands in a block quotation (``> ...``) and is not counted.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from own_words import fingerprints, prose

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SEEDS = {line for line in (Path(__file__).parent / "seed_shingles.txt").read_text().split()}
MAX_SHARED_RUNS = 8
# A version of the Module 05 page from before it was rewritten: the check must flag it.
COPIED_VERSION = "52b4836:docs/module-05-resources-failures-safe-evolution/index.md"


def shared_runs(markdown: str) -> int:
    return len(fingerprints(prose(markdown)) & SEEDS)


def test_the_fingerprints_cover_both_seed_pages() -> None:
    assert len(SEEDS) > 1000


@pytest.mark.parametrize(
    "page", sorted(DOCS.rglob("*.md")), ids=lambda page: page.relative_to(DOCS).as_posix()
)
def test_a_page_repeats_at_most_a_few_runs_of_the_seeds(page: Path) -> None:
    shared = shared_runs(page.read_text(encoding="utf-8"))
    assert shared <= MAX_SHARED_RUNS, (
        f"{page.relative_to(ROOT)} repeats {shared} eight-word runs of the seed texts; "
        "write those sections in our own words (quote a sentence only in a block quotation)"
    )


def test_the_check_flags_a_page_that_copies_the_seed() -> None:
    copied = subprocess.run(
        ["git", "show", COPIED_VERSION], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert shared_runs(copied) > 100


def test_a_quoted_sentence_is_not_counted() -> None:
    sentence = "one two three four five six seven eight nine ten eleven twelve"
    assert fingerprints(prose(f"> {sentence}\n")) == set()
    assert len(fingerprints(prose(f"{sentence}\n"))) == 5
