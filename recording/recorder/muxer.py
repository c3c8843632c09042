"""Encoding composite pictures and mixed audio into one crash-safe Matroska file.

Matroska with packet flushing is readable after a crash up to the last cluster written; plain
MP4 is not readable at all (its index is written at the end). FFmpeg's Matroska muxer holds the
cluster being built in memory and writes it out whole, so the cluster length bounds what a
crash costs: clusters are kept to a quarter of a second (``bench/bench_crash.py``: a kill
loses 0.2-0.3 s with them, up to 1.1 s with one-second clusters). Timestamps come from the
caller's frame and sample counters on a fixed grid, never from arrival order, so audio and
video cannot drift apart in the file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from recording.media import yuv

logger = logging.getLogger(__name__)

#: FFmpeg's AVColorSpace / AVColorRange codes for BT.601 limited range: what OpenCV's
#: BGR->I420 conversion (used by the compositor) produces. Without the tag, players assume
#: BT.709 for HD pictures.
_AVCOL_SPC_SMPTE170M = 6
_AVCOL_PRI_SMPTE170M = 6
_AVCOL_TRC_SMPTE170M = 6
_AVCOL_RANGE_MPEG = 1

#: libx264's speed preset for the composite. Its pictures are the parties' decoded VP8, already
#: free of camera grain: on 300 frames of a recorded session (1280x720, 25 frames/s, CRF 23, one
#: thread) "ultrafast" keeps the picture (PSNR 49.08 dB against 49.20 for "superfast", 49.25 for
#: "veryfast") for 10 % more bits than "superfast" and 45 % less processor time (0.16 core
#: against 0.28; "veryfast" 0.48).
PRESET = "ultrafast"
#: Samples per AAC frame.
AAC_FRAME = 1024
#: Longest Matroska cluster, in milliseconds: what a crash can cost at most, besides latency.
CLUSTER_MS = 250


def open_matroska(
    path: Path,
    cluster_ms: int,
    metadata: Mapping[str, str] | None,
    options: Mapping[str, str] | None = None,
) -> Any:
    """A Matroska file for writing, crash-safe: short clusters flushed packet by packet."""
    container = av.open(
        str(path),
        "w",
        format="matroska",
        options={"flush_packets": "1", "cluster_time_limit": str(cluster_ms), **(options or {})},
    )
    # Written in the header, so a file cut short by a crash still says what it is.
    for key, value in (metadata or {}).items():
        container.metadata[key] = value
    return container


def audio_frame(samples: np.ndarray, rate: int, start: int) -> av.AudioFrame:
    """An AAC encoder frame of mono int16 ``samples`` whose first is sample ``start``."""
    planar = (samples.astype(np.float32) / 32768.0).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="mono")
    frame.sample_rate = rate
    frame.pts, frame.time_base = start, Fraction(1, rate)
    return frame


class MatroskaFile:
    """A Matroska file with one video and one audio encoder: muxing, closing, aborting.

    Subclasses set ``_video`` and ``_audio``. Not thread-safe: one thread owns it.
    """

    _video: Any
    _audio: Any

    def __init__(self, path: Path, container: Any) -> None:
        self.path = path
        self._container = container
        self._closed = False

    def close(self) -> None:
        """Drain the encoders and close the file. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._drain()
        finally:
            self._container.close()

    def _drain(self) -> None:
        self._mux(self._video.encode(None))
        self._mux(self._audio.encode(None))

    def abort(self) -> None:
        """Close after a failure without draining the encoders; logs rather than raises."""
        if self._closed:
            return
        self._closed = True
        try:
            self._container.close()
        except Exception:
            # The recording already failed; this second error only adds to the log.
            logger.exception("closing %s after a failure also failed", self.path)

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            self._container.mux(packet)


class MatroskaMuxer(MatroskaFile):
    """Writes the composite: H.264 video (libx264) and AAC audio into a Matroska file.

    Not thread-safe: the recorder's writer thread owns it from opening to closing.
    """

    def __init__(
        self,
        path: Path,
        *,
        size: tuple[int, int],
        fps: int,
        audio_rate: int,
        preset: str = PRESET,
        tune: str | None = "zerolatency",
        crf: int = 23,
        gop_s: float = 1.0,
        cluster_ms: int = CLUSTER_MS,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(path, open_matroska(path, cluster_ms, metadata))
        self._chapters: list[dict] = []
        options = {"preset": preset, "crf": str(crf)}
        if tune:
            # zerolatency: no lookahead and no B-frames, so every picture leaves the encoder at
            # once instead of ~0.45 s later (less lost in a crash), and encoding is ~25% faster;
            # the price is about twice the bitrate at the same CRF (~1.3 Mbit/s here).
            options["tune"] = tune
        video = self._container.add_stream("libx264", rate=fps, options=options)
        video.width, video.height = size
        video.pix_fmt = "yuv420p"
        ctx = video.codec_context
        ctx.time_base = Fraction(1, fps)
        # A keyframe at least every gop_s seconds bounds what a damaged stretch can take with it.
        ctx.gop_size = max(1, round(gop_s * fps))
        ctx.colorspace = _AVCOL_SPC_SMPTE170M
        ctx.color_primaries = _AVCOL_PRI_SMPTE170M
        ctx.color_trc = _AVCOL_TRC_SMPTE170M
        ctx.color_range = _AVCOL_RANGE_MPEG
        # The "fast" AAC coder takes less than half the time of the default "twoloop" one and
        # is transparent enough for speech at 96 kbit/s mono.
        audio = self._container.add_stream(
            "aac", rate=audio_rate, layout="mono", options={"aac_coder": "fast"}
        )
        audio.codec_context.bit_rate = 96_000
        self._video, self._audio = video, audio
        self._video_tb = Fraction(1, fps)

    def write_video(self, i420: np.ndarray, index: int) -> None:
        """Encode picture ``index`` of the frame grid: an I420 buffer of the muxer's size."""
        frame = yuv.video_frame(i420)
        frame.pts, frame.time_base = index, self._video_tb
        self._mux(self._video.encode(frame))

    def write_audio(self, samples: np.ndarray, start: int) -> None:
        """Encode mono int16 ``samples`` whose first sample has index ``start``."""
        rate = self._audio.codec_context.sample_rate
        self._mux(self._audio.encode(audio_frame(samples, rate, start)))

    def set_chapters(self, chapters: Sequence[tuple[str, float, float]]) -> None:
        """Chapters (title, start s, end s) of this file, written into it when it is closed."""
        self._chapters = [
            {
                "id": k + 1,
                "start": round(start * 1000),
                "end": round(end * 1000),
                "time_base": Fraction(1, 1000),
                "metadata": {"title": title},
            }
            for k, (title, start, end) in enumerate(chapters)
        ]

    def _drain(self) -> None:
        super()._drain()
        if self._chapters:  # written when the file closes
            self._container.set_chapters(self._chapters)
