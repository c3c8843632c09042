"""The recorder as evidence: the clock's grid, chapters, gaps, restarts, segments, party files."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import av
import numpy as np
import pytest
from test_recorder import decode_errors, ffprobe, last_packet_end, run_script

from recording.recorder.compositor import Layout
from recording.recorder.journal import Gap, journal_path, read_journal
from recording.recorder.recorder import CRASH_REASON, RESTART_REASON, CompositeRecorder
from recording.recorder.segments import SegmentPolicy
from recording.sync.clapper_rig import ClapperRig, PartyTiming
from session.clock import FakeClock

ROLES = ("suspect", "prosecutor", "lawyer")
WALL = 1_795_000_000.0


def recorder(path: Path, clock: FakeClock, **kwargs) -> CompositeRecorder:
    kwargs.setdefault("label_font", None)
    return CompositeRecorder(
        path, roles=kwargs.pop("roles", ROLES), clock=clock, wall_epoch=WALL, threaded=False,
        **kwargs,
    )  # fmt: skip


def record(rec: CompositeRecorder, clock: FakeClock, seconds: float, timings=None, **hooks):
    """Feed clapper media for ``seconds``; ``hooks`` maps a session time to a callable."""
    rig = ClapperRig(rec, rec._roles, timings, start=clock())
    pending = sorted(hooks.get("at", {}).items())

    def after(now: float) -> None:
        while pending and pending[0][0] <= now + 1e-9:
            pending.pop(0)[1]()
        rec.run_until(now)

    rig.run(clock, clock.advance, clock() + seconds, after_step=after)


def chapters(path: Path) -> list[tuple[str, float, float]]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [
        (c["tags"]["title"], float(c["start_time"]), float(c["end_time"]))
        for c in json.loads(out)["chapters"]
    ]


def frame_colours(path: Path, role: str, roles=ROLES) -> dict[int, np.ndarray]:
    """The colour near the left edge of ``role``'s area, by frame time in milliseconds."""
    area = dict(Layout.plan(roles, (1280, 720)).areas)[role]
    with av.open(str(path)) as container:
        return {
            round(float(f.time) * 1000): f.to_ndarray(format="bgr24")[
                area.y + area.h // 2, area.x + 20
            ].astype(int)
            for f in container.decode(video=0)
        }


def test_frames_lie_on_the_session_clocks_grid(tmp_path):
    clock = FakeClock(12.345)
    rec = recorder(tmp_path / "grid.mkv", clock, party_files=False)
    rec.start()
    assert rec.session_start == pytest.approx(12.36)  # the next whole multiple of 40 ms
    record(rec, clock, 2.0)
    info = rec.stop()
    tags = ffprobe(info.path)["format"]["tags"]
    assert float(tags["PLEADESK_SESSION_START"]) == pytest.approx(12.36)
    assert tags["PLEADESK_KIND"] == "composite"
    # A frame at whole session second 13: file time 0.64 is frame 16.
    with av.open(str(info.path)) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    assert times[16] == pytest.approx(13.0 - 12.36)


def test_steps_become_chapters_ffprobe_shows(tmp_path):
    clock = FakeClock(100.0)
    rec = recorder(
        tmp_path / "steps.mkv", clock, case_number="京朝检刑认〔2026〕1号", party_files=False
    )
    rec.start()
    rec.mark_step("宣布开始录音录像", 100.0)
    record(rec, clock, 3.0, at={101.2: lambda: rec.mark_step("告知权利义务")})
    info = rec.stop()
    assert chapters(info.path) == [
        ("宣布开始录音录像", 0.0, pytest.approx(1.2, abs=0.001)),
        ("告知权利义务", pytest.approx(1.2, abs=0.001), 3.0),
    ]
    assert [c.title for c in info.chapters] == ["宣布开始录音录像", "告知权利义务"]
    assert [c.title for c in read_journal(journal_path(info.path)).chapters] == [
        "宣布开始录音录像", "告知权利义务",
    ]  # fmt: skip
    assert ffprobe(info.path)["format"]["tags"]["PLEADESK_CASE"] == "京朝检刑认〔2026〕1号"


def test_a_dropped_party_leaves_a_gap_record_and_says_so_in_its_tile(tmp_path):
    clock = FakeClock(50.0)
    seen: list[Gap] = []
    rec = recorder(tmp_path / "drop.mkv", clock, on_gap=seen.append, party_files=False)
    rec.start()
    timings = {"lawyer": PartyTiming(absent=((51.0, 53.0),))}
    record(rec, clock, 4.0, timings)
    info = rec.stop()
    (gap,) = info.gaps
    assert (gap.role, gap.reason) == ("lawyer", "signal lost")
    assert gap.start == pytest.approx(50.96)  # its last picture
    assert gap.end == pytest.approx(53.0)  # its first picture back
    assert gap.wall_start == pytest.approx(WALL + 50.96)
    assert [g.end is None for g in seen] == [True, False]  # opened, then closed
    assert len(read_journal(journal_path(info.path)).gaps) == 1
    colours = frame_colours(info.path, "lawyer")
    lost_red = np.array([24, 24, 96])
    assert np.abs(colours[2000] - lost_red).max() <= 12  # at 52.0: the card
    assert np.abs(colours[520] - lost_red).max() > 30  # before: its picture
    assert np.abs(colours[3520] - lost_red).max() > 30  # after: back


def test_a_party_the_hub_saw_leave_is_marked_at_once_with_the_reason(tmp_path):
    clock = FakeClock(0.0)
    rec = recorder(tmp_path / "left.mkv", clock, party_files=False)
    rec.start()
    timings = {"prosecutor": PartyTiming(absent=((0.99, 9.0),))}
    record(rec, clock, 2.0, timings, at={1.0: lambda: rec.party_lost("prosecutor", "left", 1.0)})
    info = rec.stop()
    (gap,) = info.gaps
    assert (gap.role, gap.reason, gap.end) == ("prosecutor", "left", None)
    assert gap.start == pytest.approx(1.0)  # when the hub saw it go
    colours = frame_colours(info.path, "prosecutor")
    assert np.abs(colours[1040] - np.array([24, 24, 96])).max() <= 12  # at once


def test_a_restarted_recorder_continues_in_a_new_segment_and_records_the_gap(tmp_path):
    path = tmp_path / "session.mkv"
    clock = FakeClock(10.0)
    first = recorder(path, clock)
    first.start()
    first.mark_step("hearing")
    record(first, clock, 2.0)
    first.stop()
    clock.advance(5.0)  # nothing recorded for five seconds
    second = recorder(path, clock)
    second.start()
    record(second, clock, 2.0)
    info = second.stop()
    assert info.segments == (tmp_path / "session.001.mkv",)
    assert decode_errors(path) == "" and decode_errors(info.path) == ""
    gap = info.gaps[0]
    assert (gap.role, gap.reason) == ("recorder", RESTART_REASON)
    assert (gap.start, gap.end) == (pytest.approx(12.0), pytest.approx(17.0))
    # The step in progress goes on in the new segment.
    assert chapters(info.path) == [("hearing", 0.0, 2.0)]


KILLED_SCRIPT = """
    import sys, time
    from pathlib import Path
    import numpy as np
    from recording.recorder.recorder import CompositeRecorder

    origin = time.monotonic()
    def clock():
        return 100.0 + time.monotonic() - origin

    rec = CompositeRecorder(Path(sys.argv[1]), roles=["suspect"], clock=clock, wall_epoch=0.0,
                            label_font=None)
    rec.start()
    rec.mark_step("announced")
    picture = np.zeros((480, 640, 3), np.uint8)
    print("recording", flush=True)
    while True:
        t = clock()
        rec.push_video("suspect", picture, t)
        rec.push_audio("suspect", np.zeros(1920, np.int16), 48000, t)
        time.sleep(0.04)
"""


@pytest.mark.e2e
def test_after_a_crash_the_next_recorder_records_the_lost_time(tmp_path):
    path = tmp_path / "crash.mkv"
    child = run_script(KILLED_SCRIPT, str(path))
    assert child.stdout is not None and child.stdout.readline().strip() == "recording"
    time.sleep(2.0)
    child.kill()
    child.communicate(timeout=30)
    written = last_packet_end(path)
    contents = read_journal(journal_path(path))
    assert [c.title for c in contents.chapters] == ["announced"]  # kept although killed
    assert contents.closed_wall is None
    clock = FakeClock(130.0)  # the hub came back later (same wall clock: wall_epoch 0)
    rec = CompositeRecorder(
        path, roles=["suspect"], clock=clock, wall_epoch=0.0, label_font=None, threaded=False
    )
    rec.start()
    clock.advance(1.0)
    info = rec.stop()
    gap = info.gaps[0]
    assert (gap.role, gap.reason) == ("recorder", CRASH_REASON)
    assert gap.start == pytest.approx(contents.segments[0].start + written, abs=0.05)
    assert gap.end == pytest.approx(130.0)
    assert info.path.name == "crash.001.mkv"


@pytest.mark.slow
def test_segments_roll_over_by_length_and_each_plays(tmp_path):
    clock = FakeClock(20.0)
    rec = recorder(tmp_path / "long.mkv", clock, segment_policy=SegmentPolicy(max_seconds=2.0))
    rec.start()
    rec.mark_step("rights")
    record(rec, clock, 5.0, at={21.0: lambda: rec.mark_step("hearing")})
    info = rec.stop()
    names = [p.name for p in info.segments]
    assert names == ["long.mkv", "long.001.mkv", "long.002.mkv"]
    lengths = []
    for segment in info.segments:
        assert decode_errors(segment) == ""
        lengths.append(last_packet_end(segment))
    # Cut at whole session seconds: 2 + 2 + the rest.
    assert lengths[0] == pytest.approx(2.0, abs=0.05)
    assert sum(lengths) == pytest.approx(5.0, abs=0.1)
    assert chapters(info.segments[1]) == [("hearing", 0.0, pytest.approx(lengths[1], abs=0.05))]
    assert len(info.party_files) == 3 * len(ROLES)
    tags = [float(ffprobe(s)["format"]["tags"]["PLEADESK_SESSION_START"]) for s in info.segments]
    assert tags == [pytest.approx(20.0), pytest.approx(22.0), pytest.approx(24.0)]


def test_segments_roll_over_by_size(tmp_path):
    clock = FakeClock(0.0)
    policy = SegmentPolicy(max_bytes=150_000)
    rec = recorder(tmp_path / "big.mkv", clock, segment_policy=policy, party_files=False)
    rec.start()
    record(rec, clock, 4.0)
    info = rec.stop()
    assert len(info.segments) >= 2
    assert all(decode_errors(s) == "" for s in info.segments)


def test_each_partys_own_file_holds_its_pictures_at_their_capture_times(tmp_path):
    clock = FakeClock(7.0)
    rec = recorder(tmp_path / "own.mkv", clock)
    rec.start()
    record(rec, clock, 2.0, {"lawyer": PartyTiming(camera_phase=0.3, delay=0.2)})
    info = rec.stop()
    own = {p.name.split(".")[1]: p for p in info.party_files}
    assert set(own) == set(ROLES)
    for path in own.values():
        assert decode_errors(path) == ""
        probe = ffprobe(path)
        kinds = sorted(s["codec_type"] for s in probe["streams"])
        assert kinds == ["audio", "video"]
        assert probe["format"]["tags"]["PLEADESK_KIND"] == "party"
    with av.open(str(own["lawyer"])) as container:
        times = [float(f.time) for f in container.decode(video=0)]
    # Its camera runs 12 ms after the grid; its pictures keep that (millisecond timestamps).
    # The last 0.2 s had not arrived when the recording stopped.
    assert len(times) == 45
    assert all(abs((t - 0.012) * 25 - round((t - 0.012) * 25)) < 0.03 for t in times)


def test_the_picture_is_never_smaller_than_the_rules_allow(tmp_path):
    with pytest.raises(ValueError, match="at least 704x576"):
        recorder(tmp_path / "small.mkv", FakeClock(), size=(640, 480))


def test_the_room_camera_is_a_picture_in_picture(tmp_path):
    roles = ("suspect", "suspect_room", "prosecutor", "lawyer")
    layout = Layout.plan(roles, (1280, 720))
    assert layout.pip is not None and layout.pip[0] == "suspect_room"
    pip = layout.pip[1]
    main = layout.main
    assert main.x <= pip.x and pip.x + pip.w <= main.x + main.w
    assert pip.y + pip.h <= main.y + main.h and pip.w * 4 <= main.w + 8
    assert [role for role, _ in layout.tiles] == ["prosecutor", "lawyer"]
