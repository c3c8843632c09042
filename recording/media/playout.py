"""The speaker: the other parties' sound, mixed and played with a small playout buffer.

Each party's decoded sound (WebRTC's Opus, 48 kHz) is resampled to the speaker's mono rate and
queued for that party; PortAudio's callback (on its own thread) takes one block from every
queue, mixes them and plays the mix. A party's queue starts playing once ``delay`` seconds of
its sound are in (the buffer that absorbs network jitter) and is kept between ``delay`` and
``delay + slack``: a party whose sound runs ahead (its clock a little fast, or a burst after a
stall) loses its oldest samples; one that runs dry plays silence and builds up ``delay`` again.
What is played is handed to ``on_played`` (on PortAudio's thread): the echo canceller's far-end
reference, sample for sample as the speaker received it.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from av import AudioFrame
from av.audio.resampler import AudioResampler

from recording.media.capture import PortAudioDevice, StreamFactory, portaudio_stream

log = logging.getLogger(__name__)

RATE = 48_000
#: Sound a party's queue holds before it plays: rides out jitter at the cost of this latency.
DELAY = 0.060
#: How far beyond ``DELAY`` a queue may grow before its oldest sound is dropped.
SLACK = 0.080
#: Samples PortAudio asks for at a time (10 ms).
BLOCK = 480

#: A speaker's stream: ``(rate, block, device, callback)``, started on ``start()``.
sounddevice_output: StreamFactory = functools.partial(portaudio_stream, "OutputStream")


class _PartyQueue:
    """One party's sound waiting to be played."""

    def __init__(self, delay: int, limit: int) -> None:
        self.delay, self.limit = delay, limit
        self.samples = np.zeros(0, np.int16)
        self.playing = False
        self.dropped = 0

    def add(self, samples: np.ndarray) -> None:
        self.samples = np.concatenate([self.samples, samples])
        if len(self.samples) > self.limit:
            cut = len(self.samples) - (self.delay + self.limit) // 2
            self.samples = self.samples[cut:]
            self.dropped += cut
        if len(self.samples) >= self.delay:
            self.playing = True

    def take(self, count: int) -> np.ndarray | None:
        if not self.playing:
            return None
        block, self.samples = self.samples[:count], self.samples[count:]
        if len(block) < count:  # ran dry: silence, then wait for ``delay`` again
            self.playing = False
            block = np.concatenate([block, np.zeros(count - len(block), np.int16)])
        return block


class Playout(PortAudioDevice):
    """Plays the other parties' sound on one speaker."""

    def __init__(
        self,
        *,
        device: Any = None,
        rate: int = RATE,
        block: int = BLOCK,
        delay: float = DELAY,
        slack: float = SLACK,
        output_factory: StreamFactory = sounddevice_output,
        on_played: Callable[[np.ndarray], None] | None = None,
    ) -> None:
        super().__init__(output_factory, rate, block, device)
        self._delay, self._limit = round(delay * rate), round((delay + slack) * rate)
        self._on_played = on_played
        self._queues: dict[str, _PartyQueue] = {}
        self._resamplers: dict[str, AudioResampler] = {}
        self._muted: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def mute(self, roles: frozenset[str]) -> None:
        """Play nothing of these parties until told otherwise."""
        with self._lock:
            self._muted = roles
            for role in roles:
                self._queues.pop(role, None)

    def forget(self, role: str) -> None:
        """``role`` left: drop what it had waiting."""
        with self._lock:
            self._queues.pop(role, None)
            self._resamplers.pop(role, None)

    def push(self, role: str, frame: AudioFrame) -> None:
        """A decoded frame of ``role``'s sound (called on the station's event loop)."""
        resampler = self._resamplers.get(role)
        if resampler is None:
            resampler = AudioResampler(format="s16", layout="mono", rate=self.rate)
            self._resamplers[role] = resampler
        pieces = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        if not pieces:
            return
        samples = np.concatenate(pieces).astype(np.int16)
        with self._lock:
            if role in self._muted:
                return
            queue = self._queues.get(role)
            if queue is None:
                queue = self._queues[role] = _PartyQueue(self._delay, self._limit)
            queue.add(samples)

    def callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio's callback: the next ``frames`` samples of the mix."""
        if status:
            log.debug("speaker: %s", status)
        mix = np.zeros(frames, np.int32)
        with self._lock:
            blocks = [q.take(frames) for q in self._queues.values()]
        for block in blocks:
            if block is not None:
                mix += block
        played = np.clip(mix, -32768, 32767).astype(np.int16)
        outdata[:] = played.reshape(outdata.shape)
        if self._on_played is not None:
            self._on_played(played)

    def waiting(self, role: str) -> float:
        """Seconds of ``role``'s sound waiting to be played."""
        with self._lock:
            queue = self._queues.get(role)
            return len(queue.samples) / self.rate if queue else 0.0
