"""A station's WebRTC mesh: one peer connection to each other party and one to the recorder.

The local camera and microphone are captured once and fanned out with aiortc's ``MediaRelay``
(one track cannot feed two senders). The party that joins later makes the offers, so two
parties never offer to each other at once. Every remote track is read continuously by a task
this mesh owns, and each frame handed to ``on_frame``; a track nobody reads would queue
decoded frames without bound.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.frame import Frame

from session.network import new_peer_connection

log = logging.getLogger(__name__)

SendSignal = Callable[[str, str, str], Awaitable[None]]
FrameHandler = Callable[[str, str, Frame], None]


class MediaMesh:
    """Peer connections from one party (``role``) to every other, and to the recorder."""

    def __init__(
        self,
        role: str,
        tracks: list[MediaStreamTrack],
        send_signal: SendSignal,
        on_frame: FrameHandler | None = None,
    ) -> None:
        self.role = role
        self._tracks = tracks
        self._relay = MediaRelay()
        self._send_signal = send_signal
        self._on_frame = on_frame or (lambda peer, kind, frame: None)
        self._peers: dict[str, RTCPeerConnection] = {}
        self._readers: set[asyncio.Task[None]] = set()
        self.frames_received: dict[tuple[str, str], int] = {}

    @property
    def peers(self) -> dict[str, RTCPeerConnection]:
        """The open peer connections, by the other end's role."""
        return dict(self._peers)

    async def offer(self, peer: str) -> None:
        """Open a connection to ``peer`` and send it an offer."""
        pc = await self._open(peer)
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

    async def drop(self, peer: str) -> None:
        """Close the connection to ``peer`` (it left)."""
        pc = self._peers.pop(peer, None)
        if pc is not None:
            await pc.close()

    async def close(self) -> None:
        """Close every connection, stop the local devices, and stop reading."""
        for peer in list(self._peers):
            await self.drop(peer)
        for track in self._tracks:
            track.stop()
        await asyncio.sleep(0)  # let the relay see its sources end
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._readers.clear()

    async def _open(self, peer: str) -> RTCPeerConnection:
        await self.drop(peer)  # a new offer from the same party replaces the old connection
        pc = new_peer_connection()
        self._peers[peer] = pc
        for track in self._tracks:
            pc.addTrack(self._relay.subscribe(track, buffered=False))

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.ensure_future(self._read(peer, track))
            self._readers.add(task)
            task.add_done_callback(self._readers.discard)

        return pc

    async def _read(self, peer: str, track: MediaStreamTrack) -> None:
        key = (peer, track.kind)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, Frame):
                continue
            self.frames_received[key] = self.frames_received.get(key, 0) + 1
            try:
                self._on_frame(peer, track.kind, frame)
            except Exception:
                log.exception("frame handler failed for %s %s", peer, track.kind)
