"""Real cameras and microphones as aiortc tracks, every frame stamped with its capture time.

Theory of operation. A camera is read on its own thread (``cv2.VideoCapture`` or any object
with ``grab``/``retrieve``/``release``): each frame is stamped with the injected session clock
right after ``grab()`` returns, converted to I420 there (not on the event loop) and put in a
one-frame slot; a frame the sender did not take in time is replaced by the newer one, so
latency never builds up. The driver's own timestamps vary by backend and are not used.

A microphone (sounddevice, imported only when needed: ``import sounddevice`` raises OSError
where PortAudio is missing) delivers blocks to a callback on PortAudio's thread. PortAudio's
times are not the session clock, so blocks are timed by sample count from one anchor
(:class:`SampleClock`), which is slewed towards the session clock a little at a time: the
microphone's crystal and the clock drift apart by up to a few hundred parts per million
(0.7 s in two hours at 100 ppm), which must not become lip-sync error.

The tracks hand out yuv420p video (pts in 1/90000 s from the capture times) and s16 mono
audio (pts = sample count, 48 kHz). ``track.capture_time(pts)`` gives the session time at which
a frame was captured, for the sender to report to the recorder.
"""

from __future__ import annotations

import asyncio
import fractions
import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from recording.media.sample_clock import SampleClock
from recording.media.stamps import CaptureStamps

log = logging.getLogger(__name__)

VIDEO_CLOCK_RATE = 90_000
AUDIO_RATE = 48_000


class Grabber(Protocol):
    """What is used of ``cv2.VideoCapture``."""

    def grab(self) -> bool: ...

    def retrieve(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


class ReconnectingCamera:
    """An IP camera over RTSP (OpenCV's FFmpeg), opened again whenever its stream breaks, after
    ``retry`` seconds; a :class:`Grabber` for :class:`CameraCapture`, which gives up after its
    ``max_failures`` failed grabs in a row. The camera's name leaves out any credentials in
    the URL."""

    def __init__(self, url: str, retry: float = 1.0, timeout_ms: int = 5000) -> None:
        self._url, self._retry, self._timeout = url, retry, timeout_ms
        parts = urlsplit(url)
        self.name = f"{parts.hostname}:{parts.port or 554}{parts.path}"
        self.reconnects = 0
        self._capture = self._open()

    def _open(self) -> Any:
        timeouts = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, self._timeout,
                    cv2.CAP_PROP_READ_TIMEOUT_MSEC, self._timeout]  # fmt: skip
        return cv2.VideoCapture(self._url, cv2.CAP_FFMPEG, timeouts)

    def isOpened(self) -> bool:
        """Whether the stream is open now."""
        return bool(self._capture.isOpened())

    def grab(self) -> bool:
        """The next picture; on a broken stream, wait ``retry`` and open it again."""
        if self._capture.isOpened() and self._capture.grab():
            return True
        self._capture.release()
        time.sleep(self._retry)
        self._capture = self._open()
        self.reconnects += 1
        log.warning("IP camera %s: opening its stream again (%d)", self.name, self.reconnects)
        return bool(self._capture.isOpened() and self._capture.grab())

    def retrieve(self) -> tuple[bool, Any]:
        """The picture grabbed."""
        ok, image = self._capture.retrieve()
        return bool(ok), image

    def release(self) -> None:
        """Close the stream."""
        self._capture.release()


@dataclass(frozen=True)
class CapturedFrame:
    """A camera picture as I420, captured at session time ``t``."""

    t: float
    i420: np.ndarray
    number: int


@dataclass(frozen=True)
class AudioBlock:
    """Mono int16 samples whose first (sample ``first`` of the stream) was captured at ``t``."""

    t: float
    samples: np.ndarray
    first: int


class _Notifier:
    """Wakes one asyncio waiter from another thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None

    def bind(self) -> asyncio.Event:
        if self._event is None:
            self._loop = asyncio.get_running_loop()
            self._event = asyncio.Event()
        return self._event

    def notify(self) -> None:
        loop, event = self._loop, self._event
        if loop is not None and event is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop closed in between: nobody is waiting any more
                log.debug("capture notification after the event loop closed")


class CameraCapture:
    """Reads a camera on a thread of its own, keeping only the newest picture.

    ``clock`` returns session time; ``pace_fps`` slows down sources that deliver as fast as
    they can (a video file). After ``max_failures`` failed grabs in a row the camera counts as
    gone: :attr:`problem` says so and the thread ends.
    """

    def __init__(
        self,
        source: Grabber,
        *,
        clock: Callable[[], float],
        name: str = "camera",
        pace_fps: float | None = None,
        max_failures: int = 25,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = name
        self._source, self._clock, self._sleep = source, clock, sleep
        self._pace = pace_fps
        self._max_failures = max_failures
        self._lock = threading.Lock()
        self._slot: CapturedFrame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._notifier = _Notifier()
        self.problem: str | None = None
        self.frames = 0
        self.replaced = 0

    def start(self) -> None:
        """Start reading."""
        self._thread = threading.Thread(target=self._run, name=f"capture {self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop reading and release the camera."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)

    @property
    def running(self) -> bool:
        """Whether the capture thread still runs."""
        return self._thread is not None and self._thread.is_alive()

    def take(self) -> CapturedFrame | None:
        """The newest picture not taken yet, or None."""
        with self._lock:
            frame, self._slot = self._slot, None
        return frame

    async def next_frame(self) -> CapturedFrame:
        """Wait for the next picture; raises MediaStreamError when the camera is gone."""
        event = self._notifier.bind()
        while True:
            frame = self.take()
            if frame is not None:
                return frame
            if not self.running and self._thread is not None:
                raise MediaStreamError
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), timeout=0.5)
            except TimeoutError:
                continue

    def _run(self) -> None:
        failures = 0
        period = 1 / self._pace if self._pace else 0.0
        next_due = time.monotonic()
        try:
            while not self._stop.is_set():
                ok = self._source.grab()
                t = self._clock()  # right after the grab: the capture time
                if not ok:
                    failures += 1
                    if failures >= self._max_failures:
                        self.problem = f"the camera {self.name} stopped delivering pictures"
                        log.error("%s after %d frames", self.problem, self.frames)
                        return
                    self._sleep(0.04)
                    continue
                failures = 0
                ok, image = self._source.retrieve()
                if not ok or image is None:
                    continue
                self._deliver(t, image)
                if period:
                    next_due += period
                    self._sleep(max(0.0, next_due - time.monotonic()))
        except Exception as exc:
            self.problem = f"the camera {self.name} failed: {exc}"
            log.exception("camera %s failed", self.name)
        finally:
            self._source.release()
            self._notifier.notify()

    def _deliver(self, t: float, image: np.ndarray) -> None:
        h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        i420 = cv2.cvtColor(np.ascontiguousarray(image[:h, :w, :3]), cv2.COLOR_BGR2YUV_I420)
        with self._lock:
            if self._slot is not None:
                self.replaced += 1
            self._slot = CapturedFrame(t, i420, self.frames)
            self.frames += 1
        self._notifier.notify()


class CameraTrack(MediaStreamTrack):
    """A camera as an aiortc video track (yuv420p, pts from the capture times)."""

    kind = "video"

    def __init__(self, capture: CameraCapture) -> None:
        super().__init__()
        self.capture = capture
        self.stamps = CaptureStamps()
        self._origin: float | None = None
        self._last_pts = -1

    async def recv(self) -> VideoFrame:
        """The newest picture (waits for the next one)."""
        if self.readyState != "live":
            raise MediaStreamError
        captured = await self.capture.next_frame()
        if self._origin is None:
            self._origin = captured.t
        pts = max(self._last_pts + 1, round((captured.t - self._origin) * VIDEO_CLOCK_RATE))
        self._last_pts = pts
        frame = VideoFrame.from_ndarray(captured.i420, format="yuv420p")
        frame.pts, frame.time_base = pts, fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self.stamps.record(pts, captured.t)
        return frame

    def capture_time(self, pts: int) -> float | None:
        """Session time at which the picture with ``pts`` was captured."""
        return self.stamps.capture_time(pts)

    def stop(self) -> None:
        """Stop the track and the camera."""
        super().stop()
        self.capture.stop()


StreamFactory = Callable[[int, int, Any, Callable[..., None]], Any]


def portaudio_stream(
    kind: str, rate: int, block: int, device: Any, callback: Callable[..., None]
) -> Any:
    """A PortAudio stream, ``kind`` ``InputStream`` or ``OutputStream`` (mono int16, PortAudio's
    low-latency buffering: 16 ms less from mouth to ear than its default); raises OSError where
    PortAudio is missing."""
    import sounddevice  # lazily: the import itself fails without PortAudio

    return getattr(sounddevice, kind)(
        samplerate=rate, blocksize=block, channels=1, dtype="int16", device=device,
        callback=callback, latency="low",
    )  # fmt: skip


#: A microphone's stream.
sounddevice_stream: StreamFactory = functools.partial(portaudio_stream, "InputStream")


class PortAudioDevice:
    """A sound device whose PortAudio stream, made by ``factory``, is opened by :meth:`start`
    and closed by :meth:`stop`; PortAudio calls :meth:`callback` on its own thread."""

    def __init__(self, factory: StreamFactory, rate: int, block: int, device: Any) -> None:
        self._factory, self.rate, self._block, self._device = factory, rate, block, device
        self._stream: Any = None

    def start(self) -> None:
        """Open and start the stream (OSError, or PortAudio's own error, if it cannot be)."""
        self._stream = self._factory(self.rate, self._block, self._device, self.callback)
        self._stream.start()

    def stop(self) -> None:
        """Stop and close the stream."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()

    def callback(self, data: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's callback for one block."""
        raise NotImplementedError


class MicrophoneCapture(PortAudioDevice):
    """Takes a microphone's blocks on PortAudio's thread and stamps them on the session clock."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        device: Any = None,
        rate: int = AUDIO_RATE,
        block: int = 960,
        stream_factory: StreamFactory = sounddevice_stream,
        sample_clock: SampleClock | None = None,
        process: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        super().__init__(stream_factory, rate, block, device)
        self._clock = clock
        #: What each block goes through before it is sent (the room's echo cancelling).
        self._process = process
        self.sample_clock = sample_clock or SampleClock(rate)
        self._blocks: deque[AudioBlock] = deque(maxlen=50)
        self._lock = threading.Lock()
        self._notifier = _Notifier()
        self._count = 0
        self.problem: str | None = None
        self.dropped = 0

    def callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's callback: stamp and queue one block."""
        if status:
            log.warning("microphone: %s", status)
        latency = float(getattr(self._stream, "latency", 0.0) or 0.0)
        t = self.sample_clock.stamp(frames, self._clock(), latency)
        samples = np.array(indata, np.int16).reshape(frames, -1)[:, 0].copy()
        if self._process is not None:
            samples = self._process(samples)
        with self._lock:
            if len(self._blocks) == self._blocks.maxlen:
                self.dropped += 1
            self._blocks.append(AudioBlock(t, samples, self._count))
        self._count += frames
        self._notifier.notify()

    async def next_block(self) -> AudioBlock:
        """Wait for the next block of sound."""
        event = self._notifier.bind()
        while True:
            with self._lock:
                if self._blocks:
                    return self._blocks.popleft()
            event.clear()
            try:
                await asyncio.wait_for(event.wait(), timeout=0.5)
            except TimeoutError:
                if self._stream is None:
                    raise MediaStreamError from None


class MicrophoneTrack(MediaStreamTrack):
    """A microphone as an aiortc audio track (s16 mono, pts = sample count)."""

    kind = "audio"

    def __init__(self, capture: MicrophoneCapture) -> None:
        super().__init__()
        self.capture = capture
        self.stamps = CaptureStamps()

    async def recv(self) -> AudioFrame:
        """The next block of sound."""
        if self.readyState != "live":
            raise MediaStreamError
        block = await self.capture.next_block()
        frame = AudioFrame.from_ndarray(block.samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.capture.rate
        frame.pts, frame.time_base = block.first, fractions.Fraction(1, self.capture.rate)
        self.stamps.record(block.first, block.t)
        return frame

    def capture_time(self, pts: int) -> float | None:
        """Session time at which the sample ``pts`` was captured."""
        return self.stamps.capture_time(pts)

    def stop(self) -> None:
        """Stop the track and the microphone."""
        super().stop()
        self.capture.stop()
