"""The hand-off of the parties' media from the event loop to the recorder's writer thread.

Putting media in must be cheap and never block the event loop, so it only validates, appends
to a bounded per-party buffer under a lock and returns. When a buffer is full the oldest entry
is dropped and counted: memory stays bounded even if the writer stalls, and the newest media,
which the recording needs next, is kept.

The inbox also keeps, per party, how far its media has arrived (the capture time of its newest
picture and of the end of its newest sound) and when it last sent anything. From these the
writer knows when every party still sending has delivered an instant, and can write it at
once instead of waiting a fixed latency (:meth:`MediaInbox.watermarks`).
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
    """One party's picture (BGR or I420) taken at session time ``t``."""

    t: float
    image: np.ndarray


@dataclass(frozen=True)
class EncodedPicture:
    """One party's picture as it arrived compressed (a VP8 frame), taken at session time ``t``.

    ``after_loss``: pictures before this one were dropped (the party's buffer was full), so
    the pictures that follow it cannot be decoded until the next key frame.
    """

    t: float
    data: bytes
    after_loss: bool = False


@dataclass(frozen=True)
class AudioChunk:
    """A chunk of one party's audio (int16, mono or interleaved); ``t``: its first sample."""

    role: str
    samples: np.ndarray
    sample_rate: int
    t: float


@dataclass(frozen=True)
class Marker:
    """Something said about the session at session time ``t``, in order with the media.

    ``kind`` is ``"step"`` (``text``: the step's label), ``"caption"`` (``text``: the case
    number) or ``"lost"`` (``role`` was lost; ``text``: why).
    """

    kind: str
    t: float
    text: str
    role: str = ""


@dataclass
class _Party:
    queue: deque[Picture]
    encoded: deque[EncodedPicture]
    encoded_lost: bool = False
    shown: Picture | None = None
    dropped: int = 0
    video_until: float | None = None
    audio_until: float | None = None
    arrived: float = float("-inf")


def _describe(value: object) -> str:
    return f"{getattr(value, 'dtype', type(value).__name__)} {getattr(value, 'shape', '')}"


class MediaInbox:
    """Bounded, thread-safe buffers of every party's pictures, audio and markers."""

    def __init__(
        self, roles: Sequence[str], *, pictures: int, encoded: int = 300, audio_chunks: int = 2000
    ) -> None:
        self._lock = threading.Lock()
        self._parties = {role: _Party(deque(maxlen=pictures), deque()) for role in roles}
        self._encoded_room = encoded
        self._audio: deque[AudioChunk] = deque(maxlen=audio_chunks)
        self._markers: list[Marker] = []
        self._dropped_audio = 0
        self._open = True

    @property
    def roles(self) -> tuple[str, ...]:
        """The parties, in the order given."""
        return tuple(self._parties)

    def put_video(self, role: str, image: np.ndarray, t: float, arrived: float) -> None:
        """Queue ``role``'s picture taken at ``t`` (and handed over at ``arrived``), uncopied.

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
        t = float(t)
        with self._lock:
            if not self._open:
                return
            if len(party.queue) == party.queue.maxlen:
                party.dropped += 1
            party.queue.append(Picture(t, image))
            party.video_until = t if party.video_until is None else max(party.video_until, t)
            party.arrived = arrived

    def put_encoded(self, role: str, data: bytes, t: float) -> None:
        """Queue ``role``'s compressed picture taken at ``t``, in the order it arrived.

        A compressed picture depends on those before it, so when the buffer is full all that
        is waiting is dropped (and counted), and the next picture says so (``after_loss``).
        """
        party = self._party(role)
        if not isinstance(data, bytes):
            raise RecordingInputError(f"a compressed picture must be bytes, got {_describe(data)}")
        with self._lock:
            if not self._open:
                return
            if len(party.encoded) >= self._encoded_room:
                party.dropped += len(party.encoded)
                party.encoded.clear()
                party.encoded_lost = True
            party.encoded.append(EncodedPicture(float(t), data, party.encoded_lost))
            party.encoded_lost = False

    def put_audio(
        self, role: str, samples: np.ndarray, sample_rate: int, t: float, arrived: float
    ) -> None:
        """Queue a copy of ``role``'s int16 audio, ``(N,)`` or ``(N, 2)``, starting at ``t``."""
        party = self._party(role)
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
        end = chunk.t + len(samples) / sample_rate
        with self._lock:
            if not self._open:
                return
            if len(self._audio) == self._audio.maxlen:
                self._dropped_audio += 1
            self._audio.append(chunk)
            party.audio_until = end if party.audio_until is None else max(party.audio_until, end)
            party.arrived = arrived

    def put_marker(self, marker: Marker) -> None:
        """Queue a marker (a session step, a caption, a lost party)."""
        if marker.role:
            self._party(marker.role)
        with self._lock:
            if self._open:
                self._markers.append(marker)

    def close(self) -> None:
        """Refuse further media silently (the recording has stopped or failed)."""
        with self._lock:
            self._open = False

    def watermarks(self, now: float, active_within: float) -> tuple[float | None, float | None]:
        """How far (video, audio) every party still sending has delivered, in capture time.

        A party still sends if anything of it arrived in the last ``active_within`` seconds;
        parties that never sent pictures (or sound) do not hold video (or audio) back.
        None: no such party.
        """
        video: list[float] = []
        audio: list[float] = []
        with self._lock:
            for party in self._parties.values():
                if now - party.arrived > active_within:
                    continue
                if party.video_until is not None:
                    video.append(party.video_until)
                if party.audio_until is not None:
                    audio.append(party.audio_until)
        return (min(video) if video else None, min(audio) if audio else None)

    def frame_at(
        self, at: float, stale_after: float, ahead: float = 0.0
    ) -> dict[str, Picture | None]:
        """Each party's picture taken nearest to ``at``, among those up to ``at + ahead``.

        With ``ahead`` half a frame period, a picture lands in the output frame nearest to its
        capture time (at most half a frame early or late) rather than always up to a frame
        late. A picture before the one shown last time is never chosen. A party with no such
        picture, or whose picture is older than ``stale_after`` seconds, maps to None.
        Pictures up to ``at + ahead`` leave the buffers.
        """
        limit = at + ahead + _EPS
        with self._lock:
            for party in self._parties.values():
                queue = party.queue
                while queue and queue[0].t <= limit:
                    picture = queue.popleft()
                    before = party.shown
                    # The picture nearest the frame's instant (the later one on a tie); one
                    # older than the picture shown came late: never go back in time.
                    if before is None or (
                        picture.t >= before.t and abs(picture.t - at) <= abs(before.t - at) + _EPS
                    ):
                        party.shown = picture
        shown: dict[str, Picture | None] = {}
        for role, party in self._parties.items():
            current = party.shown
            fresh = current is not None and at - current.t <= stale_after + _EPS
            shown[role] = current if fresh else None
        return shown

    def pictures_at(self, at: float, stale_after: float) -> dict[str, np.ndarray | None]:
        """The images of :meth:`frame_at` (for callers that need no more)."""
        shown = self.frame_at(at, stale_after)
        return {role: p.image if p is not None else None for role, p in shown.items()}

    def take_encoded(self, until: float) -> dict[str, list[EncodedPicture]]:
        """Each party's compressed pictures taken up to ``until``, in the order they arrived.

        A picture stamped later than ``until`` holds back those that arrived after it, so the
        order a decoder needs is kept whatever their stamps.
        """
        taken: dict[str, list[EncodedPicture]] = {}
        limit = until + _EPS
        with self._lock:
            for role, party in self._parties.items():
                queue = party.encoded
                if queue and queue[0].t <= limit:
                    popped = taken[role] = []
                    while queue and queue[0].t <= limit:
                        popped.append(queue.popleft())
        return taken

    def take_audio(self) -> list[AudioChunk]:
        """All queued audio chunks, oldest first; the buffer is emptied."""
        with self._lock:
            chunks = list(self._audio)
            self._audio.clear()
        return chunks

    def take_markers(self) -> list[Marker]:
        """All queued markers, in the order they were put; the queue is emptied."""
        with self._lock:
            markers, self._markers = self._markers, []
        return markers

    def dropped(self) -> tuple[int, int]:
        """(pictures, compressed or not, and audio chunks) dropped so far because a buffer was
        full."""
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
