"""The speaker: the parties' sound mixed, held in a small playout buffer, and handed on as
the echo canceller's reference. PortAudio's callback is driven by the test, block by block."""

from __future__ import annotations

import fractions

import numpy as np
import pytest
from av import AudioFrame

from recording.media.playout import BLOCK, DELAY, RATE, SLACK, Playout


class Speaker:
    """What PortAudio would be: started, stopped, and asked for blocks by the test."""

    def __init__(self, rate, block, device, callback) -> None:
        self.rate, self.block, self.device, self.callback = rate, block, device, callback
        self.started = self.closed = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def tone(hz: float, count: int, start: int = 0, rate: int = RATE, layout: str = "mono"):
    t = (start + np.arange(count)) / rate
    samples = (8000 * np.sin(2 * np.pi * hz * t)).astype(np.int16)
    if layout == "stereo":
        samples = np.repeat(samples, 2)
    frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout=layout)
    frame.sample_rate, frame.pts = rate, start
    frame.time_base = fractions.Fraction(1, rate)
    return frame


@pytest.fixture
def played():
    return []


@pytest.fixture
def speaker(played):
    made = []

    def factory(rate, block, device, callback):
        made.append(Speaker(rate, block, device, callback))
        return made[-1]

    playout = Playout(device="spk", output_factory=factory, on_played=played.append)
    playout.start()
    yield playout, made[0]
    playout.stop()
    assert made[0].closed


def pull(stream: Speaker, blocks: int) -> np.ndarray:
    out = []
    for _ in range(blocks):
        buffer = np.zeros((stream.block, 1), np.int16)
        stream.callback(buffer, stream.block, None, None)
        out.append(buffer[:, 0].copy())
    return np.concatenate(out)


def strength(samples: np.ndarray, hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    freqs = np.fft.rfftfreq(len(samples), 1 / RATE)
    return float(spectrum[np.argmin(np.abs(freqs - hz))])


def test_the_other_parties_are_mixed_on_the_speaker(speaker, played):
    playout, stream = speaker
    assert stream.started and stream.device == "spk"
    for n in range(10):  # 200 ms from each, in 20 ms frames
        playout.push("prosecutor", tone(440, 960, 960 * n))
        playout.push("lawyer", tone(1000, 960, 960 * n))
    out = pull(stream, 10)
    assert strength(out, 440) > 50 * strength(out, 700)
    assert strength(out, 1000) > 50 * strength(out, 700)
    assert np.array_equal(np.concatenate(played), out)  # the echo canceller's reference


def test_a_party_plays_once_its_delay_is_buffered_and_rebuffers_when_dry(speaker):
    playout, stream = speaker
    frames_for_delay = int(DELAY * RATE / 960)  # 20 ms frames
    for n in range(frames_for_delay - 1):
        playout.push("suspect", tone(440, 960, 960 * n))
    assert not pull(stream, 2).any()  # not yet: less than the delay is in
    playout.push("suspect", tone(440, 960, 960 * frames_for_delay))
    assert pull(stream, 1).any()
    pull(stream, 20)  # drains it
    playout.push("suspect", tone(440, 960))
    assert not pull(stream, 3).any()  # dry: silence until the delay is in again


def test_sound_running_ahead_is_cut_back_not_left_to_pile_up(speaker):
    playout, _ = speaker
    for n in range(100):  # 2 s arriving at once, nothing played
        playout.push("suspect", tone(440, 960, 960 * n))
    assert playout.waiting("suspect") <= DELAY + SLACK


def test_a_muted_party_is_not_heard(speaker):
    playout, stream = speaker
    playout.mute(frozenset({"prosecutor"}))
    for n in range(10):
        playout.push("prosecutor", tone(440, 960, 960 * n))
        playout.push("lawyer", tone(1000, 960, 960 * n))
    out = pull(stream, 10)
    assert strength(out, 1000) > 50 * strength(out, 440)


def test_other_rates_and_layouts_play_at_their_pitch(speaker):
    playout, stream = speaker
    for n in range(10):
        playout.push("suspect", tone(500, 320, 320 * n, rate=16_000, layout="stereo"))
    out = pull(stream, 10)
    assert strength(out, 500) > 50 * strength(out, 1500)


def test_loud_parties_together_clip_instead_of_wrapping_around(speaker):
    playout, stream = speaker
    loud = AudioFrame.from_ndarray(np.full((1, 960), 30000, np.int16), format="s16", layout="mono")
    loud.sample_rate, loud.pts, loud.time_base = RATE, 0, fractions.Fraction(1, RATE)
    for _ in range(5):
        playout.push("prosecutor", loud)
        playout.push("lawyer", loud)
    out = pull(stream, 2)
    assert out.min() >= 0 and out.max() == 32767
    assert stream.block == BLOCK
