"""Mixing the parties' audio onto one sample timeline.

Theory of operation: every party's audio is placed by its timestamp, converted to a sample index
on the output timeline by the caller. Network and capture jitter make consecutive chunks of
one party disagree with their own timestamps by a few milliseconds; placing each chunk exactly
at its timestamp would then leave tiny gaps or overlaps, audible as clicks. So a chunk that
starts within ``snap_s`` of where the party's previous chunk ended is laid directly after it;
a larger jump (the party was silent, or reconnected) starts the party afresh at the timestamp.
A steady difference that builds up between a party's timestamps and where its chunks were laid
(its sample clock runs a little fast or slow against the session clock) is followed by
stretching or shrinking chunks by a sample per 20 ms at most, so it never grows much past a
millisecond and long sessions do not drift.

The mix is the sum of the parties, clipped to 16 bits. A party that sent nothing contributes
silence. Audio arriving for samples already taken is late: it is cut off and counted, never
moved, because moving it would put speech at the wrong time in the record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import av
import numpy as np

logger = logging.getLogger(__name__)


@dataclass
class _Track:
    """One party's pending audio, starting at the mixer's position."""

    pending: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))
    next_start: int | None = None
    in_rate: int = 0
    resampler: av.AudioResampler | None = None
    warned_early: bool = False
    #: Smoothed difference between the chunks' timestamps and where they were laid, samples.
    drift: float = 0.0


_DRIFT_GAIN = 0.02  # smoothing of the timestamp difference per 20 ms chunk: a second averaged


def _stretch(samples: np.ndarray, length: int) -> np.ndarray:
    """``samples`` resampled to ``length`` samples by linear interpolation (a 1-sample change
    in a 20 ms chunk is a 0.1 % pitch change for 20 ms: inaudible)."""
    positions = np.linspace(0, len(samples) - 1, length)
    stretched = np.interp(positions, np.arange(len(samples)), samples.astype(np.float64))
    return np.round(stretched).astype(np.int16)


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Mono int16 from int16 mono ``(N,)`` or interleaved ``(N, C)`` samples (channel mean)."""
    if samples.ndim == 1:
        return samples
    if samples.shape[1] == 1:
        return samples[:, 0]
    return (samples.astype(np.int32).sum(axis=1) // samples.shape[1]).astype(np.int16)


class AudioMixer:
    """Places each party's audio by sample index and mixes all parties to mono int16.

    Not thread-safe: one writer thread owns it.
    """

    def __init__(
        self,
        rate: int,
        *,
        snap_s: float = 0.02,
        horizon_s: float = 10.0,
        tolerance_s: float = 0.001,
    ) -> None:
        self.rate = rate
        #: Index of the first sample not yet taken.
        self.position = 0
        #: Samples that arrived after their place in the mix had been taken.
        self.late_samples = 0
        #: Samples refused because they lay more than ``horizon_s`` ahead of the mix.
        self.early_samples = 0
        #: Chunks stretched or shrunk by one sample to follow a party's clock.
        self.stretched = 0
        #: How far from its timestamp a chunk may be laid (to follow on from the previous one).
        self.snap_s = snap_s
        self._snap = round(snap_s * rate)
        self._tolerance = tolerance_s * rate
        self._horizon = round(horizon_s * rate)
        self._tracks: dict[str, _Track] = {}

    def add(self, role: str, samples: np.ndarray, sample_rate: int, start: int) -> None:
        """Add a chunk of ``role``'s audio whose first sample belongs at index ``start``.

        ``samples`` is int16, mono ``(N,)`` or interleaved ``(N, C)``, at ``sample_rate``;
        it is converted to mono at the mixer's rate. ``start`` counts samples at the mixer's rate.
        """
        track = self._tracks.setdefault(role, _Track())
        mono = self._resample(track, to_mono(samples), sample_rate)
        if track.next_start is not None and abs(start - track.next_start) <= self._snap:
            # Laid end to end; but follow a steady difference (the sender's sample clock runs
            # apart from the session clock) by stretching chunks a sample at a time.
            gain = min(1.0, _DRIFT_GAIN * len(mono) / 960)  # about a second of chunks
            track.drift += gain * ((start - track.next_start) - track.drift)
            start = track.next_start
            if abs(track.drift) > self._tolerance and len(mono) > 1:
                # At most one sample per 20 ms (0.1 %): follows clocks up to 1000 ppm apart.
                most = max(1, len(mono) // 960)
                step = int(max(-most, min(most, round(track.drift))))
                mono = _stretch(mono, len(mono) + step)
                track.drift -= step
                self.stretched += 1
        else:
            track.drift = 0.0
        track.next_start = start + len(mono)
        if start < self.position:
            cut = min(len(mono), self.position - start)
            self.late_samples += cut
            mono, start = mono[cut:], start + cut
        if len(mono) == 0:
            return
        offset = start - self.position
        end = offset + len(mono)
        if end > self._horizon:
            self.early_samples += len(mono)
            if not track.warned_early:  # once per party: a clock offset repeats every chunk
                track.warned_early = True
                logger.warning(
                    "audio of %s lies %.1f s ahead of the recording; dropped",
                    role, offset / self.rate,
                )  # fmt: skip
            return
        if len(track.pending) < end:
            grown = np.zeros(end, np.int16)
            grown[: len(track.pending)] = track.pending
            track.pending = grown
        track.pending[offset:end] = mono

    def next_start(self, role: str) -> int | None:
        """Where ``role``'s next chunk would be laid if it follows on (None: nothing yet)."""
        track = self._tracks.get(role)
        return None if track is None else track.next_start

    def take(self, count: int) -> np.ndarray:
        """Return the next ``count`` mixed samples (mono int16) and advance the position."""
        return self.take_parts(count)[0]

    def take_parts(self, count: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The next ``count`` samples: the mix, and each party's own (mono int16).

        Parties that never sent anything are absent from the dict.
        """
        mix = np.zeros(count, np.int32)
        parts: dict[str, np.ndarray] = {}
        for role, track in self._tracks.items():
            own = np.zeros(count, np.int16)
            n = min(count, len(track.pending))
            if n:
                own[:n] = track.pending[:n]
                mix[:n] += track.pending[:n]
                track.pending = track.pending[n:]
            parts[role] = own
        self.position += count
        return np.clip(mix, -32768, 32767).astype(np.int16), parts

    def _resample(self, track: _Track, mono: np.ndarray, sample_rate: int) -> np.ndarray:
        if sample_rate == self.rate:
            return mono
        if track.resampler is None or track.in_rate != sample_rate:
            # A resampler keeps filter state between chunks, so a party keeps its own.
            track.resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate)
            track.in_rate = sample_rate
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(mono).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = sample_rate
        out = [f.to_ndarray().reshape(-1) for f in track.resampler.resample(frame)]
        return np.concatenate(out) if out else np.zeros(0, np.int16)
