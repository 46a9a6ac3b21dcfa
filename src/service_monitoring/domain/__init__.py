"""The domain layer: the model's truth, importing nothing outside ``domain/``.

Internal package: import the public names from :mod:`service_monitoring`.

* :mod:`~service_monitoring.domain.errors` -- the error hierarchy.
* :mod:`~service_monitoring.domain.values` -- samples, rules, alerts, severities, rule states.
* :mod:`~service_monitoring.domain.clock` -- what "now" is, as a replaceable function.
* :mod:`~service_monitoring.domain.events` -- what a policy records when it changes.
* :mod:`~service_monitoring.domain.modes` -- evaluation modes and their registry.
* :mod:`~service_monitoring.domain.policy` -- the aggregate,
  :class:`~service_monitoring.MonitoringPolicy`.
* :mod:`~service_monitoring.domain.lifecycle` -- the moves a rule's state may make.
* :mod:`~service_monitoring.domain.evaluation` -- a batch grouped and judged, changing nothing.
* :mod:`~service_monitoring.domain.reports` -- what one evaluation cycle did.

Nothing here knows about storage, sinks, logging configuration or the runtime;
an import-linter contract (``tox -e lint``) keeps it that way.
"""
