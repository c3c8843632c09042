"""No drift over long sessions: two hours in compressed time."""

from __future__ import annotations

import numpy as np
import pytest

from recording.media.sample_clock import SampleClock
from recording.recorder.mixer import AudioMixer
from recording.recorder.recorder import CompositeRecorder
from recording.sync.analysis import analyse_files
from recording.sync.clapper_rig import ClapperRig, PartyTiming
from session.clock import FakeClock

RATE = 48_000


@pytest.mark.parametrize("ppm", [+150.0, -150.0])
def test_a_drifting_microphone_stays_in_place_in_the_mix_for_two_hours(ppm):
    """Stamped by its sample clock, mixed by timestamp: where its sound lands stays within a
    few milliseconds of when it was captured, though its clock runs 0.86 s off in two hours."""
    block = 19_200  # 400 ms, so that two hours take 18,000 steps
    stamps = SampleClock(RATE)
    mixer = AudioMixer(RATE)
    true_rate = RATE * (1 + ppm * 1e-6)
    rng = np.random.default_rng(5)
    samples = np.zeros(block, np.int16)
    errors = []
    for k in range(18_000):
        first_true = k * block / true_rate  # session time of the block's first sample
        done = (k + 1) * block / true_rate
        t = stamps.stamp(block, done + rng.uniform(0, 0.004))
        mixer.add("suspect", samples, RATE, round(t * RATE))
        laid = mixer.next_start("suspect") - block
        errors.append(laid / RATE - first_true)
        mixer.take(max(0, laid - mixer.position))
    settled = np.abs(errors[75:])  # after the first half minute
    assert settled.max() < 0.005
    assert np.abs(errors[-150:]).max() < 0.005  # the last minute of the second hour
    assert mixer.stretched > 0  # it had to follow the microphone's clock
    assert mixer.late_samples == 0


def test_two_hours_in_the_recording_is_as_exact_as_at_the_start(tmp_path):
    """Session times near two hours (float precision, the frame grid) keep the sync."""
    start = 7200.0 - 0.013
    clock = FakeClock(start)
    path = tmp_path / "late.mkv"
    recorder = CompositeRecorder(
        path, roles=("suspect", "prosecutor", "lawyer"), clock=clock, wall_epoch=1.795e9,
        label_font=None, threaded=False, party_files=False,
    )  # fmt: skip
    timings = {"lawyer": PartyTiming(audio_ppm=150.0), "prosecutor": PartyTiming(delay=0.3)}
    rig = ClapperRig(
        recorder, ("suspect", "prosecutor", "lawyer"), timings, start=start, compressed=False
    )
    recorder.start()
    assert recorder.session_start * 25 == pytest.approx(round(recorder.session_start * 25))
    rig.run(clock, clock.advance, start + 4.0, after_step=recorder.run_until)
    recorder.stop()
    report = analyse_files([path])
    for party in report.parties:
        assert party.flashes >= 1, party.role
        assert party.skew.max_abs_ms <= 4.0, party.role
        assert party.video_offset.max_abs_ms <= 0.5, party.role  # on whole session seconds


@pytest.mark.slow
def test_sound_of_drifting_microphones_is_never_cut(tmp_path):
    """Chunks laid a little behind their timestamps must not find their place written."""
    roles = ("suspect", "prosecutor", "lawyer")
    clock = FakeClock(30.0)
    recorder = CompositeRecorder(
        tmp_path / "cut.mkv", roles=roles, clock=clock, wall_epoch=0.0, label_font=None,
        threaded=False, party_files=False, size=(704, 576), preset="ultrafast",
    )  # fmt: skip
    timings = {
        "suspect": PartyTiming(delay=0.0, audio_ppm=80.0),
        "prosecutor": PartyTiming(delay=0.0, audio_ppm=-150.0, camera_phase=0.1),
        "lawyer": PartyTiming(delay=0.0, audio_ppm=120.0),
    }
    rig = ClapperRig(recorder, roles, timings, start=30.0, compressed=False)
    recorder.start()
    rig.run(clock, clock.advance, 50.0, after_step=recorder.run_until)
    info = recorder.stop()
    assert info.late_audio_samples == 0
