"""The clapper protocol and the synthetic tracks that follow it on the session clock."""

from __future__ import annotations

import numpy as np
import pytest

from recording.media import clapper
from recording.media.synthetic import AUDIO_RATE, SyntheticAudioTrack, SyntheticVideoTrack
from session.clock import FakeClock


def fake_sleep(clock: FakeClock):
    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    return sleep


def level(samples: np.ndarray, freq: float) -> float:
    """Amplitude of the ``freq`` component of ``samples`` (48 kHz)."""
    t = np.arange(len(samples)) / AUDIO_RATE
    return float(2 * np.abs(np.mean(samples * np.exp(-2j * np.pi * freq * t))))


def test_each_party_signals_every_third_second_at_its_own_pitch():
    assert [clapper.party_index(r) for r in ("suspect", "prosecutor", "lawyer")] == [0, 1, 2]
    assert clapper.party_index("interpreter", ["suspect", "guardian", "interpreter"]) == 4
    assert [clapper.tone_frequency(k) for k in range(4)] == [800, 1200, 1600, 2000]
    assert clapper.event_times(1, 0.5, 10.0) == [1, 4, 7]
    assert clapper.event_times(3, 0.0, 7.0) == [0, 3, 6]  # party 3 shares the suspect's seconds
    assert clapper.flash_at(2, 5.0) and clapper.flash_at(2, 5.039)
    assert not clapper.flash_at(2, 5.041) and not clapper.flash_at(2, 4.99)
    assert not clapper.flash_at(0, 5.0)


def test_rendered_sound_holds_the_tone_only_in_its_40_ms():
    rate = AUDIO_RATE
    second = clapper.render_audio(1, 4 * rate, rate, rate, seed=1)  # session second 4
    tone = second[: int(0.04 * rate)]
    rest = second[int(0.05 * rate) :]
    assert level(tone.astype(float), 1200) > 7000
    assert level(rest.astype(float), 1200) < 20 and np.abs(rest).max() < 400
    # Chunks rendered separately join up to the same samples.
    joined = np.concatenate(
        [clapper.render_audio(1, 4 * rate + k * 960, 960, rate, seed=1) for k in range(3)]
    )
    assert level(joined[:1920].astype(float), 1200) == pytest.approx(
        level(second[:1920].astype(float), 1200), rel=0.02
    )


async def test_synthetic_video_flashes_at_whole_session_seconds():
    clock = FakeClock(6.913)  # a station joining at an odd moment
    track = SyntheticVideoTrack("lawyer", clapper=True, session_time=clock, sleep=fake_sleep(clock))
    seen = []
    for _ in range(60):
        frame = await track.recv()
        t = track.capture_time(frame.pts)
        luma = frame.to_ndarray()[: frame.height].mean()
        seen.append((t, luma))
    times = [t for t, _ in seen]
    assert times[0] == pytest.approx(6.92)  # the next instant on the 40 ms grid
    assert np.allclose(np.diff(times), 0.04)
    white = [t for t, luma in seen if luma > 200]
    assert white == [pytest.approx(8.0)]  # 8 mod 3 == 2: the lawyer's second, one frame
    assert max(luma for t, luma in seen if t != white[0]) < 100  # dark otherwise
    assert clock() >= times[-1]  # paced: never handed out before its time


async def test_synthetic_audio_beeps_at_whole_session_seconds():
    clock = FakeClock(2.51)
    track = SyntheticAudioTrack(
        "prosecutor", clapper=True, session_time=clock, sleep=fake_sleep(clock)
    )
    chunks = []
    for _ in range(100):
        frame = await track.recv()
        chunks.append((track.capture_time(frame.pts), frame.to_ndarray().reshape(-1)))
    starts = [t for t, _ in chunks]
    assert starts[0] == pytest.approx(2.52)
    assert np.allclose(np.diff(starts), 0.02)
    loud = [t for t, samples in chunks if level(samples.astype(float), 1200) > 3000]
    assert loud == [pytest.approx(4.0), pytest.approx(4.02)]  # 40 ms from second 4


async def test_two_stations_starting_apart_flash_together():
    late = FakeClock(30.37)
    early = FakeClock(29.05)
    tracks = [
        SyntheticVideoTrack("suspect", clapper=True, session_time=c, sleep=fake_sleep(c))
        for c in (late, early)
    ]
    flashes = []
    for track in tracks:
        found = []
        for _ in range(120):
            frame = await track.recv()
            if frame.to_ndarray()[: frame.height].mean() > 200:
                found.append(round(track.capture_time(frame.pts), 6))
        flashes.append(found)
    assert 33.0 in flashes[0] and 33.0 in flashes[1]


async def test_without_the_clapper_the_tracks_keep_their_old_picture_and_sound():
    clock = FakeClock(0.0)
    video = SyntheticVideoTrack("suspect", clock=clock, sleep=fake_sleep(clock))
    frames = [await video.recv() for _ in range(30)]
    assert max(f.to_ndarray()[:480].mean() for f in frames) < 100  # never a white flash
    assert frames[1].pts - frames[0].pts == 90_000 // 25
