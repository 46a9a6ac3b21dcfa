"""The command line's log format: one ``key=value`` line per record.

Internal module: ``service-monitoring --log-level LEVEL`` installs
:class:`LogfmtFormatter` on the package's logger for the length of a command
(:func:`logging_to`). Each record is one line of printable characters: a value
that holds anything else is written as a JSON string, and the line as a whole
passes :func:`~service_monitoring.cli.render.escape`.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, TextIO

from ..telemetry.signals import LOGGER_NAME
from .render import escape

__all__ = ["LogfmtFormatter", "logging_to"]

_BLANK_RECORD: Final = logging.LogRecord("", 0, "", 0, "", None, None)
_STANDARD_ATTRIBUTES: Final = frozenset({*vars(_BLANK_RECORD), "message", "asctime"})


class LogfmtFormatter(logging.Formatter):
    """One ``key=value`` line per record: time, level, logger, event, message, then the fields.

    >>> record = logging.LogRecord("service_monitoring.runtime", logging.INFO, "", 0,
    ...                            "cycle completed", None, None)
    >>> record.event, record.policy_id, record.created = "cycle.completed", "checkout", 0
    >>> LogfmtFormatter().format(record)  # doctest: +NORMALIZE_WHITESPACE
    'time=1970-01-01T00:00:00Z level=INFO logger=service_monitoring.runtime
     event=cycle.completed msg="cycle completed" policy_id=checkout'
    """

    def format(self, record: logging.LogRecord) -> str:
        pairs: list[tuple[str, object]] = [
            ("time", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))),
            ("level", record.levelname),
            ("logger", record.name),
            ("event", getattr(record, "event", "-")),
            ("msg", record.getMessage()),
        ]
        pairs += [
            (key, value)
            for key, value in vars(record).items()
            if key not in _STANDARD_ATTRIBUTES and key != "event"
        ]
        line = " ".join(f"{key}={_logfmt(value)}" for key, value in pairs)
        if record.exc_info:
            line += " exc_type=" + _logfmt(getattr(record.exc_info[0], "__name__", "?"))
        return escape(line)  # the keys too: one line, whatever a record carries


@contextmanager
def logging_to(stream: TextIO, level: str) -> Iterator[None]:
    """While the block runs, write the package's records of *level* and above to *stream*.

    *level* is a level name in lower case, or ``"off"`` for no records at all.
    """
    if level == "off":
        yield
        return
    logger = logging.getLogger(LOGGER_NAME)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LogfmtFormatter())
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _logfmt(value: object) -> str:
    text = str(value)
    if text and not any(char in text for char in ' "=\\') and text.isprintable():
        return text
    return json.dumps(text)
