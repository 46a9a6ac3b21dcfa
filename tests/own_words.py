"""Fingerprints of prose: one hash per run of eight words, for measuring overlap with a source.

Shared by ``tests/docs/test_own_words.py`` and ``scripts/make_seed_shingles.py``. Code, diagram
and directive blocks are left out (they hold code and paths, not prose), and so are block
quotations (``> ...``): a sentence quoted on purpose, marked as a quotation, is not copying.
"""

from __future__ import annotations

import hashlib
import re

WORDS_PER_RUN = 8
_FENCED = re.compile(r"^(`{3,}|:{3,}).*?^\1\s*$", re.DOTALL | re.MULTILINE)
_WORD = re.compile(r"[a-z0-9']+")


def prose(markdown: str) -> str:
    """The page's running text: fenced blocks and block quotations removed."""
    text = _FENCED.sub(" ", markdown)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def fingerprints(text: str) -> set[str]:
    """A short hash of every run of eight words of *text*, case and punctuation aside."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    return {
        hashlib.sha256(" ".join(words[i : i + WORDS_PER_RUN]).encode()).hexdigest()[:16]
        for i in range(len(words) - WORDS_PER_RUN + 1)
    }
