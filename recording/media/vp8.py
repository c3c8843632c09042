"""VP8, the compression a station's picture travels in: the encoder's settings, and what a
compressed frame says about itself (RFC 6386 section 9.1).

A station compresses its camera with an :class:`Encoder` (``session.rtc.shared_media``); the
recorder writes what it receives into each party's own file as it came, so a party file holds
the very bytes the party sent. :class:`PictureEncoder` compresses pictures the same way for
simulated parties (the clapper rig, tests).
"""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
from av.frame import Frame
from av.packet import Packet
from av.video.frame import PictureType, VideoFrame

from recording.media.yuv import video_frame

#: Bits per second of a station's picture: where aiortc's own encoder starts. More costs every
#: receiving process per packet (and the hub's recorder most) for little gain in a 640x480
#: picture of people at a table.
BITRATE = 500_000

_START_CODE = b"\x9d\x01\x2a"


def is_keyframe(data: bytes) -> bool:
    """Whether the compressed frame ``data`` can be decoded on its own (a key frame)."""
    return len(data) >= 10 and data[0] & 1 == 0 and data[3:6] == _START_CODE


def keyframe_size(data: bytes) -> tuple[int, int] | None:
    """The picture size a key frame announces, or None for any other frame."""
    if not is_keyframe(data):
        return None
    width = int.from_bytes(data[6:8], "little") & 0x3FFF
    height = int.from_bytes(data[8:10], "little") & 0x3FFF
    return width, height


class Encoder:
    """Real-time VP8 at a constant ``bitrate``, one packet out per picture in, key frames only
    when asked for. It follows its pictures' size: the first picture of a new size is a key
    frame. Packets carry their picture's pts and time base."""

    def __init__(self, bitrate: int = BITRATE) -> None:
        self._bitrate = bitrate
        self._codec: av.VideoCodecContext | None = None

    def encode(self, frame: Frame, key: bool) -> list[Packet]:
        """Compress the picture ``frame`` (a key frame if ``key``)."""
        assert isinstance(frame, VideoFrame)
        if frame.format.name != "yuv420p":
            frame = frame.reformat(format="yuv420p")
        pts, time_base = frame.pts, frame.time_base or Fraction(1, 90000)
        codec = self._codec
        if codec is None or (codec.width, codec.height) != (frame.width, frame.height):
            codec = self._codec = self._open(frame.width, frame.height, time_base)
            key = True
        frame.pict_type = PictureType.I if key else PictureType.NONE
        packets = codec.encode(frame)
        for packet in packets:  # one per frame: lag-in-frames is 0
            packet.pts, packet.time_base = pts, time_base
        return packets

    def _open(self, width: int, height: int, time_base: Fraction) -> av.VideoCodecContext:
        codec = av.CodecContext.create("libvpx", "w")
        codec.width, codec.height = width, height
        codec.pix_fmt = "yuv420p"
        codec.time_base = time_base
        codec.bit_rate = self._bitrate
        codec.gop_size = 3000  # key frames when a receiver asks, not on a timer
        codec.qmin, codec.qmax = 2, 56
        codec.thread_count = 1
        rate = str(self._bitrate)
        # The real-time settings aiortc's own VP8 encoder uses, constant bitrate, but without
        # its denoiser (noise sensitivity 4): 1.0-1.5 ms less a 640x480 picture, and on the test
        # pattern with camera grain (sigma 3 / 8) as close to the clean picture or closer
        # (PSNR 47.3 / 42.1 dB, with it 43.7 / 42.1).
        codec.options = {
            "bufsize": rate, "minrate": rate, "maxrate": rate, "cpu-used": "-6",
            "deadline": "realtime", "lag-in-frames": "0", "noise-sensitivity": "0",
            "overshoot-pct": "15", "undershoot-pct": "100", "partitions": "0",
            "static-thresh": "1",
        }  # fmt: skip
        return codec


class PictureEncoder:
    """Compresses one simulated party's I420 pictures, in capture order, as a station does
    (the first is a key frame, and no other)."""

    def __init__(self) -> None:
        self._encoder = Encoder()
        self._count = 0

    def encode(self, i420: np.ndarray) -> bytes:
        """The compressed frame of the I420 buffer ``i420``."""
        frame = video_frame(i420)
        frame.pts, frame.time_base = self._count, Fraction(1, 25)
        self._count += 1
        return b"".join(bytes(packet) for packet in self._encoder.encode(frame, key=False))
