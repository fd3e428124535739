"""Progress display for long work: a status line on standard error, on a terminal only.

``with working("validating", enabled=...)`` shows a spinner, what is being
done and the seconds it has taken, updated ten times a second, and erases it
when the work ends. It shows nothing when disabled (``--quiet``), when
standard error is not a terminal (a pipe, a file, CI) or when ``TERM`` is
``dumb``; colours likewise appear only on a terminal.

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

_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def interactive(stream: TextIO | None = None) -> bool:
    """True when *stream* (standard error by default) is a terminal that can redraw a line."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


@contextmanager
def working(
    what: str, *, enabled: bool = True, stream: TextIO | None = None, delay: float = 0.3
) -> Iterator[None]:
    """Show a spinner with *what* and the elapsed time while the block runs.

    Nothing is drawn for work that ends within *delay* seconds, so quick
    commands stay quiet.
    """
    out = stream if stream is not None else sys.stderr
    if not enabled or not interactive(out):
        yield
        return
    stop = threading.Event()
    start = time.monotonic()
    drawn = False

    def draw() -> None:
        nonlocal drawn
        frame = 0
        while not stop.wait(0.1):
            elapsed = time.monotonic() - start
            if elapsed < delay:
                continue
            spinner = f"\x1b[36m{_FRAMES[frame % len(_FRAMES)]}\x1b[0m"
            out.write(f"\r{spinner} {what}… \x1b[2m{elapsed:.1f}s\x1b[0m\x1b[K")
            out.flush()
            drawn = True
            frame += 1

    thread = threading.Thread(target=draw, name="zonegraph-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        if drawn:
            out.write("\r\x1b[K")
            out.flush()
