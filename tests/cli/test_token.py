"""The webhook token from $SERVICE_MONITORING_TOKEN: refused, never repaired, when a header
cannot carry it; the message names the variable and never the value."""

from __future__ import annotations

import pytest

from service_monitoring.cli.app import main

TOKEN = "cli-t0ken-from-the-environment"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("token", [TOKEN + "\n", TOKEN + "\r\n", TOKEN + "\n\n"])
def test_a_token_that_ends_with_a_newline_is_refused_not_stripped(
    capsys, monkeypatch, policy_path, samples_path, endpoint, tmp_path, token: str
) -> None:
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", token)
    database = tmp_path / "monitoring.db"
    code, out, err = run(capsys, "run", "--policy", policy_path, "--samples", samples_path(320),
                         "--database", database, "--webhook", endpoint.url)  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "service-monitoring: error: SERVICE_MONITORING_TOKEN ends with a newline; "
        "remove it (a secret read from a file often carries one)\n"
    )
    assert endpoint.requests == []
    assert not database.exists()


@pytest.mark.parametrize(
    ("token", "where"),
    [
        ("s3cr3t\r\nX-Injected: 1", 7),
        ("s3cr3t\nmore", 7),
        ("s3cr3t\x1b[2J", 7),
        ("s3cr3t\tmore", 7),
        ("s3cr3t more", 7),
        (" s3cr3t", 1),
        ("s3cr\u00e9t", 5),
        ("s3cr3t\x7f", 7),
        ("s3cr3t==x", 9),
        ("==", 1),
    ],
    ids=["crlf", "lf", "escape", "tab", "space", "leading-space", "non-ascii", "del",
         "after-padding", "only-padding"],
)  # fmt: skip
def test_a_token_a_header_cannot_carry_is_refused_without_showing_it(
    capsys, monkeypatch, policy_path, samples_path, endpoint, token: str, where: int
) -> None:
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", token)
    code, out, err = run(capsys, "run", "--policy", policy_path, "--samples", samples_path(320),
                         "--webhook", endpoint.url)  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        f"service-monitoring: error: SERVICE_MONITORING_TOKEN: character {where} cannot be part "
        "of a bearer token (letters, digits and -._~+/, then = padding)\n"
    )
    assert "s3cr" not in err and "Injected" not in err
    assert endpoint.requests == []


def test_a_valid_token_with_padding_is_sent_as_it_is(
    capsys, monkeypatch, policy_path, samples_path, endpoint
) -> None:
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", "a.b-c_d~e+f/g==")
    code, _, err = run(capsys, "run", "--policy", policy_path, "--samples", samples_path(320),
                       "--webhook", endpoint.url)  # fmt: skip
    assert (code, err) == (0, "")
    assert endpoint.requests[0]["headers"]["Authorization"] == "Bearer a.b-c_d~e+f/g=="


def test_deliver_refuses_the_token_before_it_opens_the_database(
    capsys, monkeypatch, tmp_path, endpoint
) -> None:
    monkeypatch.setenv("SERVICE_MONITORING_TOKEN", TOKEN + "\n")
    database = tmp_path / "none.db"
    code, _, err = run(capsys, "deliver", "--database", database, "--webhook", endpoint.url)
    assert code == 2
    assert err.startswith("service-monitoring: error: SERVICE_MONITORING_TOKEN ends with a newline")
    assert TOKEN not in err
    assert not database.exists()
