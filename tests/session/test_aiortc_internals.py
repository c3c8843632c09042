"""The one module that reaches into aiortc's and aioice's internals finds every one of them on
the installed versions, names the one an upgrade took away or changed, and really puts its
buffer in the path of aiortc's receiver."""

from __future__ import annotations

import asyncio
import fractions

import aioice.ice
import aioice.turn
import numpy as np
import pytest
from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer
from aiortc.mediastreams import MediaStreamTrack
from aiortc.rtcrtpreceiver import RemoteStreamTrack
from av.video.frame import VideoFrame

from session.rtc.aiortc_internals import (
    PictureBuffer,
    check_internals,
    on_keyframe_request,
    replace_receiver_buffer,
)
from session.rtc.network import DIRECT, recover_video_quickly, restrict_media_addresses


class Transport:
    """As much of a DTLS transport as a receiver needs to be made."""

    state = "new"


class SmallCamera(MediaStreamTrack):
    """Grey 160x120 pictures, 25 a second."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    async def recv(self) -> VideoFrame:
        await asyncio.sleep(0.04)
        frame = VideoFrame.from_ndarray(np.full((180, 160), 128, np.uint8), "yuv420p")
        frame.pts, frame.time_base = self.count * 3600, fractions.Fraction(1, 90000)
        self.count += 1
        return frame


def test_the_installed_aiortc_and_aioice_have_every_internal_relied_on():
    check_internals()


@pytest.mark.parametrize(
    ("owner", "name", "named"),
    [
        (RTCRtpReceiver, "_send_rtcp_pli", "aiortc RTCRtpReceiver._send_rtcp_pli"),
        (RTCRtpSender, "_send_keyframe", "aiortc RTCRtpSender._send_keyframe"),
        (JitterBuffer, "_remove_frame", "aiortc JitterBuffer._remove_frame"),
        (aioice.ice, "get_host_addresses", "aioice ice.get_host_addresses"),
        (aioice.turn, "UDP_SOCKET_BUFFER_SIZE", "aioice turn.UDP_SOCKET_BUFFER_SIZE"),
    ],
)
def test_an_internal_an_upgrade_removed_is_named(monkeypatch, owner, name, named):
    monkeypatch.delattr(owner, name)
    with pytest.raises(RuntimeError) as raised:
        check_internals()
    message = str(raised.value)
    assert named in message and message.count("expected:") == 1, message
    assert "aiortc 1.16" in message  # the versions it was written against


def test_an_internal_an_upgrade_changed_is_named(monkeypatch):
    async def handle_rtcp_without_keyframes(self, packet):  # a sender that stopped calling it
        return None

    async def sends_more(self, media_ssrc, reason):  # a picture-loss sender with a new argument
        return None

    monkeypatch.setattr(RTCRtpSender, "_handle_rtcp_packet", handle_rtcp_without_keyframes)
    monkeypatch.setattr(RTCRtpReceiver, "_send_rtcp_pli", sends_more)
    monkeypatch.setattr(RemoteStreamTrack, "recv", lambda self: None)  # reads no _queue
    with pytest.raises(RuntimeError) as raised:
        check_internals()
    message = str(raised.value)
    for named in ("_send_keyframe", "_send_rtcp_pli", "RemoteStreamTrack._queue"):
        assert named in message, message
    assert message.count("expected:") == 3, message


def test_the_buffer_takes_the_place_of_the_receivers_own():
    receiver = RTCRtpReceiver("video", Transport())
    own = set(vars(receiver))
    buffer = PictureBuffer(None)
    replace_receiver_buffer(receiver, buffer)
    assert set(vars(receiver)) == own  # replaced, not set beside it under another name
    assert [v for v in vars(receiver).values() if isinstance(v, JitterBuffer)] == [buffer]


async def test_aiortcs_receiver_hands_pictures_to_the_buffer_and_a_key_frame_request_arrives():
    restrict_media_addresses()
    sending, receiving = DIRECT.peer_connection(), DIRECT.peer_connection()
    camera = SmallCamera()
    sender = sending.addTrack(camera)
    asked = asyncio.Event()
    on_keyframe_request(sender, asked.set)
    pictures: list[tuple[bytes, float]] = []
    arrived = asyncio.Event()
    askers = []

    def on_picture(data: bytes, media_time: float) -> None:
        pictures.append((data, media_time))
        arrived.set()

    @receiving.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        [transceiver] = receiving.getTransceivers()
        askers.append(recover_video_quickly(transceiver.receiver, on_picture))

    try:
        await sending.setLocalDescription(await sending.createOffer())
        await receiving.setRemoteDescription(sending.localDescription)
        await receiving.setLocalDescription(await receiving.createAnswer())
        await sending.setRemoteDescription(receiving.localDescription)
        await asyncio.wait_for(arrived.wait(), 20)
        [ask_keyframe] = askers
        await ask_keyframe()  # RTCP PLI, through the receiver
        await asyncio.wait_for(asked.wait(), 20)
    finally:
        await receiving.close()
        await sending.close()
        camera.stop()
    data, media_time = pictures[0]
    assert media_time == 0.0
    assert data[0] & 1 == 0  # a VP8 key frame (RFC 6386, 9.1): the picture whole, as it came
