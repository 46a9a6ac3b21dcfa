"""The test kit's sink contract, run against the collecting sink and the webhook sink."""

from __future__ import annotations

import pytest

from conftest import Endpoint
from service_monitoring import CollectingIncidentSink, IncidentSink, WebhookSink
from service_monitoring.testing import SinkContract


class TestCollectingSink(SinkContract):
    """An in-process sink that cannot fail: the contract makes it take batches of every size."""

    def make_sink(self) -> IncidentSink:
        return CollectingIncidentSink()


class TestWebhookSink(SinkContract):
    """A webhook on 127.0.0.1 that acknowledges every batch, and a port where nothing listens."""

    @pytest.fixture(autouse=True)
    def _endpoints(self, endpoint: Endpoint, closed_port_url: str) -> None:
        self.endpoint = endpoint
        self.closed_port_url = closed_port_url

    def make_sink(self) -> IncidentSink:
        return WebhookSink(self.endpoint.url, timeout=5)

    def make_failing_sink(self) -> IncidentSink:
        return WebhookSink(self.closed_port_url, timeout=5)

    def test_every_batch_the_contract_published_reached_the_endpoint(self) -> None:
        self.test_publish_takes_a_batch_again()
        delivered = [request["body"]["alerts"] for request in self.endpoint.requests]
        assert len(delivered) == 2 and delivered[0] == delivered[1]
        assert len(delivered[0]) == 2
