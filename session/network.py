"""Where WebRTC media may flow: the host addresses ICE offers, an optional TURN relay, and no
public STUN server.

A hub and its stations run on a closed justice network; media must stay on the addresses the
technical department names. aiortc has no setting for this, so the host-address lookup of its
ICE library is replaced for the whole process by :func:`restrict_media_addresses`. The demo
and the tests keep everything on the loopback interface.

Stations behind a detention centre's firewall often cannot reach each other directly; the
technical department then runs a TURN server that both sides can reach, and
:func:`use_turn` sends all media through it. Both are network policy for the whole process,
set once at start-up: every peer connection (stations' and the hub's recorder's) is made by
:func:`new_peer_connection`, which reads that policy, so no caller has to pass it along.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import aioice.ice
import aioice.turn
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCRtpReceiver
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcconfiguration import RTCIceTransportPolicy
from aiortc.rtcrtpreceiver import TimestampMapper
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1",)
#: Packets a video receiver waits for a lost one before it gives up on it and asks for a key
#: frame: about a second of video.
VIDEO_WAIT_PACKETS = 128
#: Sound a receiver holds before passing its oldest packet on, to ride out uneven arrival (what
#: aiortc holds of its own 20 ms packets).
SOUND_BUFFER = 0.080
#: Bytes a media socket holds while its event loop is busy elsewhere: about 8 s of a session's
#: media at the hub. aioice asks for 256 KiB; with it, a busy one-process session lost thousands
#: of datagrams a minute to full buffers (``RcvbufErrors`` in /proc/net/snmp), and with them
#: data-channel messages, which SCTP then sends again only after its retransmission timeout.
MEDIA_SOCKET_BUFFER = 2 << 20
#: RTP timestamps of video count at 90 kHz (RFC 7741 for VP8).
VIDEO_CLOCK_RATE = 90_000
#: ``(data, media_time)``: a whole compressed picture, ``media_time`` seconds into its stream
#: (the time its decoded frame will carry).
PictureTap = Callable[[bytes, float], None]


@dataclass(frozen=True)
class TurnServer:
    """A TURN server media is relayed through (RFC 8656, long-term credentials).

    ``url`` is a WebRTC TURN URL such as ``turn:10.2.0.5:3478?transport=udp``. With
    ``relay_only`` every connection goes through the server even when the two ends could reach
    each other directly: the firewall's rules stay the only path, and it is the path tested.
    """

    url: str
    username: str
    password: str
    relay_only: bool = True


class _MediaRoute:
    """The process's TURN setting (a holder, so the one piece of policy state has one home)."""

    turn: TurnServer | None = None


def restrict_media_addresses(addresses: Sequence[str] = LOOPBACK) -> None:
    """Offer ICE host candidates on these addresses only (process-wide)."""
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses


def use_turn(server: TurnServer | None) -> TurnServer | None:
    """Relay the media of every peer connection made from now on through ``server`` (``None``:
    connect directly again). Returns the previous setting, so it can be put back."""
    if server is not None and not server.url.startswith(("turn:", "turns:")):
        raise ValueError(f"not a TURN URL: {server.url!r}")
    previous, _MediaRoute.turn = _MediaRoute.turn, server
    return previous


def new_peer_connection() -> RTCPeerConnection:
    """A peer connection that contacts no STUN or TURN server outside the network: none at
    all, or the TURN server :func:`use_turn` named."""
    # aioice sizes every media socket's receive buffer from this, when the socket is made.
    aioice.turn.UDP_SOCKET_BUFFER_SIZE = MEDIA_SOCKET_BUFFER
    turn = _MediaRoute.turn
    if turn is None:
        return RTCPeerConnection(RTCConfiguration(iceServers=[]))
    server = RTCIceServer(urls=turn.url, username=turn.username, credential=turn.password)
    policy = RTCIceTransportPolicy.RELAY if turn.relay_only else RTCIceTransportPolicy.ALL
    return RTCPeerConnection(RTCConfiguration(iceServers=[server], iceTransportPolicy=policy))


def recover_video_quickly(
    receiver: RTCRtpReceiver, on_picture: PictureTap | None = None
) -> Callable[[], Awaitable[None]]:
    """Let ``receiver`` give up on lost video packets after a second, not twenty; hand every
    whole compressed picture it assembles to ``on_picture``; return a function that asks the
    sender for a key frame.

    aiortc's video receiver holds back every frame after a packet it never got until 512 more
    packets have arrived; for a 640x480 picture after a few seconds' network cut (whose packets
    no retransmission can bring back) that is a picture frozen for about twenty seconds. With a
    smaller buffer it skips the gap and asks for a key frame much sooner. aiortc has no setting
    for this, so the receiver's buffer is replaced when the track arrives, before any packet.
    The same buffer is where a picture is whole before it is decoded: the recorder writes it
    from there into the party's own file as it came. A key frame is asked for the way a
    decoder that lost a picture asks (RTCP PLI, through the receiver).
    """
    buffer = _Buffer(on_picture)
    setattr(receiver, "_RTCRtpReceiver__jitter_buffer", buffer)  # noqa: B010 (private name)

    async def ask_keyframe() -> None:
        if buffer.ssrc is not None:  # else nothing came yet, and the first is a key frame
            await receiver._send_rtcp_pli(buffer.ssrc)

    return ask_keyframe


def buffer_sound(receiver: RTCRtpReceiver, packet_seconds: float) -> None:
    """Let the sound receiver ``receiver`` hold ``SOUND_BUFFER`` of packets ``packet_seconds``
    long and skip a lost packet once that much has come after it (:class:`_SoundBuffer`)."""
    buffer = _SoundBuffer(held=max(1, round(SOUND_BUFFER / packet_seconds)))
    setattr(receiver, "_RTCRtpReceiver__jitter_buffer", buffer)  # noqa: B010 (private name)


class _SoundBuffer(JitterBuffer):
    """Passes a sound packet on once ``held`` packets have come after it, in sequence order; a
    packet still missing by then is skipped.

    aiortc's sound buffer holds four packets, and waits for a missing one until sixteen more
    are in: but sound is never sent again (no retransmission), so every lost packet cost
    another 200 ms of delay that stayed, as the buffer passes on one packet per packet
    received, and four packets before the gap were thrown away with it. Here a lost packet
    costs its own sound only, and sound stays ``SOUND_BUFFER`` behind. A packet that comes
    after its turn has passed is dropped, as aiortc drops it.
    """

    def __init__(self, held: int) -> None:
        super().__init__(capacity=16, prefetch=held)
        self._latest: int | None = None  # the newest sequence number received

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        origin, latest = self._origin, self._latest
        assert origin is not None  # a packet was added
        if (
            latest is None
            or uint16_add(sequence_number, -latest) < 0x8000  # a newer packet
            or uint16_add(latest, -origin) >= self.capacity  # the numbering began again
        ):
            latest = self._latest = sequence_number
        while uint16_add(latest, -origin) >= self._prefetch:
            packet = self._packets[origin % self.capacity]
            self._packets[origin % self.capacity] = None
            origin = self._origin = uint16_add(origin, 1)
            if packet is not None:
                data = packet._data  # type: ignore[attr-defined]
                return JitterFrame(data=data, timestamp=packet.timestamp)
        return None


class _Buffer(JitterBuffer):
    """A video receiver's jitter buffer of about a second, passing on every whole picture.

    A picture is whole when its packets are all there in sequence and the last is marked (the
    RTP marker bit ends a video frame, RFC 3551); aiortc's buffer waits for the next picture's
    first packet instead, which holds every picture back a frame's time (40 ms at 25 frames/s).
    A picture whose end is not marked is still passed on when the next one begins.
    """

    def __init__(self, on_picture: PictureTap | None) -> None:
        super().__init__(capacity=VIDEO_WAIT_PACKETS, is_video=True)
        self._on_picture = on_picture
        # The receiver maps RTP timestamps this way after the buffer, for the decoded frame.
        self._times = TimestampMapper()
        self.ssrc: int | None = None

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        """Take the oldest picture out if it is whole."""
        packets: list[RtpPacket] = []
        origin = self._origin
        assert origin is not None  # a packet was added
        for count in range(self.capacity):
            packet = self._packets[(origin + count) % self.capacity]
            if packet is None:
                return None  # a packet is missing: wait for it, or for the buffer to give up
            if packets and packet.timestamp != packets[0].timestamp:
                break  # the next picture began
            packets.append(packet)
            if packet.marker:
                break
        else:
            return None
        self.remove(len(packets))
        data = b"".join(p._data for p in packets)  # type: ignore[attr-defined]
        return JitterFrame(data=data, timestamp=packets[0].timestamp)

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        pli, picture = super().add(packet)
        self.ssrc = packet.ssrc
        if picture is not None and self._on_picture is not None:
            media_time = self._times.map(picture.timestamp) / VIDEO_CLOCK_RATE
            try:
                self._on_picture(picture.data, media_time)
            except Exception:
                log.exception("the compressed picture could not be passed on")
        return pli, picture
