"""The recording's timeline: which video frame or audio block to write next (sans-IO).

Theory of operation: video frame ``i`` shows session time ``(n0 + i) / fps``; audio sample
``j`` is session time ``n0 / fps + j / rate``. Given how far the media has arrived (a video
and an audio horizon, in session time), :meth:`Timeline.next` says what to write next, in time
order: a frame once its instant is within the video horizon, an AAC block of 1024 samples once
all of it is within the audio horizon, whichever comes first in time. A segment ends at a whole
frame (``roll_at``): the sound is written exactly up to it (the last block short), then the
writer starts the next segment. At the end (``final``) everything before the horizon is
written, the last block short. The caller does the writing and calls :meth:`wrote_video` /
:meth:`wrote_audio`; nothing here touches a file or a clock.
"""

from __future__ import annotations

import math
from typing import Literal

AAC_FRAME = 1024
_EPS = 1e-9  # absorbs float rounding when comparing session times on the frame grid

Action = tuple[Literal["video", "audio", "roll", "wait"], int]


class Timeline:
    """Frame and sample counters on the session clock's grid."""

    def __init__(self, n0: int, fps: int, rate: int) -> None:
        if rate % fps:
            raise ValueError(f"the audio rate {rate} must be a multiple of fps {fps}")
        self.n0, self.fps, self.rate = n0, fps, rate
        self.frames = 0
        self.samples = 0
        #: The frame at which the current segment ends, once decided.
        self.roll_at: int | None = None

    @property
    def start(self) -> float:
        """Session time of frame 0."""
        return self.n0 / self.fps

    def frame_time(self, frame: int) -> float:
        """Session time of frame ``frame``."""
        return (self.n0 + frame) / self.fps

    def sample_of_frame(self, frame: int) -> int:
        """The audio sample at frame ``frame``'s instant."""
        return frame * (self.rate // self.fps)

    def sample_at(self, t: float) -> int:
        """The audio sample nearest session time ``t``."""
        return round((t - self.start) * self.rate)

    def at_whole_second(self) -> bool:
        """Whether the next frame falls on a whole session second."""
        return (self.n0 + self.frames) % self.fps == 0

    def next(self, horizon_v: float, horizon_a: float, *, final: bool) -> Action:
        """What to write next: ("video", 1), ("audio", samples), ("roll", 0) or ("wait", 0)."""
        end_sample = max(0, math.floor((horizon_a - self.start) * self.rate + 1e-6))
        tv = self.frame_time(self.frames)
        video_due = tv < horizon_v - _EPS if final else tv <= horizon_v + _EPS
        block = self._audio_block(end_sample, final)
        if video_due and self.frames == self.roll_at:
            if self.samples < self.sample_of_frame(self.frames):
                # The sound up to the segment's end comes first (or has not arrived yet).
                return ("audio", block) if block > 0 else ("wait", 0)
            return ("roll", 0)
        audio_time = self.start + self.samples / self.rate
        if video_due and (block <= 0 or tv <= audio_time + _EPS):
            return ("video", 1)
        if block > 0:
            return ("audio", block)
        return ("wait", 0)

    def wrote_video(self) -> None:
        """A frame was written."""
        self.frames += 1

    def wrote_audio(self, count: int) -> None:
        """``count`` samples were written."""
        self.samples += count

    def rolled(self) -> None:
        """The next segment has begun."""
        self.roll_at = None

    def _audio_block(self, end_sample: int, final: bool) -> int:
        """How many samples to encode next: a whole AAC frame, or less at an end."""
        limit = end_sample
        boundary = None
        if self.roll_at is not None:
            boundary = self.sample_of_frame(self.roll_at)
            limit = min(limit, boundary)
        available = limit - self.samples
        if available <= 0:
            return 0
        if available >= AAC_FRAME:
            return AAC_FRAME
        return available if final or limit == boundary else 0
