"""One encoding of a station's camera and of its microphone for every peer: each peer gets a
stream it can decode from its first packet, a peer that stopped reading starts again at a key
frame, receivers' key-frame requests are granted but not more often than ``KEYFRAME_GAP``, and
sound keeps the times it was captured at."""

from __future__ import annotations

import asyncio
import fractions

import av
import numpy as np
import pytest
from aiortc import RTCPeerConnection
from aiortc.codecs.opus import OpusDecoder
from aiortc.jitterbuffer import JitterFrame
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from aiortc.rtp import RTCP_PSFB_PLI, RtcpPsfbPacket
from av.audio.frame import AudioFrame
from av.packet import Packet
from av.video.frame import VideoFrame

from session.rtc import shared_media
from session.rtc.mesh import MediaMesh
from session.rtc.shared_media import KEYFRAME_GAP, SOUND_PACKET, WAITING_PACKETS, SharedEncoder

SIZE = (160, 120)
#: Samples in a sound packet at 48 kHz.
PACKET = round(48000 * SOUND_PACKET)


class Camera(MediaStreamTrack):
    """A moving gradient, frame ``n`` at pts ``n * 3600``: as fast as it is read, or with
    ``pace``, a frame every ``pace`` seconds at most."""

    kind = "video"

    def __init__(self, frames: int = 1000, pace: float = 0.0) -> None:
        super().__init__()
        self.count, self._frames, self._pace = 0, frames, pace
        x = np.arange(SIZE[0], dtype=np.uint8)
        self._row = np.tile(x, (SIZE[1] * 3 // 2, 1))

    async def recv(self) -> VideoFrame:
        if self.count >= self._frames:
            self.stop()
            raise MediaStreamError
        await asyncio.sleep(self._pace)
        frame = VideoFrame.from_ndarray(np.roll(self._row, self.count, axis=1), "yuv420p")
        frame.pts, frame.time_base = self.count * 3600, fractions.Fraction(1, 90000)
        self.count += 1
        return frame


class Microphone(MediaStreamTrack):
    """A 440 Hz tone in s16 mono blocks of ``block`` samples at ``rate``, pts = sample count,
    a block every 2 ms (fast, but paced as a device is)."""

    kind = "audio"

    def __init__(self, rate: int = 48000, block: int = 960) -> None:
        super().__init__()
        self.rate, self.block, self.count = rate, block, 0
        self.backlog = 0  # blocks ready at once, as after the event loop was held up

    async def recv(self) -> AudioFrame:
        if self.backlog:
            self.backlog -= 1
        else:
            await asyncio.sleep(0.002)
        t = (self.count * self.block + np.arange(self.block)) / self.rate
        samples = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.time_base = self.rate, fractions.Fraction(1, self.rate)
        frame.pts = self.count * self.block
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
    encoder = SharedEncoder(camera)
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
    # Paced, so the camera's 1000 frames outlast the wait for the next key frame granted (at
    # most one per KEYFRAME_GAP): unpaced, a fast machine encoded them all before it.
    encoder = SharedEncoder(Camera(pace=0.004))
    early = encoder.subscribe()
    await take(early, 10)
    late = encoder.subscribe()
    joined = await take(late, 5)
    await encoder.close()
    assert joined[0].is_keyframe
    assert decoded(joined) == 5


async def test_a_peer_that_stopped_reading_starts_again_at_a_key_frame_asked_when_it_reads():
    clock = FakeClock()
    encoder = SharedEncoder(Camera(), clock=clock)
    reading, paused = encoder.subscribe(), encoder.subscribe()
    await asyncio.gather(take(paused, 1), take(reading, 1))
    clock.now += 10 * KEYFRAME_GAP
    # A sender that stopped reading (a stuck line): ``paused`` is not read while the other
    # peer takes many frames.
    meanwhile = await take(reading, 5 * WAITING_PACKETS["video"])
    assert sum(p.is_keyframe for p in meanwhile) == 0  # nobody asked for one meanwhile
    resumed = await take(paused, 3)
    await encoder.close()
    assert resumed[0].is_keyframe
    assert decoded(resumed) == 3


async def test_key_frame_requests_are_granted_at_most_once_per_gap():
    clock = FakeClock()
    encoder = SharedEncoder(Camera(), clock=clock)
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
    encoder = SharedEncoder(Camera(frames=3))
    track = encoder.subscribe()
    await take(track, 3)
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(track.recv(), 5)
    await encoder.close()


async def test_a_receivers_picture_loss_report_makes_the_next_frame_a_key_frame(monkeypatch):
    monkeypatch.setattr(shared_media, "KEYFRAME_GAP", 0.0)
    camera = Camera(pace=0.02)
    mesh = MediaMesh("suspect", [camera], lambda *a: asyncio.sleep(0))
    pc: RTCPeerConnection = await mesh._open("lawyer")
    [(sender, outgoing)] = mesh._sending["lawyer"]
    [transceiver] = pc.getTransceivers()
    assert [c.mimeType for c in transceiver._preferred_codecs] == ["video/VP8", "video/rtx"]
    before = await take(outgoing, 3)
    asked_at = camera.count
    await sender._handle_rtcp_packet(RtcpPsfbPacket(fmt=RTCP_PSFB_PLI, ssrc=1, media_ssrc=2))
    after = await take(outgoing, 5)
    await mesh.close()
    assert [p.is_keyframe for p in before] == [True, False, False]
    keys = [p.pts // 3600 for p in after if p.is_keyframe]
    assert keys and keys[0] <= asked_at + 1  # the next picture, or the one under way


async def test_sound_is_encoded_once_for_every_peer_at_the_times_it_was_captured():
    microphone = Microphone()
    encoder = SharedEncoder(microphone)
    first, second = encoder.subscribe(), encoder.subscribe()
    ours, theirs = await asyncio.gather(take(first, 25), take(second, 25))
    await encoder.close()
    assert [bytes(p) for p in ours] == [bytes(p) for p in theirs]  # compressed once
    assert microphone.count * 960 < 26 * PACKET
    assert [p.pts for p in ours] == [n * PACKET for n in range(25)]
    decoder = OpusDecoder()
    sound = np.concatenate([
        frame.to_ndarray()[0, ::2]  # the left of the stereo pairs
        for packet in ours
        for frame in decoder.decode(JitterFrame(bytes(packet), packet.pts))
    ])  # fmt: skip
    assert len(sound) == 25 * PACKET
    spectrum = np.abs(np.fft.rfft(sound[4800:]))
    assert abs(np.argmax(spectrum) * 48000 / len(sound[4800:]) - 440) < 5  # the tone came through


async def test_sound_captured_at_another_rate_keeps_its_own_sample_count_as_times():
    encoder = SharedEncoder(Microphone(rate=44100, block=441))  # 10 ms blocks
    packets = await take(encoder.subscribe(), 20)
    await encoder.close()
    assert all(p.time_base == fractions.Fraction(1, 44100) for p in packets)
    assert [p.pts for p in packets] == [n * round(44100 * SOUND_PACKET) for n in range(20)]


async def test_a_peer_joining_later_hears_at_once():
    microphone = Microphone()
    encoder = SharedEncoder(microphone)
    await take(encoder.subscribe(), 10)
    joined = await take(encoder.subscribe(), 1)
    await encoder.close()
    assert joined[0].pts >= 10 * PACKET  # the sound of now, with no wait for a "key frame"


async def test_the_mesh_sends_sound_in_opus_only():
    mesh = MediaMesh("suspect", [Microphone()], lambda *a: asyncio.sleep(0))
    pc: RTCPeerConnection = await mesh._open("lawyer")
    [transceiver] = pc.getTransceivers()
    [(_, outgoing)] = mesh._sending["lawyer"]
    packets = await take(outgoing, 3)
    await mesh.close()
    assert [c.mimeType for c in transceiver._preferred_codecs] == ["audio/opus"]
    assert all(isinstance(p, Packet) for p in packets)  # aiortc's sender only packs them


async def test_nothing_from_during_a_consultation_reaches_the_peer_shut_out_of_it():
    camera, microphone = Camera(pace=0.02), Microphone()
    mesh = MediaMesh("suspect", [camera, microphone], lambda *a: asyncio.sleep(0))
    await mesh._open("prosecutor")
    [(_, picture), (_, sound)] = mesh._sending["prosecutor"]
    await asyncio.gather(take(picture, 3), take(sound, 3))
    mesh.exclude(frozenset({"prosecutor"}))  # a private consultation begins
    await asyncio.sleep(0.2)  # the devices go on; the prosecutor's senders stop reading
    mesh.exclude(frozenset())  # it ends
    frames, blocks = camera.count, microphone.count
    first_picture, first_sound = await asyncio.gather(take(picture, 1), take(sound, 1))
    await mesh.close()
    # Only the frame or packet under way as it ended may be from before (captured as it ended).
    assert first_picture[0].pts >= (frames - 1) * 3600 and first_picture[0].is_keyframe
    assert first_sound[0].pts >= blocks * 960 - PACKET


async def test_a_busy_station_loses_no_sound():
    microphone = Microphone()
    mesh = MediaMesh("suspect", [microphone], lambda *a: asyncio.sleep(0))
    await mesh._open("lawyer")
    [(_, sound)] = mesh._sending["lawyer"]
    packets = await take(sound, 5)
    microphone.backlog = 30  # the event loop was held up for 0.6 s (a busy station)
    packets += await take(sound, 45)
    await mesh.close()
    assert [p.pts for p in packets] == [n * PACKET for n in range(50)]


async def test_a_camera_that_ended_during_a_consultation_still_ends_the_track_after_it():
    camera = Camera(frames=3)
    encoder = SharedEncoder(camera)
    track = encoder.subscribe()
    await take(track, 1)
    track.hold(True)
    await asyncio.sleep(0.3)  # the camera's last frames, and its end, reach the encoder
    assert camera.readyState == "ended"
    track.hold(False)
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(track.recv(), 5)
    await encoder.close()
