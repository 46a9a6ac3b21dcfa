"""The decision records keep the shape and the status rules that their index page states.

``docs/capstone/decisions/index.md`` says what a record is: the sections Status, Date, Context,
Decision, Options considered, Consequences and Evidence, in that order; a status that is
Proposed, Accepted or "Superseded by NNNN", linked to record NNNN; an Accepted record whose
Evidence cites tests; a record that is replaced stays, links to its successor, and the successor
links back to it. These tests hold every record to that, and the index to the list of records.
That each cited test id is collected is checked by ``tests/docs/test_proof_guide.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DECISIONS = ROOT / "docs" / "capstone" / "decisions"
INDEX = DECISIONS / "index.md"
SECTIONS = (
    "Status",
    "Date",
    "Context",
    "Decision",
    "Options considered",
    "Consequences",
    "Evidence",
)
STATUS = re.compile(r"(Proposed|Accepted|Superseded by \[(\d{4})\]\((\d{4})-[a-z0-9-]+\.md\))\.")
CITED_TEST = re.compile(r"`tests/[\w/]+\.py::\w+`")
FILE_NAME = re.compile(r"(\d{4})-[a-z0-9-]+\.md")


@dataclass(frozen=True)
class Record:
    path: Path
    number: str
    title: str
    sections: dict[str, str]

    @property
    def status(self) -> str:
        return self.sections.get("Status", "")


def parse(path: Path, text: str) -> Record:
    first, _, rest = text.partition("\n")
    number, _, title = first.removeprefix("# ").partition(". ")
    found = re.findall(r"^## ([^\n]+)\n(.*?)(?=^## |\Z)", rest, re.M | re.S)
    return Record(path, number, title, {heading: body.strip() for heading, body in found})


def records() -> list[Record]:
    paths = sorted(DECISIONS.glob("[0-9][0-9][0-9][0-9]-*.md"))
    return [parse(path, path.read_text(encoding="utf-8")) for path in paths]


def problems(record: Record, numbers: set[str], texts: dict[str, str]) -> list[str]:
    """What is wrong with one record, given every record's number and text."""
    found = []
    if tuple(record.sections) != SECTIONS:
        found.append(f"sections {list(record.sections)}")
    status = STATUS.match(record.status)
    if status is None:
        found.append(f"status {record.status[:40]!r}")
    elif status.group(1) == "Accepted" and not CITED_TEST.search(record.sections["Evidence"]):
        found.append("accepted, but its Evidence cites no test")
    elif status.group(2) is not None:
        successor = status.group(2)
        if status.group(3) != successor:
            found.append(f"superseded by {successor}, but the link points at {status.group(3)}")
        elif successor not in numbers or successor == record.number:
            found.append(f"superseded by {successor}, which is not another record")
        elif f"({record.number}-" not in texts[successor]:
            found.append(f"superseded by {successor}, which does not link back to it")
    return found


RECORDS = records()


def test_there_are_records() -> None:
    assert [record.number for record in RECORDS][:2] == ["0001", "0002"]


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.path.name)
def test_a_record_has_its_sections_in_order_and_a_valid_status(record: Record) -> None:
    numbers = {other.number for other in RECORDS}
    texts = {other.number: other.path.read_text(encoding="utf-8") for other in RECORDS}
    assert problems(record, numbers, texts) == []


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.path.name)
def test_a_records_number_is_its_file_name_and_the_index_lists_it(record: Record) -> None:
    name = FILE_NAME.fullmatch(record.path.name)
    assert name is not None and name.group(1) == record.number, record.path.name
    index = INDEX.read_text(encoding="utf-8")
    assert f"\n{record.path.stem}\n" in index, "not in the index's toctree"
    assert f"[{record.number}]({record.path.name})" in index, "not in the index's table"


def test_the_numbers_run_without_gaps() -> None:
    numbers = [int(record.number) for record in RECORDS]
    assert numbers == list(range(1, len(numbers) + 1))


def test_the_checks_catch_a_bad_status_and_a_dangling_successor() -> None:
    """The same checks, on records written to break them, report each break."""
    body = "".join(f"## {heading}\n\nText.\n\n" for heading in SECTIONS[1:])
    texts = {"0001": "# 0001. One\n", "0002": "# 0002. Two\n"}
    numbers = set(texts)

    def check(number: str, status: str, extra: str = "") -> list[str]:
        text = f"# {number}. A choice\n\n## Status\n\n{status}\n\n{body}{extra}"
        return problems(parse(Path(f"{number}-a-choice.md"), text), numbers, texts)

    assert check("0001", "Superseded by [0002](0002-two.md).") == [
        "superseded by 0002, which does not link back to it"
    ]
    assert check("0001", "Superseded by [0009](0009-nine.md).") == [
        "superseded by 0009, which is not another record"
    ]
    assert check("0001", "Superseded by [0002](0003-three.md).") == [
        "superseded by 0002, but the link points at 0003"
    ]
    assert check("0001", "Superseded by 0002.") == ["status 'Superseded by 0002.'"]
    assert check("0001", "Accepted.") == ["accepted, but its Evidence cites no test"]
    assert check("0001", "Rejected.") == ["status 'Rejected.'"]
    assert check("0001", "Proposed.") == []
    assert check("0001", "Proposed.", "## Notes\n\nMore.\n") == [f"sections {[*SECTIONS, 'Notes']}"]
    texts["0002"] += "It supersedes [0001](0001-one.md).\n"
    assert check("0001", "Superseded by [0002](0002-two.md).") == []
