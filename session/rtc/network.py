"""Where WebRTC media may flow: the host addresses ICE offers, an optional TURN relay, and no
public STUN server.

A hub and its stations run on a closed justice network; media must stay on the addresses the
technical department names. aiortc has no setting for this, so the host-address lookup of its
ICE library is replaced for the whole process by :func:`restrict_media_addresses`. The demo
and the tests keep everything on the loopback interface.

Stations behind a detention centre's firewall often cannot reach each other directly; the
technical department then runs a TURN server that both sides can reach, and a
:class:`MediaRoute` naming it sends the media of the peer connections it makes through it.
The route is given to whatever makes peer connections (stations' meshes, the hub's recorder
peer); the host addresses stay one setting of the process (aioice reads them globally).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCRtpReceiver,
)

from session.rtc.aiortc_internals import (
    PictureBuffer,
    PictureTap,
    SoundBuffer,
    offer_host_addresses,
    replace_receiver_buffer,
    send_picture_loss,
    size_media_sockets,
)

LOOPBACK = ("127.0.0.1",)
#: Sound a receiver holds before passing its oldest packet on, to ride out uneven arrival (what
#: aiortc holds of its own 20 ms packets).
SOUND_BUFFER = 0.080
#: Bytes a media socket holds while its event loop is busy elsewhere: about 8 s of a session's
#: media at the hub. aioice asks for 256 KiB; with it, a busy one-process session lost thousands
#: of datagrams a minute to full buffers (``RcvbufErrors`` in /proc/net/snmp), and with them
#: data-channel messages, which SCTP then sends again only after its retransmission timeout.
MEDIA_SOCKET_BUFFER = 2 << 20


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


@dataclass(frozen=True)
class MediaRoute:
    """How the media of a peer connection travels: straight between the two ends (no STUN or
    TURN server is contacted), or relayed through the technical department's TURN server.

    Given to whatever makes peer connections (a station's mesh, the hub's recorder peer), so
    two hubs or stations in one process may route differently.
    """

    turn: TurnServer | None = None

    def __post_init__(self) -> None:
        if self.turn is not None and not self.turn.url.startswith(("turn:", "turns:")):
            raise ValueError(f"not a TURN URL: {self.turn.url!r}")

    def peer_connection(self) -> RTCPeerConnection:
        """A new peer connection on this route, contacting no server outside the network."""
        # aioice sizes every media socket's receive buffer from this, when the socket is made.
        size_media_sockets(MEDIA_SOCKET_BUFFER)
        turn = self.turn
        if turn is None:
            return RTCPeerConnection(RTCConfiguration(iceServers=[]))
        server = RTCIceServer(urls=turn.url, username=turn.username, credential=turn.password)
        policy = RTCIceTransportPolicy.RELAY if turn.relay_only else RTCIceTransportPolicy.ALL
        return RTCPeerConnection(RTCConfiguration(iceServers=[server], iceTransportPolicy=policy))


#: Media straight between the two ends of each connection.
DIRECT = MediaRoute()


def restrict_media_addresses(addresses: Sequence[str] = LOOPBACK) -> None:
    """Offer ICE host candidates on these addresses only. This one setting is the process's:
    aioice looks the host addresses up through a module-level function, which has no
    connection to ask."""
    offer_host_addresses(addresses)


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
    buffer = PictureBuffer(on_picture)
    replace_receiver_buffer(receiver, buffer)

    async def ask_keyframe() -> None:
        if buffer.ssrc is not None:  # else nothing came yet, and the first is a key frame
            await send_picture_loss(receiver, buffer.ssrc)

    return ask_keyframe


def buffer_sound(receiver: RTCRtpReceiver, packet_seconds: float) -> None:
    """Let the sound receiver ``receiver`` hold ``SOUND_BUFFER`` of packets ``packet_seconds``
    long and skip a lost packet once that much has come after it
    (:class:`~session.rtc.aiortc_internals.SoundBuffer`)."""
    buffer = SoundBuffer(held=max(1, round(SOUND_BUFFER / packet_seconds)))
    replace_receiver_buffer(receiver, buffer)
