"""The capture time drawn into synthetic pictures, read back after a real video codec.

Latency is measured from this timecode, so it must come through the codecs the mesh uses
(VP8 as aiortc negotiates it by default, H.264 as the alternative) at the low bitrates their
congestion control starts from, and a damaged code must read as None, never as another time.
"""

from __future__ import annotations

import fractions

import av
import cv2
import numpy as np
import pytest
from av import VideoFrame

from recording.media.synthetic import (
    TIMECODE_COLUMNS,
    TIMECODE_TICK,
    SyntheticVideoTrack,
    _name_mask,
    read_timecode,
)
from session.clock import FakeClock

#: Capture times of the frames pushed through the codec: a 25 fps run at an odd moment.
START = 81_234.5678


def fake_sleep(clock: FakeClock):
    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    return sleep


def encoder(codec: str, bitrate: int) -> av.VideoCodecContext:
    """An encoder set up as aiortc sets it up (``aiortc.codecs.vpx`` / ``.h264``)."""
    context = av.CodecContext.create(codec, "w")
    assert isinstance(context, av.VideoCodecContext)
    context.width, context.height, context.pix_fmt = 640, 480, "yuv420p"
    context.bit_rate = bitrate
    context.time_base = fractions.Fraction(1, 25)
    context.framerate = fractions.Fraction(25, 1)
    if codec == "libvpx":
        context.gop_size = 3000
        context.qmin, context.qmax = 2, 56
        context.options = {"deadline": "realtime", "cpu-used": "-6", "lag-in-frames": "0",
                           "minrate": str(bitrate), "maxrate": str(bitrate),
                           "bufsize": str(bitrate), "static-thresh": "1"}  # fmt: skip
    else:
        context.options = {"tune": "zerolatency", "level": "31"}
        context.profile = "Baseline"
    return context


def yuv_frame(picture: np.ndarray, index: int) -> VideoFrame:
    yuv: np.ndarray = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV_I420)
    frame = VideoFrame.from_ndarray(yuv, format="yuv420p")
    frame.pts, frame.time_base = index, fractions.Fraction(1, 25)
    return frame


@pytest.mark.parametrize(
    ("codec", "decoder_name", "bitrate"),
    [("libvpx", "libvpx", 250_000), ("libx264", "h264", 500_000)],  # aiortc's minimum rates
)
def test_every_frame_reads_its_capture_time_after_a_codec_at_its_lowest_bitrate(
    codec, decoder_name, bitrate
):
    track = SyntheticVideoTrack("suspect", clapper=True)  # flashes included: frames 0 and 75
    times = [START + i / 25 for i in range(80)]
    context = encoder(codec, bitrate)
    packets = []
    for index, t in enumerate(times):
        packets += context.encode(yuv_frame(track.render(index, timecode=t), index))
    packets += context.encode(None)
    decoder = av.CodecContext.create(decoder_name, "r")
    decoded = [frame for packet in packets for frame in decoder.decode(packet)]
    assert len(decoded) == len(times)
    read = [read_timecode(frame) for frame in decoded]
    assert read == pytest.approx(times, abs=TIMECODE_TICK / 2)


async def test_a_sent_frame_carries_the_timecode_clock_at_its_capture():
    session, machine = FakeClock(12.3), FakeClock(5_000.0)

    async def sleep(seconds: float) -> None:  # both clocks move together, as real ones do
        session.advance(seconds)
        machine.advance(seconds)

    track = SyntheticVideoTrack("lawyer", session_time=session, sleep=sleep, timecode_clock=machine)
    for _ in range(5):
        frame = await track.recv()
        assert read_timecode(frame) == pytest.approx(machine(), abs=TIMECODE_TICK / 2)


def test_the_timecode_leaves_the_role_name_and_the_picture_below_it_alone():
    track = SyntheticVideoTrack("prosecutor")
    plain, coded = track.render(7), track.render(7, timecode=START)
    changed_rows = np.flatnonzero((plain != coded).any(axis=(1, 2)))
    assert changed_rows.max() < 32  # the top 32 of 480 lines
    assert np.flatnonzero(_name_mask("prosecutor", (640, 480)).any(axis=1)).min() > 100
    assert read_timecode(plain) is None  # a picture with no code reads as none


def test_a_scaled_picture_still_reads():
    picture = SyntheticVideoTrack("suspect").render(3, timecode=START)
    for size in ((320, 240), (427, 320), (1280, 720)):
        scaled = cv2.resize(picture, size, interpolation=cv2.INTER_AREA)
        assert read_timecode(scaled) == pytest.approx(START, abs=TIMECODE_TICK / 2)


def cell(picture: np.ndarray, row: int, column: int) -> np.ndarray:
    width = picture.shape[1] // TIMECODE_COLUMNS
    return picture[row * 16 : (row + 1) * 16, column * width : (column + 1) * width]


@pytest.mark.parametrize("column", [0, 5, 31])
def test_one_wrong_cell_reads_as_none(column):
    picture = SyntheticVideoTrack("suspect").render(0, timecode=START)
    for row in (0, 1):
        damaged = picture.copy()
        flipped = cell(damaged, row, column)
        flipped[:] = 255 - flipped
        assert read_timecode(damaged) is None


def test_a_smeared_cell_reads_as_none_not_as_a_guess():
    picture = SyntheticVideoTrack("suspect").render(0, timecode=START)
    cell(picture, 1, 9)[:] = 128
    assert read_timecode(picture) is None


def test_random_codes_are_never_taken_for_a_time():
    """Strips of random well-formed cells: the check rejects them (a chance of 1 in 65,536 per
    strip; the seed is fixed, so this is deterministic)."""
    rng = np.random.default_rng(7)
    picture = SyntheticVideoTrack("suspect").render(0)
    accepted = 0
    for _ in range(500):
        cells = rng.integers(0, 2, (2, TIMECODE_COLUMNS), dtype=np.uint8) * np.uint8(255)
        strip = cv2.resize(cells, (640, 32), interpolation=cv2.INTER_NEAREST)
        picture[:32] = strip[..., None]
        accepted += read_timecode(picture) is not None
    assert accepted == 0
    assert read_timecode(np.zeros((480, 640), np.uint8)) is None
    assert read_timecode(np.full((480, 640), 255, np.uint8)) is None
