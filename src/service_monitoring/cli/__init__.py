"""The ``service-monitoring`` command line.

Internal package: the console script calls :func:`service_monitoring.cli.app.main`.

* :mod:`~service_monitoring.cli.app` -- the parser, the exit codes and what output failures mean.
* :mod:`~service_monitoring.cli.commands` -- the commands: what each reads and opens, and how.
* :mod:`~service_monitoring.cli.policy_file` -- the TOML policy file format and its limits.
* :mod:`~service_monitoring.cli.render` -- the lines the commands print, escaped, and failed writes.
* :mod:`~service_monitoring.cli.logfmt` -- the log format of ``--log-level``.
* :mod:`~service_monitoring.cli.demo` -- the built-in scenario of ``demo``.
"""
