"""Capture times of audio samples: counted from one anchor, gently kept on the session clock.

Theory of operation: a block of ``n`` samples handed over at clock time ``now`` began at
``now - n / rate - latency - delay``, where ``delay`` >= 0 is how late the callback ran.
Stamping each block with that would pass the callback's jitter on to the sound. Counting
samples from the first block's time is smooth, but the microphone's sample rate is never
exactly the clock's: at 100 ppm the count drifts 0.36 s in an hour. So the count is anchored
once, and every ``window_s`` the anchor is moved towards the clock by the smallest difference
seen in that window (the block least delayed), at most ``max_step_s``: sound stays smooth
(steps of a couple of milliseconds, which the recorder's mixer absorbs) and follows the clock
to within the callback's least delay plus a step.
"""

from __future__ import annotations


class SampleClock:
    """Session times of consecutive sample blocks of one stream."""

    def __init__(self, rate: int, *, window_s: float = 2.0, max_step_s: float = 0.002) -> None:
        self.rate = rate
        self._window_s, self._max_step = window_s, max_step_s
        self._anchor: float | None = None
        self._count = 0
        self._window_start = 0.0
        self._least: float | None = None
        #: Total correction applied to the anchor so far, in seconds.
        self.corrected = 0.0

    def stamp(self, frames: int, now: float, latency: float = 0.0) -> float:
        """The session time of the first sample of the next block of ``frames`` samples,
        handed over at session time ``now`` with the stream's input ``latency``."""
        seen = now - frames / self.rate - latency
        if self._anchor is None:
            self._anchor = seen
            self._window_start = now
        t = self._anchor + self._count / self.rate
        self._count += frames
        difference = seen - t
        self._least = difference if self._least is None else min(self._least, difference)
        if now - self._window_start >= self._window_s:
            step = max(-self._max_step, min(self._max_step, self._least))
            self._anchor += step
            self.corrected += step
            self._least = None
            self._window_start = now
        return t
