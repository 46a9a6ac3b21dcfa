"""The store contract: what the unit of work, the runtime and the outbox rely on a store for.

Internal module: import :class:`StoreContract` and :class:`LeasingStoreContract`
from the public :mod:`service_monitoring.testing` namespace.

Each test builds a new store with ``make_store()``, drives it through
:class:`~service_monitoring.storage.StoreUnitOfWork` (the unit of work every
store gets) or through :meth:`~service_monitoring.storage.Store.commit` itself,
and closes it at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Final

from hypothesis import given, settings

from ..domain.errors import ConcurrencyConflict, PolicyNotFound
from ..domain.events import IncidentClosed, IncidentOpened, RuleActivated, RuleAdded, RuleRetired
from ..domain.policy import MonitoringPolicy
from ..domain.values import Alert, MetricSample, RuleState, ThresholdRule
from ..storage.port import Change, LeasingStore, PendingDelivery, Store
from ..storage.read_models import PolicyView
from ..storage.unit_of_work import StoreUnitOfWork
from .promises import Broken, describe, expect, promise
from .strategies import policies

__all__ = ["LeasingStoreContract", "StoreContract"]

#: The moment every unit of work of the contract commits at.
T0: Final = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
_LATENCY: Final = ThresholdRule("latency", "http.latency_ms", 250, "critical")


def _store_promise(text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return promise("Store", text)


def _policy(policy_id: str = "checkout", *, active: bool = False) -> MonitoringPolicy:
    """A policy with one rule, 'latency': http.latency_ms above 250 is critical."""
    policy = MonitoringPolicy(policy_id)
    policy.add_rule(_LATENCY)
    if active:
        policy.activate_rule("latency")
    return policy


def _breach(policy: MonitoringPolicy, minutes: int = 0) -> Alert:
    """Make the active 'latency' rule of *policy* open an incident, and return it."""
    at = T0 + timedelta(minutes=minutes)
    [alert] = policy.evaluate([MetricSample("http.latency_ms", 300, at)])
    return alert


def _unit(store: Store) -> StoreUnitOfWork:
    return StoreUnitOfWork(store, clock=lambda: T0)


def _commit_new(store: Store, *policies_: MonitoringPolicy) -> None:
    with _unit(store) as uow:
        for policy in policies_:
            uow.policies.add(policy)
        uow.commit()


def _state(policy: MonitoringPolicy) -> dict[str, object]:
    """Everything a reader of *policy* can observe, by name."""
    rules = policy.rules()
    return {
        "policy_id": policy.policy_id,
        "rules": rules,
        "rule states": [policy.rule_state(rule.rule_id) for rule in rules],
        "open incidents": policy.open_incidents(),
        "watermarks": {rule.metric: policy.last_evaluated(rule.metric) for rule in rules},
        "kept samples": {rule.rule_id: policy.recent_samples(rule.rule_id) for rule in rules},
    }


def _expect_same(loaded: MonitoringPolicy, committed: MonitoringPolicy, where: str) -> None:
    got, wanted = _state(loaded), _state(committed)
    differ = [name for name in wanted if got[name] != wanted[name]]
    expect(not differ, f"{where} gave a policy whose {', '.join(differ)} differ from the committed")


def _refused_with_conflict(commit: Callable[[], None], happened: str) -> None:
    """Run *commit*; it must raise ConcurrencyConflict, else say *happened*."""
    try:
        commit()
    except ConcurrencyConflict:
        return
    raise Broken(f"{happened}, with no ConcurrencyConflict")


@contextmanager
def _opened(contract: StoreContract) -> Iterator[Store]:
    """A new store from the contract's factory, closed when the block ends."""
    store = contract.make_store()
    try:
        yield store
    finally:
        store.close()


class StoreContract:
    """The promises every :class:`~service_monitoring.storage.Store` keeps.

    Subclass it in a test module as ``class TestMyStore(StoreContract)`` and
    define :meth:`make_store`; pytest collects the inherited ``test_*`` methods,
    one per promise. A broken promise raises
    :class:`~service_monitoring.testing.ContractViolation` naming it. Each test
    makes its own store and closes it.

    >>> from service_monitoring.storage import InMemoryStore
    >>> class TestInMemoryStore(StoreContract):
    ...     def make_store(self):
    ...         return InMemoryStore()
    >>> TestInMemoryStore().test_versions_start_at_one_and_each_commit_adds_one()
    """

    def make_store(self) -> Store:
        """Return a new, empty store; every test calls it, and closes what it returns."""
        raise NotImplementedError(f"{type(self).__name__} must define make_store()")

    @_store_promise("a new store is empty")
    def test_a_new_store_is_empty(self) -> None:
        with _opened(self) as store:
            ids, pending = store.policy_ids(), store.pending_count()
            expect(ids == (), f"policy_ids() of a new store gave {ids!r}")
            expect(pending == 0, f"pending_count() of a new store gave {pending}")
            expect(not store.exists("checkout"), "exists('checkout') is True in a new store")

    @_store_promise("a committed policy can be loaded")
    def test_a_committed_policy_can_be_loaded(self) -> None:
        policy = _policy(active=True)
        with _opened(self) as store:
            _commit_new(store, policy)
            expect(store.exists("checkout"), "exists('checkout') is False after its commit")
            _expect_same(store.load("checkout")[1], policy, "load('checkout')")
            with _unit(store) as uow:
                state = uow.policies.get("checkout").rule_state("latency")
            expect(state is RuleState.ACTIVE, f"a later unit of work saw rule 'latency' {state}")

    @_store_promise("leaving a unit of work without commit stores nothing")
    def test_leaving_without_commit_stores_nothing(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            with _unit(store) as uow:
                uow.policies.get("checkout").activate_rule("latency")
                uow.policies.add(_policy("never"))
            version, policy = store.load("checkout")
            state = policy.rule_state("latency")
            expect(state is RuleState.DRAFT, f"an uncommitted activation was stored ({state})")
            expect(version == 1, f"the version moved to {version} without a commit")
            expect(not store.exists("never"), "a policy added without commit was stored")

    @_store_promise("an exception inside a unit of work stores nothing")
    def test_an_exception_stores_nothing(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            try:
                with _unit(store) as uow:
                    uow.policies.get("checkout").activate_rule("latency")
                    raise _CallerFailed
            except _CallerFailed:
                pass
            state = store.load("checkout")[1].rule_state("latency")
            expect(state is RuleState.DRAFT, f"the change of a failed block was stored ({state})")

    @_store_promise("a stale writer gets ConcurrencyConflict")
    def test_a_stale_writer_gets_a_concurrency_conflict(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            with _unit(store) as first, _unit(store) as second:
                first.policies.get("checkout").activate_rule("latency")
                second.policies.get("checkout").retire_rule("latency", "not needed")
                first.commit()
                _refused_with_conflict(
                    second.commit,
                    "a change loaded at version 1 was committed over version 2",
                )
            version, policy = store.load("checkout")
            state = policy.rule_state("latency")
            expect(state is RuleState.ACTIVE, f"the stale writer's change was stored ({state})")
            expect(version == 2, f"after one winning commit the version is {version}, not 2")

    @_store_promise("adding a policy that is already stored conflicts")
    def test_adding_an_existing_policy_conflicts(self) -> None:
        with _opened(self) as store:
            with _unit(store) as first, _unit(store) as second:
                first.policies.add(_policy())
                second.policies.add(_policy(active=True))
                first.commit()
                _refused_with_conflict(
                    second.commit, "a second unit of work added policy 'checkout' again"
                )
            again = Change(_policy(active=True), None, (RuleAdded("checkout", _LATENCY),))
            _refused_with_conflict(
                lambda: store.commit([again], at=T0),
                "commit() took a new policy 'checkout' over the stored one",
            )
            version, policy = store.load("checkout")
            expect(version == 1, f"the stored policy's version moved to {version}")
            state = policy.rule_state("latency")
            expect(state is RuleState.DRAFT, f"the second addition replaced the first ({state})")

    @_store_promise("versions start at 1 and each commit adds 1")
    def test_versions_start_at_one_and_each_commit_adds_one(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            versions = [store.load("checkout")[0]]
            with _unit(store) as uow:  # one unit of work, two commits
                policy = uow.policies.get("checkout")
                policy.activate_rule("latency")
                uow.commit()
                versions.append(store.load("checkout")[0])
                policy.add_rule(ThresholdRule("cpu", "cpu", 0.9, "warning"))
                uow.commit()
                versions.append(store.load("checkout")[0])
            with _unit(store) as uow:
                uow.policies.get("checkout").retire_rule("cpu", "not needed")
                uow.commit()
            versions.append(store.load("checkout")[0])
            expect(versions == [1, 2, 3, 4], f"four commits gave versions {versions}")

    @_store_promise("load returns a private copy")
    def test_load_returns_a_private_copy(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            _, first = store.load("checkout")
            _, second = store.load("checkout")
            expect(first is not second, "two loads returned the same object")
            first.activate_rule("latency")
            state = store.load("checkout")[1].rule_state("latency")
            expect(state is RuleState.DRAFT, f"changing a loaded copy changed the store ({state})")

    @_store_promise("the event log holds every committed event, oldest first")
    def test_the_event_log_holds_committed_events_in_order(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            with _unit(store) as uow:
                uow.policies.get("checkout").activate_rule("latency")
                uow.commit()
            with _unit(store) as uow:
                alert = _breach(uow.policies.get("checkout"))
                uow.commit()
            with _unit(store) as uow:
                uow.policies.get("checkout").retire_rule("latency", "replaced")
                uow.commit()
            with _unit(store) as uow:  # never committed
                uow.policies.get("checkout").add_rule(ThresholdRule("cpu", "cpu", 0.9, "warning"))
            wanted = (
                RuleAdded("checkout", _LATENCY),
                RuleActivated("checkout", "latency"),
                IncidentOpened(alert),
                RuleRetired("checkout", "latency", "replaced"),
                IncidentClosed("checkout", "latency", alert.incident_id, "rule retired"),
            )
            log = store.event_log("checkout")
            expect(
                log == wanted,
                f"event_log gave {_names(log)}, not {_names(wanted)}"
                if _names(log) != _names(wanted)
                else "event_log gave the right kinds of event with different contents",
            )

    @_store_promise("the read model follows the committed events; a rebuild gives the same view")
    def test_the_read_model_follows_the_events_and_a_rebuild_agrees(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy(active=True), _policy("other", active=True))
            with _unit(store) as uow:
                alert = _breach(uow.policies.get("checkout"))
                uow.commit()
            _expect_view(store, PolicyView("checkout", ("latency",), (alert,)))
            with _unit(store) as uow:
                uow.policies.get("checkout").retire_rule("latency", "replaced")
                uow.commit()
            _expect_view(store, PolicyView("checkout"))
            _expect_view(store, PolicyView("other", ("latency",)))

    @_store_promise("an opened incident waits in the outbox, oldest first, until it is delivered")
    def test_an_opened_incident_waits_in_the_outbox_until_delivered(self) -> None:
        with _opened(self) as store:
            _commit_new(store, *(_policy(name, active=True) for name in ("a", "b", "never")))
            opened = []
            for name in ("b", "a"):
                with _unit(store) as uow:
                    opened.append(_breach(uow.policies.get(name)))
                    uow.commit()
            with _unit(store) as uow:
                _breach(uow.policies.get("never"))  # not committed: never queued
            first, second = opened
            _expect_pending(store, [PendingDelivery(first, T0), PendingDelivery(second, T0)])
            head = [entry.alert for entry in store.pending_deliveries(1)]
            expect(head == [first], "pending_deliveries(1) did not give the oldest entry alone")
            store.record_attempt([first.incident_id])
            _expect_pending(store, [PendingDelivery(first, T0, 1), PendingDelivery(second, T0)])
            store.mark_delivered([first.incident_id], at=T0)
            _expect_pending(store, [PendingDelivery(second, T0)])

    @_store_promise("a missing policy is PolicyNotFound")
    def test_a_missing_policy_is_policy_not_found(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy())
            expect(not store.exists("ghost"), "exists('ghost') is True")
            reads: dict[str, Callable[[str], object]] = {
                "load": store.load,
                "view": store.view,
                "event_log": store.event_log,
                "rebuild_view": store.rebuild_view,
            }
            for name, read in reads.items():
                try:
                    read("ghost")
                except PolicyNotFound:
                    continue
                except Exception as error:
                    raise Broken(f"{name}('ghost') raised {describe(error)}") from error
                raise Broken(f"{name}('ghost') returned instead of raising PolicyNotFound")

    @_store_promise("policy_ids lists policies in the order they were first stored")
    def test_policy_ids_keep_the_order_of_first_storing(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy("b"))
            _commit_new(store, _policy("a"), _policy("c"))
            with _unit(store) as uow:
                uow.policies.get("a").activate_rule("latency")
                uow.commit()
            ids = store.policy_ids()
            expect(ids == ("b", "a", "c"), f"policy_ids() gave {ids!r}, not ('b', 'a', 'c')")

    @_store_promise("a commit applies every change or none")
    def test_a_failed_commit_applies_none_of_its_changes(self) -> None:
        with _opened(self) as store:
            _commit_new(store, _policy("b"))
            _, stale = store.load("b")
            with _unit(store) as uow:
                uow.policies.get("b").activate_rule("latency")
                uow.commit()
            fresh = _policy("a", active=True)
            alert = _breach(fresh)
            stale.retire_rule("latency", "stale")
            changes = [
                Change(fresh, None, tuple(fresh.collect_events())),
                Change(stale, 1, tuple(stale.collect_events())),
            ]
            _refused_with_conflict(
                lambda: store.commit(changes, at=T0),
                "a commit whose second change was stale was applied",
            )
            expect(not store.exists("a"), "the first change of a refused commit was stored")
            ids = [entry.alert.incident_id for entry in store.pending_deliveries(10)]
            expect(alert.incident_id not in ids, "a refused commit put its incident in the outbox")
            log = store.event_log("b")
            expect(len(log) == 2, f"a refused commit changed the event log of 'b': {_names(log)}")

    @_store_promise("any valid policy is loaded as it was committed")
    @settings(max_examples=25, deadline=None, database=None)
    @given(policy=policies())
    def test_any_valid_policy_round_trips(self, policy: MonitoringPolicy) -> None:
        with _opened(self) as store:
            _commit_new(store, policy)
            _expect_same(store.load(policy.policy_id)[1], policy, "load()")
            view, rebuilt = store.view(policy.policy_id), store.rebuild_view(policy.policy_id)
            expect(view == rebuilt, f"view() gave {view!r} but rebuild_view() {rebuilt!r}")


class LeasingStoreContract(StoreContract):
    """The promises of a :class:`~service_monitoring.storage.LeasingStore`, on top of a store's.

    Subclass it instead of :class:`StoreContract` when the store leases its
    outbox, so two deliverers never send one batch at once.

    >>> from service_monitoring.storage import InMemoryStore
    >>> class TestInMemoryStore(LeasingStoreContract):
    ...     def make_store(self):
    ...         return InMemoryStore()
    >>> TestInMemoryStore().test_a_release_or_a_delivery_ends_the_lease()
    """

    @_store_promise("a claimed entry is skipped by another owner until its lease ends")
    def test_a_claimed_entry_is_skipped_until_its_lease_ends(self) -> None:
        with _opened(self) as store:
            leasing = _with_three_pending(store)
            later = T0 + timedelta(minutes=5)
            first = _ids(leasing.claim_pending(2, owner="one", now=T0, until=later))
            expect(len(first) == 2, f"claim_pending(2) gave {len(first)} entries")
            second = _ids(leasing.claim_pending(10, owner="two", now=T0, until=later))
            everything = _ids(store.pending_deliveries(3))
            expect(second == everything[2:], "another owner was handed an entry under a lease")
            again = _ids(leasing.claim_pending(10, owner="one", now=T0, until=later))
            expect(again == first, "the owner of a lease could not claim its entries again")
            expired = leasing.claim_pending(10, owner="three", now=later, until=later)
            expect(len(expired) == 3, "entries whose lease had ended were not handed out")
            expect(store.pending_count() == 3, "a lease hid entries from pending_count()")

    @_store_promise("a release or a delivery ends the lease, and only its owner can release")
    def test_a_release_or_a_delivery_ends_the_lease(self) -> None:
        with _opened(self) as store:
            leasing = _with_three_pending(store)
            later = T0 + timedelta(minutes=5)
            claimed = _ids(leasing.claim_pending(3, owner="one", now=T0, until=later))
            leasing.release(claimed[:1], owner="someone else")
            taken = leasing.claim_pending(3, owner="two", now=T0, until=later)
            expect(taken == [], "a release by another owner ended the lease")
            leasing.release(claimed[:1], owner="one")
            store.mark_delivered(claimed[1:2], at=T0)
            taken_ids = _ids(leasing.claim_pending(3, owner="two", now=T0, until=later))
            expect(taken_ids == claimed[:1], "another owner could not claim a released entry")
            expect(store.pending_count() == 2, "a delivered entry is still pending")


class _CallerFailed(Exception):
    """The caller's own failure inside a unit of work."""


def _names(events: tuple[object, ...]) -> list[str]:
    return [type(event).__name__ for event in events]


def _ids(entries: list[PendingDelivery]) -> list[str]:
    return [entry.alert.incident_id for entry in entries]


def _expect_view(store: Store, wanted: PolicyView) -> None:
    policy_id = wanted.policy_id
    view = store.view(policy_id)
    expect(view == wanted, f"view({policy_id!r}) gave {view!r}, not {wanted!r}")
    projected = PolicyView.rebuild(policy_id, store.event_log(policy_id))
    expect(view == projected, f"view({policy_id!r}) differs from its event log's projection")
    rebuilt = store.rebuild_view(policy_id)
    expect(rebuilt == view, f"rebuild_view({policy_id!r}) gave {rebuilt!r}, not {view!r}")
    expect(store.view(policy_id) == view, f"view({policy_id!r}) changed after a rebuild")


def _expect_pending(store: Store, wanted: list[PendingDelivery]) -> None:
    entries, count = store.pending_deliveries(10), store.pending_count()
    expect(
        entries == wanted,
        f"pending_deliveries(10) gave {_ids(entries)} with attempts "
        f"{[entry.attempts for entry in entries]}, not {_ids(wanted)} with attempts "
        f"{[entry.attempts for entry in wanted]}",
    )
    expect(count == len(wanted), f"pending_count() gave {count} for {len(wanted)} pending entries")


def _with_three_pending(store: Store) -> LeasingStore:
    """*store* as a leasing store, with three incidents (policies a, b, c) in its outbox."""
    if not isinstance(store, LeasingStore):
        raise Broken(f"make_store() returned a {type(store).__name__}, which does not lease")
    for name in ("a", "b", "c"):
        policy = _policy(name, active=True)
        _breach(policy)
        _commit_new(store, policy)
    return store
