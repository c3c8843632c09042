"""Sound like a room's: a voice (a buzz with harmonics, in syllables) and the echo path of a
room with an open speaker and a table microphone."""

from __future__ import annotations

import numpy as np

RATE = 48_000


def voice(seconds: float, pitch: float, seed: int) -> np.ndarray:
    """Something like speech: a buzz at ``pitch`` with its harmonics, in syllables."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    buzz = sum(np.sin(2 * np.pi * pitch * k * t + rng.uniform(0, 6)) / k for k in range(1, 12))
    syllables = np.clip(np.sin(2 * np.pi * 3.1 * t + rng.uniform(0, 6)), 0, None)
    signal = buzz * syllables
    return signal / np.sqrt(np.mean(signal**2)) * 0.1 * 32767  # -20 dBFS


def room_echo(far: np.ndarray) -> np.ndarray:
    """``far`` as the microphone hears it from the speaker: 40 ms later, half as loud, with a
    short decaying tail."""
    path = np.zeros(int(0.12 * RATE))
    path[int(0.04 * RATE)] = 0.5
    tail = np.arange(len(path) - int(0.045 * RATE))
    path[int(0.045 * RATE) :] = 0.05 * np.exp(-tail / (0.02 * RATE))
    return np.convolve(far, path)[: len(far)]
