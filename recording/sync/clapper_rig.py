"""Simulated parties that follow the clapper protocol, feeding a recorder on a fake clock.

For tests and benchmarks of synchronisation: each party has a camera (25 fps by default, at any
phase against the session clock's frame grid) and a microphone whose sample clock may run
fast or slow (``audio_ppm``); the microphone's blocks are stamped the way
:class:`recording.media.sample_clock.SampleClock` stamps a real one, with callback jitter. Media
reaches the recorder after a network ``delay``; ``video_shift`` and ``audio_shift`` add a known
error to the capture times (a skew the analysis must find); ``absent`` windows drop a party.
Everything is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np

from recording.media import clapper
from recording.media.sample_clock import SampleClock
from recording.media.synthetic import SyntheticVideoTrack
from recording.media.vp8 import PictureEncoder


class Sink(Protocol):
    """What the rig feeds (a :class:`~recording.recorder.recorder.CompositeRecorder`)."""

    def push_video(self, role: str, image: np.ndarray, t: float) -> None: ...

    def push_encoded(self, role: str, data: bytes, t: float) -> None: ...

    def push_audio(self, role: str, samples: np.ndarray, sample_rate: int, t: float) -> None: ...


@dataclass(frozen=True)
class PartyTiming:
    """How one simulated party's media is captured and reaches the recorder."""

    video_shift: float = 0.0
    audio_shift: float = 0.0
    delay: float = 0.05
    camera_phase: float = 0.0
    audio_ppm: float = 0.0
    absent: tuple[tuple[float, float], ...] = ()

    def present(self, t: float) -> bool:
        """Whether the party sends media captured at session time ``t``."""
        return not any(start <= t < end for start, end in self.absent)


class _Party:
    def __init__(self, role: str, index: int, timing: PartyTiming, start: float, fps: int):
        self.role, self.index, self.timing = role, index, timing
        self.next_frame = int(np.ceil(start * fps - timing.camera_phase))
        self.next_sample = 0
        self.sample_clock = SampleClock(48_000)
        self.pending: list[tuple[float, str, Any, float]] = []  # (due, kind, data, t)
        self.rng = np.random.default_rng(index + 11)
        self.encoder = PictureEncoder()


class ClapperRig:
    """Parties ``roles`` feeding ``sink``; call :meth:`step` as the fake clock advances.

    With ``compressed`` each picture is also handed over compressed, as a station sends it
    (for the party files).
    """

    def __init__(
        self,
        sink: Sink,
        roles: Sequence[str],
        timings: Mapping[str, PartyTiming] | None = None,
        *,
        start: float,
        fps: int = 25,
        size: tuple[int, int] = (640, 480),
        block: int = 960,
        rate: int = 48_000,
        compressed: bool = True,
    ) -> None:
        self._sink, self._fps, self._block, self._rate = sink, fps, block, rate
        self._compressed = compressed
        self._start = start
        timings = timings or {}
        self._parties = [
            _Party(
                role, clapper.party_index(role, roles), timings.get(role, PartyTiming()), start, fps
            )
            for role in roles
        ]
        self._dark = {}
        self._white = cv2.cvtColor(
            np.full((size[1], size[0], 3), 255, np.uint8), cv2.COLOR_BGR2YUV_I420
        )
        for party in self._parties:
            track = SyntheticVideoTrack(party.role, size=size, party=party.index)
            self._dark[party.role] = [track.render_i420(i) for i in range(0, 50, 5)]

    def step(self, now: float) -> None:
        """Capture everything up to ``now`` and hand over what has arrived by ``now``."""
        for party in self._parties:
            self._capture_video(party, now)
            self._capture_audio(party, now)
            due = [p for p in party.pending if p[0] <= now + 1e-9]
            party.pending = [p for p in party.pending if p[0] > now + 1e-9]
            for _, kind, data, t in due:
                if kind == "video":
                    self._sink.push_video(party.role, data, t)
                elif kind == "compressed":
                    self._sink.push_encoded(party.role, data, t)
                else:
                    self._sink.push_audio(party.role, data, self._rate, t)

    def run(
        self,
        clock: Callable[[], float],
        advance: Callable[[float], None],
        until: float,
        after_step: Callable[[float], None] | None = None,
        step: float = 0.02,
    ) -> None:
        """Advance the fake clock in ``step``s to ``until``, feeding the sink at each step."""
        while clock() < until - 1e-9:
            advance(step)
            self.step(clock())
            if after_step is not None:
                after_step(clock())

    def _capture_video(self, party: _Party, now: float) -> None:
        timing = party.timing
        while True:
            captured = (party.next_frame + timing.camera_phase) / self._fps
            if captured > now + 1e-9:
                return
            party.next_frame += 1
            if not timing.present(captured):
                continue
            if clapper.flash_at(party.index, captured):
                picture = self._white
            else:
                dark = self._dark[party.role]
                picture = dark[party.next_frame % len(dark)]
            due, t = captured + timing.delay, captured + timing.video_shift
            party.pending.append((due, "video", picture, t))
            if self._compressed:
                party.pending.append((due, "compressed", party.encoder.encode(picture), t))

    def _capture_audio(self, party: _Party, now: float) -> None:
        timing = party.timing
        rate = self._rate * (1 + timing.audio_ppm * 1e-6)  # the microphone's true rate
        while True:
            last = party.next_sample + self._block
            done = self._start + last / rate  # when the block's last sample was taken
            if done > now + 1e-9:
                return
            times = self._start + (party.next_sample + np.arange(self._block)) / rate
            party.next_sample = last
            jitter = float(party.rng.uniform(0, 0.003))
            t = party.sample_clock.stamp(self._block, done + jitter)
            if not timing.present(times[0]):
                continue
            samples = clapper.audio_at(party.index, times, party.index * 7919 + last)
            party.pending.append((done + timing.delay, "audio", samples, t + timing.audio_shift))
