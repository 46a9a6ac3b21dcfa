"""``service-monitoring serve``: the long-running service behind the command.

Internal module: the command line (:mod:`service_monitoring.cli.serve_command`) builds a
:class:`~service_monitoring.serve.service.MonitoringService` and runs it until a signal.

The package sits between the runtime and the command line. Each module has one job:
:mod:`~service_monitoring.serve.settings` (validated options),
:mod:`~service_monitoring.serve.schedule` (monotonic cycle deadlines),
:mod:`~service_monitoring.serve.intake_queue` (the bounded sample queue),
:mod:`~service_monitoring.serve.worker` (the delivery thread),
:mod:`~service_monitoring.serve.http_api` (the HTTP endpoints) and
:mod:`~service_monitoring.serve.service` (threads, runtimes and the shutdown sequence).

>>> from service_monitoring.serve.settings import ServeSettings
>>> ServeSettings(interval=2).delivery_every
2.0
"""
