"""A station's estimate of the hub's session clock, from NTP-style exchanges (sans-IO).

The station sends a ping stamped ``t0`` on its own monotonic clock; the hub stamps arrival
``t1`` and departure ``t2`` on the session clock; the station stamps the pong's arrival ``t3``.
Then, as in NTP, the offset is ``((t1 - t0) + (t2 - t3)) / 2`` and the round trip
``(t3 - t0) - (t2 - t1)``. The offset's error is at most half the round trip, so of the recent
exchanges the one with the shortest round trip is trusted. Exchanges go on for the whole
session, so a clock that drifts is followed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ClockSample:
    """One exchange's result: ``session = local + offset``, within ``round_trip / 2``."""

    offset: float
    round_trip: float
    at: float


class ClockEstimator:
    """Keeps the best of the last ``window`` exchanges."""

    def __init__(self, window: int = 16) -> None:
        self._samples: deque[ClockSample] = deque(maxlen=window)

    def add(self, t0: float, t1: float, t2: float, t3: float) -> ClockSample:
        """Take one exchange (see the module docstring) and return its sample."""
        sample = ClockSample(
            offset=((t1 - t0) + (t2 - t3)) / 2,
            round_trip=max(0.0, (t3 - t0) - (t2 - t1)),
            at=t3,
        )
        self._samples.append(sample)
        return sample

    @property
    def synchronized(self) -> bool:
        """Whether any exchange has completed."""
        return bool(self._samples)

    @property
    def best(self) -> ClockSample | None:
        """The trusted sample: the shortest round trip among the recent ones."""
        return min(self._samples, key=lambda s: s.round_trip, default=None)

    def session_time(self, local: float) -> float:
        """The session clock's reading at local time ``local`` (local time if never synced)."""
        best = self.best
        return local + (best.offset if best else 0.0)


class StationClock:
    """A station's view of session time: its own monotonic clock plus the estimated offset."""

    def __init__(self, local: Callable[[], float] = time.monotonic) -> None:
        self.local = local
        self.estimator = ClockEstimator()

    def now(self) -> float:
        """Session time now, as well as this station knows it."""
        return self.estimator.session_time(self.local())
