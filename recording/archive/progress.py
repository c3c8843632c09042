"""Rate and time left for long archive work (encrypt, image, burn, verify), from bytes done.

Sans-IO: feed it ``(stage, done, total)`` as the work reports them and it returns a
:class:`ProgressReport` with the rate over the last few seconds and the time left at that
rate. The clock is injected, so tests drive it. Used by the command line and the clerk's window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressReport:
    """Where a stage is: bytes done of total, bytes per second, seconds left (None: unknown)."""

    stage: str
    done: int
    total: int
    rate: float
    seconds_left: float | None

    @property
    def fraction(self) -> float:
        """Done as a fraction of total (0 when the total is unknown)."""
        return min(1.0, self.done / self.total) if self.total else 0.0


class ProgressMeter:
    """Turns a stream of byte counts into rate and time left, per stage."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 3.0) -> None:
        self._clock = clock
        self._window = window
        self._stage = ""
        self._samples: deque[tuple[float, int]] = deque()

    def update(self, stage: str, done: int, total: int) -> ProgressReport:
        """Record ``done`` of ``total`` bytes for ``stage``; a new stage starts afresh."""
        now = self._clock()
        if stage != self._stage or (self._samples and done < self._samples[-1][1]):
            self._stage = stage
            self._samples.clear()
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self._window:
            self._samples.popleft()
        first_time, first_done = self._samples[0]
        elapsed = now - first_time
        rate = (done - first_done) / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 and total >= done else None
        return ProgressReport(stage, done, total, rate, 0.0 if done >= total > 0 else left)


def format_bytes(count: float) -> str:
    """``1.5 GiB``, ``320 MiB``, ``12 KiB``, ``900 B``."""
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if count >= size:
            value = count / size
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{count:.0f} B"


def format_seconds(seconds: float | None) -> str:
    """``1 h 05 min``, ``3 min 20 s``, ``45 s``, or ``?`` when unknown."""
    if seconds is None:
        return "?"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
