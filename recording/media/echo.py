"""Echo and noise: WebRTC's audio processing on a station's microphone.

Rooms have open speakers and table microphones, so the other parties' voices, played on the
speaker, come back through the microphone. WebRTC's audio processing module (AEC3 echo
cancellation, noise suppression, a high-pass filter), as LiveKit's Python package ships it,
takes them out again, with what the speaker played as its reference: the speaker's playout
hands every block it plays to :meth:`RoomSound.played`, and the microphone passes every block
it captures through :meth:`RoomSound.cleaned` before it is sent and recorded. AEC3 finds the
delay between the two itself (the speaker's and the microphone's buffers).

Why this binding (``bench/bench_echo.py``, BENCHMARKS.md "Echo"): LiveKit's module and
``pywebrtc-audio`` both run AEC3 and both reach about 50 dB of echo return loss enhancement,
but in double talk ``pywebrtc-audio`` cut the near talker by about 21 dB where LiveKit's kept
it: what a suspect says while a prosecutor talks must reach the recording. LiveKit's package is
large for this one use (a 28 MB library) but released every few weeks; the Speex bindings
reached 23-28 dB and have no wheel for this Python. The automatic gain control stays off: with
the far end talking alone it raised the echo left over.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

RATE = 48_000
#: Reference sound kept for a microphone that has fallen behind (more is dropped, oldest first).
MAX_REFERENCE = RATE // 2


class Processor(Protocol):
    """Echo cancelling on whole 10 ms frames of int16 mono sound."""

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray: ...


class LiveKitProcessor:
    """WebRTC's audio processing module as LiveKit's package ships it."""

    def __init__(self, rate: int) -> None:
        from livekit import rtc

        self._rtc, self._rate = rtc, rate
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=True, noise_suppression=True, high_pass_filter=True
        )

    def process(self, near: np.ndarray, far: np.ndarray) -> np.ndarray:
        """``near`` without the echo of ``far`` (both one 10 ms frame)."""
        rtc, count = self._rtc, len(near)
        self._apm.process_reverse_stream(rtc.AudioFrame(far.tobytes(), self._rate, 1, count))
        frame = rtc.AudioFrame(bytearray(near.tobytes()), self._rate, 1, count)
        self._apm.process_stream(frame)
        return np.frombuffer(frame.data, np.int16)


class RoomSound:
    """One station's microphone cleaned of its speaker's sound (the two called from their own
    PortAudio threads)."""

    def __init__(
        self, rate: int = RATE, processor: Callable[[int], Processor] = LiveKitProcessor
    ) -> None:
        self.rate, self._frame = rate, rate // 100
        self._processor = processor(rate)
        self._reference = np.zeros(0, np.int16)
        self._lock = threading.Lock()

    def played(self, samples: np.ndarray) -> None:
        """The speaker played ``samples`` (int16): the echo to expect."""
        with self._lock:
            self._reference = np.concatenate([self._reference, samples])[-MAX_REFERENCE:]

    def cleaned(self, samples: np.ndarray) -> np.ndarray:
        """The microphone's ``samples`` (int16, whole 10 ms frames) without the speaker's echo
        and the room's noise."""
        count = len(samples)
        with self._lock:
            far, self._reference = self._reference[:count], self._reference[count:]
        if len(far) < count:  # the speaker played less meanwhile: silence it was
            far = np.concatenate([far, np.zeros(count - len(far), np.int16)])
        near = samples.astype(np.int16)
        pieces: list[Any] = []
        for start in range(0, count - count % self._frame, self._frame):
            end = start + self._frame
            pieces.append(self._processor.process(near[start:end], far[start:end]))
        if count % self._frame:  # a part frame at the end passes as it is
            pieces.append(near[count - count % self._frame :])
        return np.concatenate(pieces).astype(np.int16)
