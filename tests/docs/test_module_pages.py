"""The module pages keep the sections their seeds specify, in the course's order, and every link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"

# The module's question and its lesson map come first, within the first screen; the
# position diagrams follow them.
COMMON_BEFORE = [
    "Purpose and the question to keep in view",
    "Lesson map",
    "Module position",
    "Preflight",
    "Learning outcomes",
    "Why this module matters",
    "Main questions",
    "Reading path",
    "Keep these support surfaces open",
]
# The honest completion signal is part of the closing criteria: questions with model answers.
COMMON_AFTER = [
    "Common failure modes",
    "Exercises",
    "Capstone connection",
    "Closing criteria",
    "Glossary",
]
MODULES = {
    "module-00-orientation": (
        ["Study route for the course"],
        [
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "../capstone/proof-guide.md",
            "../capstone/file-guide.md",
            # Module 00 has no glossary of its own: its words are the course glossary's
            "../reference/glossary.md",
        ],
    ),
    "module-01-object-semantics-data-model": (
        ["Review route for object semantics"],
        [
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "../capstone/file-guide.md",
            "glossary.md",
        ],
    ),
    "module-02-design-roles-interfaces-layering": (
        ["Review route for roles and layers"],
        [
            "../capstone/architecture.md",
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "../capstone/extension-guide.md",
            "glossary.md",
        ],
    ),
    "module-03-state-validation-typestate": (
        ["Review route for validation and lifecycle"],
        [
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "../capstone/file-guide.md",
            "glossary.md",
        ],
    ),
    "module-04-aggregates-events-collaboration-boundaries": (
        ["Review route for the aggregate and its events"],
        [
            "../capstone/walkthrough.md",
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "glossary.md",
        ],
    ),
    "module-05-resources-failures-safe-evolution": (
        ["Review route for failure ownership"],
        [
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "../capstone/architecture.md",
            "../capstone/file-guide.md",
            # also the seed's outcomes map: its "by module outcome" section
            "../capstone/proof-guide.md",
            "glossary.md",
        ],
    ),
    "module-06-persistence-serialization-schema-evolution": (
        ["Review route for the stored data"],
        [
            "../capstone/command-guide.md",
            "../capstone/decisions/index.md",
            "../capstone/file-guide.md",
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "glossary.md",
        ],
    ),
    "module-07-time-scheduling-concurrency-boundaries": (
        ["Review route for the running service"],
        [
            "../capstone/command-guide.md",
            "../capstone/architecture.md",
            "../capstone/file-guide.md",
            "../capstone/proof-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "glossary.md",
        ],
    ),
    "module-08-testing-contracts-verification-depth": (
        ["Review route for the test suites"],
        [
            "../capstone/proof-guide.md",
            "../capstone/file-guide.md",
            "../guides/pressure-routes.md",
            "../reference/self-review-prompts.md",
            "glossary.md",
        ],
    ),
    "module-09-public-apis-extension-governance": (
        ["Review route for the public surface"],
        [
            "../capstone/extension-guide.md",
            "../capstone/versioning-policy.md",
            "../capstone/decisions/index.md",
            "../reference/api/public.md",
            "../reference/api/storage.md",
            "../reference/api/testing.md",
            "../capstone/proof-guide.md",
            "../reference/self-review-prompts.md",
            "glossary.md",
        ],
    ),
    "module-10-performance-observability-security-review": (
        ["Operational audit route", "Audit questions to keep explicit"],
        [
            "../reference/self-review-prompts.md",
            "../capstone/walkthrough.md",
            "../capstone/command-guide.md",
            # also the seed's outcomes map and proof ladder: its "by module outcome" and
            # "how strong a proof does a claim need" sections
            "../capstone/proof-guide.md",
            "glossary.md",
        ],
    ),
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_page_has_every_section_in_order(module: str) -> None:
    text = (DOCS / module / "index.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings == COMMON_BEFORE + MODULES[module][0] + COMMON_AFTER
    assert text.count("```{mermaid}") + text.count("```mermaid") == 2


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_page_links_every_support_surface(module: str) -> None:
    text = (DOCS / module / "index.md").read_text(encoding="utf-8")
    for target in MODULES[module][1]:
        assert f"]({target}" in text, target
        assert (DOCS / module / target).resolve().is_file(), target


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_lesson_of_a_module_is_in_its_lesson_map(module: str) -> None:
    text = (DOCS / module / "index.md").read_text(encoding="utf-8")
    toctree = re.search(r"```\{toctree\}\n(.*?)```", text, flags=re.DOTALL)
    assert toctree is not None
    listed = {
        line.strip() for line in toctree.group(1).splitlines() if line.strip() and ":" not in line
    }
    pages = {path.stem for path in (DOCS / module).glob("*.md")} - {"index"}
    assert listed == pages
