"""Each party's own picture and sound, as received, in a file of its own.

The picture is written as it arrived: the VP8 frames the party's station compressed, copied
into the file without being decoded or compressed again, so the file holds the very bytes the
party sent, at no cost in processor time. A compressed picture can only be decoded after a key
frame: a file begins at the party's first key frame taken at or after the file's zero, and
so does what follows a loss (a full buffer); until then the pictures are left out and the
party is asked for a key frame (at most once a second).

Pictures keep their own capture times (variable frame rate, millisecond timestamps), so the
file shows exactly what arrived and when; pictures stay in the order they arrived, which is
the order they must be decoded in. Sound is laid on the file's timeline by its capture time,
with silence where none came (the recorder's mixer does that and hands each party's share
over), and encoded as AAC.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from recording.media import vp8
from recording.recorder.inbox import EncodedPicture
from recording.recorder.muxer import CLUSTER_MS, MatroskaFile, audio_frame, open_matroska

log = logging.getLogger(__name__)

#: The picture size a party file states until the party's key frames say otherwise.
PARTY_SIZE = (640, 480)
#: Seconds of a party's pictures between two requests for a key frame.
ASK_EVERY = 1.0
_MS = Fraction(1, 1000)


class PartyWriter(MatroskaFile):
    """Writes one party's pictures and sound into ``path`` (Matroska, VP8 as sent + AAC).

    ``start`` is the session time of the file's zero; ``size`` the picture size the file
    states. Not thread-safe: the recorder's writer thread owns it.
    """

    def __init__(
        self,
        path: Path,
        role: str,
        *,
        start: float,
        audio_rate: int = 48_000,
        size: tuple[int, int] = PARTY_SIZE,
        metadata: Mapping[str, str] | None = None,
        cluster_ms: int = CLUSTER_MS,
    ) -> None:
        # A party whose pictures stopped must not hold its sound back in the muxer.
        interleave = {"max_interleave_delta": str(cluster_ms * 1000)}
        super().__init__(path, open_matroska(path, cluster_ms, metadata, interleave))
        self.role, self.start = role, start
        self._rate = audio_rate
        video = self._container.add_stream("vp8", rate=25)
        video.width, video.height = size
        video.time_base = _MS
        audio = self._container.add_stream(
            "aac", rate=audio_rate, layout="mono", options={"aac_coder": "fast"}
        )
        audio.codec_context.bit_rate = 64_000
        self._video, self._audio = video, audio
        self._last_pts = -1
        self._waiting = True  # for a key frame

    def add_encoded(self, picture: EncodedPicture) -> bool:
        """Write one compressed picture at its capture time (or just after the one before).

        Returns False if it was left out: the file waits for a key frame. A picture taken
        before the file's zero belongs to no time in it, and is left out too.
        """
        key = vp8.is_keyframe(picture.data)
        if picture.t < self.start:
            self._waiting = True
            return False
        if (self._waiting or picture.after_loss) and not key:
            self._waiting = True
            return False
        self._waiting = False
        pts = max(round((picture.t - self.start) * 1000), self._last_pts + 1)
        self._last_pts = pts
        packet = av.Packet(picture.data)
        packet.stream = self._video
        packet.pts = packet.dts = pts
        packet.time_base = _MS
        packet.is_keyframe = key
        self._container.mux(packet)
        return True

    def write_audio(self, samples: np.ndarray, start: int) -> None:
        """Encode the party's mono int16 ``samples``; the first is sample ``start`` of the file."""
        self._mux(self._audio.encode(audio_frame(samples, self._rate, start)))

    def _drain(self) -> None:
        self._mux(self._audio.encode(None))  # the pictures were never encoded here


class PartyFiles:
    """The party files of one segment, written on the recorder's writer thread.

    Writing a picture is copying its bytes, and the sound's AAC costs about 0.01 core a party:
    a thread of their own would cost more in handing work over than it saves.
    """

    def __init__(
        self,
        writers: Mapping[str, PartyWriter],
        *,
        ask_keyframe: Callable[[str], None] | None = None,
    ) -> None:
        self.writers = dict(writers)
        self._ask_keyframe = ask_keyframe
        self._asked: dict[str, float] = {}

    def add_encoded(self, role: str, pictures: Sequence[EncodedPicture]) -> None:
        """Write ``role``'s newly arrived compressed pictures."""
        writer = self.writers.get(role)
        if writer is None:
            return
        for picture in pictures:
            if not writer.add_encoded(picture):
                self._ask(role, picture.t)

    def write_audio(self, parts: Mapping[str, np.ndarray], start: int, count: int) -> None:
        """Write ``count`` samples of each party's sound from file sample ``start``."""
        for role, writer in self.writers.items():
            own = parts.get(role)
            writer.write_audio(own if own is not None else np.zeros(count, np.int16), start)

    def close(self) -> None:
        """Close the files."""
        for writer in self.writers.values():
            writer.close()

    def abort(self) -> None:
        """Close the files after a failure elsewhere; logs rather than raises."""
        for writer in self.writers.values():
            writer.abort()

    def _ask(self, role: str, t: float) -> None:
        """Ask ``role`` for a key frame, unless asked within ``ASK_EVERY`` of its picture ``t``."""
        asked = self._asked.get(role)
        if self._ask_keyframe is None or (asked is not None and 0 <= t - asked < ASK_EVERY):
            return
        self._asked[role] = t
        try:
            self._ask_keyframe(role)
        except Exception:
            log.exception("asking %s for a key frame failed", role)
