"""How long work tells its caller what it is doing: the :class:`Progress` callback.

The library calls ``progress(phase, done=..., total=..., unit=..., item=...)`` as
work advances (``load``, ``check``, ``export``); the command line draws it on a
terminal (``zonegraph.cli.progress``); the default, :func:`silent`, ignores it.
The library itself never writes to a terminal. A call with a new *phase* starts
that phase (the previous one ends); calls with the same *phase* update its counts.

>>> calls = []
>>> def record(phase, *, done=None, total=None, unit="", item=""):
...     calls.append((phase, done, total, unit))
>>> double = counting(lambda x: 2 * x, record, "doubling", total=2, unit="numbers")
>>> double(1), double(2)
(2, 4)
>>> [done for _, done, _, _ in calls]
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Progress(Protocol):
    """Where long work reports its phase and, where it knows them, its counts.

    *phase* says what is being done ("checking files", "validating"); *done* of
    *total* counts *unit* ("triples", "files", "shapes"; *total* None when not
    known ahead); *item* names what is being worked on (a file).
    """

    def __call__(
        self,
        phase: str,
        *,
        done: int | None = None,
        total: int | None = None,
        unit: str = "",
        item: str = "",
    ) -> None: ...


def silent(
    phase: str, *, done: int | None = None, total: int | None = None, unit: str = "", item: str = ""
) -> None:
    """The progress of a caller that wants none: it ignores every report."""


def counting(
    fn: Callable[P, R], progress: Progress, phase: str, *, total: int | None, unit: str
) -> Callable[P, R]:
    """*fn*, reporting each call it finishes as one more *unit* of *total* under *phase*."""
    done = 0

    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        nonlocal done
        if done == 0:
            progress(phase, done=0, total=total, unit=unit)
        result = fn(*args, **kwargs)
        done += 1
        progress(phase, done=done, total=total, unit=unit)
        return result

    return counted


def announced(
    fn: Callable[P, R], progress: Progress, phase: str, *, then: str | None = None
) -> Callable[P, R]:
    """*fn*, starting *phase* when it is called (and the phase *then* when it returns)."""

    def started(*args: P.args, **kwargs: P.kwargs) -> R:
        progress(phase)
        result = fn(*args, **kwargs)
        if then is not None:
            progress(then)
        return result

    return started
