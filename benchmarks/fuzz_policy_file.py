"""Fuzz the policy-file parser: any exception other than ``DomainError`` is a bug.

Run by ``tox -e fuzz`` (``benchmarks/fuzz_decode.py`` calls :func:`run_policy_fuzz`), or
alone. Hypothesis generates inputs of three families until ``--inputs`` calls of
``load_policy`` (bytes) or ``parse_policy`` (text) have been made (default 100,000):

* **near-valid documents** -- a policy with rules whose keys are right, misspelt or
  unknown and whose values are hostile (control characters, bidirectional overrides,
  lone surrogates, 4,000- to 6,000-digit integers, ``inf`` and ``nan``, arrays and
  tables where text belongs), rendered as TOML in several layouts, then re-encoded
  and mutated byte by byte;
* **deep and wide documents** -- arrays and inline tables nested up to 3,000 levels,
  long dotted keys and table headers, more rules than the limit;
* **arbitrary bytes and text**, alone or spliced into a valid policy.

Every input is also parsed with small limits (300 bytes, 2 rules) now and then, so the
size and count checks are reached too.

Prints ``policy file: 100000 inputs, 0 unexpected exceptions (… s)`` and exits 1 if any
input made the parser raise anything but ``DomainError``.

Usage: ``python benchmarks/fuzz_policy_file.py [--inputs N] [--seed N]``
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from hypothesis import given, seed
from hypothesis import strategies as st

import fuzzing
from service_monitoring import DomainError
from service_monitoring.cli.policy_file import load_policy, parse_policy


class PolicyLimits(TypedDict, total=False):
    """The limits ``load_policy`` and ``parse_policy`` take as keyword arguments."""

    max_bytes: int
    max_rules: int


#: (max_bytes, max_rules): the defaults, and small ones that the inputs reach.
LIMITS: tuple[PolicyLimits, ...] = ({}, {"max_bytes": 300, "max_rules": 2})
VALID = (
    'id = "checkout"\n\n[[rules]]\nrule_id = "latency-p99"\nmetric = "http.latency_ms"\n'
    'threshold = 250\nseverity = "critical"\nwindow = 1\nmode = "threshold"\nstate = "active"\n'
)
RULE_KEYS = ("rule_id", "metric", "threshold", "severity", "window", "mode", "state")


def parse(data: bytes | str, limits: PolicyLimits) -> None:
    """The function under test: bytes through ``load_policy``, text through ``parse_policy``."""
    if isinstance(data, bytes):
        load_policy(data, **limits)
    else:
        parse_policy(data, **limits)


# -- rendering TOML ------------------------------------------------------------------------------


def key(name: str) -> str:
    """A TOML key: bare when it can be, else a basic string."""
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else json.dumps(name, ensure_ascii=False)


def toml_value(value: object, literal: bool = False) -> str:
    """*value* as TOML; ``Raw`` is written as it is (a 5,000-digit integer, say)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        if literal and "'" not in value and "\n" not in value:
            return f"'{value}'"
        # JSON's escapes are TOML's; a lone surrogate stays raw (bytes: invalid UTF-8)
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(type(value).__name__)


@dataclass(frozen=True)
class Raw:
    """TOML text written unchanged."""

    text: str


# -- Hypothesis: near-valid documents -------------------------------------------------------

hostile_text = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="\x00\x07\x08\x1b\x7f\x85\x9b\u2028\u202e\ufeff\ud800a-[]", max_size=12),
    st.from_regex(r"[a-z][a-z0-9_.:-]{0,20}", fullmatch=True),
    st.text(alphabet="abc", min_size=60, max_size=300),
    st.sampled_from(["warning", "critical", "threshold", "consecutive", "rate_of_change",
                     "draft", "active", "retired", " padded ", "", "urgent"]),
)  # fmt: skip
huge_ints = st.integers(3_990, 6_000).map(lambda digits: Raw("9" * digits))
leaves = st.one_of(
    hostile_text,
    st.booleans(),
    st.integers(),
    st.integers(-(2**64), 2**64),
    st.floats(),
    huge_ints,
    st.sampled_from([Raw("0x" + "f" * 3000), Raw("1e400"), Raw("-0"), Raw("1_000")]),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
)
values = fuzzing.nested(leaves)
key_names = st.one_of(st.sampled_from(RULE_KEYS), st.sampled_from(["windw", "id"]),
                      st.text(max_size=8))  # fmt: skip


@st.composite
def rule_tables(draw: st.DrawFn) -> dict[str, object]:
    table: dict[str, object] = {
        "rule_id": draw(hostile_text),
        "metric": draw(hostile_text),
        "threshold": draw(st.one_of(st.integers(), st.floats(), huge_ints, values)),
        "severity": draw(hostile_text),
    }
    for name in draw(st.lists(key_names, max_size=3)):
        if name in table and draw(st.booleans()):
            del table[name]
        else:
            table[name] = draw(values)
    return table


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = [f"id = {toml_value(draw(st.one_of(hostile_text, values)), draw(st.booleans()))}"]
    for name in draw(st.lists(key_names, max_size=2)):
        lines.append(f"{key(name)} = {toml_value(draw(values))}")
    rules = draw(st.lists(rule_tables(), max_size=4))
    layout = draw(st.sampled_from(["array of tables", "inline", "table", "dotted"]))
    if layout == "inline":
        lines.append("rules = " + toml_value(rules))
    for index, rule in enumerate(rules):
        if layout == "array of tables":
            lines.append("[[rules]]")
        elif layout == "table" and index == 0:
            lines.append("[rules]")
        elif layout != "dotted":
            continue
        for name, value in rule.items():
            prefix = f"rules.r{index}." if layout == "dotted" else ""
            lines.append(f"{prefix}{key(name)} = {toml_value(value, draw(st.booleans()))}")
    return "\n".join(lines) + "\n"


# -- Hypothesis: deep and wide documents ----------------------------------------------------

OPENERS = {"array": ("[", "]"), "table": ("{a = ", "}"), "mixed": ("[{a = ", "}]")}


@st.composite
def deep_documents(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 3_000))
    shape = draw(st.sampled_from(["array", "table", "mixed", "dotted", "header", "rules"]))
    if shape in OPENERS:
        opener, closer = OPENERS[shape]
        closing = draw(st.integers(0, depth))  # an unbalanced document now and then
        return f'id = "c"\nx = {opener * depth}1{closer * closing}\n'
    if shape == "dotted":
        return 'id = "c"\n' + ".".join(["k"] * depth) + " = 1\n"
    if shape == "header":
        return 'id = "c"\n[' + ".".join(["t"] * depth) + "]\nv = 1\n"
    rule = 'rule_id = "r{0}"\nmetric = "m{0}"\nthreshold = 1\nseverity = "warning"\n'
    count = draw(st.one_of(st.integers(0, 5), st.integers(998, 1_002), st.integers(0, 100_000)))
    if count > 1_002 or draw(st.booleans()):  # empty tables: the count check comes first
        return 'id = "c"\n' + "[[rules]]\n" * count
    return 'id = "c"\n' + "".join("[[rules]]\n" + rule.format(n) for n in range(count))


def deep(tally: fuzzing.Tally[PolicyLimits], examples: int, seed_value: int) -> None:
    """Deep and wide documents, as text and as UTF-8 (2 inputs)."""

    @seed(seed_value)
    @fuzzing.hypothesis_settings(examples)
    @given(deep_documents())
    def run(text: str) -> None:
        tally.examples_run += 1
        tally.check(text)
        tally.check(text.encode("utf-8"))

    run()


def run_policy_fuzz(inputs: int, seed_value: int = 0) -> fuzzing.Tally[PolicyLimits]:
    """About half the inputs near-valid, a tenth deep or wide, the rest arbitrary."""
    tally = fuzzing.Tally("policy file", parse, LIMITS, DomainError)
    plan = (
        (fuzzing.structured(documents()), inputs // 2, 4),
        (deep, inputs * 6 // 10, 2),
        (fuzzing.arbitrary(VALID), inputs, 3),
    )
    return fuzzing.run_families(tally, plan, seed_value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="parser calls")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tally = run_policy_fuzz(args.inputs, args.seed)
    return 0 if tally.report(time.monotonic() - started) else 1


if __name__ == "__main__":
    sys.exit(main())
