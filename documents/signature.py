"""Handwritten signatures as pen strokes, their wire format, and rendering to PNG.

A signature is kept as the strokes the pen drew (position, time, pressure), not as a picture:
the strokes are what the signing pad sends, they are small, and the timing is part of what makes
a handwritten signature attributable. The picture is derived (:func:`render_png`) when the
agreement PDF is made.

Wire format (``to_json`` / ``from_json``)::

    {"role": str, "width": int, "height": int, "strokes": [[[x, y, t, pressure], ...], ...],
     "document_sha256": str}            # optional

``x``/``y`` are pad pixels (origin top left), ``t`` seconds since the first point, ``pressure``
0..1. ``document_sha256`` is the SHA-256 (hex) of the PDF the signer saw while signing: the
signature is applied only to exactly those bytes. Input from the network is bounded (strokes,
points, pad size) before anything is built.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

MAX_STROKES = 200
MAX_POINTS = 20_000
MAX_PAD_SIDE = 4096
MAX_ROLE_LENGTH = 32

_WIRE_KEYS = frozenset({"role", "width", "height", "strokes"})
_WIRE_KEYS_OPTIONAL = _WIRE_KEYS | {"document_sha256"}
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SUPERSAMPLE = 3  # Pillow lines are not antialiased: draw larger, then average down.
_INK = (18, 24, 64)  # blue-black, like a gel pen


class SignatureError(ValueError):
    """A signature received from a pad or a file is malformed or out of bounds."""


@dataclass(frozen=True)
class SignaturePoint:
    """One pen sample: pad pixels, seconds since the first point, pressure 0..1."""

    x: float
    y: float
    t: float
    pressure: float


@dataclass(frozen=True)
class Signature:
    """A handwritten signature by one party (``role``, e.g. "suspect") on a pad of given size."""

    role: str
    width: int
    height: int
    strokes: tuple[tuple[SignaturePoint, ...], ...]
    #: SHA-256 (hex) of the PDF shown while signing; empty if not bound to a document.
    document_sha256: str = ""

    def __post_init__(self) -> None:
        if self.document_sha256 and not (
            isinstance(self.document_sha256, str) and _SHA256.fullmatch(self.document_sha256)
        ):
            raise SignatureError(
                "The document hash sent with the signature is not a SHA-256 hex digest."
            )
        if not isinstance(self.role, str) or not 0 < len(self.role) <= MAX_ROLE_LENGTH:
            raise SignatureError(f"The signer role {self.role!r} is not valid.")
        for side in (self.width, self.height):
            if not isinstance(side, int) or isinstance(side, bool) or not 0 < side <= MAX_PAD_SIDE:
                raise SignatureError(
                    f"The signing pad size {self.width!r}×{self.height!r} is not valid "
                    f"(1 to {MAX_PAD_SIDE} pixels a side); check the pad settings."
                )
        _check_counts(len(self.strokes), sum(len(s) for s in self.strokes))
        last_t = 0.0
        for stroke in self.strokes:
            if not stroke:
                raise SignatureError("The signature contains an empty stroke; sign again.")
            for p in stroke:
                last_t = self._check_point(p, last_t)

    def _check_point(self, p: SignaturePoint, last_t: float) -> float:
        values = (p.x, p.y, p.t, p.pressure)
        if not all(isinstance(v, float | int) and math.isfinite(v) for v in values):
            raise SignatureError("A signature point is not a finite number; sign again.")
        if not (0 <= p.x <= self.width and 0 <= p.y <= self.height):
            raise SignatureError(
                f"A signature point ({p.x:g}, {p.y:g}) lies outside the "
                f"{self.width}×{self.height} pad; sign again inside the box."
            )
        if not 0 <= p.pressure <= 1:
            raise SignatureError(f"Pen pressure {p.pressure:g} is outside 0..1; check the pad.")
        if p.t < last_t:
            raise SignatureError("Signature points are not in time order; sign again.")
        return float(p.t)

    @property
    def point_count(self) -> int:
        """Total number of pen samples."""
        return sum(len(s) for s in self.strokes)

    @property
    def duration(self) -> float:
        """Seconds from the first to the last pen sample."""
        return self.strokes[-1][-1].t if self.strokes else 0.0

    def to_json(self) -> dict[str, Any]:
        """Return the wire format (see the module docstring)."""
        data: dict[str, Any] = {
            "role": self.role,
            "width": self.width,
            "height": self.height,
            "strokes": [[[p.x, p.y, p.t, p.pressure] for p in s] for s in self.strokes],
        }
        if self.document_sha256:
            data["document_sha256"] = self.document_sha256
        return data

    @classmethod
    def from_json(cls, data: Any) -> Signature:
        """Parse and validate the wire format; raise :class:`SignatureError` if it is wrong."""
        if not isinstance(data, dict) or not _WIRE_KEYS <= set(data) <= _WIRE_KEYS_OPTIONAL:
            raise SignatureError(
                "The signature data is not in the expected form "
                "(role, width, height, strokes); the pad software may be incompatible."
            )
        strokes = data["strokes"]
        if not isinstance(strokes, list) or not all(isinstance(s, list) for s in strokes):
            raise SignatureError("The signature strokes are not lists of points.")
        # Bound the input before building objects from it.
        _check_counts(len(strokes), sum(len(s) for s in strokes))
        parsed = tuple(tuple(_point(p) for p in s) for s in strokes)
        document = data.get("document_sha256", "")
        return cls(data["role"], data["width"], data["height"], parsed, document)


def _check_counts(strokes: int, points: int) -> None:
    if strokes == 0:
        raise SignatureError("The signature is empty; ask the signer to sign again.")
    if strokes > MAX_STROKES or points > MAX_POINTS:
        raise SignatureError(
            f"The signature is too large ({strokes} strokes, {points} points; at most "
            f"{MAX_STROKES} and {MAX_POINTS}); clear the pad and sign again."
        )


def _point(raw: Any) -> SignaturePoint:
    if (
        not isinstance(raw, list)
        or len(raw) != 4
        or not all(isinstance(v, float | int) and not isinstance(v, bool) for v in raw)
    ):
        raise SignatureError("A signature point is not [x, y, t, pressure] numbers.")
    return SignaturePoint(*(float(v) for v in raw))


def pen_width(signature: Signature, pressure: float) -> float:
    """Pen width in pad pixels at ``pressure``: about 1.1% of the pad height at full pressure."""
    return signature.height / 90 * (0.3 + 0.9 * pressure)


def render_png(
    signature: Signature,
    scale: float = 2.0,
    *,
    background: tuple[int, int, int] | None = None,
    ink: tuple[int, int, int] = _INK,
) -> bytes:
    """Draw the signature as an antialiased PNG of the whole pad, ``scale`` × pad size.

    Line width follows pen pressure. The background is transparent unless ``background``
    gives an RGB colour (e.g. white for viewers that ignore transparency).
    """
    buffer = io.BytesIO()
    render_image(signature, scale, background=background, ink=ink).save(buffer, format="PNG")
    return buffer.getvalue()


def render_image(
    signature: Signature,
    scale: float = 2.0,
    *,
    background: tuple[int, int, int] | None = None,
    ink: tuple[int, int, int] = _INK,
) -> Image.Image:
    """Like :func:`render_png`, but return the Pillow image (RGBA, or RGB with a background)."""
    if not 0 < scale <= 8:
        raise ValueError(f"scale must be in (0, 8], got {scale}")
    out_w = max(1, round(signature.width * scale))
    out_h = max(1, round(signature.height * scale))
    k = scale * _SUPERSAMPLE
    mask = Image.new("L", (out_w * _SUPERSAMPLE, out_h * _SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(mask)
    for stroke in signature.strokes:
        prev = None
        for p in stroke:
            r = pen_width(signature, p.pressure) * k / 2
            x, y = p.x * k, p.y * k
            # Round joints: a disc at every sample, a segment to the previous one.
            draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
            if prev is not None:
                draw.line((prev[0], prev[1], x, y), fill=255, width=max(1, round(2 * r)))
            prev = (x, y)
    mask = mask.reduce(_SUPERSAMPLE)
    if background is None:
        image = Image.new("RGBA", mask.size, (*ink, 0))
        image.putalpha(mask)
        return image
    image = Image.new("RGB", mask.size, background)
    image.paste(Image.new("RGB", mask.size, ink), mask=mask)
    return image
