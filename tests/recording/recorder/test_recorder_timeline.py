"""The order in which frames and audio blocks are written, and where segments are cut."""

from __future__ import annotations

import pytest

from recording.recorder.timeline import AAC_FRAME, Timeline


def drain(timeline: Timeline, horizon_v: float, horizon_a: float, *, final: bool = False):
    actions = []
    while True:
        action, count = timeline.next(horizon_v, horizon_a, final=final)
        if action == "wait":
            return actions
        actions.append((action, count))
        if action == "video":
            timeline.wrote_video()
        elif action == "audio":
            timeline.wrote_audio(count)
        else:
            timeline.rolled()


def test_frames_sit_on_the_grid_for_hours():
    timeline = Timeline(n0=3, fps=25, rate=48_000)
    assert timeline.start == pytest.approx(0.12)
    frame = 2 * 3600 * 25 - 3  # two hours of session time
    assert timeline.frame_time(frame) == 7200.0  # exactly, not accumulated
    assert timeline.sample_of_frame(frame) == frame * 1920


def test_video_and_audio_are_written_in_time_order_up_to_what_has_arrived():
    timeline = Timeline(n0=0, fps=25, rate=48_000)
    actions = drain(timeline, horizon_v=0.1, horizon_a=0.05)
    # Frames at 0, 0.04, 0.08; audio in whole AAC frames up to 0.05 s (2400 samples: two),
    # each frame after the sound before its instant.
    assert [a for a, _ in actions] == ["video", "audio", "audio", "video", "video"]
    assert timeline.samples == 2 * AAC_FRAME
    assert drain(timeline, 0.1, 0.05) == []  # nothing new arrived: nothing more to write
    drain(timeline, 0.1, 0.2, final=True)
    assert timeline.frames == 3  # the frame at 0.1 is not before the end
    assert timeline.samples == 9600  # the sound up to its end at 0.2 s, the last block short


def test_a_segment_ends_exactly_at_its_frame_with_the_sound_up_to_it():
    timeline = Timeline(n0=0, fps=25, rate=48_000)
    drain(timeline, 0.5, 0.5)
    written = timeline.samples
    timeline.roll_at = 25  # end the segment at 1.0 s
    actions = drain(timeline, 1.5, 1.5)
    roll = actions.index(("roll", 0))
    before = actions[:roll]
    assert written + sum(c for a, c in before if a == "audio") == 48_000  # exactly to 1.0 s
    assert before[-1][0] == "audio" and before[-1][1] < AAC_FRAME  # a short last block
    assert sum(1 for a, _ in before if a == "video") + 13 == 25  # frames 13-24 before it
    assert timeline.frames >= 25 and timeline.roll_at is None


def test_the_sound_up_to_a_segment_end_is_waited_for():
    timeline = Timeline(n0=0, fps=25, rate=48_000)
    timeline.roll_at = 2
    assert drain(timeline, 1.0, 0.01)[-1] == ("video", 1)
    assert timeline.frames == 2  # frame 2 waits: the sound before it has not arrived
    actions = drain(timeline, 1.0, 1.0)
    roll = actions.index(("roll", 0))
    assert [c for _, c in actions[:roll]] == [1024, 1024, 1024, 768]  # to 0.08 s exactly


def test_the_audio_rate_must_fit_the_frame_rate():
    with pytest.raises(ValueError, match="multiple of fps"):
        Timeline(0, 30, 44_100 + 1)
