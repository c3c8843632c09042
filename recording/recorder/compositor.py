"""The composite picture of a session: the suspect large, the other parties as labelled tiles.

Theory of operation: the layout is planned once from the list of roles. The suspect (or, if
there is none, the first role) fills the main area on the left, keeping its aspect ratio; a
second camera on the suspect's side (role ``suspect_room``: the whole room) is set into the
main area's lower right corner as a picture-in-picture; the others are stacked as tiles in the
column on the right. Under the main area a dark band carries, on its first line, the case
number and the current session step, and on its second the suspect's label, the date and time
and the elapsed session time, so no part of the suspect's picture is ever covered by text.

Captions and cards are rendered with Pillow (:mod:`recording.recorder.cards`) and cached. The clock
text changes every frame and is ASCII, so it is drawn with ``cv2.putText``, which is fast (well
under a millisecond at 1280x720). The picture is built in I420, the encoder's format (see
:mod:`recording.media.yuv`), which saves a full-frame conversion.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from recording.media import yuv
from recording.recorder.cards import (
    LOST_FILL,
    PlaneCache,
    load_font,
    render_card,
    render_label,
)

__all__ = [
    "NO_SIGNAL_ASCII",
    "NO_SIGNAL_ZH",
    "ROLE_CAPTIONS_ZH",
    "ROOM_ROLE",
    "Compositor",
    "Layout",
    "Rect",
    "caption_for",
    "clock_text",
    "elapsed_text",
    "render_card",
    "render_label",
]

#: Chinese captions of the roles PleaDesk knows; any other role is captioned with its name.
ROLE_CAPTIONS_ZH: Mapping[str, str] = {
    "suspect": "犯罪嫌疑人",
    "suspect_room": "全景",
    "prosecutor": "检察官",
    "lawyer": "值班律师",
    "guardian": "法定代理人",
    "interpreter": "翻译人员",
    "technician": "技术人员",
}

#: The role of the suspect-side room camera, shown as a picture-in-picture.
ROOM_ROLE = "suspect_room"
NO_SIGNAL_ZH = "无信号 / no signal"
NO_SIGNAL_ASCII = "no signal"
MIN_SIZE = (704, 576)

_BACKGROUND = (16, 16, 16)
_BAND_FILL = (24, 24, 24)
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
    """Where each party's picture, the room view and the time band go in the output picture."""

    size: tuple[int, int]
    main_role: str
    main: Rect
    band: Rect
    tiles: tuple[tuple[str, Rect], ...]
    pip: tuple[str, Rect] | None = None

    @property
    def areas(self) -> tuple[tuple[str, Rect], ...]:
        """Every party's area: the main picture, the room view if any, then the tiles."""
        pip = (self.pip,) if self.pip else ()
        return ((self.main_role, self.main), *pip, *self.tiles)

    @classmethod
    def plan(cls, roles: Sequence[str], size: tuple[int, int]) -> Layout:
        """Plan the layout: suspect (or the first role) large on the left, others on the right."""
        if not roles:
            raise ValueError("a composite recording needs at least one role")
        if len(set(roles)) != len(roles):
            raise ValueError(f"roles must be distinct, got {list(roles)}")
        width, height = size
        main_role = "suspect" if "suspect" in roles else roles[0]
        has_room = ROOM_ROLE in roles and main_role != ROOM_ROLE
        others = [r for r in roles if r not in (main_role, ROOM_ROLE if has_room else None)]
        main_w = (width * 3 // 4) // 2 * 2
        band_h = _band_rows(height)[0] + _band_rows(height)[1]
        main = Rect(0, 0, main_w, height - band_h)
        band = Rect(0, height - band_h, main_w, band_h)
        pip = None
        if has_room:
            pw, ph = main_w // 4 // 2 * 2, main_w // 4 * 3 // 4 // 2 * 2
            pip = (ROOM_ROLE, Rect(main_w - pw - 8, main.h - ph - 8, pw, ph))
        # At least three slots, so one or two other parties still get 4:3 tiles (320x240).
        slots = max(3, len(others))
        tile_h = height // slots // 2 * 2
        tiles = tuple(
            (role, Rect(main_w, k * tile_h, width - main_w, tile_h))
            for k, role in enumerate(others)
        )
        return cls(size, main_role, main, band, tiles, pip)


def _band_rows(height: int) -> tuple[int, int]:
    """Heights of the band's caption line and clock line."""
    return max(20, height // 26) // 2 * 2, max(24, height // 20) // 2 * 2


def caption_for(role: str, *, chinese: bool) -> str:
    """The caption shown for ``role``: Chinese where known and a CJK font is available."""
    if chinese:
        return ROLE_CAPTIONS_ZH.get(role, role)
    return role


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
        self.chinese = label_font is not None
        caption_h, clock_h = _band_rows(height)
        self._label_face = load_font(label_font, max(12, height // 36))
        self._caption_face = load_font(label_font, max(12, caption_h * 2 // 3))
        self._card_face = load_font(label_font, max(12, height // 30))
        self._labels = {
            role: yuv.from_bgr(
                render_label(caption_for(role, chinese=self.chinese), self._label_face)
            )[1]
            for role in roles
        }
        card_text = NO_SIGNAL_ZH if self.chinese else NO_SIGNAL_ASCII
        self._areas = self.layout.areas
        self._cards = {
            role: yuv.from_bgr(render_card((rect.w, rect.h), card_text, self._card_face))[1]
            for role, rect in self._areas
        }
        self._texts = PlaneCache()
        background = np.full((height, width, 3), _BACKGROUND, np.uint8)
        band = self.layout.band
        background[band.y : band.y + band.h, band.x : band.x + band.w] = _BAND_FILL
        self._background = yuv.from_bgr(background)[0]
        self._caption_h, self._clock_h = caption_h, clock_h
        self._text_scale = clock_h / 50
        self._scaled: dict[str, tuple[np.ndarray, yuv.Planes]] = {}

    def compose(
        self,
        pictures: Mapping[str, np.ndarray | None],
        elapsed: float,
        wall_time: float,
        *,
        caption: str = "",
        cards: Mapping[str, Sequence[str]] | None = None,
    ) -> np.ndarray:
        """Return the output picture for one instant as an I420 buffer (``h * 3 // 2`` x ``w``).

        ``pictures`` maps a role to its BGR or I420 picture, or to None (or no entry) for a
        party with no current picture. Such a party shows its entry in ``cards`` (lines of
        text, e.g. "signal lost" and since when) on a dark red card, or else the "no signal"
        card. ``caption`` (case number and step) is shown on the band's first line,
        ``wall_time`` (Unix seconds) as the local date and time, ``elapsed`` (seconds) as
        ``HH:MM:SS``. Use :func:`recording.media.yuv.to_bgr` to look at the result.
        """
        buffer = self._background.copy()
        canvas = yuv.planes_of(buffer)
        cards = cards or {}
        for role, rect in self._areas:
            picture = pictures.get(role)
            if picture is None:
                yuv.paste(canvas, self._card(role, rect, cards.get(role)), rect.x, rect.y)
            else:
                scaled = self._scale(role, picture, rect)
                x = rect.x + (rect.w - scaled.width) // 2
                y = rect.y + (rect.h - scaled.height) // 2
                yuv.paste(canvas, scaled, x, y)
            if role != self.layout.main_role:
                yuv.paste(canvas, self._labels[role], rect.x, rect.y)
        if self.layout.pip is not None:
            _frame(canvas, self.layout.pip[1])
        self._draw_band(canvas, elapsed, wall_time, caption)
        return buffer

    def _card(self, role: str, rect: Rect, lines: Sequence[str] | None) -> yuv.Planes:
        if not lines:
            return self._cards[role]
        key = ("card", role, tuple(lines))
        return self._texts.get(
            key, lambda: render_card((rect.w, rect.h), list(lines), self._card_face, LOST_FILL)
        )

    def _scale(self, role: str, picture: np.ndarray, rect: Rect) -> yuv.Planes:
        cached = self._scaled.get(role)
        # Identity, not equality: the cache keeps the source alive, so its id cannot be reused.
        if cached is not None and cached[0] is picture:
            return cached[1]
        scaled = yuv.fit(picture, rect.w, rect.h)
        self._scaled[role] = (picture, scaled)
        return scaled

    def _draw_band(
        self, canvas: yuv.Planes, elapsed: float, wall_time: float, caption: str
    ) -> None:
        band = self.layout.band
        if caption:
            text = self._texts.get(
                ("caption", caption),
                lambda: render_label(caption, self._caption_face, fill=_BAND_FILL),
            )
            y = band.y + max(0, (self._caption_h - text.height) // 2)
            yuv.paste(canvas, text, band.x + 8, y)
        top = band.y + self._caption_h
        label = self._labels[self.layout.main_role]
        x = band.x + 8
        yuv.paste(canvas, label, x, top + max(0, (self._clock_h - label.height) // 2))
        # Text is drawn on the luma plane only: white and grey need no colour.
        font, scale, thickness = cv2.FONT_HERSHEY_SIMPLEX, self._text_scale, 2
        (_, text_h), _ = cv2.getTextSize("0", font, scale, thickness)
        baseline_y = top + (self._clock_h + text_h) // 2
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


def _frame(canvas: yuv.Planes, rect: Rect) -> None:
    """A 2-pixel grey border around ``rect``, so the room view stands apart from the main one."""
    x0, y0, x1, y1 = rect.x - 2, rect.y - 2, rect.x + rect.w, rect.y + rect.h
    cv2.rectangle(canvas.y, (x0, y0), (x1 + 1, y1 + 1), 160, 2)
    cv2.rectangle(canvas.u, (x0 // 2, y0 // 2), (x1 // 2, y1 // 2), 128, 1)
    cv2.rectangle(canvas.v, (x0 // 2, y0 // 2), (x1 // 2, y1 // 2), 128, 1)
