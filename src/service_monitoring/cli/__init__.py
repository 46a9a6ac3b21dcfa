"""The ``service-monitoring`` command line.

Internal package: the console script calls :func:`service_monitoring.cli.app.main`.

* :mod:`~service_monitoring.cli.app` -- the parser, the commands and their exit codes.
* :mod:`~service_monitoring.cli.policy_file` -- the TOML policy file format.
* :mod:`~service_monitoring.cli.render` -- the lines the commands print.
* :mod:`~service_monitoring.cli.logfmt` -- the log format of ``--log-level``.
* :mod:`~service_monitoring.cli.demo` -- the built-in scenario of ``demo``.
"""
