"""What both fuzzers share: Hypothesis settings, the tally, nested values, byte mutations and
the near-valid and arbitrary input families.

``benchmarks/fuzz_decode.py`` and ``benchmarks/fuzz_policy_file.py`` import it; it runs
nothing by itself.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

CHUNK = 2_000  # Hypothesis examples per run: its memory grows with the examples of one run
ENCODINGS = ("utf-8", "utf-16", "latin-1")

Limits = TypeVar("Limits")


@dataclass
class Tally(Generic[Limits]):
    """Counts the inputs tried and keeps the first few that broke the contract.

    The contract: ``function(data, limits)`` raises nothing but *expected*. Every input is
    tried with ``limits[0]``, and every seventh one with the other limits too.
    """

    name: str
    function: Callable[[bytes | str, Limits], object]
    limits: tuple[Limits, ...]
    expected: type[Exception] | tuple[type[Exception], ...]
    inputs: int = 0
    examples_run: int = 0
    unexpected: int = 0
    examples: list[str] = field(default_factory=list)

    def check(self, data: bytes | str) -> None:
        """Feed *data* to the function under test; note any exception not expected."""
        for limits in self.limits if self.inputs % 7 == 0 else self.limits[:1]:
            self.inputs += 1
            try:
                self.function(data, limits)
            except self.expected:
                pass
            except Exception:  # the contract under test: nothing else may escape
                self.unexpected += 1
                if len(self.examples) < 5:
                    self.examples.append(f"input {data[:200]!r}\n{traceback.format_exc()}")

    def report(self, seconds: float) -> bool:
        """Print the tally's line and the first failing inputs; whether none failed."""
        print(
            f"{self.name}: {self.inputs} inputs, {self.unexpected} unexpected exceptions "
            f"({self.examples_run} examples, {seconds:.0f} s)"
        )
        for example in self.examples:
            print(example)
        return self.unexpected == 0


#: One input family: ``family(tally, examples, seed)`` runs Hypothesis for that many examples.
Family: TypeAlias = Callable[[Tally[Any], int, int], None]


def hypothesis_settings(examples: int) -> settings:
    """Generate *examples* inputs, no shrinking, database, deadline or health checks."""
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def run_families(
    tally: Tally[Limits], plan: Sequence[tuple[Family, int, int]], seed_value: int
) -> Tally[Limits]:
    """Run each family until the tally reaches its target, given its inputs per example."""
    for family, target, per_example in plan:
        while tally.inputs < target:
            examples = math.ceil((target - tally.inputs) / per_example)
            family(tally, min(examples, CHUNK), seed_value)  # chunks keep memory flat
            seed_value += 1
    return tally


# -- nested values and byte mutations -------------------------------------------------------


def nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """*leaves*, and small lists and dictionaries of them, up to five leaves in all."""
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
        max_leaves=5,
    )


mutations = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.sampled_from(["delete", "insert", "flip"]),
        st.binary(min_size=1, max_size=4),
    ),
    max_size=3,
)


def mutate(raw: bytes, plan: list[tuple[float, str, bytes]]) -> bytes:
    """*raw* with the planned bytes deleted, inserted or flipped."""
    for where, how, chunk in plan:
        at = int(where * len(raw))
        if how == "delete":
            raw = raw[:at] + raw[at + len(chunk) :]
        elif how == "insert":
            raw = raw[:at] + chunk + raw[at:]
        elif raw:
            at = min(at, len(raw) - 1)
            raw = raw[:at] + bytes([raw[at] ^ chunk[0]]) + raw[at + 1 :]
    return raw


# -- input families -------------------------------------------------------------------------


def structured(documents: st.SearchStrategy[str]) -> Family:
    """Near-valid *documents*: as text, UTF-8, mutated UTF-8 and another encoding (4 inputs)."""

    def family(tally: Tally[Any], examples: int, seed_value: int) -> None:
        @seed(seed_value)
        @hypothesis_settings(examples)
        @given(documents, mutations, st.sampled_from(ENCODINGS))
        def run(text: str, plan: list[tuple[float, str, bytes]], encoding: str) -> None:
            tally.examples_run += 1
            raw = text.encode("utf-8", "surrogatepass")
            tally.check(text)
            tally.check(raw)
            tally.check(mutate(raw, plan))
            tally.check(text.encode(encoding, "surrogatepass" if "utf" in encoding else "replace"))

        run()

    return family


def arbitrary(valid: str) -> Family:
    """Arbitrary bytes, arbitrary text, and that text spliced into *valid* (3 inputs)."""

    def family(tally: Tally[Any], examples: int, seed_value: int) -> None:
        @seed(seed_value)
        @hypothesis_settings(examples)
        @given(st.binary(max_size=400), st.text(max_size=200), st.integers(0, len(valid)))
        def run(raw: bytes, text: str, cut: int) -> None:
            tally.examples_run += 1
            tally.check(raw)
            tally.check(text)
            tally.check(valid[:cut] + text + valid[cut:])

        run()

    return family
