"""The doctest gate fails when an example's output is wrong, and only then.

A gate that never fails proves nothing. On the session's copy of the site, the
doctest builder (same flags as `tox -e docs`) must pass as is, then fail once
one expected output on the home page is changed, naming that page.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Build, SphinxBuild

EXPECTED = "<Severity.CRITICAL: 'critical'>"
BROKEN = "<Severity.CRITICAL: 'fatal'>"


def test_doctests_pass_and_a_broken_one_fails(
    html_build: Build, sphinx_build: SphinxBuild, site_root: Path
) -> None:
    # html_build first: its doctree cache spares the doctest builder from re-reading pages.
    control = sphinx_build("doctest")
    assert control.warnings == "", "the doctest builder warned (-W):\n" + control.warnings
    assert control.returncode == 0, "the unchanged site fails its doctests:\n" + control.output
    assert "0 failures in tests" in control.output

    home = site_root / "docs" / "index.md"
    original = home.read_text()
    assert EXPECTED in original, "the home page's doctest changed: update this test"
    stat = home.stat()
    try:
        home.write_text(original.replace(EXPECTED, BROKEN, 1))
        broken = sphinx_build("doctest", str(home))
    finally:
        home.write_text(original)
        os.utime(home, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert broken.returncode != 0, "a wrong expected output passed the doctest builder"
    assert "1 failure in tests" in broken.output
    assert "Document: index" in broken.output
    assert BROKEN in broken.output
