"""Every use of aiortc's and aioice's private internals, in one place.

Written against aiortc 1.16.0 and aioice 0.13.0; pyproject.toml pins both to those minor
versions, and :func:`check_internals` (run when this module is imported) names whatever an
upgrade removed or renamed, so a change fails at start-up, not silently mid-session. A module
or class that is gone altogether fails the import itself, naming it.

aiortc offers no setting for any of the following, so each reaches past its public API:

* A receiver's jitter buffer (:func:`replace_receiver_buffer`, :class:`PictureBuffer`,
  :class:`SoundBuffer`). aiortc's receiver makes its own, in the name-mangled
  ``RTCRtpReceiver.__jitter_buffer``, and it holds video back for 512 packets and sound for
  16; ours are subclasses of ``aiortc.jitterbuffer.JitterBuffer`` that override its
  ``_remove_frame`` hook and read its state (``_origin``, ``_packets``, ``_prefetch``).
* A packet's payload (:func:`payload`): the receiver leaves the depayloaded data on the packet
  as ``RtpPacket._data``, the only place a buffer finds it.
* A compressed picture's media time: ``aiortc.rtcrtpreceiver.TimestampMapper`` maps RTP
  timestamps as the receiver does for the decoded frame, so both carry the same time.
* Asking for a key frame (:func:`send_picture_loss`): the receiver sends RTCP PLI
  (``RTCRtpReceiver._send_rtcp_pli``) only when its own buffer decides to.
* Hearing a receiver's key-frame request (:func:`on_keyframe_request`): the sender passes a
  PLI to its own encoder through ``RTCRtpSender._send_keyframe``; our tracks send ready-made
  packets, so the request must reach the shared encoder instead.
* The decoded frames waiting on a remote track (:func:`frames_waiting`): the backlog of
  ``RemoteStreamTrack._queue``, which a station skips to show the newest picture.
* Which addresses ICE offers (:func:`offer_host_addresses`): aioice's module-level
  ``aioice.ice.get_host_addresses``, replaced for the whole process.
* How much a media socket holds (:func:`size_media_sockets`): aioice's module-level
  ``aioice.turn.UDP_SOCKET_BUFFER_SIZE``, read as each socket is made.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from types import CodeType

import aioice.ice
import aioice.turn
from aiortc import MediaStreamTrack, RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.rtcrtpreceiver import RemoteStreamTrack, TimestampMapper
from aiortc.rtp import RtpPacket
from aiortc.utils import uint16_add
from av.frame import Frame

log = logging.getLogger(__name__)

#: The versions this module was written against (``major.minor``), as pyproject.toml pins them.
WRITTEN_FOR = {"aiortc": "1.16", "aioice": "0.13"}
#: Packets a video receiver waits for a lost one before it gives up on it and asks for a key
#: frame: about a second of video.
VIDEO_WAIT_PACKETS = 128
#: RTP timestamps of video count at 90 kHz (RFC 7741 for VP8).
VIDEO_CLOCK_RATE = 90_000
#: ``(data, media_time)``: a whole compressed picture, ``media_time`` seconds into its stream
#: (the time its decoded frame will carry).
PictureTap = Callable[[bytes, float], None]

# The receiver's own buffer, as Python stores a name-mangled ``self.__jitter_buffer``.
_RECEIVER_BUFFER = "_RTCRtpReceiver__jitter_buffer"


def replace_receiver_buffer(receiver: RTCRtpReceiver, buffer: JitterBuffer) -> None:
    """Make ``buffer`` the one ``receiver`` puts its packets in (before its first packet)."""
    setattr(receiver, _RECEIVER_BUFFER, buffer)


def receiver_buffer(receiver: RTCRtpReceiver) -> JitterBuffer:
    """The buffer ``receiver`` puts its packets in."""
    buffer: JitterBuffer = getattr(receiver, _RECEIVER_BUFFER)
    return buffer


async def send_picture_loss(receiver: RTCRtpReceiver, ssrc: int) -> None:
    """Ask the sender of stream ``ssrc`` for a key frame, as a decoder that lost a picture
    asks (RTCP PLI, through ``receiver``)."""
    await receiver._send_rtcp_pli(ssrc)


def on_keyframe_request(sender: RTCRtpSender, request: Callable[[], None]) -> None:
    """Call ``request`` when ``sender``'s receiver asks for a key frame (PLI or FIR), in
    place of telling aiortc's own encoder, which a sender of ready-made packets does not use."""
    sender._send_keyframe = request  # type: ignore[method-assign]


def payload(packet: RtpPacket) -> bytes:
    """What the receiver took out of ``packet``: its codec data without the payload header."""
    data: bytes = packet._data  # type: ignore[attr-defined]
    return data


def frames_waiting(track: MediaStreamTrack) -> asyncio.Queue[Frame | None] | None:
    """The decoded frames a remote ``track`` holds that nobody took yet (``None`` ends the
    track); ``None`` for a track that is not a remote one."""
    waiting = getattr(track, "_queue", None)
    return waiting if isinstance(waiting, asyncio.Queue) else None


def offer_host_addresses(addresses: Sequence[str]) -> None:
    """Make ICE offer host candidates on ``addresses`` only, in every connection of the
    process from now on."""
    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses


def size_media_sockets(size: int) -> None:
    """Give every media socket made from now on a receive buffer of ``size`` bytes."""
    aioice.turn.UDP_SOCKET_BUFFER_SIZE = size


class SoundBuffer(JitterBuffer):
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
                return JitterFrame(data=payload(packet), timestamp=packet.timestamp)
        return None


class PictureBuffer(JitterBuffer):
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
        #: The stream whose packets came last (``None`` until one came).
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
        data = b"".join(payload(p) for p in packets)
        return JitterFrame(data=data, timestamp=packets[0].timestamp)

    def add(self, packet: RtpPacket) -> tuple[bool, JitterFrame | None]:
        """Take ``packet``; return whether to ask for a key frame, and the picture it made
        whole (also handed to ``on_picture``), if any."""
        pli, picture = super().add(packet)
        self.ssrc = packet.ssrc
        if picture is not None and self._on_picture is not None:
            media_time = self._times.map(picture.timestamp) / VIDEO_CLOCK_RATE
            try:
                self._on_picture(picture.data, media_time)
            except Exception:
                log.exception("the compressed picture could not be passed on")
        return pli, picture


@dataclass(frozen=True)
class _Internal:
    """One internal relied on: what it is called, and how to see that it is still there."""

    name: str
    expected: str  # what must still hold, said as the error says it
    holds: Callable[[], bool]


def _names(function: object) -> set[str]:
    """The attribute and global names ``function``'s code uses, nested code included (none
    for what is not a Python function)."""
    found: set[str] = set()
    codes = [c for c in [getattr(function, "__code__", None)] if isinstance(c, CodeType)]
    while codes:
        code = codes.pop()
        found.update(code.co_names)
        codes.extend(c for c in code.co_consts if isinstance(c, CodeType))
    return found


def _parameters(function: Callable[..., object]) -> list[str]:
    return list(inspect.signature(function).parameters)


def _buffer_state(name: str, expected: object) -> _Internal:
    """``JitterBuffer``'s attribute ``name``, as a buffer of capacity 4 prefetching 2 has it."""

    def holds() -> bool:
        buffer = JitterBuffer(capacity=4, prefetch=2, is_video=True)
        return bool(getattr(buffer, name) == expected)

    return _Internal(f"aiortc JitterBuffer.{name}", f"an attribute equal to {expected!r}", holds)


_INTERNALS = (
    _Internal(
        "aiortc RTCRtpReceiver.__jitter_buffer",
        "set by RTCRtpReceiver.__init__ and read by RTCRtpReceiver._handle_rtp_packet",
        lambda: (
            _RECEIVER_BUFFER in _names(RTCRtpReceiver.__init__)
            and _RECEIVER_BUFFER in _names(RTCRtpReceiver._handle_rtp_packet)
        ),
    ),
    _Internal(
        "aiortc RTCRtpReceiver._send_rtcp_pli",
        "a coroutine method taking (self, media_ssrc)",
        lambda: (
            inspect.iscoroutinefunction(RTCRtpReceiver._send_rtcp_pli)
            and _parameters(RTCRtpReceiver._send_rtcp_pli) == ["self", "media_ssrc"]
        ),
    ),
    _Internal(
        "aiortc RTCRtpSender._send_keyframe",
        "a method taking (self), called by RTCRtpSender._handle_rtcp_packet",
        lambda: (
            _parameters(RTCRtpSender._send_keyframe) == ["self"]
            and "_send_keyframe" in _names(RTCRtpSender._handle_rtcp_packet)
        ),
    ),
    _Internal(
        "aiortc RtpPacket._data",
        "set by RTCRtpReceiver._handle_rtp_packet",
        lambda: "_data" in _names(RTCRtpReceiver._handle_rtp_packet),
    ),
    _Internal(
        "aiortc JitterBuffer._remove_frame",
        "a method taking (self, sequence_number), called by JitterBuffer.add",
        lambda: (
            _parameters(JitterBuffer._remove_frame) == ["self", "sequence_number"]
            and "_remove_frame" in _names(JitterBuffer.add)
        ),
    ),
    _buffer_state("_origin", None),
    _buffer_state("_packets", [None] * 4),
    _buffer_state("_prefetch", 2),
    _Internal(
        "aiortc TimestampMapper.map",
        "a method mapping the first timestamp to 0",
        lambda: TimestampMapper().map(1234) == 0,
    ),
    _Internal(
        "aiortc RemoteStreamTrack._queue",
        "set by RemoteStreamTrack.__init__, read by RemoteStreamTrack.recv",
        lambda: (
            "_queue" in _names(RemoteStreamTrack.__init__)
            and "_queue" in _names(RemoteStreamTrack.recv)
        ),
    ),
    _Internal(
        "aioice ice.get_host_addresses",
        "a module-level function called by aioice.ice.Connection.gather_candidates",
        lambda: (
            callable(getattr(aioice.ice, "get_host_addresses", None))
            and "get_host_addresses" in _names(aioice.ice.Connection.gather_candidates)
        ),
    ),
    _Internal(
        "aioice turn.UDP_SOCKET_BUFFER_SIZE",
        "a module-level int read by aioice.turn.create_turn_endpoint and "
        "aioice.ice.Connection.get_component_candidates",
        lambda: (
            isinstance(getattr(aioice.turn, "UDP_SOCKET_BUFFER_SIZE", None), int)
            and "UDP_SOCKET_BUFFER_SIZE" in _names(aioice.turn.create_turn_endpoint)
            and "UDP_SOCKET_BUFFER_SIZE" in _names(aioice.ice.Connection.get_component_candidates)
        ),
    ),
)


def check_internals() -> None:
    """Raise ``RuntimeError`` naming every internal this module relies on that the installed
    aiortc or aioice no longer has, or has changed."""
    broken = []
    for internal in _INTERNALS:
        try:
            holds = internal.holds()
        except Exception:  # absent or reshaped: the look itself failed
            holds = False
        if not holds:
            broken.append(f"{internal.name} (expected: {internal.expected})")
    if broken:
        installed = ", ".join(f"{name} {version(name)}" for name in WRITTEN_FOR)
        written = ", ".join(f"{name} {minor}" for name, minor in WRITTEN_FOR.items())
        raise RuntimeError(
            f"{__name__} was written against {written}; with {installed} these internals are "
            f"missing or changed: {'; '.join(broken)}"
        )


check_internals()  # at start-up: a missing internal must not fail silently mid-session
