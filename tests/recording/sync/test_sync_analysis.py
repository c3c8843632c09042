"""``pleadesk analyse-sync`` on recordings made by the recorder from clapper sources."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.cli.recording import register
from recording.recorder.recorder import CompositeRecorder, RecordingInfo
from recording.sync.analysis import SyncAnalysisError, analyse_files
from recording.sync.clapper_rig import ClapperRig, PartyTiming
from session.clock import FakeClock

pytestmark = pytest.mark.slow  # the composite with known skews takes seconds to make

ROLES = ("suspect", "prosecutor", "lawyer")
START = 500.5
SECONDS = 9.0
#: The known errors put into the capture times. (The simulated microphones are stamped with
#: up to 3 ms of callback jitter, which the sample clock takes seconds to smooth out.)
TIMINGS = {
    "suspect": PartyTiming(delay=0.08),
    # Its sound is stamped 30 ms late: the analysis must find +30 ms.
    "prosecutor": PartyTiming(audio_shift=0.030, delay=0.25),
    # Its pictures are stamped 80 ms late (two frames): -80 ms, and 80 ms behind the suspect.
    "lawyer": PartyTiming(video_shift=0.080, delay=0.12),
}


@dataclass(frozen=True)
class Made:
    info: RecordingInfo


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Made:
    path = tmp_path_factory.mktemp("sync") / "clapper.mkv"
    clock = FakeClock(START)
    recorder = CompositeRecorder(
        path, roles=ROLES, clock=clock, wall_epoch=1_795_000_000.0, label_font=None,
        threaded=False,
    )  # fmt: skip
    rig = ClapperRig(recorder, ROLES, TIMINGS, start=START)
    recorder.start()
    rig.run(clock, clock.advance, START + SECONDS, after_step=recorder.run_until)
    return Made(recorder.stop())


def by_role(report):
    return {p.role: p for p in report.parties}


def test_known_skews_are_found_in_the_composite(made):
    report = analyse_files([made.info.path])
    parties = by_role(report)
    assert set(parties) == set(ROLES)
    for party in parties.values():
        assert party.flashes == party.tones == 3  # one every third second
    assert parties["suspect"].skew.median_ms == pytest.approx(0.0, abs=3.5)
    assert parties["prosecutor"].skew.median_ms == pytest.approx(30.0, abs=3.5)
    assert parties["lawyer"].skew.median_ms == pytest.approx(-80.0, abs=3.5)
    # Against the suspect: the prosecutor's sound and the lawyer's picture are off.
    assert parties["prosecutor"].audio_cross.median_ms == pytest.approx(30.0, abs=3.5)
    assert parties["prosecutor"].video_cross.max_abs_ms <= 1.0
    assert parties["lawyer"].video_cross.median_ms == pytest.approx(80.0, abs=1.0)
    # The suspect's flashes sit on the whole session seconds.
    assert parties["suspect"].video_offset.max_abs_ms <= 1.0
    assert report.worst_ms() == pytest.approx(80.0, abs=3.5)


def test_each_partys_own_file_is_analysed_on_the_session_clock(made):
    report = analyse_files(list(made.info.party_files))
    parties = by_role(report)
    assert parties["prosecutor"].skew.median_ms == pytest.approx(30.0, abs=3.5)
    assert parties["lawyer"].skew.median_ms == pytest.approx(-80.0, abs=3.5)
    assert parties["lawyer"].video_offset.median_ms == pytest.approx(80.0, abs=1.0)
    assert parties["suspect"].skew.max_abs_ms <= 3.5


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pleadesk")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    return args.run(args)


def test_command_prints_a_table_and_json(made, capsys):
    assert run_cli("analyse-sync", str(made.info.path)) == 0
    text = capsys.readouterr().out
    assert "prosecutor" in text and "+30." in text and "worst p95: 8" in text
    assert run_cli("analyse-sync", "--json", str(made.info.path)) == 0
    data = json.loads(capsys.readouterr().out)
    skews = {p["role"]: p["skew"]["median_ms"] for p in data["parties"]}
    assert skews["prosecutor"] == pytest.approx(30.0, abs=3.5)


def test_command_fails_over_the_limit_and_on_bad_files(made, tmp_path, capsys):
    assert run_cli("analyse-sync", "--limit-ms", "20", str(made.info.path)) == 1
    assert "over the limit of 20 ms" in capsys.readouterr().err
    assert run_cli("analyse-sync", str(tmp_path / "nope.mkv")) == 2
    junk = tmp_path / "junk.mkv"
    junk.write_bytes(b"not a recording")
    assert run_cli("analyse-sync", str(junk)) == 2
    assert "cannot analyse" in capsys.readouterr().err


def test_an_empty_file_list_is_refused():
    with pytest.raises(SyncAnalysisError, match="no file"):
        analyse_files([])


def test_a_file_without_tags_is_analysed_as_one_party(made, tmp_path):
    import subprocess

    plain = tmp_path / "plain.mkv"
    source = next(p for p in made.info.party_files if ".prosecutor." in p.name)
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(source), "-map_metadata", "-1", "-c", "copy",
         str(plain)],
        check=True,
    )  # fmt: skip
    report = analyse_files([plain], party=1)
    (party,) = report.parties
    assert party.index == 1 and party.flashes == 3
    assert party.skew.median_ms == pytest.approx(30.0, abs=3.5)
    assert Path(party.file) == plain
