"""The delivery layer: sinks, the webhook's wire format and the outbox delivery loop.

Internal package: import the sinks and :class:`~service_monitoring.DeliveryPolicy`
from :mod:`service_monitoring`.

* :mod:`~service_monitoring.delivery.sinks` -- the sink protocol and the collecting sink.
* :mod:`~service_monitoring.delivery.payload` -- the JSON a webhook receives.
* :mod:`~service_monitoring.delivery.webhook` -- the HTTP sink.
* :mod:`~service_monitoring.delivery.outbox` -- draining the outbox into a sink, with retries.

The runtime owns one :class:`~service_monitoring.delivery.outbox.OutboxDelivery`;
nothing here imports the runtime.
"""
