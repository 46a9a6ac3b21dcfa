"""WebhookSink against a real HTTP server on 127.0.0.1: delivery, retries, refusals, timeouts."""

from __future__ import annotations

import time

import pytest

from service_monitoring import (
    DeliveryPolicy,
    DeliveryRejected,
    DomainError,
    MonitoringRuntime,
    PublicationFailed,
    Secret,
    WebhookSink,
)
from service_monitoring.delivery.payload import alert_document
from support import latency_policy, sample

TOKEN = "wh-t0ken-never-printed"


def runtime_for(sink: WebhookSink, *, attempts: int = 3) -> tuple[MonitoringRuntime, list[float]]:
    pauses: list[float] = []
    runtime = MonitoringRuntime(
        sink=sink, delivery=DeliveryPolicy(attempts=attempts, first_delay=0.5), sleep=pauses.append
    )
    runtime.register_policy(latency_policy())
    return runtime, pauses


def test_a_batch_is_posted_as_json_with_token_and_idempotency_key(endpoint) -> None:
    runtime, _ = runtime_for(WebhookSink(endpoint.url, token=Secret(TOKEN)))
    with runtime:
        report = runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    (request,) = endpoint.requests
    assert request["body"] == {"alerts": [alert_document(alert) for alert in report.alerts]}
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["content-type"] == "application/json"
    assert len(headers["idempotency-key"]) == 32
    assert report.alerts_published == 1
    assert report.pending_deliveries == 0


def test_without_a_token_no_authorization_header_is_sent(endpoint) -> None:
    WebhookSink(endpoint.url).publish([alert_for(300)])
    (request,) = endpoint.requests
    assert "authorization" not in {name.lower() for name in request["headers"]}


def test_the_idempotency_key_is_stable_per_batch(endpoint) -> None:
    sink = WebhookSink(endpoint.url)
    first, second = alert_for(300), alert_for(400, minute=1)
    sink.publish([first])
    sink.publish([first])
    sink.publish([first, second])
    keys = [request["headers"]["Idempotency-Key"] for request in endpoint.requests]
    assert keys[0] == keys[1] != keys[2]


def test_an_empty_batch_sends_nothing(endpoint) -> None:
    WebhookSink(endpoint.url).publish([])
    assert endpoint.requests == []


def test_a_server_failing_the_first_attempts_gets_everything_exactly_once(endpoint) -> None:
    endpoint.answers = [503, 503, 503]  # then 200
    runtime, pauses = runtime_for(WebhookSink(endpoint.url, timeout=2), attempts=2)
    with runtime:
        with pytest.raises(PublicationFailed) as caught:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 320, 0)])
        assert caught.value.pending == 1
        runtime.retire_rule("checkout", "latency", "replaced")
        runtime.register_policy(latency_policy("billing"))
        second = runtime.run_cycle("billing", [sample("http.latency_ms", 330, 1)])
        assert runtime.deliver_pending() == 0
        assert runtime.pending_deliveries() == ()
    first_id = caught.value.report.alerts[0].incident_id
    assert endpoint.acknowledged == [first_id, second.alerts[0].incident_id]
    assert [request["status"] for request in endpoint.requests] == [503, 503, 503, 200, 200]
    assert pauses == [0.5, 0.5]  # one retry per failed delivery, via the injected sleep


def test_a_recovered_server_is_sent_the_pending_incidents_once(endpoint) -> None:
    endpoint.answers = [500] * 3
    runtime, _ = runtime_for(WebhookSink(endpoint.url))
    with runtime:
        with pytest.raises(PublicationFailed, match="HTTP 500"):
            runtime.run_cycle("checkout", [sample("http.latency_ms", 320, 0)])
        assert runtime.deliver_pending() == 1
        assert runtime.deliver_pending() == 0
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320, 0)])  # a repeated cycle
    assert len(endpoint.acknowledged) == len(set(endpoint.acknowledged)) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429])
def test_retryable_answers_are_publication_failures(endpoint, status: int) -> None:
    endpoint.answers = [status]
    with pytest.raises(PublicationFailed, match=f"HTTP {status}") as caught:
        WebhookSink(endpoint.url).publish([alert_for(300)])
    assert caught.value.retryable


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_rejections_and_the_incidents_stay_pending(endpoint, status) -> None:
    endpoint.answers = [status] * 5
    runtime, pauses = runtime_for(WebhookSink(endpoint.url, token=Secret(TOKEN)))
    with runtime:
        with pytest.raises(DeliveryRejected, match=f"HTTP {status}") as caught:
            runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
        assert len(runtime.pending_deliveries()) == caught.value.pending == 1
        assert runtime.pending_deliveries()[0].attempts == 1
    assert not caught.value.retryable
    assert len(endpoint.requests) == 1  # not retried
    assert pauses == []
    assert TOKEN not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_are_not_followed(endpoint, status: int) -> None:
    endpoint.answers = [status]
    with pytest.raises(DeliveryRejected, match="redirects are not followed"):
        WebhookSink(endpoint.url, token=Secret(TOKEN)).publish([alert_for(300)])
    assert len(endpoint.requests) == 1


def test_a_server_slower_than_the_timeout_is_a_publication_failure(endpoint) -> None:
    endpoint.delay = 2.0
    started = time.monotonic()
    with pytest.raises(PublicationFailed, match=r"timed out|did not answer"):
        WebhookSink(endpoint.url, timeout=0.2).publish([alert_for(300)])
    assert time.monotonic() - started < 1.5


def test_a_refused_connection_is_a_publication_failure(closed_port_url: str) -> None:
    runtime, pauses = runtime_for(WebhookSink(closed_port_url, timeout=1))
    with runtime, pytest.raises(PublicationFailed, match="unreachable") as caught:
        runtime.run_cycle("checkout", [sample("http.latency_ms", 320)])
    assert caught.value.pending == 1
    assert len(pauses) == 2  # three attempts


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://alerts.example.com/hook", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("alerts.example.com/hook", "http or https"),
        ("https:///hook", "names no host"),
        ("https://alerts.example.com/ho ok", "spaces or control characters"),
        ("https://alerts.example.com/hook\r\nX-Evil: 1", "spaces or control characters"),
        ("https://alerts.example.com:99999/hook", "cannot be parsed"),
        ("https://alerts..example.com/hook", "empty label"),
        (f"https://{'x' * 64}.example.com/hook", "longer than 63"),
        (b"https://alerts.example.com", "must be a string"),
    ],
)
def test_only_plain_http_urls_are_accepted(url: object, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        WebhookSink(url)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    [
        "https://alerts.example.com/h\u00f6oks/incidents",
        "https://alerts.example.com/hook?channel=caf\u00e9",
        "https://b\u00fccher.example/hook",
        "https://alerts.example.com/hook\u00a0",  # a no-break space
        "https://alerts.example.com/hook#\u00e9",
    ],
)
def test_a_url_that_is_not_ascii_is_refused_with_advice(url: str) -> None:
    with pytest.raises(DomainError, match="ASCII") as caught:
        WebhookSink(url)
    assert "percent-encode" in str(caught.value)
    assert "punycode" in str(caught.value)


def test_an_ascii_url_with_percent_encoding_and_punycode_is_accepted(endpoint) -> None:
    WebhookSink("https://xn--bcher-kva.example/h%C3%B6oks?c=caf%C3%A9", timeout=1)
    WebhookSink(endpoint.url + "/h%C3%B6oks?channel=caf%C3%A9#frag").publish([alert_for(300)])
    assert len(endpoint.requests) == 1


def test_credentials_in_the_url_are_refused_without_being_echoed() -> None:
    with pytest.raises(DomainError) as caught:
        WebhookSink(f"https://user:{TOKEN}@alerts.example.com/hook")
    assert TOKEN not in str(caught.value)
    assert "credentials" in str(caught.value)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"token": TOKEN}, "token must be a Secret"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": float("-inf")}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"timeout": False}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": 1e10}, "timeout"),  # the platform cannot wait that long
        ({"timeout": 5000}, "timeout"),  # milliseconds, by mistake
    ],
)
def test_options_are_validated(options: dict, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        WebhookSink("https://alerts.example.com/hook", **options)


def test_repr_and_errors_name_only_the_origin(closed_port_url: str) -> None:
    sink = WebhookSink(closed_port_url + "?key=path-secret", token=Secret(TOKEN))
    assert repr(sink) == (f"WebhookSink({sink.origin!r}, token=Secret('********'), timeout=5.0)")
    with pytest.raises(PublicationFailed) as caught:
        sink.publish([alert_for(300)])
    assert sink.origin in str(caught.value)
    assert "path-secret" not in str(caught.value)
    assert "hooks" not in str(caught.value)


def alert_for(value: float, *, minute: int = 0):
    policy = latency_policy()
    (alert,) = policy.evaluate([sample("http.latency_ms", value, minute)])
    return alert
