"""Docs build benchmark: seconds per page of the course site, each figure next to its target.

Run with ``tox -e bench-docs`` (or ``python benchmarks/docs_build.py`` in an
environment with the ``docs`` dependency group). Two kinds of figure:

* **Synthetic.** N lesson-shaped pages (headings, prose drawn from a
  Zipf-like vocabulary, doctest and testcode blocks, code and console fences, a
  mermaid diagram, an admonition, a dropdown, a table, glossary terms,
  cross-references between pages and into Python's docs), in modules of about
  12 pages under captioned toctrees like the real site's, are generated
  (``benchmarks/synthetic_course.py``, which the docs tests build too) into a
  temporary folder and built with the real ``conf/`` for N in ``--sizes``
  (default 50, 100, 200). Each repeat starts from empty output and doctree
  folders and runs, with the flags of ``tox -e docs`` (``-n -W --keep-going``):
  the html build (with ``-j auto``, as ``tox -e docs`` builds it); the doctest
  build sharing its doctree cache, as ``tox -e docs`` runs it (the pages are
  not read again); and, shown without a target, the doctest build from an
  empty cache and, at the largest N, the html build without ``-j``. Growth is
  the html time at the largest N over the html time at half of it.
* **The real course.** A snapshot of the repository (``docs/`` includes files
  from ``src/``) is built the same way (its first figure is the html and the
  doctest build together, from a clean tree: what ``tox -e docs`` costs, with a
  60 s target), then rebuilt with nothing changed (no-op) and after one lesson
  was edited. Other authors' pages may warn while they are
  being written, so these builds run without ``-W`` and report a warning count.

Every figure is the median of ``--repeats`` runs (default 3; ``--large-repeats``
at 150 pages and more). Times are wall-clock times of the whole
``sphinx-build`` process, interpreter start-up included, measured in one run,
so a busy machine shows as slower figures: rerun before trusting a miss. The
CPU time next to each (the process and its ``-j`` workers) shows what the
parallel build costs in total.

``--stock`` leaves the fix out: the extension in ``FIX_EXTENSIONS``
(``conf/_ext/``) and ``-j auto``: the figures before it. ``--floor`` adds, at the
largest N, Sphinx and MyST with as little as the pages allow (``FLOOR_CONF``: the
extensions their directives need and Sphinx's ``basic`` theme instead of furo),
with and without ``-j auto``:
what Sphinx and MyST themselves cost for these pages.
``--sizes 5 --repeats 1 --no-course`` is the quick mode a test can run (about 6 s).

``--ab-extensions NAME [NAME ...]`` measures only whether local extensions earn
their keep, and skips everything above (the synthetic sizes and the other course
figures). A snapshot of the real course is built with the html flags of
``tox -e docs`` (``-j auto -n --keep-going``, without ``-W`` as above), each build
from empty output and doctree folders, in these configurations: as configured;
without each named extension; and without all of them (when more than one is
named), each made by a ``-D extensions=...`` override of conf.py's list. After
one untimed warm-up build, every repeat builds each configuration once,
round-robin, each repeat starting one configuration later, so drift on a busy
machine hits every configuration alike. It prints each configuration's median
wall-clock and CPU seconds and, per extension, its saving: (median without it -
median as configured) / median without it, next to the rule that keeps an
extension only if it saves at least ``KEEP_SAVING`` (10 %) of the html build,
with a verdict line (KEEP or DROP) each. A DROP is a missed target, e.g.
``python benchmarks/docs_build.py --ab-extensions fast_navigation --repeats 5``.

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from figures import Figure
from synthetic_course import MIN_PAGES, NOT_COPIED, write_synthetic_course

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"
# The fix: a local extension (conf/_ext) and a parallel html build. --stock leaves them
# out and builds serially, as `tox -e docs` did before: the "before" figures.
FIX_EXTENSIONS = ("fast_navigation",)
PARALLEL = ("-j", "auto")

# Targets (issue 8).
HTML_SECONDS_PER_PAGE = 0.040
DOCTEST_SECONDS_PER_PAGE = 0.015
GROWTH_WHEN_DOUBLED = 2.2
NOOP_REBUILD_SECONDS = 2.0
# The whole course as `tox -e docs` builds it, html then doctest, from a clean tree (issue 16).
COURSE_SECONDS = 60.0
ONE_EDIT_REBUILD_SECONDS = 3.0
# --ab-extensions: an extension is kept only if the real course's html build is at least
# this much faster with it than without it, both measured in the same run.
KEEP_SAVING = 0.10
# Per-page targets hold at the largest size measured, if it has at least this many pages:
# on a handful of pages the interpreter's start-up is most of the time.
TARGET_MIN_PAGES = 100

# The flags of `tox -e docs` (its html build adds PARALLEL); the real course drops -W
# (see the module docstring).
STRICT_FLAGS = ("-n", "-W", "--keep-going", "-q")
COURSE_FLAGS = ("-n", "--keep-going", "-q")

# --floor: the least configuration that still builds the generated pages (their
# directives need these extensions), with Sphinx's own minimal theme instead of furo
# (the course's one speed-up is furo's navigation): what Sphinx and MyST themselves cost.
FLOOR_CONF = """\
project = "floor"
extensions = ["myst_parser", "sphinx.ext.doctest", "sphinx_design", "sphinxcontrib.mermaid"]
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist"]
myst_fence_as_directive = ["mermaid"]
html_theme = "basic"
"""

# --- running builds -------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float  # wall clock, start to exit
    cpu_seconds: float  # user + system time of the process and its workers
    returncode: int
    warnings: str


def configured_extensions() -> list[str]:
    """The ``extensions`` of conf.py."""
    extensions: list[str] = runpy.run_path(str(CONF / "conf.py"))["extensions"]
    return extensions


def stock_extensions() -> str:
    """The ``extensions`` of conf.py without the fix: stock furo and Sphinx."""
    return ",".join(name for name in configured_extensions() if name not in FIX_EXTENSIONS)


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


def course_snapshot(work: Path) -> tuple[Path, Path]:
    """A copy of the repository (``docs/`` includes files from ``src/``); its docs and build."""
    repo = work / "course"
    shutil.copytree(ROOT, repo, ignore=NOT_COPIED)
    return repo / "docs", repo / "_build"


def warning_lines(run: Run) -> set[str]:
    """The distinct warnings of a real-course build (its pages may warn while being written)."""
    return {line for line in run.warnings.splitlines() if "WARNING" in line}


def note_course_warnings(warned: set[str]) -> None:
    """Say that the real course's builds warned, if they did (timings stand all the same)."""
    if warned:
        print(
            f"  note: the course builds warned ({len(warned)} distinct warnings, pages being"
            " written?). Timings are still valid. The first of them:",
            flush=True,
        )
        for line in sorted(warned)[:5]:
            print(f"    {line[:300]}", flush=True)


def measure_course(
    work: Path, repeats: int, overrides: Sequence[str], parallel: Sequence[str]
) -> list[Figure]:
    """The real docs/ tree: full html and doctest builds, a no-op rebuild, a one-lesson edit."""
    docs, build = course_snapshot(work)
    pages = sum(1 for _ in docs.rglob("*.md"))
    warned: set[str] = set()

    def run(builder: str, name: str, doctrees: str = "doctrees") -> Run:
        flags = (*parallel, *COURSE_FLAGS) if builder == "html" else COURSE_FLAGS
        result = sphinx_build(
            builder, docs, build / name, build / doctrees, flags=flags, overrides=overrides
        )
        warned.update(warning_lines(result))
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

    both = [
        Run(h.seconds + d.seconds, h.cpu_seconds + d.cpu_seconds, h.returncode or d.returncode, "")
        for h, d in zip(html, doctest, strict=True)
    ]
    figures: list[Figure] = []
    report(
        figures,
        seconds_figure(
            f"course html + doctest, clean (x{repeats})", both, COURSE_SECONDS, f" ({pages} pages)"
        ),
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
    note_course_warnings(warned)
    return figures


@dataclass(frozen=True)
class Configuration:
    """One side of the A/B: a name and the ``-D`` overrides that make it."""

    name: str
    overrides: tuple[str, ...] = ()


def ab_configurations(left_out: Sequence[str]) -> list[Configuration]:
    """As configured; without each named extension; without all of them (if more than one)."""
    extensions = configured_extensions()

    def without(names: Sequence[str]) -> Configuration:
        kept = ",".join(name for name in extensions if name not in names)
        return Configuration(f"without {', '.join(names)}", ("-D", f"extensions={kept}"))

    configurations = [Configuration("as configured"), *(without([name]) for name in left_out)]
    if len(left_out) > 1:
        configurations.append(without(left_out))
    return configurations


def measure_extensions_ab(work: Path, left_out: Sequence[str], repeats: int) -> list[Figure]:
    """The real course's html build with and without each named extension, alternated.

    One untimed build as configured warms the file cache; then each repeat builds every
    configuration once, round-robin (each repeat starting one configuration later), from
    empty output and doctree folders, so drift on a busy machine hits every side alike.
    """
    docs, build = course_snapshot(work)
    configurations = ab_configurations(left_out)
    runs: dict[str, list[Run]] = {configuration.name: [] for configuration in configurations}
    warned: set[str] = set()

    def run(configuration: Configuration) -> Run:
        fresh(build)
        result = sphinx_build(
            "html",
            docs,
            build / "html",
            build / "doctrees",
            flags=(*PARALLEL, *COURSE_FLAGS),
            overrides=configuration.overrides,
        )
        warned.update(warning_lines(result))
        return result

    warm_up = run(configurations[0])
    print(f"  warm-up build as configured: {warm_up.seconds:.2f} s (not counted)", flush=True)
    for attempt in range(repeats):
        shift = attempt % len(configurations)
        done = []
        for configuration in configurations[shift:] + configurations[:shift]:
            result = run(configuration)
            runs[configuration.name].append(result)
            done.append(f"{configuration.name} {result.seconds:.2f} s")
        print(f"  repeat {attempt + 1}/{repeats}: {'; '.join(done)}", flush=True)

    def median(name: str) -> tuple[float, float]:
        return (
            statistics.median(run.seconds for run in runs[name]),
            statistics.median(run.cpu_seconds for run in runs[name]),
        )

    figures: list[Figure] = []
    for configuration in configurations:
        seconds, cpu = median(configuration.name)
        wall = [run.seconds for run in runs[configuration.name]]
        report(
            figures,
            Figure(
                f"course html, {configuration.name} (x{repeats})",
                f"{seconds:6.2f} s, CPU {cpu:6.2f} s (wall {min(wall):.2f}-{max(wall):.2f} s)",
                "(shown)",
                True,
            ),
        )
    configured, configured_cpu = median(configurations[0].name)
    verdicts = []
    for configuration in configurations[1:]:
        without_it, without_it_cpu = median(configuration.name)
        saving = (without_it - configured) / without_it
        cpu_saving = (without_it_cpu - configured_cpu) / without_it_cpu
        named = configuration.name.removeprefix("without ")
        single = named in left_out
        report(
            figures,
            Figure(
                f"saving of {named}" if single else f"saving of {named} together",
                f"{saving:+6.1%} of html time (CPU {cpu_saving:+6.1%})",
                f">= {KEEP_SAVING:.0%} to keep" if single else "(shown)",
                saving >= KEEP_SAVING or not single,
            ),
        )
        if single:
            verdict = "keep" if saving >= KEEP_SAVING else "drop"
            verdicts.append(
                f"  verdict: {named}: {verdict.upper()} (saves {saving:.1%} of the html build,"
                f" threshold {KEEP_SAVING:.0%})"
            )
    for line in verdicts:
        print(line, flush=True)
    failed = [run for results in runs.values() for run in results if run.returncode]
    if failed or warm_up.returncode:
        print(f"a course html build failed:\n{(failed or [warm_up])[0].warnings}", file=sys.stderr)
        figures.append(Figure("course html builds succeed", "one failed", "all succeed", False))
    note_course_warnings(warned)
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
    parser.add_argument(
        "--ab-extensions",
        nargs="+",
        metavar="NAME",
        help="only the real course's html build, with and without each of these extensions",
    )
    args = parser.parse_args(argv)
    if args.ab_extensions:
        return main_ab(parser, args)
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

    def measure(work: Path) -> list[Figure]:
        figures = measure_synthetic(work, args.sizes, repeats_for, overrides, parallel)
        if args.floor:
            figures += measure_floor(work, max(args.sizes), repeats_for(max(args.sizes)))
        if not args.no_course:
            figures += measure_course(work, args.repeats, overrides, parallel)
        return figures

    return run_benchmark(measure)


def main_ab(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``--ab-extensions``: the extensions' A/B on the real course, nothing else.

    The synthetic sizes and the other course figures are skipped (``--sizes``,
    ``--large-repeats`` and ``--no-course`` do not apply).
    """
    left_out: list[str] = args.ab_extensions
    repeats: int = args.repeats
    if args.stock or args.floor:
        parser.error("--ab-extensions measures the configured build: no --stock or --floor")
    unknown = sorted(set(left_out) - set(configured_extensions()))
    if unknown:
        parser.error(f"--ab-extensions: not in conf.py's extensions: {', '.join(unknown)}")
    if len(set(left_out)) != len(left_out):
        parser.error("--ab-extensions: each extension once")
    print(
        f"docs build benchmark: A/B of {', '.join(left_out)} on the real course's html build"
        f" ({' '.join((*PARALLEL, *COURSE_FLAGS))}); medians of {repeats} runs per"
        f" configuration, alternated round-robin; keep at >= {KEEP_SAVING:.0%} saved;"
        f" Python {sys.version.split()[0]}, {os.cpu_count()} CPUs",
        flush=True,
    )
    return run_benchmark(lambda work: measure_extensions_ab(work, left_out, repeats))


def run_benchmark(measure: Callable[[Path], list[Figure]]) -> int:
    """*measure* in a temporary folder, then the count of figures met; 1 if any missed."""
    start = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="docs-bench-"))
    try:
        figures = measure(work)
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
