"""Text drawn into the composite with Pillow: captions, labels and the cards of absent parties.

OpenCV's Hershey fonts are ASCII only, so everything that may be Chinese is rendered with
Pillow from a CJK TrueType font, converted to I420 once and then only copied into frames.
Texts that change during a session (the current step, a "signal lost since ..." card) are
rendered when they change and cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from recording.media import yuv

Font = ImageFont.ImageFont | ImageFont.FreeTypeFont

LABEL_FILL = (32, 32, 32)
CARD_FILL = (48, 48, 48)
LOST_FILL = (96, 24, 24)  # dark red (RGB): a party that was there and is gone
TEXT = (255, 255, 255)


def load_font(path: Path | None, px: int) -> ImageFont.FreeTypeFont:
    """The TrueType font at ``path`` at ``px`` pixels, or Pillow's built-in one for None."""
    if path is None:
        return ImageFont.load_default(size=px)  # type: ignore[return-value]
    if not Path(path).is_file():
        raise FileNotFoundError(f"label font not found: {path}")
    return ImageFont.truetype(str(path), px)


def render_label(text: str, font: Font, fill: tuple[int, int, int] = LABEL_FILL) -> np.ndarray:
    """Render ``text`` in white on a dark box; returns a BGR uint8 image."""
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    pad = 4
    image = Image.new("RGB", (right - left + 2 * pad, bottom - top + 2 * pad), fill)
    ImageDraw.Draw(image).text((pad - left, pad - top), text, font=font, fill=TEXT)
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


def render_card(
    size: tuple[int, int],
    text: str | Sequence[str],
    font: Font,
    fill: tuple[int, int, int] = CARD_FILL,
) -> np.ndarray:
    """A card of ``size`` (w, h) with the line(s) of ``text`` centred; BGR uint8."""
    lines = [text] if isinstance(text, str) else list(text)
    w, h = size
    image = Image.new("RGB", (w, h), fill)
    draw = ImageDraw.Draw(image)
    boxes = [tuple(int(v) for v in font.getbbox(line)) for line in lines]
    widest = max((b[2] - b[0] for b in boxes), default=0)
    if widest > w - 8 and isinstance(font, ImageFont.FreeTypeFont):
        # Long lines (a reason, a time) get a smaller face rather than being cut off.
        font = font.font_variant(size=max(8, int(font.size * (w - 8) / widest)))
        boxes = [tuple(int(v) for v in font.getbbox(line)) for line in lines]
    line_h = max((b[3] - b[1] for b in boxes), default=0) * 3 // 2
    y = (h - line_h * len(lines)) // 2
    for line, (left, top, right, _) in zip(lines, boxes, strict=True):
        x = max(2, (w - (right - left)) // 2 - left)
        draw.text((x, y - top), line, font=font, fill=TEXT)
        y += line_h
    return np.ascontiguousarray(np.asarray(image)[:, :, ::-1])


class PlaneCache:
    """The last few rendered texts as I420 planes, keyed by what they show."""

    def __init__(self, keep: int = 16) -> None:
        self._keep = keep
        self._items: OrderedDict[Hashable, yuv.Planes] = OrderedDict()

    def get(self, key: Hashable, render: Callable[[], np.ndarray]) -> yuv.Planes:
        """The planes for ``key``, rendering the BGR image with ``render`` on a miss."""
        planes = self._items.get(key)
        if planes is None:
            planes = yuv.from_bgr(render())[1]
            self._items[key] = planes
            while len(self._items) > self._keep:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return planes
