"""Handwritten signatures as pen strokes, their wire format, and rendering to PNG.

A signature is kept as the strokes the pen drew (position, time, pressure), not as a picture:
the strokes are what the signing pad sends, they are small, and the timing is part of what makes
a handwritten signature attributable. The picture is derived (:func:`render_png`) when the
agreement PDF is made.

Wire format (``to_json`` / ``from_json``)::

    {"role": str, "width": int, "height": int, "strokes": [[[x, y, t, pressure], ...], ...]}

``x``/``y`` are pad pixels (origin top left), ``t`` seconds since the first point, ``pressure``
0..1. Input from the network is bounded (strokes, points, pad size) before anything is built.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

MAX_STROKES = 200
MAX_POINTS = 20_000
MAX_PAD_SIDE = 4096
MAX_ROLE_LENGTH = 32

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

    def __post_init__(self) -> None:
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
        return {
            "role": self.role,
            "width": self.width,
            "height": self.height,
            "strokes": [[[p.x, p.y, p.t, p.pressure] for p in s] for s in self.strokes],
        }

    @classmethod
    def from_json(cls, data: Any) -> Signature:
        """Parse and validate the wire format; raise :class:`SignatureError` if it is wrong."""
        if not isinstance(data, dict) or set(data) != {"role", "width", "height", "strokes"}:
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
        return cls(data["role"], data["width"], data["height"], parsed)


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
    base = signature.height / 90  # pen width in pad pixels at full pressure ≈ 1.1% of height
    for stroke in signature.strokes:
        prev = None
        for p in stroke:
            r = base * (0.3 + 0.9 * p.pressure) * k / 2
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


# --- synthetic handwriting for the demo (there is no pen) ---------------------------------

_PAD_WIDTH, _PAD_HEIGHT = 600, 240
_SAMPLE_RATE = 120.0  # Hz, typical of signing pads
# Chinese stroke shapes (x right, y down, size 1): control points of the pen path.
_PRIMITIVES = (
    ((-0.5, 0.05), (0.0, 0.0), (0.5, -0.08)),  # 横
    ((0.0, -0.5), (0.02, 0.0), (0.0, 0.5)),  # 竖
    ((0.3, -0.45), (0.1, 0.05), (-0.4, 0.45)),  # 撇
    ((-0.35, -0.4), (0.05, 0.1), (0.45, 0.4)),  # 捺
    ((-0.08, -0.1), (0.08, 0.1)),  # 点
    ((-0.45, -0.3), (0.4, -0.35), (0.3, 0.45)),  # 横折
    ((0.0, -0.5), (0.0, 0.35), (-0.2, 0.25)),  # 竖钩
    ((-0.4, 0.2), (0.35, -0.15)),  # 提
)
_STROKE_SIZE = {0: 0.8, 1: 0.85, 2: 0.75, 3: 0.7, 4: 0.6, 5: 0.6, 6: 0.8, 7: 0.4}


def synthetic_signature(role: str, name: str, seed: int) -> Signature:
    """Make a believable, deterministic handwritten signature of ``name`` for ``role``.

    Each character becomes a few cursive pen-down strokes built from Chinese stroke shapes
    (横竖撇捺点提), joined the way people run strokes together, with a rising baseline, a slant,
    a bell-shaped speed profile and pressure that swells mid-stroke. The same inputs always
    give the same strokes.
    """
    digest = hashlib.sha256(f"{role}\x00{name}\x00{seed}".encode()).digest()
    rng = random.Random(digest)
    chars = [c for c in name if not c.isspace()] or ["?"]
    cell = _PAD_HEIGHT * 0.55
    pitch = cell * rng.uniform(0.78, 0.9)  # signatures crowd their characters
    paths: list[list[tuple[float, float]]] = []
    for i, char in enumerate(chars):
        origin = (i * pitch, -i * cell * rng.uniform(0.02, 0.06))
        paths.extend(_character_paths(rng, ord(char), origin, cell))
    if rng.random() < 0.6:  # a trailing flourish under the name
        last = paths[-1][-1]
        paths[-1] = paths[-1] + [(last[0] + cell * 0.3, last[1] + cell * 0.15)]
    points = _fit_to_pad([p for path in paths for p in path], rng)
    strokes, t, cursor = [], 0.0, 0
    for path in paths:
        placed = points[cursor : cursor + len(path)]
        cursor += len(path)
        stroke, t = _timed_stroke(_smooth(placed), t, rng)
        strokes.append(stroke)
        t += rng.uniform(0.08, 0.25)  # pen lifted between strokes
    return Signature(role, _PAD_WIDTH, _PAD_HEIGHT, tuple(strokes))


def _character_paths(
    rng: random.Random, code: int, origin: tuple[float, float], cell: float
) -> list:
    """Control points of the pen-down strokes of one character.

    Strokes are placed in the left and right (or upper and lower) part of the cell as most
    Chinese characters are built, and about half of them run into the next one without
    lifting the pen, as in everyday cursive writing.
    """
    count = 4 + (code + rng.randrange(4)) % 5
    side_by_side = (code + rng.randrange(2)) % 2 == 0
    paths: list[list[tuple[float, float]]] = [[]]
    for i in range(count):
        kind = rng.randrange(len(_PRIMITIVES))
        part = 0 if i < count * 0.45 else 1
        if side_by_side:
            cx, cy = rng.uniform(0.2, 0.42) + 0.36 * part, rng.uniform(0.3, 0.7)
        else:
            cx, cy = rng.uniform(0.3, 0.7), rng.uniform(0.2, 0.42) + 0.36 * part
        size = _STROKE_SIZE[kind] * rng.uniform(0.45, 0.7)
        for u, v in _PRIMITIVES[kind]:
            x = cx + size * (u + rng.uniform(-0.08, 0.08))
            y = cy + size * (v + rng.uniform(-0.08, 0.08))
            paths[-1].append((origin[0] + x * cell, origin[1] + y * cell))
        if rng.random() < 0.5:
            paths.append([])
    return [p for p in paths if p]


def _fit_to_pad(points: list[tuple[float, float]], rng: random.Random) -> list[tuple[float, float]]:
    """Slant, then scale and centre all points into the pad with a margin."""
    slant = rng.uniform(0.12, 0.28)
    sheared = [(x - slant * y, y) for x, y in points]
    xs, ys = [p[0] for p in sheared], [p[1] for p in sheared]
    w, h = max(xs) - min(xs) or 1.0, max(ys) - min(ys) or 1.0
    margin = 0.12
    k = min(_PAD_WIDTH * (1 - 2 * margin) / w, _PAD_HEIGHT * (1 - 2 * margin) / h)
    ox = (_PAD_WIDTH - w * k) / 2 - min(xs) * k
    oy = (_PAD_HEIGHT - h * k) / 2 - min(ys) * k
    return [(x * k + ox, y * k + oy) for x, y in sheared]


def _smooth(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """A Catmull-Rom curve through the control points, densely sampled."""
    if len(points) < 2:
        return points
    padded = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        for s in range(steps):
            u = s / steps
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[d]
                        + (p2[d] - p0[d]) * u
                        + (2 * p0[d] - 5 * p1[d] + 4 * p2[d] - p3[d]) * u * u
                        + (3 * p1[d] - p0[d] - 3 * p2[d] + p3[d]) * u**3
                    )
                    for d in (0, 1)
                )
            )
    out.append(points[-1])
    return out  # type: ignore[return-value]


def _timed_stroke(
    path: list[tuple[float, float]], t0: float, rng: random.Random
) -> tuple[tuple[SignaturePoint, ...], float]:
    """Resample a path at the pad's sample rate with a bell-shaped speed and pressure."""
    lengths = [0.0]
    for a, b in itertools.pairwise(path):
        lengths.append(lengths[-1] + math.dist(a, b))
    total = lengths[-1]
    peak_speed = rng.uniform(500.0, 800.0)  # pad px/s
    samples, s, t, j = [], 0.0, t0, 0
    while True:
        u = s / total if total else 1.0
        while j < len(lengths) - 2 and lengths[j + 1] < s:
            j += 1
        seg = lengths[j + 1] - lengths[j] or 1.0
        f = min(1.0, (s - lengths[j]) / seg)
        x = path[j][0] + (path[j + 1][0] - path[j][0]) * f if len(path) > 1 else path[0][0]
        y = path[j][1] + (path[j + 1][1] - path[j][1]) * f if len(path) > 1 else path[0][1]
        swell = math.sin(math.pi * u)
        pressure = min(1.0, max(0.05, 0.3 + 0.6 * math.sqrt(swell) + rng.uniform(-0.04, 0.04)))
        x = min(max(x, 0.0), float(_PAD_WIDTH))
        y = min(max(y, 0.0), float(_PAD_HEIGHT))
        samples.append(SignaturePoint(round(x, 2), round(y, 2), round(t, 4), round(pressure, 3)))
        if s >= total:
            return tuple(samples), t
        s = min(total, s + peak_speed * (0.25 + 0.75 * swell) / _SAMPLE_RATE)
        t += 1 / _SAMPLE_RATE
