"""The docs build benchmark's lesson-shaped pages, and what a snapshot of the repository leaves out.

Shared by ``benchmarks/docs_build.py`` (``tox -e bench-docs``) and the docs tests
(``tests/docs/``, which import it through pytest's ``pythonpath``), so the tests
check the very pages whose build speed is measured.

``write_synthetic_course(docs, pages)`` writes ``pages`` lesson-shaped pages
(headings, prose drawn from a Zipf-like vocabulary, doctest and testcode blocks,
code and console fences, a mermaid diagram, an admonition, a dropdown, a table,
glossary terms, cross-references between pages and into Python's docs) in
modules of about 12 pages under captioned toctrees like the real site's.
``NOT_COPIED`` is the ``ignore`` of :func:`shutil.copytree` for a snapshot of
the repository: output, caches and VCS data.
"""

from __future__ import annotations

import random
import shutil
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# What a snapshot of the repository leaves out.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".tox",
    "_build",
    "build",
    "dist",
    ".venv",
    "venv",
    "__pycache__",
    "*.egg-info",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
)


# --- the synthetic course -------------------------------------------------------

LESSONS_PER_MODULE = 10  # each module: index, LESSONS_PER_MODULE lessons, glossary
MIN_PAGES = 5  # the home page, a guide and one module of index, lesson and glossary


def _words(text: str) -> list[str]:
    return text.split()


COMMON_WORDS = _words(
    "the of and to a in is that it for as with be on not this are by or what from an which "
    "when its one each only no every who has can before after so must never"
)
DOMAIN_WORDS = _words(
    "object invariant boundary owner resource policy rule sample aggregate event store "
    "commit rollback version snapshot caller contract failure retry outbox sink metric "
    "threshold severity incident window clock transaction identity value protocol mode "
    "registry projection release cleanup lifetime handle connection copy state change"
)
SYLLABLES = _words("ar be co de en fi ga il ko lu ma ne or pa qui re si ta un ve wo xa yo ze")


def _vocabulary(rng: random.Random, size: int = 3000) -> tuple[list[str], list[float]]:
    """Words and cumulative weights: common words first, then a Zipf-like tail.

    A real course uses thousands of distinct words with a few very frequent
    ones; the search index and its stemmer see that mix.
    """
    words = COMMON_WORDS + DOMAIN_WORDS
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word + rng.choice(("", "s", "ed", "ing", "ly", "ness")))
    total, cumulative = 0.0, []
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


VOCABULARY = _vocabulary(random.Random(1))
TERMS = ("invariant", "resource owner", "failure boundary", "value object", "idempotent step")


@dataclass(frozen=True)
class Lesson:
    module: int
    number: int  # 1-based within the module

    @property
    def slug(self) -> str:
        return f"lesson-{self.number:02d}"

    @property
    def label(self) -> str:
        return f"m{self.module:02d}-{self.slug}"

    @property
    def title(self) -> str:
        return f"Lesson {self.module}.{self.number}: ownership pattern {self.number}"


def _prose(rng: random.Random, sentences: int) -> str:
    text = []
    for _ in range(sentences):
        words = rng.choices(VOCABULARY[0], cum_weights=VOCABULARY[1], k=rng.randint(9, 18))
        text.append(" ".join(words).capitalize() + ".")
    return textwrap.fill(" ".join(text), width=100)


def _lesson_page(lesson: Lesson, lessons: Sequence[Lesson], rng: random.Random) -> str:
    """One lesson: about 200 lines, with the block types the real lessons use."""
    other = rng.choice(lessons)
    term = rng.choice(TERMS)
    n = lesson.number
    sections = [
        f"({lesson.label})=\n# {lesson.title}\n",
        _prose(rng, 5),
        f"It builds on {{ref}}`{other.label}` and on the {{term}}`{term}` of this module;"
        f" Python's {{py:class}}`dict` and {{py:func}}`copy.deepcopy` do the bookkeeping.\n",
        "## The idea in a few lines\n",
        _prose(rng, 4),
        textwrap.dedent(
            f"""\
            ```{{testcode}}
            import copy


            class Ledger{n}:
                \"\"\"Private working copies, written back together on commit.\"\"\"

                def __init__(self, store):
                    self._store = store
                    self._working = {{}}

                def get(self, key):
                    if key not in self._working:
                        self._working[key] = copy.deepcopy(self._store[key])
                    return self._working[key]

                def commit(self):
                    self._store.update(self._working)


            limits = {{"checkout": {{"replicas": {n}}}, "billing": {{"replicas": 1}}}}
            ledger = Ledger{n}(limits)
            ledger.get("checkout")["replicas"] += 1
            print(limits["checkout"], ledger.get("checkout"))
            ```

            ```{{testoutput}}
            {{'replicas': {n}}} {{'replicas': {n + 1}}}
            ```
            """
        ),
        _prose(rng, 4),
        textwrap.dedent(
            f"""\
            ```{{doctest}}
            >>> ledger.commit()
            >>> limits["checkout"]
            {{'replicas': {n + 1}}}
            >>> sorted(limits)
            ['billing', 'checkout']
            >>> limits["missing"]
            Traceback (most recent call last):
              ...
            KeyError: 'missing'
            ```
            """
        ),
        "## How the capstone does it\n",
        _prose(rng, 6),
        textwrap.dedent(
            """\
            ```{mermaid}
            :alt: A caller loads a copy, changes it and commits; the store applies all or nothing.
            :caption: One change, applied whole or not at all.

            sequenceDiagram
              participant C as caller
              participant U as unit of work
              participant S as store
              C->>U: get("checkout")
              U->>S: load("checkout")
              S-->>U: version 1 and a private copy
              C->>U: commit()
              U->>S: apply every change, or none
            ```
            """
        ),
        _prose(rng, 3),
        textwrap.dedent(
            """\
            ```{doctest}
            >>> from service_monitoring import Severity
            >>> Severity("critical") == "critical"
            True
            >>> Severity("warning").value
            'warning'
            ```
            """
        ),
        "### What a reader should notice\n",
        _prose(rng, 4),
        "| Exit | Outcome | Proof |\n| --- | --- | --- |\n"
        + "".join(
            f"| exit {k} | {' '.join(rng.choices(DOMAIN_WORDS, k=4))} | test {k} |\n"
            for k in range(4)
        ),
        textwrap.dedent(
            """\
            ```python
            with unit_of_work(store) as uow:
                policy = uow.policies.get("checkout")
                policy.activate_rule("latency")
                uow.commit()
            ```

            ```console
            $ service-monitoring --help
            ```
            """
        ),
        ":::{admonition} Why not repair instead of forget?\n" + _prose(rng, 3) + "\n:::\n",
        "## Exercises\n",
        f"1. {_prose(rng, 2)}\n2. {_prose(rng, 2)}\n",
        textwrap.dedent(
            f"""\
            :::{{dropdown}} Solution {n}
            ```{{testcode}}
            attempts = [attempt for attempt in range(1, 4) if attempt * {n} > 2]
            print(attempts[0])
            ```

            ```{{testoutput}}
            {next(a for a in range(1, 4) if a * n > 2)}
            ```
            :::
            """
        ),
        "## Check yourself\n",
        "".join(f"- {_prose(rng, 1)}\n" for _ in range(4)),
        f"Next: {{doc}}`the module glossary <glossary>`, or [{other.title}]"
        f"(../module-{other.module:02d}/{other.slug}.md).\n",
    ]
    return "\n".join(sections)


def _module_index(module: int, lessons: Sequence[Lesson], rng: random.Random) -> str:
    entries = "\n".join(lesson.slug for lesson in lessons)
    return (
        f"# Module {module:02d}: object design {module}\n\n{_prose(rng, 6)}\n\n"
        f"```{{toctree}}\n:maxdepth: 1\n\n{entries}\nglossary\n```\n"
    )


def _glossary(module: int, rng: random.Random) -> str:
    terms = "\n".join(f"{term}\n{textwrap.indent(_prose(rng, 2), '  ')}\n" for term in TERMS)
    return f"# Glossary of module {module:02d}\n\n```{{glossary}}\n{terms}```\n"


def write_synthetic_course(docs: Path, pages: int, seed: int = 8) -> int:
    """Write a course of exactly ``pages`` pages (at least 5) into ``docs``; return the count.

    Root index, a start-here guide, modules (index, lessons, glossary) and a
    reference page (from 6 pages on), in nested toctrees with captions like the real site's.
    """
    if pages < MIN_PAGES:
        raise ValueError(f"a synthetic course has at least {MIN_PAGES} pages")
    rng = random.Random(seed)
    with_reference = pages > MIN_PAGES
    budget = pages - 2 - with_reference  # index, guides/start-here, reference/index
    sizes = []
    while budget > 0:
        size = min(budget, LESSONS_PER_MODULE + 2)
        if 0 < budget - size < 3:  # leave no remainder too small for index, lesson, glossary
            size = budget - 3
        sizes.append(size)
        budget -= size
    modules = {
        m: [Lesson(m, k) for k in range(1, size - 1)] for m, size in enumerate(sizes, start=1)
    }
    glossary_owner = 1  # module 01's glossary defines the terms
    all_lessons = [lesson for lessons in modules.values() for lesson in lessons]
    if docs.exists():
        shutil.rmtree(docs)
    for m, lessons in modules.items():
        folder = docs / f"module-{m:02d}"
        folder.mkdir(parents=True)
        (folder / "index.md").write_text(_module_index(m, lessons, rng))
        if m == glossary_owner:
            (folder / "glossary.md").write_text(_glossary(m, rng))
        else:  # a term is defined once, or the build warns
            (folder / "glossary.md").write_text(
                f"# Glossary of module {m:02d}\n\nThe terms are defined in "
                f"{{doc}}`the first glossary </module-{glossary_owner:02d}/glossary>`.\n"
            )
        for lesson in lessons:
            (folder / f"{lesson.slug}.md").write_text(_lesson_page(lesson, all_lessons, rng))
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "start-here.md").write_text(f"# Start here\n\n{_prose(rng, 8)}\n")
    module_entries = "\n".join(f"module-{m:02d}/index" for m in modules)
    toctrees = [
        "```{toctree}\n:caption: Start here\n:hidden:\n\nguides/start-here\n```\n",
        f"```{{toctree}}\n:caption: Modules\n:hidden:\n\n{module_entries}\n```\n",
    ]
    if with_reference:
        (docs / "reference").mkdir(parents=True)
        (docs / "reference" / "index.md").write_text(f"# Reference\n\n{_prose(rng, 4)}\n")
        toctrees.append("```{toctree}\n:caption: Reference\n:hidden:\n\nreference/index\n```\n")
    (docs / "index.md").write_text(
        f"# Synthetic course\n\n{_prose(rng, 6)}\n\n" + "\n".join(toctrees)
    )
    count = sum(1 for _ in docs.rglob("*.md"))
    assert count == pages, (count, pages)
    return count
