"""Finding clapper flashes and tones in a recording (see :mod:`recording.media.clapper`).

Flashes: each party's area of the picture (the whole picture for a party's own file) is
watched in its central part, away from captions and the room view; a frame whose area is
bright (mean luma above 200 of 255, where the dark test pattern stays below 100) starts a
flash, timed by the frame's presentation time.

Tones: the sound is decoded and placed by the decoded frames' timestamps (so the AAC
encoder's priming is accounted for, as players do). For each party's frequency the signal is
shifted down to 0 Hz and averaged over 5 ms; the 5 ms box has its nulls at multiples of 200 Hz,
so the other parties' tones, 400 Hz apart, vanish from it. Only bursts that stay up for 20 ms
count (the edges of other tones leak through for a few milliseconds). A tone starts where the
envelope
first reaches half of its peak: for a centred box that is the tone's true start, to a fraction
of a millisecond. Long recordings are processed in blocks, so memory stays small.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import av
import numpy as np

FLASH_LUMA = 200.0
WINDOW_S = 0.005
MIN_SPACING_S = 0.5
MIN_TONE_S = 0.020
_BLOCK_S = 8.0
_TAIL_S = 0.25


@dataclass(frozen=True)
class Region:
    """A party's area of the picture, in pixels."""

    x: int
    y: int
    w: int
    h: int

    def core(self) -> tuple[slice, slice]:
        """The central part (middle 40 % each way), away from labels and the room view."""
        return (
            slice(self.y + self.h * 3 // 10, self.y + self.h * 7 // 10),
            slice(self.x + self.w * 3 // 10, self.x + self.w * 7 // 10),
        )


def find_flashes(
    container: av.container.InputContainer, regions: Mapping[str, Region]
) -> tuple[dict[str, list[float]], float]:
    """Flash start times (file seconds) per region, and the time after the last frame."""
    flashes: dict[str, list[float]] = {role: [] for role in regions}
    lit = dict.fromkeys(regions, False)
    cores = {role: region.core() for role, region in regions.items()}
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    end = 0.0
    for frame in container.decode(stream):
        if frame.pts is None or frame.time_base is None:
            continue
        t = float(frame.pts * frame.time_base)
        luma = frame.to_ndarray(format="gray") if frame.format.name != "yuv420p" else None
        if luma is None:
            luma = frame.to_ndarray()[: frame.height]
        for role, (rows, cols) in cores.items():
            bright = float(luma[rows, cols].mean()) > FLASH_LUMA
            if bright and not lit[role]:
                flashes[role].append(t)
            lit[role] = bright
        end = max(end, t + 1 / float(stream.average_rate or 25))
    return flashes, end


class ToneFinder:
    """Finds tone onsets at given frequencies in a stream of mono samples fed in order."""

    def __init__(self, frequencies: Mapping[str, float], rate: int) -> None:
        self._freqs = dict(frequencies)
        self._rate = rate
        self._window = max(2, round(WINDOW_S * rate))
        self._buffer = np.zeros(0, np.float32)
        self._first = 0  # absolute sample index of buffer[0]
        self._start_time: float | None = None
        self.onsets: dict[str, list[float]] = {role: [] for role in self._freqs}

    def feed(self, samples: np.ndarray, t: float) -> None:
        """Add mono float samples whose first belongs at file time ``t``."""
        if self._start_time is None:
            self._start_time = t
            self._first = 0
        expected = self._first + len(self._buffer)
        index = round((t - self._start_time) * self._rate)
        if abs(index - expected) > 0.002 * self._rate:
            # A hole in the file (or overlap): place by the timestamp, filling with silence.
            self._process(final=True)
            self._buffer = np.zeros(0, np.float32)
            self._first = index
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float32)])
        if len(self._buffer) >= _BLOCK_S * self._rate:
            self._process(final=False)

    def finish(self) -> dict[str, list[float]]:
        """Process what is left and return the onsets (file seconds) per party."""
        self._process(final=True)
        return {role: sorted(times) for role, times in self.onsets.items()}

    def _process(self, *, final: bool) -> None:
        if self._start_time is None or len(self._buffer) < 4 * self._window:
            return
        keep = 0 if final else round(_TAIL_S * self._rate)
        usable = len(self._buffer) - keep
        n = np.arange(len(self._buffer)) + self._first
        for role, freq in self._freqs.items():
            carrier = np.exp(-2j * np.pi * freq * (n % self._rate) / self._rate)
            envelope = np.abs(_centred_mean(self._buffer * carrier, self._window))
            for onset in _onsets(envelope, usable, self._window, self._rate):
                t = self._start_time + (self._first + onset) / self._rate
                times = self.onsets[role]
                if not times or t - times[-1] >= MIN_SPACING_S:
                    times.append(t)
        # Keep the tail (and some history before it) for the next block.
        cut = max(0, usable - round(0.1 * self._rate))
        self._buffer = self._buffer[cut:]
        self._first += cut


def _centred_mean(signal: np.ndarray, window: int) -> np.ndarray:
    """Moving average over ``window`` samples, centred on each sample."""
    total = np.concatenate([[0], np.cumsum(signal)])
    half = window // 2
    index = np.arange(len(signal))
    lo = np.clip(index - half, 0, len(signal))
    hi = np.clip(index - half + window, 0, len(signal))
    return (total[hi] - total[lo]) / window


def _onsets(envelope: np.ndarray, usable: int, window: int, rate: int) -> Iterable[float]:
    """Sub-sample times (buffer samples) where bursts start: half of their peak, rising."""
    floor = float(np.median(envelope)) if len(envelope) else 0.0
    threshold = max(0.01, 8 * floor)
    above = envelope > threshold
    rises = np.flatnonzero(above[1:] & ~above[:-1]) + 1
    span = round(0.045 * rate)
    falls = np.flatnonzero(~above[1:] & above[:-1]) + 1
    for rise in rises:
        if rise >= usable:
            break
        after = falls[falls > rise]
        if after.size and after[0] - rise < MIN_TONE_S * rate:
            continue  # a click, or the edge of another party's tone leaking through
        lo = max(0, int(rise) - span // 2)
        peak = float(envelope[rise : rise + span].max())
        half = peak / 2
        segment = envelope[lo : rise + span]
        k = int(np.argmax(segment >= half))
        if k == 0:
            continue  # already high at the start: cut off by the block, seen in the next one
        below, above_half = float(segment[k - 1]), float(segment[k])
        yield lo + k - 1 + (half - below) / (above_half - below)


def find_tones(
    container: av.container.InputContainer, frequencies: Mapping[str, float]
) -> dict[str, list[float]]:
    """Tone onset times (file seconds) per party in the first audio stream."""
    stream = container.streams.audio[0]
    finder = ToneFinder(frequencies, stream.rate or 48_000)
    for frame in container.decode(stream):
        if frame.pts is None or frame.time_base is None:
            continue
        samples = frame.to_ndarray()
        if frame.format.is_planar:
            mono = samples.mean(axis=0)
        else:
            mono = samples.reshape(-1, len(frame.layout.channels)).mean(axis=1)
        if samples.dtype == np.int16:
            mono = mono / 32768.0
        finder.feed(np.asarray(mono, np.float32), float(frame.pts * frame.time_base))
    return finder.finish()
