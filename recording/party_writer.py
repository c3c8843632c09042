"""Each party's own picture and sound, as received, in a file of its own.

The recorder receives decoded pictures (aiortc decodes to give them to the composite), so the
party files cannot be remuxed from the network's packets without reaching into aiortc's
receiver. They are encoded again, cheaply: libx264 ``ultrafast`` at the party's 640x480, which
costs about 1.5 ms per picture on one core (measured in ``bench/bench_recorder.py``), and AAC.

Pictures keep their own capture times (variable frame rate, millisecond timestamps), so the
file shows exactly what arrived and when; a picture that arrives out of order is skipped.
Sound is laid on the file's timeline by its capture time, with silence where none came (the
recorder's mixer does that and hands each party's share over). The party files are written on
a thread of their own (:class:`PartyFiles`), beside the composite's encoder.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from recording import yuv
from recording.inbox import Picture
from recording.muxer import CLUSTER_MS, MatroskaFile, audio_frame, open_matroska, video_frame

log = logging.getLogger(__name__)

PARTY_SIZE = (640, 480)
_MS = Fraction(1, 1000)


class PartyWriter(MatroskaFile):
    """Writes one party's pictures and sound into ``path`` (Matroska, H.264 + AAC).

    ``start`` is the session time of the file's zero. Not thread-safe: the recorder's writer
    thread owns it.
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
        self._rate, self._size = audio_rate, size
        video = self._container.add_stream(
            "libx264",
            rate=25,
            # One thread: these encoders run beside the composite's, which has the threads.
            options={"preset": "ultrafast", "tune": "zerolatency", "crf": "23", "threads": "1"},
        )
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        video.codec_context.time_base = _MS
        audio = self._container.add_stream(
            "aac", rate=audio_rate, layout="mono", options={"aac_coder": "fast"}
        )
        audio.codec_context.bit_rate = 64_000
        self._video, self._audio = video, audio
        self._last_pts = -1
        self.pictures = 0

    def add_picture(self, picture: Picture) -> None:
        """Encode one received picture at its capture time (skipped if out of order)."""
        pts = round((picture.t - self.start) * 1000)
        if pts <= self._last_pts or pts < 0:
            return
        self._last_pts = pts
        frame = video_frame(self._fit(picture.image))
        frame.pts, frame.time_base = pts, _MS
        self._mux(self._video.encode(frame))
        self.pictures += 1

    def write_audio(self, samples: np.ndarray, start: int) -> None:
        """Encode the party's mono int16 ``samples``; the first is sample ``start`` of the file."""
        self._mux(self._audio.encode(audio_frame(samples, self._rate, start)))

    def _fit(self, image: np.ndarray) -> np.ndarray:
        w, h = self._size
        if yuv.is_i420(image) and image.shape == (h * 3 // 2, w):
            return image
        canvas = np.full((h * 3 // 2, w), 128, np.uint8)
        canvas[:h] = 16  # black in limited range
        planes = yuv.fit(image, w, h)
        yuv.paste(yuv.planes_of(canvas), planes, (w - planes.width) // 2, (h - planes.height) // 2)
        return canvas


class PartyFiles:
    """The party files of one segment, written on a thread of their own (or inline).

    The composite's encoder keeps one core busy; the parties' encoders run beside it on the
    other, so the composite keeps its speed. Jobs are queued in order; the queue is bounded,
    so a slow disk holds the composite back rather than filling memory. The first error stops
    the files and is raised by :meth:`check` and :meth:`close`.
    """

    def __init__(self, writers: Mapping[str, PartyWriter], *, threaded: bool) -> None:
        self.writers = dict(writers)
        self.error: Exception | None = None
        self._queue: queue.Queue[tuple[str, Any, Any] | None] = queue.Queue(maxsize=256)
        self._thread: threading.Thread | None = None
        if threaded and self.writers:
            first = next(iter(self.writers.values())).path
            self._thread = threading.Thread(
                target=self._run, name=f"party files {first.name}", daemon=True
            )
            self._thread.start()

    def add_pictures(self, role: str, pictures: Sequence[Picture]) -> None:
        """Queue ``role``'s newly arrived pictures."""
        if pictures and role in self.writers:
            self._submit(("video", role, list(pictures)))

    def write_audio(self, parts: Mapping[str, np.ndarray], start: int, count: int) -> None:
        """Queue ``count`` samples of each party's sound from file sample ``start``."""
        if self.writers:
            self._submit(("audio", dict(parts), (start, count)))

    def check(self) -> None:
        """Raise the error that stopped the party files, if any."""
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        """Finish every queued job and close the files; raises the first error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        if self.error is None:
            for writer in self.writers.values():
                writer.close()
        else:
            self.abort()
        self.check()

    def abort(self) -> None:
        """Close the files after a failure elsewhere; logs rather than raises."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=10)
        for writer in self.writers.values():
            writer.abort()

    def _submit(self, job: tuple[str, Any, Any]) -> None:
        if self._thread is None:
            if self.error is None:
                self._do(job)
        else:
            self._queue.put(job)

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self.error is not None:
                continue  # keep taking jobs so the recorder never blocks on a dead queue
            try:
                self._do(job)
            except Exception as exc:
                log.exception("writing the party files failed")
                self.error = exc

    def _do(self, job: tuple[str, Any, Any]) -> None:
        kind, first, second = job
        if kind == "video":
            writer = self.writers[first]
            for picture in second:
                writer.add_picture(picture)
        else:
            start, count = second
            for role, writer in self.writers.items():
                own = first.get(role)
                writer.write_audio(own if own is not None else np.zeros(count, np.int16), start)
