"""A party's own file: its pictures at their capture times, its sound, whatever size it sends."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from recording.inbox import Picture
from recording.party_writer import PartyFiles, PartyWriter


def grey(value: int, w: int = 640, h: int = 480) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


@pytest.mark.parametrize("threaded", [False, True])
def test_pictures_keep_their_times_and_late_ones_are_skipped(tmp_path, threaded):
    path = tmp_path / "own.mkv"
    writer = PartyWriter(path, "lawyer", start=10.0, metadata={"PLEADESK_ROLE": "lawyer"})
    files = PartyFiles({"lawyer": writer}, threaded=threaded)
    times = [10.0, 10.033, 10.071, 10.05, 10.1]  # 10.05 arrives after 10.071: out of order
    pictures = [Picture(t, grey(40 + 40 * k)) for k, t in enumerate(times)]
    pictures[2] = Picture(10.071, cv2.cvtColor(grey(120, 320, 240), cv2.COLOR_BGR2YUV_I420))
    files.add_pictures("lawyer", pictures)
    tone = (np.sin(np.arange(9600) * 2 * np.pi * 1000 / 48000) * 8000).astype(np.int16)
    files.write_audio({"lawyer": tone}, 0, 9600)
    files.write_audio({}, 9600, 4800)  # a party that sent nothing: silence
    files.close()
    with av.open(str(path)) as container:
        assert container.metadata["PLEADESK_ROLE"] == "lawyer"
        frames = [(float(f.time), f.to_ndarray(format="gray")) for f in container.decode(video=0)]
    assert [t for t, _ in frames] == pytest.approx([0.0, 0.033, 0.071, 0.1], abs=0.0011)
    small = frames[2][1]  # a 320x240 picture, scaled into the file's 640x480
    assert small.shape == (480, 640) and abs(int(small[240, 320]) - 120) <= 6
    with av.open(str(path)) as container:
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    assert len(audio) == pytest.approx(14400, abs=1100)
    assert np.abs(audio[2000:8000]).max() > 0.2  # the tone, then silence
    assert np.abs(audio[-3000:]).max() < 0.01


def test_a_failure_stops_the_party_files_and_is_reported(tmp_path):
    writer = PartyWriter(tmp_path / "own.mkv", "suspect", start=0.0)
    files = PartyFiles({"suspect": writer}, threaded=True)
    # A picture that is not one fails on the party files' thread ...
    files.add_pictures("suspect", [Picture(0.0, None)])  # type: ignore[arg-type]
    files.add_pictures("suspect", [Picture(0.04, grey(50))])  # ... what follows is not written
    with pytest.raises(AttributeError):
        files.close()
    assert isinstance(files.error, AttributeError)
    with pytest.raises(AttributeError):
        files.check()
