"""Feeding decoded WebRTC frames from every party into the session's recorder.

The recorder is whatever the hub was composed with (:data:`RecorderFactory`; the composite
recorder of ``recording.recorder`` in every real hub): the session reaches it only through the
protocols here.

Every frame is placed at its capture time in session time, which the mesh works out from the
sender's report of when its first frame was captured. Until that report arrives (the first few
frames of a stream), a stream is anchored to the hub's clock at its first frame and later frames
keep their own spacing from there, so network jitter does not shake the picture or tear the
sound; such a stream that strays more than a second from the hub's clock is anchored again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
from av import AudioFrame, VideoFrame
from av.frame import Frame

log = logging.getLogger(__name__)

REANCHOR_AFTER = 1.0
#: Seconds a reported capture time may lie from the hub's clock and still be believed; beyond,
#: the sender's session clock is wrong (it synchronized with a hub since started again) and the
#: stream is anchored like one whose capture times are not known.
BELIEVE_CAPTURE_WITHIN = 5.0
#: Seconds by which decoded sound lags its capture: the look-ahead of the stations' Opus encoder
#: (libopus, 312 samples at 48 kHz), which the stream's first samples carry and aiortc's
#: decoder does not skip. Measured with the clapper: the sound was 6.2-6.9 ms late without this.
OPUS_DELAY = 312 / 48_000


class Recorder(Protocol):
    """The part of the recorder the feed uses."""

    def push_video(self, role: str, image: np.ndarray, t: float) -> None: ...

    def push_encoded(self, role: str, data: bytes, t: float) -> None: ...

    def push_audio(self, role: str, samples: np.ndarray, sample_rate: int, t: float) -> None: ...


class RecordingDone(Protocol):
    """What a finished recording says of itself."""

    @property
    def path(self) -> Path: ...

    @property
    def duration_s(self) -> float: ...

    @property
    def video_frames(self) -> int: ...


class Gap(Protocol):
    """A stretch during which a party (or the whole recording) was missing; ``end`` is None
    while it lasts. Times are session times."""

    @property
    def role(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float | None: ...


class SessionRecorder(Recorder, Protocol):
    """A recorder as a live session drives it: started, fed, stopped. ``stop`` closes the file
    and raises if the recording failed (what was written stays on disk)."""

    def start(self) -> None: ...

    def mark_step(self, step_label: str, t: float | None = None) -> None:
        """A session step begins at session time ``t``: a chapter, and a caption in the picture."""

    def party_lost(self, role: str, reason: str, t: float | None = None) -> None:
        """``role`` left at session time ``t`` for ``reason`` (its tile says so at once)."""

    def stop(self) -> RecordingDone: ...


#: Makes a session's recorder, called with the file's path and the keywords ``roles`` (one tile
#: each), ``clock`` (session time, which was ``wall_epoch`` in Unix time at zero),
#: ``case_number``, and ``on_gap`` and ``ask_keyframe``, which it calls from its writer thread.
RecorderFactory = Callable[..., SessionRecorder]


class RecorderFeed:
    """Timestamps frames on the hub's clock and hands them to the attached recorder."""

    def __init__(
        self,
        clock: Callable[[], float],
        required_roles: Sequence[str],
        on_all_receiving: Callable[[], None],
    ) -> None:
        self._clock = clock
        self._required = frozenset(required_roles)
        self._on_all_receiving = on_all_receiving
        self._recorder: Recorder | None = None
        self._anchors: dict[tuple[str, str], tuple[float, float]] = {}
        self._seen_video: set[str] = set()
        self._announced = False
        self._muted: frozenset[str] = frozenset()

    def attach(self, recorder: Recorder) -> None:
        """Start feeding ``recorder``."""
        self._recorder = recorder

    def detach(self) -> None:
        """Stop feeding (the recorder is closing)."""
        self._recorder = None

    def mute_audio(self, roles: frozenset[str]) -> None:
        """Leave these parties' sound out of the recording (their pictures stay) until changed."""
        self._muted = roles

    def forget(self, role: str) -> None:
        """A party left: its next streams are anchored anew."""
        for key in [key for key in self._anchors if key[0] == role]:
            del self._anchors[key]

    def __call__(self, role: str, kind: str, frame: Frame, captured: float | None) -> None:
        recorder = self._recorder
        if recorder is None or frame.pts is None or frame.time_base is None:
            return
        t = self._capture_time(role, kind, float(frame.pts * frame.time_base), captured)
        if isinstance(frame, VideoFrame):
            # Decoders give yuv420p: handed over as it is, with no colour conversion here.
            picture = frame.to_ndarray() if frame.format.name == "yuv420p" else None
            if picture is None or picture.ndim != 2:
                picture = frame.to_ndarray(format="bgr24")
            recorder.push_video(role, picture, t)
            self._seen_video.add(role)
            if not self._announced and self._required <= self._seen_video:
                self._announced = True
                self._on_all_receiving()
        elif isinstance(frame, AudioFrame) and role not in self._muted:
            channels = len(frame.layout.channels)
            samples = frame.to_ndarray().reshape(-1, channels)
            if channels == 1:
                samples = samples[:, 0]
            recorder.push_audio(role, samples, frame.sample_rate, t - OPUS_DELAY)

    def compressed(self, role: str, data: bytes, media_time: float, captured: float | None) -> None:
        """Hand over ``role``'s picture as it arrived compressed, ``media_time`` seconds into its
        stream (the same picture's decoded frame has the same time, and gets the same stamp)."""
        recorder = self._recorder
        if recorder is not None:
            t = self._capture_time(role, "video", media_time, captured)
            recorder.push_encoded(role, data, t)

    def _capture_time(
        self, role: str, kind: str, media_time: float, captured: float | None
    ) -> float:
        if captured is not None and abs(captured - self._clock()) <= BELIEVE_CAPTURE_WITHIN:
            return captured
        return self._timestamp(role, kind, media_time)

    def _timestamp(self, role: str, kind: str, media_time: float) -> float:
        now = self._clock()
        anchor = self._anchors.get((role, kind))
        if anchor is not None:
            t = anchor[0] + (media_time - anchor[1])
            if abs(t - now) <= REANCHOR_AFTER:
                return t
            log.warning("%s %s drifted %.2f s from the hub clock; re-anchored", role, kind, t - now)
        self._anchors[(role, kind)] = (now, media_time)
        return now
