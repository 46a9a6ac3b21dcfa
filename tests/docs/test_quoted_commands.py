"""Every command the site quotes is executed, and what a page shows as its output is its output.

The rules a page follows (``console`` blocks only):

* ``$ service-monitoring …`` commands of one page run in order, in bash, in one fresh folder holding
  a copy of ``docs/capstone/examples/``. The lines after a command are its exact output (stdout and
  stderr together); a command shown without output must still exit 0.
* ``$ echo $?`` shows the exit status of the command before it.
* ``$ tox …`` commands name real tox environments; what each environment runs is executed below,
  or is part of the default ``tox`` run that CI executes.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "capstone" / "examples"
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*\{?console\}?\s*$")


@dataclass
class Command:
    page: Path
    line: int
    text: str
    output: list[str]
    shows_output: bool


def quoted_commands(page: Path) -> list[Command]:
    """The commands of every console block of *page*, with the output shown after each."""
    commands: list[Command] = []
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        index += 1
        if not opening:
            continue
        indent, marker = opening.group(1), opening.group(2)
        while index < len(lines) and not lines[index].strip().startswith(marker):
            text = lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
            if text.startswith("$ "):
                commands.append(Command(page, index + 1, text[2:].strip(), [], False))
            elif commands and commands[-1].line > 0 and not _closed(commands, index):
                commands[-1].output.append(text.rstrip())
                commands[-1].shows_output = True
            index += 1
        if commands:
            _trim(commands[-1])
            commands[-1].line = -commands[-1].line  # mark the block as closed for its last command
        index += 1
    for command in commands:
        command.line = abs(command.line)
        _trim(command)
    return commands


def _closed(commands: list[Command], index: int) -> bool:
    return commands[-1].line < 0


def _trim(command: Command) -> None:
    while command.output and not command.output[-1].strip():
        command.output.pop()
    command.shows_output = bool(command.output)


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


ALL = [command for page in pages() for command in quoted_commands(page)]
TOX_ENVS_RUN_BY_CI = {"lint", "types", "tests", "docs", "browser"}


def tox_environments() -> tuple[set[str], set[str]]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    defined = {
        section.split(":", 1)[1] for section in parser.sections() if section.startswith("testenv:")
    }
    default = {name.strip() for name in parser["tox"]["env_list"].split(",")}
    return defined, default


def test_pages_quote_commands() -> None:
    assert any(c.text.startswith("service-monitoring") for c in ALL)
    assert any(c.text.startswith("tox") for c in ALL)


@pytest.mark.parametrize("command", ALL, ids=lambda c: f"{c.page.relative_to(DOCS)}:{c.line}")
def test_every_quoted_command_is_one_the_suite_executes(command: Command) -> None:
    text = command.text
    assert (
        text.startswith("service-monitoring")
        or text == "echo $?"
        or text == "tox"
        or text.startswith("tox -e ")
    ), f"{command.page.name}:{command.line}: no test executes {text!r}"


@pytest.mark.parametrize(
    "command",
    [c for c in ALL if c.text.startswith("tox")],
    ids=lambda c: f"{c.page.relative_to(DOCS)}:{c.line}",
)
def test_quoted_tox_commands_name_real_environments(command: Command) -> None:
    defined, default = tox_environments()
    assert default == TOX_ENVS_RUN_BY_CI
    assert not command.shows_output, "tox output varies: pages do not quote it"
    if command.text == "tox":
        return
    name = command.text.split()[2]
    assert name in defined, f"{command.page.name}:{command.line}: no tox env {name!r}"


CLI_PAGES = sorted({c.page for c in ALL if c.text.startswith("service-monitoring")})


@pytest.mark.parametrize("page", CLI_PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_command_line_sessions_run_as_shown(page: Path, tmp_path: Path) -> None:
    if EXAMPLES.is_dir():
        for example in EXAMPLES.iterdir():
            shutil.copy(example, tmp_path / example.name)
    env = {key: value for key, value in os.environ.items() if key != "SERVICE_MONITORING_TOKEN"}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="80",
        NO_COLOR="1",
        no_proxy="*",
        NO_PROXY="*",
    )
    status: int | None = None
    for command in quoted_commands(page):
        where = f"{page.relative_to(DOCS)}:{command.line}"
        if command.text == "echo $?":
            assert status is not None, f"{where}: echo $? with no command before it"
            if command.shows_output:
                assert command.output == [str(status)], f"{where}: the exit status was {status}"
            status = None
            continue
        if status not in (None, 0):
            pytest.fail(f"{where}: the command before exited {status}; show it with `$ echo $?`")
        if command.text.startswith("tox"):
            status = None
            continue
        result = subprocess.run(
            ["bash", "-c", command.text],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        status = result.returncode
        produced = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
        while produced and not produced[-1]:
            produced.pop()
        if command.shows_output:
            assert produced == command.output, f"{where}: `{command.text}` printed otherwise"
    if status not in (None, 0):
        pytest.fail(
            f"{page.relative_to(DOCS)}: the last command exited {status}; show it with `$ echo $?`"
        )


def quoted_tox_environments() -> set[str]:
    return {c.text.split()[2] for c in ALL if c.text.startswith("tox -e ")}


def run_here(*argv: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, no_proxy="*", NO_PROXY="*", COLUMNS="80")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        list(argv), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    "command",
    [c for c in ALL if c.text.startswith("tox -e cli")],
    ids=lambda c: f"{c.page.relative_to(DOCS)}:{c.line}",
)
def test_quoted_cli_environment_commands_run(command: Command) -> None:
    """`tox -e cli -- ARGS` runs `service-monitoring ARGS`: run exactly that."""
    arguments = command.text.split(" -- ", 1)[1].split() if " -- " in command.text else ["--help"]
    result = run_here(str(BIN / "service-monitoring"), *arguments, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_capstone_benchmark_runs_and_prints_every_figure() -> None:
    assert "bench" in quoted_tox_environments()
    result = run_here(sys.executable, "benchmarks/capstone.py", "--repeats", "1")
    figures = [line for line in result.stdout.splitlines() if " target " in line]
    assert len(figures) == 10, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("targets met")


def test_the_fuzz_run_finds_no_unexpected_exception_in_a_short_run() -> None:
    assert "fuzz" in quoted_tox_environments()
    result = run_here(
        sys.executable, "benchmarks/fuzz_decode.py", "--inputs", "400", "--atheris-runs", "0"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexpected exceptions" in result.stdout


def test_the_live_server_serves_the_site(tmp_path: Path) -> None:
    """What `tox -e serve` runs, on a free port, until the home page answers."""
    import socket
    import time
    import urllib.request

    assert "serve" in quoted_tox_environments()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    argv = parser["testenv:serve"]["commands"].split()
    assert argv[0] == "sphinx-autobuild"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv[argv.index("--port") + 1] = str(port)
    argv[-1] = str(tmp_path / "serve")
    env = dict(os.environ, no_proxy="*", NO_PROXY="*")
    server = subprocess.Popen(
        [str(BIN / argv[0]), *argv[1:]],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        page = ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = answer.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(1)
        assert "Python Object-Oriented Programming" in page
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_docs_build_benchmark_runs_in_quick_mode() -> None:
    assert "bench-docs" in quoted_tox_environments()
    result = run_here(
        sys.executable, "benchmarks/docs_build.py", "--sizes", "5", "--repeats", "1", "--no-course"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ms/page" in result.stdout
