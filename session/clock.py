"""Clocks, injected everywhere time matters so tests can drive it.

Session time is monotonic seconds since the hub's epoch (its start, or its first start when
the epoch is kept: :meth:`HubClock.kept_in`); :meth:`HubClock.wall` maps a session time to Unix
time for the record and the picture, so a wall-clock jump (NTP, a manual change) never reorders
what was recorded while the hub runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


class HubClock:
    """Monotonic session time with a fixed anchor to wall-clock time."""

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        epoch: float | None = None,
    ) -> None:
        # With an ``epoch`` (Unix time) kept from an earlier start, session time goes on from
        # where it was (plus the time stopped), so stations' clocks and their capture times
        # stay right for a session taken up after a restart.
        self._monotonic = monotonic
        started = wall()
        self._wall_origin = started if epoch is None else epoch
        self._origin = monotonic() - (started - self._wall_origin)

    @classmethod
    def kept_in(cls, path: Path) -> HubClock:
        """A clock whose epoch is kept in ``path`` (made at the first start)."""
        if not path.exists():
            path.write_text(f"{time.time()!r}\n", encoding="utf-8")
        return cls(epoch=float(path.read_text(encoding="utf-8")))

    def now(self) -> float:
        """Seconds since the epoch (the clock's making, unless one was kept)."""
        return self._monotonic() - self._origin

    def wall(self, t: float | None = None) -> float:
        """Unix time of session time ``t`` (default: now)."""
        return self._wall_origin + (self.now() if t is None else t)


class FakeClock:
    """A clock that moves only when told to; for tests."""

    def __init__(self, start: float = 0.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.t += seconds
