"""A video receiver's buffer passes a picture on as soon as it is whole: its last packet marked,
none missing; a picture with a packet still missing waits for it."""

from __future__ import annotations

from aiortc.rtp import RtpPacket

from session.rtc.aiortc_internals import PictureBuffer

PICTURE_TICKS = 3600  # 40 ms at 90 kHz


def packet(sequence: int, picture: int, data: bytes, last: bool) -> RtpPacket:
    """A packet of ``picture``, as aiortc's receiver has it after taking off the VP8 header."""
    rtp = RtpPacket(sequence_number=sequence, timestamp=picture * PICTURE_TICKS, marker=int(last))
    rtp._data = data  # type: ignore[attr-defined]
    return rtp


def pictures_of(buffer: PictureBuffer, packets: list[RtpPacket]) -> list[tuple[int, bytes] | None]:
    """What the buffer gives out after each packet: (picture, data) or None."""
    out: list[tuple[int, bytes] | None] = []
    for rtp in packets:
        _, frame = buffer.add(rtp)
        out.append(None if frame is None else (frame.timestamp // PICTURE_TICKS, frame.data))
    return out


def test_a_picture_is_passed_on_with_its_last_packet_not_the_next_pictures_first():
    seen: list[tuple[bytes, float]] = []
    buffer = PictureBuffer(lambda data, media_time: seen.append((data, media_time)))
    out = pictures_of(buffer, [
        packet(10, 0, b"a1", False), packet(11, 0, b"a2", True),
        packet(12, 1, b"b1", True),
        packet(13, 2, b"c1", False), packet(14, 2, b"c2", False), packet(15, 2, b"c3", True),
    ])  # fmt: skip
    assert out == [None, (0, b"a1a2"), (1, b"b1"), None, None, (2, b"c1c2c3")]
    assert seen == [(b"a1a2", 0.0), (b"b1", 0.04), (b"c1c2c3", 0.08)]


def test_a_picture_with_a_packet_missing_waits_for_it():
    buffer = PictureBuffer(None)
    out = pictures_of(buffer, [
        packet(20, 0, b"a1", True),
        packet(21, 1, b"b1", False), packet(23, 1, b"b3", True),  # b2 is late
        packet(24, 2, b"c1", True),
        packet(22, 1, b"b2", False),  # a retransmission brings it
        packet(25, 3, b"d1", True),
    ])  # fmt: skip
    assert out == [(0, b"a1"), None, None, None, (1, b"b1b2b3"), (2, b"c1")]
    # One picture comes out per packet added: the one held back follows with the next.
    assert pictures_of(buffer, [packet(26, 4, b"e1", True)]) == [(3, b"d1")]


def test_a_picture_whose_end_is_not_marked_is_passed_on_when_the_next_begins():
    buffer = PictureBuffer(None)
    out = pictures_of(buffer, [
        packet(30, 0, b"a1", False), packet(31, 0, b"a2", False),
        packet(32, 1, b"b1", False),
    ])  # fmt: skip
    assert out == [None, None, (0, b"a1a2")]
