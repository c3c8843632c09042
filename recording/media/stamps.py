"""Capture times of a track's frames, looked up by presentation timestamp.

A sending station needs to say "the frame with pts P was captured at session time T" so the
recorder can place it by capture time rather than arrival time. Tracks record that mapping
here as they hand frames out; it is bounded, because only recent frames are ever asked about.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class CaptureStamps:
    """A bounded, thread-safe map from pts to capture session time (newest ``keep`` entries)."""

    def __init__(self, keep: int = 512) -> None:
        self._keep = keep
        self._times: OrderedDict[int, float] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, pts: int, t: float) -> None:
        """Note that the frame with ``pts`` was captured at session time ``t``."""
        with self._lock:
            self._times[int(pts)] = float(t)
            while len(self._times) > self._keep:
                self._times.popitem(last=False)

    def capture_time(self, pts: int) -> float | None:
        """The capture session time of ``pts``, or None if unknown or too old."""
        with self._lock:
            return self._times.get(int(pts))

    def latest(self) -> tuple[int, float] | None:
        """The newest (pts, capture time) pair, or None before the first frame."""
        with self._lock:
            if not self._times:
                return None
            pts = next(reversed(self._times))
            return pts, self._times[pts]
