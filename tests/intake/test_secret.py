"""Secret: every text form is a mask; serialisation is refused; the value comes out on request."""

from __future__ import annotations

import copy
import json
import logging
import pickle

import pytest

from service_monitoring import DomainError, Secret

VALUE = "tok-5up3r-s3cr3t-value"


def test_reveal_hands_out_the_value() -> None:
    assert Secret(VALUE).reveal() == VALUE


def test_text_forms_show_a_fixed_mask() -> None:
    secret = Secret(VALUE)
    forms = [repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>30}", f"{secret}"]
    assert forms[:3] == ["Secret('********')", "********", "********"]
    assert all(VALUE not in form for form in forms)
    assert repr(Secret("x")) == repr(Secret(VALUE * 10))  # not even the length shows


def test_containers_and_log_records_show_the_mask(caplog: pytest.LogCaptureFixture) -> None:
    secret = Secret(VALUE)
    caplog.set_level(logging.DEBUG)
    logging.getLogger("tests.secret").info("token %s in %r", secret, {"token": secret})
    assert "********" in caplog.text
    assert VALUE not in caplog.text
    assert VALUE not in repr([secret, (secret,), {"k": secret}])


def test_json_refuses_it_without_showing_it() -> None:
    with pytest.raises(TypeError) as caught:
        json.dumps({"token": Secret(VALUE)})
    assert VALUE not in str(caught.value)
    assert "Secret" in str(caught.value)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_is_refused(protocol: int) -> None:
    with pytest.raises(TypeError, match="cannot be pickled") as caught:
        pickle.dumps(Secret(VALUE), protocol=protocol)
    assert VALUE not in str(caught.value)


def test_copies_are_the_same_immutable_object() -> None:
    secret = Secret(VALUE)
    assert copy.copy(secret) is secret
    assert copy.deepcopy({"token": secret})["token"] is secret
    for name in ("value", "reveal", "extra"):  # no attribute can be set or removed
        with pytest.raises(AttributeError, match="immutable"):
            setattr(secret, name, "other")
        with pytest.raises(AttributeError, match="immutable"):
            delattr(secret, name)
    assert secret.reveal() == VALUE


def test_equality_compares_values_and_hashing_is_refused() -> None:
    assert Secret(VALUE) == Secret(VALUE)
    assert Secret(VALUE) != Secret(VALUE + "x")
    assert Secret(VALUE) != VALUE  # a secret is not its plain string
    with pytest.raises(TypeError, match="unhashable"):
        hash(Secret(VALUE))


@pytest.mark.parametrize("bad", ["", None, 123, b"bytes"])
def test_only_a_non_empty_string_is_accepted(bad: object) -> None:
    with pytest.raises(DomainError, match="Secret"):
        Secret(bad)  # type: ignore[arg-type]
