"""Progress display for long work, on standard error, on a terminal only.

``with showing(enabled=...) as progress:`` gives a :class:`zonegraph._progress.Progress`
to hand to the library (``load``, ``check``, ``export``). While the work runs,
one status line says the phase, its counts and rate and the time taken::

    ⠹ loading into oxigraph:zonegraph.db…  120,000 triples  45,000 triples/s  2.7s

and each finished phase stays as a line of its own, the way pip and cargo
leave theirs::

    ✓ checking files  45/45 files  0.4s

Nothing is drawn for work that ends within *delay* seconds, so quick commands
stay quiet; nothing at all when disabled (``--quiet``), when standard error is
not a terminal (a pipe, a file, CI) or when ``TERM`` is ``dumb``; colours
likewise appear only on a terminal. ``with working("drawing"):`` is the
one-phase form.

Why hand-written rather than rich.progress or click.progressbar: the phases
come from library callbacks whose totals are often unknown, the status line
must never reach standard output (which may be the command's data), and the
whole of it is a redraw of one line ten times a second.

>>> with showing(enabled=False) as progress:
...     progress("nothing much", done=1, total=2, unit="steps")
>>> with working("nothing much", enabled=False):
...     pass
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from .._progress import Progress, silent

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def interactive(stream: TextIO | None = None) -> bool:
    """True when *stream* (standard error by default) is a terminal that can redraw a line."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _counts(done: int | None, total: int | None, unit: str) -> str:
    if done is None:
        return ""
    if total is not None:
        return f"{done:,}/{total:,} {unit}".rstrip()
    return f"{done:,} {unit}".rstrip()


def _columns(out: TextIO) -> int:
    """The width of the terminal *out* draws on ($COLUMNS first, else 80)."""
    try:
        columns = os.get_terminal_size(out.fileno()).columns
    except (AttributeError, OSError, ValueError):
        columns = 0
    return int(os.environ.get("COLUMNS", "0") or 0) or columns or 80


class Display:
    """The status line and the finished phases: a :class:`Progress` that draws."""

    def __init__(self, out: TextIO, *, delay: float = 0.3) -> None:
        self.out = out
        self.delay = delay
        self.lock = threading.Lock()
        self.started = time.monotonic()
        self.phase: str | None = None
        self.phase_started = self.started
        self.done: int | None = None
        self.total: int | None = None
        self.unit = ""
        self.item = ""
        self.finished: list[str] = []  # lines not written yet (the display not shown yet)
        self.shown = False
        self.frame = 0

    def __call__(
        self,
        phase: str,
        *,
        done: int | None = None,
        total: int | None = None,
        unit: str = "",
        item: str = "",
    ) -> None:
        with self.lock:
            if phase != self.phase:
                self._finish()
                self.phase, self.phase_started = phase, time.monotonic()
            self.done, self.total, self.unit, self.item = done, total, unit, item

    def _summary(self, now: float, *, running: bool = False) -> tuple[str, float]:
        counts = _counts(self.done, self.total, self.unit)
        elapsed = now - self.phase_started
        rate = ""
        # a rate where it says something: many items, or a count with no end known
        if self.done and self.unit and elapsed >= 0.5 and (self.total is None or self.done >= 100):
            rate = f"{self.done / elapsed:,.0f} {self.unit}/s"
        phase = f"{self.phase}…" if running else self.phase or ""
        return "  ".join(p for p in (phase, counts, rate) if p), elapsed

    def _finish(self) -> None:
        """End the current phase: its line stays (written once the display shows)."""
        if self.phase is None:
            return
        text, elapsed = self._summary(time.monotonic())
        self.finished.append(f"\x1b[32m✓\x1b[0m {text}  \x1b[2m{elapsed:.1f}s\x1b[0m")
        if self.shown:
            self._flush()
        self.phase = None

    def _flush(self) -> None:
        for line in self.finished:
            self.out.write(f"\r\x1b[K{line}\n")
        self.finished.clear()

    def draw(self) -> None:
        """Redraw the status line (from the drawing thread, ten times a second)."""
        with self.lock:
            now = time.monotonic()
            if now - self.started < self.delay:
                return
            if not self.shown:
                self.shown = True
                self._flush()
            if self.phase is None:
                return
            text, elapsed = self._summary(now, running=True)
            if self.item:
                text += f"  {self.item}"
            width = _columns(self.out) - 10
            if len(text) > width:
                text = text[: max(width - 1, 10)] + "…"
            spinner = f"\x1b[36m{_FRAMES[self.frame % len(_FRAMES)]}\x1b[0m"
            self.frame += 1
            self.out.write(f"\r{spinner} {text}  \x1b[2m{elapsed:.1f}s\x1b[0m\x1b[K")
            self.out.flush()

    def close(self) -> None:
        """End the last phase and erase the status line."""
        with self.lock:
            self._finish()
            if not self.shown and time.monotonic() - self.started >= self.delay:
                self.shown = True  # work that took the delay, ended before a redraw
                self._flush()
            if self.shown:
                self.out.write("\r\x1b[K")
                self.out.flush()


def _delay() -> float:
    """How long work runs before the display appears: $ZONEGRAPH_PROGRESS_DELAY seconds
    (0 shows even quick work), 0.3 by default."""
    try:
        return max(0.0, float(os.environ.get("ZONEGRAPH_PROGRESS_DELAY", "0.3")))
    except ValueError:
        return 0.3


@contextmanager
def showing(
    *, enabled: bool = True, stream: TextIO | None = None, delay: float | None = None
) -> Iterator[Progress]:
    """A :class:`Progress` drawn on *stream* (standard error) while the block runs; the
    silent one when disabled or not on a terminal."""
    out = stream if stream is not None else sys.stderr
    if not enabled or not interactive(out):
        yield silent
        return
    display = Display(out, delay=_delay() if delay is None else delay)
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.1):
            display.draw()

    thread = threading.Thread(target=loop, name="zonegraph-progress", daemon=True)
    thread.start()
    try:
        yield display
    finally:
        stop.set()
        thread.join()
        display.close()


@contextmanager
def working(
    what: str, *, enabled: bool = True, stream: TextIO | None = None, delay: float | None = None
) -> Iterator[None]:
    """Show *what* with a spinner and the elapsed time while the block runs."""
    with showing(enabled=enabled, stream=stream, delay=delay) as progress:
        progress(what)
        yield
