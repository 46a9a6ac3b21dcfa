"""What every benchmark here reports: a figure, its value, its target and whether it was met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One printed line of a benchmark: ``name  value  target``, marked ``ok`` or ``MISS``."""

    name: str
    value: str
    target: str
    met: bool
