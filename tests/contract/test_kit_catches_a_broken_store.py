"""The kit fails broken extensions, and its message names the promise each one broke.

Every broken extension here is one realistic mistake. Running the whole contract
against it shows which promises the kit reports it under. The contracts are run by
hand (their subclasses are not named ``Test...``), since each one is meant to fail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

import pytest

from service_monitoring import (
    STANDARD_MODES,
    Alert,
    CollectingIncidentSink,
    EvaluationMode,
    IncidentSink,
    MetricSample,
    MonitoringPolicy,
    ThresholdRule,
    Verdict,
)
from service_monitoring.storage import Change, InMemoryStore, Store
from service_monitoring.testing import (
    ContractViolation,
    ModeContract,
    SinkContract,
    StoreContract,
)
from support import AtOrAbove


def broken_promises(contract: object) -> dict[str, str]:
    """Run every test of *contract*; ``{promise: message}`` of those that failed."""
    broken = {}
    for name in sorted(dir(contract)):
        if name.startswith("test_"):
            try:
                getattr(contract, name)()
            except ContractViolation as violation:
                broken[violation.promise] = str(violation)
    return broken


# -- stores ----------------------------------------------------------------------------------


class LastWriterWinsStore(InMemoryStore):
    """Forgets the optimistic check: each change is applied at whatever version is stored."""

    def commit(self, changes: Sequence[Change], *, at: datetime) -> None:
        current = [
            Change(
                change.policy,
                self.load(change.policy_id)[0] if self.exists(change.policy_id) else None,
                change.events,
            )
            for change in changes
        ]
        super().commit(current, at=at)


class SharingStore(InMemoryStore):
    """Hands out one object per policy and version, as a careless cache would."""

    def __init__(self) -> None:
        super().__init__()
        self.handed_out: dict[str, tuple[int, MonitoringPolicy]] = {}

    def load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        version, policy = super().load(policy_id)
        if self.handed_out.get(policy_id, (None,))[0] != version:
            self.handed_out[policy_id] = (version, policy)
        return self.handed_out[policy_id]


class KeyErrorStore(InMemoryStore):
    """Lets a dictionary's KeyError escape where a PolicyNotFound is promised."""

    def load(self, policy_id: str) -> tuple[int, MonitoringPolicy]:
        if not self.exists(policy_id):
            raise KeyError(policy_id)
        return super().load(policy_id)


class LastWriterWinsUnderContract(StoreContract):
    def make_store(self) -> Store:
        return LastWriterWinsStore()


class SharingUnderContract(StoreContract):
    def make_store(self) -> Store:
        return SharingStore()


class KeyErrorUnderContract(StoreContract):
    def make_store(self) -> Store:
        return KeyErrorStore()


STALE_WRITER_MESSAGE = (
    "Store contract, promise 'a stale writer gets ConcurrencyConflict': a change loaded at "
    "version 1 was committed over version 2, with no ConcurrencyConflict"
)


def test_a_store_without_the_version_check_fails_the_stale_writer_promise() -> None:
    with pytest.raises(ContractViolation) as caught:
        LastWriterWinsUnderContract().test_a_stale_writer_gets_a_concurrency_conflict()
    assert str(caught.value) == STALE_WRITER_MESSAGE
    assert caught.value.contract == "Store"
    assert caught.value.promise == "a stale writer gets ConcurrencyConflict"


def test_a_store_without_the_version_check_breaks_exactly_the_promises_that_need_it() -> None:
    assert set(broken_promises(LastWriterWinsUnderContract())) == {
        "a stale writer gets ConcurrencyConflict",
        "adding a policy that is already stored conflicts",
        "a commit applies every change or none",
    }


def test_a_store_that_shares_loaded_objects_fails_the_private_copy_promises() -> None:
    broken = broken_promises(SharingUnderContract())
    assert broken == {
        "a stale writer gets ConcurrencyConflict": (  # both writers changed one object
            "Store contract, promise 'a stale writer gets ConcurrencyConflict': "
            "the stale writer's change was stored (retired)"
        ),
        "leaving a unit of work without commit stores nothing": (
            "Store contract, promise 'leaving a unit of work without commit stores nothing': "
            "an uncommitted activation was stored (active)"
        ),
        "an exception inside a unit of work stores nothing": (
            "Store contract, promise 'an exception inside a unit of work stores nothing': "
            "the change of a failed block was stored (active)"
        ),
        "load returns a private copy": (
            "Store contract, promise 'load returns a private copy': "
            "two loads returned the same object"
        ),
    }


def test_an_exception_of_the_wrong_type_is_named_with_the_promise() -> None:
    with pytest.raises(ContractViolation) as caught:
        KeyErrorUnderContract().test_a_missing_policy_is_policy_not_found()
    assert str(caught.value) == (
        "Store contract, promise 'a missing policy is PolicyNotFound': "
        "load('ghost') raised KeyError: 'ghost'"
    )
    assert isinstance(caught.value.__cause__, KeyError)


def test_a_contract_without_its_factory_says_which_method_to_define() -> None:
    class NoFactory(StoreContract):
        pass

    with pytest.raises(NotImplementedError, match=r"NoFactory must define make_store\(\)"):
        NoFactory().test_a_new_store_is_empty()


# -- sinks -----------------------------------------------------------------------------------


class ValueErrorSink:
    """Cannot reach its endpoint, and says so with a ValueError instead of a delivery error."""

    def publish(self, alerts: Sequence[Alert]) -> None:
        if alerts:
            raise ValueError("endpoint down")


class CloseOnceSink(CollectingIncidentSink):
    """Refuses a second close()."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def close(self) -> None:
        if self.closed:
            raise RuntimeError("already closed")
        self.closed = True


class ValueErrorSinkUnderContract(SinkContract):
    def make_sink(self) -> IncidentSink:
        return CollectingIncidentSink()

    def make_failing_sink(self) -> IncidentSink:
        return ValueErrorSink()


class CloseOnceSinkUnderContract(SinkContract):
    def make_sink(self) -> IncidentSink:
        return CloseOnceSink()


def test_a_sink_failing_with_a_value_error_breaks_the_delivery_error_promise() -> None:
    assert broken_promises(ValueErrorSinkUnderContract()) == {
        "a sink that cannot deliver raises PublicationFailed or DeliveryRejected": (
            "Sink contract, promise 'a sink that cannot deliver raises PublicationFailed or "
            "DeliveryRejected': publish() raised ValueError: endpoint down"
        )
    }


def test_a_sink_that_cannot_be_closed_twice_fails_every_test_that_closes_it() -> None:
    broken = broken_promises(CloseOnceSinkUnderContract())
    assert set(broken) == {"close, if the sink has one, can be called twice"}
    with pytest.raises(
        ContractViolation, match=r"the second close\(\) raised RuntimeError: already closed$"
    ) as caught:
        CloseOnceSinkUnderContract().test_publish_takes_an_empty_batch()
    assert isinstance(caught.value.__cause__, RuntimeError)


# -- modes -----------------------------------------------------------------------------------

THRESHOLD = STANDARD_MODES.get("threshold")


class HoardingMode:
    """The threshold mode, except that it keeps every sample it has ever seen."""

    name = "hoarding"

    def check_rule(self, rule: ThresholdRule) -> None:
        """Any rule: the window only bounds what the mode keeps."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        verdict = THRESHOLD.evaluate(rule, recent, samples)
        return Verdict(verdict.first_breach, verdict.breaching, (*recent, *samples))


class SortingMode:
    """The threshold mode, except that it sorts the caller's list by value to find the peak."""

    name = "sorting"

    def check_rule(self, rule: ThresholdRule) -> None:
        """Any rule: the window only bounds what the mode keeps."""

    def evaluate(
        self, rule: ThresholdRule, recent: tuple[MetricSample, ...], samples: Sequence[MetricSample]
    ) -> Verdict:
        verdict = THRESHOLD.evaluate(rule, recent, samples)
        if isinstance(samples, list):
            samples.sort(key=lambda sample: sample.value)
        return verdict


class AtOrAboveMode(AtOrAbove):
    """Breaches at the threshold too, yet promises to breach only above it."""

    breaches_only_above_threshold = True


class AtOrAboveModeUnderContract(ModeContract):
    def make_mode(self) -> EvaluationMode:
        return AtOrAboveMode()


class HoardingModeUnderContract(ModeContract):
    def make_mode(self) -> EvaluationMode:
        return HoardingMode()


class SortingModeUnderContract(ModeContract):
    def make_mode(self) -> EvaluationMode:
        return SortingMode()


def test_a_mode_keeping_more_than_its_window_breaks_the_window_promise() -> None:
    broken = broken_promises(HoardingModeUnderContract())
    assert list(broken) == ["recent keeps at most the rule's window of the samples it was given"]
    message = broken["recent keeps at most the rule's window of the samples it was given"]
    prefix = (
        "Mode contract, promise 'recent keeps at most the rule's window of the samples it was "
        "given': recent holds "
    )
    found = re.fullmatch(
        re.escape(prefix) + r"(\d+) samples for a rule whose window is (\d+)", message
    )
    assert found is not None, message
    assert int(found[1]) > int(found[2])


def test_a_mode_sorting_its_input_breaks_the_promise_to_change_no_input() -> None:
    assert broken_promises(SortingModeUnderContract()) == {
        "evaluate changes none of its inputs": (
            "Mode contract, promise 'evaluate changes none of its inputs': "
            "evaluate() changed the list of samples it was given"
        )
    }


def test_a_mode_that_breaks_its_above_threshold_promise_is_named() -> None:
    broken = broken_promises(AtOrAboveModeUnderContract())
    promise = "a mode that says it breaches only above the threshold never breaches at or below it"
    assert list(broken) == [promise]
    assert broken[promise].startswith(
        f"Mode contract, promise '{promise}': no sample exceeded the threshold "
    )
