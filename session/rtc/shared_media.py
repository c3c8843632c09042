"""A station's camera and microphone, each encoded once for every peer they are sent to.

aiortc encodes per sender: a station sending its picture to two parties and the recorder would
compress every frame three times, most of a core at 640x480 and 25 frames/s; its sound three
times too, each time also measuring its level sample by sample in Python. Here one encoder per
device compresses each frame once — the picture in VP8 on a worker thread, the sound in Opus
on the event loop (about half a millisecond a 40 ms packet) — and hands the same packets to a
track per peer (:class:`EncodedTrack`); aiortc's sender sends a track's ready-made packets as
they are (``av.Packet`` frames are packed, not encoded), each with its own sequence numbers and
its own store for retransmitting what a receiver reports lost.

A compressed stream can only be joined at a key frame, and every frame after it must reach the
decoder: so each peer's track hands out every packet in order, starts at a key frame, and, if
its sender falls behind (or stops reading, as during a private consultation), drops what is
waiting and starts again at the next key frame. A receiver that lost a picture asks for a key
frame (RTCP PLI); that request reaches this encoder through :meth:`EncodedTrack.request_keyframe`.
Because a key frame goes to every peer and is many times the size of the others, requests are
granted at most every ``KEYFRAME_GAP`` seconds: three lossy links asking independently must
not turn the stream into key frames only. The bitrate is fixed (the justice network is a
local one); every receiver gets the same stream. Every Opus packet can be decoded on its own,
so sound is joined anywhere (its packets count as key frames).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av.audio.codeccontext import AudioCodecContext
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.frame import Frame
from av.packet import Packet

from recording.media import vp8

log = logging.getLogger(__name__)

#: Seconds between two key frames granted on request.
KEYFRAME_GAP = 0.5
#: Packets a peer's track keeps for a sender that has not read them: beyond it what waits is
#: dropped, and a picture stream starts again at the next key frame, sound at the next packet.
#: Two seconds of sound, for a busy event loop must not cost the recording a word.
WAITING_PACKETS = {"video": 8, "audio": 50}
#: Seconds of sound in an Opus packet. Each packet costs every process it passes through about
#: as much as a picture's packet does, in Python, whatever its size: at 20 ms (aiortc's choice)
#: sound made half of a station's packets. At 40 ms the four processes of a session on one
#: machine need 0.2–0.3 of a core less, for 20 ms more between mouth and ear.
SOUND_PACKET = 0.040
#: Samples a second of Opus over RTP: always 48 kHz (RFC 7587), whatever the device's rate, so
#: it is the standard's number, not one read from aiortc's (non-public) codec module.
OPUS_RATE = 48_000
_TIME_BASE = Fraction(1, OPUS_RATE)
_PACKET_SAMPLES = round(OPUS_RATE * SOUND_PACKET)


class OpusEncoder:
    """Opus as aiortc sends it (48 kHz stereo, 96 kbit/s, tuned for voice), but ``SOUND_PACKET``
    seconds a packet, each stamped with the pts, in the source's time base, of the sound it
    holds."""

    def __init__(self) -> None:
        codec = av.CodecContext.create("libopus", "w")
        assert isinstance(codec, AudioCodecContext)
        codec.bit_rate = 96_000
        codec.format, codec.layout, codec.sample_rate = "s16", "stereo", OPUS_RATE
        codec.time_base = _TIME_BASE
        codec.options = {"application": "voip", "frame_duration": str(round(SOUND_PACKET * 1000))}
        self._codec = codec
        self._resampler = AudioResampler(
            format="s16", layout="stereo", rate=OPUS_RATE, frame_size=_PACKET_SAMPLES
        )
        self._origin: tuple[int, Fraction] | None = None
        self._encoded = 0  # samples handed to the codec so far

    def encode(self, frame: Frame, key: bool) -> list[Packet]:
        """Compress ``frame``: a packet per ``SOUND_PACKET``, none while a short frame waits
        for more."""
        assert isinstance(frame, AudioFrame)
        if self._origin is None:
            self._origin = (frame.pts or 0, frame.time_base or _TIME_BASE)
        first, time_base = self._origin
        packets = []
        for whole in self._resampler.resample(frame):
            for packet in self._codec.encode(whole):
                # The codec's own pts run a fixed delay behind; the packets come in order, one
                # per SOUND_PACKET of sound from the first sample on.
                at = self._encoded * _TIME_BASE
                packet.pts, packet.time_base = first + round(at / time_base), time_base
                packet.is_keyframe = True
                self._encoded += _PACKET_SAMPLES
                packets.append(packet)
        return packets


class SharedEncoder:
    """Encodes ``source`` once (a camera in VP8, a microphone in Opus) and feeds every
    :meth:`subscribe`\\ d track."""

    def __init__(
        self,
        source: MediaStreamTrack,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._codec = vp8.Encoder() if source.kind == "video" else OpusEncoder()
        self._clock = clock
        self._tracks: set[EncodedTrack] = set()
        self._task: asyncio.Task[None] | None = None
        self._keyframe_wanted = True
        self._encoding_keyframe = False
        self._last_keyframe = -KEYFRAME_GAP

    def subscribe(self) -> EncodedTrack:
        """A new track for one peer; it begins at the next key frame."""
        track = EncodedTrack(self, self._source.kind)
        self._tracks.add(track)
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())
        return track

    def request_keyframe(self) -> None:
        """Make the next frame (or the first after ``KEYFRAME_GAP``) a key frame; a key frame
        being encoded as this is asked is sent after it, and is the answer."""
        if not self._encoding_keyframe:
            self._keyframe_wanted = True

    def unsubscribe(self, track: EncodedTrack) -> None:
        """Stop feeding ``track``."""
        self._tracks.discard(track)

    async def close(self) -> None:
        """Stop encoding; every track ends."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for track in list(self._tracks):
            track.stop()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                frame = await self._source.recv()
                if not self._tracks or not isinstance(frame, Frame):
                    continue
                key = self._keyframe_wanted and (
                    self._clock() - self._last_keyframe >= KEYFRAME_GAP
                )
                if key:
                    self._keyframe_wanted, self._last_keyframe = False, self._clock()
                self._encoding_keyframe = key
                if self._source.kind == "video":  # milliseconds a picture: off the loop
                    packets = await loop.run_in_executor(None, self._codec.encode, frame, key)
                else:
                    packets = self._codec.encode(frame, key)
                self._encoding_keyframe = False
                for packet in packets:
                    for track in list(self._tracks):
                        track.put(packet)
        except MediaStreamError:
            pass
        except Exception:
            log.exception("%s could not be encoded; it ends for every peer", self._source.kind)
        finally:
            for track in list(self._tracks):
                track.put(None)


class EncodedTrack(MediaStreamTrack):
    """One peer's share of a :class:`SharedEncoder`: its packets, in order, from a key frame
    on."""

    def __init__(self, encoder: SharedEncoder, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self._encoder = encoder
        self._packets: deque[Packet | None] = deque()
        self._arrived = asyncio.Event()
        self._need_keyframe = True
        self._asked = False
        self._held = False

    def hold(self, held: bool) -> None:
        """While held (its peer is shut out of a private consultation) nothing is kept for the
        peer; released, the stream starts again at a key frame. Nothing encoded meanwhile ever
        reaches the peer, not even what was waiting when the hold began."""
        if held != self._held:
            self._held = held
            ended = None in self._packets
            self._packets.clear()
            if ended:  # the source's end is kept: the sender must still learn of it
                self._packets.append(None)
            self._need_keyframe, self._asked = True, False

    def request_keyframe(self) -> None:
        """This track's receiver lost a picture (its sender got a PLI)."""
        self._encoder.request_keyframe()

    def put(self, packet: Packet | None) -> None:
        """Take the encoder's next packet (``None``: the source ended)."""
        if packet is not None:
            if self._held:
                return
            if len(self._packets) >= WAITING_PACKETS[self.kind]:  # the sender is not reading
                self._packets.clear()
                self._need_keyframe, self._asked = True, False
            if packet.is_keyframe:
                self._need_keyframe = False
            elif self._need_keyframe:
                return
        self._packets.append(packet)
        self._arrived.set()

    async def recv(self) -> Packet:
        if self._need_keyframe and not self._asked:
            self._asked = True  # asked when read, not while nobody reads (a consultation)
            self._encoder.request_keyframe()
        while not self._packets:
            if self.readyState != "live":
                raise MediaStreamError
            self._arrived.clear()
            await self._arrived.wait()
        packet = self._packets.popleft()
        if packet is None:
            self.stop()
            raise MediaStreamError
        return packet

    def stop(self) -> None:
        super().stop()
        self._encoder.unsubscribe(self)
        self._arrived.set()
