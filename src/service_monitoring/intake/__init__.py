"""The intake layer: where untrusted input becomes domain values.

Internal package: import :func:`~service_monitoring.decode_samples`,
:class:`~service_monitoring.PayloadLimits` and :class:`~service_monitoring.Secret`
from :mod:`service_monitoring`.

* :mod:`~service_monitoring.intake.samples` -- the samples payload: bounded, parsed, checked.
* :mod:`~service_monitoring.intake.secret` -- a credential that never shows itself.
"""
