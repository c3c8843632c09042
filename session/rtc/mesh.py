"""A station's WebRTC mesh: one peer connection to each other party and one to the recorder.

The local camera and microphone are each compressed once for every peer
(``session.rtc.shared_media``), so video goes out as VP8 only and sound as Opus only. Each encoder
reads its device through aiortc's ``MediaRelay``: the picture's hands it the newest frame and
drops those it had no time for; the sound's keeps every frame, in order, for none may be lost.
The party that joins later makes the offers, so two parties never offer to each other at once.
Every remote track is read continuously by a task this mesh owns, and each frame handed to
``on_frame``; a track nobody reads would queue decoded frames without bound. With
``latest_only`` (a station's screen) a reader that fell behind skips to the newest picture; the
recorder takes every frame, and with ``on_compressed`` every picture also as it arrived, before
decoding (for the party files; a mesh that takes them is never shut out of a consultation, since
a compressed stream cannot skip pictures).

The connection to ``channel_peer`` (a station's to the hub's recorder) also carries the
session's data channel, opened by the offering side; ``on_channel`` hears of it at both ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiortc import RTCDataChannel, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame
from av.packet import Packet

from session.rtc.aiortc_internals import frames_waiting, on_keyframe_request
from session.rtc.network import DIRECT, MediaRoute, buffer_sound, recover_video_quickly
from session.rtc.shared_media import SOUND_PACKET, EncodedTrack, SharedEncoder

log = logging.getLogger(__name__)

SendSignal = Callable[[str, str, str], Awaitable[None]]
#: ``(peer, kind, media_time, capture_time)``: tell ``peer`` when the frame ``media_time``
#: seconds into our stream to it was captured.
SendOrigin = Callable[[str, str, float, float], Awaitable[None]]
#: ``(peer, kind, frame, capture_time or None until the sender's origin is known)``.
FrameHandler = Callable[[str, str, Frame, float | None], None]
#: ``(peer, data, media_time, capture_time or None)``: a picture from ``peer`` as it arrived
#: compressed, before decoding; its decoded frame follows with the same times.
CompressedHandler = Callable[[str, bytes, float, float | None], None]
#: ``(peer, channel)``: the session's data channel to ``peer`` was opened.
ChannelHandler = Callable[[str, RTCDataChannel], None]


#: The label of the session's data channel.
DATA_CHANNEL_LABEL = "session"
#: What each kind of media is sent in (the shared encoders' codecs; video's retransmissions).
SENT_CODECS = {"audio": ("audio/opus",), "video": ("video/vp8", "video/rtx")}
#: Seconds between reports of a stream's capture times, after the first frame's.
ORIGIN_REPORT_EVERY = 5.0


class _OriginTrack(MediaStreamTrack):
    """Passes a local track's frames to one peer and reports when they were captured.

    The receiver's timestamps start at zero at the first frame sent on this link, so from
    "the frame ``media_time`` seconds into the stream was captured at session time ``T``" the
    receiver knows every frame's capture time. The first frame is reported at once, then one
    every few seconds, so a device whose clock runs a little fast or slow (a microphone's
    sample clock) is followed. A capture track that knows when each frame was taken says so
    through ``capture_time(pts)``; otherwise the session clock's reading as the frame leaves
    stands in (synthetic tracks hand frames out the moment they make them).
    """

    def __init__(
        self,
        encoded: EncodedTrack,
        device: MediaStreamTrack,
        clock: Callable[[], float],
        report: Callable[[float, float], None],
    ) -> None:
        super().__init__()
        self.kind = encoded.kind
        self._source = encoded
        self._device = device
        self._clock = clock
        self._report = report
        self._first: float | None = None
        self._next_report = 0.0

    async def recv(self) -> Frame | Packet:
        frame = await self._source.recv()
        if frame.pts is None or not frame.time_base:
            return frame
        at = float(frame.pts * frame.time_base)
        if self._first is None:
            self._first = at
        media_time = at - self._first
        if media_time >= self._next_report:
            stamp = getattr(self._device, "capture_time", None)
            captured = stamp(frame.pts) if stamp is not None else None
            self._report(media_time, self._clock() if captured is None else captured)
            self._next_report = media_time + ORIGIN_REPORT_EVERY
        return frame

    def hold(self, held: bool) -> None:
        """Keep nothing for the peer while ``held`` (see :meth:`EncodedTrack.hold`)."""
        self._source.hold(held)

    def stop(self) -> None:
        super().stop()
        self._source.stop()


class MediaMesh:
    """Peer connections from one party (``role``) to every other, and to the recorder."""

    def __init__(
        self,
        role: str,
        tracks: list[MediaStreamTrack],
        send_signal: SendSignal,
        on_frame: FrameHandler | None = None,
        send_origin: SendOrigin | None = None,
        clock: Callable[[], float] = time.monotonic,
        channel_peer: str | None = None,
        on_channel: ChannelHandler | None = None,
        latest_only: bool = False,
        on_compressed: CompressedHandler | None = None,
        route: MediaRoute = DIRECT,
    ) -> None:
        self.role = role
        self._route = route
        self._on_compressed = on_compressed
        self._keyframe_askers: dict[str, Callable[[], Awaitable[None]]] = {}
        self._latest_only = latest_only
        self._tracks = tracks
        self._relay = MediaRelay()
        self._encoders: dict[MediaStreamTrack, SharedEncoder] = {}
        self._send_signal = send_signal
        self._send_origin = send_origin
        self._clock = clock
        self._on_frame = on_frame or (lambda peer, kind, frame, t: None)
        self._peers: dict[str, RTCPeerConnection] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._origins: dict[tuple[str, str], tuple[float, float]] = {}
        self._sending: dict[str, list[tuple[RTCRtpSender, _OriginTrack]]] = {}
        self._excluded: frozenset[str] = frozenset()
        self._channel_peer = channel_peer
        self._on_channel = on_channel or (lambda peer, channel: None)

    @property
    def peers(self) -> dict[str, RTCPeerConnection]:
        """The open peer connections, by the other end's role."""
        return dict(self._peers)

    async def offer(self, peer: str) -> None:
        """Open a connection to ``peer`` and send it an offer."""
        pc = await self._open(peer)
        if peer == self._channel_peer:
            self._on_channel(peer, pc.createDataChannel(DATA_CHANNEL_LABEL))
        await pc.setLocalDescription(await pc.createOffer())
        await self._send_signal(peer, "offer", pc.localDescription.sdp)

    async def handle_signal(self, peer: str, kind: str, sdp: str) -> None:
        """Take an offer (answer it) or an answer from ``peer``."""
        description = RTCSessionDescription(sdp=sdp, type=kind)
        if kind == "offer":
            pc = await self._open(peer)
            await pc.setRemoteDescription(description)
            await pc.setLocalDescription(await pc.createAnswer())
            await self._send_signal(peer, "answer", pc.localDescription.sdp)
        else:
            offered = self._peers.get(peer)
            if offered is None:
                log.warning("answer from %s with no offer outstanding; ignored", peer)
                return
            await offered.setRemoteDescription(description)

    def exclude(self, peers: frozenset[str]) -> None:
        """Neither send to nor take media from these peers (a private consultation), until
        called again without them.

        Sending stops at this end, so a peer that is shut out receives nothing even if its own
        station misbehaves.
        """
        self._excluded = peers
        for peer in self._sending:
            self._apply_exclusion(peer)

    def _apply_exclusion(self, peer: str) -> None:
        shut = peer in self._excluded
        for sender, track in self._sending.get(peer, []):
            track.hold(shut)
            sender.replaceTrack(None if shut else track)

    def set_origin(
        self, peer: str, kind: str, capture_time: float, media_time: float = 0.0
    ) -> None:
        """``peer`` says its first ``kind`` frame to us was captured at ``capture_time``."""
        self._origins[(peer, kind)] = (media_time, capture_time)

    def ask_keyframe(self, peer: str) -> None:
        """Ask ``peer`` for a key frame of the picture it sends us (none: nothing to ask)."""
        ask = self._keyframe_askers.get(peer)
        if ask is not None:
            self._own(ask())

    async def drop(self, peer: str) -> None:
        """Close the connection to ``peer`` (it left)."""
        self._keyframe_askers.pop(peer, None)
        for kind in ("audio", "video"):
            self._origins.pop((peer, kind), None)
        for _, outgoing in self._sending.pop(peer, []):
            outgoing.stop()  # a sender that never started would not stop it
        pc = self._peers.pop(peer, None)
        if pc is not None:
            await pc.close()

    async def drop_all(self) -> None:
        """Close every connection, keeping the local devices for new ones."""
        for peer in list(self._peers):
            await self.drop(peer)

    async def close(self) -> None:
        """Close every connection, stop the local devices, and stop reading."""
        await self.drop_all()
        for encoder in self._encoders.values():
            await encoder.close()
        for track in self._tracks:
            track.stop()
        await asyncio.sleep(0)  # let the relay see its sources end
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def _open(self, peer: str) -> RTCPeerConnection:
        await self.drop(peer)  # a new offer from the same party replaces the old connection
        pc = self._route.peer_connection()
        self._peers[peer] = pc
        for track in self._tracks:
            reporter = self._origin_reporter(peer, track.kind)
            encoded = self._encoder(track).subscribe()
            outgoing = _OriginTrack(encoded, track, self._clock, reporter)
            sender = pc.addTrack(outgoing)
            _send_only(pc, sender, track.kind)
            # A receiver's picture-loss report asks the shared encoder for a key frame.
            on_keyframe_request(sender, encoded.request_keyframe)
            self._sending.setdefault(peer, []).append((sender, outgoing))
        self._apply_exclusion(peer)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            for transceiver in pc.getTransceivers():
                if transceiver.receiver.track is not track:
                    continue
                if track.kind == "video":
                    self._keyframe_askers[peer] = recover_video_quickly(
                        transceiver.receiver, self._compressed_from(peer)
                    )
                else:
                    buffer_sound(transceiver.receiver, SOUND_PACKET)
            self._own(self._read(peer, track))

        @pc.on("datachannel")
        def on_datachannel(channel: RTCDataChannel) -> None:
            if channel.label == DATA_CHANNEL_LABEL:
                self._on_channel(peer, channel)

        return pc

    def _encoder(self, track: MediaStreamTrack) -> SharedEncoder:
        if track not in self._encoders:
            every_frame = track.kind == "audio"
            self._encoders[track] = SharedEncoder(self._relay.subscribe(track, every_frame))
        return self._encoders[track]

    def _origin_reporter(self, peer: str, kind: str) -> Callable[[float, float], None]:
        def report(media_time: float, capture_time: float) -> None:
            if self._send_origin is not None:
                self._own(self._send_origin(peer, kind, media_time, capture_time))

        return report

    def _compressed_from(self, peer: str) -> Callable[[bytes, float], None] | None:
        handler = self._on_compressed
        if handler is None:
            return None

        def on_picture(data: bytes, media_time: float) -> None:
            handler(peer, data, media_time, self._captured((peer, "video"), media_time))

        return on_picture

    def _captured(self, key: tuple[str, str], media_time: float) -> float | None:
        """When the frame ``media_time`` seconds into ``key``'s stream was captured, if known."""
        origin = self._origins.get(key)
        if origin is None:
            return None
        origin_media_time, capture_time = origin
        return capture_time + media_time - origin_media_time

    def _own(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read(self, peer: str, track: MediaStreamTrack) -> None:
        key = (peer, track.kind)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, Frame):
                continue
            if peer in self._excluded:
                continue
            if self._latest_only and track.kind == "video":
                frame = _latest(track, frame)
            captured = None
            if frame.pts is not None and frame.time_base:
                captured = self._captured(key, float(frame.pts * frame.time_base))
            try:
                self._on_frame(peer, track.kind, frame, captured)
            except Exception:
                log.exception("frame handler failed for %s %s", peer, track.kind)


def _send_only(pc: RTCPeerConnection, sender: RTCRtpSender, kind: str) -> None:
    """Offer and accept only ``kind``'s codec in ``SENT_CODECS`` for ``sender``: it sends
    ready-made packets."""
    codecs = [
        codec
        for codec in RTCRtpSender.getCapabilities(kind).codecs
        if codec.mimeType.lower() in SENT_CODECS[kind]
    ]
    for transceiver in pc.getTransceivers():
        if transceiver.sender is sender:
            transceiver.setCodecPreferences(codecs)


def _latest(track: MediaStreamTrack, frame: Frame) -> Frame:
    """The newest picture ``track`` has decoded, skipping older ones not yet taken: a busy
    station shows what is, not a growing backlog of what was (the recorder takes every frame)."""
    waiting = frames_waiting(track)
    while waiting is not None and not waiting.empty():
        newer = waiting.get_nowait()
        if newer is None:  # the track ended: leave that for the next recv()
            waiting.put_nowait(None)
            break
        frame = newer
    return frame
