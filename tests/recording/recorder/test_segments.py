"""Segment names and limits, and the journal that survives a crash."""

from __future__ import annotations

import pytest

from recording.recorder.journal import Chapter, Gap, Journal, journal_path, read_journal
from recording.recorder.segment_writer import segment_chapters
from recording.recorder.segments import SegmentPolicy, next_segment_index, party_path, segment_path


def test_segments_are_numbered_beside_the_first(tmp_path):
    base = tmp_path / "s1.mkv"
    assert segment_path(base, 0) == base
    assert segment_path(base, 12) == tmp_path / "s1.012.mkv"
    assert party_path(segment_path(base, 1), "lawyer") == tmp_path / "s1.001.lawyer.mkv"
    assert journal_path(base) == tmp_path / "s1.journal.jsonl"


def test_the_next_segment_never_takes_an_existing_name(tmp_path):
    base = tmp_path / "s1.mkv"
    assert next_segment_index(base, ["suspect"]) == 0
    base.write_bytes(b"x")
    assert next_segment_index(base, ["suspect"]) == 1
    party_path(segment_path(base, 1), "suspect").write_bytes(b"x")  # a stray party file
    assert next_segment_index(base, ["suspect"]) == 2
    assert next_segment_index(base, ["suspect"], known=[0, 1, 2, 3]) == 4


def test_segments_stay_under_the_disc_limit():
    policy = SegmentPolicy()
    assert policy.max_bytes <= 1 << 30
    assert policy.full(1 << 30, 10.0) and policy.full(10, 3600.0)
    assert not policy.full((1 << 30) - 1, 3599.0)
    with pytest.raises(ValueError, match="under 4 GiB"):
        SegmentPolicy(max_bytes=4 << 30)


def test_a_step_in_progress_opens_the_next_segment():
    steps = [Chapter("rights", 10.0, 0.0), Chapter("hearing", 25.0, 0.0)]
    assert segment_chapters(steps, 20.0, 30.0) == [("rights", 0.0, 5.0), ("hearing", 5.0, 10.0)]
    assert segment_chapters(steps, 0.0, 10.0) == []
    assert segment_chapters(steps, 30.0, 40.0) == [("hearing", 0.0, 10.0)]


def test_the_journal_reads_back_and_skips_a_torn_last_line(tmp_path, caplog):
    path = tmp_path / "s.journal.jsonl"
    journal = Journal(path)
    journal.write("segment", index=0, path="s.mkv", start=1.0, wall_start=101.0)
    journal.chapter(Chapter("宣布开始", 1.5, 101.5))
    gap = Gap("lawyer", "signal lost", 2.0, None, 102.0, None)
    journal.gap(gap)
    journal.gap(Gap("lawyer", "signal lost", 2.0, 3.0, 102.0, 103.0))
    with path.open("a") as file:
        file.write('{"event": "chap')  # the machine lost power mid-line
    contents = read_journal(path)
    assert [s.path for s in contents.segments] == ["s.mkv"]
    assert contents.chapters == (Chapter("宣布开始", 1.5, 101.5),)
    assert contents.gaps == (Gap("lawyer", "signal lost", 2.0, 3.0, 102.0, 103.0),)
    assert contents.closed_wall is None  # no clean close: a crash
    assert "unreadable" in caplog.text
    assert "宣布开始" in path.read_text(encoding="utf-8")  # readable by people too
