"""The microphone without the speaker's echo: WebRTC's audio processing (AEC3), fed what the
speaker played, on a simulated room (the echo path: 40 ms, half as loud, a short tail)."""

from __future__ import annotations

import numpy as np
import pytest
from voices import RATE, room_echo, voice

from recording.media.echo import RoomSound

BLOCK = 960  # 20 ms, as the microphone's and the speaker's callbacks take them


def run(room: RoomSound, far: np.ndarray, mic: np.ndarray) -> np.ndarray:
    out = []
    for i in range(0, len(far), BLOCK):
        room.played(far[i : i + BLOCK].astype(np.int16))
        out.append(room.cleaned(np.clip(mic[i : i + BLOCK], -32768, 32767).astype(np.int16)))
    return np.concatenate(out).astype(float)


def db(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(a**2) / max(np.mean(b**2), 1e-9)))


@pytest.fixture(scope="module")
def far() -> np.ndarray:
    return voice(8.0, 120.0, seed=1)


def test_the_far_ends_echo_is_taken_out_by_25_db_or_more(far):
    echo = room_echo(far)
    out = run(RoomSound(), far, echo)
    last = slice(5 * RATE, 8 * RATE)  # after it has found the echo path
    assert db(echo[last], out[last]) >= 25.0


def test_the_near_talker_passes(far):
    room = RoomSound()
    run(room, far, room_echo(far))  # it learns the room first
    near = voice(3.0, 210.0, seed=2)
    silence = np.zeros_like(near)
    out = run(room, silence, near)
    last = slice(1 * RATE, 3 * RATE)
    assert db(near[last], out[last]) <= 6.0  # the talker comes through (within 6 dB)


def test_without_a_reference_nothing_is_taken_out_of_a_talker():
    near = voice(3.0, 210.0, seed=3)
    out = run(RoomSound(), np.zeros_like(near), near)
    assert db(near[RATE:], out[RATE:]) <= 6.0


def test_the_near_talker_is_not_cut_while_the_far_end_talks(far):
    """Double talk: what a suspect says while the prosecutor talks must reach the recording
    (after the canceller's first second of it: ``pywebrtc-audio``'s AEC3 cut it by 32 dB)."""
    room = RoomSound()
    run(room, far, room_echo(far))
    both_far, near = voice(3.0, 120.0, seed=4), voice(3.0, 210.0, seed=5)
    echo = room_echo(both_far)
    out = run(room, both_far, echo + near)
    frames = [slice(i, i + 480) for i in range(0, len(out), 480)]
    talking = [f for f in frames[100:] if near[f].any() and db(near[f], echo[f]) >= 10]
    assert len(talking) > 10
    assert np.median([db(near[f], out[f]) for f in talking]) <= 6.0
