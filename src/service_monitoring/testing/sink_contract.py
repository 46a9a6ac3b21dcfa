"""The sink contract: what the outbox and the runtime rely on a sink for.

Internal module: import :class:`SinkContract` from the public
:mod:`service_monitoring.testing` namespace.

The outbox hands a sink one batch at a time and reads the outcome from how
``publish`` ends: returning acknowledges the whole batch,
:class:`~service_monitoring.PublicationFailed` asks for a later try and
:class:`~service_monitoring.DeliveryRejected` says no try will succeed. Any
other exception is a bug that the outbox can only guess about. Delivery is
at-least-once, so the same incidents may be offered again, and the runtime
closes a sink that has ``close()`` exactly when it closes itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Final

from ..delivery.sinks import IncidentSink
from ..domain.errors import DeliveryRejected, PublicationFailed
from ..domain.values import Alert, MetricSample, ThresholdRule
from .promises import Broken, ContractViolation, describe, expect, promise

__all__ = ["SinkContract"]

_T0: Final = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
_RULES: Final = (
    ThresholdRule("latency", "http.latency_ms", 250, "critical"),
    ThresholdRule("cpu-hot", "cpu.utilisation", 0.9, "warning"),
)
_CLOSE_TWICE: Final = "close, if the sink has one, can be called twice"


def _sink_promise(text: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return promise("Sink", text)


def _alerts(count: int) -> tuple[Alert, ...]:
    """*count* distinct alerts, as two policies' rules would open them, a minute apart."""
    return tuple(
        Alert.open(
            f"policy-{index % 2}",
            _RULES[index % 2],
            MetricSample(_RULES[index % 2].metric, 300 + index, _T0 + timedelta(minutes=index)),
        )
        for index in range(count)
    )


def _close(sink: IncidentSink) -> None:
    """Close *sink* as the runtime would, then once more: both must return."""
    close = getattr(sink, "close", None)
    if not callable(close):
        return
    for time in ("first", "second"):
        try:
            close()
        except Exception as error:
            happened = f"the {time} close() raised {describe(error)}"
            raise ContractViolation("Sink", _CLOSE_TWICE, happened) from error


@contextmanager
def _made(make: Callable[[], IncidentSink | None], name: str) -> Iterator[IncidentSink]:
    sink = make()
    if not isinstance(sink, IncidentSink):
        raise Broken(f"{name}() returned a {type(sink).__name__}, which has no publish()")
    try:
        yield sink
    finally:
        _close(sink)


def _delivered(sink: IncidentSink, batch: Sequence[Alert], what: str) -> None:
    """Publish *batch*; it must be acknowledged (publish returns None)."""
    try:
        returned = sink.publish(batch)  # type: ignore[func-returns-value]  # checked below
    except (PublicationFailed, DeliveryRejected) as error:
        raise Broken(f"publish() of {what} refused it: {describe(error)}") from error
    expect(returned is None, f"publish() of {what} returned {returned!r}, not None")


class SinkContract:
    """The promises every :class:`~service_monitoring.IncidentSink` keeps.

    Subclass it in a test module as ``class TestMySink(SinkContract)`` and
    define :meth:`make_sink` (a sink that can deliver); define
    :meth:`make_failing_sink` too when the sink can fail (an endpoint that
    is down). Every sink made is closed twice at the end of its test, when it
    has ``close()``, which is a promise too.

    >>> from service_monitoring import CollectingIncidentSink
    >>> class TestCollectingSink(SinkContract):
    ...     def make_sink(self):
    ...         return CollectingIncidentSink()
    >>> TestCollectingSink().test_publish_takes_an_empty_batch()
    """

    def make_sink(self) -> IncidentSink:
        """Return a new sink that can deliver: every batch it is given is acknowledged."""
        raise NotImplementedError(f"{type(self).__name__} must define make_sink()")

    def make_failing_sink(self) -> IncidentSink | None:
        """Return a sink that cannot deliver (its endpoint down), or ``None`` if none can fail.

        ``None`` (the default) is a promise too: the sink from :meth:`make_sink`
        then takes batches of any size.
        """
        return None

    @_sink_promise("publish takes a batch of alerts")
    def test_publish_takes_a_batch(self) -> None:
        with _made(self.make_sink, "make_sink") as sink:
            _delivered(sink, _alerts(3), "a batch of 3 alerts")
            _delivered(sink, list(_alerts(1)), "a list of 1 alert")

    @_sink_promise("publish takes an empty batch")
    def test_publish_takes_an_empty_batch(self) -> None:
        with _made(self.make_sink, "make_sink") as sink:
            _delivered(sink, (), "an empty batch")

    @_sink_promise("publish takes a batch it already took (delivery is at-least-once)")
    def test_publish_takes_a_batch_again(self) -> None:
        batch = _alerts(2)
        with _made(self.make_sink, "make_sink") as sink:
            _delivered(sink, batch, "a batch")
            _delivered(sink, batch, "the same batch again")

    @_sink_promise("a sink that cannot deliver raises PublicationFailed or DeliveryRejected")
    def test_a_failure_is_a_delivery_error(self) -> None:
        failing = self.make_failing_sink()
        if failing is None:  # the sink says it cannot fail: then it takes every batch
            with _made(self.make_sink, "make_sink") as sink:
                for size in (1, 10, 100):
                    _delivered(sink, _alerts(size), f"a batch of {size} alerts")
            return
        with _made(lambda: failing, "make_failing_sink") as sink:
            try:
                sink.publish(_alerts(2))
            except (PublicationFailed, DeliveryRejected):
                return
            except Exception as error:
                raise Broken(f"publish() raised {describe(error)}") from error
            raise Broken("the failing sink's publish() returned: the batch counts as delivered")
