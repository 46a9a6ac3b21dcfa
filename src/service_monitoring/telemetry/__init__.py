"""The telemetry layer: what the package tells an operator.

Internal package: import :class:`~service_monitoring.Telemetry` from
:mod:`service_monitoring`.

* :mod:`~service_monitoring.telemetry.signals` -- :class:`~service_monitoring.Telemetry`:
  log records, OpenTelemetry metrics and spans, each reported once where it is handled.
* :mod:`~service_monitoring.telemetry.runbook` -- predicted failures and their recovery.
"""
