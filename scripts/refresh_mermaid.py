"""Vendor mermaid's ESM build into ``conf/_static/mermaid/`` so the site renders offline.

The site loads ``mermaid.esm.min.mjs``, which imports its diagram code from
``chunks/mermaid.esm.min/*.mjs`` on demand. Both are copied from the npm
registry's tarball of the pinned version; source maps, the other builds and the
type declarations are left out. Run it after changing ``VERSION``::

    python scripts/refresh_mermaid.py

It uses ``npm pack`` when npm is installed and downloads the registry tarball
otherwise; either way the tarball's SHA-512 is checked against the registry's
published integrity value.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from pathlib import Path

# Pinned; sphinxcontrib-mermaid 2.1.1 defaults to this version of mermaid 11.
VERSION = "11.12.1"
REGISTRY = "https://registry.npmjs.org"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "conf" / "_static" / "mermaid"
ENTRY = "package/dist/mermaid.esm.min.mjs"
CHUNKS = "package/dist/chunks/mermaid.esm.min/"


def _registry_metadata(version: str) -> dict[str, str]:
    url = f"{REGISTRY}/mermaid/{version}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
        dist: dict[str, str] = json.load(response)["dist"]
    return dist


def _download(version: str) -> bytes:
    """Return the tarball of ``mermaid@version``, by ``npm pack`` or plain HTTPS."""
    npm = shutil.which("npm")
    if npm:
        with tempfile.TemporaryDirectory() as scratch:
            subprocess.run(  # noqa: S603 (fixed arguments)
                [npm, "pack", f"mermaid@{version}", "--silent"],
                cwd=scratch,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            return (Path(scratch) / f"mermaid-{version}.tgz").read_bytes()
    url = f"{REGISTRY}/mermaid/-/mermaid-{version}.tgz"
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (fixed https URL)
        data: bytes = response.read()
    return data


def _check_integrity(tarball: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise SystemExit(f"unexpected integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise SystemExit("tarball does not match the registry's integrity value")


def _wanted(name: str) -> str | None:
    """The path under TARGET for a tarball member we keep, or None."""
    if name == ENTRY:
        return "mermaid.esm.min.mjs"
    if name == "package/LICENSE":
        return "LICENSE"
    if name.startswith(CHUNKS) and name.endswith(".mjs"):
        return "chunks/mermaid.esm.min/" + name.removeprefix(CHUNKS)
    return None


def vendor(version: str, target: Path) -> int:
    tarball = _download(version)
    _check_integrity(tarball, _registry_metadata(version)["integrity"])
    if target.exists():
        shutil.rmtree(target)
    total = 0
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            relative = _wanted(member.name)
            if relative is None or not member.isfile():
                continue
            source = archive.extractfile(member)
            assert source is not None
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(source.read())
            total += member.size
    (target / "VERSION").write_text(version + "\n")
    if not (target / "mermaid.esm.min.mjs").is_file():
        raise SystemExit(f"{ENTRY} missing from mermaid@{version}")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    total = vendor(args.version, args.target)
    files = sum(1 for path in args.target.rglob("*") if path.is_file())
    print(f"mermaid {args.version}: {files} files, {total / 1_000_000:.1f} MB in {args.target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
