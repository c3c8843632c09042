"""A party's own file: the pictures as the party sent them, at their capture times; its sound."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest

from recording.media import vp8
from recording.recorder.inbox import EncodedPicture
from recording.recorder.party_writer import PartyFiles, PartyWriter


def compressed(count: int, w: int = 640, h: int = 480) -> list[bytes]:
    """``count`` pictures of a brightening grey, compressed as a station does."""
    encoder = vp8.PictureEncoder()
    pictures = []
    for k in range(count):
        bgr = np.full((h, w, 3), 40 + 8 * k % 200, np.uint8)
        pictures.append(encoder.encode(cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)))
    return pictures


def packets_of(path) -> list[tuple[float, bytes, bool]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [
            (float(p.pts * p.time_base), bytes(p), p.is_keyframe)
            for p in container.demux(stream)
            if p.size
        ]


def test_the_file_holds_the_bytes_sent_at_their_capture_times(tmp_path):
    path = tmp_path / "own.mkv"
    writer = PartyWriter(path, "lawyer", start=10.0, metadata={"PLEADESK_ROLE": "lawyer"})
    files = PartyFiles({"lawyer": writer})
    data = compressed(5)
    times = [10.0, 10.033, 10.071, 10.069, 10.1]  # a stamp a little early: kept in order
    files.add_encoded("lawyer", [EncodedPicture(t, d) for t, d in zip(times, data, strict=True)])
    tone = (np.sin(np.arange(9600) * 2 * np.pi * 1000 / 48000) * 8000).astype(np.int16)
    files.write_audio({"lawyer": tone}, 0, 9600)
    files.write_audio({}, 9600, 4800)  # a party that sent nothing: silence
    files.close()
    with av.open(str(path)) as container:
        assert container.metadata["PLEADESK_ROLE"] == "lawyer"
        assert container.streams.video[0].codec_context.name == "vp8"
        grey = [int(f.to_ndarray(format="gray")[240, 320]) for f in container.decode(video=0)]
    written = packets_of(path)
    assert [d for _, d, _ in written] == data  # not decoded, not compressed again
    assert [t for t, _, _ in written] == pytest.approx([0.0, 0.033, 0.071, 0.072, 0.1])
    assert [k for _, _, k in written] == [True, False, False, False, False]
    assert len(grey) == 5 and abs(grey[-1] - 72) <= 6  # decodable, the last the brightest
    with av.open(str(path)) as container:
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    assert len(audio) == pytest.approx(14400, abs=1100)
    assert np.abs(audio[2000:8000]).max() > 0.2  # the tone, then silence
    assert np.abs(audio[-3000:]).max() < 0.01


def suspects_file(path, asked: list[str]) -> PartyFiles:
    """The suspect's own file at ``path``, noting in ``asked`` each request for a key frame."""
    return PartyFiles(
        {"suspect": PartyWriter(path, "suspect", start=0.0)}, ask_keyframe=asked.append
    )


def test_the_file_begins_at_a_key_frame_after_its_zero_and_asks_once_a_second(tmp_path):
    path = tmp_path / "own.mkv"
    asked: list[str] = []
    files = suspects_file(path, asked)
    stream = compressed(40)
    early = [EncodedPicture(-0.04, stream[0])]  # a key frame taken before the file's zero
    late = [EncodedPicture(k * 0.04, d) for k, d in enumerate(stream[1:30], 1)]
    files.add_encoded("suspect", early + late)
    # 1.2 s of pictures that cannot start the file: asked at the first and a second later.
    assert asked == ["suspect", "suspect"]
    files.add_encoded("suspect", [EncodedPicture(1.25, compressed(1)[0])])  # the key frame
    files.close()
    written = packets_of(path)
    assert len(written) == 1 and written[0][2] and written[0][0] == pytest.approx(1.25)


def test_after_a_loss_the_file_waits_for_the_next_key_frame(tmp_path):
    path = tmp_path / "own.mkv"
    asked: list[str] = []
    files = suspects_file(path, asked)
    first, second = compressed(4), compressed(3)
    files.add_encoded("suspect", [EncodedPicture(k * 0.04, d) for k, d in enumerate(first[:2])])
    # The buffer overflowed: pictures 2 and 3 are gone, the next one says so.
    files.add_encoded("suspect", [EncodedPicture(0.5, first[3], after_loss=True)])
    files.add_encoded("suspect", [EncodedPicture(0.6 + k * 0.04, d) for k, d in enumerate(second)])
    files.close()
    assert asked == ["suspect"]
    written = packets_of(path)
    assert [t for t, _, _ in written] == pytest.approx([0.0, 0.04, 0.6, 0.64, 0.68])
    with av.open(str(path)) as container:
        assert len(list(container.decode(video=0))) == 5
