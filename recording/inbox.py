"""The hand-off of the parties' media from the event loop to the recorder's writer thread.

Putting media in must be cheap and never block the event loop, so it only validates, appends
to a bounded per-party buffer under a lock and returns. When a buffer is full the oldest entry
is dropped and counted: memory stays bounded even if the writer stalls, and the newest media,
which the recording needs next, is kept.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_EPS = 1e-9  # absorbs float rounding when comparing session times on the frame grid


class RecordingInputError(ValueError):
    """Media handed to the recorder is malformed or names an unknown party."""


@dataclass(frozen=True)
class Picture:
    """One party's picture (BGR) taken at session time ``t``."""

    t: float
    image: np.ndarray


@dataclass(frozen=True)
class AudioChunk:
    """A chunk of one party's audio (int16, mono or interleaved); ``t``: its first sample."""

    role: str
    samples: np.ndarray
    sample_rate: int
    t: float


@dataclass
class _Party:
    queue: deque[Picture]
    shown: Picture | None = None
    dropped: int = 0


def _describe(value: object) -> str:
    return f"{getattr(value, 'dtype', type(value).__name__)} {getattr(value, 'shape', '')}"


class MediaInbox:
    """Bounded, thread-safe buffers of every party's pictures and audio."""

    def __init__(self, roles: Sequence[str], *, pictures: int, audio_chunks: int = 2000) -> None:
        self._lock = threading.Lock()
        self._parties = {role: _Party(deque(maxlen=pictures)) for role in roles}
        self._audio: deque[AudioChunk] = deque(maxlen=audio_chunks)
        self._dropped_audio = 0
        self._open = True

    def put_video(self, role: str, image: np.ndarray, t: float) -> None:
        """Queue ``role``'s picture taken at ``t``, kept without copying.

        A picture is BGR ``(H, W, 3)`` uint8, or an I420 buffer ``(H * 3 // 2, W)`` uint8 as
        decoders produce it (no colour conversion needed).
        """
        party = self._party(role)
        valid = isinstance(image, np.ndarray) and image.dtype == np.uint8
        if not (valid and _picture_shape(image)):
            raise RecordingInputError(
                "a picture must be uint8 BGR of shape (H, W, 3) or I420 of shape (H * 3 // 2, W) "
                f"with even sides, got {_describe(image)}"
            )
        with self._lock:
            if not self._open:
                return
            if len(party.queue) == party.queue.maxlen:
                party.dropped += 1
            party.queue.append(Picture(float(t), image))

    def put_audio(self, role: str, samples: np.ndarray, sample_rate: int, t: float) -> None:
        """Queue a copy of ``role``'s int16 audio, ``(N,)`` or ``(N, 2)``, starting at ``t``."""
        self._party(role)
        if not (
            isinstance(samples, np.ndarray)
            and samples.dtype == np.int16
            and (samples.ndim == 1 or (samples.ndim == 2 and samples.shape[1] in (1, 2)))
        ):
            raise RecordingInputError(
                f"audio must be int16 of shape (N,) or (N, 2), got {_describe(samples)}"
            )
        if sample_rate <= 0:
            raise RecordingInputError(f"sample rate must be positive, got {sample_rate}")
        # A copy: capture callbacks commonly reuse their buffer for the next chunk.
        chunk = AudioChunk(role, samples.copy(), int(sample_rate), float(t))
        with self._lock:
            if not self._open:
                return
            if len(self._audio) == self._audio.maxlen:
                self._dropped_audio += 1
            self._audio.append(chunk)

    def close(self) -> None:
        """Refuse further media silently (the recording has stopped or failed)."""
        with self._lock:
            self._open = False

    def pictures_at(self, at: float, stale_after: float) -> dict[str, np.ndarray | None]:
        """Each party's latest picture taken at or before ``at``.

        A party with no such picture, or whose picture is older than ``stale_after`` seconds,
        maps to None. Pictures up to ``at`` leave the buffers.
        """
        with self._lock:
            for party in self._parties.values():
                queue = party.queue
                while queue and queue[0].t <= at + _EPS:
                    picture = queue.popleft()
                    # A picture older than the one shown came late; it must not go back in time.
                    if party.shown is None or picture.t >= party.shown.t:
                        party.shown = picture
        result: dict[str, np.ndarray | None] = {}
        for role, party in self._parties.items():
            shown = party.shown
            fresh = shown is not None and at - shown.t <= stale_after + _EPS
            result[role] = shown.image if fresh and shown is not None else None
        return result

    def take_audio(self) -> list[AudioChunk]:
        """All queued audio chunks, oldest first; the buffer is emptied."""
        with self._lock:
            chunks = list(self._audio)
            self._audio.clear()
        return chunks

    def dropped(self) -> tuple[int, int]:
        """(pictures, audio chunks) dropped so far because a buffer was full."""
        with self._lock:
            return sum(p.dropped for p in self._parties.values()), self._dropped_audio

    def _party(self, role: str) -> _Party:
        party = self._parties.get(role)
        if party is None:
            known = ", ".join(self._parties)
            raise RecordingInputError(f"unknown party {role!r}; known: {known}")
        return party


def _picture_shape(image: np.ndarray) -> bool:
    if image.ndim == 3:
        return image.shape[2] == 3 and image.shape[0] >= 2 and image.shape[1] >= 2
    if image.ndim == 2:
        rows, width = image.shape
        return rows % 3 == 0 and (rows * 2 // 3) % 2 == 0 and width % 2 == 0 and rows >= 3
    return False
