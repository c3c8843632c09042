"""The composite recorder: every party's media in, one Matroska recording out.

Theory of operation: ``push_video`` and ``push_audio`` are called from the event loop. They only
append to small bounded per-party buffers under a lock (dropping the oldest entry, and counting
it, if the writer falls behind) and return. A writer thread does everything else: it composes,
mixes, encodes and muxes.

Output frames lie on a fixed grid of session time: frame ``i`` shows the instant
``t0 + i / fps``, where ``t0`` is the session time at :meth:`CompositeRecorder.start`. Frame ``i``
is made once the clock has passed that instant plus ``latency``, so media that arrives a little
late still lands in its place. For each frame every party contributes its latest picture taken
at or before the frame's instant; a party with no picture, or none for ``stale_after`` seconds,
shows "no signal". Audio is mixed onto the same timeline by timestamp and encoded in blocks of
1024 samples. Timestamps in the file come from the frame and sample counters, never from arrival
order, so audio and video stay in step however the network delivered them.

Failures of the writer (a full disk, an encoder error) are recorded, the file is closed, and
:meth:`CompositeRecorder.stop` raises them as :class:`RecordingError`.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recording.compositor import Compositor
from recording.inbox import MediaInbox, RecordingInputError
from recording.mixer import AudioMixer
from recording.muxer import AAC_FRAME, MatroskaMuxer

__all__ = ["CompositeRecorder", "RecordingError", "RecordingInfo", "RecordingInputError"]

logger = logging.getLogger(__name__)

_EPS = 1e-9  # absorbs float rounding when comparing session times on the frame grid


class RecordingError(RuntimeError):
    """The recording could not be written; the message says what failed and where."""


@dataclass(frozen=True)
class RecordingInfo:
    """What a finished recording holds."""

    path: Path
    duration_s: float
    video_frames: int
    audio_samples: int
    #: Video frames plus audio chunks dropped because a party's buffer was full.
    dropped: int
    dropped_video_frames: int
    dropped_audio_chunks: int
    #: Audio samples that arrived after their place in the mix had been written.
    late_audio_samples: int


class CompositeRecorder:
    """Records every party of a session into one composite Matroska file (H.264 + AAC).

    ``roles`` are the parties shown; ``clock`` returns session time in seconds;
    ``wall_epoch + session time`` is the Unix time burned into the picture. The elapsed time in
    the picture counts from ``elapsed_origin`` (a session time; default: the start of this
    recording, so it matches the player's position). ``label_font`` is a CJK TrueType font for
    the Chinese captions (None: ASCII captions). With ``threaded=False`` no thread is started
    and the caller drives the writer with :meth:`run_until` (tests).
    """

    def __init__(
        self,
        path: Path,
        *,
        roles: Sequence[str],
        clock: Callable[[], float],
        wall_epoch: float,
        label_font: Path | None,
        size: tuple[int, int] = (1280, 720),
        fps: int = 25,
        latency: float = 0.3,
        audio_rate: int = 48000,
        stale_after: float = 1.0,
        elapsed_origin: float | None = None,
        threaded: bool = True,
    ) -> None:
        self.path = Path(path)
        self._size, self._fps, self._rate = size, fps, audio_rate
        self._clock, self._wall_epoch = clock, wall_epoch
        self._latency, self._stale_after, self._threaded = latency, stale_after, threaded
        self._elapsed_origin = elapsed_origin
        self._compositor = Compositor(roles, label_font=label_font, size=size)
        self._mixer = AudioMixer(audio_rate)
        # Enough pictures to cover the latency window of a 30 fps camera, plus slack.
        # Room for a few seconds of pictures: when the machine is busy the writer falls behind
        # the clock for a while, and the pictures it has not reached yet must still be there.
        self._inbox = MediaInbox(roles, pictures=max(8, math.ceil((latency + 3.0) * 30)))
        self._state = "new"
        self._t0 = 0.0
        self._frames = 0
        self._samples = 0
        self._muxer: MatroskaMuxer | None = None
        self._thread: threading.Thread | None = None
        self._stop_requested = threading.Event()
        self._stop_time = 0.0
        self._error: RecordingError | None = None
        self._info: RecordingInfo | None = None

    @property
    def error(self) -> RecordingError | None:
        """The failure that ended the recording early, or None."""
        return self._error

    @property
    def session_start(self) -> float:
        """Session time of output frame 0 (the clock's value at :meth:`start`)."""
        return self._t0

    def start(self) -> None:
        """Open the file and start recording; frame 0 shows the session time ``clock()`` now."""
        if self._state != "new":
            raise RuntimeError("a CompositeRecorder can be started only once")
        try:
            # Create the file now: PyAV would only open it at the first packet, so a bad path
            # would surface late, on the writer thread. Exclusive creation also guarantees that
            # an earlier recording is never overwritten.
            with self.path.open("xb"):
                pass
        except FileExistsError as exc:
            raise RecordingError(
                f"{self.path} already exists; a recording is never overwritten, choose a new name"
            ) from exc
        except OSError as exc:
            raise RecordingError(f"cannot create the recording file {self.path}: {exc}") from exc
        try:
            self._muxer = MatroskaMuxer(
                self.path, size=self._size, fps=self._fps, audio_rate=self._rate
            )
        except Exception as exc:
            self.path.unlink()  # the empty file made above, so the name can be used again
            raise RecordingError(f"cannot open the recording file {self.path}: {exc}") from exc
        self._t0 = self._clock()
        self._state = "recording"
        if self._threaded:
            self._thread = threading.Thread(
                target=self._run, name=f"recorder {self.path.name}", daemon=True
            )
            self._thread.start()

    def push_video(self, role: str, image: np.ndarray, t: float) -> None:
        """Hand over ``role``'s picture taken at session time ``t``.

        BGR ``(H, W, 3)`` uint8, or an I420 buffer ``(H * 3 // 2, W)`` uint8 (a decoder's
        yuv420p frame as ``VideoFrame.to_ndarray()`` returns it).

        Never blocks. The array is kept, not copied: do not modify it afterwards.
        Ignored once the recording has stopped or failed.
        """
        self._inbox.put_video(role, image, t)

    def push_audio(self, role: str, samples: np.ndarray, sample_rate: int, t: float) -> None:
        """Hand over ``role``'s audio: int16, mono ``(N,)`` or interleaved stereo ``(N, 2)``.

        ``t`` is the session time of the first sample. Never blocks; the samples are copied,
        so the caller may reuse its buffer. Ignored once the recording has stopped or failed.
        """
        self._inbox.put_audio(role, samples, sample_rate, t)

    def run_until(self, now: float) -> None:
        """Write every frame and audio block due at session time ``now`` (``threaded=False``)."""
        if self._threaded:
            raise RuntimeError("run_until() drives an unthreaded recorder only")
        if self._state != "recording":
            raise RuntimeError(f"run_until() on a recorder that is {self._state}")
        if self._error is None:
            try:
                self._advance(now, final=False)
            except Exception as exc:
                self._fail(exc)

    def stop(self) -> RecordingInfo:
        """Write everything up to ``clock()`` now, close the file and describe it.

        Blocks while the last ``latency`` seconds are encoded: call it off the event loop.
        Raises :class:`RecordingError` if the writer failed at any point. Calling it again
        returns the same result.
        """
        if self._state == "new":
            raise RuntimeError("stop() before start()")
        if self._state == "recording":
            self._stop_time = self._clock()
            self._inbox.close()
            if self._thread is not None:
                self._stop_requested.set()
                self._thread.join()
            elif self._error is None:
                try:
                    self._finish()
                except Exception as exc:
                    self._fail(exc)
            self._state = "stopped"
            self._info = self._describe()
            logger.info("recording %s closed: %s", self.path, self._info)
        if self._error is not None:
            raise self._error
        assert self._info is not None
        return self._info

    # --- writer side: everything below runs on the writer thread (or in run_until/stop) ---

    def _run(self) -> None:
        poll_s = 0.5 / self._fps
        warn_after = 0.0
        try:
            while not self._stop_requested.wait(poll_s):
                self._advance(self._clock(), final=False)
                now = self._clock()
                lag = now - self._latency - (self._t0 + self._frames / self._fps)
                if lag > 1.0 and now >= warn_after:
                    # Falling behind means pictures are dropped from the full buffers.
                    logger.warning("recorder %s is %.1f s behind the clock", self.path, lag)
                    warn_after = now + 10.0
            self._finish()
        except Exception as exc:
            self._fail(exc)

    def _finish(self) -> None:
        self._advance(self._stop_time, final=True)
        assert self._muxer is not None
        self._muxer.close()

    def _fail(self, exc: Exception) -> None:
        written = self._frames / self._fps
        logger.error("recording %s failed after %.1f s", self.path, written, exc_info=exc)
        error = RecordingError(
            f"writing the recording {self.path} failed after {written:.1f} s of video: {exc}. "
            "The file keeps what was written before the failure; check the disk and start a "
            "new recording."
        )
        error.__cause__ = exc
        self._inbox.close()
        self._error = error
        if self._muxer is not None:
            self._muxer.abort()

    def _advance(self, now: float, *, final: bool) -> None:
        """Write the video frames and audio blocks due at ``now``, in time order.

        Normally a frame is due once ``now`` has passed its instant plus the latency. When
        ``final``, no more media will come: everything before ``now`` is written, the last audio
        block possibly short.
        """
        self._drain_audio()
        t0, fps, rate = self._t0, self._fps, self._rate
        horizon = now if final else now - self._latency
        end_sample = max(0, round((horizon - t0) * rate))
        while True:
            tv = t0 + self._frames / fps
            if final:
                video_due = tv < horizon - _EPS
                block = min(AAC_FRAME, end_sample - self._samples)
            else:
                video_due = tv <= horizon + _EPS
                block = AAC_FRAME if self._samples + AAC_FRAME <= end_sample else 0
            if not video_due and block <= 0:
                return
            if video_due and (block <= 0 or tv <= t0 + self._samples / rate):
                self._emit_video()
            else:
                self._emit_audio(block)

    def _emit_video(self) -> None:
        assert self._muxer is not None
        at = self._t0 + self._frames / self._fps
        pictures = self._inbox.pictures_at(at, self._stale_after)
        origin = self._t0 if self._elapsed_origin is None else self._elapsed_origin
        elapsed = at - origin
        canvas = self._compositor.compose(pictures, elapsed, self._wall_epoch + at)
        self._muxer.write_video(canvas, self._frames)
        self._frames += 1

    def _emit_audio(self, count: int) -> None:
        assert self._muxer is not None
        self._muxer.write_audio(self._mixer.take(count), self._samples)
        self._samples += count

    def _drain_audio(self) -> None:
        for chunk in self._inbox.take_audio():
            start = round((chunk.t - self._t0) * self._rate)
            self._mixer.add(chunk.role, chunk.samples, chunk.sample_rate, start)

    def _describe(self) -> RecordingInfo:
        dropped_video, dropped_audio = self._inbox.dropped()
        return RecordingInfo(
            path=self.path,
            duration_s=self._frames / self._fps,
            video_frames=self._frames,
            audio_samples=self._samples,
            dropped=dropped_video + dropped_audio,
            dropped_video_frames=dropped_video,
            dropped_audio_chunks=dropped_audio,
            late_audio_samples=self._mixer.late_samples,
        )
