"""The clapper protocol: flashes and tones on whole session seconds, for measuring sync.

Party *k* (0 suspect, 1 prosecutor, 2 lawyer, further parties 3, 4, ...) shows a full white
frame for 40 ms and emits a 40 ms tone at ``800 + 400 * k`` Hz at every whole session second
*s* with ``s mod 3 == k mod 3``. Otherwise its picture is a dark moving test pattern and its
sound quiet noise. Everything here is a pure function of session time, so sources in different
processes that share the session clock flash and beep at the same instants, and an analysis
of the recording can tell how far apart they ended up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

#: Parties with a fixed clapper index; any other party is numbered from 3 on.
FIXED_INDEX = {"suspect": 0, "prosecutor": 1, "lawyer": 2}
FLASH_S = 0.040
TONE_S = 0.040
TONE_AMPLITUDE = 8000.0
NOISE_AMPLITUDE = 60.0
PERIOD_S = 3


def tone_frequency(index: int) -> float:
    """The pitch of party ``index``'s clapper tone, in Hz."""
    return 800.0 + 400.0 * index


def party_index(role: str, roles: Sequence[str] = ()) -> int:
    """The clapper index of ``role``: fixed for the three main parties, else 3, 4, ... in order.

    ``roles`` is the list of all parties of the session, which orders the further ones; a
    role not in it gets index 3.
    """
    if role in FIXED_INDEX:
        return FIXED_INDEX[role]
    others = [r for r in roles if r not in FIXED_INDEX]
    return 3 + (others.index(role) if role in others else 0)


def signals_at(index: int, second: int) -> bool:
    """Whether party ``index`` flashes and beeps at whole session second ``second``."""
    return second % PERIOD_S == index % PERIOD_S


def flash_at(index: int, t: float) -> bool:
    """Whether party ``index``'s picture is white at session time ``t``."""
    second = math.floor(t + 1e-9)
    return signals_at(index, second) and t - second < FLASH_S - 1e-9


def event_times(index: int, start: float, end: float) -> list[int]:
    """The whole session seconds in ``[start, end)`` at which party ``index`` signals."""
    return [s for s in range(math.ceil(start), math.ceil(end)) if signals_at(index, s)]


def render_audio(index: int, first_sample: int, count: int, rate: int, seed: int) -> np.ndarray:
    """``count`` int16 samples of party ``index`` starting at absolute sample ``first_sample``.

    Sample ``n`` belongs to session time ``n / rate``. The tone's phase follows the absolute
    sample index, so consecutive chunks join without a click. ``seed`` varies the noise.
    """
    n = first_sample + np.arange(count, dtype=np.int64)
    seconds = n // rate
    into = (n - seconds * rate) / rate
    noise = np.random.default_rng((seed, first_sample)).normal(0, NOISE_AMPLITUDE, count)
    return _sound(index, seconds, into, noise)


def audio_at(index: int, times: np.ndarray, seed: int) -> np.ndarray:
    """int16 samples of party ``index`` taken at the given session times (seconds).

    For simulating a microphone whose sample clock is not the session clock.
    """
    seconds = np.floor(times + 1e-9).astype(np.int64)
    into = times - seconds
    noise = np.random.default_rng(seed).normal(0, NOISE_AMPLITUDE, len(times))
    return _sound(index, seconds, into, noise)


def _sound(index: int, seconds: np.ndarray, into: np.ndarray, noise: np.ndarray) -> np.ndarray:
    on = (seconds % PERIOD_S == index % PERIOD_S) & (into < TONE_S)
    phase = 2 * np.pi * tone_frequency(index) * into
    signal = noise + on * TONE_AMPLITUDE * np.sin(phase)
    return np.clip(signal, -32768, 32767).astype(np.int16)
