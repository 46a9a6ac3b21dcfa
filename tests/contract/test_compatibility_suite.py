"""The kit as a compatibility suite: what a third party runs is stable, and runs anywhere.

A third party subclasses a contract and runs the inherited ``test_*`` methods, one per
promise. A promise added to a contract makes every extension's suite check more after an
upgrade, and a renamed method breaks the node ids a third party deselects or reports by.
So the promises each contract publishes are pinned here, by method name and wording: a
change to them is made on purpose, in a minor release, and named in the changelog's Added
(see Module 09's lesson on compatibility suites). A new requirement on extensions arrives
as a contract of its own, as the lease promises did, never inside an existing one.
"""

from __future__ import annotations

import inspect

import pytest

from service_monitoring.testing import (
    LeasingStoreContract,
    ModeContract,
    SinkContract,
    StoreContract,
)

STORE_PROMISES = {
    "test_a_committed_policy_can_be_loaded": "a committed policy can be loaded",
    "test_a_failed_commit_applies_none_of_its_changes": "a commit applies every change or none",
    "test_a_missing_policy_is_policy_not_found": "a missing policy is PolicyNotFound",
    "test_a_new_store_is_empty": "a new store is empty",
    "test_a_stale_writer_gets_a_concurrency_conflict": "a stale writer gets ConcurrencyConflict",
    "test_adding_an_existing_policy_conflicts": "adding a policy that is already stored conflicts",
    "test_an_exception_stores_nothing": "an exception inside a unit of work stores nothing",
    "test_an_opened_incident_waits_in_the_outbox_until_delivered": (
        "an opened incident waits in the outbox, oldest first, until it is delivered"
    ),
    "test_any_valid_policy_round_trips": "any valid policy is loaded as it was committed",
    "test_leaving_without_commit_stores_nothing": (
        "leaving a unit of work without commit stores nothing"
    ),
    "test_load_returns_a_private_copy": "load returns a private copy",
    "test_policy_ids_keep_the_order_of_first_storing": (
        "policy_ids lists policies in the order they were first stored"
    ),
    "test_the_event_log_holds_committed_events_in_order": (
        "the event log holds every committed event, oldest first"
    ),
    "test_the_read_model_follows_the_events_and_a_rebuild_agrees": (
        "the read model follows the committed events; a rebuild gives the same view"
    ),
    "test_versions_start_at_one_and_each_commit_adds_one": (
        "versions start at 1 and each commit adds 1"
    ),
}

LEASE_PROMISES = {
    "test_a_claimed_entry_is_skipped_until_its_lease_ends": (
        "a claimed entry is skipped by another owner until its lease ends"
    ),
    "test_a_release_or_a_delivery_ends_the_lease": (
        "a release or a delivery ends the lease, and only its owner can release"
    ),
}

SINK_PROMISES = {
    "test_a_failure_is_a_delivery_error": (
        "a sink that cannot deliver raises PublicationFailed or DeliveryRejected"
    ),
    "test_publish_takes_a_batch": "publish takes a batch of alerts",
    "test_publish_takes_a_batch_again": (
        "publish takes a batch it already took (delivery is at-least-once)"
    ),
    "test_publish_takes_an_empty_batch": "publish takes an empty batch",
}

MODE_PROMISES = {
    "test_check_rule_accepts_suitable_rules": "check_rule accepts every suitable rule",
    "test_check_rule_refuses_an_unsuitable_rule": (
        "check_rule refuses an unsuitable rule with DomainError"
    ),
    "test_evaluate_changes_no_input": "evaluate changes none of its inputs",
    "test_evaluate_is_deterministic": (
        "evaluate returns a Verdict and gives the same verdicts for the same samples"
    ),
    "test_evaluate_keeps_at_most_the_window": (
        "recent keeps at most the rule's window of the samples it was given"
    ),
    "test_first_breach_is_a_new_sample": "first_breach is one of the new samples, or None",
    "test_the_above_threshold_promise_is_kept": (
        "a mode that says it breaches only above the threshold never breaches at or below it"
    ),
    "test_the_name_is_a_rule_mode_name": "the name is a lower-case name a rule can use",
}

PUBLISHED = {
    StoreContract: STORE_PROMISES,
    LeasingStoreContract: STORE_PROMISES | LEASE_PROMISES,
    SinkContract: SINK_PROMISES,
    ModeContract: MODE_PROMISES,
}


def promises(contract: type) -> dict[str, str | None]:
    """``{method name: promise}`` of every test a subclass of *contract* inherits."""
    return {
        name: getattr(contract, name).__doc__ for name in dir(contract) if name.startswith("test_")
    }


@pytest.mark.parametrize("contract", list(PUBLISHED), ids=lambda contract: contract.__name__)
def test_each_contract_publishes_exactly_the_listed_promises(contract: type) -> None:
    assert promises(contract) == PUBLISHED[contract]


def test_the_lease_promises_are_a_contract_of_their_own_on_top_of_the_store_promises() -> None:
    assert issubclass(LeasingStoreContract, StoreContract)
    added = promises(LeasingStoreContract).keys() - promises(StoreContract).keys()
    assert added == LEASE_PROMISES.keys()


@pytest.mark.parametrize("contract", list(PUBLISHED), ids=lambda contract: contract.__name__)
def test_every_promise_is_a_method_any_runner_can_call_without_arguments(contract: type) -> None:
    instance = contract()
    for name in promises(contract):
        assert inspect.signature(getattr(instance, name)).parameters == {}, name
