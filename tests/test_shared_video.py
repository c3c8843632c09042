"""One VP8 encoding of a station's camera for every peer: each peer gets a stream it can decode
from its first packet, a peer that stopped reading starts again at a key frame, and receivers'
key-frame requests are granted but not more often than ``KEYFRAME_GAP``."""

from __future__ import annotations

import asyncio
import fractions

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RTCP_PSFB_PLI, RtcpPsfbPacket
from av.packet import Packet
from av.video.frame import VideoFrame

from session import shared_video
from session.mesh import MediaMesh
from session.shared_video import KEYFRAME_GAP, WAITING_FRAMES, SharedVideoEncoder

SIZE = (160, 120)


class Camera(MediaStreamTrack):
    """A moving gradient, as fast as it is read, frame ``n`` at pts ``n * 3600``."""

    kind = "video"

    def __init__(self, frames: int = 1000) -> None:
        super().__init__()
        self.count, self._frames = 0, frames
        x = np.arange(SIZE[0], dtype=np.uint8)
        self._row = np.tile(x, (SIZE[1] * 3 // 2, 1))

    async def recv(self) -> VideoFrame:
        if self.count >= self._frames:
            self.stop()
            raise MediaStreamError
        await asyncio.sleep(0)
        frame = VideoFrame.from_ndarray(np.roll(self._row, self.count, axis=1), "yuv420p")
        frame.pts, frame.time_base = self.count * 3600, fractions.Fraction(1, 90000)
        self.count += 1
        return frame


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def take(track: MediaStreamTrack, count: int) -> list[Packet]:
    return [await asyncio.wait_for(track.recv(), 10) for _ in range(count)]


def decoded(packets: list[Packet]) -> int:
    """Pictures a fresh VP8 decoder makes of ``packets``; raises on a broken stream."""
    decoder = av.CodecContext.create("libvpx", "r")
    pictures = 0
    for packet in packets:
        pictures += len(decoder.decode(av.Packet(bytes(packet))))
    return pictures


async def test_every_peer_gets_the_same_encoding_decodable_from_its_first_packet():
    camera = Camera()
    encoder = SharedVideoEncoder(camera)
    first, second = encoder.subscribe(), encoder.subscribe()
    ours, theirs = await asyncio.gather(take(first, 20), take(second, 20))
    await encoder.close()
    assert ours[0].is_keyframe and theirs[0].is_keyframe
    assert [bytes(p) for p in ours] == [bytes(p) for p in theirs]  # compressed once
    assert camera.count < 30  # not once per peer
    assert decoded(ours) == 20
    assert [p.pts for p in ours] == [n * 3600 for n in range(20)]
    assert all(p.time_base == fractions.Fraction(1, 90000) for p in ours)


async def test_a_peer_joining_later_starts_at_a_key_frame():
    encoder = SharedVideoEncoder(Camera())
    early = encoder.subscribe()
    await take(early, 10)
    late = encoder.subscribe()
    joined = await take(late, 5)
    await encoder.close()
    assert joined[0].is_keyframe
    assert decoded(joined) == 5


async def test_a_peer_that_stopped_reading_starts_again_at_a_key_frame_asked_when_it_reads():
    clock = FakeClock()
    encoder = SharedVideoEncoder(Camera(), clock=clock)
    reading, paused = encoder.subscribe(), encoder.subscribe()
    await asyncio.gather(take(paused, 1), take(reading, 1))
    clock.now += 10 * KEYFRAME_GAP
    # A consultation: ``paused`` is not read while the other peer takes many frames.
    meanwhile = await take(reading, 5 * WAITING_FRAMES)
    assert sum(p.is_keyframe for p in meanwhile) == 0  # nobody asked for one meanwhile
    resumed = await take(paused, 3)
    await encoder.close()
    assert resumed[0].is_keyframe
    assert decoded(resumed) == 3


async def test_key_frame_requests_are_granted_at_most_once_per_gap():
    clock = FakeClock()
    encoder = SharedVideoEncoder(Camera(), clock=clock)
    track = encoder.subscribe()
    await take(track, 2)
    keys = []
    for _ in range(40):  # ask before every frame; the clock moves a tenth of the gap each
        track.request_keyframe()
        clock.now += KEYFRAME_GAP / 10
        keys.extend(p.is_keyframe for p in await take(track, 1))
    await encoder.close()
    assert 3 <= sum(keys) <= 5  # 4 s of asking at a gap of KEYFRAME_GAP: about 4


async def test_the_tracks_end_when_the_camera_does():
    encoder = SharedVideoEncoder(Camera(frames=3))
    track = encoder.subscribe()
    await take(track, 3)
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(track.recv(), 5)
    await encoder.close()


async def test_a_receivers_picture_loss_report_makes_the_next_frame_a_key_frame(monkeypatch):
    monkeypatch.setattr(shared_video, "KEYFRAME_GAP", 0.0)
    camera = Camera()
    mesh = MediaMesh("suspect", [camera], lambda *a: asyncio.sleep(0))
    pc: RTCPeerConnection = await mesh._open("lawyer")
    [(sender, outgoing)] = mesh._sending["lawyer"]
    [transceiver] = pc.getTransceivers()
    assert [c.mimeType for c in transceiver._preferred_codecs] == ["video/VP8", "video/rtx"]
    await take(outgoing, 3)
    await sender._handle_rtcp_packet(RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=1, media_ssrc=2))
    after = await take(outgoing, 3)
    await mesh.close()
    assert after[0].is_keyframe or after[1].is_keyframe  # one frame may be under way already
