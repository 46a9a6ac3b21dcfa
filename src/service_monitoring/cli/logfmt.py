"""The command line's log format: one ``key=value`` line per record.

Internal module: ``service-monitoring --log-level LEVEL`` installs
:class:`LogfmtFormatter` on the package's logger for the length of a command.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Final

__all__ = ["LogfmtFormatter"]

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
        return line


def _logfmt(value: object) -> str:
    text = str(value)
    if text and not any(char in text for char in ' "=\\') and text.isprintable():
        return text
    return json.dumps(text)
