"""Synthetic camera and microphone tracks, for the demo, tests and stations with no devices.

Each track is an aiortc ``MediaStreamTrack`` paced on a grid (25 fps video, 20 ms audio)
against an injected clock. The picture is a dark moving test pattern carrying the party's role,
so anyone looking at a recording can tell who is who; the sound is quiet noise with a short
tone once a second, pitched per party.

With ``clapper=True`` the tracks follow the clapper protocol (:mod:`recording.media.clapper`) on the
*session* clock: pass ``session_time``, the station's estimate of session time, and the grid is
laid on whole multiples of the frame period of session time, so whole session seconds line up
across processes. Every frame's capture time in session time is kept:
``track.capture_time(frame.pts)`` says when the picture or sound was "taken".

Every picture also carries its capture time as a *timecode*: a strip of large black and white
cells across the top, above the role's name, that a receiver reads back from the decoded
picture with :func:`read_timecode`. The time is read from ``timecode_clock``, by default
``time.monotonic`` (CLOCK_MONOTONIC, one clock for every process on a machine), so a station
can measure how long a picture took from "camera" to screen — glass-to-glass latency —
without trusting any clock synchronization. The cells are 20x16 pixels at 640x480, far larger
than anything a video encoder at a few hundred kbit/s smears, and a CRC-16 over the value means
a damaged code reads as None instead of as a wrong time.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from collections.abc import Awaitable, Callable

import cv2
import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame, VideoFrame

from recording.media import clapper as cl
from recording.media.stamps import CaptureStamps

VIDEO_CLOCK_RATE = 90_000
AUDIO_RATE = 48_000
AUDIO_PTIME = 0.020
ROLE_INDEX = cl.FIXED_INDEX

#: The timecode's cells: this many columns across the picture, this many rows down from the top.
TIMECODE_COLUMNS = 32
TIMECODE_ROWS = 2
#: A cell is 1/30 of the picture high (16 pixels at 480 lines).
_CELL_HEIGHT_PARTS = 30
#: The timecode counts in units of 100 µs, modulo 2**48 (about 890 years).
TIMECODE_TICK = 1e-4
_TIME_BITS = 48
_CHECK_BITS = 16
#: Luma at or below DARK reads as 0, at or above BRIGHT as 1; a cell in between is damaged.
_DARK, _BRIGHT = 96, 160
#: Pixel formats whose first plane is luma, read without conversion.
_LUMA_FIRST = frozenset({"yuv420p", "yuvj420p", "yuv422p", "yuv444p", "nv12", "gray"})


class _PacedTrack(MediaStreamTrack):
    """A track that hands out frame ``n`` (session time ``n * period``) once the clock is there.

    The first frame is the next whole multiple of the period after the clock's first reading.
    ``clock`` is session time when the track follows the session clock (clapper), else any
    monotonic clock.
    """

    def __init__(
        self,
        period: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        super().__init__()
        self._period = period
        self._clock = clock
        self._sleep = sleep
        self._first: int | None = None
        self._index = 0
        self.stamps = CaptureStamps()

    async def _next_slot(self) -> tuple[int, int, float]:
        """(count since the first frame, grid index, session time) of the next frame."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._first is None:
            self._first = math.ceil(self._clock() / self._period - 1e-6)
        grid = self._first + self._index
        due = grid * self._period
        delay = due - self._clock()
        if delay > 0:
            await self._sleep(delay)
        count = self._index
        self._index += 1
        return count, grid, due

    def capture_time(self, pts: int) -> float | None:
        """The session time at which the frame with ``pts`` was captured (None: unknown)."""
        return self.stamps.capture_time(pts)


class SyntheticVideoTrack(_PacedTrack):
    """A moving test pattern with the party's role name, 640x480 at 25 fps by default.

    ``session_time`` (preferred) paces the track on the session clock; ``clock`` is the older
    name for the same thing. With ``clapper=True`` the picture is white for 40 ms at the
    party's clapper seconds; ``party`` overrides the clapper index taken from the role.
    ``timecode_clock`` is read as each frame is "captured" and drawn into it (see the module
    docstring).
    """

    kind = "video"

    def __init__(
        self,
        role: str,
        *,
        size: tuple[int, int] = (640, 480),
        fps: int = 25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        session_time: Callable[[], float] | None = None,
        clapper: bool = False,
        party: int | None = None,
        timecode_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(1 / fps, session_time or clock, sleep)
        self.role = role
        self.party = cl.party_index(role) if party is None else party
        self.clapper = clapper
        self._fps = fps
        self._size = size
        self._background = _i420(_pattern(size, self.party))
        mask = _name_mask(role, size)
        self._name_pixels = np.flatnonzero(mask)
        half = (size[0] // 2, size[1] // 2)
        half_mask = cv2.resize(mask * np.uint8(255), half, interpolation=cv2.INTER_AREA)
        self._name_blocks = np.flatnonzero(half_mask >= 128)
        self._white = _i420(np.full((size[1], size[0], 3), 255, np.uint8))
        bar = _i420(np.full((2, 2, 3), _BAR, np.uint8))
        self._bar = [int(plane[0, 0]) for plane in _planes(bar, (2, 2))]
        self._timecode_clock = timecode_clock
        self._strip_size = (size[0], round(size[1] * TIMECODE_ROWS / _CELL_HEIGHT_PARTS))

    async def recv(self) -> VideoFrame:
        """The next frame, paced to the frame rate, with its capture time drawn in."""
        count, grid, t = await self._next_slot()
        # Drawn in yuv420p, the encoders' format, as a camera's capture thread hands it over:
        # a relayed frame reaches several encoder threads at once, and converting one shared
        # frame in each crashes swscale. (Drawing it in BGR and converting took 1.4 ms a frame
        # of the station's event loop; this takes a fraction of that.)
        picture = self.render_i420(grid, timecode=self._timecode_clock())
        frame = VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts = count * VIDEO_CLOCK_RATE // self._fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_RATE)
        self.stamps.record(frame.pts, t)
        return frame

    def render(self, index: int, timecode: float | None = None) -> np.ndarray:
        """Frame ``index`` of the grid (session time ``index / fps``) as a BGR image.

        The pattern drifts and a bar sweeps across; at the party's clapper instants the whole
        picture is white. With ``timecode`` (seconds) the strip at the top carries it.
        """
        return cv2.cvtColor(self.render_i420(index, timecode), cv2.COLOR_YUV2BGR_I420)

    def render_i420(self, index: int, timecode: float | None = None) -> np.ndarray:
        """:meth:`render`'s picture in I420: the luma plane, then the two chroma planes at half
        size, in one array of 1.5 times the picture's height."""
        if self.clapper and cl.flash_at(self.party, index / self._fps):
            picture = self._white.copy()
        else:
            picture = self._pattern_at(index)
        if timecode is not None:
            luma, blue, red = _planes(picture, self._size)
            cells = _timecode_bits(timecode) * np.uint8(255)
            luma[: self._strip_size[1]] = cv2.resize(
                cells, self._strip_size, interpolation=cv2.INTER_NEAREST
            )
            rows = -(-self._strip_size[1] // 2)
            blue[:rows] = red[:rows] = _NEUTRAL
        return picture

    def _pattern_at(self, index: int) -> np.ndarray:
        """The moving test pattern with the role's name and the running time."""
        width, height = self._size
        picture = np.empty_like(self._background)
        planes = _planes(picture, self._size)
        # The pattern drifts 2 pixels a frame: the chroma planes, at half size, 1.
        for plane, source, shift in zip(
            planes,
            _planes(self._background, self._size),
            (index * 2 % width, index % (width // 2), index % (width // 2)),
            strict=True,
        ):
            plane[:, shift:] = source[:, : plane.shape[1] - shift]
            plane[:, :shift] = source[:, plane.shape[1] - shift :]
        luma, blue, red = planes
        luma.reshape(-1)[self._name_pixels] = _NAME
        blue.reshape(-1)[self._name_blocks] = red.reshape(-1)[self._name_blocks] = _NEUTRAL
        x, text = (index * 8) % width, f"{index / self._fps:8.2f}s"
        for plane, bar, ink, half in (
            (luma, self._bar[0], _TEXT, 1),
            (blue, self._bar[1], _NEUTRAL, 2),
            (red, self._bar[2], _NEUTRAL, 2),
        ):
            corners = (x // half, (height - 60) // half), ((x + 40) // half, (height - 20) // half)
            cv2.rectangle(plane, *corners, bar, -1)
            cv2.putText(
                plane,
                text,
                (20 // half, (height - 28) // half),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.8 / half,
                ink,
                2 // half,
                cv2.LINE_AA,
            )
        return picture


class SyntheticAudioTrack(_PacedTrack):
    """Quiet noise with a tone once a second, 48 kHz mono, in 20 ms frames.

    Without the clapper the tone lasts 100 ms at the start of every second of the track; with
    ``clapper=True`` it follows the clapper protocol on the session clock.
    """

    kind = "audio"

    def __init__(
        self,
        role: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        session_time: Callable[[], float] | None = None,
        clapper: bool = False,
        party: int | None = None,
    ) -> None:
        super().__init__(AUDIO_PTIME, session_time or clock, sleep)
        self.role = role
        self.party = cl.party_index(role) if party is None else party
        self.clapper = clapper
        self._samples = int(AUDIO_RATE * AUDIO_PTIME)
        self._pitch = 440.0 * (1 + self.party / 2)
        self._noise = np.random.default_rng(self.party)

    async def recv(self) -> AudioFrame:
        """The next 20 ms of sound, paced in real time."""
        count, grid, t = await self._next_slot()
        samples = self.render(grid if self.clapper else count)
        frame = AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = count * self._samples
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self.stamps.record(frame.pts, t)
        return frame

    def render(self, index: int) -> np.ndarray:
        """Chunk ``index`` as int16 samples (with the clapper: chunk ``index`` of session time)."""
        start = index * self._samples
        if self.clapper:
            return cl.render_audio(self.party, start, self._samples, AUDIO_RATE, self.party)
        t = (start + np.arange(self._samples)) / AUDIO_RATE
        signal = self._noise.normal(0, 60, self._samples)
        in_tone = (t % 1.0) < 0.1
        signal += in_tone * 6000 * np.sin(2 * np.pi * self._pitch * t)
        return signal.astype(np.int16)


def read_timecode(picture: np.ndarray | VideoFrame) -> float | None:
    """The capture time drawn into a synthetic picture, in seconds; None if unreadable.

    ``picture`` is a decoded frame or its luma (Y) plane as a 2-D array; a BGR image also
    does. Only the cell centres are looked at, placed relative to the picture's size, so
    coding noise at cell edges and scaling do not matter. A cell that is neither clearly dark
    nor clearly bright, or a check that does not match (CRC-16: every error of up to three
    cells, and every run of wrong cells up to 16 long, is caught), gives None: a damaged code
    is never read as another time. The value is exact to ``TIMECODE_TICK`` and wraps every
    2**48 ticks.
    """
    luma = _luma(picture)
    height, width = luma.shape
    cell_h, cell_w = height / _CELL_HEIGHT_PARTS, width / TIMECODE_COLUMNS
    # Nine points in the middle half of each cell, clear of the edges a codec blurs.
    spread = np.array([-0.25, 0.0, 0.25])
    ys = ((np.arange(TIMECODE_ROWS)[:, None] + 0.5 + spread) * cell_h).astype(int)
    xs = ((np.arange(TIMECODE_COLUMNS)[:, None] + 0.5 + spread) * cell_w).astype(int)
    samples = luma[ys[:, None, :, None], xs[None, :, None, :]].astype(np.float32)
    levels = samples.mean(axis=(2, 3)).ravel()
    if np.any((levels > _DARK) & (levels < _BRIGHT)):
        return None
    bits = levels >= _BRIGHT
    value = int.from_bytes(np.packbits(bits[:_TIME_BITS]).tobytes(), "big")
    check = int.from_bytes(np.packbits(bits[_TIME_BITS:]).tobytes(), "big")
    if check != _crc16(value.to_bytes(_TIME_BITS // 8, "big")):
        return None
    return value * TIMECODE_TICK


def _timecode_bits(seconds: float) -> np.ndarray:
    """The timecode's cells (1 bright, 0 dark) as a ``TIMECODE_ROWS x TIMECODE_COLUMNS`` grid:
    the time in ticks, most significant bit first, then its CRC-16."""
    value = round(seconds / TIMECODE_TICK) % (1 << _TIME_BITS)
    payload = value.to_bytes(_TIME_BITS // 8, "big")
    word = payload + _crc16(payload).to_bytes(_CHECK_BITS // 8, "big")
    bits = np.unpackbits(np.frombuffer(word, np.uint8))
    return bits.reshape(TIMECODE_ROWS, TIMECODE_COLUMNS)


def _luma(picture: np.ndarray | VideoFrame) -> np.ndarray:
    """The picture's luma plane, without copying it where the frame already has one."""
    if isinstance(picture, VideoFrame):
        if picture.format.name in _LUMA_FIRST:
            plane = picture.planes[0]
            rows = np.frombuffer(memoryview(plane), np.uint8).reshape(plane.height, plane.line_size)
            return rows[:, : plane.width]
        return picture.to_ndarray(format="gray")
    if picture.ndim == 3:
        # BGR (what ``render`` draws); the timecode is black and white, so any channel will do.
        return picture[..., 1]
    return picture


def _crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


#: The sweeping bar's colour (BGR), the role name's and the running time's luma, and chroma's
#: middle value (no colour).
_BAR = (0, 200, 255)
_NAME, _TEXT, _NEUTRAL = 235, 220, 128


def _i420(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)


def _planes(i420: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of an I420 picture's luma plane and its two chroma planes."""
    width, height = size
    chroma = i420[height:].reshape(2, height // 2, width // 2)
    return i420[:height], chroma[0], chroma[1]


def _pattern(size: tuple[int, int], index: int) -> np.ndarray:
    """A dark gradient with a grid, tinted per party."""
    width, height = size
    x = np.linspace(0, 1, width, dtype=np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    tint = min(index, 4) / 4
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = (40 + 50 * x * (1 - tint) + 0 * y).astype(np.uint8)
    image[..., 1] = (30 + 40 * y * tint + 0 * x).astype(np.uint8)
    image[..., 2] = (30 + 50 * (1 - x) * tint + 20 * y).astype(np.uint8)
    image[::40, :] = 70
    image[:, ::40] = 70
    return image


def _name_mask(role: str, size: tuple[int, int]) -> np.ndarray:
    """Where the role's name is written, centred; it stays still while the pattern moves."""
    width, height = size
    scale = width / 320
    mask = np.zeros((height, width), np.uint8)
    (text_w, text_h), _ = cv2.getTextSize(role.upper(), cv2.FONT_HERSHEY_DUPLEX, scale, 3)
    origin = ((width - text_w) // 2, (height + text_h) // 2)
    cv2.putText(mask, role.upper(), origin, cv2.FONT_HERSHEY_DUPLEX, scale, 255, 3)
    return mask.astype(bool)
