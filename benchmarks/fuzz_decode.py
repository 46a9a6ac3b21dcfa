"""Fuzz ``decode_samples`` and the policy-file parser: any other exception than the
documented one (``PayloadRejected``, ``DomainError``) is a bug.

Run by ``tox -e fuzz``. Two fuzzers of ``decode_samples``, run side by side on two cores:

* **Hypothesis** generates inputs of two families -- near-valid samples
  documents (each part right or subtly wrong, then rendered, re-encoded and
  mutated) and arbitrary bytes and text -- until ``--inputs`` calls of
  ``decode_samples`` have been made (default 100,000, half of each family).
* **atheris** (coverage-guided libFuzzer), where it is installed, runs
  ``--atheris-runs`` inputs (default 500,000, about a minute) in a child process, starting
  from a small seed corpus and a dictionary of the format's tokens.

Then Hypothesis feeds ``--policy-inputs`` generated policy files (default: as many as
``--inputs``) to the parser of ``service-monitoring run --policy``
(``benchmarks/fuzz_policy_file.py``, which also runs alone).

Prints one line per fuzzer, for example
``hypothesis: 100000 inputs, 0 unexpected exceptions`` and
``policy file: 100000 inputs, 0 unexpected exceptions``, and exits 1 if any input made
``decode_samples`` raise anything but ``PayloadRejected``, or the policy-file parser
anything but ``DomainError``.

Usage: ``python benchmarks/fuzz_decode.py [--inputs N] [--policy-inputs N]
[--atheris-runs N] [--seed N]``
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import strategies as st

from service_monitoring import PayloadLimits, PayloadRejected, decode_samples

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules, from anywhere
import fuzz_policy_file
import fuzzing

# Small limits as well as the defaults, so the size and count checks are reached too.
LIMITS = (PayloadLimits(), PayloadLimits(max_bytes=300, max_samples=3, max_metric_length=16))
VALID = (
    '{"samples": [{"metric": "cpu.utilisation", "value": 0.93, '
    '"observed_at": "2026-11-21T10:00:00+00:00"}]}'
)


def decode(data: bytes | str, limits: PayloadLimits) -> None:
    """The function under test, with one of ``LIMITS``."""
    decode_samples(data, limits=limits)


# -- Hypothesis: near-valid documents -------------------------------------------------------

offsets = st.integers(-24 * 60 + 1, 24 * 60 - 1).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))
leaves = (
    st.none()
    | st.booleans()
    | st.floats()
    | st.integers()
    | st.integers(10**300, 10**320)
    | st.text(max_size=12)
)
json_values = fuzzing.nested(leaves)
metrics = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_.:-]{0,20}", fullmatch=True),
    st.text(alphabet="abc.", min_size=120, max_size=140),
    st.text(max_size=12),
    json_values,
)
values = st.one_of(st.floats(), st.integers(), st.integers(10**300, 10**320), json_values)
timestamps = st.one_of(
    st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), moments, offsets),
    moments.map(datetime.isoformat),
    moments.map(lambda moment: moment.isoformat() + "Z"),
    st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-02-30"]),
    st.text(max_size=70),
    json_values,
)
FIELDS = ("metric", "value", "observed_at", "unit")


@st.composite
def documents(draw: st.DrawFn) -> str:
    items = []
    for _ in range(draw(st.integers(0, 5))):
        item = {
            "metric": draw(metrics),
            "value": draw(values),
            "observed_at": draw(timestamps),
        }
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2)):
            if name in item and draw(st.booleans()):
                del item[name]
            else:
                item[name] = draw(json_values)
        items.append(item)
    top: object = {"samples": items} if draw(st.integers(0, 9)) else draw(json_values)
    text = json.dumps(top, allow_nan=True)
    if draw(st.integers(0, 5)) == 0:  # a duplicate key
        text = text.replace('"value": ', '"value": 1, "value": ', 1)
    if draw(st.integers(0, 5)) == 0:  # extra nesting
        depth = draw(st.integers(1, 6))
        text = "[" * depth + text + "]" * depth
    return text


def run_hypothesis(inputs: int, seed_value: int) -> fuzzing.Tally[PayloadLimits]:
    """Half the inputs from each family, whatever Hypothesis decides to skip."""
    tally = fuzzing.Tally("hypothesis", decode, LIMITS, PayloadRejected)
    plan = (
        (fuzzing.structured(documents()), inputs // 2, 4),
        (fuzzing.arbitrary(VALID), inputs, 3),
    )
    return fuzzing.run_families(tally, plan, seed_value)


# -- atheris: coverage-guided, in a child process ------------------------------------------

DICTIONARY = [
    '"samples"', '"metric"', '"value"', '"observed_at"', "NaN", "Infinity", "-Infinity",
    "true", "null", "1e999", '"2026-11-21T10:00:00+00:00"', '"2026-11-21T10:00:00Z"',
    "+05:30", "{", "}", "[", "]", ":", ",", '\\"', "\\u0000", "\\ud800",
]  # fmt: skip


def atheris_child(runs: int, workdir: Path) -> None:
    """Run libFuzzer in this process (it exits the process when done)."""
    import atheris  # type: ignore[import-not-found]

    functions = package_functions()
    for function in functions:
        atheris.instrument_func(function)  # patches the code in place, for every caller
    print(f"instrumented {len(functions)} functions of service_monitoring", flush=True)

    def one_input(data: bytes) -> None:
        try:
            decode_samples(data)
            if data[:1] and data[0] & 1:
                decode_samples(data[1:].decode("latin-1"))
        except PayloadRejected:
            pass

    corpus = workdir / "corpus"
    corpus.mkdir()
    for index, text in enumerate([VALID, VALID.replace("0.93", "NaN"), '{"samples": []}']):
        (corpus / f"seed-{index}").write_text(text)
    tokens = workdir / "json.dict"
    tokens.write_text("".join(f"{json.dumps(token)}\n" for token in DICTIONARY))
    atheris.Setup(
        [
            sys.argv[0],
            f"-runs={runs}",
            f"-dict={tokens}",
            "-max_len=2048",
            f"-artifact_prefix={workdir}/",
            str(corpus),
        ],
        one_input,
    )
    atheris.Fuzz()


def package_functions() -> list[types.FunctionType]:
    """Every function and method defined in the (already imported) package."""
    found: dict[int, types.FunctionType] = {}
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] != "service_monitoring":
            continue
        for item in vars(module).values():
            members = vars(item).values() if isinstance(item, type) else [item]
            for member in members:
                if isinstance(member, staticmethod | classmethod):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if isinstance(member, types.FunctionType) and member.__module__ == name:
                    found[id(member)] = member
    return list(found.values())


def start_atheris(runs: int) -> tuple[subprocess.Popen[bytes], Path] | None:
    try:
        import atheris  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return None
    workdir = Path(tempfile.mkdtemp(prefix="fuzz-decode-"))
    log = (workdir / "atheris.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, __file__, "--atheris-child", str(runs), "--workdir", str(workdir)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return child, workdir


def finish_atheris(child: subprocess.Popen[bytes], workdir: Path) -> bool:
    code = child.wait()
    output = (workdir / "atheris.log").read_text(errors="replace")
    counts = re.findall(r"^#(\d+)\s", output, flags=re.MULTILINE)
    done = re.search(r"Done (\d+) runs", output)
    crashed = code != 0 or "Uncaught Python exception" in output
    runs = done.group(1) if done else (counts[-1] if counts else "?")
    found = "1 unexpected exception (it stops the run)" if crashed else "0 unexpected exceptions"
    print(f"atheris: {runs} runs, {found}")
    if crashed:
        print("\n".join(output.splitlines()[-40:]))
        print(f"(artifacts in {workdir})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return not crashed


# -- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="Hypothesis inputs")
    parser.add_argument(
        "--policy-inputs", type=int, help="policy-file parser inputs (default: --inputs)"
    )
    parser.add_argument("--atheris-runs", type=int, default=500_000, help="0 skips atheris")
    parser.add_argument("--seed", type=int, default=0, help="Hypothesis seed")
    parser.add_argument("--atheris-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.atheris_child is not None:
        atheris_child(args.atheris_child, args.workdir)
        return 0

    started = time.monotonic()
    child = start_atheris(args.atheris_runs) if args.atheris_runs > 0 else None
    ok = run_hypothesis(args.inputs, args.seed).report(time.monotonic() - started)
    policy_started = time.monotonic()
    policy_inputs = args.inputs if args.policy_inputs is None else args.policy_inputs
    policies = fuzz_policy_file.run_policy_fuzz(policy_inputs, args.seed)
    ok = policies.report(time.monotonic() - policy_started) and ok
    if child is None:
        print("atheris: " + ("not installed, skipped" if args.atheris_runs else "skipped"))
    else:
        ok = finish_atheris(*child) and ok
    print(f"fuzz: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
