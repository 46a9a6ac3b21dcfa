"""Docs build benchmark: seconds per page of the course site, each figure next to its target.

Run with ``tox -e bench-docs`` (or ``python benchmarks/docs_build.py`` in an
environment with the ``docs`` dependency group). Two kinds of figure:

* **Synthetic.** N lesson-shaped pages (headings, prose drawn from a
  Zipf-like vocabulary, doctest and testcode blocks, code and console fences, a
  mermaid diagram, an admonition, a dropdown, a table, glossary terms,
  cross-references between pages and into Python's docs), in modules of about
  12 pages under captioned toctrees like the real site's, are generated into a
  temporary folder and built with the real ``conf/`` for N in ``--sizes``
  (default 50, 100, 200). Each repeat starts from empty output and doctree
  folders and runs, with the flags of ``tox -e docs`` (``-n -W --keep-going``):
  the html build (with ``-j auto``, as ``tox -e docs`` builds it); the doctest
  build sharing its doctree cache, as ``tox -e docs`` runs it (the pages are
  not read again); and, shown without a target, the doctest build from an
  empty cache and, at the largest N, the html build without ``-j``. Growth is
  the html time at the largest N over the html time at half of it.
* **The real course.** A snapshot of the repository (``docs/`` includes files
  from ``src/``) is built the same way, then rebuilt with nothing changed (no-op)
  and after one lesson was edited. Other authors' pages may warn while they are
  being written, so these builds run without ``-W`` and report a warning count.

Every figure is the median of ``--repeats`` runs (default 3; ``--large-repeats``
at 150 pages and more). Times are wall-clock times of the whole
``sphinx-build`` process, interpreter start-up included, measured in one run,
so a busy machine shows as slower figures: rerun before trusting a miss. The
CPU time next to each (the process and its ``-j`` workers) shows what the
parallel build costs in total.

``--stock`` leaves the fix out: the three extensions in ``FIX_EXTENSIONS``
(``conf/_ext/``) and ``-j auto``: the figures before it. ``--floor`` adds, at the
largest N, Sphinx and MyST with as little as the pages allow (``FLOOR_CONF``: the
extensions their directives need, Sphinx's ``basic`` theme instead of furo, and
the speed-ups that do not depend on the theme), with and without ``-j auto``:
what Sphinx and MyST themselves cost for these pages.
``--sizes 5 --repeats 1 --no-course`` is the quick mode a test can run (about 6 s).

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from figures import Figure

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
# The fix: three local extensions (conf/_ext) and a parallel html build. --stock leaves
# them out and builds serially, as `tox -e docs` did before: the "before" figures.
FIX_EXTENSIONS = ("fast_navigation", "build_caches", "frozen_gc")
PARALLEL = ("-j", "auto")

# Targets (issue 8).
HTML_SECONDS_PER_PAGE = 0.040
DOCTEST_SECONDS_PER_PAGE = 0.015
GROWTH_WHEN_DOUBLED = 2.2
NOOP_REBUILD_SECONDS = 2.0
ONE_EDIT_REBUILD_SECONDS = 3.0
# Per-page targets hold at the largest size measured, if it has at least this many pages:
# on a handful of pages the interpreter's start-up is most of the time.
TARGET_MIN_PAGES = 100

# The flags of `tox -e docs` (its html build adds PARALLEL); the real course drops -W
# (see the module docstring).
STRICT_FLAGS = ("-n", "-W", "--keep-going", "-q")
COURSE_FLAGS = ("-n", "--keep-going", "-q")

# --floor: the least configuration that still builds the generated pages (their
# directives need these extensions), with Sphinx's own minimal theme instead of furo
# and the course's theme-independent speed-ups: what Sphinx and MyST themselves cost.
FLOOR_CONF = f"""\
import sys
sys.path.insert(0, {str(CONF / "_ext")!r})
project = "floor"
extensions = [
    "myst_parser", "sphinx.ext.doctest", "sphinx_design", "sphinxcontrib.mermaid",
    "build_caches", "frozen_gc",
]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_fence_as_directive = ["mermaid"]
html_theme = "basic"
"""

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


# --- running builds -------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, start to exit
    cpu_seconds: float  # user + system time of the process and its workers
    returncode: int
    warnings: str


def stock_extensions() -> str:
    """The ``extensions`` of conf.py without the fix: stock furo and Sphinx."""
    namespace = runpy.run_path(str(CONF / "conf.py"))
    return ",".join(name for name in namespace["extensions"] if name not in FIX_EXTENSIONS)


def sphinx_build(
    builder: str,
    source: Path,
    outdir: Path,
    doctrees: Path,
    *,
    flags: Sequence[str],
    overrides: Sequence[str] = (),
    conf: Path = CONF,
) -> Run:
    """One ``sphinx-build`` process, timed from start to exit."""
    warnings_file = outdir.parent / f"{outdir.name}-warnings.txt"
    command = [
        sys.executable,
        "-m",
        "sphinx",
        *flags,
        *overrides,
        "-b",
        builder,
        "-c",
        str(conf),
        "-d",
        str(doctrees),
        "-w",
        str(warnings_file),
        str(source),
        str(outdir),
    ]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cpu_before = _children_cpu_seconds()
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    seconds = time.perf_counter() - start
    cpu_seconds = _children_cpu_seconds() - cpu_before
    warnings = warnings_file.read_text() if warnings_file.exists() else ""
    if result.returncode and not warnings:
        warnings = result.stdout[-2000:] + result.stderr[-4000:]
    return Run(seconds, cpu_seconds, result.returncode, warnings)


def _children_cpu_seconds() -> float:
    """CPU time of the finished child processes (and their own children, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fresh(*folders: Path) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


# --- reporting ------------------------------------------------------------------


def per_page(name: str, runs: Sequence[Run], pages: int, limit: float | None) -> Figure:
    seconds = statistics.median(run.seconds for run in runs)
    cpu = statistics.median(run.cpu_seconds for run in runs)
    value = f"{seconds / pages * 1000:6.1f} ms/page ({seconds:6.2f} s, CPU {cpu:6.2f} s)"
    if limit is None:
        return Figure(name, value, "(shown)", True)
    return Figure(name, value, f"<= {limit * 1000:.0f} ms/page", seconds / pages <= limit)


def seconds_figure(name: str, runs: Sequence[Run], limit: float, note: str = "") -> Figure:
    seconds = statistics.median(run.seconds for run in runs)
    return Figure(name, f"{seconds:6.2f} s{note}", f"<= {limit:.0f} s", seconds <= limit)


def print_figure(figure: Figure) -> None:
    mark = "ok  " if figure.met else "MISS"
    print(f"  {mark} {figure.name:<42} {figure.value:<40} target {figure.target}", flush=True)


def clean(runs: Sequence[Run], what: str) -> list[Figure]:
    """A synthetic build must be warning-free, or the benchmark itself is broken."""
    bad = [run for run in runs if run.returncode or run.warnings]
    if not bad:
        return []
    print(f"{what} warned or failed:\n{bad[0].warnings}", file=sys.stderr)
    return [Figure(f"{what}: builds cleanly", "warned or failed", "no warnings", False)]


def report(figures: list[Figure], *new: Figure) -> None:
    for figure in new:
        print_figure(figure)
        figures.append(figure)


# --- the measurements ---------------------------------------------------------------


def measure_synthetic(
    work: Path,
    sizes: Sequence[int],
    repeats_for: Callable[[int], int],
    overrides: Sequence[str],
    parallel: Sequence[str],
) -> list[Figure]:
    """html, then doctest sharing its doctree cache (as `tox -e docs`), then doctest alone.

    At the largest size the html build is also timed serially (shown, no target),
    so the share of the parallel build is visible.
    """
    figures: list[Figure] = []
    html_seconds: dict[int, float] = {}
    largest = max(sizes)
    for pages in sorted(set(sizes)):
        docs = work / f"synthetic-{pages}" / "docs"
        write_synthetic_course(docs, pages)
        out = docs.parent
        serial_too = pages == largest and bool(parallel)
        html, doctest, alone, serial = [], [], [], []
        for _ in range(repeats_for(pages)):
            fresh(out / "html", out / "doctest", out / "doctrees", out / "alone")
            html.append(
                sphinx_build(
                    "html",
                    docs,
                    out / "html",
                    out / "doctrees",
                    flags=(*parallel, *STRICT_FLAGS),
                    overrides=overrides,
                )
            )
            doctest.append(
                sphinx_build(
                    "doctest",
                    docs,
                    out / "doctest",
                    out / "doctrees",
                    flags=STRICT_FLAGS,
                    overrides=overrides,
                )
            )
            alone.append(
                sphinx_build(
                    "doctest",
                    docs,
                    out / "alone",
                    out / "alone-doctrees",
                    flags=STRICT_FLAGS,
                    overrides=overrides,
                )
            )
            fresh(out / "alone-doctrees")
            if serial_too:
                fresh(out / "serial", out / "serial-doctrees")
                serial.append(
                    sphinx_build(
                        "html",
                        docs,
                        out / "serial",
                        out / "serial-doctrees",
                        flags=STRICT_FLAGS,
                        overrides=overrides,
                    )
                )
        runs = len(html)
        at_target = pages == largest >= TARGET_MIN_PAGES
        html_seconds[pages] = statistics.median(run.seconds for run in html)
        report(
            figures,
            per_page(
                f"html, {pages} pages (x{runs})",
                html,
                pages,
                HTML_SECONDS_PER_PAGE if at_target else None,
            ),
            *(
                [per_page(f"html without -j, {pages} pages (x{runs})", serial, pages, None)]
                if serial
                else []
            ),
            per_page(
                f"doctest after html, {pages} pages (x{runs})",
                doctest,
                pages,
                DOCTEST_SECONDS_PER_PAGE if at_target else None,
            ),
            per_page(f"doctest alone, {pages} pages (x{runs})", alone, pages, None),
            *clean(html + serial, f"html, {pages} pages"),
            *clean(doctest + alone, f"doctest, {pages} pages"),
        )
        shutil.rmtree(docs.parent)

    half = largest // 2
    if half in html_seconds and half != largest:
        growth = html_seconds[largest] / html_seconds[half]
        report(
            figures,
            Figure(
                f"html growth, {half} -> {largest} pages",
                f"{growth:.2f}x the time for 2x the pages",
                f"<= {GROWTH_WHEN_DOUBLED}x",
                growth <= GROWTH_WHEN_DOUBLED,
            ),
        )
    return figures


def measure_floor(work: Path, pages: int, repeats: int) -> list[Figure]:
    """Sphinx and MyST with as little as the pages allow (FLOOR_CONF): shown, no target."""
    conf = work / "floor-conf"
    conf.mkdir()
    (conf / "conf.py").write_text(FLOOR_CONF)
    docs = work / "floor" / "docs"
    write_synthetic_course(docs, pages)
    out = docs.parent
    serial, parallel = [], []
    for _ in range(repeats):
        for runs, flags in ((serial, ()), (parallel, PARALLEL)):
            fresh(out / "html", out / "doctrees")
            runs.append(
                sphinx_build(
                    "html", docs, out / "html", out / "doctrees", flags=(*flags, "-q"), conf=conf
                )
            )
    figures: list[Figure] = []
    report(
        figures,
        per_page(f"floor: Sphinx's basic theme, {pages} pages", serial, pages, None),
        per_page(f"floor: the same with -j auto, {pages} pages", parallel, pages, None),
        *clean(serial + parallel, "floor"),
    )
    shutil.rmtree(out)
    return figures


def edited_lesson(docs: Path) -> Path:
    """The lesson page the edit touches: the first lesson of the first module."""
    for page in sorted(docs.glob("module-*/*.md")):
        if page.stem not in {"index", "glossary"}:
            return page
    return next(page for page in sorted(docs.rglob("*.md")) if page.name != "index.md")


def measure_course(
    work: Path, repeats: int, overrides: Sequence[str], parallel: Sequence[str]
) -> list[Figure]:
    """The real docs/ tree: full html and doctest builds, a no-op rebuild, a one-lesson edit."""
    repo = work / "course"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED)
    docs, build = repo / "docs", repo / "_build"
    pages = sum(1 for _ in docs.rglob("*.md"))
    warned: set[str] = set()

    def run(builder: str, name: str, doctrees: str = "doctrees") -> Run:
        flags = (*parallel, *COURSE_FLAGS) if builder == "html" else COURSE_FLAGS
        result = sphinx_build(
            builder, docs, build / name, build / doctrees, flags=flags, overrides=overrides
        )
        warned.update(line for line in result.warnings.splitlines() if "WARNING" in line)
        return result

    html, doctest, alone, noop, edit = [], [], [], [], []
    lesson = edited_lesson(docs)
    original = lesson.read_text()
    try:
        for attempt in range(repeats):
            fresh(build)
            html.append(run("html", "html"))
            doctest.append(run("doctest", "doctest"))
            alone.append(run("doctest", "alone", "alone-doctrees"))
            noop.append(run("html", "html"))
            lesson.write_text(f"{original}\nAn edited paragraph, revision {attempt}.\n")
            edit.append(run("html", "html"))
    finally:
        lesson.write_text(original)

    figures: list[Figure] = []
    report(
        figures,
        per_page(f"course html (x{repeats})", html, pages, None),
        per_page(f"course doctest after html (x{repeats})", doctest, pages, None),
        per_page(f"course doctest alone (x{repeats})", alone, pages, None),
        seconds_figure(f"course no-op html rebuild (x{repeats})", noop, NOOP_REBUILD_SECONDS),
        seconds_figure(
            f"course html rebuild, one lesson edited (x{repeats})",
            edit,
            ONE_EDIT_REBUILD_SECONDS,
            f" ({lesson.relative_to(docs)})",
        ),
    )
    if warned:
        print(
            f"  note: the course builds warned ({len(warned)} distinct warnings, pages being"
            " written; `tox -e docs` lists them). Timings are still valid.",
            flush=True,
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of every figure")
    parser.add_argument(
        "--large-repeats", type=int, help="repeats at 150 pages and more (default: --repeats)"
    )
    parser.add_argument("--no-course", action="store_true", help="skip the real course")
    parser.add_argument("--stock", action="store_true", help="without the fix: the 'before'")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also build the largest size with Sphinx and MyST alone (basic theme)",
    )
    args = parser.parse_args(argv)
    if min(args.sizes) < MIN_PAGES:
        parser.error(f"a synthetic course has at least {MIN_PAGES} pages")
    repeats: int = args.repeats
    large_repeats: int = args.large_repeats or repeats

    overrides = ["-D", f"extensions={stock_extensions()}"] if args.stock else []
    parallel = () if args.stock else PARALLEL

    def repeats_for(pages: int) -> int:
        return large_repeats if pages >= 150 else repeats

    mode = (
        f"STOCK (without {', '.join(FIX_EXTENSIONS)}; html without -j)"
        if args.stock
        else f"as configured (html with {' '.join(PARALLEL)})"
    )
    print(
        f"docs build benchmark: {mode};"
        f" sizes {sorted(set(args.sizes))}; medians of {args.repeats} runs"
        f" ({large_repeats} at 150 pages and more); Python {sys.version.split()[0]},"
        f" {os.cpu_count()} CPUs",
        flush=True,
    )
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="docs-bench-"))
    try:
        figures = measure_synthetic(work, args.sizes, repeats_for, overrides, parallel)
        if args.floor:
            figures += measure_floor(work, max(args.sizes), repeats_for(max(args.sizes)))
        if not args.no_course:
            figures += measure_course(work, args.repeats, overrides, parallel)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    missed = [figure for figure in figures if not figure.met]
    print(
        f"{len(figures) - len(missed)}/{len(figures)} figures meet their target"
        f" (benchmark ran {time.perf_counter() - start:.0f} s)"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
