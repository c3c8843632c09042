"""The composite picture of a session: the suspect large, the other parties as labelled tiles.

Theory of operation: the layout is planned once from the list of roles. The suspect (or, if
there is none, the first role) fills the main area on the left, keeping its aspect ratio; the
others are stacked as tiles in the column on the right. Under the main area a dark band carries
the suspect's label, the date and time and the elapsed session time, so no part of the
suspect's picture is ever covered by text.

Chinese labels cannot be drawn with OpenCV's Hershey fonts (ASCII only), so every label and
the "no signal" card are rendered once with Pillow from a CJK TrueType font and then only
copied into each frame. The clock text changes every frame and is ASCII, so it is drawn with
``cv2.putText``, which is fast (well under a millisecond at 1280x720). The picture is built in
I420, the encoder's format (see :mod:`recording.yuv`), which saves a full-frame conversion.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from recording import yuv

#: Chinese captions of the roles PleaDesk knows; any other role is captioned with its name.
ROLE_CAPTIONS_ZH: Mapping[str, str] = {
    "suspect": "犯罪嫌疑人",
    "prosecutor": "检察官",
    "lawyer": "值班律师",
    "guardian": "法定代理人",
    "interpreter": "翻译人员",
    "technician": "技术人员",
}

NO_SIGNAL_ZH = "无信号 / no signal"
NO_SIGNAL_ASCII = "no signal"

_BACKGROUND = (16, 16, 16)
_NO_SIGNAL_FILL = (48, 48, 48)
_BAND_FILL = (24, 24, 24)
_LABEL_FILL = (32, 32, 32)
_TEXT = (255, 255, 255)
_TEXT_LUMA = 235  # white in limited-range luma


@dataclass(frozen=True)
class Rect:
    """An axis-aligned area of the output picture, in pixels."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class Layout:
    """Where each party's picture and the time band go in the output picture."""

    size: tuple[int, int]
    main_role: str
    main: Rect
    band: Rect
    tiles: tuple[tuple[str, Rect], ...]

    @classmethod
    def plan(cls, roles: Sequence[str], size: tuple[int, int]) -> Layout:
        """Plan the layout: suspect (or the first role) large on the left, others on the right."""
        if not roles:
            raise ValueError("a composite recording needs at least one role")
        if len(set(roles)) != len(roles):
            raise ValueError(f"roles must be distinct, got {list(roles)}")
        width, height = size
        main_role = "suspect" if "suspect" in roles else roles[0]
        others = [r for r in roles if r != main_role]
        main_w = (width * 3 // 4) // 2 * 2
        band_h = max(24, height // 20) // 2 * 2
        main = Rect(0, 0, main_w, height - band_h)
        band = Rect(0, height - band_h, main_w, band_h)
        # At least three slots, so one or two other parties still get 4:3 tiles (320x240).
        slots = max(3, len(others))
        tile_h = height // slots // 2 * 2
        tiles = tuple(
            (role, Rect(main_w, k * tile_h, width - main_w, tile_h))
            for k, role in enumerate(others)
        )
        return cls(size, main_role, main, band, tiles)


def caption_for(role: str, *, chinese: bool) -> str:
    """The caption shown for ``role``: Chinese where known and a CJK font is available."""
    if chinese:
        return ROLE_CAPTIONS_ZH.get(role, role)
    return role


def render_label(text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> np.ndarray:
    """Render ``text`` in white on a dark box; returns a BGR uint8 image."""
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    pad = 4
    image = Image.new("RGB", (right - left + 2 * pad, bottom - top + 2 * pad), _LABEL_FILL)
    ImageDraw.Draw(image).text((pad - left, pad - top), text, font=font, fill=_TEXT)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def render_card(size: tuple[int, int], text: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    """A dark card of ``size`` (w, h) with ``text`` centred; the picture of a silent party."""
    w, h = size
    image = Image.new("RGB", (w, h), _NO_SIGNAL_FILL)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    x = (w - (right - left)) // 2 - left
    y = (h - (bottom - top)) // 2 - top
    ImageDraw.Draw(image).text((x, y), text, font=font, fill=_TEXT)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def _load_font(path: Path | None, px: int) -> ImageFont.FreeTypeFont:
    if path is None:
        return ImageFont.load_default(size=px)  # type: ignore[return-value]
    if not Path(path).is_file():
        raise FileNotFoundError(f"label font not found: {path}")
    return ImageFont.truetype(str(path), px)


def clock_text(wall_time: float) -> str:
    """Local date and time with milliseconds, e.g. ``2026-11-22 14:03:07.120``."""
    millis = int(np.floor(wall_time * 1000 + 1e-6))
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds)) + f".{ms:03d}"


def elapsed_text(seconds: float) -> str:
    """Elapsed time as ``HH:MM:SS`` (hours may exceed 99 but never wrap)."""
    total = max(0, int(np.floor(seconds + 1e-6)))
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"


class Compositor:
    """Builds one output picture, in I420, from each party's latest picture.

    Not thread-safe: one writer thread owns it. Scaled pictures are cached per role, so a party
    whose picture did not change since the last output frame costs only a copy.
    """

    def __init__(
        self,
        roles: Sequence[str],
        *,
        label_font: Path | None,
        size: tuple[int, int] = (1280, 720),
    ) -> None:
        width, height = size
        if width % 4 or height % 4:
            raise ValueError(f"the picture size must be a multiple of 4, got {width}x{height}")
        self.layout = Layout.plan(roles, size)
        chinese = label_font is not None
        label_face = _load_font(label_font, max(12, height // 36))
        card_face = _load_font(label_font, max(12, height // 30))
        self._labels = {
            role: yuv.from_bgr(render_label(caption_for(role, chinese=chinese), label_face))[1]
            for role in roles
        }
        card_text = NO_SIGNAL_ZH if chinese else NO_SIGNAL_ASCII
        self._areas = ((self.layout.main_role, self.layout.main), *self.layout.tiles)
        self._cards = {
            role: yuv.from_bgr(render_card((rect.w, rect.h), card_text, card_face))[1]
            for role, rect in self._areas
        }
        background = np.full((height, width, 3), _BACKGROUND, np.uint8)
        band = self.layout.band
        background[band.y : band.y + band.h, band.x : band.x + band.w] = _BAND_FILL
        self._background = yuv.from_bgr(background)[0]
        self._text_scale = band.h / 50
        self._scaled: dict[str, tuple[np.ndarray, yuv.Planes]] = {}

    def compose(
        self,
        pictures: Mapping[str, np.ndarray | None],
        elapsed: float,
        wall_time: float,
    ) -> np.ndarray:
        """Return the output picture for one instant as an I420 buffer (``h * 3 // 2`` x ``w``).

        ``pictures`` maps a role to its BGR picture, or to None (or no entry) for a party with no
        current picture, which is shown as a "no signal" card. ``elapsed`` (seconds) is shown as
        ``HH:MM:SS``, ``wall_time`` (Unix seconds) as the local date and time. Use
        :func:`recording.yuv.to_bgr` to look at the result.
        """
        buffer = self._background.copy()
        canvas = yuv.planes_of(buffer)
        for role, rect in self._areas:
            picture = pictures.get(role)
            if picture is None:
                yuv.paste(canvas, self._cards[role], rect.x, rect.y)
            else:
                scaled = self._scale(role, picture, rect)
                x = rect.x + (rect.w - scaled.width) // 2
                y = rect.y + (rect.h - scaled.height) // 2
                yuv.paste(canvas, scaled, x, y)
            if role != self.layout.main_role:
                yuv.paste(canvas, self._labels[role], rect.x, rect.y)
        self._draw_band(canvas, elapsed, wall_time)
        return buffer

    def _scale(self, role: str, picture: np.ndarray, rect: Rect) -> yuv.Planes:
        cached = self._scaled.get(role)
        # Identity, not equality: the cache keeps the source alive, so its id cannot be reused.
        if cached is not None and cached[0] is picture:
            return cached[1]
        scaled = yuv.fit(picture, rect.w, rect.h)
        self._scaled[role] = (picture, scaled)
        return scaled

    def _draw_band(self, canvas: yuv.Planes, elapsed: float, wall_time: float) -> None:
        band = self.layout.band
        label = self._labels[self.layout.main_role]
        x = band.x + 8
        yuv.paste(canvas, label, x, band.y + max(0, (band.h - label.height) // 2))
        # Text is drawn on the luma plane only: white and grey need no colour.
        font, scale, thickness = cv2.FONT_HERSHEY_SIMPLEX, self._text_scale, 2
        (_, text_h), _ = cv2.getTextSize("0", font, scale, thickness)
        baseline_y = band.y + (band.h + text_h) // 2
        x += label.width + 16
        cv2.putText(
            canvas.y, clock_text(wall_time), (x, baseline_y), font, scale, _TEXT_LUMA, thickness,
            cv2.LINE_AA,
        )  # fmt: skip
        clock = elapsed_text(elapsed)
        (clock_w, _), _ = cv2.getTextSize(clock, font, scale, thickness)
        cv2.putText(
            canvas.y, clock, (band.x + band.w - clock_w - 12, baseline_y), font, scale,
            _TEXT_LUMA, thickness, cv2.LINE_AA,
        )  # fmt: skip
