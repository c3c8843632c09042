"""Synthetic handwriting and fingerprints, for the demo and the tests (there is no pen).

The handwriting is built from Chinese stroke shapes with human timing and pressure, so it
exercises everything a real pad's strokes do; the fingerprint is a loop-pattern ridge image
like a reader's or a camera's capture. Both are deterministic for the same inputs.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import random

import numpy as np
from PIL import Image

from documents.fingerprint import Fingerprint
from documents.signature import Signature, SignaturePoint

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


def synthetic_fingerprint(seed: int, *, role: str = "suspect") -> Fingerprint:
    """A deterministic loop-pattern fingerprint image, 500 dpi, as a reader would deliver it.

    Ridges follow an orientation field swirling around a core, with a little noise and an
    oval contact area that fades at the edges, the way a finger pressed on glass looks.
    """
    rng = np.random.default_rng(seed)
    h, w = 360, 280
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    cy, cx = h * rng.uniform(0.42, 0.5), w * rng.uniform(0.45, 0.55)
    dy, dx = (y - cy) / h, (x - cx) / w
    r = np.hypot(dx * 1.25, dy)
    theta = np.arctan2(dy, dx)
    # Loop: circular ridges around the core that open downwards into parallel arches.
    arch = dy * 1.8 + 0.35 * np.sin(dx * math.pi * 1.3)
    blend = 1 / (1 + np.exp(-(dy - 0.05) * 14))
    field = (1 - blend) * r + blend * arch + 0.012 * np.sin(theta * 3 + rng.uniform(0, 6))
    ridges = 0.5 + 0.5 * np.cos(2 * math.pi * field * rng.uniform(19.0, 23.0))
    ridges += rng.normal(0, 0.12, ridges.shape)
    contact = np.clip(1.6 - np.hypot(dx / 0.42, dy / 0.48) * 1.6, 0, 1)
    ink = np.clip(ridges, 0, 1) * contact
    gray = (255 - ink * 235).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(gray, "L").save(buffer, format="PNG", optimize=True)
    return Fingerprint(role, "right_index", "synthetic", buffer.getvalue(), 500)
