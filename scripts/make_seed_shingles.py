"""Write the fingerprints of the seed pages that tests/docs/test_own_words.py compares against.

The seeds (``../shared/seeds/*.txt``, outside this repository) specify what the module
pages of Modules 05 and 10 contain, never their wording. This script stores one hash per
run of eight words of the seeds, so the test can measure how much of a page repeats them
without the repository holding a copy of their text. Run it when the seeds change::

    python scripts/make_seed_shingles.py [SEEDS_FOLDER]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from own_words import fingerprints  # noqa: E402

OUTPUT = ROOT / "tests" / "docs" / "seed_shingles.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("seeds", type=Path, nargs="?", default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args(argv)
    hashes: set[str] = set()
    for seed in sorted(args.seeds.glob("*.txt")):
        hashes |= fingerprints(seed.read_text(encoding="utf-8", errors="replace"))
    if not hashes:
        parser.error(f"no seed text found in {args.seeds}")
    OUTPUT.write_text("".join(f"{value}\n" for value in sorted(hashes)), encoding="utf-8")
    print(f"wrote {len(hashes)} fingerprints to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
