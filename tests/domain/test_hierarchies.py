"""The capstone's few class hierarchies keep the promises Module 02's inheritance lessons teach."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest

import service_monitoring
from service_monitoring import (
    BoundaryError,
    ConcurrencyConflict,
    DomainError,
    MonitoringPolicy,
    MonitoringRuntime,
    NotADatabase,
    PolicyNotFound,
    PublicationFailed,
    RuleState,
    ServiceMonitoringError,
    Severity,
    StoreUnavailable,
    UnknownRule,
)

PUBLIC_ERRORS = [
    getattr(service_monitoring, name)
    for name in service_monitoring.__all__
    if isinstance(getattr(service_monitoring, name), type)
    and issubclass(getattr(service_monitoring, name), BaseException)
]
FAMILIES = (ServiceMonitoringError, DomainError, BoundaryError)


def test_the_three_families_and_their_members_are_public() -> None:
    # what the family checks below run over: never an empty list
    assert set(FAMILIES) < set(PUBLIC_ERRORS)
    assert {UnknownRule, NotADatabase, PublicationFailed} < set(PUBLIC_ERRORS)


@pytest.mark.parametrize("error", PUBLIC_ERRORS, ids=lambda error: error.__name__)
def test_every_public_error_is_in_exactly_one_family(error: type[Exception]) -> None:
    assert issubclass(error, ServiceMonitoringError)
    if error not in FAMILIES:
        assert issubclass(error, DomainError) != issubclass(error, BoundaryError)


def test_no_domain_error_is_retryable_and_every_one_is_a_value_error() -> None:
    domain = [error for error in PUBLIC_ERRORS if issubclass(error, DomainError)]
    assert {error.__name__ for error in domain} == {
        "DomainError",
        "UnknownRule",
        "InvalidTransition",
    }
    assert all(issubclass(error, ValueError) and not error.retryable for error in domain)


def test_exactly_three_public_errors_promise_a_retry_can_succeed() -> None:
    retryable = {error for error in PUBLIC_ERRORS if error.retryable}
    assert retryable == {ConcurrencyConflict, StoreUnavailable, PublicationFailed}


def test_a_subclass_may_answer_retryable_differently_from_its_base() -> None:
    assert issubclass(NotADatabase, StoreUnavailable)
    assert StoreUnavailable.retryable and not NotADatabase.retryable


def test_a_missing_database_opened_read_only_is_caught_as_a_store_failure(
    tmp_path: Path,
) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        MonitoringRuntime(database=tmp_path / "missing.db", read_only=True)
    assert type(caught.value) is NotADatabase
    assert caught.value.retryable is False


def test_lookup_failures_are_caught_as_lookup_errors_from_either_family() -> None:
    assert issubclass(PolicyNotFound, LookupError) and issubclass(UnknownRule, LookupError)
    with pytest.raises(LookupError) as caught:
        MonitoringPolicy("checkout").rule("nope")
    assert type(caught.value) is UnknownRule
    with MonitoringRuntime() as runtime, pytest.raises(LookupError) as missing:
        runtime.policy("nope")
    assert type(missing.value) is PolicyNotFound


def test_c3_puts_the_shared_builtin_base_after_both_of_its_subclasses() -> None:
    assert [cls.__name__ for cls in UnknownRule.__mro__] == [
        "UnknownRule",
        "DomainError",
        "ServiceMonitoringError",
        "ValueError",
        "LookupError",
        "Exception",
        "BaseException",
        "object",
    ]


@pytest.mark.parametrize("enum", [Severity, RuleState], ids=lambda enum: enum.__name__)
def test_the_string_enums_are_both_strings_and_enum_members(enum: type[Enum]) -> None:
    assert enum.__mro__.index(str) < enum.__mro__.index(Enum)
    for member in enum:
        assert isinstance(member, str) and isinstance(member, Enum)
        assert member == member.value and str(member) == member.value
        assert enum(member.value) is member
